// SPDX-License-Identifier: GPL-2.0
/*
 * heap-torture: hostile-userspace tests for every heap in /dev/dma_heap.
 *
 *   heap-torture check [--absent NAME]... [--kernel-only NAME]...
 *                                           alloc/mmap/verify on every heap
 *   heap-torture stress SEED OPS            seeded random operations
 *   heap-torture ioctl                      unknown/truncated/oversized ioctls
 *   heap-torture perms                      node permissions, CPU-less buffers
 *   heap-torture failnth                    fail-nth sweep over the alloc ioctl
 *   heap-torture importer-failnth           the same over the reference
 *                                           importer's debugfs "create"
 *   heap-torture threads NTHREADS SECONDS   concurrent alloc/map/sync/import
 *
 * Output is TAP ("ok N - ..." / "not ok N - ..."), parsed by results.py;
 * the exit status is 1 if any case failed. Every expected error is checked
 * exactly against what the 7.3 dma-heap and dma-buf code paths return.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "guest-lib.h"

#define PAGE		4096UL
#define MAX_HEAPS	16
#define MAX_LIVE	12
#define SMALL_MAX	(2UL << 20)	/* largest "ordinary" request */

enum kind { K_SYSTEM, K_CMA, K_CARVEOUT };

struct heap {
	char name[64];
	enum kind kind;
	bool cpu;		/* CPU may map and sync its buffers */
	bool stats;		/* has debugfs stats (contig heaps) */
	uint64_t size;		/* region size (carveouts) */
	uint64_t used0;		/* usage at start */
	unsigned long buffers0;
};

static struct heap heaps[MAX_HEAPS];
static int nheaps;
static int vgem_fd = -1;

