# Guest side of `make bench`: measure every heap; the host turns the CSV
# rows into build/bench/*.csv and the table (harness/scripts/bench.py).
run_test heaps-bench /bin/heaps-bench
