// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the carveout dma-buf heaps exported from device-tree
 * reserved-memory regions (compatible "linux,dma-heap-carveout").
 *
 * The regions are discovered from /proc/device-tree/reserved-memory, and the
 * heap debugfs files (/sys/kernel/debug/dma_heap/<heap>/{stats,buffers}) are
 * used to learn where each region and each buffer lives, so the test has to
 * run as root with debugfs mounted.
 *
 * Every test runs on every carveout heap present and names the heap on
 * failure.
 */

#define _GNU_SOURCE
#define __SANE_USERSPACE_TYPES__	/* __u64 is unsigned long long */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/magic.h>
#include <drm/drm.h>

#include "../kselftest_harness.h"

#define DT_RESERVED_MEMORY	"/proc/device-tree/reserved-memory"
#define CARVEOUT_COMPATIBLE	"linux,dma-heap-carveout"
#define HEAP_DEV_DIR		"/dev/dma_heap"
#define DEBUGFS_DIR		"/sys/kernel/debug"
#define HEAP_DEBUGFS_DIR	DEBUGFS_DIR "/dma_heap"
#define DRI_DIR			"/dev/dri"
#define PLATFORM_DRIVERS_DIR	"/sys/bus/platform/drivers"

#define MAX_REGIONS		32
#define MAX_ALLOC_RANGES	8
#define MAX_PROP_LEN		1024
#define SZ_1M			(1024 * 1024)

/* Tests that allocate, clear or scan whole regions get more time. */
#define WHOLE_REGION_TIMEOUT	300

enum cpu_access {
	CPU_ACCESS_CACHED,
	CPU_ACCESS_WRITECOMBINE,
	CPU_ACCESS_NONE,
};

static const char * const cpu_access_names[] = {
	[CPU_ACCESS_CACHED] = "cached",
	[CPU_ACCESS_WRITECOMBINE] = "writecombine",
	[CPU_ACCESS_NONE] = "none",
};

/* Contents of /sys/kernel/debug/dma_heap/<heap>/stats */
struct heap_stats {
	char region[NAME_MAX + 1];
	__u64 base;
	__u64 size;
	enum cpu_access cpu_access;
	__u64 used;
	__u64 buffers;
	__u64 largest_free;
	/* Only for cpu_access none: */
	char scrubber[NAME_MAX + 1];	/* "none" if there is none */
	__u64 quarantined;
	bool userspace;			/* has a /dev/dma_heap node */
};

/* One line of /sys/kernel/debug/dma_heap/<heap>/buffers */
struct buf_entry {
	__u64 ino;
	__u64 phys;
	__u64 size;
};

struct buf_list {
	struct buf_entry *entries;
	size_t nr;
};

/* A carveout region described by the device tree */
struct carveout_region {
	char node[NAME_MAX + 1];	/* full node name, e.g. fb@50000000 */
	char name[NAME_MAX + 1];	/* heap name */
	bool has_reg;
	__u64 reg_base;
	__u64 reg_size;
	bool has_size;			/* dynamically placed region */
	__u64 size;
	__u64 alignment;
	int nr_ranges;
	__u64 range_base[MAX_ALLOC_RANGES];
	__u64 range_size[MAX_ALLOC_RANGES];
	enum cpu_access cpu_access;	/* expected from no-map/no-cpu-access */
	bool unscrubbed_ok;		/* linux,dma-heap-unscrubbed-user-access */
	const char *reject;		/* why the driver must refuse it */
	bool registered;		/* a heap for this node exists */
	bool kernel_only;		/* ... without a /dev/dma_heap node */
	int fd;				/* /dev/dma_heap/<name>, or -1 */
};

FIXTURE(carveout) {
	struct carveout_region regions[MAX_REGIONS];
	int nr_regions;
	struct carveout_region *heaps[MAX_REGIONS];
	int nr_heaps;
	size_t page;
	int vgem_fd;
};

/* Report a failure on one heap and keep going with the others. */
#define heap_fail(h, fmt, ...) do {					\
	TH_LOG("%s: " fmt, (h)->name, ##__VA_ARGS__);			\
	_metadata->exit_code = KSFT_FAIL;				\
} while (0)

static __u64 round_up_page(__u64 len, size_t page)
{
	return (len + page - 1) & ~((__u64)page - 1);
}

static ssize_t read_buf(const char *path, char *buf, size_t len)
{
	size_t total = 0;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	while (total < len) {
		ret = read(fd, buf + total, len - total);
		if (ret < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		if (!ret)
			break;
		total += ret;
	}
	close(fd);

	return total;
}

/* Read a whole text file into a NUL-terminated malloc()ed buffer. */
static char *read_text(const char *path, int *err)
{
	size_t len = 0, cap = 4096;
	char *buf, *tmp;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}

	buf = malloc(cap);
	if (!buf) {
		*err = -ENOMEM;
		close(fd);
		return NULL;
	}

	for (;;) {
		if (cap - len < 2) {
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				*err = -ENOMEM;
				goto err_free;
			}
			buf = tmp;
		}
		ret = read(fd, buf + len, cap - len - 1);
		if (ret < 0) {
			*err = -errno;
			goto err_free;
		}
		if (!ret)
			break;
		len += ret;
	}
	close(fd);
	buf[len] = '\0';

	return buf;

err_free:
	free(buf);
	close(fd);
	return NULL;
}

/* Device-tree helpers */

static ssize_t dt_prop(const char *node, const char *prop, void *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s%s%s", DT_RESERVED_MEMORY,
		 node, node[0] ? "/" : "", prop);

	return read_buf(path, buf, len);
}

static bool dt_has_prop(const char *node, const char *prop)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", DT_RESERVED_MEMORY, node, prop);

	return !access(path, F_OK);
}

static __u32 dt_u32(const char *node, const char *prop, __u32 def)
{
	unsigned char buf[4];

	if (dt_prop(node, prop, buf, sizeof(buf)) != sizeof(buf))
		return def;

	return (__u32)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
}

/* Big-endian cells, at most two of them (64 bits) */
static __u64 dt_cells(const unsigned char *p, __u32 cells)
{
	__u64 val = 0;
	__u32 i;

	for (i = 0; i < cells * 4; i++)
		val = val << 8 | p[i];

	return val;
}

/* Does a NUL-separated string list contain @str? */
static bool dt_stringlist_has(const char *list, ssize_t len, const char *str)
{
	size_t slen, want = strlen(str);
	ssize_t pos = 0;

	while (pos < len) {
		slen = strnlen(list + pos, len - pos);
		if (slen == want && !memcmp(list + pos, str, slen))
			return true;
		pos += slen + 1;
	}

	return false;
}

static bool dt_node_enabled(const char *node)
{
	char status[32];
	ssize_t len;

	len = dt_prop(node, "status", status, sizeof(status) - 1);
	if (len <= 0)
		return true;
	status[len] = '\0';

	return !strcmp(status, "okay") || !strcmp(status, "ok");
}

static bool dt_ranges_fit(const struct carveout_region *r)
{
	int i;

	for (i = 0; i < r->nr_ranges; i++)
		if (r->range_size[i] >= r->size)
			return true;

	return false;
}

/*
 * Fill in @r from the device-tree node @node.  Returns false if the node is
 * not an enabled carveout region.
 */
