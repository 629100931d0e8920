// SPDX-License-Identifier: GPL-2.0
/*
 * Clearing ahead of allocation for heaps of physically contiguous buffers
 *
 * A heap must never hand out memory holding an earlier user's data, and
 * clearing a large buffer when it is allocated costs as much as writing it
 * once. A heap with clear-ahead instead clears the memory its buffers gave
 * back in the background, so that an allocation finds it already clear:
 *
 * - every page of the region has a bit in @dirty, set while the page may
 *   hold data. All pages start dirty (the region holds whatever the
 *   firmware or an earlier boot left), and a buffer's pages become dirty
 *   again when it is freed, before its range returns to the allocator.
 * - a kthread worker of the heap, at the lowest priority (nice 19: it gets
 *   little of the CPU time the tasks allocating and freeing want), clears
 *   dirty pages in chunks of CONTIG_CLEAR_AHEAD_PAGES, taking a chunk's
 *   bits before clearing it. A backlog of CONTIG_CLEAR_KICK_PAGES or more
 *   starts it at once; a smaller one is gathered for CONTIG_CLEAR_DELAY_MS
 *   first.
 * - an allocation claims its range with contig_clear_claim(): it clears
 *   inline whatever is still dirty, CONTIG_CLEAR_CLAIM_PAGES at a time,
 *   then waits for the chunk the worker may be clearing in the range, on
 *   an rt_mutex: a real-time claimant lends the worker its priority (a
 *   normal one waits for at most two chunks, the one in its range and one
 *   the worker may take meanwhile; priority inheritance does not reweight
 *   a nice 19 task). Only then may the buffer be handed out. A claim that
 *   fails marks its whole range dirty and returns without waiting.
 * - the worker helps the claims first: it takes its chunks from the ranges
 *   being claimed while they hold dirty pages, and only then clears ahead.
 *   Clearing elsewhere while an allocation clears inline would share the
 *   memory bandwidth with it and make it slower than with no worker at
 *   all; sharing the claim's chunks with it makes it faster. A claim with
 *   CONTIG_CLEAR_KICK_PAGES or more to clear starts the worker.
 * - the allocator asks contig_clear_hint_clean() to prefer ranges that are
 *   already clear. The hint only saves time; the claim is what guarantees
 *   that the buffer is clear.
 *
 * The worker only ever takes dirty bits, and bits only become dirty for
 * memory nobody uses: at start, on free, for the range of a failed claim
 * or export (freed next), and for the free ranges of the heap before
 * hibernation. So it never writes to a buffer that was handed out, and a
 * claimed range holds no dirty bit and no chunk of the worker once its
 * claim returns.
 *
 * Marking memory dirty allocates nothing: memory pressure cannot keep a
 * free from marking its range dirty. A fatal signal stops an
 * inline clear between chunks, and the claim then leaves its whole range
 * dirty. During system sleep the worker is stopped; before hibernation
 * every free range is marked dirty: no-map memory is not part
 * of the hibernation image and holds whatever the kernel that restores the
 * image put there (cached memory is restored from the image; marking it
 * dirty only costs one more clear).
 *
 * The backlog counts pages from their free until they are clear, pages
 * being cleared included: when it reads 0, nothing freed holds data.
 *
 * Writing 0 to debugfs ``clear_ahead`` stops the worker: freed memory then
 * stays dirty until an allocation clears it inline, which is what a heap
 * without clear-ahead costs (to compare with, and to rule clear-ahead out
 * when chasing a problem). Writing 1 starts it again.
 */

#include <linux/bitmap.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rtmutex.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/suspend.h>
#include <linux/seq_file.h>

#include <kunit/visibility.h>

#include "contig_buffer.h"
#include "contig_clear.h"

/* Pages the worker clears at once, for which a claim may wait */
#define CONTIG_CLEAR_AHEAD_PAGES	(SZ_256K >> PAGE_SHIFT)
/* Pages a claim takes at once, leaving the others to the worker. */
#define CONTIG_CLEAR_CLAIM_PAGES	(SZ_256K >> PAGE_SHIFT)
/* Chunks per run of the worker, between which it can freeze. */
#define CONTIG_CLEAR_AHEAD_CHUNKS	16
/* A backlog this large starts the worker at once, */
#define CONTIG_CLEAR_KICK_PAGES		(SZ_1M >> PAGE_SHIFT)
/* a smaller one after this long. */
#define CONTIG_CLEAR_DELAY_MS		20

