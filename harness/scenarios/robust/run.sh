# Hostile userspace, injected failures and concurrency over every heap
# (issue 6). Meant for the debug kernel (harness/configs/debug.config),
# whose sanitizer reports fail the boot.

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
