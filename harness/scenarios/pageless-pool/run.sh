# A coherent pool beyond mem= (no struct pages, see overlay.dtso) as a heap:
# registered as such, the test importer bound with its firmware buffer in
# the pool, and alloc/mmap/zeroed/read back/vgem import from userspace.
pageless_check() {
	tap_reset
	dmesg | grep -E "sram@7c000000|dma-heap-test-importer" | sed 's/^/# /'
	tap_check "pool beyond mem= is not System RAM" '! grep -q "^7c000000-.*System RAM" /proc/iomem && ! grep -qi "^  *7[89a-f][0-9a-f]*-.*System RAM" /proc/iomem'
	tap_check "heap registered without struct pages" \
		'dmesg | grep -F "sram@7c000000: heap \"pageless-pool\"" | grep -qF "no struct pages"'
	tap_check "test importer bound" '[ -e /sys/bus/platform/drivers/dma-heap-test-importer/dma-heap-test-importer ]'
	b=/sys/kernel/debug/dma_heap_test_importer/dma-heap-test-importer/buffers
	cat "$b" 2>/dev/null | sed 's/^/# /'
	tap_check "firmware buffer in the pool" 'grep -q "^0 firmware 1048576 0x0*7c[0-9a-f]\{6\}-" "$b"'
	tap_totals
}
run_test pageless-pool pageless_check
run_test heaps heap-torture check --present pageless-pool
