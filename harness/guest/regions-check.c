// SPDX-License-Identifier: GPL-2.0
/*
 * regions-check: shared-dma-pool and restricted-dma-pool regions as heaps.
 *
 * Walks /proc/device-tree/reserved-memory and checks each region against
 * the policy documented in Documentation/userspace-api/dma-buf-heaps.rst:
 *  - reusable shared-dma-pool (CMA): a heap named by linux,dma-heap-name,
 *    else by the node name; none with linux,dma-heap-private, unless a
 *    driver exposed it (the region /dma-heap-cma-test points to, exposed
 *    as "cma-driver-exposed" by the KUnit test); the default area is
 *    "default_cma_region" (plus its legacy name);
 *  - non-reusable shared-dma-pool with linux,dma-heap-name: a heap, if
 *    it is no-map (else none, and a boot message saying so);
 *  - restricted-dma-pool: never a heap, and a tagged one is reported in
 *    the kernel log.
 * Buffers must lie in their region (CMA: the area's debugfs "used" count
 * grows by the buffer; coherent pools: the heap's debugfs buffer listing)
 * and be zeroed, also after a previous user wrote to the memory.
 * Output is TAP, one line per check.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-lib.h"

#define BUF_LEN	(1024 * 1024)

/* Read a string property; returns false if absent. */
static bool prop_str(const char *node, const char *prop, char *out, size_t len)
{
	ssize_t n = dt_prop_read(node, prop, out, len - 1);

	if (n <= 0)
		return false;
	out[n] = 0;
	return true;
}

static bool compatible_is(const char *node, const char *compat)
{
	char buf[256], *p;
	ssize_t n;

	n = dt_prop_read(node, "compatible", buf, sizeof(buf));
	for (p = buf; n > 0 && p < buf + n; p += strlen(p) + 1)
		if (!strcmp(p, compat))
			return true;
	return false;
}

static uint64_t be_cells(const unsigned char *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells * 4; i++)
		v = v << 8 | p[i];
	return v;
}

/* reg of a region under /reserved-memory (2 address cells, 2 size cells) */
static bool region_reg(const char *node, uint64_t *base, uint64_t *size)
{
	unsigned char buf[16];

	if (dt_prop_read(node, "reg", buf, sizeof(buf)) != 16)
		return false;
	*base = be_cells(buf, 2);
	*size = be_cells(buf + 8, 2);
	return true;
}

/* Map, check that the buffer is zeroed, then dirty it for the next user. */
static bool zeroed_then_dirty(int buf_fd, size_t len)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				buf_fd, 0);
	bool zero = true;

	if (p == MAP_FAILED)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i]) {
			zero = false;
			break;
		}
	memset(p, 0xa5, len);
	munmap(p, len);
	return zero;
}

/* A number from the CMA area's debugfs directory, or -1. */
static long cma_read(const char *area, const char *file)
{
	__u64 val;

	return cma_area_read(area, file, &val) ? -1 : (long)val;
}

/*
 * A CMA heap: two allocations in a row (the second reuses the memory the
 * first dirtied) come from the CMA area @area starting at @base.
 */
static void check_cma_heap(const char *heap, const char *area, uint64_t base)
{
	long pages = BUF_LEN / sysconf(_SC_PAGESIZE);

	tap(heap_exists(heap), "%s: heap exists", heap);
	tap(cma_read(area, "base_pfn") == (long)(base / sysconf(_SC_PAGESIZE)),
	    "%s: CMA area %s starts at 0x%llx", heap, area,
	    (unsigned long long)base);
	for (int round = 0; round < 2; round++) {
		long before = cma_read(area, "used"), during;
		int fd = heap_alloc_name(heap, BUF_LEN);

		tap(fd >= 0, "%s: allocate 1 MiB (round %d): %s", heap, round,
		    fd >= 0 ? "ok" : strerror(-fd));
		if (fd < 0)
			return;
		during = cma_read(area, "used");
		tap(before >= 0 && during - before == pages,
		    "%s: buffer is in CMA area %s (used %ld -> %ld pages)",
		    heap, area, before, during);
		tap(zeroed_then_dirty(fd, BUF_LEN), "%s: buffer zeroed (round %d)",
		    heap, round);
		close(fd);
		tap(cma_read(area, "used") == before, "%s: freed back to %s", heap,
		    area);
	}
}

static void check_coherent_heap(const char *heap, uint64_t base,
				uint64_t size)
{
	tap(heap_exists(heap), "%s: heap exists", heap);
	for (int round = 0; round < 2; round++) {
		int fd = heap_alloc_name(heap, BUF_LEN);
		__u64 phys = 0, len = 0;

		tap(fd >= 0, "%s: allocate 1 MiB (round %d): %s", heap, round,
		    fd >= 0 ? "ok" : strerror(-fd));
		if (fd < 0)
			return;
		tap(!heap_buffer_phys(heap, fd, &phys, &len) &&
		    phys >= base && phys + len <= base + size && len == BUF_LEN,
		    "%s: buffer 0x%llx+0x%llx inside pool 0x%llx+0x%llx", heap,
		    (unsigned long long)phys, (unsigned long long)len,
		    (unsigned long long)base, (unsigned long long)size);
		tap(zeroed_then_dirty(fd, BUF_LEN), "%s: buffer zeroed (round %d)",
		    heap, round);
		close(fd);
	}
	/*
	 * The pool hands out power-of-two blocks of pages: a 3-page buffer
	 * takes 4 pages, and the heap's accounting must say so.
	 */
	{
		__u64 pg = sysconf(_SC_PAGESIZE);
		int fd = heap_alloc_name(heap, 3 * pg);
		__u64 phys = 0, len = 0;

		tap(fd >= 0 && !heap_buffer_phys(heap, fd, &phys, &len) &&
		    len == 4 * pg,
		    "%s: 3-page buffer accounted as the 4-page block it takes (0x%llx)",
		    heap, (unsigned long long)len);
		if (fd >= 0)
			close(fd);
	}
	/* The pool is the limit: a buffer bigger than it cannot exist. */
	{
		int fd = heap_alloc_name(heap, size + BUF_LEN);

		tap(fd == -ENOMEM, "%s: buffer larger than the pool fails with ENOMEM (%s)",
		    heap, fd < 0 ? strerror(-fd) : "succeeded");
		if (fd >= 0)
			close(fd);
	}
}

