# Bad device tree: no-map together with reusable.
run_test dt-error expect_dt_error 'bad@58000000' 'no-map and reusable are mutually exclusive'
run_test good-heaps good_heaps_check --absent 'bad'
