// SPDX-License-Identifier: GPL-2.0
/*
 * heaps-bench: what the dma-buf heaps of this machine cost, side by side
 * with the system heap and with zeroing memory the program already owns.
 *
 * For every heap in /dev/dma_heap (discovered, never assumed):
 *  - the largest buffer it can allocate, found by allocating;
 *  - alloc+free latency (DMA_HEAP_IOCTL_ALLOC + close) at 4 KiB, 64 KiB,
 *    1 MiB, 16 MiB and that largest size;
 *  - for heaps the CPU may access: mmap + first touch of every page, and a
 *    sequential read of an already mapped buffer, each bracketed by
 *    DMA_BUF_IOCTL_SYNC as a real user does;
 * then memset() of every size measured in a buffer the program owns (the
 * zeroing limit), and for every heap with a debugfs stats file (carveouts
 * and other contiguous regions) a seeded churn of random-size alloc/free
 * at about 70 % fill, followed by the largest allocatable block (binary
 * search by allocation) as a fraction of the free space.
 *
 * Times come from clock_gettime(CLOCK_MONOTONIC); each point reports the
 * median and the 99th percentile.  Results are printed at the end as CSV
 * rows, "@@@ CSV <file> <row>", which the host collects into build/bench/
 * (harness/scripts/bench.py) and turns into the table of ratios.  Nothing
 * is printed while measuring: console output under emulation is slow.
 *
 * Usage: heaps-bench [--smoke] [--seed N] [--ops N]
 *   --smoke  a few iterations at 4 KiB and 64 KiB and a short churn: checks
 *            that the program and its output work, measures nothing useful.
 *
 * Exits non-zero when an allocation that must work fails or a result is
 * inconsistent (for example a block larger than the heap says is free).
 */
#define _GNU_SOURCE
#define __SANE_USERSPACE_TYPES__	/* __u64 is unsigned long long */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#define HEAP_DEV_DIR		"/dev/dma_heap"
#define HEAP_DEBUGFS_DIR	"/sys/kernel/debug/dma_heap"

#define SZ_4K			4096ULL
#define SZ_64K			(64 * 1024ULL)
#define SZ_1M			(1024 * 1024ULL)
#define SZ_16M			(16 * SZ_1M)

/*
 * The system heap can hand out most of RAM; searching for its limit would
 * only wake the OOM killer. Stop at a size beyond every region of the demo
 * layout instead and report the cap.
 */
#define SEARCH_CAP		(256 * SZ_1M)

#define MAX_HEAPS		64
#define MAX_SIZES		16
#define MAX_LIVE		4096

/* Churn: fill target, smallest buffer, largest as a fraction of the heap. */
#define CHURN_FILL_PCT		70
#define CHURN_MIN		SZ_4K
#define CHURN_MAX_DIV		16

struct heap {
	char name[NAME_MAX + 1];
	const char *kind;	/* system, region, other */
	bool cpu;		/* CPU access (mmap) allowed */
	bool stats;		/* debugfs stats file: contiguous region */
	char cpu_access[32];	/* from stats, or probed */
	__u64 largest;		/* largest allocation that worked */
	bool capped;		/* largest == SEARCH_CAP, the heap may hold more */
	int fd;
};

struct region_stats {
	__u64 size;
	__u64 used;
	__u64 largest_free;
	bool have_largest_free;
};

struct sample_set {
	__u64 *v;
	size_t n;
	size_t cap;
};

/* Rows of one CSV file, printed at the end. */
struct csv {
	const char *file;
	char *text;
	size_t len;
	size_t cap;
};

static struct heap heaps[MAX_HEAPS];
static int nr_heaps;
static long page_size;
static int errors;

static bool smoke;
static __u64 seed = 20261123;
static unsigned int churn_ops = 10000;

static struct csv csv_heaps = { .file = "heaps.csv" };
static struct csv csv_bench = { .file = "bench.csv" };
static struct csv csv_frag = { .file = "frag.csv" };

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errors++;
}

static void die_oom(void)
{
	fprintf(stderr, "error: out of memory\n");
	exit(2);
}

