// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA-BUF heaps core: looking heaps up by name and
 * through the device tree, reference counting, the checks done on
 * in-kernel allocations, and the rule every heap name must follow.
 *
 * Heaps cannot be removed, so the test heap is registered the first time one
 * of the suites runs and then stays for the rest of the boot, as
 * /dev/dma_heap/kunit-dma-heap-test. For the same reason the test cannot be
 * a module: the heap would outlive the code of its operations. The heap hands
 * out buffers of the system heap, so that tools exercising every heap in
 * /dev/dma_heap (such as the dmabuf-heaps selftest) still find a working one.
 * A second heap of the same kind, registered under the longest name allowed
 * by the name test ("kunit-dma-heap-copied-xxx..."), stays too, and so does
 * a third one, "kunit-dma-heap-kernel-only", registered kernel-only and
 * published by the scrubber test.
 *
 * Copyright (C) 2026 Dmabuf Heaps Team
 */

#include <kunit/device.h>
#include <kunit/of.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <uapi/linux/dma-heap.h>

#include "dma-heap-internal.h"

#define TEST_HEAP_NAME "kunit-dma-heap-test"

static struct dma_heap *test_heap;
static DEFINE_MUTEX(test_heap_lock);

/* What the test heap's allocate operation saw last, and how often it ran */
static atomic_long_t test_heap_last_len;
static atomic_t test_heap_calls;

static struct dma_buf *test_heap_allocate(struct dma_heap *heap,
					  unsigned long len, u32 fd_flags,
					  u64 heap_flags)
{
	struct dma_heap *system;
	struct dma_buf *dmabuf;

	atomic_long_set(&test_heap_last_len, len);
	atomic_inc(&test_heap_calls);

	system = dma_heap_find("system");
	if (!system)
		return ERR_PTR(-ENODEV);

	dmabuf = dma_heap_buffer_alloc(system, len, fd_flags, heap_flags);
	dma_heap_put(system);

	return dmabuf;
}

static const struct dma_heap_ops test_heap_ops = {
	.allocate = test_heap_allocate,
};

static int dma_heap_test_suite_init(struct kunit_suite *suite)
{
	struct dma_heap_export_info exp_info = {
		.name = TEST_HEAP_NAME,
		.ops = &test_heap_ops,
	};
	struct dma_heap *heap;

	guard(mutex)(&test_heap_lock);
	if (test_heap)
		return 0;

	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap))
		return PTR_ERR(heap);

	test_heap = heap;

	return 0;
}

static unsigned int test_heap_refs(void)
{
	return kref_read(&test_heap->refcount);
}

static void dma_heap_test_find_put(struct kunit *test)
{
	unsigned int refs = test_heap_refs();
	struct dma_heap *a, *b;

	a = dma_heap_find(TEST_HEAP_NAME);
	KUNIT_ASSERT_PTR_EQ(test, a, test_heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 1);
	KUNIT_EXPECT_STREQ(test, dma_heap_get_name(a), TEST_HEAP_NAME);

	b = dma_heap_find(TEST_HEAP_NAME);
	KUNIT_EXPECT_PTR_EQ(test, b, test_heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 2);

	dma_heap_put(b);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 1);
	dma_heap_put(a);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);

	dma_heap_put(NULL);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

static void dma_heap_test_find_missing(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, dma_heap_find("kunit-dma-heap-missing"));
	KUNIT_EXPECT_NULL(test, dma_heap_find(""));
	KUNIT_EXPECT_NULL(test, dma_heap_find(NULL));
}

struct near_name_case {
	const char *desc;
	const char *name;
};

static const struct near_name_case near_name_cases[] = {
	{ "prefix", "kunit-dma-heap" },
	{ "one character short", "kunit-dma-heap-tes" },
	{ "longer", "kunit-dma-heap-test2" },
	{ "trailing newline", TEST_HEAP_NAME "\n" },
	{ "leading space", " " TEST_HEAP_NAME },
	{ "upper case", "KUNIT-DMA-HEAP-TEST" },
};

KUNIT_ARRAY_PARAM_DESC(near_name, near_name_cases, desc);

