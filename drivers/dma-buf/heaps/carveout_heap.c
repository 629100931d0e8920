// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap for reserved-memory carveouts
 *
 * Each reserved-memory node compatible with "linux,dma-heap-carveout" is
 * exported as a heap handing out physically contiguous buffers carved out
 * of the region. A region the CPU must not access (no-cpu-access) serves
 * kernel users only until a scrubber is installed for it, or the device
 * tree allows userspace access without scrubbing. See
 * Documentation/devicetree/bindings/reserved-memory/linux,dma-heap-carveout.yaml
 * and Documentation/userspace-api/dma-buf-heaps.rst.
 */

#include <linux/cleanup.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/genalloc.h>
#include <linux/mm.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/dma-heap.h>

#include <kunit/visibility.h>

#include "carveout_heap.h"
#include "contig_buffer.h"

/*
 * The pool addresses the region by offset, shifted by one page: gen_pool
 * returns 0 on failure, so 0 must not be a valid address. Offsets also keep
 * the pool independent of the physical address, which may be 0 or not fit
 * in an unsigned long on 32-bit systems with LPAE.
 */
#define CARVEOUT_POOL_BIAS	PAGE_SIZE

struct carveout_heap {
	struct contig_heap contig;
	struct carveout_pool pool;
};

static struct carveout_heap *to_carveout_heap(struct contig_heap *ch)
{
	return container_of(ch, struct carveout_heap, contig);
}

/**
 * carveout_pool_init() - set up the allocator of a carveout
 * @pool: the pool to initialise
 * @size: size of the region in bytes, a non-zero multiple of PAGE_SIZE
 * @algo: gen_pool allocation algorithm
 * @nid: NUMA node for the bookkeeping, or NUMA_NO_NODE
 *
 * Return: 0 on success, -EINVAL for an invalid @size, -ENOMEM.
 */
VISIBLE_IF_KUNIT int carveout_pool_init(struct carveout_pool *pool, u64 size,
					genpool_algo_t algo, int nid)
{
	int ret;

	if (!size || size & ~PAGE_MASK ||
	    size > (u64)(ULONG_MAX - CARVEOUT_POOL_BIAS) + 1)
		return -EINVAL;

	pool->gp = gen_pool_create(PAGE_SHIFT, nid);
	if (!pool->gp)
		return -ENOMEM;

	gen_pool_set_algo(pool->gp, algo, NULL);

	ret = gen_pool_add(pool->gp, CARVEOUT_POOL_BIAS, size, nid);
	if (ret) {
		gen_pool_destroy(pool->gp);
		return ret;
	}

	mutex_init(&pool->lock);
	pool->size = size;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_init);

/**
 * carveout_pool_destroy() - tear down an unused pool
 * @pool: the pool, with every allocation freed
 */
VISIBLE_IF_KUNIT void carveout_pool_destroy(struct carveout_pool *pool)
{
	gen_pool_destroy(pool->gp);
	mutex_destroy(&pool->lock);
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_destroy);

/**
 * carveout_pool_alloc() - allocate a contiguous range from a pool
 * @pool: the pool
 * @len: length in bytes, rounded up to whole pages
 * @offset: returns the offset of the range in the region, page aligned
 *
 * Return: 0 on success, -EINVAL if @len is zero, -ENOMEM if no free
 * contiguous range is large enough.
 */
VISIBLE_IF_KUNIT int carveout_pool_alloc(struct carveout_pool *pool,
					 size_t len, size_t *offset)
{
	unsigned long addr;

	if (!len)
		return -EINVAL;

	/*
	 * Check before rounding up: PAGE_ALIGN() wraps around to 0 for
	 * lengths close to SIZE_MAX. The pool size is page aligned, so
	 * rounding a length that fits cannot exceed it.
	 */
	if (len > pool->size)
		return -ENOMEM;

	scoped_guard(mutex, &pool->lock)
		addr = gen_pool_alloc(pool->gp, PAGE_ALIGN(len));
	if (!addr)
		return -ENOMEM;

	*offset = addr - CARVEOUT_POOL_BIAS;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_alloc);