/* A range being claimed: pages [@start, @end) of the region */
struct contig_clear_range {
	unsigned long start;
	unsigned long end;
	struct list_head node;
};

/**
 * struct contig_clear - clear-ahead state of one heap
 * @ch: the heap
 * @lock: protects every field below but @busy_lock, @worker, @work and
 *	@pm_nb
 * @dirty: one bit per page of the region, set while the page may hold data
 * @nr_pages: pages in the region
 * @nr_dirty: pages with their @dirty bit set: the clearing backlog
 * @peak_dirty: the largest backlog seen
 * @dirty_since: when the backlog last went from empty to non-empty
 * @busy: the chunk the worker is clearing; empty (start == end) if none
 * @claims: ranges being claimed, which the worker clears first
 * @cleared_ahead: bytes cleared by the worker
 * @cleared_inline: bytes cleared by claims
 * @errors: chunks the worker could not clear (no mapping); each stopped it
 *	until it was started again
 * @fail: fault injection, makes chunks of the worker fail as if they could
 *	not be mapped (debugfs ``fail_clear_ahead``)
 * @frozen: system sleep in progress: the worker must not run
 * @ahead: clear in the background; when false (debugfs ``clear_ahead``),
 *	freed memory stays dirty until a claim clears it
 * @worker: the heap's kthread worker
 * @work: the clearing work
 * @busy_lock: held by the worker while @busy is set
 * @pm_nb: system sleep notifier
 */
struct contig_clear {
	struct contig_heap *ch;
	spinlock_t lock;		/* see above */
	unsigned long *dirty;
	unsigned long nr_pages;
	unsigned long nr_dirty;
	unsigned long peak_dirty;
	ktime_t dirty_since;
	struct contig_clear_range busy;
	struct list_head claims;
	u64 cleared_ahead;
	u64 cleared_inline;
	unsigned long errors;
	struct fault_attr fail;
	bool frozen;
	bool ahead;
	struct kthread_worker *worker;
	struct kthread_delayed_work work;
	struct rt_mutex busy_lock;
	struct notifier_block pm_nb;
};

static bool contig_clear_overlaps(const struct contig_clear_range *r,
				  unsigned long start, unsigned long end)
{
	return r->start < end && start < r->end;
}

static void contig_clear_mark_dirty(struct contig_clear *c,
				    unsigned long start, unsigned long end)
{
	unsigned long nr;

	lockdep_assert_held(&c->lock);

	if (start >= end)
		return;

	/*
	 * Pages already dirty are counted already. Pages of the worker's
	 * chunk (a failed claim marks its range without waiting for it) have
	 * their bits taken and are counted twice until the worker is done:
	 * contig_clear_done() and contig_clear_untake() take one count back.
	 */
	nr = (end - start) - bitmap_weight_from(c->dirty, start, end);
	if (!nr)
		return;

	if (!c->nr_dirty)
		c->dirty_since = ktime_get();
	bitmap_set(c->dirty, start, end - start);
	c->nr_dirty += nr;
	c->peak_dirty = max(c->peak_dirty, c->nr_dirty);
}

/*
 * Take the dirty bits of [start, end), all of them set, to clear the pages.
 * They stay in the backlog until contig_clear_done() or, if clearing
 * failed, go back with contig_clear_untake(). Pages being cleared are
 * the worker's chunk, taken while free and maybe allocated since, or a
 * claim's, allocated and not handed out. Only a failed claim, for its own
 * range, marks pages of the worker's chunk dirty while it is cleared.
 */
static void contig_clear_take(struct contig_clear *c, unsigned long start,
			      unsigned long end)
{
	lockdep_assert_held(&c->lock);

	bitmap_clear(c->dirty, start, end - start);
}

static void contig_clear_done(struct contig_clear *c, unsigned long start,
			      unsigned long end)
{
	lockdep_assert_held(&c->lock);

	c->nr_dirty -= end - start;
}

static void contig_clear_untake(struct contig_clear *c, unsigned long start,
				unsigned long end)
{
	lockdep_assert_held(&c->lock);

	/* Marked dirty again meanwhile: counted twice, see mark_dirty(). */
	c->nr_dirty -= bitmap_weight_from(c->dirty, start, end);

	bitmap_set(c->dirty, start, end - start);
}

