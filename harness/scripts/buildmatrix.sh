#!/bin/bash
# buildmatrix.sh [ARCH-MODE...]: build what the series touches for every
# architecture the 0-day bot would, with the heaps, their KUnit tests and the
# test importer built in (=y) and as modules (=m), at W=1; and the
# dmabuf-heaps selftests for each architecture. Any compiler warning fails.
#
# Configurations: allnoconfig + harness/configs/matrix/{common,ARCH,heaps-MODE}
# .config, each in its own object directory $BUILD/matrix/ARCH-MODE so that
# a re-run is incremental. kconfig.sh fails if a fragment line is lost (a
# heap that cannot be enabled on an architecture is a failure, not a skip).
. "$(dirname "$0")/lib.sh"

S=$HARNESS/scripts
M=$HARNESS/configs/matrix
DIRS="drivers/dma-buf/ drivers/of/ kernel/dma/"
targets=${*:-x86_64-y x86_64-m arm-y arm-m riscv64-y riscv64-m arm64-y arm64-m}

# Each architecture's cross compiler prefix (x86_64: the host's gcc) and
# its kernel ARCH (riscv64 is ARCH=riscv with 64BIT=y).
declare -A CROSS=([x86_64]="" [arm]=arm-linux-gnueabihf- [riscv64]=riscv64-linux-gnu-
	[arm64]=aarch64-linux-gnu-)
declare -A KARCHS=([x86_64]=x86_64 [arm]=arm [riscv64]=riscv [arm64]=arm64)

# check_log NAME LOG: fail on any compiler or kbuild warning or error.
check_log() {
	local n
	n=$(grep -cE '(warning|error):' "$2" || true)
	if [ "$n" != 0 ]; then
		printf '    FAIL  %-12s %s warning(s)/error(s):\n' "$1" "$n"
		grep -E '(warning|error):' "$2" | sort -u | head -40 | sed 's/^/      /'
		return 1
	fi
}

bad=0
for t in $targets; do
	a=${t%-*} mode=${t##*-}
	[ -f "$M/$a.config" ] && [ -f "$M/heaps-$mode.config" ] && [ -n "${KARCHS[$a]:-}" ] ||
		die "unknown target $t"
	obj=$BUILD/matrix/$t
	t0=$(date +%s)
	export KARCH KCROSS KOBJ
	KARCH=${KARCHS[$a]} KCROSS=${CROSS[$a]} KOBJ=$obj
	ARCH=$KARCH CROSS_COMPILE=$KCROSS
	log=$obj/matrix.log
	mkdir -p "$obj"
	if ! "$S/kconfig.sh" "$M/common.config" "$M/$a.config" "$M/heaps-$mode.config" \
			>"$log" 2>&1; then
		printf '    FAIL  %-12s configuration:\n' "$t"
		sed 's/^/      /' "$log" | tail -20
		bad=1
		continue
	fi
	# W=1 for the directories; make stops at the first error.
	if ! kmake -s W=1 $DIRS >>"$log" 2>&1; then
		check_log "$t" "$log" || true
		printf '    FAIL  %-12s build failed (log: %s)\n' "$t" "$log"
		tail -20 "$log" | sed 's/^/      /'
		bad=1
		continue
	fi
	check_log "$t" "$log" || { bad=1; continue; }
	# The selftests once per architecture (they do not depend on =y/=m).
	if [ "$mode" = y ]; then
		if ! kmake -s kselftest-all TARGETS=dmabuf-heaps >"$obj/selftest.log" 2>&1; then
			printf '    FAIL  %-12s selftests (log: %s)\n' "$t" "$obj/selftest.log"
			tail -20 "$obj/selftest.log" | sed 's/^/      /'
			bad=1
			continue
		fi
		check_log "$t-selftest" "$obj/selftest.log" || { bad=1; continue; }
	fi
	objs=$(find "$obj/drivers/dma-buf" "$obj/drivers/of" -name '*.o' | wc -l)
	printf '    ok    %-12s %3d objects in drivers/{dma-buf,of}, 0 warnings, %ss\n' \
		"$t" "$objs" $(($(date +%s) - t0))
done
exit $bad
