#!/bin/bash
# Install what the harness needs from Debian. Idempotent: does nothing when
# everything is already there.
. "$(dirname "$0")/lib.sh"

PKGS="build-essential bc bison flex libssl-dev libelf-dev cpio kmod rsync xz-utils
gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm device-tree-compiler
busybox-static:arm64 sparse debootstrap ccache python3 python3-yaml python3-ply python3-git git"
SRCPKG=linux-source-$KVER

missing=""
for p in $PKGS $SRCPKG; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

step "installing packages:$missing"
[ "$(id -u)" = 0 ] || die "need root to install:$missing"
export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
if [ ! -f /etc/apt/sources.list.d/trixie-backports.sources ]; then
	cat > /etc/apt/sources.list.d/trixie-backports.sources <<'E2'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
E2
	# Low priority: nothing else on the machine is upgraded from it.
	cat > /etc/apt/preferences.d/trixie-backports.pref <<'E2'
Package: *
Pin: release n=trixie-backports
Pin-Priority: 100
E2
fi
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS >/dev/null
if ! apt-get install -y -q --no-install-recommends -t trixie-backports "$SRCPKG" >/dev/null; then
	die "$SRCPKG is not served by trixie-backports any more: set KERNEL_VERSION in harness/config.mk to a served linux-source-* version and rebase series/"
fi
step_done
