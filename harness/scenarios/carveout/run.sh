# Carveout heap functional tests (KUnit has already run during boot).
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
# The test importer: buffers from the protected carveout, unbind/bind loop.
run_test heap-importer /bin/heap-importer
