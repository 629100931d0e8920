#!/bin/bash
# dtbscheck.sh: dtbs_check (CHECK_DTBS=y, with dtc W=1) on the board device
# trees the series touches, with dt-schema from the tools chroot and the
# dt-schema patches of dt-schema/ applied.
#
# The series adds overlays to existing boards. Each overlay is checked
# through the composite .dtb that the Makefile next to it builds from it,
# against the base board .dtb built the same way: the overlay must not add
# a single dtc or schema warning (the base boards have warnings of their
# own, which are not this series' to fix).
. "$(dirname "$0")/lib.sh"

cd "$SRC"
files=$(git diff --name-only --diff-filter=AM base series -- \
	'arch/*/boot/dts/*.dts' 'arch/*/boot/dts/*.dtso' 'arch/*/boot/dts/*.dtsi')
[ -n "$files" ] || { echo "    no device trees in the series yet"; exit 0; }

O=$BUILD/kdtbs
mkdir -p "$O"
# With the dt-schema side of the series (dt-schema/*.patch) applied.
inroot() { "$HARNESS/scripts/toolroot.sh" run-patched "$@"; }
dmake() { inroot make -C "$SRC" O="$O" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j"$JOBS" "$@"; }

# A configuration that lists every arm64 board: the dtb-$(CONFIG_ARCH_*)
# lines need their platform enabled.
# Made from dt-schema's schemas too, which make cannot see change.
rm -f "$O/Documentation/devicetree/bindings/processed-schema.json"
if [ ! -f "$O/.config" ] || [ "$SRC/.git/refs/heads/series" -nt "$O/.config" ]; then
	dmake allnoconfig >/dev/null 2>&1
	sed -n 's/^\(config ARCH_[A-Z0-9_]*\)$/\1/p' arch/arm64/Kconfig.platforms |
		sed 's/^config /CONFIG_/; s/$/=y/' >> "$O/.config"
	dmake olddefconfig >/dev/null 2>&1
fi

# warnings TARGET: the dtc and schema messages for TARGET, without paths.
warnings() {
	rm -f "$O/arch/arm64/boot/dts/$1"
	dmake W=1 CHECK_DTBS=y "$1" 2>&1 |
		grep -E 'Warning|warning:|error|is not|does not|should not|Unevaluated|too (long|short)|is a required' |
		sed -E "s#$O/##g; s#$SRC/##g; s#arch/arm64/boot/dts/[^:]*\\.dtb[o]?:##g" | sort -u || true
}

rc=0
for f in $files; do
	dir=${f%/*}
	base=${f##*/}
	case "$f" in
	*.dtso)
		ovl=${base%.dtso}.dtbo
		# Composite targets "<name>-dtbs := <base>.dtb ... <ovl> ..."
		targets=$(awk -v ovl="$ovl" '
			/-dtbs[ \t]*:?=/ { t = $1; sub(/-dtbs$/, "", t); line = $0
				while (line ~ /\\$/ && (getline more) > 0) line = line " " more
				if (index(line, ovl)) { split(line, w, /[ \t\\]+/)
					for (i = 1; i <= length(w); i++) if (w[i] ~ /\.dtb$/) { print t ".dtb " w[i]; break } } }' \
			"$dir/Makefile")
		[ -n "$targets" ] || { echo "    FAIL  $f: no composite .dtb in $dir/Makefile applies it"; rc=1; continue; }
		while read -r target board; do
			sub=${dir#arch/arm64/boot/dts/}
			before=$(warnings "$sub/$board")
			after=$(warnings "$sub/$target")
			new=$(comm -13 <(echo "$before") <(echo "$after"))
			if [ -n "$new" ]; then
				echo "    FAIL  dtbs_check $sub/$target: new warnings over $board:"
				echo "$new" | sed 's/^/      /'
				rc=1
			else
				printf '    ok    dtbs_check %s (%s + %s, %d warnings of the base board)\n' \
					"$sub/$target" "$board" "$ovl" "$(echo -n "$before" | grep -c . || true)"
			fi
		done <<< "$targets"
		;;
	*)
		echo "    FAIL  $f: only overlays (.dtso) are supported by this check"
		rc=1
		;;
	esac
done
exit $rc
