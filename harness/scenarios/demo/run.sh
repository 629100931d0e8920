# Guest side of `make demo`: show every heap and where its memory comes from.
run_test heaps-demo /bin/heaps-demo
