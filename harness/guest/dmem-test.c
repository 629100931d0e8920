// SPDX-License-Identifier: GPL-2.0
/*
 * dmem-test: region heaps under the dmem cgroup controller.
 *
 *   dmem-test HEAP [NAME=SIZE...]
 *
 * HEAP is a carveout heap the limit tests run on. Every heap backed by a
 * region must have a dmem region "dma_heap/<heap>": the contiguous heaps
 * (every directory of HEAP_DEBUGFS_DIR, sized by their stats), the default
 * CMA heap (sized by its CMA area) and each NAME=SIZE given, and no other.
 * Then, in child cgroups of a cgroup2 mount:
 *  - dmem.max of 4 MiB: 4 MiB allocate, the next page is refused with
 *    ENOMEM and nothing of it stays allocated, freeing makes room, and
 *    other heaps are not limited;
 *  - a buffer sent over a unix socket, or inherited by fork(), stays
 *    charged to the cgroup that allocated it until its last reference
 *    goes; a forked child in another cgroup charges its own;
 *  - two cgroups, each with threads allocating and freeing at once, never
 *    go over their dmem.max and end at 0;
 *  - a fail-nth sweep over the allocation in a new cgroup each time, which
 *    reaches the allocations of the charge itself;
 *  - dmem.current is 0 in every cgroup at the end.
 * Output is TAP, parsed by results.py.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "guest-lib.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define LIMIT		(4ULL << 20)
#define NO_VALUE	UINT64_MAX

static const char *heap;
static char region[NAME_MAX + 16];

/* ---- cgroup files ---- */

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), CG_ROOT "/%s/%s", cg, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The value of @rgn in a "region value" file of @cg, NO_VALUE if absent. */
static __u64 cg_region_value(const char *cg, const char *file,
				const char *rgn)
{
	char path[PATH_MAX], line[256], name[256], val[64];
	__u64 ret = NO_VALUE;
	FILE *f;

	snprintf(path, sizeof(path), CG_ROOT "/%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return NO_VALUE;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %63s", name, val) != 2 ||
		    strcmp(name, rgn))
			continue;
		ret = strcmp(val, "max") ? strtoull(val, NULL, 10) : NO_VALUE - 1;
		break;
	}
	fclose(f);
	return ret;
}

static __u64 cg_current(const char *cg)
{
	return cg_region_value(cg, "dmem.current", region);
}

/* A new child cgroup of the root with dmem.max @max for @region. */
static int cg_create(const char *cg, __u64 max)
{
	char path[PATH_MAX], val[NAME_MAX + 64];

	snprintf(path, sizeof(path), CG_ROOT "/%s", cg);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (max == NO_VALUE)
		return 0;
	snprintf(val, sizeof(val), "%s %llu", region, (unsigned long long)max);
	return cg_write(cg, "dmem.max", val);
}

/* Move the calling process into @cg ("." is the root). */
static int cg_enter(const char *cg)
{
	return cg_write(cg, "cgroup.procs", "0");
}

static void cg_remove(const char *cg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CG_ROOT "/%s", cg);
	if (rmdir(path))
		fail("rmdir %s: %s", path, strerror(errno));
}

static int alloc(const char *name, __u64 len)
{
	return heap_alloc_name(name, len);
}

static __u64 heap_used(const char *name)
{
	struct heap_stats st;

	return heap_stats_read(name, &st) ? NO_VALUE : st.used;
}

/* ---- dmem.capacity ---- */

struct expect {
	char name[NAME_MAX + 16];
	__u64 size;
	bool seen;
};

static struct expect expected[64];
static int nexpected;

static void expect(const char *heap_name, __u64 size)
{
	struct expect *e;

	if (nexpected == (int)(sizeof(expected) / sizeof(expected[0]))) {
		fail("too many heaps");
		return;
	}
	e = &expected[nexpected++];
	snprintf(e->name, sizeof(e->name), "dma_heap/%s", heap_name);
	e->size = size;
}

