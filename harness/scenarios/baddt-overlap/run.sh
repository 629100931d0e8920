# Bad device tree: two regions that overlap each other: both refused.
run_test dt-error-1 expect_dt_error 'overlap-a@58000000' 'region overlaps /reserved-memory/overlap-b@58800000'
run_test dt-error-2 expect_dt_error 'overlap-b@58800000' 'region overlaps /reserved-memory/overlap-a@58000000'
run_test good-heaps good_heaps_check --absent 'overlap-a' --absent 'overlap-b'