static void csv_add(struct csv *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(c->text + c->len, c->cap - c->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			die_oom();
		if (c->len + n + 2 <= c->cap)
			break;
		c->cap = (c->cap + n + 2) * 2;
		c->text = realloc(c->text, c->cap);
		if (!c->text)
			die_oom();
	}
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
}

static void csv_print(const struct csv *c)
{
	const char *p = c->text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		printf("@@@ CSV %s %.*s\n", c->file, (int)(nl - p), p);
		p = nl + 1;
	}
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* xorshift64*: a small seeded generator, the same sequence on every run */
static __u64 rng_state;

static __u64 rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;

	return rng_state * 2685821657736338717ULL;
}

static int read_text(const char *path, char *buf, size_t len)
{
	size_t total = 0;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (total < len - 1) {
		ret = read(fd, buf + total, len - 1 - total);
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
	buf[total] = '\0';

	return 0;
}

/*
 * The stats file of a contiguous heap (drivers/dma-buf/heaps/
 * contig_buffer.c): "key: value" lines, sizes in bytes.
 */
static int read_stats(const char *heap, struct region_stats *st,
		      char *cpu_access, size_t cpu_len)
{
	char path[PATH_MAX], text[4096], *line, *save, *val;
	bool have_size = false, have_used = false;
	int ret;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/%s/stats", HEAP_DEBUGFS_DIR, heap);
	ret = read_text(path, text, sizeof(text));
	if (ret)
		return ret;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		val = strstr(line, ": ");
		if (!val)
			continue;
		*val = '\0';
		val += 2;
		if (!strcmp(line, "size")) {
			st->size = strtoull(val, NULL, 10);
			have_size = true;
		} else if (!strcmp(line, "used")) {
			st->used = strtoull(val, NULL, 10);
			have_used = true;
		} else if (!strcmp(line, "largest_free")) {
			st->largest_free = strtoull(val, NULL, 10);
			st->have_largest_free = true;
		} else if (!strcmp(line, "cpu_access") && cpu_access) {
			snprintf(cpu_access, cpu_len, "%s", val);
		}
	}

	return have_size && have_used ? 0 : -EINVAL;
}

/* Allocate @len bytes from @h. Returns the dma-buf fd or -errno. */
static int heap_alloc(const struct heap *h, __u64 len)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(h->fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;

	return data.fd;
}

static bool heap_can_alloc(const struct heap *h, __u64 len)
{
	int fd = heap_alloc(h, len);

	if (fd < 0)
		return false;
	close(fd);

	return true;
}

static int buf_sync(int fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void samples_add(struct sample_set *s, __u64 ns)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die_oom();
	}
	s->v[s->n++] = ns;
}

/*
 * How many samples a point gets: at least a few, more for small sizes,
 * within a time budget so that a slow heap does not stall the run.
 */
static bool want_more(const struct sample_set *s, __u64 size, __u64 t_start)
{
	size_t min = smoke ? 3 : 11, max;

	if (smoke)
		return s->n < min;
	if (size <= SZ_4K)
		max = 2001;
	else if (size <= SZ_64K)
		max = 1001;
	else if (size <= SZ_1M)
		max = 301;
	else
		max = 101;
	if (s->n < min)
		return true;

	return s->n < max && now_ns() - t_start < 1500000000ULL;
}

static const char *size_label(__u64 size, char *buf, size_t len)
{
	if (!(size % SZ_1M))
		snprintf(buf, len, "%lluM", size / SZ_1M);
	else if (!(size % 1024))
		snprintf(buf, len, "%lluK", size / 1024);
	else
		snprintf(buf, len, "%llu", size);

	return buf;
}

