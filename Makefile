# SPDX-License-Identifier: GPL-2.0
#
# Reserved-memory dma-buf heaps: the patch series (kernel-tree paths and
# series/) and the harness (harness/) that builds Linux with it and boots it
# under QEMU.
#
#   make demo     build and boot the demo layout, show every heap
#   make check    every check and test; ends with "N passed, N failed"
#   make bench    build a non-debug kernel, benchmark every heap in the guest
#   make series   export the series with git format-patch into build/series
#   make clean    remove build/ (keeps the package and compiler caches)

include harness/config.mk
export KERNEL_VERSION

SCRIPTS := harness/scripts

.PHONY: demo check bench series clean

demo:
	@bash $(SCRIPTS)/demo.sh

check:
	@bash $(SCRIPTS)/check.sh

bench:
	@bash $(SCRIPTS)/bench.sh

series:
	@bash $(SCRIPTS)/deps.sh
	@bash $(SCRIPTS)/base.sh
	@bash $(SCRIPTS)/assemble.sh
	@bash $(SCRIPTS)/series.sh export

clean:
	rm -rf build
