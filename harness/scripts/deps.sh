#!/bin/bash
# Install what the harness needs from Debian. Idempotent: does nothing when
# everything is already there. Every external command the harness calls is
# listed in harness/commands; the fresh-deps stage of `make check` proves in
# a bare Debian root that these packages provide all of them.
. "$(dirname "$0")/lib.sh"

PKGS="build-essential bc bison flex libssl-dev libelf-dev cpio kmod rsync xz-utils
gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm device-tree-compiler
busybox-static:arm64 sparse debootstrap ccache python3 python3-yaml python3-ply python3-git git gnuplot-nox
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross"
SRCPKG=linux-source-$KVER
SRCSUITE=trixie-backports

# The arm32 guest's busybox (boot-arm32-*): busybox-static cannot be
# installed for arm64 and armhf at once (both own /bin/busybox), so the
# armhf package is downloaded and unpacked into the cache instead.
armhf_busybox() {
	[ -x "$BUSYBOX_ARMHF" ] && return 0
	step "unpacking busybox-static:armhf into $CACHE/armhf"
	local d
	if ! dpkg --print-foreign-architectures | grep -qx armhf; then
		[ "$(id -u)" = 0 ] || die "need root to add the armhf architecture"
		dpkg --add-architecture armhf
		apt-get update -q >/dev/null || die "apt-get update failed"
	fi
	d=$(mktemp -d)
	(cd "$d" && apt-get download -q busybox-static:armhf >/dev/null 2>&1) || {
		# The package lists may predate the armhf architecture.
		apt-get update -q >/dev/null
		(cd "$d" && apt-get download -q busybox-static:armhf >/dev/null)
	} || die "could not download busybox-static:armhf"
	rm -rf "$CACHE/armhf"
	mkdir -p "$CACHE/armhf"
	dpkg-deb -x "$d"/busybox-static_*_armhf.deb "$CACHE/armhf/root" ||
		die "could not unpack busybox-static:armhf"
	mkdir -p "$CACHE/armhf/bin"
	cp "$CACHE/armhf/root/bin/busybox" "$BUSYBOX_ARMHF"
	rm -rf "$d" "$CACHE/armhf/root"
	step_done
}

missing=""
for p in $PKGS $SRCPKG; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	armhf_busybox
	exit 0
fi

step "installing packages:$missing"
[ "$(id -u)" = 0 ] || die "need root to install:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC1091
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
dpkg --print-foreign-architectures | grep -qx armhf || dpkg --add-architecture armhf
if [ ! -f /etc/apt/sources.list.d/$SRCSUITE.sources ]; then
	cat > /etc/apt/sources.list.d/$SRCSUITE.sources <<E2
Types: deb
URIs: http://deb.debian.org/debian
Suites: $SRCSUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
E2
	# Low priority: nothing else on the machine is upgraded from it.
	cat > /etc/apt/preferences.d/$SRCSUITE.pref <<E2
Package: *
Pin: release n=$SRCSUITE
Pin-Priority: 100
E2
fi
apt-get update -q >/dev/null || die "apt-get update failed (suites: $suite, $SRCSUITE)"

# no_candidate SUITE PKG...: name every package apt cannot install from SUITE.
no_candidate() {
	local s=$1 p pol bad=""
	shift
	for p in "$@"; do
		pol=$(apt-cache policy "$p" 2>/dev/null || true)
		case "$s:$pol" in
		"$SRCSUITE":*"$SRCSUITE"*) ;;
		"$SRCSUITE":*) bad="$bad $p" ;;
		*"Candidate: (none)"* | *:) bad="$bad $p" ;;
		*"Candidate: "*) ;;
		*) bad="$bad $p" ;;
		esac
	done
	echo "${bad# }"
}

bad=$(no_candidate "$suite" $PKGS)
[ -z "$bad" ] || die "package(s) not available from Debian $suite (arm64 foreign architecture enabled): $bad"
bad=$(no_candidate $SRCSUITE "$SRCPKG")
[ -z "$bad" ] || die "package $SRCPKG is not served by $SRCSUITE: set KERNEL_VERSION in harness/config.mk to a served linux-source-* version and rebase series/"

log=$(mktemp)
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS >"$log" 2>&1 || {
	tail -n 20 "$log" >&2
	die "could not install from Debian $suite (see apt's output above)"
}
apt-get install -y -q --no-install-recommends -t $SRCSUITE "$SRCPKG" >"$log" 2>&1 || {
	tail -n 20 "$log" >&2
	die "could not install $SRCPKG from $SRCSUITE (see apt's output above)"
}
rm -f "$log"
step_done
armhf_busybox