static bool dt_parse_region(const char *node, __u32 ac, __u32 sc,
			    size_t page, struct carveout_region *r)
{
	unsigned char cells[MAX_PROP_LEN];
	char str[MAX_PROP_LEN];
	ssize_t len;
	int i;

	len = dt_prop(node, "compatible", str, sizeof(str));
	if (len <= 0 || !dt_stringlist_has(str, len, CARVEOUT_COMPATIBLE))
		return false;
	if (!dt_node_enabled(node))
		return false;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	snprintf(r->node, sizeof(r->node), "%s", node);

	len = dt_prop(node, "linux,dma-heap-name", str, sizeof(str));
	if (len > 1 && str[len - 1] == '\0' && (size_t)len <= sizeof(r->name))
		memcpy(r->name, str, len);
	else
		snprintf(r->name, sizeof(r->name), "%s", node);

	len = dt_prop(node, "reg", cells, sizeof(cells));
	if (len >= (ssize_t)(4 * (ac + sc))) {
		r->has_reg = true;
		r->reg_base = dt_cells(cells, ac);
		r->reg_size = dt_cells(cells + 4 * ac, sc);
	}

	len = dt_prop(node, "size", cells, sizeof(cells));
	if (!r->has_reg && len == (ssize_t)(4 * sc)) {
		r->has_size = true;
		r->size = dt_cells(cells, sc);

		len = dt_prop(node, "alignment", cells, sizeof(cells));
		if (len == (ssize_t)(4 * sc))
			r->alignment = dt_cells(cells, sc);

		len = dt_prop(node, "alloc-ranges", cells, sizeof(cells));
		for (i = 0; len > 0 && i < MAX_ALLOC_RANGES; i++) {
			size_t off = i * 4 * (ac + sc);

			if (off + 4 * (ac + sc) > (size_t)len)
				break;
			r->range_base[i] = dt_cells(cells + off, ac);
			r->range_size[i] = dt_cells(cells + off + 4 * ac, sc);
		}
		r->nr_ranges = i;
	}

	r->unscrubbed_ok = dt_has_prop(node, "linux,dma-heap-unscrubbed-user-access");
	if (dt_has_prop(node, "no-cpu-access"))
		r->cpu_access = CPU_ACCESS_NONE;
	else if (dt_has_prop(node, "no-map"))
		r->cpu_access = CPU_ACCESS_WRITECOMBINE;
	else
		r->cpu_access = CPU_ACCESS_CACHED;

	/* Configurations the binding forbids and the driver must refuse */
	if (dt_has_prop(node, "reusable"))
		r->reject = "reusable";
	else if (r->cpu_access == CPU_ACCESS_NONE && !dt_has_prop(node, "no-map"))
		r->reject = "no-cpu-access without no-map";
	else if (!r->has_reg && !r->has_size)
		r->reject = "neither reg nor size";
	else if ((r->has_reg && !r->reg_size) || (r->has_size && !r->size))
		r->reject = "zero size";
	else if (r->has_reg && ((r->reg_base | r->reg_size) & (page - 1)))
		r->reject = "not page aligned";
	else if (r->has_size && (r->size & (page - 1)))
		r->reject = "size not page aligned";
	else if (r->nr_ranges && !dt_ranges_fit(r))
		r->reject = "no alloc-range can hold it";

	return true;
}

/* debugfs helpers */

static int parse_u64(const char *str, int base, __u64 *val)
{
	unsigned long long v;
	char *end;

	if (!*str || *str == '-' || *str == ' ')
		return -EINVAL;

	errno = 0;
	v = strtoull(str, &end, base);
	if (errno || *end)
		return -EINVAL;
	*val = v;

	return 0;
}

/*
 * Parse the stats file of heap @name.  The file has exactly one "key: value"
 * line per key; unknown or missing keys are an error.  On error a reason is
 * left in @why.
 */
static int parse_stats(const char *name, struct heap_stats *st,
		       char *why, size_t why_len)
{
	static const char * const keys[] = {
		"region", "base", "size", "cpu_access", "used", "buffers",
		"largest_free", "scrubber", "quarantined", "userspace",
	};
	/* Keys only heaps without CPU access have */
	const unsigned int nocpu_keys = 7;
	unsigned int seen = 0, k;
	char path[PATH_MAX];
	char *text, *line, *save, *val;
	__u64 *num;
	int err = 0;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/%s/stats", HEAP_DEBUGFS_DIR, name);
	text = read_text(path, &err);
	if (!text) {
		snprintf(why, why_len, "%s/stats: %s", name, strerror(-err));
		return err;
	}

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		val = strstr(line, ": ");
		if (!val) {
			snprintf(why, why_len, "malformed line '%s'", line);
			goto err_inval;
		}
		*val = '\0';
		val += 2;

		for (k = 0; k < ARRAY_SIZE(keys); k++)
			if (!strcmp(line, keys[k]))
				break;
		if (k == ARRAY_SIZE(keys)) {
			snprintf(why, why_len, "unknown key '%s'", line);
			goto err_inval;
		}
		if (seen & (1U << k)) {
			snprintf(why, why_len, "duplicate key '%s'", line);
			goto err_inval;
		}
		seen |= 1U << k;

		num = NULL;
		switch (k) {
		case 0:
			snprintf(st->region, sizeof(st->region), "%s", val);
			break;
		case 1:
			if (strncmp(val, "0x", 2) ||
			    parse_u64(val + 2, 16, &st->base)) {
				snprintf(why, why_len, "bad base '%s'", val);
				goto err_inval;
			}
			break;
		case 2:
			num = &st->size;
			break;
		case 3:
			for (st->cpu_access = 0;
			     st->cpu_access < ARRAY_SIZE(cpu_access_names);
			     st->cpu_access++)
				if (!strcmp(val, cpu_access_names[st->cpu_access]))
					break;
			if (st->cpu_access == ARRAY_SIZE(cpu_access_names)) {
				snprintf(why, why_len, "bad cpu_access '%s'", val);
				goto err_inval;
			}
			break;
		case 4:
			num = &st->used;
			break;
		case 5:
			num = &st->buffers;
			break;
		case 6:
			num = &st->largest_free;
			break;
		case 7:
			snprintf(st->scrubber, sizeof(st->scrubber), "%s", val);
			break;
		case 8:
			num = &st->quarantined;
			break;
		case 9:
			if (strcmp(val, "yes") && strcmp(val, "no")) {
				snprintf(why, why_len, "bad userspace '%s'", val);
				goto err_inval;
			}
			st->userspace = !strcmp(val, "yes");
			break;
		}
		if (num && parse_u64(val, 10, num)) {
			snprintf(why, why_len, "bad %s '%s'", line, val);
			goto err_inval;
		}
	}

	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		if (k >= nocpu_keys && st->cpu_access != CPU_ACCESS_NONE) {
			if (seen & (1U << k)) {
				snprintf(why, why_len, "key '%s' on a heap with CPU access",
					 keys[k]);
				goto err_inval;
			}
			continue;
		}
		if (!(seen & (1U << k))) {
			snprintf(why, why_len, "missing key '%s'", keys[k]);
			goto err_inval;
		}
	}
	free(text);

	return 0;

err_inval:
	free(text);
	return -EINVAL;
}

static bool get_stats(struct __test_metadata *_metadata,
		      const struct carveout_region *h, struct heap_stats *st)
{
	char why[256];

	if (parse_stats(h->name, st, why, sizeof(why))) {
		heap_fail(h, "cannot read stats: %s", why);
		return false;
	}

	return true;
}

