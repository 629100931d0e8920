// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver: a device that allocates its own buffers from a DMA-BUF heap
 *
 * Not a driver for any hardware. It binds to "linux,dma-heap-test-importer"
 * nodes, which only test device trees have (the compatible is test data and
 * has no binding, like the compatibles of drivers/of/unittest-data), and
 * behaves like a GPU whose firmware works in protected memory, such as
 * Panthor on Mali CSF GPUs:
 *
 *  - at probe, it gets the heap of the region its node names "protected"
 *    (memory-region and memory-region-names) with devm_of_dma_heap_get(),
 *    deferring until the heap is registered;
 *  - it allocates a "firmware" buffer from the heap, attaches it to the
 *    device and maps it for DMA, and keeps it until the device is unbound;
 *  - through debugfs, tests create and destroy per-context "suspend"
 *    buffers, allocated and mapped the same way;
 *  - no buffer ever gets a file descriptor or a CPU mapping: the kernel
 *    owns them, and the device only needs their DMA addresses;
 *  - unbinding the device frees every buffer (unmap, detach, put) and
 *    drops the heap reference.
 *
 * The buffers must be contiguous in the device's DMA address space, as for
 * a device without an IOMMU: a buffer mapped otherwise is refused.
 *
 * The dma_mask_bits module parameter (default 64, at least 32) sets the
 * DMA mask the devices get when they are bound, so that tests can import
 * buffers into a device that cannot reach all of memory (a 32-bit device
 * and a region above 4 GiB).
 *
 * Debugfs, for tests (root only):
 *
 * /sys/kernel/debug/dma_heap_test_importer/probe_deferrals
 *	Read: how many times a probe of any device returned -EPROBE_DEFER
 *	because its heap was not registered yet.
 *
 * /sys/kernel/debug/dma_heap_test_importer/<device>/, while <device> is bound:
 *
 *   heap     Read: the name of the heap the device allocates from.
 *   create   Write a size in bytes (decimal, or hexadecimal with 0x): a
 *	      suspend buffer of that size (rounded up to whole pages) is
 *	      allocated, attached and mapped. The write fails with the error of
 *	      the step that failed and then leaves nothing allocated.
 *   destroy  Write a buffer id to free that suspend buffer, or "all" to free
 *	      every suspend buffer. -ENOENT for an unknown id, -EPERM for the
 *	      firmware buffer, which lives as long as the binding.
 *   buffers  Read: one line per buffer, oldest first:
 *		<id> <kind> <size> <phys start>-<phys end> <dma address>
 *	      kind is "firmware" or "suspend"; the firmware buffer has id 0,
 *	      suspend buffers get increasing ids from 1. The physical range is
 *	      the one the device reaches: the DMA address translated back with
 *	      the device's DMA ranges, shown only when the device is not behind
 *	      an IOMMU (else "-"). Importers must not look at the pages of a
 *	      mapping (CONFIG_DMABUF_DEBUG hides them), so nothing else is read.
 *
 *   fake_scrubber
 *	      Write "1": install a scrubber for the heap (dma_heap_set_scrubber(),
 *	      which cannot be undone; -EBUSY if the heap has one already). It
 *	      stands in for the platform or TEE driver that clears protected
 *	      memory through the device: it zeroes each range through a
 *	      write-combined mapping of its own, and logs it. From then on, every
 *	      buffer this device allocates is checked to read as zeroes before it
 *	      is used, then filled with a pattern, like a device writing data
 *	      its next user must not see.
 *
 * /sys/kernel/debug/dma_heap_test_importer/scrubbed
 *	Read: one line per range the fake scrubber cleared, oldest first (the
 *	last DHTI_SCRUB_LOG ranges): <phys start> <size>.
 * /sys/kernel/debug/dma_heap_test_importer/scrub_fail
 *	Write N: the next N scrubs fail with -EIO, without clearing anything.
 * /sys/kernel/debug/dma_heap_test_importer/dirty_allocs
 *	Read: buffers allocated after the fake scrubber was installed that did
 *	not read as zeroes (handed out unscrubbed).
 *
 * A buffer freed through debugfs or by unbinding the device is back in its
 * heap when the write() returns.
 *
 * Copyright (C) 2026 Dmabuf Heaps Team
 */

