# A no-map carveout above 4 GiB and the test importer (see overlay.dtso):
# with a 32-bit DMA mask its probe fails with -EINVAL when it maps its
# firmware buffer, quietly; with a 64-bit mask it binds, buffers above 4 GiB.
highmem4g_check() {
	drv=/sys/bus/platform/drivers/dma-heap-test-importer
	param=/sys/module/dma_heap_test_importer/parameters/dma_mask_bits
	dev=dma-heap-test-importer
	dbg=/sys/kernel/debug/dma_heap_test_importer/$dev
	tap_reset
	dmesg | grep -F "$dev" | sed 's/^/# /'
	tap_check "32-bit importer not bound" '[ ! -e "$drv/$dev" ]'
	tap_check "32-bit importer refused with -EINVAL" \
		'dmesg | grep -F "$dev" | grep -F "cannot allocate the firmware buffer" | grep -qE "EINVAL|-22"'
	tap_check "no warning from the refused map" '! dmesg | grep -qE "WARNING:|DMA addr .* overflow"'
	tap_check "heap usage back to 0 after the refusal" \
		'grep -qx "used: 0" /sys/kernel/debug/dma_heap/protected,high/stats'
	echo 64 > "$param"
	echo "$dev" > "$drv/bind" 2>/dev/null
	tap_check "64-bit importer bound" '[ -e "$drv/$dev" ]'
	echo 4096 > "$dbg/create" 2>/dev/null
	cat "$dbg/buffers" 2>/dev/null | sed 's/^/# /'
	# Start addresses with more than 8 hex digits: above 4 GiB.
	high=$(awk '{ s = $4; sub(/-.*/, "", s); sub(/^0x0*/, "", s);
		      if (length(s) > 8) c++ } END { print c + 0 }' "$dbg/buffers" 2>/dev/null)
	tap_check "firmware and suspend buffers above 4 GiB ($high of 2)" '[ "$high" = 2 ]'
	echo "$dev" > "$drv/unbind"
	echo 32 > "$param"
	err=$( { echo "$dev" > "$drv/bind"; } 2>&1)
	tap_check "32-bit rebind refused: ${err##*: }" '[ ! -e "$drv/$dev" ]'
	tap_check "still no warning" '! dmesg | grep -qE "WARNING:|DMA addr .* overflow"'
	tap_check "heap usage back to 0" \
		'grep -qx "used: 0" /sys/kernel/debug/dma_heap/protected,high/stats'
	tap_totals
}
run_test highmem4g-importer highmem4g_check
