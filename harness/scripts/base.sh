#!/bin/bash
# Unpack the pristine base kernel into $SRC as a git repository whose first
# commit is tagged "base". Done once per build directory.
. "$(dirname "$0")/lib.sh"

tarball=/usr/src/linux-source-$KVER.tar.xz
[ -f "$tarball" ] || die "$tarball missing (run harness/scripts/deps.sh)"
if git -C "$SRC" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	exit 0
fi
step "unpacking linux-source-$KVER into $SRC"
rm -rf "$SRC" "$SRC.tmp"
mkdir -p "$SRC.tmp"
tar -C "$SRC.tmp" --strip-components=1 -xf "$tarball"
cd "$SRC.tmp"
git init -q -b pristine
git config user.name "dmabuf-heaps harness"
git config user.email "harness@localhost"
git config core.autocrlf false
git config gc.auto 0
git add -A -f .
GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
	git commit -q -m "Linux $KVER (linux-source-$KVER)"
git tag base
cd - >/dev/null
mv "$SRC.tmp" "$SRC"
step_done