#include <linux/atomic.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define DHTI_FIRMWARE_SIZE	SZ_1M

static unsigned int dma_mask_bits = 64;
module_param(dma_mask_bits, uint, 0644);
MODULE_PARM_DESC(dma_mask_bits,
		 "DMA mask width of devices bound from now on, 32 to 64 (default 64)");

enum dhti_kind {
	DHTI_FIRMWARE,
	DHTI_SUSPEND,
};

static const char *const dhti_kind_names[] = {
	[DHTI_FIRMWARE] = "firmware",
	[DHTI_SUSPEND] = "suspend",
};

/* A buffer the device owns, attached and mapped for the device. */
struct dhti_buffer {
	struct list_head node;
	unsigned int id;
	enum dhti_kind kind;
	size_t size;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	dma_addr_t dma_addr;
};

/* One bound device */
struct dhti {
	struct device *dev;
	struct dma_heap *heap;
	struct mutex lock;		/* protects @buffers and @next_id */
	struct list_head buffers;
	unsigned int next_id;
	struct dentry *debugfs;
};

static struct dentry *dhti_debugfs_root;
static atomic_t dhti_probe_deferrals = ATOMIC_INIT(0);

/* The fake scrubber: global, as it outlives any binding of the device. */
#define DHTI_SCRUB_LOG		256
#define DHTI_PATTERN		0xa5

static DEFINE_MUTEX(dhti_scrub_lock);	/* protects the log */
static struct {
	phys_addr_t phys;
	size_t size;
} dhti_scrub_log[DHTI_SCRUB_LOG];
static unsigned int dhti_scrub_count;
static atomic_t dhti_scrub_fail = ATOMIC_INIT(0);
static atomic_t dhti_dirty_allocs = ATOMIC_INIT(0);
static bool dhti_scrubber_installed;

static int dhti_fake_scrub(const struct dma_heap_scrubber *scrubber,
			   phys_addr_t phys, size_t size)
{
	void *vaddr;

	if (atomic_add_unless(&dhti_scrub_fail, -1, 0))
		return -EIO;

	/* The "device path": a mapping only this test driver makes. */
	vaddr = memremap(phys, size, MEMREMAP_WC);
	if (!vaddr)
		return -ENOMEM;
	memset(vaddr, 0, size);
	wmb();	/* the zeroes land before the range is reused */
	memunmap(vaddr);

	guard(mutex)(&dhti_scrub_lock);
	dhti_scrub_log[dhti_scrub_count % DHTI_SCRUB_LOG].phys = phys;
	dhti_scrub_log[dhti_scrub_count % DHTI_SCRUB_LOG].size = size;
	dhti_scrub_count++;

	return 0;
}

static const struct dma_heap_scrubber dhti_scrubber = {
	.name = "dma-heap-test-importer",
	.scrub = dhti_fake_scrub,
	.owner = THIS_MODULE,
};

/*
 * With the fake scrubber installed, a new buffer must read as zeroes (it
 * was scrubbed when its last user freed it); then "the device" fills it.
 */
static void dhti_check_scrubbed(struct dhti *imp, struct dhti_buffer *buf)
{
	phys_addr_t phys = dma_to_phys(imp->dev, buf->dma_addr);
	u8 *vaddr;
	size_t i;

	if (!READ_ONCE(dhti_scrubber_installed) || device_iommu_mapped(imp->dev))
		return;

	vaddr = memremap(phys, buf->size, MEMREMAP_WC);
	if (!vaddr)
		return;
	for (i = 0; i < buf->size; i++) {
		if (vaddr[i]) {
			dev_err(imp->dev, "%pa+%#zx handed out unscrubbed: byte %#zx is %#x\n",
				&phys, buf->size, i, vaddr[i]);
			atomic_inc(&dhti_dirty_allocs);
			break;
		}
	}
	memset(vaddr, DHTI_PATTERN, buf->size);
	wmb();	/* the pattern lands before the buffer is freed */
	memunmap(vaddr);
}

