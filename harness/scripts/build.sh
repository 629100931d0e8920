#!/bin/bash
# build.sh: build the guest kernel image (arm64 Image, or the arm32 zImage
# with GUEST_ARCH=arm) and the host tools the initramfs needs, and the
# modules when the configuration has them (boot-modules).
. "$(dirname "$0")/lib.sh"

log=$KOBJ/build.log
t0=$(date +%s)
targets=$KIMAGE_TARGET
grep -q '^CONFIG_MODULES=y' "$KOBJ/.config" && targets="$KIMAGE_TARGET modules"
echo "    building $targets in $KOBJ (log: $log)"
kmake $targets > "$log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 30
	kill -0 $pid 2>/dev/null || break
	printf '    ... %4ss, %s objects compiled\n' "$(($(date +%s) - t0))" \
		"$(grep -cE '^  (CC|AS)' "$log" || true)"
done
if ! wait $pid; then
	grep -E 'error|warning' "$log" | head -40
	tail -20 "$log"
	die "kernel build failed"
fi
warn=$(grep -E ': warning:' "$log" || true)
[ -z "$warn" ] || { echo "$warn"; die "kernel build printed warnings"; }
echo "    $targets built in $(($(date +%s) - t0))s"