/* Read the buffers listing of heap @h; entries must be freed by the caller. */
static bool get_buffers(struct __test_metadata *_metadata,
			const struct carveout_region *h, struct buf_list *list)
{
	struct buf_entry *tmp;
	char path[PATH_MAX];
	unsigned long long ino, phys, size;
	char *text, *line, *save;
	size_t cap = 0;
	int err = 0, n;

	list->entries = NULL;
	list->nr = 0;

	snprintf(path, sizeof(path), "%s/%s/buffers", HEAP_DEBUGFS_DIR, h->name);
	text = read_text(path, &err);
	if (!text) {
		heap_fail(h, "cannot read %s: %s", path, strerror(-err));
		return false;
	}

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		n = -1;
		if (sscanf(line, "%llu 0x%llx %llu%n", &ino, &phys, &size, &n) != 3 ||
		    n < 0 || line[n] != '\0') {
			heap_fail(h, "malformed buffers line '%s'", line);
			goto err_free;
		}
		if (list->nr == cap) {
			cap = cap ? 2 * cap : 16;
			tmp = realloc(list->entries, cap * sizeof(*tmp));
			if (!tmp) {
				heap_fail(h, "out of memory");
				goto err_free;
			}
			list->entries = tmp;
		}
		list->entries[list->nr].ino = ino;
		list->entries[list->nr].phys = phys;
		list->entries[list->nr].size = size;
		list->nr++;
	}
	free(text);

	return true;

err_free:
	free(text);
	free(list->entries);
	list->entries = NULL;
	list->nr = 0;
	return false;
}

/*
 * Look the dma-buf @buf_fd up in the buffers listing of @h: it must be listed
 * exactly once, i.e. be one contiguous physical range.
 */
static bool find_buffer(struct __test_metadata *_metadata,
			const struct carveout_region *h, int buf_fd,
			struct buf_entry *out)
{
	struct buf_list list;
	struct stat st;
	int found = 0;
	size_t i;

	if (fstat(buf_fd, &st)) {
		heap_fail(h, "fstat(dma-buf): %s", strerror(errno));
		return false;
	}

	if (!get_buffers(_metadata, h, &list))
		return false;

	for (i = 0; i < list.nr; i++) {
		if (list.entries[i].ino == (__u64)st.st_ino) {
			*out = list.entries[i];
			found++;
		}
	}
	free(list.entries);

	if (found != 1) {
		heap_fail(h, "dma-buf inode %llu listed %d times in buffers",
			  (unsigned long long)st.st_ino, found);
		return false;
	}

	return true;
}

/* Allocation helpers: return a dma-buf fd or -errno */

static int heap_alloc_flags(int heap_fd, __u64 len, __u32 fd_flags,
			    __u64 heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;

	return data.fd;
}

static int heap_alloc(const struct carveout_region *h, __u64 len)
{
	return heap_alloc_flags(h->fd, len, O_RDWR | O_CLOEXEC, 0);
}

static int buf_sync(int buf_fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	if (ioctl(buf_fd, DMA_BUF_IOCTL_SYNC, &sync))
		return -errno;

	return 0;
}

/* Map a whole buffer and bracket CPU access with DMA_BUF_IOCTL_SYNC. */
static void *buf_map_begin(struct __test_metadata *_metadata,
			   const struct carveout_region *h, int buf_fd,
			   size_t len)
{
	void *p;
	int ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	if (p == MAP_FAILED) {
		heap_fail(h, "mmap(%zu): %s", len, strerror(errno));
		return NULL;
	}

	ret = buf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	if (ret) {
		heap_fail(h, "DMA_BUF_IOCTL_SYNC(START): %s", strerror(-ret));
		munmap(p, len);
		return NULL;
	}

	return p;
}

static bool buf_map_end(struct __test_metadata *_metadata,
			const struct carveout_region *h, int buf_fd,
			void *p, size_t len)
{
	int ret;

	ret = buf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, len);
	if (ret) {
		heap_fail(h, "DMA_BUF_IOCTL_SYNC(END): %s", strerror(-ret));
		return false;
	}

	return true;
}

static void fill_pattern(void *p, size_t len, __u64 seed)
{
	__u64 *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		w[i] = seed ^ (i * sizeof(*w));
}

/* Returns the offset of the first mismatch, or -1 */
static ssize_t check_pattern(const void *p, size_t len, __u64 seed)
{
	const __u64 *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		if (w[i] != (seed ^ (i * sizeof(*w))))
			return i * sizeof(*w);

	return -1;
}

static ssize_t check_zero(const void *p, size_t len)
{
	const __u64 *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		if (w[i])
			return i * sizeof(*w);

	return -1;
}

static bool heap_is_empty(const struct heap_stats *st)
{
	return !st->buffers && !st->used;
}

static bool heap_mappable(const struct carveout_region *h)
{
	return h->cpu_access != CPU_ACCESS_NONE;
}

/* vgem, used as an importing device */

static int open_vgem(void)
{
	struct drm_version version;
	char path[PATH_MAX];
	struct dirent *de;
	char name[16];
	DIR *dir;
	int fd;

	dir = opendir(DRI_DIR);
	if (!dir)
		return -1;

	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "card", 4))
			continue;

		snprintf(path, sizeof(path), "%s/%s", DRI_DIR, de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;

		memset(&version, 0, sizeof(version));
		memset(name, 0, sizeof(name));
		version.name = name;
		version.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &version) &&
		    version.name_len == 4 && !strcmp(name, "vgem")) {
			closedir(dir);
			return fd;
		}
		close(fd);
	}
	closedir(dir);

	return -1;
}

static int vgem_import(int vgem_fd, int buf_fd, __u32 *handle)
{
	struct drm_prime_handle args = { .fd = buf_fd };

	*handle = 0;
	if (ioctl(vgem_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args))
		return -errno;
	*handle = args.handle;

	return 0;
}

static int vgem_close(int vgem_fd, __u32 handle)
{
	struct drm_gem_close args = { .handle = handle };

	if (ioctl(vgem_fd, DRM_IOCTL_GEM_CLOSE, &args))
		return -errno;

	return 0;
}

FIXTURE_SETUP(carveout)
{
	struct carveout_region *r;
	struct heap_stats st;
	char path[PATH_MAX];
	struct statfs sfs;
	struct dirent *de;
	char why[256];
	__u32 ac, sc;
	struct stat sb;
	DIR *dir;
	int i;

	self->page = sysconf(_SC_PAGESIZE);
	self->vgem_fd = -1;

	dir = opendir(DT_RESERVED_MEMORY);
	if (!dir)
		SKIP(return, "no %s", DT_RESERVED_MEMORY);

	ac = dt_u32("", "#address-cells", 2);
	sc = dt_u32("", "#size-cells", 1);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		closedir(dir);
		SKIP(return, "unsupported #address-cells/#size-cells %u/%u", ac, sc);
	}

	while ((de = readdir(dir)) && self->nr_regions < MAX_REGIONS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", DT_RESERVED_MEMORY, de->d_name);
		if (stat(path, &sb) || !S_ISDIR(sb.st_mode))
			continue;

		r = &self->regions[self->nr_regions];
		if (dt_parse_region(de->d_name, ac, sc, self->page, r))
			self->nr_regions++;
	}
	closedir(dir);

	if (!self->nr_regions)
		SKIP(return, "no %s regions in the device tree", CARVEOUT_COMPATIBLE);

	if (statfs(DEBUGFS_DIR, &sfs) || sfs.f_type != DEBUGFS_MAGIC)
		SKIP(return, "debugfs is not mounted on %s", DEBUGFS_DIR);
	if (geteuid())
		SKIP(return, "must run as root to read %s", HEAP_DEBUGFS_DIR);

	for (i = 0; i < self->nr_regions; i++) {
		r = &self->regions[i];
		if (r->reject)
			continue;

		/* The heap name may belong to another node (duplicate names) */
		if (parse_stats(r->name, &st, why, sizeof(why)) ||
		    strcmp(st.region, r->node))
			continue;

		/* Kernel only: the heap exists, userspace cannot reach it. */
		if (st.cpu_access == CPU_ACCESS_NONE && !st.userspace) {
			r->kernel_only = true;
			continue;
		}

		snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, r->name);
		r->fd = open(path, O_RDWR | O_CLOEXEC);
		if (r->fd < 0)
			continue;

		r->registered = true;
		self->heaps[self->nr_heaps++] = r;
	}

	self->vgem_fd = open_vgem();
}