/* dma_heap_find() matches exactly, unlike sysfs_streq() or strncmp() */
static void dma_heap_test_find_exact(struct kunit *test)
{
	const struct near_name_case *c = test->param_value;
	unsigned int refs = test_heap_refs();
	struct dma_heap *heap;

	heap = dma_heap_find(c->name);
	KUNIT_EXPECT_NULL(test, heap);
	dma_heap_put(heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

/*
 * Heap names: one rule in dma_heap_add() for every heap. A name becomes
 * /dev/dma_heap/<name>, a sysfs device and a debugfs directory, so it must
 * be a single path component that the device core keeps as it is: the
 * characters of a device-tree node name, at most DMA_HEAP_NAME_MAX of them.
 * Before that rule a '/' became '!' in the device name (so "a/b" and "a!b"
 * collided) and an over-long name registered a heap without a device node.
 */
struct bad_name_case {
	const char *desc;
	const char *name;	/* NULL: @len times 'k' */
	size_t len;
	int err;
};

static const struct bad_name_case bad_name_cases[] = {
	{ "empty", "", 0, -EINVAL },
	{ "slash", "kunit-dma-heap/slash", 0, -EINVAL },
	{ "bang", "kunit-dma-heap!bang", 0, -EINVAL },
	{ "space", "kunit dma-heap", 0, -EINVAL },
	{ "trailing newline", "kunit-dma-heap-nl\n", 0, -EINVAL },
	{ "leading dash", "-kunit-dma-heap", 0, -EINVAL },
	{ "dot dot", "..", 0, -EINVAL },
	{ "non-ASCII", "kunit-dma-heap-\xc3\xa9", 0, -EINVAL },
	{ "one character too long", NULL, DMA_HEAP_NAME_MAX + 1, -ENAMETOOLONG },
	{ "300 characters", NULL, 300, -ENAMETOOLONG },
};

KUNIT_ARRAY_PARAM_DESC(bad_name, bad_name_cases, desc);

static const char *bad_name(struct kunit *test, const struct bad_name_case *c)
{
	char *name;

	if (c->name)
		return c->name;

	name = kunit_kzalloc(test, c->len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'k', c->len);

	return name;
}

static void dma_heap_test_add_bad_name(struct kunit *test)
{
	const struct bad_name_case *c = test->param_value;
	struct dma_heap_export_info exp_info = {
		.name = bad_name(test, c),
		.ops = &test_heap_ops,
	};
	struct dma_heap *heap;

	heap = dma_heap_add(&exp_info);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(heap), c->err);
	heap = dma_heap_find(exp_info.name);
	KUNIT_EXPECT_NULL(test, heap);
	dma_heap_put(heap);
}

/* '/' and '!' are both refused, so the two can never meet as one device */
static void dma_heap_test_add_slash_bang(struct kunit *test)
{
	static const char * const names[] = {
		"kunit-dma-heap-a!b", "kunit-dma-heap-a/b",
	};
	struct dma_heap *heap;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct dma_heap_export_info exp_info = {
			.name = names[i],
			.ops = &test_heap_ops,
		};

		heap = dma_heap_add(&exp_info);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(heap), -EINVAL,
				    "heap \"%s\"", names[i]);
		heap = dma_heap_find(names[i]);
		KUNIT_EXPECT_NULL(test, heap);
		dma_heap_put(heap);
	}
}

/*
 * The core keeps its own copy of the name: a caller may pass a string it
 * frees afterwards (cma_heap_dev_add() passes its caller's). The heap
 * stays registered, with the longest name allowed.
 */
static void dma_heap_test_add_copies_name(struct kunit *test)
{
	static const char prefix[] = "kunit-dma-heap-copied-";
	struct dma_heap_export_info exp_info = { .ops = &test_heap_ops };
	char expected[DMA_HEAP_NAME_MAX + 1];
	struct dma_heap *heap, *found;
	char *name;

	memset(expected, 'x', DMA_HEAP_NAME_MAX);
	memcpy(expected, prefix, sizeof(prefix) - 1);
	expected[DMA_HEAP_NAME_MAX] = '\0';

	found = dma_heap_find(expected);
	dma_heap_put(found);
	if (found)
		kunit_skip(test, "registered by an earlier run already");

	name = kstrdup(expected, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	exp_info.name = name;
	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap))
		kfree(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, heap);

	KUNIT_EXPECT_PTR_NE(test, dma_heap_get_name(heap), (const char *)name);
	/* The caller reuses, then frees its buffer: the heap must not care */
	memset(name, 'y', DMA_HEAP_NAME_MAX);
	KUNIT_EXPECT_STREQ(test, dma_heap_get_name(heap), expected);
	kfree(name);
	KUNIT_EXPECT_STREQ(test, dma_heap_get_name(heap), expected);

	found = dma_heap_find(expected);
	KUNIT_EXPECT_PTR_EQ(test, found, heap);
	dma_heap_put(found);
}

