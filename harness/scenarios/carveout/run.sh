# Carveout heap functional tests (KUnit has already run during boot).
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
# The test importer: buffers from the protected carveout, unbind/bind loop.
run_test heap-importer /bin/heap-importer
# A short run of the benchmark so that it keeps working; the host checks
# its CSV (bench-smoke, harness/scripts/bench.py smoke).
run_test heaps-bench-smoke /bin/heaps-bench --smoke
