# The arm32 guest (GUEST_ARCH=arm): ARMv7 with LPAE, RAM up to 5.5 GiB,
# most of it highmem (see overlay.dtso). KUnit has run during boot: its
# map_carveouts case allocates from every carveout through the in-kernel
# API, maps the buffer for a device and vmaps it.

# The layout the overlay assumes: an LPAE kernel with highmem, the cached
# carveouts in it (or across its start), each carveout heap cached or
# write-combined as its node says.
arm32_layout_check() {
	tap_reset
	hm=$(awk '/zone +HighMem/ { z = 1 } z && /start_pfn:/ { print $2; exit }' /proc/zoneinfo)
	hstart=$((${hm:-0} * 4096))
	printf '# highmem starts at 0x%x; %s\n' "$hstart" "$(grep HighTotal /proc/meminfo)"
	tap_check "LPAE kernel (64-bit physical addresses)" 'grep -q "lpae" /proc/cpuinfo'
	tap_check "the kernel has highmem" '[ "$hstart" -gt 0 ] && ! grep -q "^HighTotal: *0 kB" /proc/meminfo'
	for spec in arm32-lowmem-edge:cached:edge arm32-highmem:cached:high \
		    arm32-highmem-4g:cached:high arm32-nomap:writecombine:any \
		    arm32-coherent:writecombine:any protected,arm32:none:any; do
		h=${spec%%:*} rest=${spec#*:}
		want=${rest%%:*} where=${rest#*:}
		st=/sys/kernel/debug/dma_heap/$h/stats
		base=$(sed -n 's/^base: //p' "$st" 2>/dev/null)
		size=$(sed -n 's/^size: //p' "$st" 2>/dev/null)
		cpu=$(sed -n 's/^cpu_access: //p' "$st" 2>/dev/null)
		echo "# $h: base ${base:-?} size ${size:-?} cpu_access ${cpu:-?}"
		tap_check "$h: registered, cpu_access $want" '[ "$cpu" = "$want" ]'
		case $where in
		high)
			tap_check "$h: in highmem" '[ -n "$base" ] && [ $((base)) -ge "$hstart" ]' ;;
		edge)
			tap_check "$h: across the start of highmem" \
				'[ -n "$base" ] && [ $((base)) -lt "$hstart" ] &&
				 [ $((base + size)) -gt "$hstart" ]' ;;
		esac
	done
	# (The KUnit suites make the heap core log errors on purpose.)
	errs=$(dmesg -r | grep "^<[0-4]>" |
		grep -E "dma-heap-(carveout|coherent|test-importer)|cma_heap" || true)
	[ -z "$errs" ] || printf '%s\n' "$errs" | sed 's/^/# /'
	tap_check "no warning or error from a heap driver or the importer" '[ -z "$errs" ]'
	tap_totals
}
run_test arm32-layout arm32_layout_check
# Allocation, mmap, zeroing, write/read back and a vgem import on every heap.
run_test heaps heap-torture check --present arm32-lowmem-edge --present arm32-highmem \
	--present arm32-highmem-4g --present arm32-nomap --present arm32-coherent
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
run_test dmabuf-heap /kselftest/dmabuf-heaps/dmabuf-heap
# The test importer maps its protected buffers above 4 GiB (64-bit DMA
# addresses on a 32-bit kernel).
run_test heap-importer /bin/heap-importer 20
