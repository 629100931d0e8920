# Bad device tree: region entirely outside RAM.
run_test dt-error expect_dt_error 'bad@100000000' 'region is outside of system memory at 0x0*100000000$'
run_test good-heaps good_heaps_check --absent 'bad'
