/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Charging the buffers of region heaps to the dmem cgroup controller
 *
 * A heap backed by a region of its own (a carveout, a coherent pool, a CMA
 * area) registers the dmem region "dma_heap/<heap name>", sized as the
 * region. Each buffer is charged to the cgroup of the task allocating it,
 * when it is allocated, and uncharged when its dma-buf is released: a
 * buffer passed to another process or held by an importer stays charged
 * to the cgroup that allocated it until its last reference goes. A kernel
 * thread is in the root cgroup, which has no limit. Over a cgroup's
 * dmem.max for the region an allocation fails with -ENOMEM, as when the
 * region itself is exhausted.
 *
 * Without CONFIG_CGROUP_DMEM no region is registered and nothing is
 * charged.
 */

#ifndef _DMA_HEAP_DMEM_H
#define _DMA_HEAP_DMEM_H

#include <linux/cgroup_dmem.h>
#include <linux/errno.h>
#include <linux/page_counter.h>
#include <linux/printk.h>
#include <linux/types.h>

/**
 * dma_heap_dmem_register() - register the dmem cgroup region of a heap
 * @name: heap name; the region is called "dma_heap/@name"
 * @size: size of the memory behind the heap in bytes
 *
 * Context: Process context. May sleep.
 *
 * Return: the region; NULL without CONFIG_CGROUP_DMEM or for a region dmem
 * cannot count, or an ERR_PTR() if the region could not be registered. A
 * heap must not be registered without its region when it could have one:
 * its buffers would escape every limit.
 */
static inline struct dmem_cgroup_region *
dma_heap_dmem_register(const char *name, u64 size)
{
	const struct dmem_cgroup_init init = { .size = size };

	/*
	 * dmem counts bytes in a page counter, a long: a 32-bit kernel
	 * cannot count more than 2 GiB of a region (a 64-bit one, 2^51
	 * bytes). Charging beyond would be refused as if over a limit.
	 */
	if (IS_ENABLED(CONFIG_CGROUP_DMEM) && size > PAGE_COUNTER_MAX) {
		pr_warn("dma_heap: %s: %llu bytes are more than dmem can count, the heap is not limited by cgroups\n",
			name, size);
		return NULL;
	}

	return dmem_cgroup_register_region(&init, "dma_heap/%s", name);
}

/**
 * dma_heap_dmem_charge() - charge a buffer to the allocating task's cgroup
 * @region: dmem region of the heap, or NULL if the heap has none
 * @size: size of the buffer in bytes
 * @pool: set to the pool charged, to be passed to dmem_cgroup_uncharge()
 *	with @size when the buffer is freed; NULL if nothing was charged
 *
 * Context: Process context. May sleep.
 *
 * Return: 0, or -ENOMEM if the buffer would take the cgroup or one of its
 * ancestors over its dmem.max for the region, or if the cgroup's
 * bookkeeping for the region could not be allocated.
 */
static inline int dma_heap_dmem_charge(struct dmem_cgroup_region *region,
				       u64 size,
				       struct dmem_cgroup_pool_state **pool)
{
	int ret;

	*pool = NULL;
	if (!region)
		return 0;

	/*
	 * -EAGAIN tells a driver that can evict buffers to try again. A heap
	 * cannot take memory back from a buffer: to its users a limit is
	 * memory that is not there.
	 */
	ret = dmem_cgroup_try_charge(region, size, pool, NULL);
	return ret == -EAGAIN ? -ENOMEM : ret;
}

#endif /* _DMA_HEAP_DMEM_H */
