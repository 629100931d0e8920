// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf operations shared by heaps handing out physically contiguous
 * buffers, and the per-heap bookkeeping exposed in debugfs.
 *
 * A buffer is described by a physical range and a CPU access mode:
 *
 * - cached: the range is system memory with struct pages: in the kernel
 *   linear mapping, or in highmem on 32-bit kernels. CPU mappings are
 *   cacheable, device mappings do cache maintenance. The kernel reaches
 *   highmem through its pages (kmap_local_page(), vmap()), as memremap()
 *   cannot map it.
 * - writecombine: the range must not be mapped cacheable (no-map memory).
 *   CPU mappings are write-combined. Cache maintenance through the linear
 *   mapping is impossible (there is none) and unnecessary, so the DMA API
 *   is told to skip it.
 * - none: the CPU must never touch the range. Devices can still map it.
 *
 * Only cached buffers are handed to importers as scatterlists of struct
 * pages. The others get tables holding DMA addresses only: no page an
 * importer could kmap, sync or bounce through the CPU.
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-heap.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>

#include "contig_buffer.h"

/* Longest scatterlist segment: sg->length is an unsigned int. */
#define CONTIG_MAX_SEGMENT	((size_t)UINT_MAX & PAGE_MASK)

/* Amount cleared between two checks for a fatal signal. */
#define CONTIG_CLEAR_CHUNK	SZ_1M

struct contig_attachment {
	struct device *dev;
	struct sg_table table;
	unsigned int nents;	/* entries allocated in @table */
	struct list_head node;
	bool mapped;
};

static const char * const contig_cpu_access_names[] = {
	[CONTIG_CPU_ACCESS_CACHED] = "cached",
	[CONTIG_CPU_ACCESS_WRITECOMBINE] = "writecombine",
	[CONTIG_CPU_ACCESS_NONE] = "none",
};

/**
 * contig_cpu_access_name() - name of a CPU access mode
 * @access: the access mode
 *
 * Return: "cached", "writecombine" or "none", as shown in debugfs.
 */
const char *contig_cpu_access_name(enum contig_cpu_access access)
{
	if (access >= ARRAY_SIZE(contig_cpu_access_names))
		return "invalid";

	return contig_cpu_access_names[access];
}
EXPORT_SYMBOL_NS_GPL(contig_cpu_access_name, "DMA_BUF_HEAP");

static bool contig_cpu_can_access(const struct contig_buffer *buf)
{
	return buf->cpu_access != CONTIG_CPU_ACCESS_NONE;
}

/*
 * Memory outside the linear mapping (no-map, or none of the kernel's at
 * all) must never be reached by the CPU through the DMA API: neither for
 * cache maintenance, which goes through the linear mapping, nor for a
 * swiotlb bounce, which copies through it whatever DMA_ATTR_SKIP_CPU_SYNC
 * says. Importers get a table without struct pages for it, so that they
 * cannot do either themselves.
 */
static bool contig_dma_has_pages(const struct contig_buffer *buf)
{
	return buf->cpu_access == CONTIG_CPU_ACCESS_CACHED;
}

/*
 * No-map DRAM is still normal memory: DMA_ATTR_MMIO would give it device
 * attributes behind an IOMMU (IOMMU_MMIO). It only needs the cache
 * maintenance skipped, as the CPU never maps it cacheable. Memory without
 * struct pages (on-chip SRAM, RAM beyond what the kernel manages) is not
 * system memory, which is what DMA_ATTR_MMIO says.
 */
static unsigned long contig_dma_attrs(const struct contig_buffer *buf)
{
	return buf->heap->no_struct_page ? DMA_ATTR_MMIO :
					   DMA_ATTR_SKIP_CPU_SYNC;
}

