#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# heap-importer [deferred] [REBINDS]: guest test of the series' test importer
# (drivers/dma-buf/dma-heap-test-importer.c), TAP output.
#
# The importer is bound, its firmware buffer and the suspend buffers it
# creates through debugfs lie inside the reserved-memory region its
# memory-region property points to (read from the device tree, not assumed),
# the heap's usage (its debugfs stats) follows every create and destroy,
# failed creates allocate nothing, and REBINDS (default 100) sysfs
# unbind/bind cycles bring the heap back to the same usage every time.
#
# "deferred" additionally requires that the importer went through probe
# deferral: its probe ran before the heap existed.

mode=normal
[ "${1:-}" = deferred ] && { mode=deferred; shift; }
rebinds=${1:-100}

DBG=/sys/kernel/debug/dma_heap_test_importer
DRV=/sys/bus/platform/drivers/dma-heap-test-importer
HEAPDBG=/sys/kernel/debug/dma_heap
FW_SIZE=1048576

# TAP helpers (tap_check, tap_totals...), shared with the scenarios.
. /scenarios/lib.sh

# be32 FILE OFFSET: a big-endian cell of a device-tree property
be32() {
	printf '%d' "0x$(od -An -tx1 -j "$2" -N4 "$1" | tr -d ' \n')"
}
# be64 FILE OFFSET: two cells
be64() {
	echo $(($(be32 "$1" "$2") * 4294967296 + $(be32 "$1" $(($2 + 4)))))
}
# stat_of KEY: a value from the heap's debugfs stats
stat_of() {
	sed -n "s/^$1: //p" "$HEAPDBG/$heap/stats"
}
# write FILE VALUE: write to debugfs, print the error text on failure
write() {
	err=$( { echo "$2" > "$1"; } 2>&1) && return 0
	echo "$err" | sed 's/.*: //'
	return 1
}

echo "TAP version 13"

# The device: the only one the driver is bound to.
dev=""
for e in "$DRV"/*; do
	[ -d "$e" ] && [ -e "$e/of_node" ] && dev=$(basename "$e")
done
[ -n "$dev" ] || tap_bail "importer not bound (driver dir: $(ls "$DRV" 2>&1 | tr '\n' ' '))"
tap_ok "importer $dev bound"
D=$DBG/$dev

# Its region, from the device tree: the node whose phandle memory-region holds.
node=/sys/bus/platform/devices/$dev/of_node
ph=$(be32 "$node/memory-region" 0)
region=""
for r in /proc/device-tree/reserved-memory/*/; do
	[ -f "$r/phandle" ] && [ "$(be32 "$r/phandle" 0)" = "$ph" ] && region=${r%/}
done
[ -n "$region" ] || tap_bail "no reserved-memory node with phandle $ph"
rbase=$(be64 "$region/reg" 0)
rsize=$(be64 "$region/reg" 8)
rend=$((rbase + rsize))
dtname=$(tr -d '\0' < "$region/linux,dma-heap-name")
printf '# region %s: 0x%x-0x%x, heap "%s"\n' "$(basename "$region")" "$rbase" $((rend - 1)) "$dtname"

heap=$(cat "$D/heap")
tap_check "heap is the region's heap ($heap)" '[ "$heap" = "$dtname" ]'
[ -f "$HEAPDBG/$heap/stats" ] || tap_bail "no stats for heap $heap"

deferrals=$(cat "$DBG/probe_deferrals")
if [ $mode = deferred ]; then
	tap_check "probe deferred before the heap existed ($deferrals deferrals)" '[ "$deferrals" -ge 1 ]'
	tap_check "nothing left in devices_deferred" \
		'[ -z "$(cat /sys/kernel/debug/devices_deferred)" ]'
	# The heap registered after the importer's first probe, and the
	# importer bound after the heap: the console shows them in this order.
	line_heap=$(dmesg | grep -n "heap \"$heap\"" | head -1 | cut -d: -f1)
	line_imp=$(dmesg | grep -n "$dev: .*firmware buffer from heap" | head -1 | cut -d: -f1)
	tap_check "importer bound after its heap registered (console lines $line_heap, $line_imp)" \
		'[ -n "$line_heap" ] && [ -n "$line_imp" ] && [ "$line_imp" -gt "$line_heap" ]'