static void expect_contig_heaps(void)
{
	struct dirent *de;
	DIR *d = opendir(HEAP_DEBUGFS_DIR);

	if (!d) {
		fail("%s: %s", HEAP_DEBUGFS_DIR, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		struct heap_stats st;

		if (de->d_name[0] == '.' || heap_stats_read(de->d_name, &st) ||
		    !st.have_size)
			continue;
		expect(de->d_name, st.size);
	}
	closedir(d);
}

static void test_capacity(void)
{
	char line[256], name[256];
	int lines = 0, extra = 0;
	unsigned long long size;
	__u64 count;
	FILE *f;

	expect_contig_heaps();
	if (cma_area_read(DEFAULT_CMA_AREA, "count", &count) == 0)
		expect(DEFAULT_CMA_HEAP, count * getpagesize());
	else
		fail("no CMA area %s", DEFAULT_CMA_AREA);

	f = fopen(CG_ROOT "/dmem.capacity", "re");
	tap(f != NULL, "dmem.capacity is readable");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		bool known = false;

		if (sscanf(line, "%255s %llu", name, &size) != 2 ||
		    strncmp(name, "dma_heap/", 9))
			continue;
		lines++;
		for (int i = 0; i < nexpected; i++) {
			if (strcmp(expected[i].name, name))
				continue;
			known = true;
			tap(!expected[i].seen && expected[i].size == size,
			    "capacity: %s %llu (want %llu, listed once)", name,
			    size, (unsigned long long)expected[i].size);
			expected[i].seen = true;
		}
		if (!known) {
			extra++;
			printf("# unexpected region %s", line);
		}
	}
	fclose(f);
	for (int i = 0; i < nexpected; i++)
		if (!expected[i].seen)
			tap(false, "capacity: %s listed", expected[i].name);
	tap(extra == 0, "capacity: no region but the heaps' (%d listed, %d unexpected; the legacy CMA alias shares %s)",
	    lines, extra, DEFAULT_CMA_HEAP);
}

/* ---- dmem.max ---- */

static void test_limit(void)
{
	__u64 used0 = heap_used(heap);
	int fds[4], fd, other;
	bool ok = true;

	tap(cg_create("dmem-limit", LIMIT) == 0 && cg_enter("dmem-limit") == 0,
	    "enter a cgroup with dmem.max %s %llu", region, LIMIT);
	tap(cg_region_value("dmem-limit", "dmem.max", region) == LIMIT,
	    "dmem.max reads back");

	for (int i = 0; i < 4; i++) {
		fds[i] = alloc(heap, LIMIT / 4);
		ok &= fds[i] >= 0;
	}
	tap(ok, "4 MiB in four buffers");
	tap(cg_current("dmem-limit") == LIMIT, "dmem.current %llu",
	    (unsigned long long)cg_current("dmem-limit"));

	fd = alloc(heap, 4096);
	tap(fd == -ENOMEM, "the next page is refused with ENOMEM (%s)",
	    fd >= 0 ? "allocated" : strerror(-fd));
	if (fd >= 0)
		close(fd);
	tap(heap_used(heap) == used0 + LIMIT && cg_current("dmem-limit") == LIMIT,
	    "the refusal leaves heap usage and dmem.current alone");
	tap(cg_region_value(".", "dmem.current", region) == heap_used(heap),
	    "the root cgroup's dmem.current is the heap's usage (%llu)",
	    (unsigned long long)heap_used(heap));

	other = alloc("carveout-dynamic", 8 << 20);
	tap(other >= 0, "another heap is not limited by this region's dmem.max");
	if (other >= 0)
		close(other);

	close(fds[0]);
	tap(cg_current("dmem-limit") == LIMIT * 3 / 4, "freeing uncharges");
	fds[0] = alloc(heap, LIMIT / 4);
	tap(fds[0] >= 0, "freeing makes room");
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	tap(cg_current("dmem-limit") == 0 && heap_used(heap) == used0,
	    "all freed: dmem.current 0");

	tap(cg_write("dmem-limit", "dmem.max", "nosuch/region 1") == -EINVAL,
	    "dmem.max refuses an unknown region");
	cg_enter(".");
}

/* ---- references held elsewhere ---- */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* One byte over @sock: a step of the two processes' protocol. */
static void sync_send(int sock)
{
	char b = 0;

	if (write(sock, &b, 1) != 1)
		fail("sync write: %s", strerror(errno));
}

static void sync_wait(int sock)
{
	char b;

	if (read(sock, &b, 1) != 1)
		fail("sync read: %s", strerror(errno));
}

