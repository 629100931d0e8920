/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest-lib: what the harness's guest programs share.
 *
 * TAP and error output, small file readers (sysfs, debugfs, the device
 * tree), the heaps in /dev/dma_heap and their allocation ioctl, the debugfs
 * files of contiguous heaps and CMA areas, and a seeded random generator.
 * initramfs.sh compiles guest-lib.c into every program in harness/guest/;
 * it is not a program of its own.
 */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define HEAP_DEV_DIR		"/dev/dma_heap"
#define DEBUGFS_DIR		"/sys/kernel/debug"
#define HEAP_DEBUGFS_DIR	DEBUGFS_DIR "/dma_heap"
#define CMA_DEBUGFS_DIR		DEBUGFS_DIR "/cma"
#define DT_RESERVED_MEMORY	"/proc/device-tree/reserved-memory"

/* The default CMA heap and its legacy name both use the cmdline area. */
#define DEFAULT_CMA_HEAP	"default_cma_region"
#define LEGACY_CMA_HEAP		"reserved"
#define DEFAULT_CMA_AREA	"reserved"

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

/* ---- output ---- */

/* TAP test points printed so far, and how many of them failed. */
extern int tap_tests, tap_failures;

/* Print "ok N - ..." or "not ok N - ...", one line, flushed. */
__printf(2, 3) void tap(bool ok, const char *fmt, ...);

/* Errors reported by fail() so far. */
extern int nr_errors;

/* Print "error: ..." on stderr (after flushing stdout) and count it. */
__printf(1, 2) void fail(const char *fmt, ...);

/* ---- files ---- */

/* Read up to @len bytes of @path. Returns the byte count or -errno. */
ssize_t read_file(const char *path, void *buf, size_t len);

/* Read a small text file into @buf, NUL-terminated. Returns 0 or -errno. */
int read_text(const char *path, char *buf, size_t len);

/* Read one number (decimal, 0x hex or 0 octal). Returns 0 or -errno. */
int read_u64(const char *path, __u64 *val);

/* Property @prop of the device-tree node directory @node. */
ssize_t dt_prop_read(const char *node, const char *prop, void *buf,
		     size_t len);
bool dt_prop_present(const char *node, const char *prop);

/* ---- heaps ---- */

/*
 * Call @fn with the name of every heap in HEAP_DEV_DIR, in directory
 * order, until it returns non-zero. Returns 0, or -errno when the
 * directory cannot be opened.
 */
int heap_for_each(int (*fn)(const char *name, void *arg), void *arg);

bool heap_exists(const char *name);

/* Open the heap's device node. Returns the fd or -errno. */
int heap_open(const char *name);

/* DMA_HEAP_IOCTL_ALLOC on an open heap. Returns the dma-buf fd or -errno. */
int heap_alloc(int heap_fd, __u64 len, __u32 fd_flags, __u64 heap_flags);

/* Open the heap, allocate an O_RDWR | O_CLOEXEC buffer, close the heap. */
int heap_alloc_name(const char *name, __u64 len);

/* DMA_BUF_IOCTL_SYNC on a dma-buf. Returns 0 or -errno. */
int buf_sync(int buf_fd, __u64 flags);

/*
 * HEAP_DEBUGFS_DIR/<heap>/stats of a contiguous heap: "key: value" lines,
 * sizes in bytes. A key the file does not have reads as 0 (or "") with its
 * have_ flag false.
 */
struct heap_stats {
	char region[NAME_MAX + 1];
	__u64 base;
	__u64 size;
	char cpu_access[32];
	__u64 used;
	__u64 buffers;
	__u64 largest_free;
	__u64 clear_backlog;	/* heaps clearing ahead of allocation */
	__u64 cleared_inline;
	bool have_base, have_size, have_used, have_buffers, have_largest_free;
	bool have_clear_backlog, have_cleared_inline;
};

/* Returns 0, or -errno when the heap has no readable stats file. */
int heap_stats_read(const char *heap, struct heap_stats *st);

/*
 * The physical range of the dma-buf @buf_fd in the heap's debugfs buffers
 * listing. Returns 0, -ENOENT when it is not listed, or -errno.
 */
int heap_buffer_phys(const char *heap, int buf_fd, __u64 *phys, __u64 *size);

/* CMA_DEBUGFS_DIR/<area> exists (CONFIG_CMA_DEBUGFS). */
bool cma_area_exists(const char *area);

/* CMA_DEBUGFS_DIR/<area>/<file>: base_pfn, count, used, ... */
int cma_area_read(const char *area, const char *file, __u64 *val);

/* ---- random numbers ---- */

/* xorshift64*: the next number of the sequence seeded in *@state (not 0). */
__u64 xorshift64s(__u64 *state);

#endif /* GUEST_LIB_H */
