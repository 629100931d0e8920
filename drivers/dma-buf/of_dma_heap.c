// SPDX-License-Identifier: GPL-2.0
/*
 * Device-tree lookup of DMA-BUF heaps
 *
 * A device names the reserved-memory regions it allocates its own buffers
 * from with the standard memory-region and memory-region-names properties:
 *
 *	memory-region = <&fw_region>, <&protected_region>;
 *	memory-region-names = "firmware", "protected";
 *
 * The heap driver that exports a region as a heap registers the region's
 * node with of_dma_heap_region_register(); of_dma_heap_get() resolves a name
 * to the region node and the region node to that heap. Until the heap
 * driver has registered it, consumers get -EPROBE_DEFER; a region that will
 * never be a heap gives an error naming the consumer and the region.
 *
 * Heaps are never found by name here: a region refers to the heap its
 * driver registered for it, whatever heap names other regions ask for.
 *
 * Copyright (C) 2026 Dmabuf Heaps Team
 */

#define pr_fmt(fmt) "dma_heap: " fmt

#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dma-heap-internal.h"

struct of_dma_heap_region {
	struct list_head list;
	struct device_node *np;
	struct dma_heap *heap;
};

static LIST_HEAD(of_dma_heap_regions);
static DEFINE_MUTEX(of_dma_heap_regions_lock);

/**
 * of_dma_heap_region_register - register the heap of a reserved-memory region
 * @np: the region's node, in /reserved-memory
 * @heap: the heap the region is exported as
 *
 * Makes @heap the heap of the devices that name @np in their memory-region
 * property. The heap must stay registered until the region has been
 * unregistered: the dma-heap core takes a reference for each consumer under
 * a lock that of_dma_heap_region_unregister() takes too.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0 on success, -EINVAL if @np or @heap is missing, -EEXIST if @np
 * already has a heap, -ENOMEM.
 */
int of_dma_heap_region_register(struct device_node *np, struct dma_heap *heap)
{
	struct of_dma_heap_region *region;

	if (!np || !heap)
		return -EINVAL;

	guard(mutex)(&of_dma_heap_regions_lock);
	list_for_each_entry(region, &of_dma_heap_regions, list)
		if (region->np == np)
			return -EEXIST;

	region = kzalloc_obj(*region);
	if (!region)
		return -ENOMEM;

	region->np = of_node_get(np);
	region->heap = heap;
	list_add_tail(&region->list, &of_dma_heap_regions);

	return 0;
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_region_register, "DMA_BUF_HEAP");

/**
 * of_dma_heap_region_unregister - unregister the heap of a region
 * @np: the node passed to of_dma_heap_region_register()
 *
 * Once this returns, consumers of @np get no new references to its heap.
 * Heaps that consumers already got stay valid until they drop their
 * references.
 *
 * Context: Process context. May sleep.
 */
void of_dma_heap_region_unregister(struct device_node *np)
{
	struct of_dma_heap_region *region;

	guard(mutex)(&of_dma_heap_regions_lock);
	list_for_each_entry(region, &of_dma_heap_regions, list) {
		if (region->np != np)
			continue;
		list_del(&region->list);
		of_node_put(region->np);
		kfree(region);
		return;
	}
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_region_unregister, "DMA_BUF_HEAP");

/**
 * of_dma_heap_name - the heap name a device-tree node asks for
 * @np: a node that a driver exports as one heap, e.g. a reserved-memory
 *	region
 *
 * Heap drivers name the heap of a region after its linux,dma-heap-name
 * property, else after its node name with the unit address (e.g.
 * "framebuffer@50000000", the name the CMA heap gives reusable regions).
 * The name is not checked further: dma_heap_add() refuses one that is
 * already taken.
 *
 * Return: the name, which lives as long as @np, or ERR_PTR(-EINVAL) if
 * linux,dma-heap-name is not a string or is empty.
 */
