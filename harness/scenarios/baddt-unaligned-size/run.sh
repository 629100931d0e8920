# Bad device tree: size not page aligned.
run_test dt-error expect_dt_error 'bad@58000000' 'region 0x0*58000000\+0x0*100800 is not page aligned'
run_test good-heaps good_heaps_check --absent 'bad'