struct alloc_invalid_case {
	const char *desc;
	size_t len;
	u32 fd_flags;
	u64 heap_flags;
};

static const struct alloc_invalid_case alloc_invalid_cases[] = {
	{ "zero length", 0, O_RDWR, 0 },
	{ "SIZE_MAX length", SIZE_MAX, O_RDWR, 0 },
	{ "length overflowing when page aligned", SIZE_MAX - PAGE_SIZE + 2,
	  O_RDWR, 0 },
	{ "O_NONBLOCK in fd_flags", PAGE_SIZE, O_RDWR | O_NONBLOCK, 0 },
	{ "all fd_flags", PAGE_SIZE, ~0U, 0 },
	{ "heap_flags bit 0", PAGE_SIZE, O_RDWR, BIT_ULL(0) },
	{ "heap_flags bit 63", PAGE_SIZE, O_RDWR, BIT_ULL(63) },
};

KUNIT_ARRAY_PARAM_DESC(alloc_invalid, alloc_invalid_cases, desc);

/* The checks DMA_HEAP_IOCTL_ALLOC does, before the heap gets to see them */
static void dma_heap_test_alloc_invalid(struct kunit *test)
{
	const struct alloc_invalid_case *c = test->param_value;
	int calls = atomic_read(&test_heap_calls);
	struct dma_buf *dmabuf;

	dmabuf = dma_heap_buffer_alloc(test_heap, c->len, c->fd_flags,
				       c->heap_flags);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(dmabuf), -EINVAL);
	if (!IS_ERR_OR_NULL(dmabuf))
		dma_buf_put(dmabuf);
	KUNIT_EXPECT_EQ(test, atomic_read(&test_heap_calls), calls);
}

static void dma_heap_test_alloc_rounds_up(struct kunit *test)
{
	static const size_t lens[] = {
		1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE - 1,
	};
	struct dma_heap *system = dma_heap_find("system");
	bool has_system = system;
	struct dma_buf *dmabuf;
	unsigned int i;

	dma_heap_put(system);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		dmabuf = dma_heap_buffer_alloc(test_heap, lens[i],
					       O_RDWR | O_CLOEXEC, 0);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&test_heap_last_len),
				PAGE_ALIGN(lens[i]));
		if (!has_system) {
			KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(dmabuf), -ENODEV);
			continue;
		}
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
		KUNIT_EXPECT_EQ(test, dmabuf->size, PAGE_ALIGN(lens[i]));
		dma_buf_put(dmabuf);
	}
}

/* Heaps of the other kinds, when the kernel has them */
static const char * const alloc_heap_names[] = {
	"system",
	"default_cma_region",
};

static void alloc_heap_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alloc_heap, alloc_heap_names, alloc_heap_desc);

static void dma_heap_test_alloc_heap(struct kunit *test)
{
	const char *name = *(const char * const *)test->param_value;
	const size_t len = 3 * PAGE_SIZE + 1;
	struct iosys_map map;
	struct dma_buf *dmabuf;
	struct dma_heap *heap;
	int ret;

	heap = dma_heap_find(name);
	if (!heap)
		kunit_skip(test, "no heap \"%s\"", name);

	dmabuf = dma_heap_buffer_alloc(heap, len, O_RDWR | O_CLOEXEC, 0);
	/* The buffer must not depend on the caller's heap reference */
	dma_heap_put(heap);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_EQ(test, dmabuf->size, PAGE_ALIGN(len));
	KUNIT_EXPECT_STREQ(test, dmabuf->exp_name, name);

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		KUNIT_EXPECT_NULL(test, memchr_inv(map.vaddr, 0, dmabuf->size));
		dma_buf_vunmap_unlocked(dmabuf, &map);
	}

	dma_buf_put(dmabuf);
}

