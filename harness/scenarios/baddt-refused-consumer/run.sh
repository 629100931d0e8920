# Bad device tree: the test importer names a region its heap driver
# refused (see overlay.dtso): one error for each refused region, the
# importer's lookup fails with an error naming it and the region instead
# of deferring forever, and the demo heaps keep working.
refused_consumer_check() {
	imp=/dma-heap-test-importer region=/reserved-memory/overlap-a@58000000
	drv=/sys/bus/platform/drivers/dma-heap-test-importer
	tap_reset
	echo "# lookup errors:"
	dmesg | grep -F "$imp" | sed 's/^/#   /'
	tap_check "lookup error names the consumer and the region" \
		"dmesg | grep -qF 'dma_heap: $imp: memory-region $region is not a dma-buf heap: its driver did not export it'"
	tap_check "importer probe failed with -ENODEV" \
		"dmesg | grep -F '$imp: cannot get the \"protected\" heap' | grep -q 'error -19:'"
	tap_check "importer not bound" "! ls $drv 2>/dev/null | grep -q importer"
	tap_check "importer not waiting in deferred probe" \
		"! grep -q importer /sys/kernel/debug/devices_deferred"
	tap_totals
}
run_test dt-error-1 expect_dt_error 'overlap-a@58000000' 'region overlaps /reserved-memory/overlap-b@58800000'
run_test dt-error-2 expect_dt_error 'overlap-b@58800000' 'region overlaps /reserved-memory/overlap-a@58000000'
run_test refused-consumer refused_consumer_check
run_test good-heaps good_heaps_check --absent 'overlap-a' --absent 'overlap-b'
