# Carveout heap functional tests (KUnit has already run during boot).
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
