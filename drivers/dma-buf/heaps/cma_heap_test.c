// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for cma_heap_dev_add()
 *
 * The test plays a driver owning a CMA area: a device whose node in the
 * device tree is /dma-heap-cma-test, with a memory-region property pointing
 * to a reusable shared-dma-pool region. Without that node (the device tree
 * of the running system does not describe it) the tests needing it are
 * skipped. The heap the test creates stays registered after the test, as
 * every heap does, and is named "cma-driver-exposed". A second
 * memory-region entry, if present, must point to a reusable region that the
 * device tree exports itself (not linux,dma-heap-private), which a driver
 * may not export. If the node has a memory-region-names property, its
 * "cma" and "coherent" entries must resolve to the heaps
 * "camera-contiguous" and "coherent-uncached", and its "driver" entry, the
 * first one, to no heap.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/cma.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-cma.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/iosys-map.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>

#define TEST_NODE	"/dma-heap-cma-test"
#define TEST_HEAP	"cma-driver-exposed"

struct cma_heap_test {
	struct device *dev;
	struct device_node *np;
	bool assigned;
};

static int cma_heap_test_init(struct kunit *test)
{
	struct cma_heap_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);

	t->dev = kunit_device_register(test, "dma-heap-cma-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->dev);
	t->dev->dma_mask = &t->dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev,
							DMA_BIT_MASK(64)), 0);

	t->np = of_find_node_by_path(TEST_NODE);
	test->priv = t;

	return 0;
}

static void cma_heap_test_exit(struct kunit *test)
{
	struct cma_heap_test *t = test->priv;

	/* The driver goes away; the heap it created must not care. */
	if (t->assigned)
		of_reserved_mem_device_release(t->dev);
	of_node_put(t->np);
}

/*
 * Give the test device the CMA area of its memory-region entry @idx, as a
 * driver's probe would.
 */
static void cma_heap_test_assign_idx(struct kunit *test, int idx)
{
	struct cma_heap_test *t = test->priv;

	if (!t->np)
		kunit_skip(test, "no %s node in the device tree", TEST_NODE);
	if (of_count_phandle_with_args(t->np, "memory-region", NULL) <= idx)
		kunit_skip(test, "no memory-region entry %d in %s", idx,
			   TEST_NODE);

	KUNIT_ASSERT_EQ(test,
			of_reserved_mem_device_init_by_idx(t->dev, t->np, idx),
			0);
	t->assigned = true;
	KUNIT_ASSERT_NOT_NULL(test, t->dev->cma_area);
}

static void cma_heap_test_assign(struct kunit *test)
{
	cma_heap_test_assign_idx(test, 0);
}

/* A device without an area of its own has nothing to export. */
static void cma_heap_test_no_area(struct kunit *test)
{
	struct cma_heap_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(NULL, TEST_HEAP)),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(t->dev, TEST_HEAP)),
			-ENODEV);
	t->dev->cma_area = dev_get_cma_area(NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(t->dev, TEST_HEAP)),
			-ENODEV);
	t->dev->cma_area = NULL;
}

static void cma_heap_test_names(struct kunit *test)
{
	struct cma_heap_test *t = test->priv;
	struct dma_heap *heap, *again;
	char *name;

	cma_heap_test_assign(test);

	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(t->dev, "")), -EINVAL);
	/* The core's name rule: '/' would become '!' in the device name. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(t->dev, "cma/driver")),
			-EINVAL);

	/*
	 * The name may live in memory the driver frees (a module's data, a
	 * string it built): the heap must keep a copy of its own.
	 */
	name = kstrdup(TEST_HEAP, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	heap = cma_heap_dev_add(t->dev, name);
	memset(name, 'x', strlen(name));
	kfree(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, heap);
	KUNIT_EXPECT_STREQ(test, dma_heap_get_name(heap), TEST_HEAP);

	/* Binding again finds the heap of the first probe. */
	again = cma_heap_dev_add(t->dev, TEST_HEAP);
	KUNIT_EXPECT_PTR_EQ(test, again, heap);

	/* One heap per area: a second name is refused. */
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(cma_heap_dev_add(t->dev, TEST_HEAP "-again")),
			-EBUSY);
}