/* Emit one bench.csv row and reset the samples. */
static void report(const char *heap, const char *kind, const char *test,
		   __u64 size, bool is_largest, struct sample_set *s)
{
	size_t p99;
	__u64 median;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	median = s->n % 2 ? s->v[s->n / 2] :
		 (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
	p99 = (s->n * 99 + 99) / 100;	/* ceil(0.99 n), 1-based */
	csv_add(&csv_bench, "%s,%s,%s,%llu,%s,%zu,%llu,%llu,%llu", heap, kind,
		test, size, is_largest ? "largest" : "fixed", s->n, median,
		s->v[p99 - 1], s->v[0]);
	s->n = 0;
}

static void bench_alloc_free(const struct heap *h, __u64 size, bool is_largest)
{
	struct sample_set s = { 0 };
	__u64 t0, t_start = now_ns();
	int fd;

	/* one allocation first: faults in the code paths, not timed */
	fd = heap_alloc(h, size);
	if (fd < 0) {
		fail("%s: allocating %llu bytes: %s", h->name, size, strerror(-fd));
		return;
	}
	close(fd);

	while (want_more(&s, size, t_start)) {
		t0 = now_ns();
		fd = heap_alloc(h, size);
		if (fd < 0) {
			fail("%s: allocating %llu bytes: %s", h->name, size,
			     strerror(-fd));
			break;
		}
		close(fd);
		samples_add(&s, now_ns() - t0);
	}
	report(h->name, h->kind, "alloc_free", size, is_largest, &s);
	free(s.v);
}

/*
 * mmap + first write to every page + munmap, then the sequential read of
 * a mapped buffer. The allocation itself is not timed here.
 */
static void bench_cpu(const struct heap *h, __u64 size, bool is_largest)
{
	struct sample_set touch = { 0 }, rd = { 0 };
	volatile __u64 sink = 0;
	__u64 t0, t_start = now_ns();
	int fd, ret;

	while (want_more(&touch, size, t_start)) {
		const __u64 *p, *end;
		__u64 sum = 0, off;
		char *map;

		fd = heap_alloc(h, size);
		if (fd < 0) {
			fail("%s: allocating %llu bytes: %s", h->name, size,
			     strerror(-fd));
			break;
		}

		t0 = now_ns();
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			fail("%s: mmap of %llu bytes: %s", h->name, size,
			     strerror(errno));
			close(fd);
			break;
		}
		ret = buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		for (off = 0; off < size; off += page_size)
			map[off] = (char)off;
		ret = ret ? ret : buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		munmap(map, size);
		samples_add(&touch, now_ns() - t0);

		map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			fail("%s: mmap of %llu bytes: %s", h->name, size,
			     strerror(errno));
			close(fd);
			break;
		}
		/* the first pass faults the mapping in; time the second */
		for (off = 0; off < size; off += page_size)
			sum += map[off];
		t0 = now_ns();
		ret = ret ? ret : buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		end = (const __u64 *)(map + size);
		for (p = (const __u64 *)map; p < end; p++)
			sum += *p;
		ret = ret ? ret : buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		samples_add(&rd, now_ns() - t0);
		sink += sum;
		munmap(map, size);
		close(fd);
		if (ret) {
			fail("%s: DMA_BUF_IOCTL_SYNC: %s", h->name, strerror(-ret));
			break;
		}
	}
	report(h->name, h->kind, "map_touch", size, is_largest, &touch);
	report(h->name, h->kind, "read", size, is_largest, &rd);
	free(touch.v);
	free(rd.v);
	(void)sink;
}

/* Zeroing a buffer the program owns (and has faulted in): the limit. */
static void bench_memset(__u64 size, bool is_largest)
{
	struct sample_set s = { 0 };
	__u64 t0, t_start;
	char *buf;

	buf = malloc(size);
	if (!buf) {
		fail("memset baseline: no memory for %llu bytes", size);
		return;
	}
	memset(buf, 1, size);
	t_start = now_ns();
	while (want_more(&s, size, t_start)) {
		t0 = now_ns();
		memset(buf, 0, size);
		/* keep the compiler from dropping the memset */
		__asm__ __volatile__("" : : "r"(buf) : "memory");
		samples_add(&s, now_ns() - t0);
	}
	report("memset", "baseline", "memset", size, is_largest, &s);
	free(s.v);
	free(buf);
}

