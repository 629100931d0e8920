# The device tree opted the protected region in to unscrubbed userspace
# access: the node exists without a scrubber (see overlay.dtso).
run_test protected-optin /bin/protected-scrub optin
run_test carveout-heap /kselftest/dmabuf-heaps/carveout-heap \
	-t regions_registered -t protected
