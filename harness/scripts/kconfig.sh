#!/bin/bash
# Generate $KOBJ/.config: allnoconfig plus the fragments given as arguments
# (e.g. base.config debug.config), then verify that every symbol of the
# fragments survived. When fragments set the same symbol, the last one wins.
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: kconfig.sh FRAGMENT..."
mkdir -p "$KOBJ"
frag=$KOBJ/fragment.config
for f in "$@"; do
	[ -f "$f" ] || die "no such config fragment: $f"
done
# Merge: keep each symbol's last assignment, at the place it was last set.
awk '
	{ sym = "" }
	/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { sym = $2 }
	{ line[NR] = $0; key[NR] = sym; if (sym != "") last[sym] = NR }
	END { for (i = 1; i <= NR; i++) if (key[i] == "" || last[key[i]] == i) print line[i] }
' "$@" > "$frag.new"
if [ -f "$KOBJ/.config" ] && cmp -s "$frag.new" "$frag" && [ "$KOBJ/.config" -nt "$frag" ]; then
	# Same fragment: let Kconfig pick up changed Kconfig files only.
	kmake -s olddefconfig
else
	mv "$frag.new" "$frag"
	kmake -s KCONFIG_ALLCONFIG="$frag" allnoconfig
fi
rm -f "$frag.new"

bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=n)
		# Off, or not even offered (its dependencies are off).
		if grep -qE "^${line%=n}=" "$KOBJ/.config"; then
			echo "kconfig: '$line' did not survive olddefconfig" \
				"(have: $(grep -E "^${line%=n}=" "$KOBJ/.config"))" >&2
			bad=1
		fi
		continue
		;;
	CONFIG_*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF "$want" "$KOBJ/.config"; then
		echo "kconfig: '$line' did not survive olddefconfig" \
			"(have: $(grep -E "(^|# )${want%%[= ]*}[= ]" "$KOBJ/.config" || echo unset))" >&2
		bad=1
	fi
done < "$frag"
[ $bad = 0 ] || die "config fragment not applied; fix the fragment or its dependencies"