/*
 * Largest allocation of @h, by allocating: try @hi (a known upper bound)
 * first, else double from 16 MiB until an allocation fails or the cap is
 * reached, then bisect at page granularity.
 */
static __u64 find_largest(struct heap *h, __u64 hi)
{
	__u64 lo = 0, mid;

	h->capped = false;
	if (hi) {
		if (heap_can_alloc(h, hi))
			return hi;
	} else {
		for (mid = SZ_16M; ; mid *= 2) {
			if (mid > SEARCH_CAP)
				mid = SEARCH_CAP;
			if (!heap_can_alloc(h, mid)) {
				hi = mid;
				break;
			}
			lo = mid;
			if (mid == SEARCH_CAP) {
				h->capped = true;
				return lo;
			}
		}
	}

	while (hi - lo > (__u64)page_size) {
		mid = lo + (hi - lo) / 2 / page_size * page_size;
		if (heap_can_alloc(h, mid))
			lo = mid;
		else
			hi = mid;
	}

	return lo;
}

struct live_buf {
	int fd;
	__u64 len;
};

/*
 * A random size between @min and @max, in whole pages, spread evenly over
 * the powers of two in between: as many 4-8 KiB buffers as 1-2 MiB ones.
 */
static __u64 churn_size(__u64 min, __u64 max)
{
	int lo = 63 - __builtin_clzll(min), hi = 63 - __builtin_clzll(max);
	int order = lo + rng_next() % (hi - lo + 1);
	__u64 len = (1ULL << order) + rng_next() % (1ULL << order);

	len = (len + page_size - 1) / page_size * page_size;

	return len < min ? min : len > max ? max : len;
}

/*
 * Fragmentation of a contiguous heap: a seeded churn of @ops operations
 * keeping the heap about CHURN_FILL_PCT full (allocate while below the
 * target, else free a random live buffer), then the largest block that can
 * still be allocated, found by bisection, against the free space the heap
 * reports.
 */
static void bench_frag(const struct heap *h)
{
	struct live_buf *live;
	struct region_stats st0, st;
	__u64 target, used = 0, len, free_bytes, largest, t0, t_churn;
	unsigned long allocs = 0, frees = 0, failed = 0;
	unsigned int op, nlive = 0, i;
	int fd;

	if (read_stats(h->name, &st0, NULL, 0)) {
		fail("%s: cannot read %s/%s/stats", h->name, HEAP_DEBUGFS_DIR,
		     h->name);
		return;
	}
	live = calloc(MAX_LIVE, sizeof(*live));
	if (!live)
		die_oom();

	rng_state = seed ^ 0x9e3779b97f4a7c15ULL;
	for (i = 0; h->name[i]; i++)
		rng_state = (rng_state ^ (unsigned char)h->name[i]) * 0x100000001b3ULL;
	if (!rng_state)
		rng_state = 1;

	target = (st0.size - st0.used) / 100 * CHURN_FILL_PCT;
	t0 = now_ns();
	for (op = 0; op < churn_ops; op++) {
		len = churn_size(CHURN_MIN, st0.size / CHURN_MAX_DIV);
		if (nlive < MAX_LIVE && (!nlive || used + len <= target)) {
			fd = heap_alloc(h, len);
			if (fd >= 0) {
				live[nlive].fd = fd;
				live[nlive].len = len;
				nlive++;
				used += len;
				allocs++;
				continue;
			}
			if (fd != -ENOMEM) {
				fail("%s: churn allocation of %llu bytes: %s",
				     h->name, len, strerror(-fd));
				break;
			}
			/* too fragmented for this size: free one instead */
			failed++;
			if (!nlive)
				continue;
		}
		i = rng_next() % nlive;
		close(live[i].fd);
		used -= live[i].len;
		live[i] = live[--nlive];
		frees++;
	}
	t_churn = now_ns() - t0;

	if (read_stats(h->name, &st, NULL, 0)) {
		fail("%s: cannot read its stats after the churn", h->name);
		st = st0;
	}
	free_bytes = st.size - st.used;
	largest = find_largest((struct heap *)h, free_bytes);
	if (st.have_largest_free && largest > st.largest_free)
		fail("%s: allocated %llu contiguous bytes, stats say the largest free block is %llu",
		     h->name, largest, st.largest_free);
	if (st.used != st0.used + used)
		fail("%s: stats say %llu bytes used, the churn holds %llu more than the %llu before",
		     h->name, st.used, used, st0.used);

	csv_add(&csv_frag, "%s,%llu,%llu,%u,%lu,%lu,%lu,%u,%llu,%llu,%llu,%llu,%.4f,%llu",
		h->name, st.size, seed, op, allocs, frees, failed,
		CHURN_FILL_PCT, st.used, free_bytes, largest,
		st.have_largest_free ? st.largest_free : 0ULL,
		free_bytes ? (double)largest / free_bytes : 0.0, t_churn);

	for (i = 0; i < nlive; i++)
		close(live[i].fd);
	free(live);
}

