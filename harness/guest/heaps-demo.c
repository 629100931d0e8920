// SPDX-License-Identifier: GPL-2.0
/*
 * heaps-demo: show every dma-buf heap of the machine and where its memory
 * comes from.
 *
 * For each heap in /dev/dma_heap, allocate 1 MiB and print, in one table:
 *  - the kind of heap and its CPU access mode;
 *  - where the memory comes from: the reserved region (heaps with a
 *    /sys/kernel/debug/dma_heap/<heap>/stats file), the CMA area
 *    (/sys/kernel/debug/cma/<area>) or scattered system pages;
 *  - where this buffer landed (physical range from the heap's debugfs buffers
 *    listing, or the growth of the CMA area's used pages);
 *  - how much of the heap is in use.
 * Then list the heaps only kernel drivers can reach (debugfs stats but no
 * /dev/dma_heap node: a protected region nothing scrubs between users),
 * write a pattern through mmap() where the heap allows CPU access, and
 * check that a freshly allocated buffer reads back as zeroes.
 *
 * Exits 0 when every allocation and check that should work did; errors are
 * printed with strerror().  Needs root and debugfs for the details.
 */
#define _GNU_SOURCE
#define __SANE_USERSPACE_TYPES__	/* __u64 is unsigned long long */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>

#include "guest-lib.h"

#define SZ_1M			(1024 * 1024)
#define ALLOC_SIZE		SZ_1M
#define MAX_HEAPS		64
#define CGROUP_DIR		"/sys/fs/cgroup"
#define CELL_LEN		(NAME_MAX + 128)

enum heap_kind {
	KIND_OTHER,
	KIND_SYSTEM,
	KIND_CMA,
	KIND_REGION,	/* contiguous-buffer helpers: debugfs stats/buffers */
};

static const char * const kind_names[] = {
	[KIND_OTHER] = "other",
	[KIND_SYSTEM] = "system",
	[KIND_CMA] = "cma",
	[KIND_REGION] = "region",
};

struct cma_area {
	char name[NAME_MAX + 1];
	__u64 base_pfn;
	__u64 count;	/* pages */
	__u64 used;	/* pages */
};

struct heap {
	char name[NAME_MAX + 1];
	enum heap_kind kind;
	struct heap_stats st;		/* KIND_REGION, while holding the buffer */
	struct cma_area cma;		/* KIND_CMA, before allocating */
	bool have_cma_area;		/* CONFIG_CMA_DEBUGFS files found */
	__u64 cma_used_after;
	bool have_cma_after;
	__u64 cma_total_kb;		/* /proc/meminfo fallback, all areas */
	__u64 cma_free_kb;
	bool have_meminfo;
	int buf_fd;
	int alloc_err;			/* errno of the allocation, 0 if it worked */
	bool alloc_expected;		/* failure is an error */
	bool have_phys;
	__u64 phys;
	__u64 buf_size;
	char cell[6][CELL_LEN];		/* table cells */
};

static long page_size;
static bool have_debugfs;

/* Format a byte count as "48 MiB", "12 KiB" or "4097 B". */
static const char *human(__u64 bytes, char *buf, size_t len)
{
	if (bytes && !(bytes % (1024ULL * 1024 * 1024)))
		snprintf(buf, len, "%llu GiB", bytes >> 30);
	else if (bytes && !(bytes % SZ_1M))
		snprintf(buf, len, "%llu MiB", bytes >> 20);
	else if (bytes && !(bytes % 1024))
		snprintf(buf, len, "%llu KiB", bytes >> 10);
	else
		snprintf(buf, len, "%llu B", bytes);

	return buf;
}

static int read_cma_area(const char *name, struct cma_area *a)
{
	int ret;

	if (a->name != name)
		snprintf(a->name, sizeof(a->name), "%s", name);
	a->base_pfn = 0;
	a->count = 0;
	a->used = 0;

	ret = cma_area_read(name, "base_pfn", &a->base_pfn);
	if (ret)
		return ret;
	ret = cma_area_read(name, "count", &a->count);
	if (ret)
		return ret;

	return cma_area_read(name, "used", &a->used);
}

