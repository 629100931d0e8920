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
# The guest: arm64 for every scenario, or with GUEST_ARCH=arm a 32-bit
# ARMv7 kernel with LPAE and highmem (the boot-arm32-* stages).
# buildmatrix.sh sets KARCH/KCROSS to build the series for other
# architectures with the same scripts.
GUEST_ARCH=${GUEST_ARCH:-arm64}
declare -A GUEST_CROSS=([arm64]=aarch64-linux-gnu- [arm]=arm-linux-gnueabihf-)
[ -n "${GUEST_CROSS[$GUEST_ARCH]:-}" ] || { echo "error: GUEST_ARCH=$GUEST_ARCH: want arm64 or arm" >&2; exit 1; }
ARCH=${KARCH:-$GUEST_ARCH}
CROSS_COMPILE=${KCROSS-${GUEST_CROSS[$GUEST_ARCH]}}
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
# The arm32 guest is a Cortex-A15 (LPAE) on virt with highmem=on, with RAM
# beyond 4 GiB: most of it is highmem to the kernel (no linear mapping).
QEMU_SMP=2
# The kernel image (a build.sh target) and where the build leaves it.
KIMAGE_TARGET=Image
if [ "$GUEST_ARCH" = arm ]; then
	QEMU_SYSTEM=qemu-system-arm
	QEMU_MACHINE=virt,highmem=on
	QEMU_CPU=cortex-a15
	QEMU_MEM=4608M
	KIMAGE_TARGET=zImage
else
	QEMU_SYSTEM=qemu-system-aarch64
	QEMU_MACHINE=virt,gic-version=3
	QEMU_CPU=cortex-a57
	QEMU_MEM=1G
fi
KIMAGE=$KOBJ/arch/$ARCH/boot/$KIMAGE_TARGET
# busybox-static cannot be installed for two architectures at once (both
# own /bin/busybox): deps.sh installs the arm64 one and unpacks the armhf
# one into the cache.
BUSYBOX_ARMHF=$CACHE/armhf/bin/busybox
# The guest has no network device: the default NIC needs a ROM (ipxe-qemu)
# that deps.sh does not install, and no test needs a network.
QEMU_NET=(-nic none)
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
LOGS=$BUILD/logs