static int cmp_heap(const void *a, const void *b)
{
	const struct heap *x = a, *y = b;

	/* the system heap first: everything is compared with it */
	if (!strcmp(x->name, "system") != !strcmp(y->name, "system"))
		return strcmp(x->name, "system") ? 1 : -1;

	return strcmp(x->name, y->name);
}

/* Whether the CPU may map buffers of @h: ask the stats, else try. */
static void probe_cpu_access(struct heap *h)
{
	struct region_stats st;
	void *map;
	int fd;

	if (!read_stats(h->name, &st, h->cpu_access, sizeof(h->cpu_access))) {
		h->stats = true;
		h->kind = "region";
		h->cpu = strcmp(h->cpu_access, "none") != 0;
		return;
	}

	h->kind = strcmp(h->name, "system") ? "other" : "system";
	fd = heap_alloc(h, SZ_4K);
	if (fd < 0) {
		fail("%s: allocating 4 KiB: %s", h->name, strerror(-fd));
		return;
	}
	map = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	h->cpu = map != MAP_FAILED;
	snprintf(h->cpu_access, sizeof(h->cpu_access), "%s",
		 h->cpu ? "mappable" : "none");
	if (h->cpu)
		munmap(map, SZ_4K);
	close(fd);
}

static int discover(void)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(HEAP_DEV_DIR);
	if (!dir) {
		fail("%s: %s", HEAP_DEV_DIR, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		char path[PATH_MAX];
		struct heap *h;

		if (de->d_name[0] == '.')
			continue;
		if (nr_heaps == MAX_HEAPS) {
			fail("more than %d heaps", MAX_HEAPS);
			break;
		}
		h = &heaps[nr_heaps];
		snprintf(h->name, sizeof(h->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, h->name);
		h->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (h->fd < 0) {
			fail("%s: %s", path, strerror(errno));
			continue;
		}
		nr_heaps++;
	}
	closedir(dir);
	qsort(heaps, nr_heaps, sizeof(*heaps), cmp_heap);

	return nr_heaps ? 0 : -1;
}

static void add_size(__u64 *sizes, bool *largest, int *n, __u64 size,
		     bool is_largest)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (sizes[i] == size) {
			largest[i] |= is_largest;
			return;
		}
	}
	if (*n < MAX_SIZES) {
		sizes[*n] = size;
		largest[(*n)++] = is_largest;
	}
}

