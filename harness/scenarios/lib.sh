# Helpers for scenario scripts, sourced by /init before run.sh, and by
# the guest shell tests (heap-importer, modules-test); fault_setup prepares
# fault injection for fail-nth sweeps.

# TAP for checks written in shell: tap_ok/tap_nok DESC, tap_check DESC EXPR
# (EXPR is eval'ed: give it in single quotes), tap_bail REASON; tap_totals
# prints the plan and kselftest's totals line, and fails after any failed
# case. tap_reset starts a new count (one per run_test).
tap_reset() { tap_n=0 tap_fails=0; }
tap_reset
tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
tap_nok() { tap_n=$((tap_n + 1)); tap_fails=$((tap_fails + 1)); echo "not ok $tap_n - $*"; }
tap_check() { if eval "$2"; then tap_ok "$1"; else tap_nok "$1"; fi; }
tap_totals() {
	echo "1..$tap_n"
	echo "# Totals: pass:$((tap_n - tap_fails)) fail:$tap_fails xfail:0 xpass:0 skip:0 error:0"
	[ "$tap_fails" = 0 ]
}
tap_bail() {
	tap_nok "$*"
	echo "Bail out! $*"
	tap_totals
	exit 1
}

# The heaps of the demo layout (harness/dts/*.dtsi); every bad-DT
# scenario carries them and checks they still work. The protected heap
# serves kernel drivers only (nothing scrubs it): it must exist without a
# /dev/dma_heap node.
GOOD_HEAPS="framebuffer-noecc carveout-cached carveout-dynamic"
GOOD_KERNEL_HEAPS="protected,carveout"

# expect_dt_error NODE REGEX [DRIVER]: the carveout or coherent heap driver
# (or DRIVER, an extended regex its messages match, e.g. cma_heap) logged
# exactly one error (KERN_ERR) for the reserved-memory node NODE, and it
# matches REGEX; no heap is backed by the node.
expect_dt_error() {
	node=$1 reason=$2 driver=${3:-dma-heap-(carveout|coherent)}
	lines=$(dmesg -r | grep '^<3>' | grep -E "$driver" |
		grep -F "/reserved-memory/$node: ")
	n=$(printf '%s' "$lines" | grep -c . )
	echo "# $driver errors for $node:"
	printf '%s\n' "$lines" | sed 's/^/#   /'
	ok=1
	if [ "$n" = 1 ] && printf '%s' "$lines" | grep -qE "$reason"; then
		echo "ok 1 - one error for $node matching '$reason'"
	else
		echo "not ok 1 - want one error for $node matching '$reason', got $n"
		ok=0
	fi
	if grep -qsE "^region: (/reserved-memory/)?$node\$" /sys/kernel/debug/dma_heap/*/stats; then
		echo "not ok 2 - a heap is backed by $node"
		ok=0
	else
		echo "ok 2 - no heap backed by $node"
	fi
	echo "1..2"
	[ $ok = 1 ]
}

# good_heaps_check [--absent NAME]...: every demo heap is registered and
# passes a short alloc/mmap/verify (the kernel-only one is registered
# without a node); the named heaps are not registered and no carveout heap
# other than the demo ones exists.
good_heaps_check() {
	for h in $GOOD_HEAPS; do
		set -- "$@" --present "$h"
	done
	for h in $GOOD_KERNEL_HEAPS; do
		set -- "$@" --kernel-only "$h"
	done
	heap-torture check --exact "$@"
}

# fail-nth counts only the allocations fault injection may fail: let it
# fail sleeping and order-0 allocations too, and keep it quiet (a stack
# dump per injected failure would read as a kernel report).
fault_setup() {
	for d in failslab fail_page_alloc; do
		dir=/sys/kernel/debug/$d
		[ -d $dir ] || continue
		echo 0 > $dir/verbose
		echo N > $dir/ignore-gfp-wait
	done
	if [ -d /sys/kernel/debug/fail_page_alloc ]; then
		echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
		echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
	fi
}
