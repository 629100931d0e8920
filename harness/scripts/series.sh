#!/bin/bash
# series.sh export | verify
#   export: git format-patch the assembled series (base..series) with the
#           cover letter from series/cover-letter into $BUILD/series/.
#   verify: git am the exported patches on a pristine base worktree
#           ($BUILD/verify) and check that it reproduces the tested tree.
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/series
VERIFY=$BUILD/verify

export_series() {
	rm -rf "$OUT"
	mkdir -p "$OUT"
	git -C "$SRC" format-patch -q --cover-letter --no-signature -o "$OUT" base..series
	cover=$(ls "$OUT"/0000-cover-letter.patch)
	REPO_COVER=$REPO/series/cover-letter /usr/bin/python3 - "$cover" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path).read()
cl = open(os.environ['REPO_COVER']).read().split('\n', 2)
subject, blurb = cl[0].strip(), cl[2].strip() if len(cl) > 2 else ''
text = text.replace('*** SUBJECT HERE ***', subject).replace('*** BLURB HERE ***', blurb)
open(path, 'w').write(text)
PY
	echo "    wrote $(ls "$OUT" | wc -l) files to $OUT"
}

verify_series() {
	if [ ! -d "$VERIFY" ]; then
		git -C "$SRC" worktree prune
		git -C "$SRC" worktree add -q --detach "$VERIFY" base
	fi
	cd "$VERIFY"
	git am --abort >/dev/null 2>&1 || true
	git checkout -q -f --detach base
	git clean -q -f -d -x
	git -c user.name=verify -c user.email=verify@localhost am -q \
		$(ls "$OUT"/*.patch | grep -v 0000-cover-letter) ||
		die "git am of the exported series failed on pristine base"
	want=$(git -C "$SRC" rev-parse 'series^{tree}')
	got=$(git rev-parse 'HEAD^{tree}')
	[ "$want" = "$got" ] || die "git am result $got differs from tested tree $want"
	echo "    git am on pristine $KVER reproduces the tested tree ($got)"
}

case "${1:-}" in
export) export_series ;;
verify) verify_series ;;
*) die "usage: series.sh export|verify" ;;
esac
