/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exporting a device's CMA area as a dma-buf heap
 */

#ifndef _DMA_HEAP_CMA_H
#define _DMA_HEAP_CMA_H

#include <linux/err.h>

struct device;
struct dma_heap;

/*
 * IS_REACHABLE(): a built-in caller cannot link against the CMA heap built
 * as a module, and gets the stub, as it would without the CMA heap.
 */
#if IS_REACHABLE(CONFIG_DMABUF_HEAPS_CMA)
struct dma_heap *cma_heap_dev_add(struct device *dev, const char *name);
#else
static inline struct dma_heap *cma_heap_dev_add(struct device *dev,
						const char *name)
{
	return ERR_PTR(-EOPNOTSUPP);
}
#endif

#endif /* _DMA_HEAP_CMA_H */
