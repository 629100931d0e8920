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
 * Every provider registers its node with of_dma_heap_provider_register()
 * once its heaps exist; until then, consumers get -EPROBE_DEFER:
 *
 *  - A reserved-memory region that a heap driver exports as one heap has
 *    #dma-heap-cells = <0>; its driver registers the region's node with
 *    of_dma_heap_xlate_single() and the heap.
 *  - A provider of several heaps (e.g. a TEE that manages several protected
 *    heaps) has cells that select the heap, and its own translation
 *    function.
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
 * A provider of a single heap uses of_dma_heap_xlate_single() as @xlate and
 * the heap as @data.
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

/**
 * of_dma_heap_xlate_single - translation function of a single-heap provider
 * @args: the consumer's specifier, which has no cells
 * @data: the provider's heap, as passed to of_dma_heap_provider_register()
 *
 * For providers with #dma-heap-cells = <0>, such as a reserved-memory region
 * exported as one heap.
 *
 * Return: @data, or ERR_PTR(-EINVAL) if the specifier has cells.
 */
struct dma_heap *of_dma_heap_xlate_single(struct of_phandle_args *args,
					  void *data)
{
	if (args->args_count)
		return ERR_PTR(-EINVAL);

	return data;
}
EXPORT_SYMBOL_NS_GPL(of_dma_heap_xlate_single, "DMA_BUF_HEAP");

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
	if (!heap) {
		pr_debug("%pOF: dma-heaps entry %d: %pOF has no heap yet\n",
			 np, index, args.np);
		heap = ERR_PTR(-EPROBE_DEFER);
	} else if (PTR_ERR_OR_ZERO(heap) == -EINVAL) {
		pr_err("%pOF: dma-heaps entry %d: %pOF rejected the specifier\n",
		       np, index, args.np);
	}
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
