// SPDX-License-Identifier: GPL-2.0
/*
 * protected-scrub [default|optin]: who may allocate from a protected
 * (no-cpu-access) carveout, and whether its buffers are scrubbed.
 *
 * default: the region has no linux,dma-heap-unscrubbed-user-access. Its
 *   heap serves kernel users only: no /dev/dma_heap node, "userspace: no"
 *   in its stats, while the test importer still allocates from it. Then
 *   the importer's fake scrubber is installed (debugfs fake_scrubber): the
 *   node appears, the free memory was scrubbed at once, every buffer freed
 *   from then on (by userspace or by the importer) is scrubbed before its
 *   range is reused, a failing scrub quarantines the range instead, the
 *   importer never gets a buffer that does not read as zeroes, and a
 *   second scrubber is refused.
 * optin: the region has the property: the node exists without a scrubber
 *   and allocation works.
 *
 * Output is TAP, one line per check.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-lib.h"

#define IMP_DBG		DEBUGFS_DIR "/dma_heap_test_importer"
#define IMP_DRV		"/sys/bus/platform/drivers/dma-heap-test-importer"
#define SCRUBBER_NAME	"dma-heap-test-importer"
#define MAX_LOG		256

static char heap[NAME_MAX + 1];
static char imp[PATH_MAX];	/* the importer's debugfs directory */

/* A key of the heap's stats, as text. */
static bool stat_str(const char *key, char *out, size_t len)
{
	char path[PATH_MAX], text[4096], *line, *save;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "%s/%s/stats", HEAP_DEBUGFS_DIR, heap);
	if (read_text(path, text, sizeof(text)))
		return false;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && !strncmp(line + klen, ": ", 2)) {
			snprintf(out, len, "%s", line + klen + 2);
			return true;
		}
	}

	return false;
}

static __u64 stat_num(const char *key)
{
	char val[64];

	return stat_str(key, val, sizeof(val)) ? strtoull(val, NULL, 0) : ~0ULL;
}

/* The first heap whose stats say cpu_access none. */
static bool find_protected_heap(void)
{
	struct heap_stats st;
	struct dirent *de;
	DIR *dir;

	dir = opendir(HEAP_DEBUGFS_DIR);
	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (heap_stats_read(de->d_name, &st) ||
		    strcmp(st.cpu_access, "none"))
			continue;
		snprintf(heap, sizeof(heap), "%s", de->d_name);
		break;
	}
	closedir(dir);

	return heap[0];
}

static bool find_importer(void)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(IMP_DRV);
	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s/of_node", IMP_DRV, de->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(imp, sizeof(imp), "%s/%s", IMP_DBG, de->d_name);
		break;
	}
	closedir(dir);

	return imp[0];
}

/* Write @val to an importer file; returns 0 or -errno. */
static int imp_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;

	return ret;
}

struct scrub_entry {
	__u64 phys, size;
};

/* The fake scrubber's log, oldest first; returns the number of entries. */
static int scrub_log(struct scrub_entry *log)
{
	char line[128];
	int n = 0;
	FILE *f;

	f = fopen(IMP_DBG "/scrubbed", "r");
	if (!f)
		return -errno;
	while (n < MAX_LOG && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %llu", &log[n].phys, &log[n].size) == 2)
			n++;
	}
	fclose(f);

	return n;
}

/* The last logged scrub is exactly @phys+@size. */
static bool last_scrub_is(__u64 phys, __u64 size)
{
	struct scrub_entry log[MAX_LOG];
	int n = scrub_log(log);

	return n > 0 && log[n - 1].phys == phys && log[n - 1].size == size;
}

static bool heap_node_exists(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, heap);
	return !access(path, F_OK);
}

/* Allocate @len from the heap's node; its physical range in @phys. */
static int user_alloc(__u64 len, __u64 *phys)
{
	__u64 size;
	int fd, ret;

	fd = heap_alloc_name(heap, len);
	if (fd < 0)
		return fd;
	ret = heap_buffer_phys(heap, fd, phys, &size);
	if (ret) {
		close(fd);
		return ret;
	}

	return fd;
}

static void test_optin(void)
{
	char val[64] = "";
	__u64 phys;
	int fd;

	tap(heap_node_exists(), "%s: %s/%s exists without a scrubber", heap,
	    HEAP_DEV_DIR, heap);
	tap(stat_str("scrubber", val, sizeof(val)) && !strcmp(val, "none"),
	    "%s: no scrubber (%s)", heap, val);
	tap(stat_str("userspace", val, sizeof(val)) && !strcmp(val, "yes"),
	    "%s: stats say userspace: %s", heap, val);
	fd = user_alloc(1 << 20, &phys);
	tap(fd >= 0, "%s: userspace allocates 1 MiB: %s", heap,
	    fd < 0 ? strerror(-fd) : "ok");
	if (fd >= 0)
		close(fd);
}

