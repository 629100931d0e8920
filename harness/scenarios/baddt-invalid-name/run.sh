# Bad device tree: heap name with a character invalid in a device name.
run_test dt-error expect_dt_error 'bad@58000000' 'invalid heap name "bad/name"'
run_test good-heaps good_heaps_check --absent 'bad' --absent 'name'
