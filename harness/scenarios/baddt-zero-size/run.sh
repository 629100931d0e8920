# Bad device tree: reg with a zero size.
run_test dt-error expect_dt_error 'bad@58000000' 'region is empty$'
run_test good-heaps good_heaps_check --absent 'bad'
