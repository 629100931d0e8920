# Carveout heap functional tests (KUnit has already run during boot).
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
# A short run of the benchmark so that it keeps working; the host checks
# its CSV (bench-smoke, harness/scripts/bench.py smoke).
run_test heaps-bench-smoke /bin/heaps-bench --smoke
