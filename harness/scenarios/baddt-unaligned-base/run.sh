# Bad device tree: base not page aligned.
run_test dt-error expect_dt_error 'bad@58000800' 'region 0x0*58000800\+0x0*100000 is not page aligned'
run_test good-heaps good_heaps_check --absent 'bad'
