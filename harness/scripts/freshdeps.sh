#!/bin/bash
# freshdeps.sh: prove that deps.sh installs everything the harness needs.
#
# A bare Debian root of the host's release (debootstrap minbase; its
# tarball is cached in $CACHE/fresh, nothing of ours in it) is unpacked
# anew, deps.sh runs inside it and installs the project's packages there,
# then inside it:
#  - every command of harness/commands must be found (command -v), and the
#    host scripts may call nothing that list does not name (commands.py);
#  - QEMU dumps its virt tree and boots the kernel and initramfs that
#    `make check` built ($KOBJ, $GUEST, bind-mounted read-only) on the demo
#    scenario to its @@@ DONE marker.
# Downloaded .deb files are kept in $CACHE/fresh/archives (a download
# cache only: every package is installed into the new root each run).
. "$(dirname "$0")/lib.sh"

FRESH=$CACHE/fresh
MIRROR=http://deb.debian.org/debian
# shellcheck disable=SC1091
SUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
TARBALL=$FRESH/$SUITE-minbase.tar
ROOT=$BUILD/fresh-root
LOG=$BUILD/logs/fresh-deps.log

[ -n "$SUITE" ] || die "cannot tell the Debian release from /etc/os-release"
[ -f "$KOBJ/arch/arm64/boot/Image" ] || die "no kernel in $KOBJ: build it first"
[ -f "$GUEST/initramfs.cpio" ] || die "no initramfs in $GUEST: build it first"
mkdir -p "$FRESH/archives/partial" "$BUILD/logs"
: > "$LOG"

t0=$(date +%s)
if [ ! -s "$TARBALL" ]; then
	echo "    bootstrapping a bare $SUITE root (cached in $TARBALL)"
	tmp=$FRESH/bootstrap.tmp
	rm -rf "$tmp"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >>"$LOG" 2>&1 ||
		die "debootstrap $SUITE failed, see $LOG"
	tar -C "$tmp" -cf "$TARBALL.new" . && mv "$TARBALL.new" "$TARBALL"
	rm -rf "$tmp"
fi

mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
# bindmount SRC DST [ro]
bindmount() {
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mounts+=("$2")
	[ "${3:-}" != ro ] || mount -o remount,bind,ro "$2"
}

# A run that was killed may have left its mounts: never delete through them.
{ grep -F " $ROOT/" /proc/mounts || true; } | awk '{ print $2 }' | sort -r | while read -r m; do
	umount "$m" 2>/dev/null || umount -l "$m"
done
! grep -qF " $ROOT/" /proc/mounts || die "mounts left below $ROOT"
rm -rf --one-file-system "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$TARBALL"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$ROOT/proc"
mount -t proc proc "$ROOT/proc"
mounts+=("$ROOT/proc")
bindmount /dev "$ROOT/dev"
bindmount "$FRESH/archives" "$ROOT/var/cache/apt/archives"
bindmount "$REPO" "$ROOT$REPO" ro
bindmount "$KOBJ/arch/arm64/boot" "$ROOT/fresh/kobj/arch/arm64/boot" ro
bindmount "$GUEST" "$ROOT/fresh/guest" ro
echo "    bare root ready in $(($(date +%s) - t0))s: $ROOT"

inroot() {
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		BUILD=/fresh/build KOBJ=/fresh/kobj GUEST=/fresh/guest "$@"
}

rc=0
t1=$(date +%s)
if inroot bash "$REPO/harness/scripts/deps.sh" >>"$LOG" 2>&1; then
	echo "    deps.sh installed $(inroot dpkg-query -W -f='.\n' | wc -l) packages" \
		"in the bare root in $(($(date +%s) - t1))s"
else
	tail -n 20 "$LOG" | sed 's/^/      /'
	die "deps.sh failed in the bare $SUITE root (log: $LOG)"
fi

# shellcheck disable=SC2016
missing=$(inroot sh -c 'for c; do command -v "$c" >/dev/null || printf " %s" "$c"; done' sh \
	$(grep -vE '^(#|$)' "$HARNESS/commands"))
if [ -n "$missing" ]; then
	echo "    FAIL  not provided by the packages deps.sh installs:$missing"
	rc=1
else
	echo "    ok    all $(grep -cvE '^(#|$)' "$HARNESS/commands") commands of harness/commands present"
fi

# The list must name every command the host scripts call.
if unlisted=$(inroot /usr/bin/python3 "$REPO/harness/scripts/commands.py" \
		"$REPO/harness/commands" "$REPO"/harness/scripts/*.sh "$REPO/Makefile" \
		"$REPO/.ci/run" 2>&1); then
	echo "    ok    the harness scripts call no command missing from harness/commands"
else
	echo "$unlisted" | sed 's/^/    FAIL  /'
	rc=1
fi

t1=$(date +%s)
if inroot bash "$REPO/harness/scripts/boot.sh" demo >>"$LOG" 2>&1; then
	echo "    ok    QEMU in the bare root booted the demo scenario to @@@ DONE" \
		"in $(($(date +%s) - t1))s"
else
	tail -n 20 "$LOG" | sed 's/^/      /'
	tail -n 20 "$ROOT/fresh/build/logs/demo.log" 2>/dev/null | sed 's/^/      /'
	echo "    FAIL  the demo scenario did not boot in the bare root (log: $LOG)"
	rc=1
fi
cp "$ROOT/fresh/build/logs/demo.log" "$BUILD/logs/fresh-deps-demo.log" 2>/dev/null || true
echo "    fresh-deps took $(($(date +%s) - t0))s"
exit $rc
