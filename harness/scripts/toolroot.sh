#!/bin/bash
# toolroot.sh setup | run CMD... | run-patched CMD...
#
# Bookworm's dt-schema (2022.08) and sparse (0.6.4) are too old for 7.3:
# dt-schema lacks the reserved-memory schemas bindings reference, and sparse
# fails scripts/checker-valid.sh (__typeof_unqual__), so kbuild silently
# drops C=2. Both run in a Debian trixie chroot made once with debootstrap
# and kept outside the checkout ($TOOLROOT), with dt-schema and sparse from
# sid and trixie's arm64 cross compiler. The build directory is bind-mounted
# at the same path inside, so kernel make runs there unchanged.
#
# run-patched runs CMD with dt-schema's patches from dt-schema/ (the
# dt-schema side of the series) applied to a copy of the chroot's
# dt-schema in $BUILD/dt-schema-patched, first on PYTHONPATH.
. "$(dirname "$0")/lib.sh"

ROOT=${TOOLROOT:-$CACHE/toolroot}
MIRROR=http://deb.debian.org/debian

setup() {
	[ -x "$ROOT/usr/bin/dt-validate" ] && [ -f "$ROOT/.ready" ] && return 0
	step "creating the tools chroot in $ROOT (debootstrap trixie; dt-schema, sparse from sid)"
	rm -rf "$ROOT"
	mkdir -p "$(dirname "$ROOT")"
	debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" >"$BUILD/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $BUILD/debootstrap.log"
	cat > "$ROOT/etc/apt/sources.list.d/sid.list" <<E2
deb $MIRROR sid main
E2
	cat > "$ROOT/etc/apt/preferences.d/sid.pref" <<E2
Package: *
Pin: release n=sid
Pin-Priority: 100
E2
	# sid's Release file is served past its Valid-Until date.
	chroot "$ROOT" apt-get -q -o Acquire::Check-Valid-Until=false update >/dev/null
	chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends make gcc libc6-dev bison flex python3 yamllint \
		gcc-aarch64-linux-gnu bc libssl-dev libelf-dev perl >/dev/null
	chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends -t sid dt-schema sparse >/dev/null
	chroot "$ROOT" dt-validate --version
	chroot "$ROOT" sparse --version
	touch "$ROOT/.ready"
	step_done
}

in_root() {
	mkdir -p "$ROOT$BUILD" "$ROOT/proc"
	mountpoint -q "$ROOT$BUILD" || mount --bind "$BUILD" "$ROOT$BUILD"
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	# /proc stays mounted: other checkouts may be using the chroot.
	trap 'umount "$ROOT$BUILD" 2>/dev/null || true' EXIT
	chroot "$ROOT" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

# The installed dt-schema package, with dt-schema/*.patch applied, in
# $BUILD/dt-schema-patched (remade when the patches or the package change).
PATCHED=$BUILD/dt-schema-patched
patched_copy() {
	local pkg stamp p
	pkg=$(chroot "$ROOT" python3 -c 'import dtschema, os; print(os.path.dirname(dtschema.__file__))')
	stamp=$(cat "$REPO"/dt-schema/0*.patch "$ROOT$pkg/__init__.py" | sha1sum)
	[ -f "$PATCHED/.stamp" ] && [ "$(cat "$PATCHED/.stamp")" = "$stamp" ] && return 0
	rm -rf "$PATCHED"
	mkdir -p "$PATCHED"
	cp -a "$ROOT$pkg" "$PATCHED/dtschema"
	find "$PATCHED" -name __pycache__ -prune -exec rm -rf {} +
	for p in "$REPO"/dt-schema/0*.patch; do
		case "$p" in */0000-cover-letter.patch) continue ;; esac
		patch -s -d "$PATCHED" -p1 --no-backup-if-mismatch < "$p" ||
			die "dt-schema patch ${p##*/} does not apply to $pkg"
	done
	echo "$stamp" > "$PATCHED/.stamp"
}

case "${1:-}" in
setup)
	setup
	;;
run)
	shift
	setup
	in_root "$@"
	;;
run-patched)
	shift
	setup
	patched_copy
	in_root env PYTHONPATH="$PATCHED" "$@"
	;;
*)
	die "usage: toolroot.sh setup | run CMD... | run-patched CMD..."
	;;
esac