/*
 * Without translation (no IOMMU, no dma_map_ops) dma-direct maps a range
 * at its bus address. If that is beyond the device's DMA mask or bus
 * limit, dma-direct takes it for a driver bug and warns, or bounces the
 * range through swiotlb, which copies with the CPU. Neither may happen
 * here: an importer that cannot reach the memory (a 32-bit device and a
 * region above 4 GiB) is a configuration userspace can create, and it
 * gets -EINVAL. This is dma_capable(), the test dma-direct applies; a
 * translating device is left to the DMA API, which finds it an IOVA
 * within its mask.
 */
static bool contig_dma_reachable(struct device *dev, phys_addr_t phys,
				 size_t size, unsigned long attrs)
{
	if (dev_dma_iommu(dev) || get_dma_ops(dev))
		return true;

	if (is_swiotlb_force_bounce(dev))
		return false;

	return dma_capable(dev, phys_to_dma(dev, phys), size,
			   !(attrs & DMA_ATTR_MMIO), attrs);
}

static void contig_dma_unmap_nopage(struct device *dev, struct sg_table *table,
				    unsigned int count,
				    enum dma_data_direction dir,
				    unsigned long attrs)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(table->sgl, sg, count, i)
		dma_unmap_phys(dev, sg_dma_address(sg), sg_dma_len(sg), dir,
			       attrs);
}

static int contig_dma_map_nopage(struct contig_attachment *a,
				 const struct contig_buffer *buf,
				 enum dma_data_direction dir)
{
	unsigned long attrs = contig_dma_attrs(buf);
	struct sg_table *table = &a->table;
	phys_addr_t phys = buf->phys;
	size_t size = buf->size;
	struct scatterlist *sg;
	unsigned int i;

	if (!contig_dma_reachable(a->dev, phys, size, attrs)) {
		dev_dbg(a->dev, "%s: buffer at %pa beyond the DMA mask of the device\n",
			buf->heap->name, &phys);
		return -EINVAL;
	}

	for_each_sg(table->sgl, sg, a->nents, i) {
		size_t len = min(size, CONTIG_MAX_SEGMENT);
		dma_addr_t addr = dma_map_phys(a->dev, phys, len, dir, attrs);

		if (dma_mapping_error(a->dev, addr)) {
			contig_dma_unmap_nopage(a->dev, table, i, dir, attrs);
			return -EIO;
		}
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = len;
		phys += len;
		size -= len;
	}
	/*
	 * A table of DMA addresses only, as dma_buf_phys_vec_to_sgt() makes:
	 * orig_nents = 0 says there is no CPU list, so an importer's
	 * dma_sync_sgtable_*() does nothing.
	 */
	table->nents = a->nents;
	table->orig_nents = 0;

	return 0;
}

static struct page *contig_buffer_page(const struct contig_buffer *buf,
				       size_t offset)
{
	return pfn_to_page(PHYS_PFN(buf->phys + offset));
}

/*
 * Whether [offset, offset + len) of a cached buffer is in the linear
 * mapping. Highmem is the top of memory: if the last page is not in it,
 * no page before it is.
 */
static bool contig_buffer_lowmem(const struct contig_buffer *buf,
				 size_t offset, size_t len)
{
	return !PageHighMem(contig_buffer_page(buf, offset + len - PAGE_SIZE));
}

/*
 * Only buffers in the linear mapping get struct pages (the carveout heap
 * checks that every page of such a region has one). The others get empty
 * entries, which contig_dma_map_nopage() fills with DMA addresses.
 */
static int contig_sg_table_init(struct contig_attachment *a,
				const struct contig_buffer *buf)
{
	/*
	 * Not DIV_ROUND_UP(): with a 32-bit size_t, size + CONTIG_MAX_SEGMENT
	 * wraps around for every buffer.
	 */
	unsigned int nents = 1 + (buf->size - 1) / CONTIG_MAX_SEGMENT;
	phys_addr_t phys = buf->phys;
	size_t size = buf->size;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	/* A single entry unless the buffer is 4 GiB or larger. */
	ret = sg_alloc_table(&a->table, nents, GFP_KERNEL);
	if (ret)
		return ret;
	a->nents = nents;

	if (!contig_dma_has_pages(buf))
		return 0;

	for_each_sgtable_sg(&a->table, sg, i) {
		size_t len = min(size, CONTIG_MAX_SEGMENT);

		sg_set_page(sg, pfn_to_page(PHYS_PFN(phys)), len, 0);
		phys += len;
		size -= len;
	}

	return 0;
}

