# Bad device tree: neither reg nor size.
run_test dt-error expect_dt_error 'bad' 'region has neither reg nor size$'
run_test good-heaps good_heaps_check --absent 'bad'
