// SPDX-License-Identifier: GPL-2.0
/*
 * Device-tree lookup of DMA-BUF heaps
 *
 * A device names the heaps it allocates its own buffers from the way it
 * names its clocks:
 *
 *	dma-heaps = <&fw_region>, <&tee 1>;
 *	dma-heap-names = "firmware", "protected";
 *
 * The node a dma-heaps entry points to is the heap provider, and its
 * #dma-heap-cells property says how many cells follow the phandle:
 *
 *  - A reserved-memory region that a heap driver exports as a heap has
 *    #dma-heap-cells = <0>. It needs no registration: its heap is the one
 *    named like the heap drivers name such a region, after its
 *    linux,dma-heap-name property if it has one, else after its node name
 *    with the unit address (e.g. "framebuffer@50000000", the name the CMA
 *    heap gives each reusable region).
 *  - Any other provider (e.g. a TEE that manages several protected heaps)
 *    registers a translation function for its node with
 *    of_dma_heap_provider_register(); the cells select the heap.
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
#include <linux/slab.h>
#include <linux/string.h>

#include "dma-heap-internal.h"

struct of_dma_heap_provider {
	struct list_head list;
	struct device_node *np;
	struct dma_heap *(*xlate)(struct of_phandle_args *args, void *data);
	void *data;
};

static LIST_HEAD(of_dma_heap_providers);
static DEFINE_MUTEX(of_dma_heap_providers_lock);

/**
 * of_dma_heap_provider_register - register a device-tree provider of heaps
 * @np: the provider's node, which has a #dma-heap-cells property
 * @xlate: translates a specifier in a consumer's dma-heaps property into one
 *	   of the provider's heaps
 * @data: passed to @xlate
 *
 * Makes the heaps of @np available to the devices that reference @np in
 * their dma-heaps property. @xlate gets the specifier in @args
 * (@args->args_count cells, as many as #dma-heap-cells says) and returns
 * one of the provider's heaps without taking a reference: the dma-heap core
 * takes one for the consumer before the provider can be unregistered. For a
 * specifier it does not know, @xlate returns ERR_PTR(-EINVAL); for a heap
 * that is not registered yet, ERR_PTR(-EPROBE_DEFER).
 *
 * @xlate is called with a lock held that serialises it against
 * of_dma_heap_provider_unregister(): it must not call any of the dma-heap
 * device-tree functions. Every heap it returns must stay registered until
 * the provider has been unregistered.
 *
 * Reserved-memory regions with #dma-heap-cells = <0> are found by name and
 * need no provider.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0 on success, -EINVAL if @np or @xlate is missing, -EEXIST if @np
 * already has a provider, -ENOMEM.
 */
int of_dma_heap_provider_register(struct device_node *np,
				  struct dma_heap *(*xlate)(struct of_phandle_args *args,
							    void *data),
				  void *data)
{
	struct of_dma_heap_provider *provider;

	if (!np || !xlate)
		return -EINVAL;

	guard(mutex)(&of_dma_heap_providers_lock);
	list_for_each_entry(provider, &of_dma_heap_providers, list)
		if (provider->np == np)
			return -EEXIST;

	provider = kzalloc_obj(*provider);
	if (!provider)
		return -ENOMEM;

	provider->np = of_node_get(np);
	provider->xlate = xlate;
	provider->data = data;
	list_add_tail(&provider->list, &of_dma_heap_providers);

	return 0;
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_provider_register, "DMA_BUF_HEAP");

/**
 * of_dma_heap_provider_unregister - unregister a device-tree provider of heaps
 * @np: the node passed to of_dma_heap_provider_register()
 *
 * Once this returns, the provider's translation function is not running
 * and will not be called again. Heaps that consumers already got stay
 * valid until they drop their references.
 *
 * Context: Process context. May sleep.
 */
void of_dma_heap_provider_unregister(struct device_node *np)
{
	struct of_dma_heap_provider *provider;

	guard(mutex)(&of_dma_heap_providers_lock);
	list_for_each_entry(provider, &of_dma_heap_providers, list) {
		if (provider->np != np)
			continue;
		list_del(&provider->list);
		of_node_put(provider->np);
		kfree(provider);
		return;
	}
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_provider_unregister, "DMA_BUF_HEAP");

/*
 * Translate @args with the provider registered for @args->np. Returns NULL
 * if there is none, else a heap with a reference or an ERR_PTR().
 */
static struct dma_heap *of_dma_heap_from_provider(struct of_phandle_args *args)
{
	struct of_dma_heap_provider *provider;
	struct dma_heap *heap;

	guard(mutex)(&of_dma_heap_providers_lock);
	list_for_each_entry(provider, &of_dma_heap_providers, list) {
		if (provider->np != args->np)
			continue;
		heap = provider->xlate(args, provider->data);
		if (!heap)
			return ERR_PTR(-EINVAL);
		if (IS_ERR(heap))
			return heap;
		/* Still registered, as the provider is: safe to take a ref */
		return dma_heap_get(heap);
	}

	return NULL;
}

static bool of_dma_heap_is_reserved_memory(struct device_node *np)
{
	struct device_node *root __free(device_node) =
		of_find_node_by_path("/reserved-memory");
	struct device_node *parent __free(device_node) = of_get_parent(np);

	return root && parent == root;
}

