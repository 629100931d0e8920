#!/bin/bash
# dtcheck.sh: dt_binding_check on the bindings the series adds or changes,
# with dt-schema from the tools chroot.
. "$(dirname "$0")/lib.sh"

cd "$SRC"
files=$(git diff --name-only --diff-filter=AM base series -- \
	'Documentation/devicetree/bindings/*.yaml')
[ -n "$files" ] || { echo "    no bindings in the series yet"; exit 0; }
mkdir -p "$BUILD/kdt"
out=$("$HARNESS/scripts/toolroot.sh" run make -C "$SRC" O="$BUILD/kdt" ARCH=arm64 \
	-j"$JOBS" dt_binding_check DT_SCHEMA_FILES="$(echo $files | tr ' ' :)" 2>&1) || {
	echo "$out" | sed 's/^/      /'
	exit 1
}
# Any schema, lint or example message counts.
if echo "$out" | grep -vE '^make|^  [A-Z]+ ' | grep -q .; then
	echo "$out" | sed 's/^/      /'
	exit 1
fi
for f in $files; do printf '    ok    dt_binding_check %s\n' "$f"; done
