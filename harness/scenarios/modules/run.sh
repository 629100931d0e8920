# boot-modules: the heaps, their KUnit suites and the test importer are
# modules (harness/configs/modules.config). Load each, run the suites (KUnit
# prints to the console as each module loads), unload what can be unloaded,
# read every debugfs listing that names heaps, then use every heap (the
# carveout selftest, alloc/mmap/verify and a vgem import on every heap,
# the importer).
run_test modules /bin/modules-test
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap
run_test heaps heap-torture check --present coherent-module --present cma-module --present cma-driver-exposed
run_test heap-importer /bin/heap-importer