/**
 * carveout_pool_free() - return a range to its pool
 * @pool: the pool
 * @offset: offset returned by carveout_pool_alloc()
 * @len: length passed to carveout_pool_alloc()
 */
VISIBLE_IF_KUNIT void carveout_pool_free(struct carveout_pool *pool,
					 size_t offset, size_t len)
{
	guard(mutex)(&pool->lock);
	gen_pool_free(pool->gp, offset + CARVEOUT_POOL_BIAS, PAGE_ALIGN(len));
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_free);

static void carveout_chunk_largest_free(struct gen_pool *gp,
					struct gen_pool_chunk *chunk,
					void *data)
{
	unsigned long nbits = (chunk->end_addr - chunk->start_addr + 1) >>
			      gp->min_alloc_order;
	unsigned long *largest = data;
	unsigned long start, end;

	for_each_clear_bitrange(start, end, chunk->bits, nbits) {
		if (end - start > *largest)
			*largest = end - start;
	}
}

/**
 * carveout_pool_largest_free() - size of the largest free range
 * @pool: the pool
 *
 * gen_pool only tracks the total free space, which says nothing about
 * fragmentation. Walk the allocation bitmap for the longest run of free
 * pages instead. The pool lock keeps the bitmap stable meanwhile.
 *
 * Return: the size in bytes of the largest allocation that would succeed.
 */
VISIBLE_IF_KUNIT size_t carveout_pool_largest_free(struct carveout_pool *pool)
{
	unsigned long largest = 0;

	scoped_guard(mutex, &pool->lock)
		gen_pool_for_each_chunk(pool->gp, carveout_chunk_largest_free,
					&largest);

	return (size_t)largest << PAGE_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_largest_free);

static u64 carveout_heap_largest_free(struct contig_heap *ch)
{
	return carveout_pool_largest_free(&to_carveout_heap(ch)->pool);
}

static void carveout_buffer_release(struct contig_buffer *buf)
{
	struct carveout_heap *heap = to_carveout_heap(buf->heap);

	carveout_pool_free(&heap->pool, buf->phys - heap->contig.base,
			   buf->size);
	kfree(buf);
}

/**
 * carveout_pool_walk_free() - call a function on every free range
 * @pool: the pool
 * @fn: called with @arg, the offset and the length in bytes of each range
 *	of free pages, lowest first, until it returns non-zero
 * @arg: passed to @fn
 *
 * The pool lock is held throughout, so nothing is allocated from or freed
 * into the pool meanwhile, and the allocation bitmap of the pool's only
 * chunk stays stable while @fn sleeps.
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
VISIBLE_IF_KUNIT int carveout_pool_walk_free(struct carveout_pool *pool,
					     carveout_range_fn fn, void *arg)
{
	struct gen_pool_chunk *chunk;
	unsigned long start, end;
	int ret;

	guard(mutex)(&pool->lock);

	chunk = list_first_entry(&pool->gp->chunks, struct gen_pool_chunk,
				 next_chunk);
	for_each_clear_bitrange(start, end, chunk->bits,
				pool->size >> PAGE_SHIFT) {
		ret = fn(arg, (size_t)start << PAGE_SHIFT,
			 (size_t)(end - start) << PAGE_SHIFT);
		if (ret)
			return ret;
		cond_resched();
	}

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(carveout_pool_walk_free);

struct carveout_scrub_ctx {
	struct contig_heap *ch;
	const struct dma_heap_scrubber *scrubber;
};

static int carveout_scrub_range(void *arg, size_t offset, size_t len)
{
	struct carveout_scrub_ctx *ctx = arg;
	phys_addr_t phys = ctx->ch->base + offset;
	int ret;

	ret = ctx->scrubber->scrub(ctx->scrubber, phys, len);
	if (ret)
		pr_err("%s: scrubber %s failed on %pa+%#zx: %pe\n",
		       ctx->ch->name, ctx->scrubber->name, &phys, len,
		       ERR_PTR(ret));

	return ret;
}

/* Scrub every free range of the pool, with nothing allocated meanwhile. */
static int carveout_heap_scrub_free(struct contig_heap *ch,
				    const struct dma_heap_scrubber *scrubber)
{
	struct carveout_scrub_ctx ctx = { .ch = ch, .scrubber = scrubber };

	return carveout_pool_walk_free(&to_carveout_heap(ch)->pool,
					   carveout_scrub_range, &ctx);
}

