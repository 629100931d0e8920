# The test importer bound after deferring its probe (see overlay.dtso),
# then works as in the carveout scenario (fewer unbind/bind cycles).
run_test heap-importer-deferred /bin/heap-importer deferred 10