/* CmaTotal and CmaFree from /proc/meminfo: all CMA areas together */
static bool read_meminfo_cma(__u64 *total_kb, __u64 *free_kb)
{
	char text[8192], *p;

	if (read_text("/proc/meminfo", text, sizeof(text)))
		return false;
	p = strstr(text, "CmaTotal:");
	if (!p || sscanf(p, "CmaTotal: %llu kB", total_kb) != 1)
		return false;
	p = strstr(text, "CmaFree:");

	return p && sscanf(p, "CmaFree: %llu kB", free_kb) == 1;
}

static void classify(struct heap *h)
{
	const char *area = h->name;
	char node[PATH_MAX];

	if (!strcmp(h->name, "system")) {
		h->kind = KIND_SYSTEM;
		return;
	}

	if (have_debugfs && !heap_stats_read(h->name, &h->st)) {
		h->kind = KIND_REGION;
		return;
	}

	if (!strcmp(h->name, DEFAULT_CMA_HEAP) || !strcmp(h->name, LEGACY_CMA_HEAP))
		area = DEFAULT_CMA_AREA;
	if (have_debugfs && cma_area_exists(area)) {
		h->kind = KIND_CMA;
		h->have_cma_area = true;
		snprintf(h->cma.name, sizeof(h->cma.name), "%s", area);
		return;
	}

	/*
	 * Without CONFIG_CMA_DEBUGFS, recognise the default CMA heap by name and
	 * the per-region CMA heaps by their reusable reserved-memory node.
	 */
	snprintf(node, sizeof(node), "%s/%s", DT_RESERVED_MEMORY, h->name);
	if (area != h->name || dt_prop_present(node, "reusable")) {
		h->kind = KIND_CMA;
		snprintf(h->cma.name, sizeof(h->cma.name), "%s", area);
	}
}

/* Allocate from the heap @name. Returns 0 or a positive errno. */
static int alloc_buf(const char *name, __u64 len, int *buf_fd)
{
	int fd = heap_alloc_name(name, len);

	if (fd < 0)
		return -fd;
	*buf_fd = fd;

	return 0;
}

