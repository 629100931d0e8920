// SPDX-License-Identifier: GPL-2.0
/*
 * vivid-capture: a second real importer next to vgem. V4L2's vivid test
 * driver, with vb2-dma-contig (vivid.allocators=1), captures frames into
 * dma-bufs from every heap, queued with V4L2_MEMORY_DMABUF. TAP output.
 *
 * Expected, per heap:
 *  - system: refused when queued (its buffers are not contiguous);
 *  - a heap without CPU access: refused when queued with EINVAL (vivid
 *    writes every frame with the CPU; series-extra/ makes it check). If
 *    vivid accepts the buffer, the test streams anyway and fails: before
 *    that fix, the capture thread wrote through a NULL kernel mapping and
 *    the kernel panicked;
 *  - heaps left by the KUnit suites (kunit-*): skipped;
 *  - every other heap: each buffer is filled with a marker through mmap
 *    first, then two frames are captured into it; the frame must cover
 *    the whole image (no marker word left) and must not be all zeroes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "guest-lib.h"

#define NR_BUFS		2
#define MARKER		0xa5a5a5a5u

static int video_open(void)
{
	char path[32];
	int i;

	for (i = 0; i < 16; i++) {
		struct v4l2_capability cap = {};
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING)) {
			printf("# %s: vivid video capture\n", path);
			return fd;
		}
		close(fd);
	}
	return -ENODEV;
}

static int reqbufs(int vfd, unsigned int count)
{
	struct v4l2_requestbuffers rb = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};

	return ioctl(vfd, VIDIOC_REQBUFS, &rb) ? -errno : (int)rb.count;
}

static int qbuf(int vfd, unsigned int index, int buf_fd, size_t len)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.length = len,
	};

	b.m.fd = buf_fd;
	return ioctl(vfd, VIDIOC_QBUF, &b) ? -errno : 0;
}

static int dqbuf(int vfd, struct v4l2_buffer *b)
{
	struct pollfd pfd = { .fd = vfd, .events = POLLIN };
	int ret;

	ret = poll(&pfd, 1, 20000);
	if (ret <= 0)
		return ret ? -errno : -ETIMEDOUT;
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_DMABUF;
	return ioctl(vfd, VIDIOC_DQBUF, b) ? -errno : 0;
}

/* Fill through mmap, or check what vivid wrote. Returns 0 or -errno. */
static int buf_fill(int buf_fd, size_t len)
{
	__u32 *p;
	size_t i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	buf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (i = 0; i < len / 4; i++)
		p[i] = MARKER;
	buf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	munmap(p, len);
	return 0;
}

static int buf_check(const char *heap, int buf_fd, size_t len, size_t image)
{
	size_t i, marker = 0, zero = 0;
	__u32 *p;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, buf_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	buf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = 0; i < image / 4; i++) {
		marker += p[i] == MARKER;
		zero += p[i] == 0;
	}
	buf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, len);
	printf("# %s: %zu of %zu words still the marker, %zu zero\n",
	       heap, marker, image / 4, zero);
	return !marker && zero < image / 4 ? 0 : -EIO;
}

static size_t image_size;
static int cpuless_heaps, contig_heaps;