static void dma_heap_test_kern_unmount(void *mnt)
{
	kern_unmount(mnt);
}

/*
 * Where to open the test heap's device node: NULL for /dev/dma_heap, which
 * exists once userspace mounted devtmpfs on /dev; else, as KUnit runs before
 * init, a private mount of devtmpfs. Skips the test without devtmpfs.
 */
static struct vfsmount *dma_heap_test_dev(struct kunit *test)
{
	struct file_system_type *type;
	struct vfsmount *mnt;
	struct file *file;

	file = filp_open("/dev/dma_heap/" TEST_HEAP_NAME, O_RDWR, 0);
	if (!IS_ERR(file)) {
		__fput_sync(file);
		return NULL;
	}

	type = get_fs_type("devtmpfs");
	if (!type)
		kunit_skip(test, "no devtmpfs");

	mnt = kern_mount(type);
	put_filesystem(type);
	if (IS_ERR(mnt))
		kunit_skip(test, "cannot mount devtmpfs: %pe", mnt);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   dma_heap_test_kern_unmount,
							   mnt));

	return mnt;
}

static struct file *dma_heap_test_open(struct vfsmount *mnt)
{
	if (!mnt)
		return filp_open("/dev/dma_heap/" TEST_HEAP_NAME, O_RDWR, 0);

	return file_open_root_mnt(mnt, "dma_heap/" TEST_HEAP_NAME, O_RDWR, 0);
}

#define KERNEL_ONLY_HEAP_NAME "kunit-dma-heap-kernel-only"

static atomic_t test_scrub_free_calls;

static int test_heap_scrub_free(struct dma_heap *heap)
{
	atomic_inc(&test_scrub_free_calls);

	return 0;
}

static const struct dma_heap_ops test_heap_scrubbed_ops = {
	.allocate = test_heap_allocate,
	.scrub_free = test_heap_scrub_free,
};

static int test_scrub(const struct dma_heap_scrubber *scrubber,
		      phys_addr_t phys, size_t size)
{
	return 0;
}

static const struct dma_heap_scrubber test_scrubber = {
	.name = "kunit",
	.scrub = test_scrub,
	.owner = THIS_MODULE,
};

static bool dma_heap_test_node_exists(struct vfsmount *mnt, const char *name)
{
	struct file *file;
	char path[64];

	snprintf(path, sizeof(path), "%sdma_heap/%s", mnt ? "" : "/dev/", name);
	file = mnt ? file_open_root_mnt(mnt, path, O_RDWR, 0) :
		     filp_open(path, O_RDWR, 0);
	if (IS_ERR(file))
		return false;
	__fput_sync(file);

	return true;
}

/*
 * A kernel-only heap serves kernel users without a /dev/dma_heap node, and
 * gets one when a scrubber is installed; a heap without scrub_free takes no
 * scrubber, and a scrubber is installed once.
 */
