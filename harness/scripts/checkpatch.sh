#!/bin/bash
# checkpatch.sh [DIR]: scripts/checkpatch.pl --strict on every exported patch
# in DIR (default: the series, $BUILD/series).
# Zero errors, warnings and checks, except the message types listed in
# harness/checkpatch-exceptions, each with its reason (for every patch, or
# for one patch).
. "$(dirname "$0")/lib.sh"

# A type written TYPE@NAME is only ignored in the patches whose file name
# contains NAME; a plain TYPE in every patch.
exceptions() {
	grep -v '^#' "$HARNESS/checkpatch-exceptions" | awk -v p="$1" '
		NF { n = index($1, "@")
		     if (!n) print $1
		     else if (index(p, substr($1, n + 1))) print substr($1, 1, n - 1) }' |
		paste -sd, -
}
bad=0
dir=${1:-$BUILD/series}
ls "$dir"/*.patch >/dev/null 2>&1 || die "no patches in $dir"
for p in "$dir"/*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	ignore=$(exceptions "$(basename "$p")")
	out=$(cd "$SRC" && perl scripts/checkpatch.pl --strict --show-types \
		${ignore:+--ignore "$ignore"} --summary-file "$p" 2>&1) || true
	sum=$(echo "$out" | grep -oE 'total: [0-9]+ errors, [0-9]+ warnings, [0-9]+ checks' ||
		echo "no checkpatch summary")
	if [ "$sum" = "total: 0 errors, 0 warnings, 0 checks" ] &&
		! echo "$out" | grep -qE 'Traceback|ERROR:|WARNING:|CHECK:'; then
		printf '    ok    %s\n' "$(basename "$p")"
	else
		printf '    FAIL  %s: %s\n' "$(basename "$p")" "$sum"
		echo "$out" | sed 's/^/      /'
		bad=1
	fi
done
exit $bad