/*
 * Only areas the device tree keeps private belong to a driver. The heap of
 * any other area, its name and its device-tree provider come from the
 * device tree; a driver exporting it first would take them over, so which
 * one wins would depend on probe order. Refused under every name, the
 * device tree's own included.
 */
static void cma_heap_test_shared_area(struct kunit *test)
{
	struct cma_heap_test *t = test->priv;
	struct dma_heap *heap;
	struct cma *cma;

	cma_heap_test_assign_idx(test, 1);
	cma = t->dev->cma_area;

	KUNIT_EXPECT_EQ(test, PTR_ERR(cma_heap_dev_add(t->dev, TEST_HEAP "-shared")),
			-EBUSY);
	heap = dma_heap_find("camera-contiguous");
	if (heap)
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(cma_heap_dev_add(t->dev, "camera-contiguous")),
				-EBUSY);
	dma_heap_put(heap);
	KUNIT_EXPECT_PTR_EQ(test, t->dev->cma_area, cma);
}

/* The heap allocates zeroed buffers from the device's area. */
static void cma_heap_test_alloc(struct kunit *test)
{
	struct cma_heap_test *t = test->priv;
	struct dma_buf_attachment *attach;
	struct iosys_map map;
	struct dma_heap *heap;
	struct sg_table *sgt;
	struct dma_buf *buf;
	dma_addr_t addr, base;
	unsigned long size;
	size_t i;

	cma_heap_test_assign(test);
	heap = cma_heap_dev_add(t->dev, TEST_HEAP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, heap);

	buf = dma_heap_buffer_alloc(heap, SZ_1M, O_RDWR, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);

	attach = dma_buf_attach(buf, t->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	/* The test device has no IOMMU: DMA addresses are physical. */
	addr = sg_dma_address(sgt->sgl);
	base = cma_get_base(t->dev->cma_area);
	size = cma_get_size(t->dev->cma_area);
	KUNIT_EXPECT_GE(test, addr, base);
	KUNIT_EXPECT_LE(test, addr + SZ_1M, base + size);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), SZ_1M);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(buf, attach);

	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(buf, &map), 0);
	for (i = 0; i < SZ_1M; i++)
		if (((u8 *)map.vaddr)[i])
			break;
	KUNIT_EXPECT_EQ(test, i, SZ_1M);
	dma_buf_vunmap_unlocked(buf, &map);

	dma_buf_put(buf);
}

/*
 * Region heaps are found through memory-region: the test node names a
 * tagged CMA region and a coherent pool in memory-region-names, and a
 * private area, which is never a heap.
 */
static void cma_heap_test_of_regions(struct kunit *test)
{
	static const struct {
		const char *entry, *heap;
	} refs[] = {
		{ "cma", "camera-contiguous" },
		{ "coherent", "coherent-uncached" },
	};
	struct cma_heap_test *t = test->priv;
	struct dma_heap *heap;
	size_t i;

	if (!t->np || !of_property_present(t->np, "memory-region-names"))
		kunit_skip(test, "no memory-region-names property in %s",
			   TEST_NODE);

	for (i = 0; i < ARRAY_SIZE(refs); i++) {
		heap = of_dma_heap_get(t->np, refs[i].entry);
		KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, heap, "entry %s",
						 refs[i].entry);
		KUNIT_EXPECT_STREQ(test, dma_heap_get_name(heap),
				   refs[i].heap);
		dma_heap_put(heap);
	}

	heap = of_dma_heap_get(t->np, "driver");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(heap), -ENODEV);
	if (!IS_ERR_OR_NULL(heap))
		dma_heap_put(heap);
}

static struct kunit_case cma_heap_test_cases[] = {
	KUNIT_CASE(cma_heap_test_no_area),
	KUNIT_CASE(cma_heap_test_names),
	KUNIT_CASE(cma_heap_test_shared_area),
	KUNIT_CASE(cma_heap_test_alloc),
	KUNIT_CASE(cma_heap_test_of_regions),
	{}
};

static struct kunit_suite cma_heap_test_suite = {
	.name = "dma-buf-cma-heap",
	.init = cma_heap_test_init,
	.exit = cma_heap_test_exit,
	.test_cases = cma_heap_test_cases,
};

kunit_test_suite(cma_heap_test_suite);

MODULE_DESCRIPTION("KUnit tests for cma_heap_dev_add()");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
