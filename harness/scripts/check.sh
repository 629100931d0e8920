#!/bin/bash
# check.sh: everything `make check` runs. Each stage and each test case
# counts; the last line is "N passed, N failed". Exit status is non-zero on
# any failure.
. "$(dirname "$0")/lib.sh"

# A failing stage is recorded and the run goes on to the summary.
set +e
S=$HARNESS/scripts
RES=$BUILD/results.txt
export BUILD
mkdir -p "$BUILD"
: > "$RES"
t_start=$(date +%s)

# stage NAME CMD...: run one stage, record PASS/FAIL with its duration.
stage() {
	local name=$1 rc=0 t0
	shift
	t0=$(date +%s)
	printf '==> %s\n' "$name"
	"$@" || rc=$?
	local dt=$(($(date +%s) - t0))
	if [ $rc = 0 ]; then
		echo "STAGE $name PASS ${dt}s" >> "$RES"
	else
		echo "STAGE $name FAIL ${dt}s" >> "$RES"
		printf '    FAILED (%s)\n' "$name"
	fi
	return $rc
}

boot_scenario() {
	local scn=$1 kunit=${2:-} rc=0
	"$S/boot.sh" "$scn" || rc=$?
	"$S/results.py" $kunit "$scn" "$LOGS/$scn.log" || rc=1
	if [ -f "$HARNESS/scenarios/$scn/bench-smoke" ]; then
		"$S/bench.py" smoke "$scn" "$LOGS/$scn.log" || rc=1
	fi
	return $rc
}

# checkpatch of series-extra/, exported like the series.
extra_checkpatch() {
	rm -rf "$BUILD/series-extra"
	git -C "$SRC" format-patch -q --no-signature -o "$BUILD/series-extra" \
		series..series-extra &&
		"$S/checkpatch.sh" "$BUILD/series-extra"
}

# Packages, base tree, series, the test kernel and its initramfs. The test
# kernel is a debug kernel (sanitizers, lockdep, kmemleak, fault injection).
kernel_pipeline stage "$HARNESS/configs/base.config" "$HARNESS/configs/debug.config" &&
	built=1
grep -q '^STAGE series-applies PASS' "$RES" || { "$S/summary.py" "$RES" "$t_start"; exit 1; }
# The packages deps.sh installs suffice on a bare Debian root: it boots
# the kernel just built there.
[ "${built:-0}" = 1 ] && stage fresh-deps "$S/freshdeps.sh"
stage series-export "$S/series.sh" export
stage series-git-am "$S/series.sh" verify
stage checkpatch "$S/checkpatch.sh"
# static.sh and bisect.sh use base.config alone ($KBASE).
stage kconfig-base env KOBJ="$KBASE" "$S/kconfig.sh" "$HARNESS/configs/base.config"
stage static-w1-sparse "$S/static.sh"
stage bisect-build "$S/bisect.sh"
# The directories the series touches, W=1, for x86_64, arm (LPAE), riscv64
# and arm64, heaps built in and as modules.
stage build-matrix "$S/buildmatrix.sh"
stage dt-binding-check "$S/dtcheck.sh"
stage dtbs-check "$S/dtbscheck.sh"
if [ "${built:-0}" = 1 ]; then
	for scn in $(cat "$HARNESS/scenarios/check"); do
		kunit=""
		[ -f "$HARNESS/scenarios/$scn/kunit" ] && kunit=--kunit
		stage "boot-$scn" boot_scenario "$scn" $kunit
	done
	# The same debug kernel with the heaps, their KUnit suites and the test
	# importer as modules, in its own object and guest directories.
	mod=(env KOBJ="$BUILD/kobj-modules" GUEST="$BUILD/guest-modules")
	stage kconfig-modules "${mod[@]}" "$S/kconfig.sh" "$HARNESS/configs/base.config" \
		"$HARNESS/configs/debug.config" "$HARNESS/configs/modules.config" &&
		stage kernel-build-modules "${mod[@]}" "$S/build.sh" &&
		stage initramfs-modules "${mod[@]}" "$S/initramfs.sh" &&
		KOBJ=$BUILD/kobj-modules GUEST=$BUILD/guest-modules \
			stage boot-modules boot_scenario modules --kunit

	# The 32-bit guest (GUEST_ARCH=arm): ARMv7 with LPAE and highmem, its
	# own debug kernel, armhf initramfs and QEMU machine; carveouts in
	# highmem below and above 4 GiB, no-map, a coherent pool.
	a32=(env GUEST_ARCH=arm KOBJ="$BUILD/kobj-arm32" GUEST="$BUILD/guest-arm32")
	stage kconfig-arm32 "${a32[@]}" "$S/kconfig.sh" "$HARNESS/configs/base.config" \
		"$HARNESS/configs/debug.config" "$HARNESS/configs/arm32.config" &&
		stage kernel-build-arm32 "${a32[@]}" "$S/build.sh" &&
		stage initramfs-arm32 "${a32[@]}" "$S/initramfs.sh" &&
		GUEST_ARCH=arm KOBJ=$BUILD/kobj-arm32 GUEST=$BUILD/guest-arm32 \
			stage boot-arm32-highmem boot_scenario arm32-highmem --kunit

	# series-extra/: fixes outside the series that its tests need (an
	# importer's), as commits on top of it in their own tree, kernel and
	# boot; the vivid scenario captures into every heap.
	ext=(env KSRC="$EXTRA_SRC" KOBJ="$BUILD/extra/kobj" GUEST="$BUILD/extra/guest")
	stage extra-applies "$S/assemble.sh" extra &&
		stage extra-checkpatch extra_checkpatch &&
		stage kconfig-extra "${ext[@]}" "$S/kconfig.sh" "$HARNESS/configs/base.config" \
			"$HARNESS/configs/debug.config" "$HARNESS/configs/extra.config" &&
		stage kernel-build-extra "${ext[@]}" "$S/build.sh" &&
		stage initramfs-extra "${ext[@]}" "$S/initramfs.sh" &&
		KSRC=$EXTRA_SRC KOBJ=$BUILD/extra/kobj GUEST=$BUILD/extra/guest \
			stage boot-vivid boot_scenario vivid
fi
"$S/summary.py" "$RES" "$t_start"
