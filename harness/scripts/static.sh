#!/bin/bash
# static.sh: the series' C files (new and patched, kernel side) built with
# W=1 and sparse (C=2) in the tools chroot (sid's sparse; bookworm's is too
# old for 7.3) with its own object directory, and kernel-doc -Wall on the
# new files. Any warning fails.
. "$(dirname "$0")/lib.sh"

cd "$SRC"
cfiles=$(git diff --name-only --diff-filter=AM base series -- '*.c' | grep -v '^tools/' || true)
newfiles=$(git diff --name-only --diff-filter=A base series -- '*.c' '*.h' | grep -v '^tools/' || true)
[ -n "$cfiles" ] || { echo "    no kernel C files in the series yet"; exit 0; }
objs=""
for f in $cfiles; do objs="$objs ${f%.c}.o"; done
bad=0
# shellcheck disable=SC2086
SOBJ=$BUILD/kstatic
mkdir -p "$SOBJ"
cp "$KBASE/.config" "$SOBJ/.config"
smake() {
	"$HARNESS/scripts/toolroot.sh" run make -C "$SRC" O="$SOBJ" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- -j"$JOBS" "$@"
}
# Same configuration; olddefconfig only adapts the compiler version symbols.
smake -s olddefconfig >/dev/null
# shellcheck disable=SC2086
out=$(smake W=1 C=2 $objs 2>&1) || bad=1
echo "$out" | grep -q 'sparse is not available' && die "sparse in the chroot fails checker-valid.sh"
# Judge diagnostics that point at the series' own files (W=1 also rebuilds
# the vDSO, where 7.3 itself has a sparse warning). Any error anywhere fails.
mine=$(git diff --name-only base series -- '*.c' '*.h' | grep -v '^tools/' | sed 's/[.]/[.]/g' | paste -sd'|' -)
# clean OUTPUT: no warning on the series' files, no error anywhere.
clean() {
	! echo "$1" | grep -E 'warning:|error:' | grep -qE "($mine):" &&
		! echo "$1" | grep -qE '(^|: )error:'
}
if ! clean "$out" || [ $bad = 1 ]; then
	echo "$out" | sed 's/^/      /'
	bad=1
else
	for f in $cfiles; do
		if ! echo "$out" | grep -qE "^  CHECK +$f\$"; then
			# Once seen in a fresh clone: one CHECK line missing
			# from the parallel build's output. Check the file alone
			# before calling sparse absent.
			printf '    note  no CHECK line for %s in the parallel build: checking it alone\n' "$f"
			rm -f "$SOBJ/${f%.c}.o"
			again=$(smake W=1 C=2 "${f%.c}.o" 2>&1) || bad=1
			if ! clean "$again"; then
				echo "$again" | sed 's/^/      /'
				bad=1
			fi
			out="$out
$again"
		fi
		if echo "$out" | grep -qE "^  CHECK +$f\$"; then
			printf '    ok    W=1 C=2 %s\n' "$f"
		else
			printf '    FAIL  sparse did not check %s\n' "$f"
			echo "$out" | grep -F "${f%.c}" | sed 's/^/      /'
			bad=1
		fi
	done
fi
for f in $newfiles; do
	kd=$(scripts/kernel-doc -none -Wall "$f" 2>&1 || true)
	if [ -n "$kd" ]; then
		printf '    FAIL  kernel-doc %s\n' "$f"
		echo "$kd" | sed 's/^/      /'
		bad=1
	else
		printf '    ok    kernel-doc -Wall %s\n' "$f"
	fi
done
exit $bad
