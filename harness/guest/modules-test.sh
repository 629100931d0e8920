#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# modules-test: the boot-modules scenario's loader test, TAP output.
#
# The kernel has the heaps, their KUnit suites and the test importer as
# modules (harness/configs/modules.config). Before loading, no heap of the
# series exists; each modprobe succeeds and brings the heaps its module
# provides; the KUnit modules run their suites as they load (the host
# reads the KTAP from the console) and unload again; a heap module cannot
# be unloaded while its heaps exist (heaps are permanent); the test
# importer unloads and loads again; every debugfs listing that prints heap
# names reads back cleanly after the test modules are gone (their heap names
# must be the core's own copies).

# TAP helpers (tap_check, tap_totals...), shared with the scenarios.
. /scenarios/lib.sh
heap() { [ -c "/dev/dma_heap/$1" ]; }
loaded() { grep -q "^$1 " /proc/modules; }

# The core's built-in KUnit suite leaves its own kunit-* heaps.
tap_check "no heap before the heap modules load" \
	'[ -z "$(ls /dev/dma_heap 2>/dev/null | grep -v "^kunit-")" ]'

# module: heaps its loading must create
for spec in \
	"system_heap:system" \
	"cma_heap:default_cma_region cma-module" \
	"carveout_heap:framebuffer-noecc carveout-cached carveout-dynamic" \
	"coherent_heap:coherent-module"; do
	m=${spec%%:*}
	tap_check "modprobe $m" 'modprobe $m'
	for h in ${spec#*:}; do
		tap_check "$m provides heap $h" 'heap "$h"'
	done
done
tap_check "the protected carveout serves kernel users only (no node, stats present)" \
	'! heap protected,carveout && [ -f "/sys/kernel/debug/dma_heap/protected,carveout/stats" ]'
tap_check "the cma-driver private area is no heap" '! heap cma-driver@72000000'
tap_check "the heaps' dmem cgroup regions are listed" \
	'(for h in default_cma_region cma-module carveout-cached coherent-module; do
		grep -q "^dma_heap/$h " /sys/fs/cgroup/dmem.capacity || exit 1
	 done)'

tap_check "modprobe dma-heap-test-importer" 'modprobe dma-heap-test-importer'
tap_check "the test importer probed" \
	'[ -d /sys/kernel/debug/dma_heap_test_importer ] &&
	 ls /sys/bus/platform/drivers/dma-heap-test-importer | grep -q dma-heap-test-importer'

# KUnit suites run at load; a failing suite still loads, the host counts
# the cases.
for m in carveout_heap_test cma_heap_test heap_dmem_test contig_clear_test; do
	tap_check "modprobe $m" 'modprobe $m'
done
# cma_heap_test exported the private area through cma_heap_dev_add().
tap_check "cma_heap_test exported the private area as cma-driver-exposed" \
	'heap cma-driver-exposed'
for m in carveout_heap_test cma_heap_test heap_dmem_test contig_clear_test; do
	tap_check "rmmod $m" 'rmmod $m'
	tap_check "$m is gone" '! loaded $m'
done
tap_check "the KUnit suite's dmem regions are gone" \
	'! grep -q "^dma_heap/kunit-" /sys/fs/cgroup/dmem.capacity'

# Heaps cannot be removed: their modules stay.
for m in carveout_heap coherent_heap cma_heap system_heap; do
	tap_check "rmmod $m refused while its heaps exist" '! rmmod $m 2>/dev/null'
	tap_check "$m still loaded" 'loaded $m'
done

tap_check "rmmod dma-heap-test-importer" 'rmmod dma-heap-test-importer'
tap_check "test importer debugfs removed" '[ ! -d /sys/kernel/debug/dma_heap_test_importer ]'
tap_check "modprobe dma-heap-test-importer again" 'modprobe dma-heap-test-importer'
tap_check "the test importer probed again" '[ -d /sys/kernel/debug/dma_heap_test_importer ]'

# Every listing that prints heap or exporter names, after the KUnit
# modules that created a heap are gone (KASAN reports a stale name).
tap_check "bufinfo reads back" 'cat /sys/kernel/debug/dma_buf/bufinfo >/dev/null'
for f in /sys/kernel/debug/dma_heap/*/stats; do
	tap_check "$f reads back" 'cat "$f" >/dev/null'
done
tap_check "every /dev/dma_heap node opens" \
	'(for h in /dev/dma_heap/*; do : < "$h" || exit 1; done)'

tap_totals
