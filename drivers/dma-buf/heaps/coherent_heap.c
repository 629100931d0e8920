// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap for coherent reserved-memory DMA pools
 *
 * A reserved-memory node compatible with "shared-dma-pool", without
 * "reusable", is a coherent DMA pool: the devices referencing it through
 * memory-region allocate their coherent buffers from it. With the
 * linux,dma-heap-name property the pool is also exported as a dma-buf heap
 * of that name, allocating from the same pool. See
 * dt-schema's reserved-memory/shared-dma-pool.yaml
 * and Documentation/userspace-api/dma-buf-heaps.rst.
 *
 * The device the heap allocates with is the platform device of the region
 * node itself, with the pool assigned to it like to any of its users: the
 * DMA API hands out memory from a device's own coherent pool before
 * considering anything else, so the DMA mask of that device is never used
 * to pick memory, and importers map the buffers with their own devices.
 */

#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <uapi/linux/dma-heap.h>

#include "contig_buffer.h"

struct coherent_heap {
	struct contig_heap contig;
	struct device *dev;
};

struct coherent_buffer {
	struct contig_buffer contig;
	dma_addr_t dma_addr;
};

static void coherent_buffer_release(struct contig_buffer *buf)
{
	struct coherent_heap *heap = container_of(buf->heap,
						  struct coherent_heap, contig);
	struct coherent_buffer *cbuf = container_of(buf, struct coherent_buffer,
						    contig);

	dma_free_coherent(heap->dev, buf->size, buf->kvaddr, cbuf->dma_addr);
	kfree(cbuf);
}

