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
 * zeroing limit), interleaved with the heaps, and again with no heap
 * clearing in the background (which could slow the interleaved one); for
 * heaps clearing ahead of allocation (a clear_backlog in their stats),
 * alloc+free of 16 MiB and of the largest size after the heap has been
 * idle (backlog empty), paired with 4 KiB alloc+free in the same state,
 * and 1 MiB and 16 MiB alloc+free back to back, with no time to clear;
 * and for every heap with a debugfs stats file (carveouts
 * and other contiguous regions) a seeded churn of random-size alloc/free
 * at about 70 % fill, followed by the largest allocatable block (binary
 * search by allocation) as a fraction of the free space.
 *
 * Times come from clock_gettime(CLOCK_MONOTONIC); each point reports the
 * median and the 99th percentile. The points of one size are measured in
 * interleaved rounds, one sample of each heap per round, so that load on
 * the host slows all of them alike. Results are printed at the end as CSV
 * rows, "@@@ CSV <file> <row>", which the host collects into build/bench/
 * (harness/scripts/bench.py) and turns into the table of ratios. Nothing
 * is printed while measuring: console output under emulation is slow.
 *
 * Usage: heaps-bench [--smoke] [--seed N] [--seeds N] [--ops N]
 *   --seed N   first churn seed (default 20261123)
 *   --seeds N  churn runs per heap, with seeds N, N+1, ... (default 7)
 *   --ops N    operations per churn (default 10000)
 *   --smoke    a few rounds at 4 KiB and 64 KiB and one short churn: checks
 *              that the program and its output work, measures nothing useful.
 *
 * Exits non-zero when an allocation that must work fails or a result is
 * inconsistent (for example a block larger than the heap says is free).
 */
#define _GNU_SOURCE
#define __SANE_USERSPACE_TYPES__	/* __u64 is unsigned long long */
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
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>

#include "guest-lib.h"

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
	char csv_name[NAME_MAX + 3];	/* quoted if it holds a comma */
	const char *kind;	/* system, cma, region, other */
	bool cpu;		/* CPU access (mmap) allowed */
	bool stats;		/* debugfs stats file: contiguous region */
	bool clears;		/* clears ahead of allocation (clear_backlog) */
	char cpu_access[32];	/* from stats, or probed */
	__u64 largest;		/* largest allocation that worked */
	bool capped;		/* largest == SEARCH_CAP, the heap may hold more */
	int fd;
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

static bool smoke;
static __u64 seed = 20261123;
static unsigned int churn_ops = 10000;
static unsigned int churn_seeds = 7;

static struct csv csv_heaps = { .file = "heaps.csv" };
static struct csv csv_bench = { .file = "bench.csv" };
static struct csv csv_frag = { .file = "frag.csv" };
static struct csv csv_dmem = { .file = "dmem.csv" };
static struct csv csv_idle = { .file = "idle.csv" };
static struct csv csv_tight = { .file = "tight.csv" };

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
	return xorshift64s(&rng_state);
}

/*
 * The stats file of a contiguous heap (drivers/dma-buf/heaps/
 * contig_buffer.c), which must give the size and the bytes used.
 */
static int read_stats(const char *heap, struct heap_stats *st)
{
	int ret = heap_stats_read(heap, st);

	if (ret)
		return ret;

	return st->have_size && st->have_used ? 0 : -EINVAL;
}

/* Allocate @len bytes from @h. Returns the dma-buf fd or -errno. */
static int alloc_buf(const struct heap *h, __u64 len)
{
	return heap_alloc(h->fd, len, O_RDWR | O_CLOEXEC, 0);
}

static bool heap_can_alloc(const struct heap *h, __u64 len)
{
	int fd = alloc_buf(h, len);

	if (fd < 0)
		return false;
	close(fd);

	return true;
}

/*
 * Wait until @h has cleared everything freed (its clear_backlog is 0).
 * Returns false, after reporting it, if that takes more than 30 s.
 */
static bool wait_idle(const struct heap *h)
{
	struct heap_stats st;
	int i;

	for (i = 0; i < 30000; i++) {
		if (read_stats(h->name, &st) || !st.have_clear_backlog) {
			fail("%s: no clear_backlog in its stats", h->name);
			return false;
		}
		if (!st.clear_backlog)
			return true;
		usleep(1000);
	}
	fail("%s: clear_backlog still %llu bytes after 30 s", h->name,
	     st.clear_backlog);

	return false;
}