else
	echo "# probe deferrals: $deferrals"
fi

# in_region START END: the inclusive range lies inside the region
in_region() {
	[ "$1" -ge "$rbase" ] && [ "$2" -lt "$rend" ] && [ "$1" -le "$2" ]
}

# check_buffers: every listed buffer lies in the region, its DMA address
# is its physical start (no dma-ranges, no IOMMU), and none overlap.
check_buffers() {
	cb_bad=0
	cb_ranges=""
	while read -r id kind size range dma; do
		s=$((${range%-*}))
		e=$((${range#*-}))
		if ! in_region $s $e || [ $((e - s + 1)) -ne "$size" ] ||
		   [ $((dma)) -ne $s ]; then
			echo "# buffer $id ($kind, $size bytes) at $range dma $dma: not in the region"
			cb_bad=1
		fi
		for r in $cb_ranges; do
			if [ $s -le ${r#*-} ] && [ ${r%-*} -le $e ]; then
				echo "# buffer $id at $range overlaps $r"
				cb_bad=1
			fi
		done
		cb_ranges="$cb_ranges $s-$e"
	done < "$D/buffers"
	return $cb_bad
}

fw=$(grep ' firmware ' "$D/buffers")
echo "# $fw"
tap_check "one firmware buffer, id 0, $FW_SIZE bytes" \
	'[ "$(grep -c " firmware " "$D/buffers")" = 1 ] && [ "${fw%% *}" = 0 ] &&
	 [ "$(echo "$fw" | cut -d" " -f3)" = $FW_SIZE ]'
tap_check "firmware buffer inside the region" check_buffers

base_used=$(stat_of used)
base_bufs=$(stat_of buffers)
tap_check "heap accounts for the firmware buffer (used $base_used, buffers $base_bufs)" \
	'[ "$base_used" -ge $FW_SIZE ] && [ "$base_bufs" -ge 1 ]'

# Suspend buffers of assorted sizes; sizes are rounded up to pages.
used=$base_used
nr=0
for sz in 4096 65536 1048576 12288 5000 2097152 4096 262144; do
	if e=$(write "$D/create" $sz); then
		nr=$((nr + 1))
		line=$(tail -n1 "$D/buffers")
		got=$(echo "$line" | cut -d' ' -f3)
		used=$((used + got))
		tap_check "create $sz: $line" '[ "$(echo "$line" | cut -d" " -f2)" = suspend ] &&
			[ "$got" -ge $sz ] && [ $((got % 4096)) = 0 ] && [ $((got - sz)) -lt 4096 ]'
	else
		tap_nok "create $sz: $e"
	fi
done
tap_check "$nr suspend buffers inside the region, no overlaps" check_buffers
tap_check "heap usage follows ($(stat_of used) == $used)" '[ "$(stat_of used)" = $used ]'
tap_check "heap buffer count follows" '[ "$(stat_of buffers)" = $((base_bufs + nr)) ]'

# Refusals leave everything as it was.
e=$(write "$D/create" 0) && tap_nok "create 0 succeeded" || tap_check "create 0 refused ($e)" '[ "$e" = "Invalid argument" ]'
e=$(write "$D/create" $((rsize + 4096))) && tap_nok "create larger than the region succeeded" ||
	tap_check "create larger than the region refused ($e)" '[ "$e" = "Cannot allocate memory" ]'
e=$(write "$D/create" junk) && tap_nok "create junk succeeded" || tap_check "create junk refused ($e)" '[ "$e" = "Invalid argument" ]'
e=$(write "$D/destroy" 0) && tap_nok "destroy firmware succeeded" || tap_check "destroy firmware refused ($e)" '[ "$e" = "Operation not permitted" ]'
e=$(write "$D/destroy" 4242) && tap_nok "destroy unknown id succeeded" || tap_check "destroy unknown id refused ($e)" '[ "$e" = "No such file or directory" ]'
tap_check "refusals allocated nothing" '[ "$(stat_of used)" = $used ] && [ "$(grep -c . "$D/buffers")" = $((nr + 1)) ]'

# Destroy one by id, then the rest.
victim=$(sed -n 3p "$D/buffers")
vid=${victim%% *}
vsize=$(echo "$victim" | cut -d' ' -f3)
if e=$(write "$D/destroy" "$vid"); then
	used=$((used - vsize))
	tap_check "destroy $vid: gone, usage $used" '[ -z "$(grep "^$vid " "$D/buffers")" ] &&
		[ "$(stat_of used)" = $used ]'
else
	tap_nok "destroy $vid: $e"
fi
if e=$(write "$D/destroy" all); then
	tap_check "destroy all: only the firmware buffer left" \
		'[ "$(grep -c . "$D/buffers")" = 1 ] && [ -n "$(grep " firmware " "$D/buffers")" ]'
else
	tap_nok "destroy all: $e"
fi
tap_check "heap usage back to the start ($(stat_of used) == $base_used)" \
	'[ "$(stat_of used)" = "$base_used" ] && [ "$(stat_of buffers)" = "$base_bufs" ]'

# Fill the region, then check the failed create left nothing behind.
filled=0
while write "$D/create" 1048576 > /dev/null; do filled=$((filled + 1)); done
e=$(write "$D/create" 1048576)
full_used=$(stat_of used)
tap_check "region filled with $filled more 1 MiB buffers, then ENOMEM ($e)" \
	'[ "$e" = "Cannot allocate memory" ] && [ $filled -ge 1 ] && [ "$full_used" -le "$rsize" ]'
tap_check "all buffers of a full region inside it" check_buffers
write "$D/destroy" all > /dev/null
tap_check "usage back after emptying ($(stat_of used) == $base_used)" '[ "$(stat_of used)" = "$base_used" ]'

# Unbind/bind: each cycle creates a suspend buffer, unbinds (everything
# freed: the usage drops by the firmware and suspend buffers), binds again
# (a new firmware buffer: usage back to the start).
bad=0
i=0
while [ $i -lt "$rebinds" ]; do
	i=$((i + 1))
	write "$D/create" 65536 > /dev/null || { echo "# cycle $i: create failed"; bad=1; break; }
	echo "$dev" > "$DRV/unbind" || { echo "# cycle $i: unbind failed"; bad=1; break; }
	u=$(stat_of used)
	b=$(stat_of buffers)
	if [ -d "$D" ] || [ "$u" != $((base_used - FW_SIZE)) ] || [ "$b" != $((base_bufs - 1)) ]; then
		echo "# cycle $i: unbound, used $u buffers $b debugfs $(ls "$D" 2>/dev/null | tr '\n' ' ')"
		bad=1
		break
	fi
	echo "$dev" > "$DRV/bind" || { echo "# cycle $i: bind failed"; bad=1; break; }
	u=$(stat_of used)
	b=$(stat_of buffers)
	if [ ! -f "$D/buffers" ] || [ "$u" != "$base_used" ] || [ "$b" != "$base_bufs" ] ||
	   [ "$(grep -c . "$D/buffers")" != 1 ]; then
		echo "# cycle $i: bound, used $u buffers $b"
		bad=1
		break
	fi
done
tap_check "$i unbind/bind cycles, heap back to $base_used bytes each time" '[ $bad = 0 ] && [ $i = "$rebinds" ]'
tap_check "firmware buffer inside the region after rebinding" check_buffers
deferrals2=$(cat "$DBG/probe_deferrals")
tap_check "rebinding never deferred ($deferrals2 == $deferrals)" '[ "$deferrals2" = "$deferrals" ]'

tap_totals