/* A failed expectation inside a long loop: report it once, with context. */
static unsigned long bad_ops;
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (bad_ops++ < 20) {
		printf("# FAIL: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
}

/* ---- PRNG: xorshift64*, seeded, reproducible ---- */
static __thread __u64 rng_state;

static uint64_t rnd(void)
{
	return xorshift64s(&rng_state);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- heap discovery ---- */
static int cmp_heap(const void *a, const void *b)
{
	return strcmp(((const struct heap *)a)->name, ((const struct heap *)b)->name);
}

static int add_heap(const char *name, void *arg)
{
	struct heap *h = &heaps[nheaps];
	struct heap_stats st;

	(void)arg;
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%.63s", name);
	h->cpu = true;
	if (!heap_stats_read(h->name, &st)) {
		h->stats = true;
		h->kind = K_CARVEOUT;
		h->used0 = st.used;
		h->buffers0 = st.buffers;
		h->size = st.size;
		h->cpu = strcmp(st.cpu_access, "none") != 0;
	} else if (!strcmp(h->name, "system")) {
		h->kind = K_SYSTEM;
	} else {
		h->kind = K_CMA;
	}
	return ++nheaps == MAX_HEAPS;
}

static void discover(void)
{
	int ret = heap_for_each(add_heap, NULL);

	if (ret) {
		tap(false, "open /dev/dma_heap: %s", strerror(-ret));
		return;
	}
	qsort(heaps, nheaps, sizeof(heaps[0]), cmp_heap);
	for (int i = 0; i < nheaps; i++)
		printf("# heap %s: %s, %s\n", heaps[i].name,
		       heaps[i].kind == K_CARVEOUT ? "carveout" :
		       heaps[i].kind == K_SYSTEM ? "system" : "cma",
		       heaps[i].cpu ? "cpu access" : "no cpu access");
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static int vgem_import(int fd)
{
	struct drm_prime_handle p = { .fd = fd };
	struct drm_gem_close c = { 0 };

	if (vgem_fd < 0)
		return 0;
	if (ioctl(vgem_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p) < 0)
		return -errno;
	c.handle = p.handle;
	if (ioctl(vgem_fd, DRM_IOCTL_GEM_CLOSE, &c) < 0)
		return -errno;
	return 0;
}

static void open_vgem(void)
{
	char path[64];

	for (int i = 0; i < 8; i++) {
		struct drm_version v = { 0 };
		char name[32] = "";
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem")) {
			vgem_fd = fd;
			return;
		}
		close(fd);
	}
}

/* Usage back to its start value on every heap with stats. */
static void check_usage(const char *when)
{
	for (int i = 0; i < nheaps; i++) {
		struct heap *h = &heaps[i];
		struct heap_stats st;
		uint64_t used;
		unsigned long bufs;

		if (!h->stats)
			continue;
		heap_stats_read(h->name, &st);
		used = st.have_used ? st.used : ~0ULL;
		bufs = st.have_buffers ? st.buffers : ~0UL;
		tap(used == h->used0 && bufs == h->buffers0,
		    "%s: %s usage back to start (used %" PRIu64 "/%" PRIu64
		    ", buffers %lu/%lu)", when, h->name, used, h->used0,
		    bufs, h->buffers0);
	}
}

/* ---- check: a short alloc/mmap/verify on every heap ---- */
static int cmd_check(int argc, char **argv)
{
	bool exact = false;

	discover();
	for (int a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--exact"))
			exact = true;
	}
	/* --exact: every carveout heap must be one named with --present. */
	for (int i = 0; exact && i < nheaps; i++) {
		bool named = false;

		if (heaps[i].kind != K_CARVEOUT)
			continue;
		for (int a = 0; a + 1 < argc; a++)
			named |= !strcmp(argv[a], "--present") && !strcmp(argv[a + 1], heaps[i].name);
		tap(named, "carveout heap \"%s\" is expected", heaps[i].name);
	}
	for (int a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--absent") && a + 1 < argc) {
			a++;
			tap(!heap_exists(argv[a]), "no heap \"%s\" registered", argv[a]);
		} else if (!strcmp(argv[a], "--present") && a + 1 < argc) {
			a++;
			tap(heap_exists(argv[a]), "heap \"%s\" registered", argv[a]);
		} else if (!strcmp(argv[a], "--kernel-only") && a + 1 < argc) {
			struct heap_stats st;

			a++;
			tap(!heap_exists(argv[a]) && !heap_stats_read(argv[a], &st),
			    "heap \"%s\" registered for kernel drivers only (no %s node)",
			    argv[a], HEAP_DEV_DIR);
		}
	}
	for (int i = 0; i < nheaps; i++) {
		struct heap *h = &heaps[i];
		size_t len = 1 << 20;
		int hfd = heap_open(h->name), fd;
		unsigned char *p;
		bool ok = true;

		fd = heap_alloc(hfd, len, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0) {
			tap(false, "%s: alloc 1 MiB: %s", h->name, strerror(-fd));
			close(hfd);
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (!h->cpu) {
			tap(p == MAP_FAILED && errno == EPERM,
			    "%s: CPU-less buffer refuses mmap with EPERM", h->name);
		} else if (p == MAP_FAILED) {
			tap(false, "%s: mmap: %s", h->name, strerror(errno));
		} else {
			ok = buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0;
			for (size_t o = 0; o < len; o += PAGE)
				ok &= p[o] == 0 && p[o + PAGE - 1] == 0;
			for (size_t o = 0; o < len; o += 64)
				p[o] = (unsigned char)(o / 64 * 7 + i);
			ok &= buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0;
			ok &= buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0;
			for (size_t o = 0; o < len; o += 64)
				ok &= p[o] == (unsigned char)(o / 64 * 7 + i);
			ok &= buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0;
			munmap(p, len);
			tap(ok, "%s: alloc, mmap, zeroed, write, sync, read back", h->name);
		}
		if (vgem_fd >= 0 || (open_vgem(), vgem_fd >= 0)) {
			int r = vgem_import(fd);

			tap(r == 0, "%s: vgem import (%s)", h->name, strerror(-r));
		}
		close(fd);
		close(hfd);
	}
	check_usage("check");
	return 0;
}

/* ---- stress ---- */
struct live {
	int fd;
	int heap;
	uint64_t size;		/* page aligned */
	uint32_t fd_flags;
	void *map;
	size_t maplen;
	bool written;
};

static struct live live[MAX_LIVE];
static int nlive;

static const char *errname(int e)
{
	static char b[32];

	if (e >= 0)
		return "success";
	snprintf(b, sizeof(b), "%s", strerrorname_np(-e) ?: "?");
	return b;
}

/* What the stress run exercised: calls that succeeded / failed as expected. */
static unsigned long n_ok, n_err, n_alloc, n_mmap, n_sync, n_import, n_fork, n_mremap;

static void expect(unsigned long op, const char *what, int got, int want)
{
	if (got == 0)
		n_ok++;
	else
		n_err++;
	if (got != want)
		bad("op %lu: %s: got %s, want %s", op, what, errname(got),
		    errname(want));
}

static void drop_live(int i)
{
	if (live[i].map)
		munmap(live[i].map, live[i].maplen);
	close(live[i].fd);
	live[i] = live[--nlive];
}

static uint64_t pick_len(const struct heap *h)
{
	switch (rnd_below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return PAGE - 1;
	case 3: return PAGE + 1;
	case 4: return ~0ULL;
	case 5: return ~0ULL - rnd_below(PAGE);	/* overflows PAGE_ALIGN */
	case 6: return (~0ULL & ~(PAGE - 1)) + 1;
	case 7:
		/* Huge: the system heap would really try, keep it to others. */
		if (h->kind == K_SYSTEM)
			return SMALL_MAX;
		return (1ULL << 40) + rnd_below(1ULL << 30);
	case 8:
		if (h->kind == K_CARVEOUT)
			return h->size + 1 + rnd_below(PAGE);
		return PAGE * (1 + rnd_below(4));
	default:
		return 1 + rnd_below(SMALL_MAX);
	}
}

/*
 * A dmem value of this process's cgroup for @heap's region ("dma_heap/<heap>"
 * in @file, dmem.max or dmem.current). Returns 0, or -ENOENT when the
 * cgroup has no dmem files or no line for the region, or its value is "max".
 */
static int dmem_value(const char *heap, const char *file, uint64_t *val)
{
	char cg[PATH_MAX], path[PATH_MAX + 64], line[512], want[NAME_MAX + 16];
	int ret = -ENOENT;
	size_t n;
	FILE *f;

	if (read_text("/proc/self/cgroup", cg, sizeof(cg)) || strncmp(cg, "0::", 3))
		return -ENOENT;
	cg[strcspn(cg, "\n")] = '\0';
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s", cg + 3, file);
	n = snprintf(want, sizeof(want), "dma_heap/%s ", heap);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, n) || !strncmp(line + n, "max", 3))
			continue;
		*val = strtoull(line + n, NULL, 10);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Whether a dmem.max of this process's cgroup refuses @len more of @heap. */
static bool dmem_refuses(const char *heap, uint64_t len)
{
	uint64_t max, cur;

	return !dmem_value(heap, "dmem.max", &max) &&
	       !dmem_value(heap, "dmem.current", &cur) && cur + len > max;
}

static void op_alloc(unsigned long op, int hi)
{
	struct heap *h = &heaps[hi];
	uint64_t len = pick_len(h), largest = 0, al;
	struct heap_stats st;
	uint32_t fd_flags = O_RDWR | O_CLOEXEC;
	uint64_t heap_flags = 0;
	int want = 0, got, hfd;
	bool may_fail = false;

	switch (rnd_below(10)) {
	case 0: fd_flags = 1U << rnd_below(32); break;
	case 1: heap_flags = 1ULL << rnd_below(64); break;
	case 2: fd_flags = rnd_below(4) | (rnd_below(2) ? O_CLOEXEC : 0); break;
	}
	if (fd_flags & ~(uint32_t)(O_CLOEXEC | O_ACCMODE))
		want = -EINVAL;
	else if (heap_flags)
		want = -EINVAL;
	else if (!len || len > (~0ULL & ~(PAGE - 1)))
		want = -EINVAL;
	else {
		al = (len + PAGE - 1) & ~(PAGE - 1);
		if (nlive == MAX_LIVE)
			drop_live(rnd_below(nlive));
		if (h->kind == K_CARVEOUT && dmem_refuses(h->name, al)) {
			want = -ENOMEM;
		} else if (h->kind == K_CARVEOUT) {
			heap_stats_read(h->name, &st);
			largest = st.largest_free;
			/* without largest_free (a coherent pool): either */
			may_fail = !st.have_largest_free;
			want = may_fail || al <= largest ? 0 : -ENOMEM;
		} else if (al > (1ULL << 32) || dmem_refuses(h->name, al)) {
			want = -ENOMEM;
		}
	}
	hfd = heap_open(h->name);
	got = heap_alloc(hfd, len, fd_flags, heap_flags);
	close(hfd);
	n_alloc++;
	if (got >= 0)
		n_ok++;
	else
		n_err++;
	if (may_fail && got == -ENOMEM) {
		/* a full pool: as good as a success */
	} else if ((got >= 0) != (want == 0) || (got < 0 && got != want)) {
		bad("op %lu: alloc %s len %#" PRIx64 " fd_flags %#x heap_flags %#"
		    PRIx64 ": got %s, want %s", op, h->name, len, fd_flags,
		    heap_flags, errname(got), errname(want));
	}
	if (got >= 0) {
		if (nlive == MAX_LIVE) {
			close(got);
			return;
		}
		/* The dma-buf's own size: a coherent pool rounds it up. */
		off_t size = lseek(got, 0, SEEK_END);

		if (size < (off_t)((len + PAGE - 1) & ~(PAGE - 1)))
			bad("op %lu: %s: a %#" PRIx64 "-byte buffer of %lld bytes",
			    op, h->name, len, (long long)size);
		live[nlive++] = (struct live){ .fd = got, .heap = hi,
			.size = size > 0 ? (uint64_t)size : (len + PAGE - 1) & ~(PAGE - 1),
			.fd_flags = fd_flags };
	}
}

static void op_mmap(unsigned long op, struct live *b)
{
	struct heap *h = &heaps[b->heap];
	uint64_t pages = b->size / PAGE, off, n;
	int prot = PROT_READ | (rnd_below(2) ? PROT_WRITE : 0);
	int flags = MAP_SHARED, want = 0, acc = b->fd_flags & O_ACCMODE;
	bool rd = acc == O_RDONLY || acc == O_RDWR, wr = acc == O_WRONLY || acc == O_RDWR;
	void *p;

	if (b->map)
		return;
	off = rnd_below(4) ? 0 : rnd_below(pages + 2);
	n = rnd_below(4) ? pages - (off < pages ? off : 0) : 1 + rnd_below(pages + 1);
	if (!n)
		n = 1;
	if (n > 64)	/* bound the time spent touching pages */
		n = 64 + rnd_below(64);
	if (h->kind != K_SYSTEM && !rnd_below(8))
		flags = MAP_PRIVATE;

	/* mm core first, then dma_buf_mmap_internal(), then the heap. */
	if (!rd || (flags == MAP_SHARED && (prot & PROT_WRITE) && !wr))
		want = -EACCES;
	else if (off + n > pages)
		want = -EINVAL;
	else if (!h->cpu)
		want = -EPERM;
	else if (flags == MAP_PRIVATE)
		want = -EINVAL;

	p = mmap(NULL, n * PAGE, prot, flags, b->fd, off * PAGE);
	n_mmap++;
	expect(op, "mmap", p == MAP_FAILED ? -errno : 0, want);
	if (p == MAP_FAILED)
		return;
	if (want) {
		munmap(p, n * PAGE);
		return;
	}
	/* Fresh buffers must read as zeroes: no stale data from earlier users. */
	if (!b->written) {
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *q = (const uint64_t *)((char *)p + i * PAGE);

			if (q[0] || q[PAGE / 8 - 1]) {
				bad("op %lu: %s buffer not cleared at page %" PRIu64,
				    op, h->name, off + i);
				break;
			}
		}
	}
	if (prot & PROT_WRITE) {
		for (uint64_t i = 0; i < n; i++)
			((char *)p)[i * PAGE] = (char)op;
		b->written = true;
	}
	b->map = p;
	b->maplen = n * PAGE;
}

