# Bad device tree: empty heap name.
run_test dt-error expect_dt_error 'bad@58000000' 'invalid (heap name ""|linux,dma-heap-name)'
run_test good-heaps good_heaps_check
