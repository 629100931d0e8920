#!/bin/bash
# demo.sh: build everything and boot the demo scenario, showing what the
# guest's heaps-demo program prints.
. "$(dirname "$0")/lib.sh"

S=$HARNESS/scripts
export BUILD
kernel_pipeline run_step "$HARNESS/configs/base.config" "$HARNESS/configs/debug.config"
step "booting the demo scenario under QEMU (log: $LOGS/demo.log)"
rc=0
"$S/boot.sh" demo || rc=$?
step_done
echo
grep -E 'carveout|dma_heap|cma: Reserved|Reserved memory' "$LOGS/demo.log" | sed 's/^/  kernel: /' || true
echo
sed -n '/^@@@ BEGIN heaps-demo/,/^@@@ END/p' "$LOGS/demo.log" | sed '1d;$d'
: > "$BUILD/results.txt"
"$S/results.py" demo "$LOGS/demo.log"
fail=$(awk '$1 == "TEST" { f += $4 } END { print f + 0 }' "$BUILD/results.txt")
[ $rc = 0 ] && [ "$fail" = 0 ] || die "demo failed (see $LOGS/demo.log)"
echo
echo "demo finished: guest powered off cleanly"
