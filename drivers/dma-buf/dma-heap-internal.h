/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA-BUF heaps: definitions shared by the heap core, its device-tree
 * lookup and its KUnit test. Heap drivers and heap users must not include
 * this file; they only ever see an opaque struct dma_heap.
 */

#ifndef _DMA_HEAP_INTERNAL_H
#define _DMA_HEAP_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct cdev;
struct dma_heap_ops;
struct dma_heap_scrubber;

/**
 * struct dma_heap - represents a dmabuf heap in the system
 * @name:		used for debugging/device-node name
 * @ops:		ops struct for this heap
 * @priv:		private data for this heap
 * @heap_devt:		heap device node
 * @list:		list head connecting to list of heaps
 * @heap_cdev:		heap char device, NULL while the heap is kernel only
 *			(see dma_heap_publish())
 * @refcount:		references to this heap, see "Heap lifetime" in
 *			dma-heap.c
 * @scrubber:		scrubber installed with dma_heap_set_scrubber(), or
 *			NULL; set once, never cleared
 *
 * Represents a heap of memory from which buffers can be made.
 *
 * @heap_cdev is allocated with cdev_alloc() rather than embedded: the char
 * device core drops its reference to the cdev only after the file's
 * release() has run, so an embedded cdev would be touched after the last
 * close freed the heap.
 */
struct dma_heap {
	const char *name;
	const struct dma_heap_ops *ops;
	void *priv;
	dev_t heap_devt;
	struct list_head list;
	struct cdev *heap_cdev;
	struct kref refcount;
	const struct dma_heap_scrubber *scrubber;
};

/**
 * dma_heap_get - take another reference to a heap
 * @heap: heap the caller already holds a reference to, or is otherwise
 *	  known to be alive (e.g. returned by a registered DT provider)
 *
 * Return: @heap. Drop the reference with dma_heap_put().
 */
static inline struct dma_heap *dma_heap_get(struct dma_heap *heap)
{
	kref_get(&heap->refcount);
	return heap;
}

#endif /* _DMA_HEAP_INTERNAL_H */
