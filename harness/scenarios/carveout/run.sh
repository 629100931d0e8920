# Carveout heap functional tests (KUnit has already run during boot).
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
# The test importer: buffers from the protected carveout, unbind/bind loop.
run_test heap-importer /bin/heap-importer
# The protected heap is kernel only until the importer's fake scrubber is
# installed; then it gets its node and every free is scrubbed. The
# selftest's protected-heap checks run again on it, now that it has a node.
run_test protected-scrub /bin/protected-scrub
run_test carveout-heap-scrubbed /kselftest/dmabuf-heaps/carveout-heap \
	-t regions_registered -t protected -t stats_accounting
# A short run of the benchmark so that it keeps working; the host checks
# its CSV (bench-smoke, harness/scripts/bench.py smoke).
run_test heaps-bench-smoke /bin/heaps-bench --smoke
