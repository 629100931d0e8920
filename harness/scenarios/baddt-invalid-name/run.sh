# Bad device tree: heap name with a character invalid in a device name.
# The heap core refuses it (one rule for every heap kind), the carveout
# driver names the node.
run_test dt-error expect_dt_error 'bad@58000000' 'cannot register heap "bad/name": -(EINVAL|22)$'
run_test core-reason sh -c "dmesg | grep -F 'dma_heap: invalid heap name \"bad/name\"'"
run_test good-heaps good_heaps_check --absent 'bad' --absent 'name' --absent 'bad!name'
