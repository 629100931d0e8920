/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for dma-buf heaps handing out physically contiguous buffers
 */

#ifndef _DMA_HEAP_CONTIG_BUFFER_H
#define _DMA_HEAP_CONTIG_BUFFER_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>

struct dentry;
struct device;
struct device_node;
struct dma_buf;
struct dma_heap;
struct dma_heap_ops;
struct dma_heap_scrubber;
struct reserved_mem;

/**
 * enum contig_cpu_access - how the CPU may access the memory of a heap
 * @CONTIG_CPU_ACCESS_CACHED: the memory is part of the kernel linear
 *	mapping. CPU mappings are cacheable and device mappings perform
 *	cache maintenance.
 * @CONTIG_CPU_ACCESS_WRITECOMBINE: the memory must not be mapped cacheable
 *	(e.g. a ``no-map`` reserved-memory region). CPU mappings are
 *	write-combined; importers get tables of DMA addresses without
 *	struct pages, mapped without cache maintenance.
 * @CONTIG_CPU_ACCESS_NONE: the CPU must never access the memory (e.g. a
 *	region protected by the firmware). Only device mappings are
 *	allowed; mmap and CPU access fail with -EPERM, and the buffers
 *	have no vmap operation (dma_buf_vmap() fails with -EINVAL).
 *	Importers get tables as for @CONTIG_CPU_ACCESS_WRITECOMBINE.
 */
enum contig_cpu_access {
	CONTIG_CPU_ACCESS_CACHED,
	CONTIG_CPU_ACCESS_WRITECOMBINE,
	CONTIG_CPU_ACCESS_NONE,
};

struct contig_heap;

/**
 * typedef contig_largest_free_t - report the largest allocatable block
 * @ch: the heap being queried
 *
 * Return: the size in bytes of the largest block the heap could currently
 * hand out in one allocation.
 */
typedef u64 (*contig_largest_free_t)(struct contig_heap *ch);

/**
 * typedef contig_scrub_free_t - scrub all memory a heap has not handed out
 * @ch: the heap
 * @scrubber: the scrubber just installed for the heap
 *
 * Called once, when a scrubber is installed, for memory freed before (or
 * left by the firmware or an earlier boot). It must keep the heap from
 * handing out any of the memory it scrubs until it returns.
 *
 * Return: 0 once every free range was scrubbed, or the scrubber's error.
 */
typedef int (*contig_scrub_free_t)(struct contig_heap *ch,
				   const struct dma_heap_scrubber *scrubber);

/**
 * struct contig_heap - bookkeeping shared by contiguous dma-buf heaps
 * @name: heap name, used for the device node, debugfs and as the dma-buf
 *	exporter name. Must stay valid for the lifetime of the heap.
 * @region: name of the memory region backing the heap (e.g. the DT node
 *	name), shown in debugfs. Must stay valid for the lifetime of the heap.
 * @base: physical base address of the region
 * @size: size of the region in bytes
 * @cpu_access: CPU access mode of every buffer of this heap
 * @no_struct_page: the region has no struct pages: it is not memory the
 *	kernel manages (e.g. on-chip SRAM). Device mappings then use
 *	DMA_ATTR_MMIO. Such a heap must not use @CONTIG_CPU_ACCESS_CACHED,
 *	the only mode whose buffers are described with struct pages.
 * @largest_free: optional callback reporting the largest free block
 * @scrub_free: callback of %CONTIG_CPU_ACCESS_NONE heaps whose operations
 *	have &dma_heap_ops.scrub_free set to contig_heap_scrub_free()
 * @np: optional device-tree node of the region. contig_heap_add() registers
 *	it as the region of the heap, so that devices can refer to the heap
 *	with a memory-region property.
 * @unscrubbed_user_access: only for %CONTIG_CPU_ACCESS_NONE heaps: give the
 *	heap its /dev/dma_heap node at once, although nothing clears its
 *	buffers between users (the device tree asked for it). Without it such
 *	a heap serves kernel users only until a scrubber is installed with
 *	dma_heap_set_scrubber(). Memory the CPU may access is always cleared
 *	by the helpers, so heaps of that kind always get their node.
 *
 * The owner fills in the fields above and calls contig_heap_add(); the
 * remaining fields belong to the helpers.
 *
 * Buffers of a heap with a scrubber (see &struct dma_heap_scrubber) are
 * scrubbed when they are freed, before their owner's release callback
 * returns the memory. A buffer whose scrub fails is never released: it
 * stays in the heap's quarantine, counted in debugfs, and its memory is
 * never reused.
 * Heaps cannot be removed, so the structure must never be freed once
 * contig_heap_add() succeeded.
 */
