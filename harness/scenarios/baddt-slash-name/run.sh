# Bad device tree: a '/' in the heap name of a coherent pool and of a CMA
# region. Each is refused with one error naming its node; neither heap exists
# under any spelling (the device core used to register them as "bad!..."),
# and every other heap works.
run_test coherent-error expect_dt_error 'coherent-bad@58000000' 'cannot register heap "bad/coherent": -(EINVAL|22)$' dma-heap-coherent
run_test cma-error expect_dt_error 'cma-bad@59000000' 'cannot add heap "bad/cma": -(EINVAL|22)$' cma_heap
run_test core-reason sh -c "dmesg | grep -F 'dma_heap: invalid heap name \"bad/coherent\"' && dmesg | grep -F 'dma_heap: invalid heap name \"bad/cma\"'"
run_test no-device sh -c '! ls /sys/class/dma_heap /dev/dma_heap | grep -F bad'
run_test good-heaps good_heaps_check --absent 'bad!coherent' --absent 'bad!cma'