/* Allocate the 1 MiB test buffer and collect what the table shows. */
static void probe_heap(struct heap *h)
{
	char s1[32], s2[32];
	int ret;

	h->buf_fd = -1;

	/* Areas can back two heaps: measure right before allocating */
	if (h->have_cma_area) {
		ret = read_cma_area(h->cma.name, &h->cma);
		if (ret)
			fail("%s: cannot read CMA area %s: %s", h->name,
			     h->cma.name, strerror(-ret));
	}

	/* A region heap without 1 MiB of contiguous room may refuse */
	h->alloc_expected = h->kind != KIND_OTHER &&
		!(h->kind == KIND_REGION && h->st.largest_free < ALLOC_SIZE);

	h->alloc_err = alloc_buf(h->name, ALLOC_SIZE, &h->buf_fd);
	if (h->alloc_err && h->alloc_expected)
		fail("%s: allocating %d bytes: %s", h->name, ALLOC_SIZE,
		     strerror(h->alloc_err));

	switch (h->kind) {
	case KIND_REGION:
		heap_stats_read(h->name, &h->st);
		if (!h->alloc_err) {
			ret = heap_buffer_phys(h->name, h->buf_fd, &h->phys,
					       &h->buf_size);
			if (ret)
				fail("%s: buffer not in the debugfs buffers listing: %s",
				     h->name, strerror(-ret));
			h->have_phys = !ret;
		}
		break;
	case KIND_CMA:
		if (h->have_cma_area && h->cma.count) {
			h->have_cma_after = !cma_area_read(h->cma.name, "used",
							   &h->cma_used_after);
		} else {
			h->have_meminfo = read_meminfo_cma(&h->cma_total_kb,
							   &h->cma_free_kb);
		}
		break;
	default:
		break;
	}

	/* Table cells: HEAP KIND CPU SOURCE BUFFER USED */
	snprintf(h->cell[0], CELL_LEN, "%.*s", NAME_MAX, h->name);
	snprintf(h->cell[1], CELL_LEN, "%s", kind_names[h->kind]);
	snprintf(h->cell[2], CELL_LEN, "%s",
		 h->kind == KIND_REGION ? h->st.cpu_access :
		 h->kind == KIND_OTHER ? "?" : "cached");

	switch (h->kind) {
	case KIND_SYSTEM:
		snprintf(h->cell[3], CELL_LEN, "system pages (not contiguous)");
		break;
	case KIND_CMA:
		if (h->cma.count)
			snprintf(h->cell[3], CELL_LEN, "CMA area %s 0x%016llx +%s",
				 h->cma.name, h->cma.base_pfn * page_size,
				 human(h->cma.count * page_size, s1, sizeof(s1)));
		else
			snprintf(h->cell[3], CELL_LEN, "CMA area %s (no CMA debugfs)",
				 h->cma.name);
		break;
	case KIND_REGION:
		snprintf(h->cell[3], CELL_LEN, "%s 0x%016llx +%s", h->st.region,
			 h->st.base, human(h->st.size, s1, sizeof(s1)));
		break;
	default:
		snprintf(h->cell[3], CELL_LEN, "unknown");
		break;
	}

	if (h->alloc_err) {
		snprintf(h->cell[4], CELL_LEN, "alloc failed: %s",
			 strerror(h->alloc_err));
	} else if (h->kind == KIND_REGION && h->have_phys) {
		snprintf(h->cell[4], CELL_LEN, "0x%016llx-0x%016llx", h->phys,
			 h->phys + h->buf_size - 1);
	} else if (h->kind == KIND_CMA && h->have_cma_after) {
		snprintf(h->cell[4], CELL_LEN, "in area, +%lld pages used",
			 (long long)(h->cma_used_after - h->cma.used));
	} else if (h->kind == KIND_SYSTEM) {
		snprintf(h->cell[4], CELL_LEN, "%s, scattered pages",
			 human(ALLOC_SIZE, s1, sizeof(s1)));
	} else {
		snprintf(h->cell[4], CELL_LEN, "%s", human(ALLOC_SIZE, s1, sizeof(s1)));
	}

	if (h->kind == KIND_REGION)
		snprintf(h->cell[5], CELL_LEN, "%s / %s in %llu buffers",
			 human(h->st.used, s1, sizeof(s1)),
			 human(h->st.size, s2, sizeof(s2)), h->st.buffers);
	else if (h->kind == KIND_CMA && h->have_cma_after)
		snprintf(h->cell[5], CELL_LEN, "%llu / %llu pages",
			 h->cma_used_after, h->cma.count);
	else if (h->kind == KIND_CMA && h->have_meminfo)
		snprintf(h->cell[5], CELL_LEN, "all CMA: %s / %s",
			 human((h->cma_total_kb - h->cma_free_kb) * 1024, s1, sizeof(s1)),
			 human(h->cma_total_kb * 1024, s2, sizeof(s2)));
	else
		snprintf(h->cell[5], CELL_LEN, "-");
}

static void print_table(struct heap *heaps, int nr)
{
	static const char * const titles[6] = {
		"HEAP", "KIND", "CPU ACCESS", "MEMORY SOURCE", "THIS 1 MiB BUFFER",
		"HEAP USAGE",
	};
	char rule[CELL_LEN];
	int width[6], i, c;

	for (c = 0; c < 6; c++) {
		width[c] = strlen(titles[c]);
		for (i = 0; i < nr; i++)
			if ((int)strlen(heaps[i].cell[c]) > width[c])
				width[c] = strlen(heaps[i].cell[c]);
	}

	for (c = 0; c < 6; c++)
		printf("%-*s%s", c < 5 ? width[c] : 0, titles[c], c < 5 ? "  " : "\n");
	for (c = 0; c < 6; c++) {
		memset(rule, '-', width[c]);
		rule[width[c]] = '\0';
		printf("%s%s", rule, c < 5 ? "  " : "\n");
	}
	for (i = 0; i < nr; i++)
		for (c = 0; c < 6; c++)
			printf("%-*s%s", c < 5 ? width[c] : 0, heaps[i].cell[c],
			       c < 5 ? "  " : "\n");
}

