#!/bin/bash
# unassemble.sh REF: the inverse of assemble.sh, for editing the series
# with git. Take the commits base..REF of $SRC (for example a branch that
# was rebased or amended in a worktree of $SRC) and write them back into
# series/: commit i goes to the i-th series/NNN-*/ directory; commits past
# the last directory get a new one named after their subject.
#
# Per commit: `message` from the commit message, `files` lists the files it
# adds (their content is taken from REF: a file the series adds must not be
# changed by a later commit), and one patch holds its diff of files that
# exist before it.
. "$(dirname "$0")/lib.sh"

ref=${1:?usage: unassemble.sh REF}
shopt -s nullglob
cd "$SRC"
mapfile -t commits < <(git rev-list --reverse "base..$ref")
mapfile -t dirs < <(cd "$REPO/series" && ls -d [0-9]*/ | sed 's,/$,,')
[ ${#commits[@]} -ge ${#dirs[@]} ] ||
	die "$ref has ${#commits[@]} commits, series/ has ${#dirs[@]} directories"

declare -A added=()
last=${dirs[-1]%%-*}
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	if [ "$i" -lt ${#dirs[@]} ]; then
		d=${dirs[$i]}
	else
		last=$(printf '%03d' $((10#$last + 10)))
		slug=$(git log -1 --format=%s "$c" | tr 'A-Z' 'a-z' |
			sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//' | cut -c1-40)
		d=$last-$slug
	fi
	out=$REPO/series/$d
	mkdir -p "$out"
	git log -1 --format=%B "$c" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$out/message"
	new=$(git diff --name-only --diff-filter=A "$c^" "$c")
	old=$(git diff --name-only --diff-filter=MD "$c^" "$c")
	pname=("$out"/*.patch)
	pname=${pname[0]:-$out/0001-${d#*-}.patch}
	rm -f "$out/files" "$out"/*.patch
	for f in $new; do
		echo "$f" >> "$out/files"
		mkdir -p "$REPO/$(dirname "$f")"
		git show "$ref:$f" > "$REPO/$f"
		added[$f]=$d
	done
	for f in $old; do
		[ -z "${added[$f]:-}" ] ||
			die "$d changes $f, which ${added[$f]} adds: fold the change into ${added[$f]}"
	done
	if [ -n "$old" ]; then
		# shellcheck disable=SC2086
		git diff --full-index "$c^" "$c" -- $old > "$pname"
	fi
	echo "    $d: $(git log -1 --format=%s "$c")"
done