static int contig_dma_buf_attach(struct dma_buf *dmabuf,
				 struct dma_buf_attachment *attachment)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a;
	int ret;

	a = kzalloc_obj(*a);
	if (!a)
		return -ENOMEM;

	ret = contig_sg_table_init(a, buf);
	if (ret) {
		kfree(a);
		return ret;
	}

	a->dev = attachment->dev;
	attachment->priv = a;

	scoped_guard(mutex, &buf->lock)
		list_add(&a->node, &buf->attachments);

	return 0;
}

static void contig_dma_buf_detach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attachment)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a = attachment->priv;

	scoped_guard(mutex, &buf->lock)
		list_del(&a->node);

	/* sg_free_table() frees orig_nents entries, none after a page-less map. */
	a->table.orig_nents = a->nents;
	sg_free_table(&a->table);
	kfree(a);
}

static struct sg_table *
contig_dma_buf_map(struct dma_buf_attachment *attachment,
		   enum dma_data_direction dir)
{
	struct contig_buffer *buf = attachment->dmabuf->priv;
	struct contig_attachment *a = attachment->priv;
	int ret;

	if (contig_dma_has_pages(buf))
		ret = dma_map_sgtable(a->dev, &a->table, dir, 0);
	else
		ret = contig_dma_map_nopage(a, buf, dir);
	if (ret)
		return ERR_PTR(ret);

	/*
	 * Only mapped attachments are synced by begin/end_cpu_access(). The
	 * flag is flipped under the buffer lock so that a concurrent sync
	 * never sees a table that is being mapped or unmapped.
	 */
	scoped_guard(mutex, &buf->lock)
		a->mapped = true;

	return &a->table;
}

static void contig_dma_buf_unmap(struct dma_buf_attachment *attachment,
				 struct sg_table *table,
				 enum dma_data_direction dir)
{
	struct contig_buffer *buf = attachment->dmabuf->priv;
	struct contig_attachment *a = attachment->priv;

	scoped_guard(mutex, &buf->lock)
		a->mapped = false;

	if (contig_dma_has_pages(buf))
		dma_unmap_sgtable(a->dev, table, dir, 0);
	else
		contig_dma_unmap_nopage(a->dev, table, table->nents, dir,
					contig_dma_attrs(buf));
}

static int contig_dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
					   enum dma_data_direction dir)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a;

	if (!contig_cpu_can_access(buf))
		return -EPERM;

	/* Write-combined memory is never cached: nothing to maintain. */
	if (buf->cpu_access != CONTIG_CPU_ACCESS_CACHED)
		return 0;

	guard(mutex)(&buf->lock);

	/*
	 * A vmalloc-space mapping (of highmem pages, or the owner's) is an
	 * alias the DMA API does not maintain.
	 */
	if (buf->vmap_cnt && is_vmalloc_addr(buf->vaddr))
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);

	list_for_each_entry(a, &buf->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->table, dir);
	}

	return 0;
}

static int contig_dma_buf_end_cpu_access(struct dma_buf *dmabuf,
					 enum dma_data_direction dir)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a;

	if (!contig_cpu_can_access(buf))
		return -EPERM;

	if (buf->cpu_access != CONTIG_CPU_ACCESS_CACHED) {
		/* Drain the CPU write-combining buffers. */
		wmb();
		return 0;
	}

	guard(mutex)(&buf->lock);

	if (buf->vmap_cnt && is_vmalloc_addr(buf->vaddr))
		flush_kernel_vmap_range(buf->vaddr, buf->size);

	list_for_each_entry(a, &buf->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->table, dir);
	}

	return 0;
}