/*
 * Write a pattern through mmap() and read it back; then free the buffer,
 * allocate a fresh one and check that it is zeroed.  Returns a short verdict.
 */
static void check_heap(struct heap *h, int name_width)
{
	bool no_cpu = h->kind == KIND_REGION && !strcmp(h->st.cpu_access, "none");
	__u64 *w, i, n = ALLOC_SIZE / sizeof(*w);
	int ret, fd;

	printf("  %-*s  ", name_width, h->name);
	if (h->alloc_err) {
		printf("skipped (no buffer)\n");
		return;
	}

	w = mmap(NULL, ALLOC_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, h->buf_fd, 0);
	if (w == MAP_FAILED) {
		ret = errno;
		if (ret == EPERM && (no_cpu || h->kind == KIND_OTHER)) {
			printf("mmap refused (EPERM): no CPU access, as expected\n");
		} else {
			printf("mmap failed\n");
			fail("%s: mmap: %s", h->name, strerror(ret));
		}
		return;
	}
	if (no_cpu) {
		printf("mmap of a cpu_access none buffer succeeded!\n");
		fail("%s: protected buffer could be mapped", h->name);
		munmap(w, ALLOC_SIZE);
		return;
	}

	ret = buf_sync(h->buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	if (ret)
		fail("%s: DMA_BUF_IOCTL_SYNC start: %s", h->name, strerror(-ret));
	for (i = 0; i < n; i++)
		w[i] = 0xdeadbeef00000000ULL | i;
	for (i = 0; i < n; i++)
		if (w[i] != (0xdeadbeef00000000ULL | i))
			break;
	ret = buf_sync(h->buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	if (ret)
		fail("%s: DMA_BUF_IOCTL_SYNC end: %s", h->name, strerror(-ret));
	munmap(w, ALLOC_SIZE);
	if (i < n) {
		printf("pattern mismatch at offset 0x%llx\n", i * 8);
		fail("%s: pattern written through mmap reads back wrong", h->name);
		return;
	}
	printf("pattern via mmap: ok, ");

	/* Free the patterned buffer, then look at a fresh one */
	close(h->buf_fd);
	h->buf_fd = -1;
	ret = alloc_buf(h->name, ALLOC_SIZE, &fd);
	if (ret) {
		printf("fresh allocation failed\n");
		fail("%s: second allocation: %s", h->name, strerror(ret));
		return;
	}
	w = mmap(NULL, ALLOC_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED) {
		printf("mmap of fresh buffer failed\n");
		fail("%s: mmap of fresh buffer: %s", h->name, strerror(errno));
		close(fd);
		return;
	}
	buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = 0; i < n; i++)
		if (w[i])
			break;
	buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(w, ALLOC_SIZE);
	close(fd);

	if (i < n) {
		printf("fresh buffer NOT zeroed (offset 0x%llx)\n", i * 8);
		fail("%s: freshly allocated buffer contains stale data", h->name);
	} else {
		printf("fresh buffer zeroed: ok\n");
	}
}

static int cmp_heap(const void *a, const void *b)
{
	const struct heap *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	return strcmp(x->name, y->name);
}

struct heap_list {
	struct heap *heaps;
	int nr;
};

static int add_heap(const char *name, void *arg)
{
	struct heap_list *list = arg;
	struct heap *h = &list->heaps[list->nr];

	snprintf(h->name, sizeof(h->name), "%s", name);
	classify(h);

	return ++list->nr == MAX_HEAPS;
}

/*
 * Heaps that only kernel drivers reach: a contiguous heap's debugfs stats
 * without a node in /dev/dma_heap (a protected region nothing scrubs).
 */
static void print_kernel_only(void)
{
	struct heap_stats st;
	struct dirent *de;
	bool any = false;
	DIR *dir;

	dir = have_debugfs ? opendir(HEAP_DEBUGFS_DIR) : NULL;
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || heap_exists(de->d_name) ||
		    heap_stats_read(de->d_name, &st))
			continue;
		if (!any)
			printf("\nKernel-only heaps (no %s node):\n", HEAP_DEV_DIR);
		any = true;
		printf("  %s: %s 0x%016llx +%llu MiB, cpu access %s, %llu / %llu bytes used by kernel drivers%s\n",
		       de->d_name, st.region, st.base, st.size / SZ_1M,
		       st.cpu_access, st.used, st.size,
		       strcmp(st.cpu_access, "none") ? "" :
		       " (nothing scrubs it between users)");
		if (strcmp(st.cpu_access, "none"))
			fail("%s: a heap with CPU access has no %s node",
			     de->d_name, HEAP_DEV_DIR);
	}
	closedir(dir);
}

