# Region heaps under the dmem cgroup controller (issue 13); KUnit, with the
# dma-buf-heap-dmem suite, has already run during boot. The CMA region heap
# is sized from its node (32 MiB); the other heaps from debugfs.
fault_setup
run_test dmem /bin/dmem-test carveout-cached camera-contiguous=0x2000000
# The fail-nth sweep and the stress run of the other scenarios, now that
# every allocation goes through a charge, from inside a limited cgroup.
mkdir -p /sys/fs/cgroup/dmem-robust
echo "dma_heap/carveout-cached 8388608" > /sys/fs/cgroup/dmem-robust/dmem.max
echo $$ > /sys/fs/cgroup/dmem-robust/cgroup.procs
run_test dmem-fail-nth heap-torture failnth
run_test dmem-stress heap-torture stress 7 20000
echo $$ > /sys/fs/cgroup/cgroup.procs
run_test dmem-robust-current grep -qx "dma_heap/carveout-cached 0" /sys/fs/cgroup/dmem-robust/dmem.current
rmdir /sys/fs/cgroup/dmem-robust