static int contig_dma_buf_mmap(struct dma_buf *dmabuf,
			       struct vm_area_struct *vma)
{
	struct contig_buffer *buf = dmabuf->priv;
	unsigned long npages = buf->size >> PAGE_SHIFT;

	if (!contig_cpu_can_access(buf))
		return -EPERM;

	/* Copy-on-write mappings of the buffer's PFNs are not supported. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/* The whole VMA must be backed by the buffer, written to not overflow. */
	if (vma->vm_pgoff >= npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -EINVAL;

	if (buf->cpu_access == CONTIG_CPU_ACCESS_WRITECOMBINE)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);

	/* The buffer cannot grow: refuse mremap() expansion, keep out of cores. */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);

	return remap_pfn_range(vma, vma->vm_start,
			       PHYS_PFN(buf->phys) + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

/*
 * A vmap of highmem pages: like the CMA heap, from an array of the
 * buffer's pages, as memremap() cannot map system memory outside the
 * linear mapping.
 */
static void *contig_buffer_vmap_pages(const struct contig_buffer *buf)
{
	unsigned long i, npages = buf->size >> PAGE_SHIFT;
	struct page **pages;
	void *vaddr;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;

	for (i = 0; i < npages; i++)
		pages[i] = contig_buffer_page(buf, (size_t)i << PAGE_SHIFT);

	vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);

	return vaddr;
}

/*
 * The kernel mapping of a whole buffer: the owner's, the linear mapping,
 * a vmap of highmem pages, or a write-combined mapping of no-map memory.
 */
static void *contig_buffer_map_kernel(const struct contig_buffer *buf)
{
	if (buf->kvaddr)
		return buf->kvaddr;

	if (buf->cpu_access != CONTIG_CPU_ACCESS_CACHED)
		return memremap(buf->phys, buf->size, MEMREMAP_WC);

	if (contig_buffer_lowmem(buf, 0, buf->size))
		return page_address(contig_buffer_page(buf, 0));

	return contig_buffer_vmap_pages(buf);
}

static void contig_buffer_unmap_kernel(const struct contig_buffer *buf,
				       void *vaddr)
{
	if (buf->kvaddr)
		return;

	if (buf->cpu_access != CONTIG_CPU_ACCESS_CACHED)
		memunmap(vaddr);
	else if (is_vmalloc_addr(vaddr))
		vunmap(vaddr);
}

static int contig_dma_buf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct contig_buffer *buf = dmabuf->priv;

	/* Buffers the CPU must not touch have no vmap op at all. */
	guard(mutex)(&buf->lock);

	if (!buf->vmap_cnt) {
		void *vaddr = contig_buffer_map_kernel(buf);

		if (!vaddr)
			return -ENOMEM;

		buf->vaddr = vaddr;
	}

	buf->vmap_cnt++;
	iosys_map_set_vaddr(map, buf->vaddr);

	return 0;
}

static void contig_buffer_vunmap_locked(struct contig_buffer *buf)
{
	lockdep_assert_held(&buf->lock);

	contig_buffer_unmap_kernel(buf, buf->vaddr);
	buf->vaddr = NULL;
	buf->vmap_cnt = 0;
}

static void contig_dma_buf_vunmap(struct dma_buf *dmabuf,
				  struct iosys_map *map)
{
	struct contig_buffer *buf = dmabuf->priv;

	scoped_guard(mutex, &buf->lock) {
		if (!WARN_ON(!buf->vmap_cnt) && !--buf->vmap_cnt)
			contig_buffer_vunmap_locked(buf);
	}

	iosys_map_clear(map);
}

