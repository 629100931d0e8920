# shellcheck shell=bash
# Common definitions for the harness scripts. Sourced, never run.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARNESS=$REPO/harness
BUILD=${BUILD:-$REPO/build}
KVER=${KERNEL_VERSION:-$(sed -n 's/^KERNEL_VERSION *:= *//p' "$HARNESS/config.mk")}
SRC=$BUILD/src                 # git tree: tag "base" + assembled series commits
KOBJ=${KOBJ:-$BUILD/kobj}      # out-of-tree kernel build (base + debug config)
GUEST=${GUEST:-$BUILD/guest}   # guest programs and initramfs
# Configuration only, from base.config alone: the non-debug kernel that
# static.sh and bisect.sh build (KASAN would only slow them down).
KBASE=${KBASE:-$BUILD/kbase}
ARCH=arm64
CROSS_COMPILE=aarch64-linux-gnu-
export ARCH CROSS_COMPILE
# Debian's python (with PyYAML etc.) before any pyenv build.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH
# Cache compiler output outside the checkout so a fresh clone on the same
# machine rebuilds quickly; a fresh machine simply starts cold.
export CCACHE_DIR=${CCACHE_DIR:-/var/cache/dmabuf-heaps-harness/ccache}
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

kmake() {
	make -C "$SRC" O="$KOBJ" ARCH=$ARCH CROSS_COMPILE="$CROSS_COMPILE" \
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
