#!/bin/bash
# bench.sh: build the benchmark kernel (no debug options: base.config, plus
# bench.config when present) in its own object directory, so that it and
# the `make check` kernel do not evict each other, boot the demo layout and
# run heaps-bench. The host writes the CSV files and the table of ratios
# into $BUILD/bench/, draws the latency-against-size plots there (SVG,
# gnuplot), and replays the fragmentation churn against other allocation
# policies (fragsim.py).
: "${BOOT_TIMEOUT:=1800}"
. "$(dirname "$0")/lib.sh"

S=$HARNESS/scripts
KOBJ=$BUILD/kobj-bench
GUEST=$BUILD/guest-bench
export BUILD KOBJ GUEST BOOT_TIMEOUT
frags=("$HARNESS/configs/base.config")
[ -f "$HARNESS/configs/bench.config" ] && frags+=("$HARNESS/configs/bench.config")

t_all=$(date +%s)
echo "    benchmark kernel in $KOBJ"
kernel_pipeline run_step "${frags[@]}"
step "booting the bench scenario under QEMU (log: $LOGS/bench.log)"
rc=0
"$S/boot.sh" bench || rc=$?
step_done
echo
grep -E '^heaps-bench|^error:' "$LOGS/bench.log" | sed 's/^/  guest: /' || true
echo
"$S/bench.py" report "$LOGS/bench.log" "$BUILD/bench" || rc=1
[ $rc = 0 ] && { "$S/bench.py" plot "$BUILD/bench" || rc=1; }
if [ -s "$BUILD/bench/frag.csv" ]; then
	echo
	"$S/fragsim.py" "$BUILD/bench/frag.csv" | tee "$BUILD/bench/fragsim.txt" || rc=1
fi
grep -q '^@@@ END heaps-bench rc=0' "$LOGS/bench.log" || rc=1
[ $rc = 0 ] || die "bench failed (see $LOGS/bench.log)"
echo
echo "bench finished in $(($(date +%s) - t_all))s: CSV and table in $BUILD/bench/"