/*
 * The mapping must be one range of DMA addresses of @size bytes: the device
 * has no IOMMU of its own to gather pieces. Stores the start of the range
 * in @start, or returns -EINVAL.
 */
static int dhti_dma_range(struct sg_table *sgt, size_t size, dma_addr_t *start)
{
	struct scatterlist *sg;
	dma_addr_t next = 0;
	size_t len = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (!i)
			*start = sg_dma_address(sg);
		else if (sg_dma_address(sg) != next)
			return -EINVAL;
		next = sg_dma_address(sg) + sg_dma_len(sg);
		len += sg_dma_len(sg);
	}

	return len == size ? 0 : -EINVAL;
}

static struct dhti_buffer *dhti_buffer_create(struct dhti *imp, size_t size,
					      enum dhti_kind kind)
{
	struct dhti_buffer *buf;
	int ret;

	buf = kzalloc_obj(*buf);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->kind = kind;

	/* O_RDWR only matters if a file descriptor is made: none ever is. */
	buf->dmabuf = dma_heap_buffer_alloc(imp->heap, size, O_RDWR, 0);
	if (IS_ERR(buf->dmabuf)) {
		ret = PTR_ERR(buf->dmabuf);
		goto err_free;
	}
	buf->size = buf->dmabuf->size;

	buf->attach = dma_buf_attach(buf->dmabuf, imp->dev);
	if (IS_ERR(buf->attach)) {
		ret = PTR_ERR(buf->attach);
		goto err_put;
	}

	buf->sgt = dma_buf_map_attachment_unlocked(buf->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(buf->sgt)) {
		ret = PTR_ERR(buf->sgt);
		goto err_detach;
	}

	ret = dhti_dma_range(buf->sgt, buf->size, &buf->dma_addr);
	if (ret) {
		dev_err(imp->dev, "%pOF: %s buffer of %zu bytes is not contiguous for DMA\n",
			imp->dev->of_node, dhti_kind_names[kind], buf->size);
		goto err_unmap;
	}

	dhti_check_scrubbed(imp, buf);

	return buf;

err_unmap:
	dma_buf_unmap_attachment_unlocked(buf->attach, buf->sgt,
					  DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(buf->dmabuf, buf->attach);
err_put:
	dma_buf_put(buf->dmabuf);
err_free:
	kfree(buf);
	return ERR_PTR(ret);
}

static void dhti_buffer_free(struct dhti_buffer *buf)
{
	dma_buf_unmap_attachment_unlocked(buf->attach, buf->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(buf->dmabuf, buf->attach);
	dma_buf_put(buf->dmabuf);
	kfree(buf);
}

/* Allocate a buffer and list it; returns its id or a negative errno. */
static int dhti_buffer_add(struct dhti *imp, size_t size, enum dhti_kind kind)
{
	struct dhti_buffer *buf;

	buf = dhti_buffer_create(imp, size, kind);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	guard(mutex)(&imp->lock);
	buf->id = imp->next_id++;
	list_add_tail(&buf->node, &imp->buffers);

	return buf->id;
}

/* Free the suspend buffer @id, or every suspend buffer if @all. */
static int dhti_buffer_destroy(struct dhti *imp, unsigned int id, bool all)
{
	struct dhti_buffer *buf, *tmp;
	LIST_HEAD(doomed);
	int ret = all ? 0 : -ENOENT;

	scoped_guard(mutex, &imp->lock) {
		list_for_each_entry_safe(buf, tmp, &imp->buffers, node) {
			if (!all && buf->id != id)
				continue;
			if (buf->kind != DHTI_SUSPEND) {
				if (!all)
					ret = -EPERM;
				continue;
			}
			list_move_tail(&buf->node, &doomed);
			ret = 0;
		}
	}

	/* Unmapping may sleep on the exporter's locks: not under ours. */
	list_for_each_entry_safe(buf, tmp, &doomed, node)
		dhti_buffer_free(buf);

	return ret;
}

static void dhti_free_all(void *data)
{
	struct dhti *imp = data;
	struct dhti_buffer *buf, *tmp;

	/* Debugfs is gone and nothing else touches the list any more. */
	list_for_each_entry_safe(buf, tmp, &imp->buffers, node) {
		list_del(&buf->node);
		dhti_buffer_free(buf);
	}
}

static ssize_t dhti_create_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct dhti *imp = file->private_data;
	u64 size;
	int ret;

	ret = kstrtou64_from_user(ubuf, count, 0, &size);
	if (ret)
		return ret;
	if (size != (size_t)size)
		return -EINVAL;

	ret = dhti_buffer_add(imp, size, DHTI_SUSPEND);
	if (ret < 0)
		return ret;

	return count;
}

static const struct file_operations dhti_create_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dhti_create_write,
	.llseek = noop_llseek,
};