static void op_mremap(unsigned long op, struct live *b)
{
	void *p;

	if (!b->map)
		return;
	n_mremap++;
	if (b->maplen > PAGE && rnd_below(2)) {
		size_t nl = PAGE * (1 + rnd_below(b->maplen / PAGE - 1));

		p = mremap(b->map, b->maplen, nl, 0);
		expect(op, "mremap shrink", p == MAP_FAILED ? -errno : 0, 0);
		if (p != MAP_FAILED)
			b->maplen = nl;
		return;
	}
	/* Every heap maps with VM_DONTEXPAND | VM_PFNMAP: no growing. */
	p = mremap(b->map, b->maplen, b->maplen + PAGE, MREMAP_MAYMOVE);
	expect(op, "mremap grow", p == MAP_FAILED ? -errno : 0, -EFAULT);
	if (p != MAP_FAILED) {
		b->map = p;
		b->maplen += PAGE;
	}
}

static void op_sync(unsigned long op, struct live *b)
{
	static const uint64_t good[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	uint64_t flags;
	int want;

	if (rnd_below(3)) {
		flags = good[rnd_below(6)];
		want = heaps[b->heap].cpu ? 0 : -EPERM;
	} else {
		flags = rnd_below(2) ? (1ULL << rnd_below(64)) : rnd();
		if (flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK || !(flags & DMA_BUF_SYNC_RW))
			want = -EINVAL;
		else
			want = heaps[b->heap].cpu ? 0 : -EPERM;
	}
	n_sync++;
	expect(op, "sync", buf_sync(b->fd, flags), want);
}

static void op_dup_fork_import(unsigned long op, struct live *b)
{
	int r = rnd_below(10), fd;

	if (r < 5) {
		fd = dup(b->fd);
		expect(op, "dup", fd < 0 ? -errno : 0, 0);
		if (fd >= 0)
			close(b->fd), b->fd = fd;
	} else if (r < 9) {
		n_import++;
		expect(op, "vgem import", vgem_import(b->fd), 0);
	} else if (!rnd_below(8)) {
		pid_t pid = fork();
		int st;

		n_fork++;
		if (pid == 0) {
			/* The child reads through the inherited mapping and fd. */
			if (b->map)
				(void)*(volatile char *)b->map;
			_exit(buf_sync(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ==
			      (heaps[b->heap].cpu ? 0 : -EPERM) ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad("op %lu: forked child failed (status %#x)", op, st);
	}
}

static int cmd_stress(int argc, char **argv)
{
	uint64_t seed = argc > 0 ? strtoull(argv[0], NULL, 0) : (uint64_t)time(NULL);
	unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	int fds0;

	printf("# seed %" PRIu64 " ops %lu (rerun: heap-torture stress %" PRIu64
	       " %lu)\n", seed, ops, seed, ops);
	rng_state = seed * 2654435761ULL + 1;
	discover();
	open_vgem();
	fds0 = count_fds();
	for (unsigned long op = 0; op < ops; op++) {
		int r = rnd_below(100);
		struct live *b = nlive ? &live[rnd_below(nlive)] : NULL;

		if (r < 25 || !b)
			op_alloc(op, rnd_below(nheaps));
		else if (r < 45)
			op_mmap(op, b);
		else if (r < 52)
			op_mremap(op, b);
		else if (r < 62) {
			if (b->map)
				munmap(b->map, b->maplen), b->map = NULL;
		} else if (r < 80)
			op_sync(op, b);
		else if (r < 92)
			op_dup_fork_import(op, b);
		else
			drop_live(b - live);
	}
	while (nlive)
		drop_live(0);
	printf("# stress: %lu allocs, %lu mmaps, %lu mremaps, %lu syncs, %lu vgem imports, %lu forks; %lu calls succeeded, %lu returned an error (every result checked)\n",
	       n_alloc, n_mmap, n_mremap, n_sync, n_import, n_fork, n_ok, n_err);
	tap(bad_ops == 0, "stress: %lu ops over %d heaps, %lu unexpected results",
	    ops, nheaps, bad_ops);
	tap(count_fds() == fds0, "stress: no fd leaked (%d -> %d)", fds0, count_fds());
	check_usage("stress");
	return 0;
}

/* ---- ioctl ABI ---- */
static int cmd_ioctl(void)
{
	discover();
	for (int i = 0; i < nheaps; i++) {
		const struct heap *h = &heaps[i];
		unsigned char big[512];
		struct dma_heap_allocation_data *d = (void *)big;
		int hfd = heap_open(h->name), r, fd, before;

		/* Numbers past the table: -EINVAL (dma_heap_ioctl). */
		errno = 0;
		r = ioctl(hfd, _IOWR('H', 1, struct dma_heap_allocation_data), big);
		tap(r < 0 && errno == EINVAL, "%s: ioctl nr 1 -> EINVAL (%s)", h->name, strerror(errno));
		r = ioctl(hfd, _IO('H', 0xff), 0);
		tap(r < 0 && errno == EINVAL, "%s: ioctl nr 0xff -> EINVAL (%s)", h->name, strerror(errno));
		/* Another driver's ioctl (type 'b', nr 0) on a heap fd. */
		memset(big, 0, sizeof(big));
		((struct dma_buf_sync *)big)->flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		before = count_fds();
		errno = 0;
		r = ioctl(hfd, DMA_BUF_IOCTL_SYNC, big);
		tap(r < 0 && errno == ENOTTY && count_fds() == before,
		    "%s: DMA_BUF_IOCTL_SYNC on heap fd -> ENOTTY (r=%d %s, fds %d -> %d)",
		    h->name, r, strerror(errno), before, count_fds());
		/* No argument copied in: len 0 -> -EINVAL. */
		r = ioctl(hfd, _IO('H', 0), 0);
		tap(r < 0 && errno == EINVAL, "%s: alloc without argument -> EINVAL (%s)", h->name, strerror(errno));
		/* Bad pointer -> -EFAULT. */
		r = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, (void *)16);
		tap(r < 0 && errno == EFAULT, "%s: alloc at bad address -> EFAULT (%s)", h->name, strerror(errno));
		/* fd field set on input -> -EINVAL. */
		memset(big, 0, sizeof(big));
		d->len = PAGE;
		d->fd = 5;
		d->fd_flags = O_RDWR;
		r = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, d);
		tap(r < 0 && errno == EINVAL, "%s: alloc with fd set -> EINVAL", h->name);
		/*
		 * Truncated to the length (8 bytes), or without the copy back
		 * (_IOW): the fd could not be returned, so nothing is allocated.
		 */
		memset(big, 0, sizeof(big));
		d->len = PAGE;
		d->fd_flags = O_RDWR | O_CLOEXEC;
		before = count_fds();
		errno = 0;
		r = ioctl(hfd, _IOWR('H', 0, __u64), d);
		tap(r < 0 && errno == EINVAL && count_fds() == before,
		    "%s: 8-byte struct -> EINVAL, no fd (%s, fds %d -> %d)", h->name,
		    strerror(errno), before, count_fds());
		errno = 0;
		r = ioctl(hfd, _IOW('H', 0, struct dma_heap_allocation_data), d);
		tap(r < 0 && errno == EINVAL && count_fds() == before,
		    "%s: write-only alloc -> EINVAL, no fd (%s, fds %d -> %d)", h->name,
		    strerror(errno), before, count_fds());
		/* Truncated to 16 bytes (no heap_flags): full result. */
		memset(big, 0, sizeof(big));
		d->len = PAGE;
		d->fd_flags = O_RDWR | O_CLOEXEC;
		r = ioctl(hfd, _IOWR('H', 0, __u64[2]), d);
		tap(r == 0 && d->fd > 2, "%s: 16-byte struct allocates", h->name);
		if (r == 0)
			close(d->fd);
		/* Oversized (512 bytes) with junk after the struct: ignored. */
		memset(big, 0xa5, sizeof(big));
		d->len = PAGE;
		d->fd = 0;
		d->fd_flags = O_RDWR | O_CLOEXEC;
		d->heap_flags = 0;
		r = ioctl(hfd, _IOWR('H', 0, unsigned char[512]), d);
		tap(r == 0 && big[511] == 0xa5, "%s: 512-byte struct allocates (%s)", h->name,
		    r ? strerror(errno) : "ok");
		if (r == 0)
			close(d->fd);
		/* Oversized with only IOC_IN: no copy back, fd lost to caller. */
		/* (not tried: it would install an fd the caller cannot name) */
		/* Write-only direction on ALLOC: in_size copied, nothing back. */
		fd = heap_alloc(hfd, PAGE, O_RDWR | O_CLOEXEC, 0);
		tap(fd >= 0, "%s: regular alloc still works", h->name);
		if (fd >= 0) {
			/* dma-buf fds reject heap ioctls. */
			r = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, big);
			tap(r < 0 && errno == ENOTTY, "%s: heap ioctl on dma-buf fd -> ENOTTY (%s)",
			    h->name, strerror(errno));
			r = ioctl(fd, _IOW('b', 0x77, __u64), big);
			tap(r < 0 && errno == ENOTTY, "%s: unknown dma-buf ioctl -> ENOTTY", h->name);
			close(fd);
		}
		close(hfd);
	}
	check_usage("ioctl");
	return 0;
}

/* ---- permissions and CPU-less buffers ---- */
static int cmd_perms(void)
{
	uid_t nobody = 65534;

	discover();
	for (int i = 0; i < nheaps; i++) {
		const struct heap *h = &heaps[i];
		char path[192], fdinfo[4096], maps[8192], base[40] = "";
		struct stat st;
		pid_t pid;
		int status, fd, hfd;

		snprintf(path, sizeof(path), "/dev/dma_heap/%.63s", h->name);
		stat(path, &st);
		tap((st.st_mode & 0077) == 0 && st.st_uid == 0,
		    "%s: node is root-only (mode %o)", h->name, st.st_mode & 0777);
		pid = fork();
		if (pid == 0) {
			if (setgid(nobody) || setuid(nobody))
				_exit(2);
			fd = open(path, O_RDONLY);
			_exit(fd < 0 && errno == EACCES ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		tap(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s: uid %u cannot open it (EACCES)", h->name, nobody);

		hfd = heap_open(h->name);
		fd = heap_alloc(hfd, 64 * PAGE, O_RDWR | O_CLOEXEC, 0);
		close(hfd);
		if (fd < 0) {
			tap(false, "%s: alloc: %s", h->name, strerror(-fd));
			continue;
		}
		if (!h->cpu) {
			void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);

			tap(p == MAP_FAILED && errno == EPERM, "%s: mmap refused (EPERM)", h->name);
			p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			tap(p == MAP_FAILED && errno == EPERM, "%s: rw mmap refused (EPERM)", h->name);
			p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
			tap(p == MAP_FAILED && errno == EPERM, "%s: private mmap refused (EPERM)", h->name);
			for (int f = 0; f < 3; f++) {
				static const uint64_t fl[] = { DMA_BUF_SYNC_READ,
					DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW };

				tap(buf_sync(fd, DMA_BUF_SYNC_START | fl[f]) == -EPERM &&
				    buf_sync(fd, DMA_BUF_SYNC_END | fl[f]) == -EPERM,
				    "%s: CPU sync %#" PRIx64 " refused (EPERM)", h->name, fl[f]);
			}
			/* vmap through an importer: vgem would need it for CPU access. */
		}
		/* No physical address in anything userspace can read about it. */
		if (h->stats) {
			struct heap_stats hs;

			/* "base: 0x0000000050000000" -> "50000000" */
			if (!heap_stats_read(h->name, &hs) && hs.have_base)
				snprintf(base, sizeof(base), "%llx", hs.base);
			snprintf(path, sizeof(path), "/sys/kernel/debug/dma_heap/%.63s/stats", h->name);
			stat(path, &st);
			tap((st.st_mode & 0077) == 0, "%s: debugfs stats root-only (%o)", h->name,
			    st.st_mode & 0777);
		}
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		{
			int f = open(path, O_RDONLY);
			ssize_t n = read(f, fdinfo, sizeof(fdinfo) - 1);

			fdinfo[n > 0 ? n : 0] = 0;
			close(f);
		}
		{
			void *p = h->cpu ? mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
			int f = open("/proc/self/maps", O_RDONLY);
			ssize_t n = read(f, maps, sizeof(maps) - 1);

			maps[n > 0 ? n : 0] = 0;
			close(f);
			if (p != MAP_FAILED)
				munmap(p, PAGE);
		}
		if (base[0]) {
			tap(!strcasestr(fdinfo, base) && !strcasestr(maps, base),
			    "%s: region base %s not in fdinfo or maps", h->name, base);
		}
		close(fd);
	}
	check_usage("perms");
	return 0;
}

/* ---- fail-nth sweep ---- */
static int cmd_failnth(void)
{
	int nth = open("/proc/thread-self/fail-nth", O_RDWR);
	unsigned long injected_total = 0;

	discover();
	if (nth < 0) {
		tap(false, "open fail-nth: %s", strerror(errno));
		return 0;
	}
	for (int i = 0; i < nheaps; i++) {
		const struct heap *h = &heaps[i];
		unsigned long injected = 0, errs = 0, ok_after = 0;
		int hfd = heap_open(h->name), fds0 = count_fds(), n;
		bool ok = true;

		for (n = 1; n < 10000; n++) {
			char v[16];
			int fd, len;
			long left;

			len = snprintf(v, sizeof(v), "%d", n);
			if (pwrite(nth, v, len, 0) != len) {
				ok = false;
				bad("%s: write fail-nth: %s", h->name, strerror(errno));
				break;
			}
			fd = heap_alloc(hfd, 256 * 1024, O_RDWR | O_CLOEXEC, 0);
			memset(v, 0, sizeof(v));
			pread(nth, v, sizeof(v) - 1, 0);
			left = strtol(v, NULL, 10);
			pwrite(nth, "0", 1, 0);
			if (left != 0) {
				/* Not reached: the call ran without an injected failure. */
				if (fd < 0) {
					ok = false;
					bad("%s: n=%d failed without injection: %s", h->name, n,
					    strerror(-fd));
				} else {
					close(fd);
				}
				break;
			}
			injected++;
			if (fd < 0) {
				errs++;
				if (fd != -ENOMEM && fd != -EINTR && fd != -EMFILE) {
					ok = false;
					bad("%s: n=%d unexpected error %s", h->name, n, errname(fd));
				}
			} else {
				/* A fallback absorbed the failure: the buffer must be whole. */
				void *p = h->cpu ? mmap(NULL, 256 * 1024, PROT_READ, MAP_SHARED, fd, 0)
						 : NULL;

				if (p == MAP_FAILED) {
					ok = false;
					bad("%s: n=%d buffer unusable: %s", h->name, n, strerror(errno));
				} else if (p) {
					munmap(p, 256 * 1024);
				}
				ok_after++;
				close(fd);
			}
			if (count_fds() != fds0) {
				ok = false;
				bad("%s: n=%d fd leaked", h->name, n);
				break;
			}
		}
		close(hfd);
		injected_total += injected;
		tap(ok && n < 10000,
		    "%s: fail-nth 1..%d: %lu failures injected, %lu returned an error, %lu absorbed by a fallback",
		    h->name, n, injected, errs, ok_after);
	}
	printf("# failure points injected: %lu\n", injected_total);
	check_usage("failnth");
	return 0;
}

/* ---- fail-nth over the in-kernel API, through the reference importer ---- */
#define DHTI_DIR "/sys/kernel/debug/dma_heap_test_importer"

/* Buffer ids listed by the importer's "buffers" file (first column). */
static int dhti_ids(const char *dir, unsigned int *ids, int max)
{
	char path[320], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/buffers", dir);
	f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f))
		ids[n++] = strtoul(line, NULL, 10);
	if (f)
		fclose(f);
	return n;
}

static int cmd_importer_failnth(void)
{
	int nth = open("/proc/thread-self/fail-nth", O_RDWR);
	unsigned long injected_total = 0;
	DIR *d = opendir(DHTI_DIR);
	struct dirent *e;

	discover();
	if (nth < 0 || !d) {
		tap(false, "open fail-nth / " DHTI_DIR ": %s", strerror(errno));
		return 0;
	}
	while ((e = readdir(d))) {
		char dir[300], path[320];
		unsigned long injected = 0, errs = 0, absorbed = 0;
		bool ok = true;
		int cfd, dfd, n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), DHTI_DIR "/%.200s", e->d_name);
		snprintf(path, sizeof(path), "%s/create", dir);
		cfd = open(path, O_WRONLY);
		snprintf(path, sizeof(path), "%s/destroy", dir);
		dfd = open(path, O_WRONLY);
		if (cfd < 0 || dfd < 0)
			continue;
		for (n = 1; n < 10000; n++) {
			unsigned int before[64], after[64];
			int nb = dhti_ids(dir, before, 64), na, len;
			char v[16];
			long left;
			ssize_t r;

			len = snprintf(v, sizeof(v), "%d", n);
			pwrite(nth, v, len, 0);
			r = write(cfd, "65536", 5);
			if (r < 0)
				r = -errno;
			memset(v, 0, sizeof(v));
			pread(nth, v, sizeof(v) - 1, 0);
			left = strtol(v, NULL, 10);
			pwrite(nth, "0", 1, 0);
			na = dhti_ids(dir, after, 64);
			if (r >= 0) {
				/* Destroy the buffer this write created. */
				for (int i = 0; i < na; i++) {
					bool old = false;

					for (int j = 0; j < nb; j++)
						old |= after[i] == before[j];
					if (!old) {
						len = snprintf(v, sizeof(v), "%u", after[i]);
						if (write(dfd, v, len) != len)
							ok = false;
					}
				}
			} else if (na != nb) {
				ok = false;
				bad("%s: n=%d failed create left a buffer", e->d_name, n);
			}
			if (left != 0) {
				if (r < 0) {
					ok = false;
					bad("%s: n=%d failed without injection: %s", e->d_name, n,
					    strerror((int)-r));
				}
				break;
			}
			injected++;
			if (r < 0) {
				errs++;
				if (r != -ENOMEM && r != -EINTR) {
					ok = false;
					bad("%s: n=%d unexpected error %s", e->d_name, n, errname((int)r));
				}
			} else {
				absorbed++;
			}
		}
		close(cfd);
		close(dfd);
		injected_total += injected;
		tap(ok && n < 10000,
		    "importer %s: fail-nth 1..%d over create: %lu injected, %lu errors, %lu absorbed",
		    e->d_name, n, injected, errs, absorbed);
	}
	closedir(d);
	printf("# failure points injected: %lu\n", injected_total);
	check_usage("importer-failnth");
	return 0;
}

