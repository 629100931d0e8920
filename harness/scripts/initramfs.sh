#!/bin/bash
# Build the guest programs and the initramfs shared by every scenario:
# busybox, /init, the scenario scripts, the dmabuf-heaps kselftests and the
# harness's own guest programs (C programs and shell tests).
. "$(dirname "$0")/lib.sh"

out=$GUEST
mkdir -p "$out/bin"

# Kernel selftests from the assembled tree (installs uapi headers first).
kmake -s kselftest-all TARGETS=dmabuf-heaps >/dev/null
ksft=$KOBJ/kselftest/dmabuf-heaps

# Every program is compiled with the shared guest library, which is not a
# program of its own.
lib=$HARNESS/guest/guest-lib
for src in "$HARNESS"/guest/*.c; do
	[ -e "$src" ] || continue
	[ "$src" = "$lib.c" ] && continue
	prog=$out/bin/$(basename "$src" .c)
	if [ ! "$prog" -nt "$src" ] || [ ! "$prog" -nt "$lib.c" ] ||
	   [ ! "$prog" -nt "$lib.h" ] || [ "$KOBJ/usr/include" -nt "$prog" ]; then
		${CROSS_COMPILE}gcc -static -O2 -Wall -Wextra -Werror \
			-isystem "$KOBJ/usr/include" -o "$prog" "$src" "$lib.c" -lpthread
	fi
done

# busybox-static:arm64 (multiarch) installs its arm64 binary as /bin/busybox;
# deps.sh unpacks the armhf one into the cache.
if [ "$GUEST_ARCH" = arm ]; then
	busybox=$BUSYBOX_ARMHF
	[ -x "$busybox" ] || die "no armhf busybox at $busybox: run deps.sh"
else
	busybox=$(dpkg -L busybox-static:arm64 | grep -m1 '/bin/busybox$') ||
		die "busybox-static:arm64 is not installed"
fi

# A modular kernel (boot-modules) gets its modules and modules.dep under
# /lib/modules, for busybox's modprobe.
modroot=$out/modroot
rm -rf "$modroot"
if grep -q '^CONFIG_MODULES=y' "$KOBJ/.config"; then
	kmake -s INSTALL_MOD_PATH="$modroot" INSTALL_MOD_STRIP=1 modules_install >/dev/null
fi

list=$out/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in /bin /sbin /proc /sys /tmp /root /scenarios /kselftest /kselftest/dmabuf-heaps; do
		echo "dir $d 0755 0 0"
	done
	echo "file /bin/busybox $busybox 0755 0 0"
	for a in sh mount poweroff cat ls echo grep sed awk sleep head tail wc tr cut sort \
		mkdir rm cp id chmod dmesg find xargs printf test true false seq stat dd \
		hexdump od su env uname timeout basename dirname modprobe rmmod lsmod insmod; do
		echo "slink /bin/$a busybox 0777 0 0"
	done
	if [ -d "$modroot/lib/modules" ]; then
		(cd "$modroot" && find lib -type d | sort) |
			while read -r d; do echo "dir /$d 0755 0 0"; done
		(cd "$modroot" && find lib -type f | sort) |
			while read -r f; do echo "file /$f $modroot/$f 0644 0 0"; done
	fi
	echo "file /init $HARNESS/guest/init 0755 0 0"
	echo "file /scenarios/lib.sh $HARNESS/scenarios/lib.sh 0644 0 0"
	for s in "$HARNESS"/scenarios/*/; do
		n=$(basename "$s")
		echo "dir /scenarios/$n 0755 0 0"
		echo "file /scenarios/$n/run.sh $s/run.sh 0644 0 0"
	done
	for p in "$ksft"/*; do
		[ -x "$p" ] && [ -f "$p" ] || continue
		echo "file /kselftest/dmabuf-heaps/$(basename "$p") $p 0755 0 0"
	done
	for p in "$out"/bin/*; do
		[ -f "$p" ] || continue
		echo "file /bin/$(basename "$p") $p 0755 0 0"
	done
	# Guest shell tests, installed without their .sh suffix.
	for p in "$HARNESS"/guest/*.sh; do
		[ -f "$p" ] || continue
		echo "file /bin/$(basename "$p" .sh) $p 0755 0 0"
	done
} > "$list"
"$KOBJ/usr/gen_init_cpio" "$list" > "$out/initramfs.cpio.new"
mv "$out/initramfs.cpio.new" "$out/initramfs.cpio"