static struct dma_buf *carveout_heap_allocate(struct dma_heap *dheap,
					      unsigned long len, u32 fd_flags,
					      u64 heap_flags)
{
	struct contig_heap *ch = dma_heap_get_drvdata(dheap);
	struct carveout_heap *heap = to_carveout_heap(ch);
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	size_t offset;
	int ret;

	if (heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return ERR_PTR(-EINVAL);

	buf = kzalloc_obj(*buf);
	if (!buf)
		return ERR_PTR(-ENOMEM);

	ret = carveout_pool_alloc(&heap->pool, len, &offset);
	if (ret)
		goto err_free_buf;

	/* Cannot overflow: the allocation above succeeded. */
	len = PAGE_ALIGN(len);
	contig_buffer_init(buf, ch, ch->base + offset, len, NULL,
			   carveout_buffer_release);

	/*
	 * Never hand out memory holding a previous user's data. The kernel
	 * clears what the CPU may touch. Protected memory was scrubbed by the
	 * heap's scrubber when it was freed; without a scrubber the heap only
	 * serves kernel users, unless the device tree allowed userspace to
	 * get it unscrubbed (see contig_heap_add()).
	 */
	if (ch->cpu_access != CONTIG_CPU_ACCESS_NONE) {
		ret = contig_buffer_clear(buf);
		if (ret)
			goto err_free_range;
	}

	dmabuf = contig_buffer_export(buf, fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_range;
	}

	return dmabuf;

err_free_range:
	carveout_pool_free(&heap->pool, offset, len);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops carveout_heap_ops = {
	.allocate = carveout_heap_allocate,
};

/* Regions the CPU must not access, which only a scrubber can clear */
static const struct dma_heap_ops carveout_heap_protected_ops = {
	.allocate = carveout_heap_allocate,
	.scrub_free = contig_heap_scrub_free,
};

/*
 * The reserved-memory code only records regions it could reserve or
 * allocate, without saying why one is missing. Tell the likely reasons
 * apart from the node itself.
 */
static int carveout_heap_missing_region(struct device *dev,
					struct device_node *np)
{
	u64 base, size;

	if (!of_property_read_reg(np, 0, &base, &size)) {
		if (!size)
			return dev_err_probe(dev, -EINVAL,
					     "%pOF: region is empty\n", np);

		return dev_err_probe(dev, -EINVAL,
				     "%pOF: region could not be reserved\n",
				     np);
	}

	if (of_property_present(np, "size"))
		return dev_err_probe(dev, -ENODEV,
				     "%pOF: dynamic region could not be allocated (size, alignment or alloc-ranges cannot be satisfied)\n",
				     np);

	return dev_err_probe(dev, -EINVAL,
			     "%pOF: region has neither reg nor size\n", np);
}

static int carveout_heap_check_region(struct device *dev,
				      struct device_node *np,
				      const struct reserved_mem *rmem)
{
	unsigned long pfn;

	if (of_property_read_bool(np, "no-map") &&
	    of_property_read_bool(np, "reusable"))
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: no-map and reusable are mutually exclusive\n",
				     np);

	if (of_property_read_bool(np, "reusable"))
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: reusable regions belong to CMA, not to a carveout heap\n",
				     np);

	if (of_property_read_bool(np, "no-cpu-access") &&
	    !of_property_read_bool(np, "no-map"))
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: no-cpu-access requires no-map\n", np);

	if (!rmem)
		return carveout_heap_missing_region(dev, np);

	if (!rmem->size)
		return dev_err_probe(dev, -EINVAL, "%pOF: region is empty\n",
				     np);

	/* Set when CMA, swiotlb or a DMA pool took the region at boot. */
	if (rmem->ops)
		return dev_err_probe(dev, -EBUSY,
				     "%pOF: region is already used by another reserved-memory driver\n",
				     np);

	if (!PAGE_ALIGNED(rmem->base) || !PAGE_ALIGNED(rmem->size))
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: region %pa+%pa is not page aligned\n",
				     np, &rmem->base, &rmem->size);

	/*
	 * Buffers are described with struct pages in scatterlists: every page
	 * of the region needs one, not just the ends (a static region may
	 * span a hole in the memory map).
	 */
	for (pfn = PHYS_PFN(rmem->base); pfn < PHYS_PFN(rmem->base + rmem->size);
	     pfn++) {
		if (!pfn_valid(pfn)) {
			phys_addr_t hole = PFN_PHYS(pfn);

			return dev_err_probe(dev, -EINVAL,
					     "%pOF: region is outside of system memory at %pa\n",
					     np, &hole);
		}
	}

	return contig_heap_check_exclusive(dev, np, rmem);
}