/* ---- threads ---- */
static volatile bool stop;
static unsigned long thread_ops[64];
static unsigned long thread_bad[64];

static void *worker(void *arg)
{
	long id = (long)arg;
	int hfds[MAX_HEAPS];

	rng_state = 0x9e3779b97f4a7c15ULL * (id + 1);
	for (int i = 0; i < nheaps; i++)
		hfds[i] = heap_open(heaps[i].name);
	while (!stop) {
		int hi = rnd_below(nheaps);
		const struct heap *h = &heaps[hi];
		size_t len = PAGE * (1 + rnd_below(64));
		int fd = heap_alloc(hfds[hi], len, O_RDWR | O_CLOEXEC, 0);

		thread_ops[id]++;
		if (fd < 0) {
			/* Carveouts can run full under 8 threads; nothing else may fail. */
			if (fd != -ENOMEM || h->kind != K_CARVEOUT)
				thread_bad[id]++;
			continue;
		}
		if (h->cpu) {
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

			if (p == MAP_FAILED) {
				thread_bad[id]++;
			} else {
				if (buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
					thread_bad[id]++;
				if (p[0] || p[len - 1])
					thread_bad[id]++;	/* stale data */
				memset(p, (int)id + 1, 128);
				p[len - 1] = 1;
				if (buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
					thread_bad[id]++;
				munmap(p, len);
			}
		} else if (buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) != -EPERM) {
			thread_bad[id]++;
		}
		if (vgem_import(fd))
			thread_bad[id]++;
		if (rnd_below(4) == 0) {
			int d = dup(fd);

			close(fd);
			fd = d;
		}
		close(fd);
	}
	for (int i = 0; i < nheaps; i++)
		close(hfds[i]);
	return NULL;
}

/*
 * In-kernel allocations at the same time, through the reference importer:
 * create suspend buffers four at a time, then destroy them all.
 */
static void *importer_worker(void *arg)
{
	long id = (long)arg;
	char path[320];
	DIR *d = opendir(DHTI_DIR);
	struct dirent *e;
	int cfd = -1, dfd = -1, live = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || cfd >= 0)
			continue;
		snprintf(path, sizeof(path), DHTI_DIR "/%.200s/create", e->d_name);
		cfd = open(path, O_WRONLY);
		snprintf(path, sizeof(path), DHTI_DIR "/%.200s/destroy", e->d_name);
		dfd = open(path, O_WRONLY);
	}
	if (d)
		closedir(d);
	if (cfd < 0 || dfd < 0)
		return NULL;
	while (!stop) {
		thread_ops[id]++;
		if (write(cfd, "65536", 5) == 5)
			live++;
		else if (errno != ENOMEM)	/* the protected heap may run full */
			thread_bad[id]++;
		if (live == 4 || stop) {
			if (write(dfd, "all", 3) != 3)
				thread_bad[id]++;
			live = 0;
		}
	}
	if (live && write(dfd, "all", 3) != 3)
		thread_bad[id]++;
	close(cfd);
	close(dfd);
	return NULL;
}