/* No heap clears in the background: nothing competes with a measurement. */
static void wait_all_idle(void)
{
	int i;

	for (i = 0; i < nr_heaps; i++)
		if (heaps[i].clears)
			wait_idle(&heaps[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sort @s and return its median; @s must not be empty. */
static __u64 samples_median(struct sample_set *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);

	return s->n % 2 ? s->v[s->n / 2] :
	       (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
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
 * How many rounds a size gets: at least a few, more for small sizes, within
 * a time budget per measured point so that slow heaps do not stall the run.
 */
static bool want_more(size_t rounds, __u64 size, __u64 t_start, int points)
{
	size_t min = smoke ? 3 : 11, max;

	if (smoke)
		return rounds < min;
	if (size <= SZ_4K)
		max = 2001;
	else if (size <= SZ_64K)
		max = 1001;
	else if (size <= SZ_1M)
		max = 301;
	else
		max = 101;
	if (rounds < min)
		return true;

	return rounds < max &&
	       now_ns() - t_start < 1500000000ULL * (__u64)points;
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

/*
 * Median of the ratios @a[i] / @b[i] of samples taken in the same round, or
 * a negative value when the two sets were not sampled in the same rounds.
 * Pairing cancels most of the load on the host, which changes slowly
 * compared with one round.
 */
static double paired_ratio(const struct sample_set *a,
			   const struct sample_set *b)
{
	double *r, med;
	size_t i, j, n = a->n;

	if (!n || b->n != n)
		return -1;
	r = malloc(n * sizeof(*r));
	if (!r)
		die_oom();
	for (i = 0; i < n; i++)
		r[i] = b->v[i] ? (double)a->v[i] / b->v[i] : 0;
	/* insertion sort: a few thousand values at most */
	for (i = 1; i < n; i++) {
		double x = r[i];

		for (j = i; j && r[j - 1] > x; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
	med = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
	free(r);

	return med;
}

static void fmt_ratio(char *buf, size_t len, double r)
{
	if (r < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.4f", r);
}

/* Emit one bench.csv row. */
static void report(const char *heap, const char *kind, const char *test,
		   __u64 size, bool is_largest, struct sample_set *s,
		   double x_system, double x_memset)
{
	char xs[32], xm[32];

	size_t p99;
	__u64 median;

	if (!s->n)
		return;
	median = samples_median(s);
	p99 = (s->n * 99 + 99) / 100;	/* ceil(0.99 n), 1-based */
	fmt_ratio(xs, sizeof(xs), x_system);
	fmt_ratio(xm, sizeof(xm), x_memset);
	csv_add(&csv_bench, "%s,%s,%s,%llu,%s,%zu,%llu,%llu,%llu,%s,%s", heap,
		kind, test, size, is_largest ? "largest" : "fixed", s->n,
		median, s->v[p99 - 1], s->v[0], xs, xm);
}

/*
 * One measured point: a heap (or the memset baseline, @h == NULL) at one
 * size, with its samples.
 */
struct point {
	struct heap *h;
	__u64 size;
	bool is_largest;
	bool dead;		/* failed: no more samples */
	char *mem;		/* memset baseline: the program's own buffer */
	struct sample_set alloc_free, touch, read;
	/* paired ratios, see paired_ratio() */
	double af_x_system, af_x_memset, touch_x_system, read_x_system;
};

/* Allocate and free one buffer: DMA_HEAP_IOCTL_ALLOC + close. */
static int sample_alloc_free(struct point *pt)
{
	__u64 t0 = now_ns();
	int fd;

	fd = alloc_buf(pt->h, pt->size);
	if (fd < 0) {
		fail("%s: allocating %llu bytes: %s", pt->h->name, pt->size,
		     strerror(-fd));
		return fd;
	}
	/* the dma-buf is released before close() returns to userspace */
	close(fd);
	samples_add(&pt->alloc_free, now_ns() - t0);

	return 0;
}

/*
 * mmap + first write to every page + munmap, then the sequential read of
 * a mapped buffer, each bracketed by DMA_BUF_IOCTL_SYNC. The allocation is
 * not timed here.
 */
static int sample_cpu(struct point *pt)
{
	__u64 size = pt->size, sum = 0, off, t0, t1;
	const __u64 *p, *end;
	static volatile __u64 sink;
	int fd, ret;
	char *map;

	fd = alloc_buf(pt->h, size);
	if (fd < 0) {
		fail("%s: allocating %llu bytes: %s", pt->h->name, size,
		     strerror(-fd));
		return fd;
	}

	t0 = now_ns();
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	ret = buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	for (off = 0; off < size; off += page_size)
		map[off] = (char)off;
	ret = ret ? ret : buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(map, size);
	t1 = now_ns();
	if (ret)
		goto err;
	samples_add(&pt->touch, t1 - t0);

	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	/* a first pass faults the mapping in; time the second */
	for (off = 0; off < size; off += page_size)
		sum += map[off];
	t0 = now_ns();
	ret = buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	end = (const __u64 *)(map + size);
	for (p = (const __u64 *)map; p < end; p++)
		sum += *p;
	ret = ret ? ret : buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	t1 = now_ns();
	munmap(map, size);
	if (ret)
		goto err;
	samples_add(&pt->read, t1 - t0);
	sink += sum;
	close(fd);

	return 0;

err:
	fail("%s: CPU access to %llu bytes: %s", pt->h->name, size,
	     strerror(-ret));
	close(fd);

	return ret;
}

/* Zeroing a buffer the program owns (and has faulted in): the limit. */
static __u64 time_memset(char *mem, __u64 size)
{
	__u64 t0 = now_ns();

	memset(mem, 0, size);
	/* keep the compiler from dropping the memset */
	__asm__ __volatile__("" : : "r"(mem) : "memory");

	return now_ns() - t0;
}

static void sample_memset(struct point *pt)
{
	samples_add(&pt->alloc_free, time_memset(pt->mem, pt->size));
}

/*
 * Measure every point of one size in rounds: each round takes one sample
 * of each point, in an order shuffled every round (seeded: the same on
 * every run). Load on the host (other QEMU instances, the emulator's own
 * threads) then hits every heap alike, and the ratios stay meaningful when
 * the absolute times do not. Shuffled rather than rotated, no point always
 * follows the same one: what one heap's sample leaves behind (a TLB flush
 * of the emulator after munmap, memory being freed) lands on every other
 * heap alike.
 */
static void bench_size(struct point *pts, int npts)
{
	static struct sample_set mem_idle;
	__u64 t_start, order_rng = 0x6a09e667f3bcc909ULL ^ pts[0].size;
	size_t round;
	int *order, i, j;

	order = malloc(npts * sizeof(*order));
	if (!order)
		die_oom();
	for (i = 0; i < npts; i++)
		order[i] = i;

	/* one untimed pass first: faults in the code paths and the buffer */
	for (i = 0; i < npts; i++) {
		struct point *pt = &pts[i];
		int fd;

		if (!pt->h) {
			pt->mem = malloc(pt->size);
			if (!pt->mem) {
				fail("memset baseline: no memory for %llu bytes",
				     pt->size);
				pt->dead = true;
				continue;
			}
			memset(pt->mem, 1, pt->size);
			continue;
		}
		fd = alloc_buf(pt->h, pt->size);
		if (fd < 0) {
			fail("%s: allocating %llu bytes: %s", pt->h->name,
			     pt->size, strerror(-fd));
			pt->dead = true;
			continue;
		}
		close(fd);
	}

	t_start = now_ns();
	for (round = 0; want_more(round, pts[0].size, t_start, npts); round++) {
		/* Fisher-Yates */
		for (i = npts - 1; i > 0; i--) {
			int k = xorshift64s(&order_rng) % (i + 1), tmp = order[i];

			order[i] = order[k];
			order[k] = tmp;
		}
		for (j = 0; j < npts; j++) {
			struct point *pt = &pts[order[j]];

			if (pt->dead)
				continue;
			if (!pt->h) {
				sample_memset(pt);
				continue;
			}
			if (sample_alloc_free(pt) ||
			    (pt->h->cpu && sample_cpu(pt)))
				pt->dead = true;
		}
	}

	/*
	 * The heaps clearing ahead do so while the others are measured, and
	 * may slow the interleaved memset down. Measure it once more with
	 * every heap idle, unpaired: the tables show both.
	 */
	mem_idle.n = 0;
	if (!pts[npts - 1].dead) {
		wait_all_idle();
		sample_memset(&pts[npts - 1]);	/* warm up, not kept */
		pts[npts - 1].alloc_free.n--;
		for (round = 0; round < (smoke ? 3 : 21); round++)
			samples_add(&mem_idle, time_memset(pts[npts - 1].mem,
							   pts[npts - 1].size));
	}

	/* the system heap is the first point, memset the last */
	for (i = 0; i < npts; i++) {
		struct point *pt = &pts[i], *sys = &pts[0], *mem = &pts[npts - 1];
		bool have_sys = sys->h && !strcmp(sys->h->name, "system");

		pt->af_x_system = have_sys ?
			paired_ratio(&pt->alloc_free, &sys->alloc_free) : -1;
		pt->af_x_memset = paired_ratio(&pt->alloc_free, &mem->alloc_free);
		pt->touch_x_system = have_sys ?
			paired_ratio(&pt->touch, &sys->touch) : -1;
		pt->read_x_system = have_sys ?
			paired_ratio(&pt->read, &sys->read) : -1;
	}

	for (i = 0; i < npts; i++) {
		struct point *pt = &pts[i];

		if (!pt->h) {
			report("memset", "baseline", "memset", pt->size, false,
			       &pt->alloc_free, -1, -1);
			if (mem_idle.n)
				report("memset", "baseline", "memset_idle",
				       pt->size, false, &mem_idle, -1, -1);
		} else {
			report(pt->h->csv_name, pt->h->kind, "alloc_free",
			       pt->size, pt->is_largest, &pt->alloc_free,
			       pt->af_x_system, pt->af_x_memset);
			report(pt->h->csv_name, pt->h->kind, "map_touch",
			       pt->size, pt->is_largest, &pt->touch,
			       pt->touch_x_system, -1);
			report(pt->h->csv_name, pt->h->kind, "read",
			       pt->size, pt->is_largest, &pt->read,
			       pt->read_x_system, -1);
		}
		free(pt->alloc_free.v);
		free(pt->touch.v);
		free(pt->read.v);
		free(pt->mem);
	}
	free(order);
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
 * Fragmentation of a contiguous heap: a churn of churn_ops operations,
 * seeded by @run_seed,
 * keeping the heap about CHURN_FILL_PCT full (allocate while below the
 * target, else free a random live buffer), then the largest block that can
 * still be allocated, found by bisection, against the free space the heap
 * reports.
 */
static void bench_frag(const struct heap *h, __u64 run_seed)
{
	struct live_buf *live;
	struct heap_stats st0, st;
	__u64 target, used = 0, len, free_bytes, largest, t0, t_churn;
	unsigned long allocs = 0, frees = 0, failed = 0;
	unsigned int op, nlive = 0, i;
	int fd;

	if (read_stats(h->name, &st0)) {
		fail("%s: cannot read %s/%s/stats", h->name, HEAP_DEBUGFS_DIR,
		     h->name);
		return;
	}
	live = calloc(MAX_LIVE, sizeof(*live));
	if (!live)
		die_oom();

	rng_state = run_seed ^ 0x9e3779b97f4a7c15ULL;
	for (i = 0; h->name[i]; i++)
		rng_state = (rng_state ^ (unsigned char)h->name[i]) * 0x100000001b3ULL;
	if (!rng_state)
		rng_state = 1;

	target = (st0.size - st0.used) / 100 * CHURN_FILL_PCT;
	t0 = now_ns();
	for (op = 0; op < churn_ops; op++) {
		len = churn_size(CHURN_MIN, st0.size / CHURN_MAX_DIV);
		if (nlive < MAX_LIVE && (!nlive || used + len <= target)) {
			fd = alloc_buf(h, len);
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

	if (read_stats(h->name, &st)) {
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

	csv_add(&csv_frag, "%s,%llu,%llu,%u,%lu,%lu,%lu,%u,%llu,%llu,%llu,%llu,%.4f,%llu,%#llx,%d",
		h->csv_name, st.size, run_seed, op, allocs, frees, failed,
		CHURN_FILL_PCT, st.used, free_bytes, largest,
		st.have_largest_free ? st.largest_free : 0ULL,
		free_bytes ? (double)largest / free_bytes : 0.0, t_churn,
		st.base, h->clears);

	for (i = 0; i < nlive; i++)
		close(live[i].fd);
	free(live);
}

/* ---- large buffers from an idle heap ---- */

/* One alloc+free of @len bytes from @h once it is idle; 0 on failure. */
static __u64 idle_alloc_free(const struct heap *h, __u64 len)
{
	__u64 t0;
	int fd;

	if (!wait_idle(h))
		return 0;
	t0 = now_ns();
	fd = alloc_buf(h, len);
	if (fd < 0) {
		fail("%s: allocating %llu bytes when idle: %s", h->name, len,
		     strerror(-fd));
		return 0;
	}
	close(fd);

	return now_ns() - t0;
}

/*
 * What clearing ahead buys: alloc+free of @len bytes from the idle heap,
 * each paired with a 4 KiB alloc+free from the idle heap in the same
 * round. The ratio of the two is the target (issue 14: <= 3x).
 */
static void bench_idle(const struct heap *h, __u64 len, bool is_largest)
{
	struct sample_set big = { 0 }, small = { 0 };
	size_t round, rounds = smoke ? 3 : 21;
	__u64 tb, ts;

	/* No other heap clearing in the background either. */
	wait_all_idle();
	for (round = 0; round < rounds; round++) {
		tb = idle_alloc_free(h, len);
		ts = idle_alloc_free(h, SZ_4K);
		if (!tb || !ts)
			break;
		samples_add(&big, tb);
		samples_add(&small, ts);
	}
	if (big.n == rounds) {
		/* before samples_median() sorts the sets */
		double x = paired_ratio(&big, &small);
		__u64 med = samples_median(&big);

		csv_add(&csv_idle, "%s,%llu,%s,%zu,%llu,%llu,%llu,%.3f",
			h->csv_name, len, is_largest ? "largest" : "fixed",
			big.n, med, big.v[big.n - 1], samples_median(&small), x);
	}
	free(big.v);
	free(small.v);
}

/* Write @val to the file @path: 0 or -errno. */
static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Switch @h's background clearing on or off (debugfs clear_ahead). */
static bool set_clear_ahead(const struct heap *h, bool on)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/%s/clear_ahead", HEAP_DEBUGFS_DIR,
		 h->name);
	ret = write_file(path, on ? "1" : "0");
	if (ret)
		fail("%s: cannot switch clear_ahead %s: %s", h->name,
		     on ? "on" : "off", strerror(-ret));
	return !ret;
}

/*
 * @rounds alloc+free of @len bytes back to back on @h, nothing in
 * between, into @t; false on failure.
 */
static bool tight_series(const struct heap *h, __u64 len, size_t rounds,
			 struct sample_set *t)
{
	size_t i;
	__u64 t0;
	int fd;

	for (i = 0; i < rounds; i++) {
		t0 = now_ns();
		fd = alloc_buf(h, len);
		if (fd < 0) {
			fail("%s: allocating %llu bytes back to back: %s",
			     h->name, len, strerror(-fd));
			return false;
		}
		close(fd);
		samples_add(t, now_ns() - t0);
	}
	return true;
}

/*
 * The other extreme: alloc+free of @len bytes back to back on one heap,
 * nothing in between, so that the background clearing has no time to
 * catch up and allocations clear inline what it did not reach. Each
 * series is paired with one on the same heap with clear_ahead off, which
 * is what the heap cost before it cleared ahead: every allocation clears
 * its buffer itself. Passes alternate which of the two goes first; both
 * start from every heap idle. The ratio is paired_ratio() of the two
 * sets: every pass adds @rounds samples to each, so the i-th samples of
 * the two series of a pass are paired (issue 14: continuous churn no
 * worse than before, <= 1.0x).
 */
static void bench_tight(const struct heap *h, __u64 len)
{
	struct sample_set on = { 0 }, off = { 0 };
	size_t i, pass, passes = smoke ? 1 : 3, rounds = smoke ? 3 : 21;
	__u64 sum = 0, inline_bytes = 0;
	struct heap_stats st0, st1;
	bool ok = true;
	int k;

	for (pass = 0; ok && pass < passes; pass++) {
		for (k = 0; ok && k < 2; k++) {
			bool ahead = (k == 0) == !(pass & 1);

			/* Every heap idle: only this heap's own clearing competes. */
			wait_all_idle();
			if (!ahead && !set_clear_ahead(h, false)) {
				ok = false;
				break;
			}
			if (read_stats(h->name, &st0) || !st0.have_cleared_inline) {
				fail("%s: no cleared_inline in its stats", h->name);
				ok = false;
			}
			if (ok)
				ok = tight_series(h, len, rounds, ahead ? &on : &off);
			if (!ahead && !set_clear_ahead(h, true))
				ok = false;
			if (ok && ahead && read_stats(h->name, &st1)) {
				fail("%s: stats unreadable after back to back", h->name);
				ok = false;
			}
			if (ok && ahead)
				inline_bytes += st1.cleared_inline - st0.cleared_inline;
		}
	}
	/*
	 * The mean too: the throughput of a heap used back to back; and how
	 * much of it the allocations cleared themselves.
	 */
	if (ok) {
		/* before samples_median() sorts the sets */
		double x = paired_ratio(&on, &off);
		__u64 med;

		for (i = 0; i < on.n; i++)
			sum += on.v[i];
		med = samples_median(&on);
		csv_add(&csv_tight, "%s,%llu,%zu,%llu,%llu,%llu,%.1f,%llu,%.3f",
			h->csv_name, len, on.n, med, on.v[on.n - 1], sum / on.n,
			100.0 * inline_bytes / (len * on.n),
			samples_median(&off), x);
	}
	free(on.v);
	free(off.v);
}

/* ---- the cost of the dmem cgroup charge ---- */

#define CGROUP_DIR		"/sys/fs/cgroup"
#define BENCH_CGROUP		"heaps-bench-dmem"

static bool dmem_has_region(const char *name)
{
	char line[NAME_MAX + 64], want[NAME_MAX + 16];
	bool found = false;
	FILE *f = fopen(CGROUP_DIR "/dmem.capacity", "re");
	size_t n;

	if (!f)
		return false;
	n = snprintf(want, sizeof(want), "dma_heap/%s ", name);
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, n);
	fclose(f);
	return found;
}

/*
 * 4 KiB alloc+free of a region heap in the root cgroup and in a child
 * cgroup whose dmem.max for the heap's region is set. Both are charged:
 * the root cgroup's counter is the top of every hierarchy. Their ratio is
 * what a limit costs. The process moves between the two cgroups for each
 * block of DMEM_BLOCK samples (the move and one alloc+free after it are
 * not timed: a process allocating stays in its cgroup), the blocks
 * alternate which cgroup goes first, and the i-th samples of two blocks
 * are paired.
 */
#define DMEM_BLOCK	16

static int dmem_block(struct point *pt, const char *procs)
{
	int i;

	if (write_file(procs, "0") || !heap_can_alloc(pt->h, pt->size))
		return -1;
	for (i = 0; i < DMEM_BLOCK; i++)
		if (sample_alloc_free(pt))
			return -1;

	return 0;
}

/* One pass of bench_dmem() */
struct dmem_pass {
	size_t n;
	__u64 root_median, limited_median;
	double x_root;
};

/*
 * Passes over every heap, seconds apart; each heap's median pass is kept,
 * so that the host disturbing one pass does not decide its ratio.
 */
#define DMEM_PASSES	3

static int bench_dmem(struct heap *h, struct dmem_pass *res)
{
	struct point root = { .h = h, .size = SZ_4K };
	struct point limited = { .h = h, .size = SZ_4K };
	static const char root_procs[] = CGROUP_DIR "/cgroup.procs";
	static const char limited_procs[] = CGROUP_DIR "/" BENCH_CGROUP
					    "/cgroup.procs";
	char val[NAME_MAX + 64];
	__u64 t0 = now_ns();
	size_t rounds;

	if (snprintf(val, sizeof(val), "dma_heap/%s %llu", h->name,
		     16 * SZ_1M) >= (int)sizeof(val) ||
	    write_file(CGROUP_DIR "/" BENCH_CGROUP "/dmem.max", val)) {
		fail("%s: cannot set dmem.max", h->name);
		return -1;
	}
	for (rounds = 0; want_more(rounds, SZ_4K, t0, 2);
	     rounds += DMEM_BLOCK) {
		bool root_first = !((rounds / DMEM_BLOCK) & 1);
		struct point *first = root_first ? &root : &limited;
		struct point *second = root_first ? &limited : &root;

		if (dmem_block(first, root_first ? root_procs : limited_procs) ||
		    dmem_block(second, root_first ? limited_procs : root_procs))
			break;
	}
	write_file(root_procs, "0");
	if (root.alloc_free.n == limited.alloc_free.n && root.alloc_free.n) {
		double x = paired_ratio(&limited.alloc_free, &root.alloc_free);

		qsort(root.alloc_free.v, root.alloc_free.n, sizeof(__u64), cmp_u64);
		qsort(limited.alloc_free.v, limited.alloc_free.n, sizeof(__u64),
		      cmp_u64);
		res->n = root.alloc_free.n;
		res->root_median = root.alloc_free.v[root.alloc_free.n / 2];
		res->limited_median = limited.alloc_free.v[limited.alloc_free.n / 2];
		res->x_root = x;
	} else {
		fail("%s: dmem rounds incomplete", h->name);
	}
	free(root.alloc_free.v);
	free(limited.alloc_free.v);

	return res->n ? 0 : -1;
}

static int cmp_dmem_pass(const void *a, const void *b)
{
	const struct dmem_pass *x = a, *y = b;

	return (x->x_root > y->x_root) - (x->x_root < y->x_root);
}

static void bench_dmem_all(void)
{
	static struct dmem_pass res[MAX_HEAPS][DMEM_PASSES];
	static bool done[MAX_HEAPS];
	int i, pass, passes = smoke ? 1 : DMEM_PASSES;

	/* /init enables the controller for the root's children. */
	if (access(CGROUP_DIR "/dmem.capacity", R_OK)) {
		printf("  no dmem cgroup controller: charge cost not measured\n");
		return;
	}
	if (mkdir(CGROUP_DIR "/" BENCH_CGROUP, 0755) && errno != EEXIST) {
		fail("cannot make the cgroup %s: %s", BENCH_CGROUP,
		     strerror(errno));
		return;
	}
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < nr_heaps; i++) {
			if (!heaps[i].stats || !heaps[i].largest ||
			    !dmem_has_region(heaps[i].name))
				continue;
			printf("  %s: 4 KiB alloc+free, root cgroup vs dmem.max set, pass %d\n",
			       heaps[i].name, pass + 1);
			fflush(stdout);
			if (bench_dmem(&heaps[i], &res[i][pass]))
				done[i] = false;
			else if (!pass)
				done[i] = true;
		}
	}
	for (i = 0; i < nr_heaps; i++) {
		struct dmem_pass *med = &res[i][passes / 2];

		if (!done[i])
			continue;
		qsort(res[i], passes, sizeof(res[i][0]), cmp_dmem_pass);
		csv_add(&csv_dmem, "%s,%zu,%llu,%llu,%.4f", heaps[i].csv_name,
			med->n, med->root_median, med->limited_median,
			med->x_root);
	}
	if (rmdir(CGROUP_DIR "/" BENCH_CGROUP))
		fail("rmdir %s: %s", BENCH_CGROUP, strerror(errno));
}

static int cmp_heap(const void *a, const void *b)
{
	const struct heap *x = a, *y = b;

	/* the system heap first: everything is compared with it */
	if (!strcmp(x->name, "system") != !strcmp(y->name, "system"))
		return strcmp(x->name, "system") ? 1 : -1;

	return strcmp(x->name, y->name);
}

/*
 * Heaps without a debugfs region: the system heap, CMA heaps (the default
 * area under both its names, or a named area in debugfs) and others.
 */
static const char *heap_kind(const char *name)
{
	if (!strcmp(name, "system"))
		return "system";
	if (!strcmp(name, DEFAULT_CMA_HEAP) || !strcmp(name, LEGACY_CMA_HEAP))
		return "cma";

	return cma_area_exists(name) ? "cma" : "other";
}

/* Whether the CPU may map buffers of @h: ask the stats, else try. */
static void probe_cpu_access(struct heap *h)
{
	struct heap_stats st;
	void *map;
	int fd, ret;

	ret = read_stats(h->name, &st);
	if (st.cpu_access[0])
		snprintf(h->cpu_access, sizeof(h->cpu_access), "%s",
			 st.cpu_access);
	if (!ret) {
		h->stats = true;
		h->kind = "region";
		h->cpu = strcmp(h->cpu_access, "none") != 0;
		return;
	}

	h->kind = heap_kind(h->name);
	fd = alloc_buf(h, SZ_4K);
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

static int add_heap(const char *name, void *arg)
{
	struct heap *h;

	(void)arg;
	if (nr_heaps == MAX_HEAPS) {
		fail("more than %d heaps", MAX_HEAPS);
		return 1;
	}
	h = &heaps[nr_heaps];
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->csv_name, sizeof(h->csv_name),
		 strchr(h->name, ',') ? "\"%s\"" : "%s", h->name);
	h->fd = heap_open(h->name);
	if (h->fd < 0) {
		fail("%s/%s: %s", HEAP_DEV_DIR, h->name, strerror(-h->fd));
		return 0;
	}
	nr_heaps++;

	return 0;
}

static int discover(void)
{
	int ret = heap_for_each(add_heap, NULL);

	if (ret) {
		fail("%s: %s", HEAP_DEV_DIR, strerror(-ret));
		return -1;
	}
	qsort(heaps, nr_heaps, sizeof(*heaps), cmp_heap);

	return nr_heaps ? 0 : -1;
}

static void add_size(__u64 *sizes, int *n, __u64 size)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (sizes[i] == size)
			return;
	}
	if (*n < MAX_SIZES)
		sizes[(*n)++] = size;
}

static int cmp_size(const void *a, const void *b)
{
	return cmp_u64(a, b);
}

int main(int argc, char **argv)
{
	static const __u64 fixed[] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };
	static const __u64 fixed_smoke[] = { SZ_4K, SZ_64K };
	const __u64 *std;
	__u64 sizes[MAX_SIZES];
	int nsizes = 0, nstd, i, j;
	struct point *pts;
	struct heap *sys = NULL;
	__u64 t_run = now_ns();
	unsigned int k;
	char lbl[32];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			smoke = true;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			churn_seeds = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			churn_ops = strtoul(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: %s [--smoke] [--seed N] [--seeds N] [--ops N]\n",
				argv[0]);
			return 2;
		}
	}
	if (smoke) {
		churn_ops = 200;
		churn_seeds = 1;
	}
	std = smoke ? fixed_smoke : fixed;
	nstd = smoke ? 2 : 4;
	page_size = sysconf(_SC_PAGESIZE);

	if (discover())
		return 1;

	csv_add(&csv_heaps, "heap,kind,cpu_access,largest,capped");
	csv_add(&csv_bench, "heap,kind,test,size,size_kind,n,median_ns,p99_ns,min_ns,x_system,x_memset");
	csv_add(&csv_frag, "heap,size,seed,ops,allocs,frees,failed,fill_pct,used,free,largest_alloc,largest_free_stats,ratio,churn_ns,base,clear_ahead");
	csv_add(&csv_dmem, "heap,n,root_median_ns,limited_median_ns,x_root");
	csv_add(&csv_idle, "heap,size,size_kind,n,median_ns,p99_ns,k4_median_ns,x_4k");
	csv_add(&csv_tight, "heap,size,n,median_ns,p99_ns,mean_ns,inline_pct,"
		"off_median_ns,x_off");

	printf("heaps-bench%s: %d heaps, seed %llu\n", smoke ? " (smoke)" : "",
	       nr_heaps, seed);
	for (i = 0; i < nr_heaps; i++) {
		struct heap *h = &heaps[i];
		struct heap_stats st;
		__u64 hi = 0;

		probe_cpu_access(h);
		if (!strcmp(h->name, "system"))
			sys = h;
		if (h->stats && !read_stats(h->name, &st)) {
			hi = st.size - st.used;
			h->clears = st.have_clear_backlog;
		}
		if (smoke && !h->stats)
			h->largest = SZ_1M;	/* no search: keep the smoke short */
		else
			h->largest = find_largest(h, hi);
		if (!h->largest)
			fail("%s: cannot allocate even one page", h->name);
		csv_add(&csv_heaps, "%s,%s,%s,%llu,%d", h->csv_name, h->kind,
			h->cpu_access, h->largest, h->capped);
		printf("  %-24s %-7s cpu %-13s largest %s%s\n", h->name, h->kind,
		       h->cpu_access, size_label(h->largest, lbl, sizeof(lbl)),
		       h->capped ? " (search cap)" : "");
	}
	if (!sys)
		fail("no system heap: ratios against it are impossible");

	/*
	 * Every heap at the fixed sizes that fit and at its own largest size;
	 * the system heap and memset at all of those sizes, so that every
	 * point has something to be compared with.
	 */
	for (j = 0; j < nstd; j++)
		add_size(sizes, &nsizes, std[j]);
	for (i = 0; i < nr_heaps && !smoke; i++) {
		if (heaps[i].largest && !heaps[i].capped)
			add_size(sizes, &nsizes, heaps[i].largest);
	}
	qsort(sizes, nsizes, sizeof(*sizes), cmp_size);

	pts = calloc(nr_heaps + 1, sizeof(*pts));
	if (!pts)
		die_oom();
	for (j = 0; j < nsizes; j++) {
		__u64 size = sizes[j];
		bool is_std = false;
		int n = 0;

		for (i = 0; i < nstd; i++)
			is_std |= std[i] == size;
		for (i = 0; i < nr_heaps; i++) {
			struct heap *h = &heaps[i];
			bool mine = h->largest == size && !h->capped && !smoke;

			if (!h->largest || size > h->largest)
				continue;
			if (h != sys && !is_std && !mine)
				continue;
			memset(&pts[n], 0, sizeof(pts[n]));
			pts[n].h = h;
			pts[n].size = size;
			pts[n].is_largest = mine;
			n++;
		}
		memset(&pts[n], 0, sizeof(pts[n]));
		pts[n++].size = size;	/* the memset baseline */
		printf("  %s: %d heaps and memset, interleaved\n",
		       size_label(size, lbl, sizeof(lbl)), n - 1);
		fflush(stdout);
		bench_size(pts, n);
	}
	free(pts);

	for (i = 0; i < nr_heaps; i++) {
		struct heap *h = &heaps[i];

		if (!h->clears || !h->cpu)
			continue;
		printf("  %s: alloc+free from the idle heap\n", h->name);
		fflush(stdout);
		if (!smoke && h->largest >= SZ_16M)
			bench_idle(h, SZ_16M, h->largest == SZ_16M);
		bench_tight(h, smoke ? SZ_64K : SZ_1M);
		if (!smoke && h->largest >= SZ_16M)
			bench_tight(h, SZ_16M);
		if (!smoke && h->largest > SZ_16M)
			bench_idle(h, h->largest, true);
		if (smoke)
			bench_idle(h, SZ_64K, false);
	}

	for (i = 0; i < nr_heaps; i++) {
		if (!heaps[i].stats)
			continue;
		printf("  %s: churn of %u operations at %d%% fill, %u seeds\n",
		       heaps[i].name, churn_ops, CHURN_FILL_PCT, churn_seeds);
		fflush(stdout);
		for (k = 0; k < churn_seeds; k++)
			bench_frag(&heaps[i], seed + k);
	}

	csv_print(&csv_heaps);
	csv_print(&csv_bench);
	bench_dmem_all();

	csv_print(&csv_frag);
	csv_print(&csv_dmem);
	csv_print(&csv_idle);
	csv_print(&csv_tight);
	printf("heaps-bench: %d error(s), %.1f s\n", nr_errors,
	       (now_ns() - t_run) / 1e9);

	return nr_errors ? 1 : 0;
}
