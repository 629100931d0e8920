#!/bin/bash
# dtb.sh SCENARIO: QEMU's own virt tree plus the scenario's overlay, written
# to $BUILD/dtb/SCENARIO.dtb.
. "$(dirname "$0")/lib.sh"

scn=${1:?usage: dtb.sh SCENARIO}
dir=$HARNESS/scenarios/$scn
# Guest RAM: the scenario's qemu-mem (a QEMU -m size, e.g. 5G), else QEMU_MEM.
[ -f "$dir/qemu-mem" ] && QEMU_MEM=$(cat "$dir/qemu-mem")
[ -f "$dir/overlay.dtso" ] || die "scenario $scn has no overlay.dtso"
out=$BUILD/dtb
mkdir -p "$out"

base=$out/virt-$GUEST_ARCH-$QEMU_MEM-smp$QEMU_SMP.dtb
if [ ! -s "$base" ]; then
	"$QEMU_SYSTEM" -M "$QEMU_MACHINE,dumpdtb=$base" -cpu "$QEMU_CPU" \
		-smp "$QEMU_SMP" -m "$QEMU_MEM" "${QEMU_NET[@]}" -nographic \
		>"$out/dumpdtb.log" 2>&1 ||
		die "qemu could not dump its virt device tree: $(tail -n 3 "$out/dumpdtb.log")"
fi

# Overlays placing regions over what QEMU loads (kernel, initrd, DTB) get
# its load addresses as QEMU_{KERNEL,INITRD,DTB}_BASE (32-bit: QEMU loads
# them below 4 GiB whatever the RAM size), asked of QEMU itself with the
# kernel and initramfs boot.sh uses: the initrd follows the kernel's size, the DTB the initrd's.
defs=()
if grep -q 'QEMU_[A-Z]*_BASE' "$dir/overlay.dtso"; then
	roms=$(printf 'info roms\nquit\n' | timeout 60 "$QEMU_SYSTEM" \
		-M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -smp "$QEMU_SMP" \
		-m "$QEMU_MEM" "${QEMU_NET[@]}" -display none -S -monitor stdio \
		-serial null -kernel "$KIMAGE" \
		-initrd "$GUEST/initramfs.cpio" -dtb "$base" 2>&1 | tr -d '\r')
	for blob in "KERNEL:$KIMAGE" \
		    "INITRD:$GUEST/initramfs.cpio" DTB:dtb; do
		addr=$(printf '%s\n' "$roms" | grep -F "name=\"${blob#*:}\"" |
			sed -n 's/^addr=0*\([0-9a-f]*\) .*/\1/p')
		[ -n "$addr" ] || die "qemu did not report where it loads ${blob#*:}"
		defs+=("-DQEMU_${blob%%:*}_BASE=0x$addr")
	done
	echo "    QEMU layout: ${defs[*]}"
fi

cpp -nostdinc -undef -x assembler-with-cpp -P -I "$HARNESS/dts" "${defs[@]}" \
	"$dir/overlay.dtso" > "$out/$scn.pp.dtso"
dtc -q -@ -I dts -O dtb -o "$out/$scn.dtbo" "$out/$scn.pp.dtso"
fdtoverlay -i "$base" -o "$out/$scn.dtb" "$out/$scn.dtbo"