static void dma_heap_test_kernel_only(struct kunit *test)
{
	struct dma_heap_export_info exp_info = {
		.name = KERNEL_ONLY_HEAP_NAME,
		.ops = &test_heap_scrubbed_ops,
		.kernel_only = true,
	};
	struct vfsmount *mnt = dma_heap_test_dev(test);
	struct dma_heap *heap, *found, *system;
	struct dma_buf *dmabuf;
	int calls;

	/* Heaps are permanent: only the first run of the boot can test. */
	found = dma_heap_find(KERNEL_ONLY_HEAP_NAME);
	if (found) {
		dma_heap_put(found);
		kunit_skip(test, "%s registered by an earlier run",
			   KERNEL_ONLY_HEAP_NAME);
	}

	heap = dma_heap_add(&exp_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, heap);

	found = dma_heap_find(KERNEL_ONLY_HEAP_NAME);
	KUNIT_EXPECT_PTR_EQ(test, found, heap);
	dma_heap_put(found);
	KUNIT_EXPECT_FALSE(test, dma_heap_is_published(heap));
	KUNIT_EXPECT_FALSE(test, dma_heap_test_node_exists(mnt,
							   KERNEL_ONLY_HEAP_NAME));
	KUNIT_EXPECT_NULL(test, dma_heap_get_scrubber(heap));

	/*
	 * The kernel API reaches the allocate op of a heap without a node.
	 * The test heap delegates to the system heap, which is missing when
	 * it is a module that is not loaded yet: then the op's -ENODEV.
	 */
	system = dma_heap_find("system");
	calls = atomic_read(&test_heap_calls);
	dmabuf = dma_heap_buffer_alloc(heap, PAGE_SIZE, O_RDWR, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&test_heap_calls), calls + 1);
	if (system)
		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, dmabuf);
	else
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(dmabuf), -ENODEV);
	if (!IS_ERR_OR_NULL(dmabuf))
		dma_buf_put(dmabuf);
	if (system)
		dma_heap_put(system);

	/* A heap that cannot use a scrubber refuses it. */
	KUNIT_EXPECT_EQ(test, dma_heap_set_scrubber(test_heap, &test_scrubber),
			-EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, dma_heap_get_scrubber(test_heap));

	KUNIT_EXPECT_EQ(test, dma_heap_set_scrubber(heap, &test_scrubber), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&test_scrub_free_calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, dma_heap_get_scrubber(heap), &test_scrubber);
	KUNIT_EXPECT_TRUE(test, dma_heap_is_published(heap));
	KUNIT_EXPECT_TRUE(test, dma_heap_test_node_exists(mnt,
							  KERNEL_ONLY_HEAP_NAME));

	KUNIT_EXPECT_EQ(test, dma_heap_set_scrubber(heap, &test_scrubber),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&test_scrub_free_calls), 1);
	KUNIT_EXPECT_EQ(test, dma_heap_publish(heap), 0);
}

/* An open file keeps a reference, cdev_del() would not wait for it */
static void dma_heap_test_open_holds_ref(struct kunit *test)
{
	struct vfsmount *mnt = dma_heap_test_dev(test);
	unsigned int refs = test_heap_refs();
	struct file *file;

	file = dma_heap_test_open(mnt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_EXPECT_PTR_EQ(test, file->private_data, test_heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 1);

	__fput_sync(file);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

#define RACE_THREADS	4
#define RACE_OPENS	1000

struct race_ctx {
	atomic_t errors;
	atomic_t loops;
};

static int dma_heap_test_race_find_put(void *data)
{
	struct race_ctx *ctx = data;
	struct dma_heap *heap;

	while (!kthread_should_stop()) {
		heap = dma_heap_find(TEST_HEAP_NAME);
		/* The registration's reference plus ours, at least */
		if (heap != test_heap || test_heap_refs() < 2)
			atomic_inc(&ctx->errors);
		dma_heap_put(heap);
		atomic_inc(&ctx->loops);
		cond_resched();
	}

	return 0;
}

/* dma_heap_find()/dma_heap_put() against open()/release() of the heap */
static void dma_heap_test_race_find_open(struct kunit *test)
{
	struct vfsmount *mnt = dma_heap_test_dev(test);
	struct task_struct *threads[RACE_THREADS];
	unsigned int refs = test_heap_refs();
	struct race_ctx *ctx;
	int open_errors = 0;
	struct file *file;
	int i, started;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	for (started = 0; started < RACE_THREADS; started++) {
		threads[started] = kthread_run(dma_heap_test_race_find_put, ctx,
					       "kunit-dma-heap/%d", started);
		if (IS_ERR(threads[started]))
			break;
	}

	for (i = 0; started == RACE_THREADS && i < RACE_OPENS; i++) {
		file = dma_heap_test_open(mnt);
		if (IS_ERR(file)) {
			open_errors++;
			break;
		}
		if (file->private_data != test_heap)
			open_errors++;
		__fput_sync(file);
		cond_resched();
	}

	for (i = 0; i < started; i++)
		kthread_stop(threads[i]);

	KUNIT_ASSERT_EQ(test, started, RACE_THREADS);
	KUNIT_EXPECT_EQ(test, open_errors, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->loops), 0);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

/*
 * Allocate from @heap through the in-kernel API, map the buffer for @dev
 * like an importer and check that the device sees one contiguous range
 * inside @rmem. Only memory in the linear mapping (@mapped) comes with
 * struct pages; no-map memory is a table of DMA addresses alone, which no
 * importer can sync or kmap. CPU access must follow the region: refused
 * for no-cpu-access regions, zeroed memory otherwise.
 */
static void dma_heap_test_map_one(struct kunit *test, struct device *dev,
				  struct dma_heap *heap,
				  const struct reserved_mem *rmem,
				  bool mapped, bool cpu_access)
{
	struct dma_buf_attachment *attach;
	struct iosys_map map;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	phys_addr_t phys;
	int ret;

	dmabuf = dma_heap_buffer_alloc(heap, SZ_64K + 1, O_RDWR | O_CLOEXEC, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_EQ(test, dmabuf->size, PAGE_ALIGN(SZ_64K + 1));

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, sgt);
	if (!IS_ERR_OR_NULL(sgt)) {
		KUNIT_EXPECT_EQ(test, sgt->nents, 1);
		phys = dma_to_phys(dev, sg_dma_address(sgt->sgl));
		if (mapped) {
			KUNIT_EXPECT_EQ(test, sgt->orig_nents, 1);
			KUNIT_EXPECT_EQ(test, sg_phys(sgt->sgl), phys);
		} else {
			KUNIT_EXPECT_EQ(test, sgt->orig_nents, 0);
			KUNIT_EXPECT_NULL(test, sg_page(sgt->sgl));
		}
		KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), dmabuf->size);
		KUNIT_EXPECT_GE(test, phys, rmem->base);
		KUNIT_EXPECT_LE(test, phys + dmabuf->size,
				rmem->base + rmem->size);
		dma_buf_unmap_attachment_unlocked(attach, sgt,
						  DMA_BIDIRECTIONAL);
	}
	dma_buf_detach(dmabuf, attach);

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (cpu_access) {
		KUNIT_EXPECT_EQ(test, ret, 0);
		if (!ret) {
			KUNIT_EXPECT_NULL(test, memchr_inv(map.vaddr, 0,
							   dmabuf->size));
			dma_buf_vunmap_unlocked(dmabuf, &map);
		}
	} else {
		/* No vmap op: the core refuses without a warning. */
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	}

	dma_buf_put(dmabuf);
}

