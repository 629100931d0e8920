/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocator of the reserved-memory carveout heap, visible to its KUnit test
 */

#ifndef _DMA_HEAP_CARVEOUT_HEAP_H
#define _DMA_HEAP_CARVEOUT_HEAP_H

#include <linux/genalloc.h>
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * struct carveout_pool - page granular allocator over a carveout
 * @gp: the underlying gen_pool, addressing the region by offset
 * @lock: serialises allocations, frees and free-space queries
 * @size: size of the region in bytes
 */
struct carveout_pool {
	struct gen_pool *gp;
	struct mutex lock;	/* serialises all accesses to @gp */
	size_t size;
};

/**
 * typedef carveout_range_fn - called on a range of a pool
 * @arg: the caller's argument
 * @offset: offset of the range in the region, page aligned
 * @len: length of the range in bytes, a multiple of PAGE_SIZE
 *
 * Return: 0 to go on, anything else to stop.
 */
typedef int (*carveout_range_fn)(void *arg, size_t offset, size_t len);

#if IS_ENABLED(CONFIG_KUNIT)
int carveout_pool_init(struct carveout_pool *pool, u64 size,
		       genpool_algo_t algo, int nid);
void carveout_pool_destroy(struct carveout_pool *pool);
int carveout_pool_alloc(struct carveout_pool *pool, size_t len,
			size_t *offset);
void carveout_pool_free(struct carveout_pool *pool, size_t offset,
			size_t len);
size_t carveout_pool_largest_free(struct carveout_pool *pool);
int carveout_pool_walk_free(struct carveout_pool *pool, carveout_range_fn fn,
			    void *arg);
#endif

#endif /* _DMA_HEAP_CARVEOUT_HEAP_H */
