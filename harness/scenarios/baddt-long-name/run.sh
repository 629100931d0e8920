# Bad device tree: a heap name of 300 characters. The heap core refuses it
# (it used to register a heap without a /dev/dma_heap node or a debugfs
# directory, and log it as registered); the carveout driver says so for the
# node, nothing of the heap exists, every other heap works.
run_test dt-error expect_dt_error 'bad@58000000' 'cannot register heap "long-name-[0-9]+": -(ENAMETOOLONG|36)$'
run_test core-reason sh -c "dmesg | grep -E 'dma_heap: heap name \"long-name-[0-9]*\.\.\.\" is too long \(300 characters, at most [0-9]+\)'"
run_test no-device sh -c '! ls /sys/class/dma_heap /dev/dma_heap | grep -F long-name-'
run_test good-heaps good_heaps_check