FIXTURE_TEARDOWN(carveout)
{
	int i;

	for (i = 0; i < self->nr_regions; i++)
		if (self->regions[i].fd >= 0)
			close(self->regions[i].fd);
	if (self->vgem_fd >= 0)
		close(self->vgem_fd);
}

/* Is a platform driver with "carveout" in its name registered? */
static bool carveout_driver_present(void)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	dir = opendir(PLATFORM_DRIVERS_DIR);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir)))
		found = strstr(de->d_name, "carveout");
	closedir(dir);

	return found;
}

/*
 * A heap the CPU cannot clear reaches userspace only if something scrubs
 * it or the device tree accepts unscrubbed reuse.
 */
static const char *heap_should_be_kernel_only(const struct carveout_region *r,
					      const struct heap_stats *st)
{
	if (r->cpu_access != CPU_ACCESS_NONE || r->unscrubbed_ok)
		return NULL;
	if (strcmp(st->scrubber, "none"))
		return NULL;

	return "no-cpu-access, no scrubber and no linux,dma-heap-unscrubbed-user-access";
}

/*
 * Every valid carveout node got a heap with debugfs files and, unless it is
 * a protected heap nothing scrubs, a device node; no invalid node did.
 */
TEST_F(carveout, regions_registered)
{
	struct carveout_region *r;
	struct heap_stats st;
	char path[PATH_MAX];
	char why[256];
	int i, j;

	if (!self->nr_heaps && !carveout_driver_present())
		SKIP(return, "no carveout heap driver (CONFIG_DMABUF_HEAPS_CARVEOUT=n?)");

	for (i = 0; i < self->nr_regions; i++) {
		r = &self->regions[i];
		snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, r->name);

		if (r->reject) {
			if (!parse_stats(r->name, &st, why, sizeof(why)) &&
			    !strcmp(st.region, r->node))
				heap_fail(r, "node %s registered although %s",
					  r->node, r->reject);
			continue;
		}
		if (r->kernel_only) {
			if (parse_stats(r->name, &st, why, sizeof(why)))
				heap_fail(r, "no usable stats: %s", why);
			else if (!heap_should_be_kernel_only(r, &st))
				heap_fail(r, "node %s has no %s (scrubber %s)",
					  r->node, path, st.scrubber);
			else if (!access(path, F_OK))
				heap_fail(r, "kernel-only heap has %s", path);
			continue;
		}
		if (r->registered) {
			if (!parse_stats(r->name, &st, why, sizeof(why)) &&
			    heap_should_be_kernel_only(r, &st))
				heap_fail(r, "node %s has %s although %s", r->node,
					  path, heap_should_be_kernel_only(r, &st));
			continue;
		}

		/* With duplicate names exactly one node gets the heap */
		for (j = 0; j < self->nr_regions; j++)
			if (j != i && self->regions[j].registered &&
			    !strcmp(self->regions[j].name, r->name))
				break;
		if (j < self->nr_regions)
			continue;

		if (access(path, F_OK))
			heap_fail(r, "node %s has no %s", r->node, path);
		else if (parse_stats(r->name, &st, why, sizeof(why)))
			heap_fail(r, "node %s: no usable stats: %s", r->node, why);
		else
			heap_fail(r, "heap name taken by region %s, not by node %s",
				  st.region, r->node);
	}
}

/* The stats describe the device-tree region and are self-consistent. */
TEST_F(carveout, stats_match_dt)
{
	struct carveout_region *h;
	struct heap_stats st;
	struct buf_list list;
	__u64 used;
	size_t i;
	int n, k;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &st))
			continue;

		if (!st.size || ((st.base | st.size) & (self->page - 1)))
			heap_fail(h, "region 0x%llx+0x%llx not page aligned",
				  st.base, st.size);

		if (h->has_reg && (st.base != h->reg_base || st.size != h->reg_size))
			heap_fail(h, "stats region 0x%llx+0x%llx != DT reg 0x%llx+0x%llx",
				  st.base, st.size, h->reg_base, h->reg_size);

		if (h->has_size) {
			if (st.size != h->size)
				heap_fail(h, "size %llu != DT size %llu",
					  st.size, h->size);
			if (h->alignment && st.base % h->alignment)
				heap_fail(h, "base 0x%llx not aligned to 0x%llx",
					  st.base, h->alignment);
			for (k = 0; k < h->nr_ranges; k++)
				if (st.base >= h->range_base[k] &&
				    st.base + st.size <= h->range_base[k] + h->range_size[k])
					break;
			if (h->nr_ranges && k == h->nr_ranges)
				heap_fail(h, "region 0x%llx+0x%llx outside alloc-ranges",
					  st.base, st.size);
		}

		if (st.cpu_access != h->cpu_access)
			heap_fail(h, "cpu_access %s, DT says %s",
				  cpu_access_names[st.cpu_access],
				  cpu_access_names[h->cpu_access]);

		if (st.used > st.size || st.largest_free > st.size - st.used)
			heap_fail(h, "used %llu largest_free %llu inconsistent with size %llu",
				  st.used, st.largest_free, st.size);
		if (heap_is_empty(&st) && st.largest_free != st.size)
			heap_fail(h, "empty but largest_free %llu != size %llu",
				  st.largest_free, st.size);
		if (!st.buffers != !st.used)
			heap_fail(h, "buffers %llu but used %llu",
				  st.buffers, st.used);

		if (!get_buffers(_metadata, h, &list))
			continue;
		used = 0;
		for (i = 0; i < list.nr; i++) {
			used += list.entries[i].size;
			if (list.entries[i].phys < st.base ||
			    list.entries[i].phys + list.entries[i].size > st.base + st.size)
				heap_fail(h, "buffer %llu outside the region",
					  list.entries[i].ino);
		}
		if (list.nr != st.buffers || used != st.used)
			heap_fail(h, "listing: %zu buffers, %llu bytes; stats: %llu, %llu",
				  list.nr, used, st.buffers, st.used);
		free(list.entries);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/* Odd sizes are rounded up to whole pages. */
TEST_F(carveout, alloc_sizes)
{
	const size_t page = self->page;
	const __u64 sizes[] = {
		1, page - 1, page, page + 1, 4097, 3 * page - 1, SZ_1M + 1,
	};
	struct carveout_region *h;
	struct heap_stats st;
	unsigned int i;
	off_t end;
	int n, fd;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &st))
			continue;

		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			if (round_up_page(sizes[i], page) > st.largest_free) {
				TH_LOG("%s: only %llu bytes free, not trying %llu",
				       h->name, st.largest_free, sizes[i]);
				continue;
			}

			fd = heap_alloc(h, sizes[i]);
			if (fd < 0) {
				heap_fail(h, "alloc(%llu): %s", sizes[i],
					  strerror(-fd));
				continue;
			}

			end = lseek(fd, 0, SEEK_END);
			if (end != (off_t)round_up_page(sizes[i], page))
				heap_fail(h, "alloc(%llu) gave %jd bytes, expected %llu",
					  sizes[i], (intmax_t)end,
					  round_up_page(sizes[i], page));
			close(fd);
		}
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/*
 * Requests larger than the region fail with ENOMEM, or EINVAL where the
 * length does not fit a 32-bit kernel's size_t.
 */