static void test_socket(void)
{
	int sv[2], fd, status;
	pid_t pid;

	cg_create("dmem-owner", NO_VALUE);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		tap(false, "socketpair: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* The receiver, in the root cgroup. */
		int rfd;

		close(sv[0]);
		rfd = recv_fd(sv[1]);
		sync_send(sv[1]);	/* holding it */
		sync_wait(sv[1]);	/* may drop it */
		if (rfd >= 0)
			close(rfd);
		sync_send(sv[1]);
		_exit(rfd >= 0 ? 0 : 1);
	}
	close(sv[1]);
	cg_enter("dmem-owner");
	fd = alloc(heap, 2 << 20);
	tap(fd >= 0 && cg_current("dmem-owner") == 2 << 20,
	    "socket: 2 MiB charged to the allocating cgroup");
	if (fd >= 0) {
		tap(send_fd(sv[0], fd) == 0, "socket: buffer sent with SCM_RIGHTS");
		close(fd);
	}
	cg_enter(".");
	sync_wait(sv[0]);
	tap(cg_current("dmem-owner") == 2 << 20,
	    "socket: still charged while only the receiver holds it (%llu)",
	    (unsigned long long)cg_current("dmem-owner"));
	sync_send(sv[0]);
	sync_wait(sv[0]);
	waitpid(pid, &status, 0);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    cg_current("dmem-owner") == 0,
	    "socket: uncharged when the receiver closes it");
	close(sv[0]);
}

static void test_fork(void)
{
	int sv[2], fd, status;
	pid_t pid;

	cg_create("dmem-child", NO_VALUE);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		tap(false, "socketpair: %s", strerror(errno));
		return;
	}
	cg_enter("dmem-owner");
	fd = alloc(heap, 1 << 20);
	pid = fork();
	if (pid == 0) {
		/* Inherits the buffer; allocates its own in another cgroup. */
		int own;

		close(sv[0]);
		cg_enter("dmem-child");
		own = alloc(heap, 512 << 10);
		sync_send(sv[1]);
		sync_wait(sv[1]);
		if (fd >= 0)
			close(fd);
		if (own >= 0)
			close(own);
		_exit(own >= 0 ? 0 : 1);
	}
	close(sv[1]);
	if (fd >= 0)
		close(fd);
	cg_enter(".");
	sync_wait(sv[0]);
	tap(cg_current("dmem-owner") == 1 << 20,
	    "fork: the inherited buffer stays charged to the parent's cgroup");
	tap(cg_current("dmem-child") == 512 << 10,
	    "fork: the child's own buffer is charged to the child's cgroup");
	sync_send(sv[0]);
	waitpid(pid, &status, 0);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    cg_current("dmem-owner") == 0 && cg_current("dmem-child") == 0,
	    "fork: both uncharged once the child exits");
	close(sv[0]);
}

/* ---- two cgroups, threads in each ---- */

#define THREADS		4
#define ROUNDS		200

struct worker {
	pthread_t thread;
	unsigned long ok, refused, other;
	__u64 seed;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		__u64 len = (xorshift64s(&w->seed) % 512 + 1) * 4096;
		int fd = alloc(heap, len);

		if (fd >= 0) {
			w->ok++;
			close(fd);
		} else if (fd == -ENOMEM) {
			w->refused++;
		} else {
			w->other++;
		}
	}
	return NULL;
}