static struct dma_buf *coherent_heap_allocate(struct dma_heap *dheap,
					      unsigned long len, u32 fd_flags,
					      u64 heap_flags)
{
	struct contig_heap *ch = dma_heap_get_drvdata(dheap);
	struct coherent_heap *heap = container_of(ch, struct coherent_heap,
						  contig);
	struct coherent_buffer *cbuf;
	struct dma_buf *dmabuf;
	phys_addr_t phys;
	void *vaddr;
	int ret;

	if (heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return ERR_PTR(-EINVAL);

	if (!len || len > ch->size)
		return ERR_PTR(-ENOMEM);
	/*
	 * A coherent pool hands out blocks of a power-of-two number of pages
	 * (dma_alloc_from_dev_coherent() rounds up to the order of the
	 * size). The buffer is the whole block: the memory is taken anyway,
	 * and the heap's "used" counts what the pool has really lost.
	 */
	len = PAGE_SIZE << get_order(len);
	if (len > ch->size)
		return ERR_PTR(-ENOMEM);

	cbuf = kzalloc_obj(*cbuf);
	if (!cbuf)
		return ERR_PTR(-ENOMEM);

	/*
	 * The device's coherent pool serves the request or fails it, the
	 * DMA API never falls back to other memory for a device that has
	 * one. The pool clears the memory and maps it write-combined.
	 */
	vaddr = dma_alloc_coherent(heap->dev, len, &cbuf->dma_addr,
				   GFP_KERNEL | __GFP_NOWARN);
	if (!vaddr) {
		ret = -ENOMEM;
		goto err_free_buf;
	}

	phys = dma_to_phys(heap->dev, cbuf->dma_addr);
	if (WARN_ON_ONCE(phys < ch->base || phys - ch->base > ch->size - len)) {
		ret = -EIO;
		goto err_free_mem;
	}

	contig_buffer_init(&cbuf->contig, ch, phys, len, vaddr,
			   coherent_buffer_release);

	dmabuf = contig_buffer_export(&cbuf->contig, fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_mem;
	}

	return dmabuf;

err_free_mem:
	dma_free_coherent(heap->dev, len, vaddr, cbuf->dma_addr);
err_free_buf:
	kfree(cbuf);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops coherent_heap_ops = {
	.allocate = coherent_heap_allocate,
};

/*
 * A pool outside the memory the kernel manages (on-chip SRAM, or RAM left
 * out with mem=) has no struct pages at all: return 0. A pool in no-map
 * RAM has them on every page: return 1. A pool with struct pages on part
 * of it only straddles the end of memory: -EINVAL.
 */
static int coherent_heap_has_pages(const struct reserved_mem *rmem)
{
	unsigned long pfn = PFN_DOWN(rmem->base);
	unsigned long end = PFN_UP(rmem->base + rmem->size);
	bool first = pfn_valid(pfn);

	for (pfn++; pfn < end; pfn++) {
		if (pfn_valid(pfn) != first)
			return -EINVAL;
	}

	return first;
}

static int coherent_heap_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *np = dev->of_node;
	struct coherent_heap *heap;
	struct reserved_mem *rmem;
	const char *name;
	int has_pages;
	int ret;

	ret = of_property_read_string(np, "linux,dma-heap-name", &name);
	if (ret == -EINVAL)
		return -ENODEV;		/* not tagged: not meant to be a heap */

	if (of_device_is_compatible(np, "restricted-dma-pool")) {
		dev_warn(dev,
			 "%pOF: linux,dma-heap-name ignored: a restricted-dma-pool is the bounce buffer pool of its devices, never a dma-buf heap\n",
			 np);
		return -ENODEV;
	}

	if (of_property_read_bool(np, "reusable"))
		return -ENODEV;		/* a CMA area, the CMA heap's job */

	if (ret || !*name)
		return dev_err_probe(dev, ret ?: -EINVAL,
				     "%pOF: invalid linux,dma-heap-name\n", np);

	rmem = of_reserved_mem_lookup(np);
	if (!rmem)
		return dev_err_probe(dev, -ENODEV,
				     "%pOF: reserved memory region missing (not allocated?)\n",
				     np);

	/* Like every region heap: no memory shared with the kernel or a region. */
	ret = contig_heap_check_exclusive(dev, np, rmem);
	if (ret)
		return ret;

	/*
	 * The pool is mapped write-combined. A region still in the kernel's
	 * linear map (no no-map) would get a second, cacheable mapping, which
	 * memremap() refuses with a warning: say what is wrong instead.
	 */
	if (region_intersects(rmem->base, rmem->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: a coherent pool in system RAM needs no-map to be a heap\n",
				     np);

	/*
	 * Importers get the buffers as DMA addresses without struct pages
	 * either way; a pool without struct pages is mapped for them as
	 * MMIO, since it is not system memory.
	 */
	has_pages = coherent_heap_has_pages(rmem);
	if (has_pages < 0)
		return dev_err_probe(dev, has_pages,
				     "%pOF: region straddles the end of system memory\n",
				     np);

	ret = of_reserved_mem_device_init_by_node(dev, np);
	if (ret)
		return dev_err_probe(dev, ret ?: -ENODEV,
				     "%pOF: cannot set up the DMA pool\n", np);

	/*
	 * Heaps cannot be removed, so nothing here is device managed and the
	 * pool stays assigned to the device forever once the heap exists.
	 */
	heap = kzalloc_obj(*heap);
	if (!heap) {
		ret = -ENOMEM;
		goto err_release;
	}

	heap->dev = dev;
	heap->contig.name = kstrdup_const(name, GFP_KERNEL);
	heap->contig.region = kstrdup_const(of_node_full_name(np), GFP_KERNEL);
	if (!heap->contig.name || !heap->contig.region) {
		ret = -ENOMEM;
		goto err_free_heap;
	}
	heap->contig.base = rmem->base;
	heap->contig.size = rmem->size;
	/*
	 * The pool's kernel mapping is write-combined, whether or not the
	 * region is no-map; userspace mappings get the same attributes and
	 * importers skip cache maintenance.
	 */
	heap->contig.cpu_access = CONTIG_CPU_ACCESS_WRITECOMBINE;
	heap->contig.no_struct_page = !has_pages;
	/* Consumers may name the heap with memory-region = <&region>. */
	heap->contig.np = np;

	ret = contig_heap_add(&heap->contig, &coherent_heap_ops);
	if (ret) {
		dev_err(dev, "%pOF: cannot register heap \"%s\"%s: %pe\n", np,
			heap->contig.name,
			ret == -EEXIST ? " (name already taken)" : "",
			ERR_PTR(ret));
		goto err_free_heap;
	}

	dev_info(dev, "%pOF: heap \"%s\", coherent pool of %pa bytes at %pa%s\n",
		 np, heap->contig.name, &rmem->size, &rmem->base,
		 has_pages ? "" : ", no struct pages");

	return 0;

err_free_heap:
	kfree_const(heap->contig.region);
	kfree_const(heap->contig.name);
	kfree(heap);
err_release:
	of_reserved_mem_device_release(dev);
	return ret;
}

static const struct of_device_id coherent_heap_of_match[] = {
	{ .compatible = "shared-dma-pool" },
	{ .compatible = "restricted-dma-pool" },
	{ }
};
MODULE_DEVICE_TABLE(of, coherent_heap_of_match);

static struct platform_driver coherent_heap_driver = {
	.probe = coherent_heap_probe,
	.driver = {
		.name = "dma-heap-coherent",
		.of_match_table = coherent_heap_of_match,
		/* Heaps cannot be removed. */
		.suppress_bind_attrs = true,
	},
};

/*
 * No module_exit(): a registered heap cannot be removed, so the module
 * cannot be unloaded once loaded.
 */
static int __init coherent_heap_init(void)
{
	return platform_driver_register(&coherent_heap_driver);
}
module_init(coherent_heap_init);

MODULE_DESCRIPTION("DMA-BUF heap for coherent reserved-memory DMA pools");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