static void check_too_big(struct __test_metadata *_metadata,
			  const struct carveout_region *h,
			  const struct heap_stats *st, size_t page)
{
	const __u64 too_big[] = {
		st->size + 1,
		st->size + page,
		2 * st->size,
		0x100000000ULL + st->size,
		-(__u64)page,	/* page aligned, still huge */
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(too_big); i++) {
		fd = heap_alloc(h, too_big[i]);
		if (fd >= 0) {
			heap_fail(h, "alloc(0x%llx) beyond the region succeeded",
				  too_big[i]);
			close(fd);
		} else if (fd != -ENOMEM &&
			   !(fd == -EINVAL && too_big[i] > (__u32)-page)) {
			/*
			 * A 32-bit kernel refuses a length that does not fit
			 * its size_t with EINVAL (userspace cannot tell a
			 * 32-bit kernel from a 64-bit one running it in
			 * compat mode).
			 */
			heap_fail(h, "alloc(0x%llx): %s, expected ENOMEM",
				  too_big[i], strerror(-fd));
		}
	}
}

/* The whole region can be allocated, and nothing more. */
TEST_F_TIMEOUT(carveout, alloc_limits, WHOLE_REGION_TIMEOUT)
{
	struct carveout_region *h;
	struct buf_entry be;
	struct heap_stats st;
	int n, fd, fd2;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &st))
			continue;

		check_too_big(_metadata, h, &st, self->page);

		if (!heap_is_empty(&st)) {
			TH_LOG("%s: %llu buffers live, not allocating the whole region",
			       h->name, st.buffers);
			continue;
		}

		fd = heap_alloc(h, st.size);
		if (fd < 0) {
			heap_fail(h, "alloc(whole region, %llu): %s", st.size,
				  strerror(-fd));
			continue;
		}
		if (lseek(fd, 0, SEEK_END) != (off_t)st.size)
			heap_fail(h, "whole-region buffer has the wrong size");
		if (find_buffer(_metadata, h, fd, &be) &&
		    (be.phys != st.base || be.size != st.size))
			heap_fail(h, "whole-region buffer at 0x%llx+%llu, region 0x%llx+%llu",
				  be.phys, be.size, st.base, st.size);

		fd2 = heap_alloc(h, self->page);
		if (fd2 >= 0) {
			heap_fail(h, "alloc(page) succeeded on a full heap");
			close(fd2);
		} else if (fd2 != -ENOMEM) {
			heap_fail(h, "alloc(page) on a full heap: %s, expected ENOMEM",
				  strerror(-fd2));
		}
		close(fd);

		/* Freed memory is available again */
		fd = heap_alloc(h, st.size);
		if (fd < 0)
			heap_fail(h, "whole region not allocatable after free: %s",
				  strerror(-fd));
		else
			close(fd);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/* Invalid requests are refused with EINVAL and allocate nothing. */
TEST_F(carveout, alloc_invalid_args)
{
	struct {
		const char *what;
		__u64 len;
		__u32 fd_flags;
		__u64 heap_flags;
	} cases[] = {
		{ "len 0", 0, O_RDWR | O_CLOEXEC, 0 },
		{ "len overflowing a page", ~0ULL, O_RDWR | O_CLOEXEC, 0 },
		{ "fd_flags ~(O_RDWR|O_CLOEXEC)", 4096, ~(O_RDWR | O_CLOEXEC), 0 },
		{ "fd_flags O_NONBLOCK", 4096, O_RDWR | O_NONBLOCK, 0 },
		{ "fd_flags O_APPEND", 4096, O_RDWR | O_APPEND, 0 },
		{ "heap_flags 0x1", 4096, O_RDWR | O_CLOEXEC, 1 },
		{ "heap_flags 0x111111", 4096, O_RDWR | O_CLOEXEC, 0x111111 },
		{ "heap_flags bit 63", 4096, O_RDWR | O_CLOEXEC, 1ULL << 63 },
	};
	struct dma_heap_allocation_data data;
	struct heap_stats before, after;
	struct carveout_region *h;
	unsigned int i;
	int n, fd;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &before))
			continue;

		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			fd = heap_alloc_flags(h->fd, cases[i].len, cases[i].fd_flags,
					      cases[i].heap_flags);
			if (fd >= 0) {
				heap_fail(h, "%s: allocation succeeded", cases[i].what);
				close(fd);
			} else if (fd != -EINVAL) {
				heap_fail(h, "%s: %s, expected EINVAL", cases[i].what,
					  strerror(-fd));
			}
		}

		/* The fd field is output only */
		memset(&data, 0, sizeof(data));
		data.len = self->page;
		data.fd = 1;
		data.fd_flags = O_RDWR | O_CLOEXEC;
		if (!ioctl(h->fd, DMA_HEAP_IOCTL_ALLOC, &data)) {
			heap_fail(h, "allocation with fd != 0 succeeded");
			close(data.fd);
		} else if (errno != EINVAL) {
			heap_fail(h, "allocation with fd != 0: %s, expected EINVAL",
				  strerror(errno));
		}

		if (get_stats(_metadata, h, &after) &&
		    (after.used != before.used || after.buffers != before.buffers))
			heap_fail(h, "failed allocations changed used %llu -> %llu",
				  before.used, after.used);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/* fd_flags become the dma-buf file's access mode and close-on-exec flag. */
TEST_F(carveout, alloc_fd_flags)
{
	struct carveout_region *h;
	int n, fd, fl;
	void *p;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];

		fd = heap_alloc_flags(h->fd, self->page, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0) {
			heap_fail(h, "alloc(O_RDWR | O_CLOEXEC): %s", strerror(-fd));
			continue;
		}
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			heap_fail(h, "O_CLOEXEC not applied");
		if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
			heap_fail(h, "O_RDWR buffer is not read-write");
		close(fd);

		fd = heap_alloc_flags(h->fd, self->page, O_RDONLY, 0);
		if (fd < 0) {
			heap_fail(h, "alloc(O_RDONLY): %s", strerror(-fd));
			continue;
		}
		fl = fcntl(fd, F_GETFD);
		if (fl < 0 || (fl & FD_CLOEXEC))
			heap_fail(h, "close-on-exec set without O_CLOEXEC");
		if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
			heap_fail(h, "O_RDONLY buffer is not read-only");

		if (heap_mappable(h)) {
			p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p != MAP_FAILED) {
				heap_fail(h, "writable mapping of an O_RDONLY buffer");
				munmap(p, self->page);
			} else if (errno != EACCES) {
				heap_fail(h, "mmap(PROT_WRITE) of O_RDONLY buffer: %s, not EACCES",
					  strerror(errno));
			}

			p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				heap_fail(h, "read-only mmap of O_RDONLY buffer: %s",
					  strerror(errno));
			else
				munmap(p, self->page);
		}
		close(fd);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/* The dma-buf exporter name is the heap name. */
