# Bad device tree: dynamic region whose alloc-ranges cannot hold it.
run_test dt-error expect_dt_error 'bad' 'dynamic region could not be allocated'
run_test good-heaps good_heaps_check --absent 'bad'