static void contig_dma_buf_release(struct dma_buf *dmabuf)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_heap *ch = buf->heap;
	const struct dma_heap_scrubber *scrubber;
	int ret = 0;

	scoped_guard(mutex, &buf->lock) {
		if (WARN(buf->vmap_cnt, "%s: buffer still mapped in the kernel\n",
			 ch->name))
			contig_buffer_vunmap_locked(buf);
	}
	mutex_destroy(&buf->lock);

	/*
	 * A scrubber installed meanwhile scrubs this range with the rest of
	 * the free memory, once this release is done: see
	 * contig_heap_scrub_free().
	 */
	guard(rwsem_read)(&ch->scrub_sem);

	scrubber = ch->heap ? dma_heap_get_scrubber(ch->heap) : NULL;
	if (scrubber)
		ret = scrubber->scrub(scrubber, buf->phys, buf->size);

	scoped_guard(mutex, &ch->lock) {
		list_del(&buf->node);
		ch->used -= buf->size;
		ch->nr_buffers--;
		if (ret) {
			list_add_tail(&buf->node, &ch->quarantine);
			ch->quarantined += buf->size;
		}
	}

	if (ret) {
		/* Never hand out a range that may hold its last user's data. */
		pr_err("%s: scrubber %s failed on %pa+%#zx: %pe, the range is not reused\n",
		       ch->name, scrubber->name, &buf->phys, buf->size,
		       ERR_PTR(ret));
		return;
	}

	buf->release(buf);
}

static const struct dma_buf_ops contig_dma_buf_ops = {
	.attach = contig_dma_buf_attach,
	.detach = contig_dma_buf_detach,
	.map_dma_buf = contig_dma_buf_map,
	.unmap_dma_buf = contig_dma_buf_unmap,
	.begin_cpu_access = contig_dma_buf_begin_cpu_access,
	.end_cpu_access = contig_dma_buf_end_cpu_access,
	.mmap = contig_dma_buf_mmap,
	.vmap = contig_dma_buf_vmap,
	.vunmap = contig_dma_buf_vunmap,
	.release = contig_dma_buf_release,
};

/*
 * Memory the CPU must not touch has no kernel mapping to offer: without a
 * vmap op dma_buf_vmap() reports -EINVAL to the importer, where a failing
 * op would trip the dma-buf core's warning. mmap and CPU access keep their
 * ops, which refuse with -EPERM.
 */
static const struct dma_buf_ops contig_dma_buf_nocpu_ops = {
	.attach = contig_dma_buf_attach,
	.detach = contig_dma_buf_detach,
	.map_dma_buf = contig_dma_buf_map,
	.unmap_dma_buf = contig_dma_buf_unmap,
	.begin_cpu_access = contig_dma_buf_begin_cpu_access,
	.end_cpu_access = contig_dma_buf_end_cpu_access,
	.mmap = contig_dma_buf_mmap,
	.release = contig_dma_buf_release,
};

/**
 * contig_buffer_init() - initialise a contiguous buffer
 * @buf: the buffer, allocated by the caller
 * @ch: heap the buffer is allocated from
 * @phys: physical address of the memory, page aligned
 * @size: size of the memory in bytes, a non-zero multiple of PAGE_SIZE
 * @kvaddr: permanent kernel mapping of the memory matching the heap's CPU
 *	access mode, or NULL to let the helpers create mappings on demand
 * @release: callback freeing the memory and @buf once the dma-buf is gone
 *
 * The memory of a heap with the cached CPU access mode must be backed by
 * struct pages (see &struct contig_heap). The CPU access mode is taken
 * from @ch.
 */
void contig_buffer_init(struct contig_buffer *buf, struct contig_heap *ch,
			phys_addr_t phys, size_t size, void *kvaddr,
			void (*release)(struct contig_buffer *buf))
{
	buf->heap = ch;
	buf->phys = phys;
	buf->size = size;
	buf->cpu_access = ch->cpu_access;
	buf->kvaddr = kvaddr;
	buf->release = release;

	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->node);
	buf->vmap_cnt = 0;
	buf->vaddr = NULL;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_init, "DMA_BUF_HEAP");

/* Clear part of a cached buffer: through the linear mapping, or page by page. */
static void contig_clear_cached(const struct contig_buffer *buf, size_t offset,
				size_t len)
{
	size_t done;

	if (contig_buffer_lowmem(buf, offset, len)) {
		memset(page_address(contig_buffer_page(buf, offset)), 0, len);
		return;
	}

	for (done = 0; done < len; done += PAGE_SIZE)
		clear_highpage(contig_buffer_page(buf, offset + done));
}