/* In cgroup @cg: THREADS threads allocate and free; exit 0 if all went well. */
static int threads_child(const char *cg, __u64 seed)
{
	struct worker w[THREADS] = { 0 };
	unsigned long ok = 0, refused = 0, other = 0;

	if (cg_enter(cg))
		return 2;
	for (int i = 0; i < THREADS; i++) {
		w[i].seed = seed + i;
		pthread_create(&w[i].thread, NULL, worker_fn, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		ok += w[i].ok;
		refused += w[i].refused;
		other += w[i].other;
	}
	printf("# %s: %lu allocations, %lu refused with ENOMEM, %lu other errors\n",
	       cg, ok, refused, other);
	/* 4 threads asking for up to 2 MiB each must meet the 4 MiB limit. */
	return ok && refused && !other ? 0 : 1;
}

static void test_threads(void)
{
	const char *cgs[2] = { "dmem-threads-a", "dmem-threads-b" };
	__u64 peak[2], used0 = heap_used(heap);
	pid_t pids[2];
	int status;

	for (int c = 0; c < 2; c++) {
		cg_create(cgs[c], LIMIT);
		pids[c] = fork();
		if (pids[c] == 0)
			_exit(threads_child(cgs[c], 1000 * (c + 1)));
	}
	for (int c = 0; c < 2; c++) {
		waitpid(pids[c], &status, 0);
		peak[c] = cg_region_value(cgs[c], "dmem.peak", region);
		tap(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "threads: %s: %d threads allocated, were refused with ENOMEM and nothing else",
		    cgs[c], THREADS);
		tap(peak[c] > 0 && peak[c] <= LIMIT,
		    "threads: %s: dmem.peak %llu within dmem.max", cgs[c],
		    (unsigned long long)peak[c]);
		tap(cg_current(cgs[c]) == 0, "threads: %s: dmem.current 0 at the end",
		    cgs[c]);
	}
	tap(heap_used(heap) == used0, "threads: heap usage back to %llu",
	    (unsigned long long)used0);
}

/* ---- fail-nth over the charge ---- */

static void test_failnth(void)
{
	unsigned long injected = 0, refused = 0;
	__u64 used0 = heap_used(heap);
	bool ok = true, done = false;
	int nth, n;

	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth < 0) {
		tap(false, "open fail-nth: %s", strerror(errno));
		return;
	}
	for (n = 1; n < 1000 && !done && ok; n++) {
		char cg[32], v[16];
		int fd, len;

		/* A new cgroup: its dmem bookkeeping is allocated at the charge. */
		snprintf(cg, sizeof(cg), "dmem-failnth-%d", n);
		if (cg_create(cg, LIMIT) || cg_enter(cg)) {
			ok = false;
			fail("%s: cannot enter", cg);
			break;
		}
		len = snprintf(v, sizeof(v), "%d", n);
		pwrite(nth, v, len, 0);
		fd = alloc(heap, 64 << 10);
		memset(v, 0, sizeof(v));
		pread(nth, v, sizeof(v) - 1, 0);
		pwrite(nth, "0", 1, 0);
		if (strtol(v, NULL, 10) != 0) {
			done = true;	/* ran without an injected failure */
			ok &= fd >= 0 && cg_current(cg) == 64 << 10;
		} else {
			injected++;
			if (fd < 0) {
				refused++;
				if (fd != -ENOMEM && fd != -EINTR) {
					ok = false;
					fail("n=%d: unexpected error %s", n, strerror(-fd));
				}
				ok &= cg_current(cg) == 0 || cg_current(cg) == NO_VALUE;
			}
		}
		if (fd >= 0)
			close(fd);
		ok &= cg_current(cg) == 0 || cg_current(cg) == NO_VALUE;
		cg_enter(".");
		cg_remove(cg);
	}
	close(nth);
	tap(ok && done, "fail-nth: %lu injected failures (%lu refused the allocation), then success; each cgroup left at 0",
	    injected, refused);
	tap(heap_used(heap) == used0, "fail-nth: nothing leaked in the heap");
}

int main(int argc, char **argv)
{
	static const char * const cgs[] = {
		"dmem-limit", "dmem-owner", "dmem-child", "dmem-threads-a",
		"dmem-threads-b",
	};
	bool zero = true;

	if (argc < 2) {
		fprintf(stderr, "usage: dmem-test HEAP [NAME=SIZE...]\n");
		return 2;
	}
	heap = argv[1];
	snprintf(region, sizeof(region), "dma_heap/%s", heap);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* /init enables the controller for the root's children. */
	if (access(CG_ROOT "/dmem.capacity", R_OK)) {
		tap(false, "dmem controller enabled: %s", strerror(errno));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			return 2;
		*eq = '\0';
		expect(argv[i], strtoull(eq + 1, NULL, 0));
	}

	test_capacity();
	test_limit();
	test_socket();
	test_fork();
	test_threads();
	test_failnth();

	for (size_t i = 0; i < sizeof(cgs) / sizeof(cgs[0]); i++) {
		__u64 cur = cg_current(cgs[i]);

		if (cur != 0 && cur != NO_VALUE) {
			zero = false;
			printf("# %s: dmem.current %llu\n", cgs[i],
			       (unsigned long long)cur);
		}
		cg_remove(cgs[i]);
	}
	tap(zero, "dmem.current back to 0 in every cgroup, all removed");

	return tap_failures || nr_errors ? 1 : 0;
}
