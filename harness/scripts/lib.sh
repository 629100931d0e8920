# shellcheck shell=bash
# Common definitions for the harness scripts. Sourced, never run.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARNESS=$REPO/harness
BUILD=${BUILD:-$REPO/build}
KVER=${KERNEL_VERSION:-$(sed -n 's/^KERNEL_VERSION *:= *//p' "$HARNESS/config.mk")}
SRC=$BUILD/src                 # git tree: tag "base" + assembled series commits
# The kernel tree the build scripts use: $SRC, or KSRC=$EXTRA_SRC for the
# kernel with series-extra/ on top (the extra-* stages).
KSRC=${KSRC:-$SRC}
EXTRA_SRC=$BUILD/extra/src
KOBJ=${KOBJ:-$BUILD/kobj}      # out-of-tree kernel build (base + debug config)
GUEST=${GUEST:-$BUILD/guest}   # guest programs and initramfs
# Configuration only, from base.config alone: the non-debug kernel that
# static.sh and bisect.sh build (KASAN would only slow them down).
KBASE=${KBASE:-$BUILD/kbase}
# The guest kernel is arm64; buildmatrix.sh sets KARCH/KCROSS to build the
# series for other architectures with the same scripts.
ARCH=${KARCH:-arm64}
CROSS_COMPILE=${KCROSS-aarch64-linux-gnu-}
export ARCH CROSS_COMPILE
# Debian's python (with PyYAML etc.) before any pyenv build.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH
# Caches kept outside the checkout (compiler output, the tools chroot, the
# bare Debian root of fresh-deps) so a fresh clone on the same machine
# rebuilds quickly; a fresh machine, or HARNESS_CACHE pointing at an empty
# directory, starts cold.
CACHE=${HARNESS_CACHE:-/var/cache/dmabuf-heaps-harness}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
JOBS=${JOBS:-$(nproc)}

step_t0=0
step() {
	step_t0=$(date +%s)
	printf '==> %s\n' "$*"
}
step_done() {
	printf '    done in %ss\n' "$(($(date +%s) - step_t0))"
}
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# run_step NAME CMD...: run one pipeline step for demo.sh and bench.sh,
# print its duration, stop the script when it fails.
run_step() {
	local name=$1
	shift
	step "$name"
	"$@" || die "$name failed"
	step_done
}

# kernel_pipeline RUN FRAGMENT...: every step from the packages to the
# guest initramfs, for the kernel configured by allnoconfig + FRAGMENTs in
# $KOBJ, each step run as `RUN NAME CMD...` (run_step, or check.sh's
# stage). Stops at the first failing step and returns non-zero.
kernel_pipeline() {
	local run=$1 s=$HARNESS/scripts
	shift
	"$run" deps "$s/deps.sh" &&
		"$run" base "$s/base.sh" &&
		"$run" series-applies "$s/assemble.sh" &&
		"$run" kconfig "$s/kconfig.sh" "$@" &&
		"$run" kernel-build "$s/build.sh" &&
		"$run" initramfs "$s/initramfs.sh"
}

kmake() {
	make -C "$KSRC" O="$KOBJ" ARCH=$ARCH CROSS_COMPILE="$CROSS_COMPILE" \
		CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" "$@"
}

# The guest machine. dtb.sh dumps QEMU's own tree with exactly these values.
QEMU_MACHINE=virt,gic-version=3
QEMU_CPU=cortex-a57
QEMU_SMP=2
QEMU_MEM=1G
# The guest has no network device: the default NIC needs a ROM (ipxe-qemu)
# that deps.sh does not install, and no test needs a network.
QEMU_NET=(-nic none)
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
LOGS=$BUILD/logs