/**
 * contig_buffer_clear() - zero the memory of a buffer
 * @buf: the buffer, initialised but not exported yet
 *
 * Clear the buffer through a mapping whose attributes match the memory:
 * the linear mapping (or short-lived kmap_local_page() mappings of highmem)
 * for cached memory, a write-combined mapping for no-map memory, or the
 * owner supplied mapping. The memory is cleared in
 * chunks so that a task killed while allocating a large buffer gives up
 * quickly.
 *
 * The buffer must not be handed out when this fails: the caller frees it.
 *
 * Return: 0 on success, -EINTR if a fatal signal is pending, -ENOMEM if
 * the memory could not be mapped, -EPERM if the CPU may not access the
 * memory of this buffer.
 */
int contig_buffer_clear(struct contig_buffer *buf)
{
	size_t offset, chunk;

	if (!contig_cpu_can_access(buf))
		return -EPERM;

	for (offset = 0; offset < buf->size; offset += chunk) {
		void *vaddr;

		if (fatal_signal_pending(current))
			return -EINTR;

		chunk = min(buf->size - offset, CONTIG_CLEAR_CHUNK);

		if (buf->kvaddr) {
			memset(buf->kvaddr + offset, 0, chunk);
		} else if (buf->cpu_access == CONTIG_CPU_ACCESS_CACHED) {
			contig_clear_cached(buf, offset, chunk);
		} else {
			vaddr = memremap(buf->phys + offset, chunk, MEMREMAP_WC);
			if (!vaddr)
				return -ENOMEM;
			memset(vaddr, 0, chunk);
			memunmap(vaddr);
		}

		cond_resched();
	}

	/*
	 * For cached memory dma_map_sgtable() cleans the caches before a
	 * device sees the buffer.
	 */
	if (buf->cpu_access == CONTIG_CPU_ACCESS_WRITECOMBINE) {
		/* Drain the write-combining buffers: the zeroes must land first. */
		wmb();
	}

	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_clear, "DMA_BUF_HEAP");

/**
 * contig_buffer_export() - export a contiguous buffer as a dma-buf
 * @buf: the buffer, initialised with contig_buffer_init()
 * @fd_flags: file flags of the dma-buf, as passed to the heap's allocate
 *
 * The exporter name of the dma-buf is the heap name. On success the buffer
 * is accounted to its heap and owned by the dma-buf: @buf->release is
 * called when the dma-buf is released. On failure the caller still owns
 * @buf and its memory.
 *
 * Return: the dma-buf, or an ERR_PTR() on failure.
 */
struct dma_buf *contig_buffer_export(struct contig_buffer *buf, u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct contig_heap *ch = buf->heap;
	struct dma_buf *dmabuf;

	exp_info.exp_name = ch->name;
	exp_info.ops = contig_cpu_can_access(buf) ? &contig_dma_buf_ops :
						    &contig_dma_buf_nocpu_ops;
	exp_info.size = buf->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;

	/*
	 * The lock is only needed once the buffer is shared, and an owner
	 * freeing a buffer that was never exported must not have to destroy
	 * it: initialise it here, destroy it here if exporting fails.
	 */
	mutex_init(&buf->lock);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mutex_destroy(&buf->lock);
		return dmabuf;
	}

	/*
	 * Record the inode number now: the file is already gone when the
	 * release callback runs.
	 */
	buf->ino = file_inode(dmabuf->file)->i_ino;

	scoped_guard(mutex, &ch->lock) {
		list_add_tail(&buf->node, &ch->buffers);
		ch->used += buf->size;
		ch->nr_buffers++;
	}

	return dmabuf;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_export, "DMA_BUF_HEAP");

