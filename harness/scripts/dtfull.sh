#!/bin/bash
# dtfull.sh: the unrestricted dt_binding_check, as a devicetree maintainer
# runs it: every example of the tree, validated against every schema (the
# kernel's and dt-schema's, with dt-schema/*.patch applied), compared with
# the same validation of pristine 7.3 and released dt-schema. The series
# may add no message, and its own files may have none.
#
# kbuild validates each example in its own dt-validate process, which
# first loads processed-schema.json (all 5,700 schemas): on this project's
# 2-core machine that did not finish within an hour. Here make
# dt_binding_check extracts and compiles every example (DT_CHECKER=true
# skips its per-example validation), then kbuild's own checker command
# (scripts/Makefile.dtbs: dt-validate -m -u BINDINGS -p SCHEMA) runs over
# 400 examples per process.
. "$(dirname "$0")/lib.sh"

O=$BUILD/kdt                    # shared with dtcheck.sh: examples kept
B=$BUILD/kdt-base               # pristine 7.3's bindings and schema
T=$HARNESS/scripts/toolroot.sh
BD=Documentation/devicetree/bindings
t0=$(date +%s)

# validate MODE BINDINGS SCHEMA LIST: dt-validate's messages for LIST.
validate() {
	"$T" "$1" sh -c "xargs -n 400 -P $JOBS dt-validate -m -u '$2' -p '$3' < '$4'" 2>&1 |
		sort -u
}

# 1. The series' tree with the dt-schema patches: examples and the
# meta-schema and dtc checks of make dt_binding_check.
mkdir -p "$O"
rm -f "$O/$BD/processed-schema.json"
"$T" run-patched make -C "$SRC" O="$O" ARCH=arm64 -j"$JOBS" dt_binding_check \
	DT_CHECKER=true >"$O/full-make.log" 2>&1 ||
	{ tail -20 "$O/full-make.log"; die "make dt_binding_check failed"; }
make_msgs=$(grep -vE '^make|^  [A-Z]+ ' "$O/full-make.log" | sort -u || true)
find "$O/$BD" -name '*.example.dtb' | sort > "$O/full.list"
n=$(grep -c . "$O/full.list")
echo "    $n examples extracted and compiled in $(($(date +%s) - t0))s"

t1=$(date +%s)
got=$(validate run-patched "$SRC/$BD" "$O/$BD/processed-schema.json" "$O/full.list")
echo "$got" > "$O/full-messages.txt"
echo "    validated against every schema in $(($(date +%s) - t1))s (messages: $O/full-messages.txt)"

# 2. Pristine 7.3 with released dt-schema, over the examples of the
# bindings the series does not change (the same .dtb files).
t1=$(date +%s)
changed=$(git -C "$SRC" diff --name-only base series -- "$BD" | sed -n 's/\.yaml$//p')
rm -rf "$B"
mkdir -p "$B"
git -C "$SRC" archive base "$BD" | tar -x -C "$B"
find "$B/$BD" -name '*.yaml' ! -name 'processed-schema*' | sort > "$B/yaml.list"
"$T" run sh -c "dt-mk-schema -j @'$B/yaml.list' > '$B/processed-schema.json'" ||
	die "dt-mk-schema failed on pristine 7.3"
cp "$O/full.list" "$B/full.list"
for c in $changed; do
	grep -vF "$O/$c.example.dtb" "$B/full.list" > "$B/full.list.new" || true
	mv "$B/full.list.new" "$B/full.list"
done
base=$(validate run "$B/$BD" "$B/processed-schema.json" "$B/full.list")
echo "$base" > "$B/messages.txt"
echo "    pristine 7.3 validated in $(($(date +%s) - t1))s: $(echo -n "$base" | grep -c . || true) messages"

rc=0
# Messages of the series' tree that pristine 7.3 does not print.
new=$(comm -23 <(echo "$got") <(echo "$base") | grep . || true)
if [ -n "$new" ]; then
	echo "    FAIL  messages the series adds to the unrestricted check:"
	echo "$new" | sed "s#$O/##; s/^/      /"
	rc=1
else
	echo "    ok    unrestricted check of $n examples: no message the series adds" \
		"($(echo -n "$got" | grep -c . || true) messages, all pristine 7.3's own)"
fi
# The meta-schema and dtc checks: none on a file the series adds or changes.
mine=$(git -C "$SRC" diff --name-only base series -- "$BD" | sed 's/\.yaml$//')
ours=$(echo "$make_msgs" | grep -F "$mine" || true)
if [ -n "$ours" ]; then
	echo "    FAIL  dt_binding_check messages on the series' bindings:"
	echo "$ours" | sed 's/^/      /'
	rc=1
else
	echo "    ok    meta-schema and dtc checks: no message on the series' bindings" \
		"($(echo -n "$make_msgs" | grep -c . || true) messages on others)"
fi
echo "    $(($(date +%s) - t0))s in all"
exit $rc
