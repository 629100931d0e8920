#!/bin/bash
# assemble.sh [extra]: turn series/NNN-*/ into git commits on top of the
# pristine base in $SRC and check the result out. With "extra", turn
# series-extra/NNN-*/ (fixes outside the heap series that its tests need,
# e.g. importer drivers) into commits on top of the series instead, as
# branch series-extra, checked out in the worktree $EXTRA_SRC. Commits are built with plumbing (a private index,
# hash-object, apply --cached, commit-tree), and the work tree is then moved
# with a two-way checkout, so files the series did not change keep their
# mtimes and the kernel build stays incremental.
#
# Each series/NNN-slug/ holds:
#   message   the commit message (subject, blank line, body, Signed-off-by)
#   files     new files this commit introduces, whole, from the repo root
#   *.patch   diffs of existing files, applied in name order
. "$(dirname "$0")/lib.sh"

shopt -s nullglob
cd "$SRC"
git rev-parse -q --verify refs/tags/base >/dev/null || die "no base in $SRC (run base.sh)"

mode=${1:-series}
case $mode in
series) dirs=("$REPO"/series/[0-9]*/) parent=$(git rev-parse base) ;;
extra)
	dirs=("$REPO"/series-extra/[0-9]*/)
	parent=$(git rev-parse -q --verify refs/heads/series) ||
		die "assemble the series first"
	;;
*) die "usage: assemble.sh [extra]" ;;
esac

# Every new file of the series must be introduced by exactly one commit.
declare -A owner=()
for d in "$REPO"/series/[0-9]*/ "$REPO"/series-extra/[0-9]*/; do
	[ -f "$d/files" ] || continue
	while read -r f; do
		[ -n "$f" ] || continue
		[ -f "$REPO/$f" ] || die "${d#"$REPO"/}files: $f does not exist"
		[ -z "${owner[$f]:-}" ] || die "$f is introduced by both ${owner[$f]} and $d"
		owner[$f]=$d
	done < "$d/files"
done
for f in $(cd "$REPO" && git ls-files --others --cached --exclude-standard \
		arch drivers include Documentation tools kernel mm lib 2>/dev/null); do
	[ -n "${owner[$f]:-}" ] || die "$f is not listed in any series/*/files"
done

export GIT_INDEX_FILE=$SRC/.git/index-assemble
export GIT_AUTHOR_NAME="Dmabuf Heaps Team" GIT_AUTHOR_EMAIL="heaps-team@example.com"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2026-11-23T00:00:00Z" GIT_COMMITTER_DATE="2026-11-23T00:00:00Z"
n=0
for d in "${dirs[@]}"; do
	name=$(basename "$d")
	[ -s "$d/message" ] || die "series/$name/message missing"
	git read-tree "$parent"
	if [ -f "$d/files" ]; then
		while read -r f; do
			[ -n "$f" ] || continue
			mode=100644
			[ -x "$REPO/$f" ] && mode=100755
			blob=$(git hash-object -w -- "$REPO/$f")
			git update-index --add --cacheinfo "$mode,$blob,$f"
		done < "$d/files"
	fi
	for p in "$d"/*.patch; do
		[ -e "$p" ] || continue
		git apply --cached --whitespace=error-all "$p" ||
			die "series/$name/$(basename "$p") does not apply"
	done
	tree=$(git write-tree)
	parent=$(git commit-tree "$tree" -p "$parent" -F "$d/message")
	n=$((n + 1))
done
rm -f "$GIT_INDEX_FILE"
unset GIT_INDEX_FILE

if [ "$mode" = extra ]; then
	git update-ref refs/heads/series-extra "$parent"
	if [ ! -e "$EXTRA_SRC/.git" ]; then
		rm -rf "$EXTRA_SRC"
		git worktree prune
		git worktree add -q -f --detach "$EXTRA_SRC" "$parent"
	elif [ "$(git -C "$EXTRA_SRC" rev-parse HEAD)" != "$parent" ]; then
		git -C "$EXTRA_SRC" checkout -q -f --detach "$parent"
	fi
	git -C "$EXTRA_SRC" clean -q -f -d -x >/dev/null
	echo "    series-extra: $n commits, head $(git rev-parse --short "$parent")"
	exit 0
fi
git update-ref refs/heads/series "$parent"
if [ "$(git rev-parse HEAD)" != "$parent" ]; then
	git checkout -q -f --detach "$parent"
fi
git clean -q -f -d -x >/dev/null
echo "    series: $n commits, head $(git rev-parse --short "$parent")"