/* A run of dirty pages in [from, to), of one chunk at most. */
static bool contig_clear_find_run(struct contig_clear *c, unsigned long from,
				  unsigned long to, unsigned long max,
				  unsigned long *start, unsigned long *end)
{
	unsigned long s;

	lockdep_assert_held(&c->lock);

	s = find_next_bit(c->dirty, to, from);
	if (s >= to)
		return false;
	*start = s;
	*end = find_next_zero_bit(c->dirty, min(to, s + max), s);
	return true;
}

/*
 * The next chunk for the worker: dirty pages of a range being claimed, for
 * which an allocation waits, else the first dirty pages of the region.
 * False if none is left.
 */
static bool contig_clear_next_chunk(struct contig_clear *c,
				    unsigned long *start, unsigned long *end)
{
	struct contig_clear_range *r;

	lockdep_assert_held(&c->lock);

	list_for_each_entry(r, &c->claims, node)
		if (contig_clear_find_run(c, r->start, r->end,
					  CONTIG_CLEAR_AHEAD_PAGES, start, end))
			return true;

	return contig_clear_find_run(c, 0, c->nr_pages,
				     CONTIG_CLEAR_AHEAD_PAGES, start, end);
}

static void contig_clear_work(struct kthread_work *work)
{
	struct contig_clear *c = container_of(work, struct contig_clear,
					      work.work);
	struct contig_heap *ch = c->ch;
	unsigned long start, end;
	int ret, chunks;

	for (chunks = 0; ; chunks++) {
		/*
		 * Held while a chunk is busy: a claim waiting for the chunk
		 * blocks on it, and a real-time one boosts the worker.
		 */
		rt_mutex_lock(&c->busy_lock);
		scoped_guard(spinlock, &c->lock) {
			if (c->frozen || !c->ahead ||
			    !contig_clear_next_chunk(c, &start, &end))
				goto out_unlock;
			/* More to do: again later, after a chance to freeze. */
			if (chunks == CONTIG_CLEAR_AHEAD_CHUNKS) {
				kthread_mod_delayed_work(c->worker, &c->work, 0);
				goto out_unlock;
			}
			contig_clear_take(c, start, end);
			c->busy.start = start;
			c->busy.end = end;
		}

		if (should_fail(&c->fail, PFN_PHYS(end - start)))
			ret = -ENOMEM;
		else
			ret = contig_heap_clear_range(ch, ch->base + PFN_PHYS(start),
						      PFN_PHYS(end - start));

		scoped_guard(spinlock, &c->lock) {
			c->busy.start = 0;
			c->busy.end = 0;
			if (ret) {
				/* Claims still clear it inline, or fail. */
				contig_clear_untake(c, start, end);
				c->errors++;
			} else {
				contig_clear_done(c, start, end);
				c->cleared_ahead += PFN_PHYS(end - start);
			}
		}
		rt_mutex_unlock(&c->busy_lock);

		/* Try again on the next free, not in a loop. */
		if (ret) {
			pr_err_ratelimited("%s: cannot clear ahead of allocation: %pe\n",
					   ch->name, ERR_PTR(ret));
			return;
		}

		cond_resched();
	}

out_unlock:
	rt_mutex_unlock(&c->busy_lock);
}

/* Start the worker: at once, or in a while for a small backlog. */
static void contig_clear_kick(struct contig_clear *c)
{
	lockdep_assert_held(&c->lock);

	if (!c->nr_dirty || c->frozen || !c->ahead)
		return;

	if (c->nr_dirty >= CONTIG_CLEAR_KICK_PAGES)
		kthread_mod_delayed_work(c->worker, &c->work, 0);
	else
		kthread_queue_delayed_work(c->worker, &c->work,
					   msecs_to_jiffies(CONTIG_CLEAR_DELAY_MS));
}

/**
 * contig_clear_freed() - mark the memory of a freed buffer dirty
 * @ch: the heap, with clear-ahead
 * @phys: physical address of the buffer
 * @size: size of the buffer in bytes, a multiple of PAGE_SIZE
 *
 * Called when the buffer is released, before its range returns to the
 * allocator: an allocation getting the range then finds it dirty. The
 * worker clears it in the background.
 *
 * Context: Process context.
 */
void contig_clear_freed(struct contig_heap *ch, phys_addr_t phys, size_t size)
{
	struct contig_clear *c = ch->clear;
	unsigned long start = PHYS_PFN(phys - ch->base);

	guard(spinlock)(&c->lock);
	contig_clear_mark_dirty(c, start, start + (size >> PAGE_SHIFT));
	contig_clear_kick(c);
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_freed);

