# Bad device tree: region crossing the end of RAM.
run_test dt-error expect_dt_error 'bad@7f000000' 'region is outside of system memory at 0x0*80000000$'
run_test good-heaps good_heaps_check --absent 'bad'
