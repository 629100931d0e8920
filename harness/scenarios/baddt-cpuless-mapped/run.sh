# Bad device tree: no-cpu-access on a region the kernel maps.
run_test dt-error expect_dt_error 'bad@58000000' 'no-cpu-access requires no-map'
run_test good-heaps good_heaps_check --absent 'bad'
