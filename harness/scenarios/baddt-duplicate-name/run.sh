# Bad device tree: a second region claiming an existing heap name.
run_test dt-error expect_dt_error 'dup@58000000' 'heap name "carveout-cached" is already claimed by /reserved-memory/carveout@54000000$'
run_test good-heaps good_heaps_check
run_test owner grep -qxE 'region: (/reserved-memory/)?carveout@54000000' /sys/kernel/debug/dma_heap/carveout-cached/stats