const char *of_dma_heap_name(struct device_node *np)
{
	const char *name;
	int ret;

	ret = of_property_read_string(np, "linux,dma-heap-name", &name);
	if (ret == -EINVAL)
		return kbasename(of_node_full_name(np));
	if (ret || !*name)
		return ERR_PTR(-EINVAL);

	return name;
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_name, "DMA_BUF_HEAP");

/* The registered heap of @np with a reference, or NULL */
static struct dma_heap *of_dma_heap_region_heap(struct device_node *np)
{
	struct of_dma_heap_region *region;

	guard(mutex)(&of_dma_heap_regions_lock);
	list_for_each_entry(region, &of_dma_heap_regions, list)
		if (region->np == np)
			/* Still registered, as the region is: safe to take a ref */
			return dma_heap_get(region->heap);

	return NULL;
}

/*
 * Whether it is still worth waiting for the heap of @region, which has none
 * yet: -EPROBE_DEFER if so, else an error after logging why not.
 *
 * Heap drivers bind to the platform device of the regions they export (a
 * carveout, a coherent pool): if a driver is bound to it, that driver did
 * not export it, and if none is bound once the driver core gave up waiting
 * for drivers (all built-in drivers probed without module support, or the
 * deferred probe timeout passed), none will. The only regions exported
 * without a device are the CMA areas of reusable shared-dma-pool regions
 * that are not private, which the CMA heap exports at boot: for those, wait
 * as long as @dev, the consumer, may wait for its dependencies, if known.
 */
static int of_dma_heap_region_wait(struct device *dev, struct device_node *np,
				   struct device_node *region)
{
	struct device_node *parent __free(device_node) = of_get_parent(region);
	struct platform_device *pdev;
	const char *why;
	int ret;

	if (!of_device_is_available(region)) {
		pr_err("%pOF: memory-region %pOF is disabled\n", np, region);
		return -ENODEV;
	}

	if (!parent || !of_node_name_eq(parent, "reserved-memory") ||
	    !parent->parent || parent->parent->parent) {
		pr_err("%pOF: memory-region %pOF is not a reserved-memory region\n",
		       np, region);
		return -EINVAL;
	}

	pdev = of_find_device_by_node(region);
	if (pdev) {
		why = "its driver did not export it";
		if (device_is_bound(&pdev->dev))
			ret = -ENODEV;
		else
			ret = driver_deferred_probe_check_state(&pdev->dev);
		put_device(&pdev->dev);
	} else if (!of_device_is_compatible(region, "shared-dma-pool") ||
		   !of_property_read_bool(region, "reusable")) {
		why = "no heap driver exports such a region";
		ret = -ENODEV;
	} else if (of_property_read_bool(region, "linux,dma-heap-private")) {
		why = "private CMA area";
		ret = -ENODEV;
	} else if (!IS_ENABLED(CONFIG_DMABUF_HEAPS_CMA)) {
		why = "the CMA heap is not built";
		ret = -ENODEV;
	} else {
		why = "the CMA heap did not export it";
		ret = dev ? driver_deferred_probe_check_state(dev) :
			    -EPROBE_DEFER;
	}

	if (ret == -EPROBE_DEFER) {
		pr_debug("%pOF: memory-region %pOF has no heap yet\n", np,
			 region);
		return ret;
	}

	pr_err("%pOF: memory-region %pOF is not a dma-buf heap: %s\n", np,
	       region, why);
	return -ENODEV;
}