/*
 * Every registered carveout heap, through the in-kernel API and a device
 * mapping, as a driver importing it would. QEMU's virt machine has no
 * IOMMU, so the device address is the physical one.
 */
static void dma_heap_test_map_carveouts(struct kunit *test)
{
	struct device_node *parent;
	struct device *dev;
	unsigned int tested = 0;

	parent = of_find_node_by_path("/reserved-memory");
	if (!parent)
		kunit_skip(test, "no /reserved-memory");

	dev = kunit_device_register(test, "dma-heap-test-importer");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test,
			dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);

	for_each_available_child_of_node_scoped(parent, np) {
		const struct reserved_mem *rmem;
		struct dma_heap *heap;
		const char *name;

		if (!of_device_is_compatible(np, "linux,dma-heap-carveout"))
			continue;
		name = of_dma_heap_name(np);
		if (IS_ERR(name))
			continue;
		rmem = of_reserved_mem_lookup(np);
		heap = dma_heap_find(name);
		if (!heap || !rmem) {
			/* A node the driver refused: not this test's business. */
			kunit_info(test, "%pOF: no heap \"%s\"\n", np, name);
			if (heap)
				dma_heap_put(heap);
			continue;
		}
		kunit_info(test, "%pOF: heap \"%s\"\n", np, name);
		dma_heap_test_map_one(test, dev, heap, rmem,
				      !of_property_read_bool(np, "no-map"),
				      !of_property_read_bool(np, "no-cpu-access"));
		dma_heap_put(heap);
		tested++;
	}
	of_node_put(parent);

	if (!tested)
		kunit_skip(test, "no carveout heap registered");
}

static struct kunit_case dma_heap_test_cases[] = {
	KUNIT_CASE(dma_heap_test_find_put),
	KUNIT_CASE(dma_heap_test_find_missing),
	KUNIT_CASE_PARAM(dma_heap_test_find_exact, near_name_gen_params),
	KUNIT_CASE_PARAM(dma_heap_test_alloc_invalid,
			 alloc_invalid_gen_params),
	KUNIT_CASE(dma_heap_test_alloc_rounds_up),
	KUNIT_CASE_PARAM(dma_heap_test_alloc_heap, alloc_heap_gen_params),
	KUNIT_CASE(dma_heap_test_map_carveouts),
	KUNIT_CASE(dma_heap_test_open_holds_ref),
	KUNIT_CASE(dma_heap_test_race_find_open),
	KUNIT_CASE_PARAM(dma_heap_test_add_bad_name, bad_name_gen_params),
	KUNIT_CASE(dma_heap_test_add_slash_bang),
	KUNIT_CASE(dma_heap_test_add_copies_name),
	KUNIT_CASE(dma_heap_test_kernel_only),
	{}
};