static void test_default(void)
{
	static const __u64 sizes[] = {
		4096, 65536, 1 << 20, 12288, 2 << 20, 4096, 262144, 8192,
	};
	struct scrub_entry log[MAX_LOG];
	__u64 phys, qphys, scrubbed, free_before;
	char val[64] = "";
	unsigned int i, ok;
	int fd, ret, n;

	/* Kernel only until something can scrub it. */
	tap(!heap_node_exists(), "%s: no %s/%s without a scrubber", heap,
	    HEAP_DEV_DIR, heap);
	tap(stat_str("userspace", val, sizeof(val)) && !strcmp(val, "no"),
	    "%s: stats say userspace: %s", heap, val);
	tap(stat_str("scrubber", val, sizeof(val)) && !strcmp(val, "none"),
	    "%s: no scrubber yet (%s)", heap, val);
	fd = heap_alloc_name(heap, 4096);
	tap(fd == -ENOENT, "%s: userspace cannot allocate (%s)", heap,
	    fd < 0 ? strerror(-fd) : "allocated");
	if (fd >= 0)
		close(fd);
	ret = imp_write(imp, "create", "65536");
	tap(!ret, "importer allocates from the kernel-only heap: %s",
	    ret ? strerror(-ret) : "ok");
	ret = imp_write(imp, "destroy", "all");
	tap(!ret, "importer frees its buffers: %s", ret ? strerror(-ret) : "ok");

	/* The fake scrubber: the heap scrubs its free memory and appears. */
	free_before = stat_num("size") - stat_num("used");
	ret = imp_write(imp, "fake_scrubber", "1");
	tap(!ret, "fake scrubber installed: %s", ret ? strerror(-ret) : "ok");
	tap(stat_str("scrubber", val, sizeof(val)) &&
	    !strcmp(val, SCRUBBER_NAME), "%s: stats name the scrubber (%s)",
	    heap, val);
	tap(heap_node_exists(), "%s: %s/%s appeared", heap, HEAP_DEV_DIR, heap);
	tap(stat_str("userspace", val, sizeof(val)) && !strcmp(val, "yes"),
	    "%s: stats say userspace: %s", heap, val);
	n = scrub_log(log);
	for (scrubbed = 0, i = 0; n > 0 && i < (unsigned int)n; i++)
		scrubbed += log[i].size;
	tap(scrubbed == free_before,
	    "free memory scrubbed at installation: %llu of %llu bytes in %d ranges",
	    scrubbed, free_before, n);
	ret = imp_write(imp, "fake_scrubber", "1");
	tap(ret == -EBUSY, "a second scrubber is refused: %s",
	    ret ? strerror(-ret) : "accepted");

	/* Every userspace free is scrubbed, exactly the buffer's range. */
	for (ok = 0, i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fd = user_alloc(sizes[i], &phys);
		if (fd < 0) {
			fail("alloc(%llu): %s", sizes[i], strerror(-fd));
			continue;
		}
		close(fd);
		if (last_scrub_is(phys, sizes[i]))
			ok++;
		else
			fail("buffer 0x%llx+%llu freed without its scrub", phys,
			     sizes[i]);
	}
	tap(ok == i, "%u of %u userspace buffers scrubbed when freed", ok, i);

	/* Importer buffers: scrubbed on free, zero when handed out again. */
	for (ok = 0, i = 0; i < 8; i++) {
		ret = imp_write(imp, "create", i & 1 ? "65536" : "1048576");
		if (!ret)
			ret = imp_write(imp, "destroy", "all");
		if (!ret)
			ok++;
		else
			fail("importer create/destroy %u: %s", i, strerror(-ret));
	}
	tap(ok == 8, "importer create/destroy with the scrubber: %u of 8", ok);
	fd = user_alloc(65536, &phys);
	if (fd >= 0)
		close(fd);
	ret = imp_write(imp, "create", "65536");
	if (!ret)
		ret = imp_write(imp, "destroy", "all");
	tap(!ret && !read_u64(IMP_DBG "/dirty_allocs", &scrubbed) && !scrubbed,
	    "importer never got a buffer that was not scrubbed (%llu dirty)",
	    scrubbed);

	/* A failing scrub: the range is quarantined, never reused. */
	fd = user_alloc(65536, &qphys);
	tap(fd >= 0, "alloc before a failing scrub: %s",
	    fd < 0 ? strerror(-fd) : "ok");
	if (fd < 0)
		return;
	n = scrub_log(log);
	ret = imp_write(IMP_DBG, "scrub_fail", "1");
	close(fd);
	tap(!ret && stat_num("quarantined") == 65536,
	    "failed scrub quarantines the range (quarantined %llu)",
	    stat_num("quarantined"));
	/* The log holds the last MAX_LOG scrubs: far fewer ran here. */
	tap(n >= 0 && n < MAX_LOG && scrub_log(log) == n,
	    "the failed scrub is not logged as done (%d scrubs before and after)",
	    n);
	for (ok = 0, i = 0; i < 4; i++) {
		fd = user_alloc(65536, &phys);
		if (fd < 0)
			break;
		if (phys != qphys)
			ok++;
		close(fd);
	}
	tap(ok == 4, "quarantined range 0x%llx never handed out again (%u of 4)",
	    qphys, ok);
}

int main(int argc, char **argv)
{
	bool optin = argc > 1 && !strcmp(argv[1], "optin");

	printf("TAP version 13\n");
	if (!find_protected_heap()) {
		printf("Bail out! no protected (cpu_access: none) heap\n");
		return 1;
	}
	printf("# protected heap: %s\n", heap);

	if (optin) {
		test_optin();
	} else {
		if (!find_importer()) {
			printf("Bail out! test importer not bound\n");
			return 1;
		}
		test_default();
	}

	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_tests - tap_failures, tap_failures);

	return tap_failures || nr_errors;
}
