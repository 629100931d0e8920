#!/bin/bash
# dtcheck.sh: dt_binding_check of the bindings the series adds or changes,
# with dt-schema from the tools chroot, the way the devicetree maintainers'
# bot runs it: every example validated against every schema (the kernel's
# and dt-schema's), not only against the schemas listed in DT_SCHEMA_FILES.
#
# The series needs properties on nodes dt-schema owns (shared-dma-pool and
# the common reserved-memory properties); their definitions are the patches
# in dt-schema/. Two runs:
#
#  1. dt-schema with dt-schema/*.patch applied (toolroot.sh run-patched):
#     no message at all. Besides the series' bindings, the run takes every
#     kernel binding that mentions reserved-memory, shared-dma-pool,
#     restricted-dma-pool, no-map or reusable (49 of them in 7.3), so a
#     patch that breaks an existing user of those schemas fails here too.
#  2. dt-schema as released: prints what fails and why; the failures must be
#     exactly those listed in dt-schema/expected-without-patches.
#
# DT_SCHEMA_FILES limits the examples that are built (and the meta-schema
# checks); DT_CHECKER_FLAGS=-m overrides the -l that kbuild derives from it,
# which would validate each example against its own schema only. The full
# unrestricted check (every example of the kernel against every schema,
# compared with pristine 7.3) is harness/scripts/dtfull.sh: 25 minutes on
# this project's 2-core machine, so make check does not run it. The
# examples this stage leaves out mention no reserved memory at all, so no
# schema the series or its dt-schema patches change can apply to them.
. "$(dirname "$0")/lib.sh"

cd "$SRC"
ours=$(git diff --name-only --diff-filter=AM base series -- \
	'Documentation/devicetree/bindings/*.yaml' | sed 's/^series://')
[ -n "$ours" ] || { echo "    no bindings in the series yet"; exit 0; }
users=$(git grep -lE 'shared-dma-pool|restricted-dma-pool|no-map|reusable|reserved-memory' series -- \
	'Documentation/devicetree/bindings/*.yaml' | sed 's/^series://')
files=$(printf '%s\n' $ours $users | sort -u)
expected=$REPO/dt-schema/expected-without-patches

# check MODE O: dt_binding_check in O with the dt-schema of MODE (run or
# run-patched); prints its messages, without make's own lines.
check() {
	local sel=()
	sel=(DT_SCHEMA_FILES="$(echo $files | tr ' ' :)")
	mkdir -p "$2"
	# Made from dt-schema's schemas too, which make cannot see change.
	rm -f "$2/Documentation/devicetree/bindings/processed-schema.json"
	"$HARNESS/scripts/toolroot.sh" "$1" make -C "$SRC" O="$2" ARCH=arm64 \
		-j"$JOBS" dt_binding_check "${sel[@]}" DT_CHECKER_FLAGS=-m 2>&1 |
		grep -vE '^make|^  [A-Z]+ ' || true
}

rc=0
out=$(check run-patched "$BUILD/kdt")
if [ -n "$out" ]; then
	echo "    FAIL  dt_binding_check with the dt-schema patches:"
	echo "$out" | sed 's/^/      /'
	rc=1
else
	for f in $ours; do printf '    ok    dt_binding_check %s\n' "$f"; done
	printf '    ok    dt_binding_check of %d more bindings with reserved-memory nodes or properties\n' \
		"$(comm -13 <(printf '%s\n' $ours | sort) <(echo "$files") | grep -c .)"
fi

# Without the patches: the messages, reduced to "file: node: message" and
# sorted, must be exactly the expected ones.
got=$(check run "$BUILD/kdt-unpatched" |
	sed -nE "s#^$BUILD/kdt-unpatched/##; s#^(.*)\.example\.dtb: #\1: #p" | sort -u)
want=$(sed -nE '/^(#|$)/!s/ +# .*//p' "$expected" | sort -u)
echo "    without the dt-schema patches (expected, see dt-schema/expected-without-patches):"
echo "$got" | sed 's/^/      /'
if [ "$got" != "$want" ]; then
	echo "    FAIL  failures without the dt-schema patches differ from the expected list:"
	diff <(echo "$want") <(echo "$got") | sed 's/^/      /'
	rc=1
else
	printf '    ok    %d expected failures without the dt-schema patches, each explained\n' \
		"$(echo -n "$got" | grep -c . || true)"
fi
exit $rc
