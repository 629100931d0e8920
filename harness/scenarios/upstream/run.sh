# Upstream's generic heap selftest over every heap in /dev/dma_heap.
run_test dmabuf-heap /kselftest/dmabuf-heaps/dmabuf-heap