TEST_F(carveout, exporter_name)
{
	struct carveout_region *h;
	char path[PATH_MAX];
	char *text, *exp;
	int n, fd, err;
	size_t len;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];

		fd = heap_alloc(h, self->page);
		if (fd < 0) {
			heap_fail(h, "alloc(page): %s", strerror(-fd));
			continue;
		}

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		text = read_text(path, &err);
		if (!text) {
			heap_fail(h, "%s: %s", path, strerror(-err));
			close(fd);
			continue;
		}

		exp = strstr(text, "\nexp_name:\t");
		if (!exp) {
			heap_fail(h, "no exp_name in %s", path);
		} else {
			exp += strlen("\nexp_name:\t");
			len = strcspn(exp, "\n");
			if (len != strlen(h->name) || strncmp(exp, h->name, len))
				heap_fail(h, "exporter name '%.*s'", (int)len, exp);
		}
		free(text);
		close(fd);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

static int cmp_phys(const void *a, const void *b)
{
	const struct buf_entry *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

/*
 * Buffers are single page-aligned physical ranges inside the region, of the
 * requested (rounded) size, and never overlap.
 */
TEST_F(carveout, placement)
{
	const size_t page = self->page;
	const __u64 sizes[] = {
		page, 3 * page, 1, SZ_1M + 1, 17 * page, 2 * SZ_1M,
	};
	struct buf_entry be[ARRAY_SIZE(sizes)];
	int fds[ARRAY_SIZE(sizes)];
	struct carveout_region *h;
	struct buf_list list;
	struct heap_stats st;
	unsigned int i, nr;
	size_t j;
	int n;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &st))
			continue;

		nr = 0;
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			__u64 want = round_up_page(sizes[i], page);

			if (!get_stats(_metadata, h, &st))
				break;
			if (want > st.largest_free)
				continue;

			fds[nr] = heap_alloc(h, sizes[i]);
			if (fds[nr] < 0) {
				heap_fail(h, "alloc(%llu): %s", sizes[i],
					  strerror(-fds[nr]));
				continue;
			}
			if (!find_buffer(_metadata, h, fds[nr], &be[nr])) {
				close(fds[nr]);
				continue;
			}

			if (be[nr].size != want)
				heap_fail(h, "alloc(%llu) listed with size %llu",
					  sizes[i], be[nr].size);
			if (be[nr].phys & (page - 1))
				heap_fail(h, "buffer at 0x%llx not page aligned",
					  be[nr].phys);
			if (be[nr].phys < st.base ||
			    be[nr].phys + be[nr].size > st.base + st.size)
				heap_fail(h, "buffer 0x%llx+%llu outside region 0x%llx+%llu",
					  be[nr].phys, be[nr].size, st.base, st.size);
			nr++;
		}
		if (!nr)
			TH_LOG("%s: no room for any test buffer", h->name);

		/* No two live buffers of the heap overlap */
		if (get_buffers(_metadata, h, &list)) {
			qsort(list.entries, list.nr, sizeof(*list.entries), cmp_phys);
			for (j = 1; j < list.nr; j++)
				if (list.entries[j - 1].phys + list.entries[j - 1].size >
				    list.entries[j].phys)
					heap_fail(h, "buffers %llu and %llu overlap",
						  list.entries[j - 1].ino, list.entries[j].ino);
			free(list.entries);
		}

		for (i = 0; i < nr; i++)
			close(fds[i]);
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/*
 * An allocation needs one free contiguous range: with two non-adjacent
 * quarters of the region free, half of it cannot be allocated.
 */
TEST_F_TIMEOUT(carveout, fragmentation, WHOLE_REGION_TIMEOUT)
{
	struct heap_stats st, cur;
	struct carveout_region *h;
	struct buf_entry be[4];
	int fds[4], tested = 0;
	int n, i, j, fd;
	__u64 q;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &st))
			continue;

		q = st.size / 4;
		if (!heap_is_empty(&st) || q & (self->page - 1)) {
			TH_LOG("%s: heap busy or size not a multiple of 4 pages, skipped",
			       h->name);
			continue;
		}
		tested++;

		for (i = 0; i < 4; i++) {
			fds[i] = heap_alloc(h, q);
			if (fds[i] < 0) {
				heap_fail(h, "alloc(quarter %d): %s", i, strerror(-fds[i]));
				break;
			}
			if (!find_buffer(_metadata, h, fds[i], &be[i])) {
				close(fds[i]);
				break;
			}
		}
		if (i < 4)
			goto out_close;

		if (get_stats(_metadata, h, &cur) && cur.largest_free)
			heap_fail(h, "full heap reports largest_free %llu",
				  cur.largest_free);

		/* Sort by address; the quarters tile the region */
		for (i = 0; i < 4; i++) {
			for (j = i + 1; j < 4; j++) {
				if (be[j].phys < be[i].phys) {
					struct buf_entry tb = be[i];
					int tf = fds[i];

					be[i] = be[j];
					be[j] = tb;
					fds[i] = fds[j];
					fds[j] = tf;
				}
			}
			if (be[i].phys != st.base + i * q)
				heap_fail(h, "quarter %d at 0x%llx, expected 0x%llx",
					  i, be[i].phys, st.base + i * q);
		}

		close(fds[0]);
		close(fds[2]);
		fds[0] = -1;
		fds[2] = -1;

		if (get_stats(_metadata, h, &cur) && cur.largest_free != q)
			heap_fail(h, "largest_free %llu with two separate %llu-byte holes",
				  cur.largest_free, q);

		fd = heap_alloc(h, 2 * q);
		if (fd >= 0) {
			heap_fail(h, "alloc(half) succeeded without a contiguous half free");
			close(fd);
		} else if (fd != -ENOMEM) {
			heap_fail(h, "alloc(half): %s, expected ENOMEM", strerror(-fd));
		}

		for (i = 0; i < 4; i += 2) {
			fds[i] = heap_alloc(h, q);
			if (fds[i] < 0)
				heap_fail(h, "alloc(quarter) into a hole: %s",
					  strerror(-fds[i]));
		}
		i = 4;
out_close:
		for (j = 0; j < i; j++)
			if (fds[j] >= 0)
				close(fds[j]);

		if (get_stats(_metadata, h, &cur) && cur.largest_free != cur.size)
			heap_fail(h, "largest_free %llu != size after freeing all",
				  cur.largest_free);
	}

	if (!tested)
		SKIP(return, "no empty carveout heap with a size of 4n pages");
}

/* Memory is zeroed before it is handed out again. */
TEST_F_TIMEOUT(carveout, zeroing, WHOLE_REGION_TIMEOUT)
{
	const __u64 seed = 0xa5a5a5a55a5a5a5aULL;
	struct carveout_region *h;
	struct heap_stats st;
	int n, fd, tested = 0;
	ssize_t off;
	size_t len;
	void *p;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!heap_mappable(h) || !get_stats(_metadata, h, &st))
			continue;
		if (!heap_is_empty(&st))
			TH_LOG("%s: heap busy, checking only the largest free range",
			       h->name);
		len = st.largest_free;
		if (!len)
			continue;
		tested++;

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "alloc(%zu): %s", len, strerror(-fd));
			continue;
		}
		p = buf_map_begin(_metadata, h, fd, len);
		if (!p) {
			close(fd);
			continue;
		}
		fill_pattern(p, len, seed);
		buf_map_end(_metadata, h, fd, p, len);
		close(fd);

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "second alloc(%zu): %s", len, strerror(-fd));
			continue;
		}
		p = buf_map_begin(_metadata, h, fd, len);
		if (!p) {
			close(fd);
			continue;
		}
		off = check_zero(p, len);
		if (off >= 0)
			heap_fail(h, "reallocated buffer not zeroed at offset 0x%zx", off);
		buf_map_end(_metadata, h, fd, p, len);
		close(fd);
	}

	if (!tested)
		SKIP(return, "no mappable carveout heap with free space");
}