static bool contig_clear_busy_in(struct contig_clear *c,
				 const struct contig_clear_range *r)
{
	lockdep_assert_held(&c->lock);

	return contig_clear_overlaps(&c->busy, r->start, r->end);
}

/**
 * contig_clear_claim() - make sure newly allocated memory is clear
 * @ch: the heap, with clear-ahead
 * @phys: physical address of the range, just taken from the allocator
 * @size: size of the range in bytes, a multiple of PAGE_SIZE
 *
 * Clear inline the pages of the range that are still dirty, in chunks,
 * stopping at a fatal signal, with the worker's help, and wait for the
 * chunks the worker was clearing in the range. On success, nothing in the
 * range holds data of an earlier user and nothing will write to it any
 * more: the buffer may be handed out. On failure the whole range is marked
 * dirty again, without waiting for the worker, and the caller frees it.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0, -EINTR if a fatal signal is pending, or -ENOMEM if the memory
 * could not be mapped.
 */
int contig_clear_claim(struct contig_heap *ch, phys_addr_t phys, size_t size)
{
	struct contig_clear *c = ch->clear;
	struct contig_clear_range claim;
	unsigned long start, end;
	int ret = 0;

	claim.start = PHYS_PFN(phys - ch->base);
	claim.end = claim.start + (size >> PAGE_SHIFT);

	/*
	 * Listed, the range is what the worker clears first: clear what is
	 * dirty, a chunk at a time while the worker takes chunks of its own
	 * (their bits are taken), then wait for the worker's chunk, and look
	 * again: a chunk the worker failed to clear is dirty again.
	 */
	spin_lock(&c->lock);
	list_add(&claim.node, &c->claims);
	if (claim.end - claim.start >= CONTIG_CLEAR_KICK_PAGES &&
	    bitmap_weight_from(c->dirty, claim.start, claim.end) >=
	    CONTIG_CLEAR_KICK_PAGES && !c->frozen && c->ahead)
		kthread_mod_delayed_work(c->worker, &c->work, 0);

	for (;;) {
		while (!ret && contig_clear_find_run(c, claim.start, claim.end,
						     CONTIG_CLEAR_CLAIM_PAGES,
						     &start, &end)) {
			contig_clear_take(c, start, end);
			spin_unlock(&c->lock);

			ret = contig_heap_clear_range(ch,
						      ch->base + PFN_PHYS(start),
						      PFN_PHYS(end - start));

			spin_lock(&c->lock);
			if (ret) {
				contig_clear_untake(c, start, end);
				break;
			}
			contig_clear_done(c, start, end);
			c->cleared_inline += PFN_PHYS(end - start);
		}

		/* Failed: the range is freed dirty, the worker may go on. */
		if (ret || !contig_clear_busy_in(c, &claim))
			break;

		/* On the rt_mutex the worker holds: a real-time task boosts it. */
		spin_unlock(&c->lock);
		rt_mutex_lock(&c->busy_lock);
		rt_mutex_unlock(&c->busy_lock);
		spin_lock(&c->lock);
	}

	list_del(&claim.node);
	/*
	 * The caller frees the range: all of it dirty, in case a hibernation
	 * walk of the free ranges missed it meanwhile, the worker's chunk
	 * included (whoever claims it next waits for the worker), and the
	 * worker is started again.
	 */
	if (ret) {
		contig_clear_mark_dirty(c, claim.start, claim.end);
		contig_clear_kick(c);
	}
	spin_unlock(&c->lock);

	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_claim);

/**
 * contig_clear_hint_clean() - whether a free range is clear already
 * @ch: the heap; without clear-ahead every range counts as clear
 * @first: first page of the range, counted from the start of the region
 * @nr: pages in the range
 *
 * For the allocator's placement decisions, without the lock: the answer
 * may be stale by the time the range is claimed, which then clears what
 * it must. Never a reason to skip contig_clear_claim().
 *
 * Return: true if no page of the range was dirty when looked at.
 */
bool contig_clear_hint_clean(struct contig_heap *ch, unsigned long first,
			     unsigned long nr)
{
	struct contig_clear *c = ch->clear;

	if (!c)
		return true;

	/* A hint only: racing with set and clear is fine, see above. */
	return data_race(find_next_bit(c->dirty, first + nr, first)) >=
	       first + nr;
}
EXPORT_SYMBOL_NS_GPL(contig_clear_hint_clean, "DMA_BUF_HEAP");