/*
 * The heap of a reserved-memory region, named the way heap drivers name it:
 * after linux,dma-heap-name, else after the node name with its unit address
 * (what the reserved-memory core records for the region, and what the CMA
 * heap uses).
 */
static struct dma_heap *of_dma_heap_from_region(struct device_node *np)
{
	struct dma_heap *heap;
	const char *name;

	if (of_property_read_string(np, "linux,dma-heap-name", &name))
		name = kbasename(of_node_full_name(np));

	heap = dma_heap_find(name);
	if (!heap) {
		pr_debug("%pOF: heap \"%s\" not registered yet\n", np, name);
		return ERR_PTR(-EPROBE_DEFER);
	}

	return heap;
}

/**
 * of_dma_heap_get - get a heap a device-tree node refers to
 * @np: the consumer's node
 * @name: an entry of the consumer's dma-heap-names property, or NULL for
 *	  the first entry of its dma-heaps property
 *
 * Looks up the heap that @np refers to in its dma-heaps property, at the
 * position of @name in its dma-heap-names property, and takes a reference
 * to it. The heap is meant for buffers the consumer's driver allocates and
 * owns itself, with dma_heap_buffer_alloc().
 *
 * Context: Process context. May sleep.
 *
 * Return: the heap, with a reference the caller drops with dma_heap_put(),
 * or an ERR_PTR():
 *
 * * -ENOENT: @np is NULL or has no dma-heaps property, @name is not in its
 *   dma-heap-names property, or the entry is empty (a zero phandle);
 * * -EPROBE_DEFER: the provider or its heap is not registered yet;
 * * -ENODEV: the provider node is disabled;
 * * -EINVAL: the properties are malformed (an entry with the wrong number
 *   of cells, a phandle to a node without #dma-heap-cells, dma-heaps and
 *   dma-heap-names of different lengths) or the provider rejected the
 *   specifier; an error naming @np is logged.
 */
struct dma_heap *of_dma_heap_get(struct device_node *np, const char *name)
{
	struct of_phandle_args args;
	struct dma_heap *heap;
	int count, names, index = 0;
	int ret;

	if (!np)
		return ERR_PTR(-ENOENT);

	/*
	 * Walk the whole list: an entry with the wrong number of cells shifts
	 * every entry after it, so only the complete list can be trusted.
	 */
	count = of_count_phandle_with_args(np, "dma-heaps", "#dma-heap-cells");
	if (count == -ENOENT)
		return ERR_PTR(-ENOENT);
	if (count < 0) {
		pr_err("%pOF: invalid dma-heaps property\n", np);
		return ERR_PTR(-EINVAL);
	}

	names = of_property_count_strings(np, "dma-heap-names");
	if (names >= 0 && names != count) {
		pr_err("%pOF: %d dma-heaps entries but %d dma-heap-names\n",
		       np, count, names);
		return ERR_PTR(-EINVAL);
	}

	if (name) {
		index = of_property_match_string(np, "dma-heap-names", name);
		if (index < 0)
			return ERR_PTR(-ENOENT);
	}
	if (index >= count)
		return ERR_PTR(-ENOENT);

	ret = of_parse_phandle_with_args(np, "dma-heaps", "#dma-heap-cells",
					 index, &args);
	if (ret == -ENOENT)
		return ERR_PTR(-ENOENT);
	if (ret) {
		pr_err("%pOF: invalid dma-heaps entry %d\n", np, index);
		return ERR_PTR(-EINVAL);
	}

	if (!of_device_is_available(args.np)) {
		heap = ERR_PTR(-ENODEV);
		goto out;
	}

	heap = of_dma_heap_from_provider(&args);
	if (heap) {
		if (PTR_ERR_OR_ZERO(heap) == -EINVAL)
			pr_err("%pOF: dma-heaps entry %d: %pOF rejected the specifier\n",
			       np, index, args.np);
		goto out;
	}

	if (!of_dma_heap_is_reserved_memory(args.np)) {
		/* A provider that has not probed yet */
		heap = ERR_PTR(-EPROBE_DEFER);
		goto out;
	}

	if (args.args_count) {
		pr_err("%pOF: dma-heaps entry %d: reserved-memory region %pOF must have #dma-heap-cells = <0>\n",
		       np, index, args.np);
		heap = ERR_PTR(-EINVAL);
		goto out;
	}

	heap = of_dma_heap_from_region(args.np);
out:
	of_node_put(args.np);
	return heap;
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_get, "DMA_BUF_HEAP");

static void devm_dma_heap_put(void *heap)
{
	dma_heap_put(heap);
}

/**
 * devm_of_dma_heap_get - resource-managed of_dma_heap_get() for a device
 * @dev: the consumer device, described by a device-tree node
 * @name: an entry of the device's dma-heap-names property, or NULL for the
 *	  first entry of its dma-heaps property
 *
 * Like of_dma_heap_get() on @dev's node, but the reference is dropped
 * automatically when @dev is unbound. Buffers allocated from the heap are
 * not freed with it: the driver must dma_buf_put() them itself.
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

	heap = of_dma_heap_get(dev->of_node, name);
	if (IS_ERR(heap))
		return heap;

	ret = devm_add_action_or_reset(dev, devm_dma_heap_put, heap);
	if (ret)
		return ERR_PTR(ret);

	return heap;
}
EXPORT_SYMBOL_NS_GPL(devm_of_dma_heap_get, "DMA_BUF_HEAP");