int main(int argc, char **argv)
{
	static const __u64 fixed[] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };
	static const __u64 fixed_smoke[] = { SZ_4K, SZ_64K };
	const __u64 *std = smoke ? fixed_smoke : fixed;
	__u64 all_sizes[MAX_SIZES];
	bool all_largest[MAX_SIZES];
	int n_all = 0, nstd, i, j, k;
	struct heap *sys = NULL;
	__u64 t_run = now_ns();
	char lbl[32];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			smoke = true;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			churn_ops = strtoul(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: %s [--smoke] [--seed N] [--ops N]\n",
				argv[0]);
			return 2;
		}
	}
	if (smoke && churn_ops == 10000)
		churn_ops = 200;
	std = smoke ? fixed_smoke : fixed;
	nstd = smoke ? 2 : 4;
	page_size = sysconf(_SC_PAGESIZE);

	if (discover())
		return 1;

	csv_add(&csv_heaps, "heap,kind,cpu_access,largest,capped");
	csv_add(&csv_bench, "heap,kind,test,size,size_kind,n,median_ns,p99_ns,min_ns");
	csv_add(&csv_frag, "heap,size,seed,ops,allocs,frees,failed,fill_pct,used,free,largest_alloc,largest_free_stats,ratio,churn_ns");

	printf("heaps-bench%s: %d heaps, seed %llu\n", smoke ? " (smoke)" : "",
	       nr_heaps, seed);
	for (i = 0; i < nr_heaps; i++) {
		struct heap *h = &heaps[i];
		struct region_stats st;
		__u64 hi = 0;

		probe_cpu_access(h);
		if (!strcmp(h->name, "system"))
			sys = h;
		if (h->stats && !read_stats(h->name, &st, NULL, 0))
			hi = st.size - st.used;
		if (smoke && !h->stats)
			h->largest = SZ_1M;	/* no search: keep the smoke short */
		else
			h->largest = find_largest(h, hi);
		if (!h->largest)
			fail("%s: cannot allocate even one page", h->name);
		csv_add(&csv_heaps, "%s,%s,%s,%llu,%d", h->name, h->kind,
			h->cpu_access, h->largest, h->capped);
		printf("  %-24s %-7s cpu %-13s largest %s%s\n", h->name, h->kind,
		       h->cpu_access, size_label(h->largest, lbl, sizeof(lbl)),
		       h->capped ? " (search cap)" : "");
	}
	if (!sys)
		fail("no system heap: ratios against it are impossible");

	/*
	 * Every heap at the fixed sizes that fit and at its own largest size;
	 * the system heap and memset also at every other heap's largest size,
	 * so each of those has something to be compared with.
	 */
	for (j = 0; j < nstd; j++)
		add_size(all_sizes, all_largest, &n_all, std[j], false);
	for (i = 0; i < nr_heaps; i++) {
		if (heaps[i].largest && !heaps[i].capped && !smoke)
			add_size(all_sizes, all_largest, &n_all,
				 heaps[i].largest, true);
	}

	fflush(stdout);
	for (i = 0; i < nr_heaps; i++) {
		struct heap *h = &heaps[i];
		__u64 sizes[MAX_SIZES];
		bool largest[MAX_SIZES];
		int n = 0;

		if (!h->largest)
			continue;
		if (h == sys) {
			for (j = 0; j < n_all; j++)
				add_size(sizes, largest, &n, all_sizes[j],
					 all_sizes[j] == h->largest);
		} else {
			for (j = 0; j < nstd; j++) {
				if (std[j] <= h->largest)
					add_size(sizes, largest, &n, std[j], false);
			}
			if (!smoke)
				add_size(sizes, largest, &n, h->largest, true);
		}
		printf("  %s: alloc+free%s, %d sizes\n", h->name,
		       h->cpu ? ", map+touch, read" : " (no CPU access)", n);
		fflush(stdout);
		for (k = 0; k < n; k++) {
			bench_alloc_free(h, sizes[k], largest[k] && h != sys);
			if (h->cpu)
				bench_cpu(h, sizes[k], largest[k] && h != sys);
		}
	}

	printf("  memset baseline, %d sizes\n", n_all);
	fflush(stdout);
	for (j = 0; j < n_all; j++)
		bench_memset(all_sizes[j], false);

	for (i = 0; i < nr_heaps; i++) {
		if (!heaps[i].stats)
			continue;
		printf("  %s: churn of %u operations at %d%% fill\n",
		       heaps[i].name, churn_ops, CHURN_FILL_PCT);
		fflush(stdout);
		bench_frag(&heaps[i]);
	}

	csv_print(&csv_heaps);
	csv_print(&csv_bench);
	csv_print(&csv_frag);
	printf("heaps-bench: %d error(s), %.1f s\n", errors,
	       (now_ns() - t_run) / 1e9);

	return errors ? 1 : 0;
}