/**
 * contig_clear_flush() - wait until the worker is done with the backlog
 * @ch: the heap, with clear-ahead
 *
 * Returns early during system sleep, if the worker fails to clear a
 * chunk, and at once if clearing ahead is off. Claims clearing inline
 * meanwhile may still hold part of the backlog.
 *
 * Context: Process context. May sleep.
 */
void contig_clear_flush(struct contig_heap *ch)
{
	struct contig_clear *c = ch->clear;
	unsigned long start, end, errors;

	scoped_guard(spinlock, &c->lock)
		errors = c->errors;

	for (;;) {
		scoped_guard(spinlock, &c->lock) {
			if (c->frozen || !c->ahead || c->errors != errors ||
			    (!contig_clear_next_chunk(c, &start, &end) &&
			     c->busy.start == c->busy.end))
				return;
			kthread_mod_delayed_work(c->worker, &c->work, 0);
		}
		/* The running and the queued work, not a delayed one. */
		kthread_flush_worker(c->worker);
	}
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_flush);

/* Before hibernation: the free memory will not be in the image. */
static int contig_clear_mark_free(void *arg, size_t offset, size_t len)
{
	struct contig_clear *c = arg;

	guard(spinlock)(&c->lock);
	contig_clear_mark_dirty(c, offset >> PAGE_SHIFT,
				(offset + len) >> PAGE_SHIFT);

	return 0;
}

static int contig_clear_pm_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct contig_clear *c = container_of(nb, struct contig_clear, pm_nb);

	switch (action) {
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
	case PM_SUSPEND_PREPARE:
		scoped_guard(spinlock, &c->lock)
			c->frozen = true;
		kthread_cancel_delayed_work_sync(&c->work);
		if (action == PM_HIBERNATION_PREPARE)
			c->ch->walk_free(c->ch, contig_clear_mark_free, c);
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
	case PM_POST_SUSPEND:
		scoped_guard(spinlock, &c->lock) {
			c->frozen = false;
			contig_clear_kick(c);
		}
		break;
	}

	return NOTIFY_OK;
}

/**
 * contig_clear_init() - set up clear-ahead for a heap
 * @ch: the heap, with @base, @size, @cpu_access and @walk_free set, not
 *	yet handing out buffers. Its CPU access mode must let the CPU clear
 *	the memory.
 *
 * Every page starts dirty and the worker starts clearing the region.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0, -EINVAL for a heap the CPU cannot clear or without @walk_free,
 * or -ENOMEM.
 */
int contig_clear_init(struct contig_heap *ch)
{
	struct contig_clear *c;
	int ret;

	if (ch->cpu_access == CONTIG_CPU_ACCESS_NONE || !ch->walk_free)
		return -EINVAL;

	c = kzalloc_obj(*c);
	if (!c)
		return -ENOMEM;

	c->ch = ch;
	c->nr_pages = ch->size >> PAGE_SHIFT;
	c->dirty = bitmap_zalloc(c->nr_pages, GFP_KERNEL);
	if (!c->dirty) {
		kfree(c);
		return -ENOMEM;
	}
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->claims);
	c->ahead = true;
#ifdef CONFIG_FAULT_INJECTION
	c->fail = (struct fault_attr)FAULT_ATTR_INITIALIZER;
#endif
	kthread_init_delayed_work(&c->work, contig_clear_work);
	rt_mutex_init(&c->busy_lock);

	c->worker = kthread_create_worker(KTW_FREEZABLE, "dmah/%s", ch->name);
	if (IS_ERR(c->worker)) {
		ret = PTR_ERR(c->worker);
		goto err_free;
	}
	/* Clearing ahead uses spare CPU time only. */
	sched_set_normal(c->worker->task, MAX_NICE);
	wake_up_process(c->worker->task);

	c->pm_nb.notifier_call = contig_clear_pm_notify;
	ret = register_pm_notifier(&c->pm_nb);
	if (ret)
		goto err_destroy_worker;

	ch->clear = c;
	scoped_guard(spinlock, &c->lock) {
		contig_clear_mark_dirty(c, 0, c->nr_pages);
		contig_clear_kick(c);
	}

	return 0;

err_destroy_worker:
	kthread_destroy_worker(c->worker);
err_free:
	bitmap_free(c->dirty);
	kfree(c);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_init);

/**
 * contig_clear_destroy() - tear down the clear-ahead state of a heap
 * @ch: the heap, handing out no buffer any more
 *
 * Context: Process context. May sleep.
 */