/*
 * The dmem cgroup regions of the heaps (with the controller built in) and
 * what the whole hierarchy holds in each, the test buffers included.
 */
static void print_dmem(void)
{
	char line[256], name[256], cur[256];
	unsigned long long size, used;
	FILE *cap, *current;

	cap = fopen(CGROUP_DIR "/dmem.capacity", "re");
	if (!cap) {
		printf("\nNo dmem cgroup controller: heap usage is not limited per cgroup.\n");
		return;
	}
	printf("\ndmem cgroup regions (limit with dmem.max in a child of %s):\n",
	       CGROUP_DIR);
	printf("  %-36s  %10s  %10s\n", "region", "capacity", "in use");
	while (fgets(line, sizeof(line), cap)) {
		if (sscanf(line, "%255s %llu", name, &size) != 2)
			continue;
		used = 0;
		current = fopen(CGROUP_DIR "/dmem.current", "re");
		while (current && fgets(line, sizeof(line), current))
			if (sscanf(line, "%255s %llu", cur, &used) == 2 &&
			    !strcmp(cur, name))
				break;
		if (current)
			fclose(current);
		printf("  %-36s  %6llu MiB  %6llu KiB\n", name, size / SZ_1M,
		       used / 1024);
	}
	fclose(cap);
}

int main(void)
{
	static struct heap heaps[MAX_HEAPS];
	struct heap_list list = { .heaps = heaps };
	int nr, i, width = 4, ret;
	struct statfs sfs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	have_debugfs = !statfs(DEBUGFS_DIR, &sfs) && sfs.f_type == DEBUGFS_MAGIC &&
		       !access(DEBUGFS_DIR, R_OK | X_OK) && !geteuid();

	ret = heap_for_each(add_heap, &list);
	if (ret) {
		fail("%s: %s", HEAP_DEV_DIR, strerror(-ret));
		return 1;
	}
	nr = list.nr;
	if (!nr) {
		fail("no heaps in %s", HEAP_DEV_DIR);
		return 1;
	}
	qsort(heaps, nr, sizeof(*heaps), cmp_heap);

	printf("dma-buf heaps: %d, test allocation %d KiB each%s\n\n", nr,
	       ALLOC_SIZE / 1024,
	       have_debugfs ? "" : " (no debugfs or not root: no region/CMA details)");

	/* Hold all test buffers at once so the usage columns include them */
	for (i = 0; i < nr; i++)
		probe_heap(&heaps[i]);
	print_table(heaps, nr);
	print_kernel_only();
	print_dmem();

	printf("\nCPU access checks:\n");
	for (i = 0; i < nr; i++)
		if ((int)strlen(heaps[i].name) > width)
			width = strlen(heaps[i].name);
	for (i = 0; i < nr; i++) {
		check_heap(&heaps[i], width);
		if (heaps[i].buf_fd >= 0)
			close(heaps[i].buf_fd);
	}

	printf("\n%s: %d error(s)\n", nr_errors ? "FAILED" : "OK", nr_errors);

	return nr_errors ? 1 : 0;
}
