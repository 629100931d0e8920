#!/bin/bash
# dtb.sh SCENARIO: QEMU's own virt tree plus the scenario's overlay, written
# to $BUILD/dtb/SCENARIO.dtb.
. "$(dirname "$0")/lib.sh"

scn=${1:?usage: dtb.sh SCENARIO}
dir=$HARNESS/scenarios/$scn
[ -f "$dir/overlay.dtso" ] || die "scenario $scn has no overlay.dtso"
out=$BUILD/dtb
mkdir -p "$out"

base=$out/virt-$QEMU_MEM-smp$QEMU_SMP.dtb
if [ ! -s "$base" ]; then
	qemu-system-aarch64 -M "$QEMU_MACHINE,dumpdtb=$base" -cpu "$QEMU_CPU" \
		-smp "$QEMU_SMP" -m "$QEMU_MEM" "${QEMU_NET[@]}" -nographic \
		>"$out/dumpdtb.log" 2>&1 ||
		die "qemu could not dump its virt device tree: $(tail -n 3 "$out/dumpdtb.log")"
fi

cpp -nostdinc -undef -x assembler-with-cpp -P -I "$HARNESS/dts" \
	"$dir/overlay.dtso" > "$out/$scn.pp.dtso"
dtc -q -@ -I dts -O dtb -o "$out/$scn.dtbo" "$out/$scn.pp.dtso"
fdtoverlay -i "$base" -o "$out/$scn.dtb" "$out/$scn.dtbo"