static int contig_heap_stats_show(struct seq_file *s, void *unused)
{
	struct contig_heap *ch = s->private;
	const struct dma_heap_scrubber *scrubber;
	u64 used, quarantined;
	unsigned long nr_buffers;

	scoped_guard(mutex, &ch->lock) {
		used = ch->used;
		nr_buffers = ch->nr_buffers;
		quarantined = ch->quarantined;
	}

	seq_printf(s, "region: %s\n", ch->region);
	seq_printf(s, "base: %pa\n", &ch->base);
	seq_printf(s, "size: %llu\n", (u64)ch->size);
	seq_printf(s, "cpu_access: %s\n", contig_cpu_access_name(ch->cpu_access));
	seq_printf(s, "used: %llu\n", used);
	seq_printf(s, "buffers: %lu\n", nr_buffers);
	if (ch->largest_free)
		seq_printf(s, "largest_free: %llu\n", ch->largest_free(ch));
	if (ch->cpu_access == CONTIG_CPU_ACCESS_NONE) {
		scrubber = dma_heap_get_scrubber(ch->heap);
		seq_printf(s, "scrubber: %s\n", scrubber ? scrubber->name : "none");
		seq_printf(s, "quarantined: %llu\n", quarantined);
		seq_printf(s, "userspace: %s\n",
			   dma_heap_is_published(ch->heap) ? "yes" : "no");
	}

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(contig_heap_stats);

static int contig_heap_buffers_show(struct seq_file *s, void *unused)
{
	struct contig_heap *ch = s->private;
	struct contig_buffer *buf;

	guard(mutex)(&ch->lock);

	list_for_each_entry(buf, &ch->buffers, node)
		seq_printf(s, "%llu %pa %zu\n", buf->ino, &buf->phys, buf->size);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(contig_heap_buffers);

static void contig_heap_debugfs_add(struct contig_heap *ch)
{
	/* debugfs failures are not fatal, the helpers accept error pointers */
	ch->debugfs = debugfs_create_dir(ch->name, dma_heap_debugfs_root());
	debugfs_create_file("stats", 0400, ch->debugfs, ch,
			    &contig_heap_stats_fops);
	debugfs_create_file("buffers", 0400, ch->debugfs, ch,
			    &contig_heap_buffers_fops);
}

/**
 * contig_heap_scrub_free() - &dma_heap_ops.scrub_free of contiguous heaps
 * @heap: heap registered with contig_heap_add(), whose scrubber was just
 *	installed
 *
 * Waits for the frees that started before the scrubber was installed (they
 * did not scrub), then has the owner's @scrub_free callback scrub every
 * range the heap has not handed out. Every free from now on scrubs.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0, -EOPNOTSUPP for a heap without a @scrub_free callback, or the
 * scrubber's error.
 */
int contig_heap_scrub_free(struct dma_heap *heap)
{
	struct contig_heap *ch = dma_heap_get_drvdata(heap);
	const struct dma_heap_scrubber *scrubber = dma_heap_get_scrubber(heap);

	if (!ch->scrub_free || !scrubber ||
	    ch->cpu_access != CONTIG_CPU_ACCESS_NONE)
		return -EOPNOTSUPP;

	guard(rwsem_write)(&ch->scrub_sem);

	return ch->scrub_free(ch, scrubber);
}
EXPORT_SYMBOL_NS_GPL(contig_heap_scrub_free, "DMA_BUF_HEAP");

/**
 * contig_heap_add() - register a heap of physically contiguous buffers
 * @ch: heap bookkeeping, with the public fields filled in
 * @ops: heap operations. The allocate callback finds @ch with
 *	dma_heap_get_drvdata().
 *
 * Register the dma-buf heap @ch->name, its debugfs directory
 * ``dma_heap/<name>/`` holding the read-only (root only) ``stats`` and
 * ``buffers`` files, and, if @ch->np is set, the region of the heap for
 * consumers naming it in their memory-region property. Heaps cannot be
 * removed: @ch must stay allocated forever once this succeeded.
 *
 * A heap the CPU cannot access (%CONTIG_CPU_ACCESS_NONE) is registered for
 * kernel users only, unless @ch->unscrubbed_user_access is set: nothing
 * clears its buffers between users, so it gets its /dev/dma_heap node only
 * once a scrubber is installed with dma_heap_set_scrubber().
 *
 * Context: Process context. May sleep.
 *
 * Return: 0 on success, -EINVAL for a cached heap without struct pages, or
 * the error from dma_heap_add(): -EEXIST if a heap of that name is already
 * registered.
 */
int contig_heap_add(struct contig_heap *ch, const struct dma_heap_ops *ops)
{
	struct dma_heap_export_info exp_info = {
		.name = ch->name,
		.ops = ops,
		.priv = ch,
		.kernel_only = ch->cpu_access == CONTIG_CPU_ACCESS_NONE &&
			       !ch->unscrubbed_user_access,
	};
	struct dma_heap *heap;
	int ret;

	/* Cached buffers are handed to importers as struct pages. */
	if (WARN_ON(ch->no_struct_page &&
		    ch->cpu_access == CONTIG_CPU_ACCESS_CACHED))
		return -EINVAL;

	mutex_init(&ch->lock);
	init_rwsem(&ch->scrub_sem);
	INIT_LIST_HEAD(&ch->buffers);
	INIT_LIST_HEAD(&ch->quarantine);
	ch->used = 0;
	ch->nr_buffers = 0;
	ch->quarantined = 0;

	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap)) {
		mutex_destroy(&ch->lock);
		return PTR_ERR(heap);
	}
	ch->heap = heap;
	contig_heap_debugfs_add(ch);

	if (ch->np) {
		/*
		 * Only fails for lack of memory. The heap cannot be taken back
		 * any more, so it stays, just out of reach of memory-region.
		 */
		ret = of_dma_heap_region_register(ch->np, heap);
		if (ret)
			pr_err("%pOF: heap \"%s\" cannot be found by memory-region: %pe\n",
			       ch->np, ch->name, ERR_PTR(ret));
	}

	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_heap_add, "DMA_BUF_HEAP");