static int capture(const char *heap, void *arg)
{
	int *vfd = arg, bufs[NR_BUFS], i, ret, frames = 0;
	size_t len = (image_size + 4095) & ~(size_t)4095;
	struct heap_stats st;
	bool cpu = true, system = !strcmp(heap, "system");
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	/* Heaps the KUnit suites leave behind have the test's own ops. */
	if (!strncmp(heap, "kunit-", 6)) {
		printf("# %s: skipped (KUnit test heap)\n", heap);
		return 0;
	}
	if (!heap_stats_read(heap, &st))
		cpu = strcmp(st.cpu_access, "none");
	if (!cpu)
		cpuless_heaps++;
	else if (!system)
		contig_heaps++;

	ret = reqbufs(*vfd, NR_BUFS);
	if (ret < NR_BUFS) {
		tap(false, "%s: REQBUFS(DMABUF, %d): %d", heap, NR_BUFS, ret);
		return 0;
	}
	for (i = 0; i < NR_BUFS; i++) {
		bufs[i] = heap_alloc_name(heap, len);
		if (bufs[i] < 0) {
			tap(false, "%s: allocate %zu bytes: %s", heap, len,
			    strerror(-bufs[i]));
			goto out;
		}
		if (cpu && buf_fill(bufs[i], len)) {
			tap(false, "%s: fill buffer %d through mmap", heap, i);
			goto out;
		}
	}

	ret = qbuf(*vfd, 0, bufs[0], len);
	if (system) {
		tap(ret < 0, "%s: QBUF refused (not contiguous): %s", heap,
		    ret ? strerror(-ret) : "accepted");
		goto out;
	}
	if (!cpu && ret == -EINVAL) {
		tap(true, "%s: QBUF of a buffer without CPU access refused with EINVAL",
		    heap);
		goto out;
	}
	/*
	 * A buffer without CPU access that vivid accepts is captured into
	 * like any other: without vivid's check, its capture thread writes
	 * through a NULL kernel mapping here and the kernel panics.
	 */
	if (!cpu)
		printf("# %s: QBUF of a buffer without CPU access: %s\n", heap,
		       ret ? strerror(-ret) : "accepted, streaming anyway");
	if (ret) {
		tap(false, "%s: QBUF: %s", heap, strerror(-ret));
		goto out;
	}
	ret = qbuf(*vfd, 1, bufs[1], len);
	if (!ret && ioctl(*vfd, VIDIOC_STREAMON, &type))
		ret = -errno;
	while (!ret && frames < 2 * NR_BUFS) {
		struct v4l2_buffer b;

		ret = dqbuf(*vfd, &b);
		if (ret)
			break;
		if (b.flags & V4L2_BUF_FLAG_ERROR || b.bytesused < image_size) {
			printf("# %s: frame %d: flags %#x bytesused %u\n",
			       heap, frames, b.flags, b.bytesused);
			ret = -EIO;
			break;
		}
		ret = cpu ? buf_check(heap, bufs[b.index], len, image_size) : -EINVAL;
		if (!ret && frames + NR_BUFS < 2 * NR_BUFS) {
			buf_fill(bufs[b.index], len);
			ret = qbuf(*vfd, b.index, bufs[b.index], len);
		}
		frames++;
	}
	ioctl(*vfd, VIDIOC_STREAMOFF, &type);
	tap(!ret, "%s: %d frames captured into its dma-bufs, each covering the image%s%s",
	    heap, frames, ret ? ": " : "", ret ? strerror(-ret) : "");
out:
	while (--i >= 0)
		close(bufs[i]);
	reqbufs(*vfd, 0);
	return 0;
}

int main(void)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	int vfd;

	vfd = video_open();
	tap(vfd >= 0, "vivid video capture device found");
	if (vfd < 0)
		goto done;
	if (ioctl(vfd, VIDIOC_G_FMT, &fmt)) {
		tap(false, "VIDIOC_G_FMT: %s", strerror(errno));
		goto done;
	}
	image_size = fmt.fmt.pix.sizeimage;
	printf("# format %.4s %ux%u, %zu bytes per frame\n",
	       (char *)&fmt.fmt.pix.pixelformat, fmt.fmt.pix.width,
	       fmt.fmt.pix.height, image_size);
	heap_for_each(capture, &vfd);
	close(vfd);
	/* Not vacuous: the layout has both kinds. */
	tap(contig_heaps >= 4 && cpuless_heaps >= 1,
	    "%d contiguous CPU-accessible heaps and %d without CPU access tested",
	    contig_heaps, cpuless_heaps);
done:
	printf("1..%d\n", tap_tests);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_tests - tap_failures, tap_failures);
	return tap_failures ? 1 : 0;
}
