# Bad device tree: a region also claimed by the CMA reserved-memory driver.
# The carveout driver refuses it; the region stays what "reusable" makes it,
# a CMA area, whose heap takes the region's linux,dma-heap-name ("bad") by
# the shared-dma-pool policy of dma-buf-heaps.rst. It must work as one.
run_test dt-error expect_dt_error 'bad@58000000' 'reusable regions belong to CMA'
run_test good-heaps good_heaps_check --present 'bad'
