# Bad device tree: a coherent pool overlapping a carveout: both refused.
run_test dt-error-pool expect_dt_error 'pool-overlap@58000000' 'region overlaps /reserved-memory/carveout-overlap@58800000'
run_test dt-error-carveout expect_dt_error 'carveout-overlap@58800000' 'region overlaps /reserved-memory/pool-overlap@58000000'
run_test good-heaps good_heaps_check --absent 'pool-overlap' --absent 'carveout-overlap'