static struct dma_heap *__of_dma_heap_get(struct device *dev,
					  struct device_node *np,
					  const char *name)
{
	struct device_node *region;
	struct dma_heap *heap;
	int count, names, index = 0;

	if (!np)
		return ERR_PTR(-ENOENT);

	count = of_count_phandle_with_args(np, "memory-region", NULL);
	if (count == -ENOENT)
		return ERR_PTR(-ENOENT);
	if (count < 0) {
		pr_err("%pOF: invalid memory-region property\n", np);
		return ERR_PTR(-EINVAL);
	}

	names = of_property_count_strings(np, "memory-region-names");
	if (names >= 0 && names != count) {
		pr_err("%pOF: %d memory-region entries but %d memory-region-names\n",
		       np, count, names);
		return ERR_PTR(-EINVAL);
	}

	if (name) {
		index = of_property_match_string(np, "memory-region-names",
						 name);
		if (index < 0)
			return ERR_PTR(-ENOENT);
	}
	if (index >= count)
		return ERR_PTR(-ENOENT);

	region = of_parse_phandle(np, "memory-region", index);
	if (!region)
		return ERR_PTR(-ENOENT);

	heap = of_dma_heap_region_heap(region);
	if (!heap)
		heap = ERR_PTR(of_dma_heap_region_wait(dev, np, region));

	of_node_put(region);
	return heap;
}

/**
 * of_dma_heap_get - get the heap of a region a device-tree node refers to
 * @np: the consumer's node
 * @name: an entry of the consumer's memory-region-names property, or NULL
 *	  for the first entry of its memory-region property
 *
 * Looks up the reserved-memory region that @np refers to in its
 * memory-region property, at the position of @name in its
 * memory-region-names property, and takes a reference to the heap the
 * region's heap driver registered for it. The heap is meant for buffers the
 * consumer's driver allocates and owns itself, with dma_heap_buffer_alloc().
 *
 * Context: Process context. May sleep.
 *
 * Return: the heap, with a reference the caller drops with dma_heap_put(),
 * or an ERR_PTR():
 *
 * * -ENOENT: @np is NULL or has no memory-region property, @name is not in
 *   its memory-region-names property, or the entry is empty;
 * * -EPROBE_DEFER: the region's heap is not registered yet;
 * * -ENODEV: the region is disabled, or will not become a heap: no heap
 *   driver exports its kind of region, it is a private CMA area, its heap
 *   driver refused it or is not built, a driver that is not a heap driver
 *   owns it, or the driver core stopped waiting for missing drivers;
 * * -EINVAL: the properties are malformed (memory-region and
 *   memory-region-names of different lengths, a phandle to a node that is
 *   not a reserved-memory region).
 *
 * -ENODEV and -EINVAL come with an error naming @np and the region.
 */
struct dma_heap *of_dma_heap_get(struct device_node *np, const char *name)
{
	return __of_dma_heap_get(NULL, np, name);
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_get, "DMA_BUF_HEAP");

static void devm_dma_heap_put(void *heap)
{
	dma_heap_put(heap);
}

/**
 * devm_of_dma_heap_get - resource-managed of_dma_heap_get() for a device
 * @dev: the consumer device, described by a device-tree node
 * @name: an entry of the device's memory-region-names property, or NULL
 *	  for the first entry of its memory-region property
 *
 * Like of_dma_heap_get() on @dev's node, but the reference is dropped
 * automatically when @dev is unbound. Buffers allocated from the heap are
 * not freed with it: the driver must dma_buf_put() them itself. A region
 * without a device of its own (a CMA area) is waited for as long as the
 * driver core lets @dev wait for its dependencies.
 *
 * Context: Process context. May sleep.
 *
 * Return: the heap, or an ERR_PTR() as for of_dma_heap_get(). Drivers
 * should pass errors through dev_err_probe(), which keeps -EPROBE_DEFER
 * quiet.
 */
struct dma_heap *devm_of_dma_heap_get(struct device *dev, const char *name)
{
	struct dma_heap *heap;
	int ret;

	heap = __of_dma_heap_get(dev, dev->of_node, name);
	if (IS_ERR(heap))
		return heap;

	ret = devm_add_action_or_reset(dev, devm_dma_heap_put, heap);
	if (ret)
		return ERR_PTR(ret);

	return heap;
}
EXPORT_SYMBOL_NS_GPL(devm_of_dma_heap_get, "DMA_BUF_HEAP");
