#!/bin/bash
# bisect.sh: build every commit of the assembled series on its own, for the
# directories the series touches up to that commit, in the pristine-base
# worktree $BUILD/verify with its own object directory $BUILD/kbisect.
# The kernel configuration is the non-debug one ($KBASE/.config) filtered by
# olddefconfig at each step, so symbols a later patch adds are simply absent.
. "$(dirname "$0")/lib.sh"

VERIFY=$BUILD/verify
BOBJ=$BUILD/kbisect
[ -d "$VERIFY" ] || die "run series.sh verify first"
mkdir -p "$BOBJ"
bmake() {
	make -C "$VERIFY" O="$BOBJ" ARCH=$ARCH CROSS_COMPILE="$CROSS_COMPILE" \
		CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" "$@"
}

cd "$VERIFY"
dirs=""
bad=0
# The commits git am made from the exported patches (series.sh verify).
commits=$(git rev-list --reverse base..HEAD)
[ -n "$commits" ] || die "no commits on top of base in $VERIFY"
for c in $commits; do
	subj=$(git log -1 --format=%s "$c")
	git checkout -q -f --detach "$c"
	code=0
	for f in $(git diff --name-only "$c^" "$c"); do
		case "$f" in
		tools/* | Documentation/*) ;;
		*.[ch] | */Makefile | */Kconfig* | *.dts | *.dtsi | *.dtso) code=1 ;;
		esac
		case "$f" in
		*.c) d=$(dirname "$f") ;;
		*/Makefile | */Kconfig) d=$(dirname "$f") ;;
		*) continue ;;
		esac
		case "$d" in tools/* | Documentation/* | scripts/*) continue ;; esac
		case " $dirs " in *" $d/ "*) ;; *) dirs="$dirs $d/" ;; esac
	done
	cp "$KBASE/.config" "$BOBJ/.config"
	t0=$(date +%s)
	if [ -z "$dirs" ]; then
		printf '    ok    %-70s (no kernel code yet)\n' "$subj"
	elif [ $code = 0 ]; then
		# Documentation, bindings or selftests only: the kernel build
		# is the previous commit's.
		printf '    ok    %-70s (no kernel code changed)\n' "$subj"
	elif bmake -s olddefconfig >/dev/null 2>"$BOBJ/log" &&
		bmake -s $dirs >"$BOBJ/log" 2>&1; then
		printf '    ok    %-70s %ss\n' "$subj" $(($(date +%s) - t0))
	else
		printf '    FAIL  %s\n' "$subj"
		sed 's/^/      /' "$BOBJ/log" | tail -40
		bad=1
	fi
done
git checkout -q -f --detach base
exit $bad