static int cmd_threads(int argc, char **argv)
{
	int n = argc > 0 ? atoi(argv[0]) : 8;
	int secs = argc > 1 ? atoi(argv[1]) : 20;
	pthread_t t[64];
	unsigned long ops = 0, nbad = 0;

	if (n > 64)
		n = 64;
	discover();
	open_vgem();
	if (n > 63)
		n = 63;
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	pthread_create(&t[n], NULL, importer_worker, (void *)(long)n);
	sleep(secs);
	stop = true;
	for (int i = 0; i <= n; i++) {
		pthread_join(t[i], NULL);
		ops += thread_ops[i];
		nbad += thread_bad[i];
	}
	printf("# threads: %d threads + 1 importer thread, %d s, %lu operations (%lu in-kernel)\n",
	       n, secs, ops, thread_ops[n]);
	tap(nbad == 0 && ops > 0, "threads: %lu alloc/map/sync/import/free rounds, %lu bad",
	    ops, nbad);
	check_usage("threads");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	if (!strcmp(cmd, "check"))
		cmd_check(argc - 2, argv + 2);
	else if (!strcmp(cmd, "stress"))
		cmd_stress(argc - 2, argv + 2);
	else if (!strcmp(cmd, "ioctl"))
		cmd_ioctl();
	else if (!strcmp(cmd, "perms"))
		cmd_perms();
	else if (!strcmp(cmd, "failnth"))
		cmd_failnth();
	else if (!strcmp(cmd, "importer-failnth"))
		cmd_importer_failnth();
	else if (!strcmp(cmd, "threads"))
		cmd_threads(argc - 2, argv + 2);
	else {
		fprintf(stderr, "usage: heap-torture check|stress|ioctl|perms|failnth|threads ...\n");
		return 2;
	}
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