static struct kunit_suite dma_heap_test_suite = {
	.name = "dma-heap",
	.suite_init = dma_heap_test_suite_init,
	.test_cases = dma_heap_test_cases,
};

/* Device-tree lookup, on the nodes of dma-heap-test.dtso */

static int dma_heap_of_test_init(struct kunit *test)
{
	/* Removed again when the test case ends */
	KUNIT_ASSERT_EQ(test, 0, of_overlay_apply_kunit(test, dma_heap_test));

	return 0;
}

static struct device_node *dma_heap_test_node(struct kunit *test,
					      const char *path)
{
	struct device_node *np;

	np = of_find_node_by_path(path);
	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);

	return np;
}

static void dma_heap_test_expect_heap(struct kunit *test,
				      struct device_node *np, const char *name)
{
	unsigned int refs = test_heap_refs();
	struct dma_heap *heap;

	heap = of_dma_heap_get(np, name);
	KUNIT_ASSERT_PTR_EQ(test, heap, test_heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 1);
	dma_heap_put(heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

static void dma_heap_test_expect_error(struct kunit *test,
				       struct device_node *np,
				       const char *name, int err)
{
	struct dma_heap *heap = of_dma_heap_get(np, name);

	KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(heap), err, "dma-heap %s",
			    name ?: "(first)");
	if (!IS_ERR_OR_NULL(heap))
		dma_heap_put(heap);
}

static void dma_heap_test_unregister(void *np)
{
	of_dma_heap_region_unregister(np);
}

static void dma_heap_test_register(struct kunit *test, struct device_node *np)
{
	KUNIT_ASSERT_EQ(test, of_dma_heap_region_register(np, test_heap), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   dma_heap_test_unregister,
							   np));
}

/*
 * A region refers to the heap registered for its node, never found by name,
 * even when the region is named like a registered heap; until then,
 * consumers defer. The first entry is the one without a name.
 */
static void dma_heap_test_of_region(struct kunit *test)
{
	struct device_node *np, *named, *unnamed;

	np = dma_heap_test_node(test, "/kunit-dma-heap-consumer");
	unnamed = dma_heap_test_node(test, "/kunit-dma-heap-consumer-unnamed");
	named = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-named");

	dma_heap_test_expect_error(test, np, "named", -EPROBE_DEFER);
	dma_heap_test_expect_error(test, np, NULL, -EPROBE_DEFER);
	dma_heap_test_expect_error(test, np, "node-name", -EPROBE_DEFER);
	dma_heap_test_register(test, named);
	KUNIT_EXPECT_EQ(test, of_dma_heap_region_register(named, test_heap),
			-EEXIST);
	dma_heap_test_expect_heap(test, np, "named");
	dma_heap_test_expect_heap(test, np, NULL);
	dma_heap_test_expect_error(test, np, "node-name", -EPROBE_DEFER);
	dma_heap_test_expect_error(test, np, "unregistered", -EPROBE_DEFER);

	/* Without memory-region-names, NULL is the first entry too */
	dma_heap_test_expect_error(test, unnamed, NULL, -EPROBE_DEFER);
	dma_heap_test_expect_error(test, unnamed, "named", -ENOENT);

	kunit_release_action(test, dma_heap_test_unregister, named);
	dma_heap_test_expect_error(test, np, "named", -EPROBE_DEFER);
}

/* The heap name a node asks for: linux,dma-heap-name, else the node name */
static void dma_heap_test_of_name(struct kunit *test)
{
	struct device_node *np;

	np = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-named");
	KUNIT_EXPECT_STREQ(test, of_dma_heap_name(np), "kunit-dma-heap-test");
	np = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-test");
	KUNIT_EXPECT_STREQ(test, of_dma_heap_name(np), "kunit-dma-heap-test");
	np = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-empty-name");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(of_dma_heap_name(np)), -EINVAL);
	np = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-bad-name");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(of_dma_heap_name(np)), -EINVAL);
}

