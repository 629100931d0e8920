#!/bin/bash
# boot.sh SCENARIO: boot the built kernel with the scenario's device tree and
# command line, log the console to $LOGS/SCENARIO.log. Exits non-zero when the
# guest did not reach the end of its run (timeout, panic, missing marker).
. "$(dirname "$0")/lib.sh"

scn=${1:?usage: boot.sh SCENARIO}
dir=$HARNESS/scenarios/$scn
# Guest RAM: the scenario's qemu-mem (a QEMU -m size, e.g. 5G), else QEMU_MEM.
[ -f "$dir/qemu-mem" ] && QEMU_MEM=$(cat "$dir/qemu-mem")
"$HARNESS/scripts/dtb.sh" "$scn"
mkdir -p "$LOGS"
log=$LOGS/$scn.log
extra=""
[ -f "$dir/bootargs" ] && extra=$(cat "$dir/bootargs")

rc=0
timeout --foreground -k 10 "$BOOT_TIMEOUT" \
	"$QEMU_SYSTEM" -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -smp "$QEMU_SMP" \
	-m "$QEMU_MEM" "${QEMU_NET[@]}" -nographic -no-reboot -monitor none -serial stdio \
	-kernel "$KIMAGE" \
	-initrd "$GUEST/initramfs.cpio" \
	-dtb "$BUILD/dtb/$scn.dtb" \
	-append "console=ttyAMA0 panic=-1 oops=panic $extra scenario=$scn" \
	</dev/null > "$log" 2>&1 || rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "boot $scn: timed out after ${BOOT_TIMEOUT}s" >&2
	exit 1
fi
grep -q '^@@@ DONE' "$log" || { echo "boot $scn: guest did not finish (rc=$rc)" >&2; exit 1; }