struct contig_heap {
	const char *name;
	const char *region;
	phys_addr_t base;
	phys_addr_t size;
	enum contig_cpu_access cpu_access;
	bool no_struct_page;
	contig_largest_free_t largest_free;
	contig_scrub_free_t scrub_free;
	struct device_node *np;
	bool unscrubbed_user_access;

	/* private: */
	struct dma_heap *heap;		/* set by contig_heap_add() */
	struct mutex lock;		/* protects the five fields below */
	struct list_head buffers;	/* live buffers */
	u64 used;			/* bytes in live buffers */
	unsigned long nr_buffers;	/* number of live buffers */
	struct list_head quarantine;	/* buffers whose scrub failed */
	u64 quarantined;		/* bytes in quarantined buffers */
	struct rw_semaphore scrub_sem;	/* frees vs. contig_heap_scrub_free() */
	struct dentry *debugfs;		/* may be an error pointer */
};

/**
 * struct contig_buffer - a physically contiguous dma-buf heap buffer
 * @heap: heap the buffer belongs to
 * @phys: physical address of the buffer
 * @size: size of the buffer in bytes, a multiple of PAGE_SIZE
 * @cpu_access: CPU access mode, inherited from the heap
 * @kvaddr: optional permanent kernel mapping supplied by the owner (for
 *	example from dma_alloc_coherent()). When set it is used for clearing
 *	and vmap instead of creating a mapping.
 * @release: owner callback freeing the memory and the buffer itself. Called
 *	once the dma-buf is released, never while the buffer is in use.
 *
 * Owners allocate the structure (usually embedded in their own buffer
 * structure), initialise it with contig_buffer_init() and export it with
 * contig_buffer_export().
 */
struct contig_buffer {
	struct contig_heap *heap;
	phys_addr_t phys;
	size_t size;
	enum contig_cpu_access cpu_access;
	void *kvaddr;
	void (*release)(struct contig_buffer *buf);

	/* private: */
	struct mutex lock;		/* protects the three fields below */
	struct list_head attachments;	/* and their mapped state */
	unsigned int vmap_cnt;		/* active kernel mappings */
	void *vaddr;			/* kernel mapping while vmap_cnt > 0 */
	u64 ino;			/* dma-buf inode number, for debugfs */
	struct list_head node;		/* in contig_heap.buffers */
};

int contig_heap_check_exclusive(struct device *dev, struct device_node *np,
				const struct reserved_mem *rmem);
int contig_heap_add(struct contig_heap *ch, const struct dma_heap_ops *ops);
int contig_heap_scrub_free(struct dma_heap *heap);
const char *contig_cpu_access_name(enum contig_cpu_access access);

void contig_buffer_init(struct contig_buffer *buf, struct contig_heap *ch,
			phys_addr_t phys, size_t size, void *kvaddr,
			void (*release)(struct contig_buffer *buf));
int contig_buffer_clear(struct contig_buffer *buf);
struct dma_buf *contig_buffer_export(struct contig_buffer *buf, u32 fd_flags);

#endif /* _DMA_HEAP_CONTIG_BUFFER_H */
