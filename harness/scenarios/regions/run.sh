# Shared-dma-pool and restricted-dma-pool regions as heaps (KUnit, including
# the cma_heap_dev_add() test that exposes cma-driver@52000000, has already
# run during boot).
run_test regions-heaps /bin/regions-check
# Upstream's generic heap selftest over every heap in /dev/dma_heap, which
# here includes the CMA region heaps and the coherent pool heap.
run_test dmabuf-heap /kselftest/dmabuf-heaps/dmabuf-heap