/**
 * contig_heap_check_exclusive() - check that a heap owns its region alone
 * @dev: device of the region's node, for the error message
 * @np: the reserved-memory node of the region
 * @rmem: the region of @np
 *
 * Memory a heap hands out must belong to nobody else. The reserved-memory
 * code warns about overlapping regions ("OVERLAP DETECTED") but keeps them
 * all, and reserves a static region over memory the kernel already uses
 * (its image, the initrd, the device tree blob) without complaint. Refuse
 * a region overlapping any other reserved region, static or dynamic, or
 * memory in use at boot. Every region of an overlapping pair refuses, as
 * neither can be trusted. The same rule holds for every heap backed by a
 * reserved-memory region.
 *
 * Return: 0 if @rmem is the heap's alone, -EBUSY after logging one error
 * naming @np otherwise.
 */
int contig_heap_check_exclusive(struct device *dev, struct device_node *np,
				const struct reserved_mem *rmem)
{
	struct device_node *parent __free(device_node) = of_get_parent(np);
	phys_addr_t end = rmem->base + rmem->size;

	for_each_available_child_of_node_scoped(parent, child) {
		struct reserved_mem *other;

		if (child == np)
			continue;

		other = of_reserved_mem_lookup(child);
		if (!other || !other->size)
			continue;

		if (rmem->base < other->base + other->size &&
		    other->base < end)
			return dev_err_probe(dev, -EBUSY,
					     "%pOF: region overlaps %pOF\n",
					     np, child);
	}

	if (rmem->in_use_at_boot)
		return dev_err_probe(dev, -EBUSY,
				     "%pOF: region overlaps memory in use at boot (kernel image, initrd, device tree blob, /memreserve/ or firmware)\n",
				     np);

	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_heap_check_exclusive, "DMA_BUF_HEAP");

MODULE_DESCRIPTION("DMA-BUF helpers for physically contiguous heaps");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
