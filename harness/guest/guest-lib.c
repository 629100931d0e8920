// SPDX-License-Identifier: GPL-2.0
/*
 * guest-lib: helpers shared by the harness's guest programs, see
 * guest-lib.h.
 */
#define __SANE_USERSPACE_TYPES__	/* __u64 is unsigned long long */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "guest-lib.h"

int tap_tests, tap_failures;
int nr_errors;

void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failures++;
}

void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	nr_errors++;
}

ssize_t read_file(const char *path, void *buf, size_t len)
{
	size_t total = 0;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (total < len) {
		ret = read(fd, (char *)buf + total, len - total);
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

int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n = read_file(path, buf, len - 1);

	if (n < 0)
		return n;
	buf[n] = '\0';

	return 0;
}

int read_u64(const char *path, __u64 *val)
{
	char buf[64], *end;
	int ret;

	ret = read_text(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;

	return 0;
}

ssize_t dt_prop_read(const char *node, const char *prop, void *buf,
		     size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", node, prop);

	return read_file(path, buf, len);
}

bool dt_prop_present(const char *node, const char *prop)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", node, prop);

	return access(path, F_OK) == 0;
}

int heap_for_each(int (*fn)(const char *name, void *arg), void *arg)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(HEAP_DEV_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (fn(de->d_name, arg))
			break;
	}
	closedir(dir);

	return 0;
}

bool heap_exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, name);

	return access(path, F_OK) == 0;
}

int heap_open(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", HEAP_DEV_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int heap_alloc(int heap_fd, __u64 len, __u32 fd_flags, __u64 heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;

	return data.fd;
}

int heap_alloc_name(const char *name, __u64 len)
{
	int heap_fd, ret;

	heap_fd = heap_open(name);
	if (heap_fd < 0)
		return heap_fd;
	ret = heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0);
	close(heap_fd);

	return ret;
}

int buf_sync(int buf_fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(buf_fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 ? -errno : 0;
}

/* A "key: value" number of a stats file, if @key is @want. */
static bool stat_u64(const char *key, const char *want, const char *val,
		     int base, __u64 *out)
{
	if (strcmp(key, want))
		return false;
	*out = strtoull(val, NULL, base);

	return true;
}

int heap_stats_read(const char *heap, struct heap_stats *st)
{
	char path[PATH_MAX], text[4096], *line, *save, *val;
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
		if (!strcmp(line, "region"))
			snprintf(st->region, sizeof(st->region), "%s", val);
		else if (!strcmp(line, "cpu_access"))
			snprintf(st->cpu_access, sizeof(st->cpu_access), "%s", val);
		st->have_base |= stat_u64(line, "base", val, 16, &st->base);
		st->have_size |= stat_u64(line, "size", val, 10, &st->size);
		st->have_used |= stat_u64(line, "used", val, 10, &st->used);
		st->have_buffers |= stat_u64(line, "buffers", val, 10,
					     &st->buffers);
		st->have_largest_free |= stat_u64(line, "largest_free", val, 10,
						  &st->largest_free);
		st->have_clear_backlog |= stat_u64(line, "clear_backlog", val,
						   10, &st->clear_backlog);
		st->have_cleared_inline |= stat_u64(line, "cleared_inline", val,
						    10, &st->cleared_inline);
	}

	return 0;
}

int heap_buffer_phys(const char *heap, int buf_fd, __u64 *phys, __u64 *size)
{
	char path[PATH_MAX], line[256];
	int ret = -ENOENT;
	struct stat sb;
	FILE *f;

	if (fstat(buf_fd, &sb))
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/buffers", HEAP_DEBUGFS_DIR, heap);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		unsigned long long ino, p, s;

		if (sscanf(line, "%llu %llx %llu", &ino, &p, &s) == 3 &&
		    ino == (unsigned long long)sb.st_ino) {
			*phys = p;
			*size = s;
			ret = 0;
		}
	}
	fclose(f);

	return ret;
}

bool cma_area_exists(const char *area)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", CMA_DEBUGFS_DIR, area);

	return access(path, F_OK) == 0;
}

int cma_area_read(const char *area, const char *file, __u64 *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", CMA_DEBUGFS_DIR, area, file);

	return read_u64(path, val);
}

__u64 xorshift64s(__u64 *state)
{
	__u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;

	return x * 0x2545F4914F6CDD1DULL;
}
