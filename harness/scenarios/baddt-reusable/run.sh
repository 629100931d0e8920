# Bad device tree: reusable on a carveout.
run_test dt-error expect_dt_error 'bad@58000000' 'reusable regions belong to CMA, not to a carveout heap'
run_test good-heaps good_heaps_check --absent 'bad'