static ssize_t dhti_destroy_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct dhti *imp = file->private_data;
	char kbuf[16] = { };
	unsigned int id = 0;
	bool all;
	int ret;

	if (count >= sizeof(kbuf))
		return -EINVAL;
	if (copy_from_user(kbuf, ubuf, count))
		return -EFAULT;

	all = sysfs_streq(kbuf, "all");
	if (!all) {
		ret = kstrtouint(kbuf, 0, &id);
		if (ret)
			return ret;
	}

	ret = dhti_buffer_destroy(imp, id, all);
	if (ret)
		return ret;

	return count;
}

static const struct file_operations dhti_destroy_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dhti_destroy_write,
	.llseek = noop_llseek,
};

static int dhti_buffers_show(struct seq_file *s, void *unused)
{
	struct dhti *imp = s->private;
	bool direct = !device_iommu_mapped(imp->dev);
	struct dhti_buffer *buf;

	guard(mutex)(&imp->lock);
	list_for_each_entry(buf, &imp->buffers, node) {
		seq_printf(s, "%u %s %zu ", buf->id, dhti_kind_names[buf->kind],
			   buf->size);
		if (direct) {
			phys_addr_t start = dma_to_phys(imp->dev, buf->dma_addr);
			phys_addr_t end = start + buf->size - 1;

			seq_printf(s, "%pa-%pa", &start, &end);
		} else {
			seq_puts(s, "-");
		}
		seq_printf(s, " %pad\n", &buf->dma_addr);
	}

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dhti_buffers);

static int dhti_heap_show(struct seq_file *s, void *unused)
{
	struct dhti *imp = s->private;

	seq_printf(s, "%s\n", dma_heap_get_name(imp->heap));

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dhti_heap);

static ssize_t dhti_fake_scrubber_write(struct file *file,
					const char __user *ubuf, size_t count,
					loff_t *ppos)
{
	struct dhti *imp = file->private_data;
	bool on;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &on);
	if (ret)
		return ret;
	if (!on)
		return -EINVAL;	/* a scrubber cannot be removed */

	ret = dma_heap_set_scrubber(imp->heap, &dhti_scrubber);
	/* Installed even if the heap's free memory could not be scrubbed. */
	if (ret != -EBUSY && ret != -EOPNOTSUPP)
		WRITE_ONCE(dhti_scrubber_installed, true);
	if (ret)
		return ret;

	return count;
}

static const struct file_operations dhti_fake_scrubber_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dhti_fake_scrubber_write,
	.llseek = noop_llseek,
};

static int dhti_scrubbed_show(struct seq_file *s, void *unused)
{
	unsigned int i, first;

	guard(mutex)(&dhti_scrub_lock);
	first = dhti_scrub_count > DHTI_SCRUB_LOG ?
		dhti_scrub_count - DHTI_SCRUB_LOG : 0;
	for (i = first; i < dhti_scrub_count; i++)
		seq_printf(s, "%pa %zu\n", &dhti_scrub_log[i % DHTI_SCRUB_LOG].phys,
			   dhti_scrub_log[i % DHTI_SCRUB_LOG].size);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dhti_scrubbed);

static void dhti_debugfs_remove(void *data)
{
	struct dhti *imp = data;

	/* Waits for the file operations that are still running. */
	debugfs_remove_recursive(imp->debugfs);
}