static bool klog_has(const char *needle)
{
	int len = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	bool found;

	if (len <= 0)
		return false;
	buf = malloc(len + 1);
	if (!buf)
		return false;
	len = klogctl(3, buf, len);	/* SYSLOG_ACTION_READ_ALL */
	buf[len > 0 ? len : 0] = 0;
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

/* The node the KUnit test's device points to with memory-region. */
static bool is_driver_region(const char *node)
{
	unsigned char ph[4], mine[4];

	if (dt_prop_read("/proc/device-tree/dma-heap-cma-test", "memory-region",
			 ph, 4) != 4)
		return false;
	return dt_prop_read(node, "phandle", mine, 4) == 4 &&
	       !memcmp(ph, mine, 4);
}

int main(void)
{
	struct dirent *de;
	int regions = 0;
	DIR *d;

	printf("TAP version 13\n");
	d = opendir(DT_RESERVED_MEMORY);
	if (!d) {
		printf("1..0 # SKIP no reserved-memory node\n");
		return 4;
	}
	while ((de = readdir(d))) {
		char node[512], tag[128], msg[1024];
		uint64_t base = 0, size = 0;
		bool have_reg;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(node, sizeof(node), DT_RESERVED_MEMORY "/%s", de->d_name);
		have_reg = region_reg(node, &base, &size);
		bool tagged = prop_str(node, "linux,dma-heap-name", tag,
				       sizeof(tag));
		bool private = dt_prop_present(node, "linux,dma-heap-private");

		if (compatible_is(node, "restricted-dma-pool")) {
			regions++;
			tap(!heap_exists(de->d_name), "%s: restricted pool has no heap",
			    de->d_name);
			if (!tagged)
				continue;
			tap(!heap_exists(tag), "%s: no heap \"%s\" despite the tag",
			    de->d_name, tag);
			snprintf(msg, sizeof(msg),
				 "/reserved-memory/%s: linux,dma-heap-name ignored: a restricted-dma-pool",
				 de->d_name);
			tap(klog_has(msg), "%s: boot log says the tag is ignored",
			    de->d_name);
			continue;
		}
		if (!compatible_is(node, "shared-dma-pool") || !have_reg)
			continue;
		regions++;

		if (!dt_prop_present(node, "reusable")) {
			if (!tagged) {
				tap(!heap_exists(de->d_name), "%s: untagged coherent pool has no heap",
				    de->d_name);
				continue;
			}
			if (!dt_prop_present(node, "no-map")) {
				tap(!heap_exists(tag),
				    "%s: no heap \"%s\" for a pool without no-map",
				    de->d_name, tag);
				snprintf(msg, sizeof(msg),
					 "/reserved-memory/%s: a coherent pool in system RAM needs no-map to be a heap",
					 de->d_name);
				tap(klog_has(msg), "%s: boot log says no-map is missing",
				    de->d_name);
				continue;
			}
			check_coherent_heap(tag, base, size);
			continue;
		}

		if (dt_prop_present(node, "linux,cma-default")) {
			check_cma_heap("default_cma_region", de->d_name, base);
			continue;
		}
		if (private) {
			tap(!heap_exists(de->d_name) &&
			    !(tagged && heap_exists(tag)),
			    "%s: private region has no heap node", de->d_name);
			if (is_driver_region(node))
				check_cma_heap("cma-driver-exposed", de->d_name,
					       base);
			continue;
		}
		if (tagged) {
			tap(!heap_exists(de->d_name),
			    "%s: tagged region has no heap under its node name",
			    de->d_name);
			check_cma_heap(tag, de->d_name, base);
		} else {
			check_cma_heap(de->d_name, de->d_name, base);
		}
	}
	closedir(d);

	/* cma= on the command line: "default_cma_region", legacy "reserved". */
	if (cma_read("reserved", "used") >= 0) {
		long pfn = cma_read("reserved", "base_pfn");

		check_cma_heap("default_cma_region", "reserved",
			       (uint64_t)pfn * sysconf(_SC_PAGESIZE));
		tap(heap_exists("reserved"),
		    "default area keeps its legacy name \"reserved\" (DMABUF_HEAPS_CMA_LEGACY=y)");
	}

	tap(regions > 0, "found %d shared/restricted DMA pool regions", regions);
	printf("1..%d\n", tap_tests);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_tests - tap_failures, tap_failures);
	return tap_failures ? 1 : 0;
}