/* Absent references are -ENOENT, malformed ones -EINVAL */
static void dma_heap_test_of_errors(struct kunit *test)
{
	struct device_node *np;

	dma_heap_test_expect_error(test, NULL, NULL, -ENOENT);
	np = dma_heap_test_node(test, "/kunit-dma-heap-no-region");
	dma_heap_test_expect_error(test, np, NULL, -ENOENT);
	dma_heap_test_expect_error(test, np, "named", -ENOENT);
	np = dma_heap_test_node(test, "/kunit-dma-heap-consumer");
	dma_heap_test_expect_error(test, np, "not-listed", -ENOENT);
	dma_heap_test_expect_error(test, np, "not-region", -EINVAL);

	np = dma_heap_test_node(test, "/kunit-dma-heap-consumer-names-mismatch");
	dma_heap_test_expect_error(test, np, "named", -EINVAL);
	dma_heap_test_expect_error(test, np, NULL, -EINVAL);
}

static void dma_heap_test_destroy_device(void *data)
{
	struct platform_device *pdev = data;

	of_platform_device_destroy(&pdev->dev, NULL);
}

/*
 * Regions that never become heaps are an error, not an endless deferral: a
 * disabled region, a region no heap driver exports, a private CMA area, and
 * a region whose device has no driver bound once the driver core stopped
 * waiting for drivers (KUnit runs after the initcalls; with modules, the
 * deferred probe timeout has to pass first).
 */
static void dma_heap_test_of_not_heap(struct kunit *test)
{
	struct platform_device *pdev;
	struct device_node *np, *region;

	np = dma_heap_test_node(test, "/kunit-dma-heap-consumer");
	dma_heap_test_expect_error(test, np, "disabled", -ENODEV);
	dma_heap_test_expect_error(test, np, "plain", -ENODEV);
	dma_heap_test_expect_error(test, np, "private", -ENODEV);

	region = dma_heap_test_node(test,
				    "/reserved-memory/kunit-dma-heap-device");
	pdev = of_platform_device_create(region, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   dma_heap_test_destroy_device,
							   pdev));
	dma_heap_test_expect_error(test, np, "device",
				   IS_ENABLED(CONFIG_MODULES) ? -EPROBE_DEFER :
				   -ENODEV);

	/* Once the region's heap driver exports it after all, it is found */
	dma_heap_test_register(test, region);
	dma_heap_test_expect_heap(test, np, "device");
}

/* devm_of_dma_heap_get() drops its reference when the device goes away */
static void dma_heap_test_of_devm(struct kunit *test)
{
	unsigned int refs = test_heap_refs();
	struct device_node *np;
	struct dma_heap *heap;
	struct device *dev;

	np = dma_heap_test_node(test, "/reserved-memory/kunit-dma-heap-named");
	dma_heap_test_register(test, np);
	np = dma_heap_test_node(test, "/kunit-dma-heap-consumer");
	dev = kunit_device_register(test, "kunit-dma-heap-devm");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	device_set_node(dev, &np->fwnode);

	heap = devm_of_dma_heap_get(dev, "named");
	KUNIT_ASSERT_PTR_EQ(test, heap, test_heap);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs + 1);

	/* A CMA area nobody exports, for a consumer past its wait */
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(devm_of_dma_heap_get(dev,
								   "unregistered")),
			IS_ENABLED(CONFIG_MODULES) ? -EPROBE_DEFER : -ENODEV);

	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, test_heap_refs(), refs);
}

static struct kunit_case dma_heap_of_test_cases[] = {
	KUNIT_CASE(dma_heap_test_of_region),
	KUNIT_CASE(dma_heap_test_of_name),
	KUNIT_CASE(dma_heap_test_of_errors),
	KUNIT_CASE(dma_heap_test_of_not_heap),
	KUNIT_CASE(dma_heap_test_of_devm),
	{}
};

static struct kunit_suite dma_heap_of_test_suite = {
	.name = "dma-heap-of",
	.suite_init = dma_heap_test_suite_init,
	.init = dma_heap_of_test_init,
	.test_cases = dma_heap_of_test_cases,
};

kunit_test_suites(&dma_heap_test_suite, &dma_heap_of_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA-BUF heaps core");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