static int dhti_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *np = dev->of_node;
	unsigned int mask_bits;
	struct dma_heap *heap;
	struct dhti *imp;
	int ret;

	heap = devm_of_dma_heap_get(dev, "protected");
	if (IS_ERR(heap)) {
		if (PTR_ERR(heap) == -EPROBE_DEFER)
			atomic_inc(&dhti_probe_deferrals);
		return dev_err_probe(dev, PTR_ERR(heap),
				     "%pOF: cannot get the \"protected\" heap\n",
				     np);
	}

	mask_bits = READ_ONCE(dma_mask_bits);
	if (mask_bits < 32 || mask_bits > 64)
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: dma_mask_bits=%u is not within 32 to 64\n",
				     np, mask_bits);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(mask_bits));
	if (ret)
		return dev_err_probe(dev, ret, "%pOF: no usable %u-bit DMA mask\n",
				     np, mask_bits);

	imp = devm_kzalloc(dev, sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return -ENOMEM;
	imp->dev = dev;
	imp->heap = heap;
	INIT_LIST_HEAD(&imp->buffers);
	ret = devm_mutex_init(dev, &imp->lock);
	if (ret)
		return ret;

	/* Released in reverse order: debugfs first, then the buffers. */
	ret = devm_add_action_or_reset(dev, dhti_free_all, imp);
	if (ret)
		return ret;

	ret = dhti_buffer_add(imp, DHTI_FIRMWARE_SIZE, DHTI_FIRMWARE);
	if (ret < 0)
		return dev_err_probe(dev, ret,
				     "%pOF: cannot allocate the firmware buffer from heap \"%s\"\n",
				     np, dma_heap_get_name(heap));

	/* Debugfs errors are not fatal: its functions take error pointers. */
	imp->debugfs = debugfs_create_dir(dev_name(dev), dhti_debugfs_root);
	debugfs_create_file("heap", 0400, imp->debugfs, imp, &dhti_heap_fops);
	debugfs_create_file("create", 0200, imp->debugfs, imp,
			    &dhti_create_fops);
	debugfs_create_file("destroy", 0200, imp->debugfs, imp,
			    &dhti_destroy_fops);
	debugfs_create_file("buffers", 0400, imp->debugfs, imp,
			    &dhti_buffers_fops);
	debugfs_create_file("fake_scrubber", 0200, imp->debugfs, imp,
			    &dhti_fake_scrubber_fops);
	ret = devm_add_action_or_reset(dev, dhti_debugfs_remove, imp);
	if (ret)
		return ret;

	dev_info(dev, "%pOF: %u KiB firmware buffer from heap \"%s\", %u-bit DMA mask\n",
		 np, DHTI_FIRMWARE_SIZE / SZ_1K, dma_heap_get_name(heap),
		 mask_bits);

	return 0;
}

static const struct of_device_id dhti_of_match[] = {
	{ .compatible = "linux,dma-heap-test-importer" },
	{ }
};
MODULE_DEVICE_TABLE(of, dhti_of_match);

static struct platform_driver dhti_driver = {
	.probe = dhti_probe,
	.driver = {
		.name = "dma-heap-test-importer",
		.of_match_table = dhti_of_match,
	},
};

static int __init dhti_init(void)
{
	int ret;

	dhti_debugfs_root = debugfs_create_dir("dma_heap_test_importer", NULL);
	debugfs_create_atomic_t("probe_deferrals", 0400, dhti_debugfs_root,
				&dhti_probe_deferrals);
	debugfs_create_file("scrubbed", 0400, dhti_debugfs_root, NULL,
			    &dhti_scrubbed_fops);
	debugfs_create_atomic_t("scrub_fail", 0600, dhti_debugfs_root,
				&dhti_scrub_fail);
	debugfs_create_atomic_t("dirty_allocs", 0400, dhti_debugfs_root,
				&dhti_dirty_allocs);

	ret = platform_driver_register(&dhti_driver);
	if (ret)
		debugfs_remove_recursive(dhti_debugfs_root);

	return ret;
}
module_init(dhti_init);

static void __exit dhti_exit(void)
{
	platform_driver_unregister(&dhti_driver);
	debugfs_remove_recursive(dhti_debugfs_root);
}
module_exit(dhti_exit);

MODULE_DESCRIPTION("Test driver allocating device-owned buffers from a DMA-BUF heap");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
