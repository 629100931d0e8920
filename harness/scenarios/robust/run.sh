# Hostile userspace, injected failures and concurrency over every heap
# (issue 6). Meant for the debug kernel (harness/configs/debug.config),
# whose sanitizer reports fail the boot.

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

run_test ioctl heap-torture ioctl
run_test perms heap-torture perms
run_test stress heap-torture stress ${stress_seed:-1} ${stress_ops:-100000}
if [ -e /proc/thread-self/fail-nth ]; then
	fault_setup
	run_test fail-nth heap-torture failnth
	# The in-kernel API, once the reference importer (issue 4) is in the
	# tree and this overlay includes test-importer.dtsi. Not yet run here.
	if [ -d /sys/kernel/debug/dma_heap_test_importer ]; then
		run_test importer-fail-nth heap-torture importer-failnth
	fi
fi
run_test threads heap-torture threads 8 ${threads_secs:-20}