/*
 * Heaps probe in no fixed order, so with two regions claiming the same heap
 * name, whichever probed first would get it (dma_heap_add() only refuses
 * the second to register). Make the device tree decide: the first node
 * claiming a name keeps it, later ones are refused. Whether a name is valid
 * at all is dma_heap_add()'s rule, for every heap.
 */
static int carveout_heap_check_name(struct device *dev, struct device_node *np,
				    const char *name)
{
	struct device_node *parent __free(device_node) = of_get_parent(np);

	if (!parent)
		return 0;

	for_each_available_child_of_node_scoped(parent, child) {
		const char *other;

		if (child == np)
			break;

		if (!of_device_is_compatible(child, "linux,dma-heap-carveout"))
			continue;

		if (of_property_read_string(child, "linux,dma-heap-name", &other))
			other = of_node_full_name(child);

		if (!strcmp(name, other))
			return dev_err_probe(dev, -EEXIST,
					     "%pOF: heap name \"%s\" is already claimed by %pOF\n",
					     np, name, child);
	}

	return 0;
}

static int carveout_heap_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *np = dev->of_node;
	struct reserved_mem *rmem;
	struct carveout_heap *heap;
	const char *name;
	int ret;

	rmem = of_reserved_mem_lookup(np);
	ret = carveout_heap_check_region(dev, np, rmem);
	if (ret)
		return ret;

	name = of_dma_heap_name(np);
	if (IS_ERR(name))
		return dev_err_probe(dev, PTR_ERR(name),
				     "%pOF: invalid linux,dma-heap-name\n", np);

	ret = carveout_heap_check_name(dev, np, name);
	if (ret)
		return ret;

	/*
	 * Heaps cannot be removed, so nothing here is device managed: once
	 * the heap is registered this memory is never freed.
	 */
	heap = kzalloc_obj(*heap);
	if (!heap)
		return -ENOMEM;

	heap->contig.name = kstrdup_const(name, GFP_KERNEL);
	heap->contig.region = kstrdup_const(of_node_full_name(np), GFP_KERNEL);
	if (!heap->contig.name || !heap->contig.region) {
		ret = -ENOMEM;
		goto err_free_heap;
	}

	heap->contig.base = rmem->base;
	heap->contig.size = rmem->size;
	heap->contig.largest_free = carveout_heap_largest_free;
	heap->contig.np = np;
	if (!of_property_read_bool(np, "no-map"))
		heap->contig.cpu_access = CONTIG_CPU_ACCESS_CACHED;
	else if (!of_property_read_bool(np, "no-cpu-access"))
		heap->contig.cpu_access = CONTIG_CPU_ACCESS_WRITECOMBINE;
	else
		heap->contig.cpu_access = CONTIG_CPU_ACCESS_NONE;

	if (heap->contig.cpu_access == CONTIG_CPU_ACCESS_NONE) {
		heap->contig.scrub_free = carveout_heap_scrub_free;
		heap->contig.unscrubbed_user_access =
			of_property_read_bool(np, "linux,dma-heap-unscrubbed-user-access");
	} else if (of_property_read_bool(np, "linux,dma-heap-unscrubbed-user-access")) {
		dev_warn(dev, "%pOF: linux,dma-heap-unscrubbed-user-access ignored: the kernel clears this region\n",
			 np);
	}

	/*
	 * Best fit: buffers are long lived and of very different sizes
	 * (framebuffers next to small metadata buffers). Placing each buffer
	 * in the smallest hole that fits keeps the large holes for large
	 * buffers, where first fit would split the first large hole for a
	 * small one. The cost is a scan of the whole bitmap per allocation,
	 * one bit per page.
	 *
	 * Buffers are only page aligned, large ones included. Aligning them
	 * to their order, as the CMA heap does, would waste up to half of a
	 * fixed-size region on padding and leave holes only small buffers can
	 * use; devices that need more alignment than a page sit behind an
	 * IOMMU or describe it in their own region.
	 */
	ret = carveout_pool_init(&heap->pool, rmem->size, gen_pool_best_fit,
				 dev_to_node(dev));
	if (ret) {
		dev_err_probe(dev, ret, "%pOF: cannot create the allocator\n",
			      np);
		goto err_free_heap;
	}

	ret = contig_heap_add(&heap->contig,
			      heap->contig.scrub_free ?
			      &carveout_heap_protected_ops : &carveout_heap_ops);
	if (ret) {
		dev_err(dev, "%pOF: cannot register heap \"%s\"%s: %pe\n", np,
			heap->contig.name,
			ret == -EEXIST ? " (name already taken)" : "",
			ERR_PTR(ret));
		goto err_destroy_pool;
	}

	dev_info(dev, "%pOF: heap \"%s\", %pa bytes at %pa, cpu access %s%s\n",
		 np, heap->contig.name, &rmem->size, &rmem->base,
		 contig_cpu_access_name(heap->contig.cpu_access),
		 heap->contig.cpu_access != CONTIG_CPU_ACCESS_NONE ? "" :
		 heap->contig.unscrubbed_user_access ?
		 ", userspace access without scrubbing (device tree)" :
		 ", kernel only until a scrubber is installed");

	return 0;

err_destroy_pool:
	carveout_pool_destroy(&heap->pool);
err_free_heap:
	kfree_const(heap->contig.region);
	kfree_const(heap->contig.name);
	kfree(heap);
	return ret;
}

static const struct of_device_id carveout_heap_of_match[] = {
	{ .compatible = "linux,dma-heap-carveout" },
	{ }
};
MODULE_DEVICE_TABLE(of, carveout_heap_of_match);

static struct platform_driver carveout_heap_driver = {
	.probe = carveout_heap_probe,
	.driver = {
		.name = "dma-heap-carveout",
		.of_match_table = carveout_heap_of_match,
		/* Heaps cannot be removed. */
		.suppress_bind_attrs = true,
	},
};

/*
 * No module_exit(): a registered heap cannot be removed, so the module
 * cannot be unloaded once loaded.
 */
static int __init carveout_heap_init(void)
{
	return platform_driver_register(&carveout_heap_driver);
}
module_init(carveout_heap_init);

MODULE_DESCRIPTION("DMA-BUF heap for reserved-memory carveouts");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