/*
 * Mappings cannot reach beyond the buffer, not even by mremap(); mappings at
 * an offset see the right pages.
 */
TEST_F(carveout, mmap_bounds)
{
	const size_t page = self->page;
	const size_t len = 4 * page;
	const struct {
		size_t len;
		off_t off;
	} bad[] = {
		{ len + page, 0 },
		{ page, len },
		{ page, len + page },
		{ 2 * page, len - page },
		/* far past the end (off_t is 32 bits on 32-bit builds) */
		{ page, (off_t)1 << (sizeof(off_t) > 4 ? 40 : 30) },
	};
	struct carveout_region *h;
	int n, fd, tested = 0;
	unsigned int i;
	__u64 *w;
	void *p, *q;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!heap_mappable(h))
			continue;
		tested++;

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "alloc(%zu): %s", len, strerror(-fd));
			continue;
		}

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			q = mmap(NULL, bad[i].len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, bad[i].off);
			if (q != MAP_FAILED) {
				heap_fail(h, "mmap(len %zu, offset 0x%jx) of %zu bytes succeeded",
					  bad[i].len, (intmax_t)bad[i].off, len);
				munmap(q, bad[i].len);
			} else if (errno != EINVAL) {
				heap_fail(h, "mmap(len %zu, offset 0x%jx): %s, expected EINVAL",
					  bad[i].len, (intmax_t)bad[i].off, strerror(errno));
			}
		}

		p = buf_map_begin(_metadata, h, fd, len);
		if (!p) {
			close(fd);
			continue;
		}
		fill_pattern(p, len, 0x0123456789abcdefULL);

		/* A mapping must not grow beyond the buffer */
		q = mremap(p, len, len + page, MREMAP_MAYMOVE);
		if (q != MAP_FAILED) {
			heap_fail(h, "mremap() grew a mapping beyond the buffer");
			p = q;
			munmap((char *)q + len, page);
		}

		/* The third page mapped on its own */
		q = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * page);
		if (q == MAP_FAILED) {
			heap_fail(h, "mmap(page, offset 2 pages): %s", strerror(errno));
		} else {
			w = q;
			if (w[0] != (0x0123456789abcdefULL ^ (2 * page)) ||
			    w[page / 8 - 1] != (0x0123456789abcdefULL ^ (3 * page - 8)))
				heap_fail(h, "mapping at offset 2 pages shows the wrong data");
			w[1] = 0xfeedfacecafebeefULL;
			if (((__u64 *)p)[2 * page / 8 + 1] != 0xfeedfacecafebeefULL)
				heap_fail(h, "write through the offset mapping not visible");
			munmap(q, page);
		}

		/* A mapping shorter than the buffer is fine */
		q = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED) {
			heap_fail(h, "mmap(first page): %s", strerror(errno));
		} else {
			if (check_pattern(q, page, 0x0123456789abcdefULL) >= 0)
				heap_fail(h, "mapping of the first page shows the wrong data");
			munmap(q, page);
		}

		buf_map_end(_metadata, h, fd, p, len);
		close(fd);
	}

	if (!tested)
		SKIP(return, "no mappable carveout heap");
}

/* A MAP_SHARED mapping is shared with a forked child. */
TEST_F(carveout, mmap_fork)
{
	const __u64 seed = 0x5eed5eed00c0ffeeULL;
	const size_t len = 2 * self->page;
	struct carveout_region *h;
	int n, fd, status, tested = 0;
	ssize_t off;
	pid_t pid;
	void *p;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!heap_mappable(h))
			continue;
		tested++;

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "alloc(%zu): %s", len, strerror(-fd));
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			heap_fail(h, "mmap: %s", strerror(errno));
			close(fd);
			continue;
		}

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			heap_fail(h, "fork: %s", strerror(errno));
			munmap(p, len);
			close(fd);
			continue;
		}
		if (!pid) {
			if (buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
				_exit(1);
			fill_pattern(p, len, seed);
			if (buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
				_exit(2);
			_exit(0);
		}

		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			heap_fail(h, "child failed (status 0x%x)", status);
		} else if (buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
			heap_fail(h, "DMA_BUF_IOCTL_SYNC(START): %s", strerror(errno));
		} else {
			off = check_pattern(p, len, seed);
			if (off >= 0)
				heap_fail(h, "child's write not visible at offset 0x%zx", off);
			buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		}

		munmap(p, len);
		close(fd);
	}

	if (!tested)
		SKIP(return, "no mappable carveout heap");
}

static const __u64 bad_sync_flags[] = {
	DMA_BUF_SYNC_START,
	DMA_BUF_SYNC_END,
	DMA_BUF_SYNC_RW | 8,
	DMA_BUF_SYNC_RW | (1ULL << 63),
	~0ULL,
};

/* Invalid DMA_BUF_IOCTL_SYNC flags are refused before the exporter is asked. */
static void check_bad_sync(struct __test_metadata *_metadata,
			   const struct carveout_region *h, int fd)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_sync_flags); i++) {
		ret = buf_sync(fd, bad_sync_flags[i]);
		if (ret != -EINVAL)
			heap_fail(h, "sync flags 0x%llx: %s, expected EINVAL",
				  bad_sync_flags[i], ret ? strerror(-ret) : "success");
	}
}

/* CPU access bracketing works in every direction. */
TEST_F(carveout, cpu_sync)
{
	const __u64 dirs[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	struct carveout_region *h;
	int n, fd, ret, tested = 0;
	unsigned int i;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!heap_mappable(h))
			continue;
		tested++;

		fd = heap_alloc(h, self->page);
		if (fd < 0) {
			heap_fail(h, "alloc(page): %s", strerror(-fd));
			continue;
		}

		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			ret = buf_sync(fd, DMA_BUF_SYNC_START | dirs[i]);
			if (ret)
				heap_fail(h, "sync START|0x%llx: %s", dirs[i],
					  strerror(-ret));
			ret = buf_sync(fd, DMA_BUF_SYNC_END | dirs[i]);
			if (ret)
				heap_fail(h, "sync END|0x%llx: %s", dirs[i],
					  strerror(-ret));
		}
		check_bad_sync(_metadata, h, fd);
		close(fd);
	}

	if (!tested)
		SKIP(return, "no mappable carveout heap");
}

/*
 * A device can import the buffer; the import keeps the buffer alive after
 * its fd is closed.
 */
TEST_F(carveout, vgem_import)
{
	struct heap_stats before, st;
	struct carveout_region *h;
	__u32 handle, handle2;
	int n, fd, ret;

	if (self->vgem_fd < 0)
		SKIP(return, "no vgem device");

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &before))
			continue;

		fd = heap_alloc(h, self->page);
		if (fd < 0) {
			heap_fail(h, "alloc(page): %s", strerror(-fd));
			continue;
		}

		ret = vgem_import(self->vgem_fd, fd, &handle);
		if (ret) {
			heap_fail(h, "DRM_IOCTL_PRIME_FD_TO_HANDLE: %s", strerror(-ret));
			close(fd);
			continue;
		}
		ret = vgem_import(self->vgem_fd, fd, &handle2);
		if (ret || handle2 != handle)
			heap_fail(h, "second import: %s, handle %u (first %u)",
				  ret ? strerror(-ret) : "ok", handle2, handle);
		close(fd);

		if (get_stats(_metadata, h, &st) && st.buffers != before.buffers + 1)
			heap_fail(h, "imported buffer freed after its fd was closed");

		ret = vgem_close(self->vgem_fd, handle);
		if (ret)
			heap_fail(h, "DRM_IOCTL_GEM_CLOSE: %s", strerror(-ret));

		if (get_stats(_metadata, h, &st) &&
		    (st.buffers != before.buffers || st.used != before.used))
			heap_fail(h, "buffer not freed after the import was closed");
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/*
 * Protected (no-cpu-access) heaps allocate and can be imported, but the CPU
 * cannot map or sync them.
 */
