# Bad device tree: a mapped carveout over the initrd: refused.
run_test dt-error expect_dt_error 'over-initrd' 'region overlaps memory in use at boot'
run_test good-heaps good_heaps_check --absent 'over-initrd'