void contig_clear_destroy(struct contig_heap *ch)
{
	struct contig_clear *c = ch->clear;

	if (!c)
		return;

	unregister_pm_notifier(&c->pm_nb);
	scoped_guard(spinlock, &c->lock)
		c->frozen = true;
	kthread_cancel_delayed_work_sync(&c->work);
	kthread_destroy_worker(c->worker);
	bitmap_free(c->dirty);
	ch->clear = NULL;
	kfree(c);
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_destroy);

/**
 * contig_clear_set_ahead() - start or stop clearing in the background
 * @ch: the heap, with clear-ahead
 * @on: false to leave all clearing to the allocations
 *
 * Stopping lets the worker finish the chunk it is clearing; the memory
 * freed from then on stays dirty until an allocation clears it. Starting
 * again starts the worker on the backlog.
 *
 * Context: Process context.
 */
void contig_clear_set_ahead(struct contig_heap *ch, bool on)
{
	struct contig_clear *c = ch->clear;

	guard(spinlock)(&c->lock);
	c->ahead = on;
	contig_clear_kick(c);
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_set_ahead);

static int contig_clear_ahead_get(void *data, u64 *val)
{
	struct contig_clear *c = ((struct contig_heap *)data)->clear;

	guard(spinlock)(&c->lock);
	*val = c->ahead;

	return 0;
}

static int contig_clear_ahead_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;

	contig_clear_set_ahead(data, val);

	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(contig_clear_ahead_fops, contig_clear_ahead_get,
			 contig_clear_ahead_set, "%llu\n");

/**
 * contig_clear_debugfs_add() - add the clear-ahead debugfs files of a heap
 * @ch: the heap; nothing is added without clear-ahead
 *
 * ``clear_ahead`` in the heap's directory reads 1 while the worker clears
 * in the background; 0 stops it (see contig_clear_set_ahead()).
 *
 * With CONFIG_FAULT_INJECTION_DEBUG_FS, ``fail_clear_ahead`` holds the
 * attributes of Documentation/fault-injection/: a chunk the fault fires
 * for fails as if it could not be mapped. The worker then stops until the
 * next free and allocations clear the chunk inline.
 */
void contig_clear_debugfs_add(struct contig_heap *ch)
{
	if (!ch->clear)
		return;

	debugfs_create_file_unsafe("clear_ahead", 0600, ch->debugfs, ch,
				   &contig_clear_ahead_fops);
	fault_create_debugfs_attr("fail_clear_ahead", ch->debugfs,
				  &ch->clear->fail);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * contig_clear_fault_attr() - the fault injection attributes of a heap
 * @ch: the heap, with clear-ahead
 *
 * For KUnit tests of heaps without a debugfs directory.
 *
 * Return: the attributes of the heap's ``fail_clear_ahead``.
 */
struct fault_attr *contig_clear_fault_attr(struct contig_heap *ch)
{
	return &ch->clear->fail;
}
EXPORT_SYMBOL_IF_KUNIT(contig_clear_fault_attr);
#endif

/**
 * contig_clear_stats_show() - print the clear-ahead figures of a heap
 * @s: the heap's debugfs stats file
 * @ch: the heap; nothing is printed without clear-ahead
 *
 * clear_backlog is how much freed memory is still to be cleared, and
 * clear_backlog_ms how long the backlog has not been empty: no freed data
 * is older than that.
 */
void contig_clear_stats_show(struct seq_file *s, struct contig_heap *ch)
{
	struct contig_clear *c = ch->clear;
	unsigned long nr_dirty, peak, errors;
	u64 ahead, inline_bytes;
	s64 age_ms = 0;

	if (!c)
		return;

	scoped_guard(spinlock, &c->lock) {
		nr_dirty = c->nr_dirty;
		peak = c->peak_dirty;
		ahead = c->cleared_ahead;
		inline_bytes = c->cleared_inline;
		errors = c->errors;
		if (nr_dirty)
			age_ms = ktime_ms_delta(ktime_get(), c->dirty_since);
	}

	seq_printf(s, "clear_backlog: %llu\n", (u64)PFN_PHYS(nr_dirty));
	seq_printf(s, "clear_backlog_ms: %lld\n", age_ms);
	seq_printf(s, "clear_backlog_peak: %llu\n", (u64)PFN_PHYS(peak));
	seq_printf(s, "cleared_ahead: %llu\n", ahead);
	seq_printf(s, "cleared_inline: %llu\n", inline_bytes);
	seq_printf(s, "clear_errors: %lu\n", errors);
}