TEST_F_TIMEOUT(carveout, protected, WHOLE_REGION_TIMEOUT)
{
	const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE };
	struct carveout_region *h;
	struct heap_stats st;
	int n, fd, ret, tested = 0;
	__u32 handle;
	unsigned int i;
	size_t len;
	void *p;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (heap_mappable(h) || !get_stats(_metadata, h, &st))
			continue;
		tested++;

		len = heap_is_empty(&st) ? st.size : SZ_1M;
		if (len > st.largest_free)
			len = self->page;

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "alloc(%zu): %s", len, strerror(-fd));
			continue;
		}

		for (i = 0; i < ARRAY_SIZE(prots); i++) {
			p = mmap(NULL, self->page, prots[i], MAP_SHARED, fd, 0);
			if (p != MAP_FAILED) {
				heap_fail(h, "mmap(prot %d) succeeded", prots[i]);
				munmap(p, self->page);
			} else if (errno != EPERM) {
				heap_fail(h, "mmap(prot %d): %s, expected EPERM", prots[i],
					  strerror(errno));
			}
		}

		ret = buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		if (ret != -EPERM)
			heap_fail(h, "sync START: %s, expected EPERM",
				  ret ? strerror(-ret) : "success");
		ret = buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		if (ret != -EPERM)
			heap_fail(h, "sync END: %s, expected EPERM",
				  ret ? strerror(-ret) : "success");
		check_bad_sync(_metadata, h, fd);

		if (self->vgem_fd < 0) {
			TH_LOG("%s: no vgem device, import not tested", h->name);
		} else {
			ret = vgem_import(self->vgem_fd, fd, &handle);
			if (ret)
				heap_fail(h, "DRM_IOCTL_PRIME_FD_TO_HANDLE: %s",
					  strerror(-ret));
			else
				vgem_close(self->vgem_fd, handle);
		}
		close(fd);
	}

	if (!tested)
		SKIP(return, "no protected (cpu_access: none) carveout heap");
}

static bool check_usage(struct __test_metadata *_metadata,
			const struct carveout_region *h,
			const struct heap_stats *before, __u64 used,
			__u64 buffers, const char *when)
{
	struct heap_stats st;

	if (!get_stats(_metadata, h, &st))
		return false;

	if (st.used != before->used + used ||
	    st.buffers != before->buffers + buffers) {
		heap_fail(h, "%s: used %llu buffers %llu, expected %llu and %llu", when,
			  st.used, st.buffers, before->used + used,
			  before->buffers + buffers);
		return false;
	}
	if (st.largest_free > st.size - st.used) {
		heap_fail(h, "%s: largest_free %llu > free %llu",
			  when, st.largest_free, st.size - st.used);
		return false;
	}

	return true;
}

/*
 * used/buffers follow allocations and frees; once everything is freed the
 * whole region is free and allocatable again.
 */
TEST_F_TIMEOUT(carveout, stats_accounting, WHOLE_REGION_TIMEOUT)
{
	const size_t page = self->page;
	const __u64 sizes[] = { page, 2 * page + 1, SZ_1M, 5 * page - 1 };
	int fds[ARRAY_SIZE(sizes)];
	struct heap_stats before, st;
	struct carveout_region *h;
	__u64 used, buffers;
	unsigned int i, nr;
	int n, fd;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!get_stats(_metadata, h, &before))
			continue;

		used = 0;
		buffers = 0;
		nr = 0;
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			if (!get_stats(_metadata, h, &st))
				break;
			if (round_up_page(sizes[i], page) > st.largest_free)
				continue;

			fds[nr] = heap_alloc(h, sizes[i]);
			if (fds[nr] < 0) {
				heap_fail(h, "alloc(%llu): %s", sizes[i],
					  strerror(-fds[nr]));
				continue;
			}
			used += round_up_page(sizes[i], page);
			buffers++;
			nr++;
			check_usage(_metadata, h, &before, used, buffers, "after alloc");
		}

		/* Free in a different order than allocated */
		for (i = 0; i < nr; i += 2) {
			used -= lseek(fds[i], 0, SEEK_END);
			buffers--;
			close(fds[i]);
			check_usage(_metadata, h, &before, used, buffers, "after free");
		}
		for (i = 1; i < nr; i += 2) {
			used -= lseek(fds[i], 0, SEEK_END);
			buffers--;
			close(fds[i]);
			check_usage(_metadata, h, &before, used, buffers, "after free");
		}

		if (!check_usage(_metadata, h, &before, 0, 0, "after freeing all") ||
		    !heap_is_empty(&before))
			continue;

		if (get_stats(_metadata, h, &st) && st.largest_free != st.size)
			heap_fail(h, "empty heap: largest_free %llu != size %llu",
				  st.largest_free, st.size);

		fd = heap_alloc(h, before.size);
		if (fd < 0) {
			heap_fail(h, "whole region not allocatable after frees: %s",
				  strerror(-fd));
			continue;
		}
		check_usage(_metadata, h, &before, before.size, 1, "whole region");
		close(fd);
		check_usage(_metadata, h, &before, 0, 0, "whole region freed");
	}

	if (!self->nr_heaps)
		SKIP(return, "no carveout heap registered");
}

/*
 * A buffer lives as long as an fd or a mapping refers to it, and is freed
 * when the last one goes away.
 */
TEST_F(carveout, buffer_lifetime)
{
	const __u64 seed = 0x1ee7c0de1ee7c0deULL;
	const size_t len = 2 * self->page;
	struct carveout_region *h;
	struct heap_stats before;
	int n, fd, fd2, tested = 0;
	void *p;

	for (n = 0; n < self->nr_heaps; n++) {
		h = self->heaps[n];
		if (!heap_mappable(h) || !get_stats(_metadata, h, &before))
			continue;
		tested++;

		fd = heap_alloc(h, len);
		if (fd < 0) {
			heap_fail(h, "alloc(%zu): %s", len, strerror(-fd));
			continue;
		}
		fd2 = dup(fd);
		close(fd);
		check_usage(_metadata, h, &before, len, 1, "closed one of two fds");

		p = buf_map_begin(_metadata, h, fd2, len);
		if (!p) {
			close(fd2);
			continue;
		}
		fill_pattern(p, len, seed);
		buf_sync(fd2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		close(fd2);
		check_usage(_metadata, h, &before, len, 1, "all fds closed, still mapped");

		/* No fd left to sync with: the mapping alone must stay usable */
		if (check_pattern(p, len, seed) >= 0)
			heap_fail(h, "mapping lost its data after the fds were closed");
		munmap(p, len);
		check_usage(_metadata, h, &before, 0, 0, "unmapped");
	}

	if (!tested)
		SKIP(return, "no mappable carveout heap");
}

TEST_HARNESS_MAIN
