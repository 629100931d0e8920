# Bad device tree: a region also claimed by the CMA reserved-memory driver.
run_test dt-error expect_dt_error 'bad@58000000' 'reusable regions belong to CMA'
run_test good-heaps good_heaps_check --absent 'bad'
