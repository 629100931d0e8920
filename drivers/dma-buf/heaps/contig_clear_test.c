// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of clearing ahead of allocation (contig_clear.c)
 *
 * The heap is a fake one over pages from the page allocator, filled with a
 * pattern standing for an earlier user's data. Its allocator hands out
 * fixed slots; threads allocate, check, write and free slots as fast as
 * they can while the worker clears behind them.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "contig_buffer.h"
#include "contig_clear.h"

#define TEST_ORDER	8			/* 1 MiB with 4 KiB pages */
#define TEST_PAGES	BIT(TEST_ORDER)
#define SLOT_PAGES	4
#define NR_SLOTS	(TEST_PAGES / SLOT_PAGES)
#define NR_THREADS	4
#define ROUNDS		1000

struct clear_test {
	struct contig_heap ch;
	struct page *pages;
	unsigned long used[BITS_TO_LONGS(NR_SLOTS)];
	atomic_t stale;		/* claims that found data */
	atomic_t clobbered;	/* buffers written to after the claim */
	atomic_t done;
	struct completion finished;
};

static void *clear_test_addr(struct clear_test *t, unsigned long slot)
{
	return page_address(t->pages) + slot * SLOT_PAGES * PAGE_SIZE;
}

/* Fill @nr slots from @slot with @byte, a slot at a time. */
static void clear_test_fill(struct clear_test *t, unsigned long slot,
			    unsigned long nr, u8 byte)
{
	while (nr--)
		memset(clear_test_addr(t, slot++), byte, SLOT_PAGES * PAGE_SIZE);
}

static phys_addr_t clear_test_phys(struct clear_test *t, unsigned long slot)
{
	return t->ch.base + slot * SLOT_PAGES * PAGE_SIZE;
}

/* The free slots, as the heap's allocator would walk its free ranges. */
static int clear_test_walk_free(struct contig_heap *ch, contig_range_fn fn,
				void *arg)
{
	struct clear_test *t = container_of(ch, struct clear_test, ch);
	unsigned long slot;
	int ret;

	for_each_clear_bit(slot, t->used, NR_SLOTS) {
		ret = fn(arg, slot * SLOT_PAGES * PAGE_SIZE,
			 SLOT_PAGES * PAGE_SIZE);
		if (ret)
			return ret;
	}

	return 0;
}

static void clear_test_exit(void *data)
{
	struct clear_test *t = data;

	contig_clear_destroy(&t->ch);
	__free_pages(t->pages, TEST_ORDER);
}

static struct clear_test *clear_test_heap(struct kunit *test)
{
	struct clear_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);

	t->pages = alloc_pages(GFP_KERNEL, TEST_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, t->pages);
	/* Data of an earlier user: the region starts dirty. */
	clear_test_fill(t, 0, NR_SLOTS, 0xa5);

	t->ch.name = "kunit-clear";
	t->ch.region = "kunit";
	t->ch.base = page_to_phys(t->pages);
	t->ch.size = TEST_PAGES * PAGE_SIZE;
	t->ch.cpu_access = CONTIG_CPU_ACCESS_CACHED;
	t->ch.clear_ahead = true;
	t->ch.walk_free = clear_test_walk_free;
	init_completion(&t->finished);

	if (contig_clear_init(&t->ch)) {
		__free_pages(t->pages, TEST_ORDER);
		KUNIT_FAIL_AND_ABORT(test, "contig_clear_init() failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_test_exit, t),
			0);

	return t;
}

static bool clear_test_zero(struct clear_test *t, unsigned long slot,
			    unsigned long nr)
{
	return !memchr_inv(clear_test_addr(t, slot), 0,
			   nr * SLOT_PAGES * PAGE_SIZE);
}

/* Every page starts dirty; the worker clears the region by itself. */
static void clear_test_initial(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);

	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

/* A freed range is dirty until the worker cleared it, then clean. */
static void clear_test_freed(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);

	contig_clear_flush(&t->ch);
	set_bit(3, t->used);
	KUNIT_ASSERT_EQ(test, contig_clear_claim(&t->ch, clear_test_phys(t, 3),
						 SLOT_PAGES * PAGE_SIZE), 0);
	memset(clear_test_addr(t, 3), 0x5a, SLOT_PAGES * PAGE_SIZE);

	contig_clear_freed(&t->ch, clear_test_phys(t, 3), SLOT_PAGES * PAGE_SIZE);
	clear_bit(3, t->used);
	contig_clear_flush(&t->ch);

	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

/*
 * A claim racing the worker's first pass clears inline what the worker did
 * not reach, and the worker then clears the rest without touching it.
 */
static void clear_test_claim_inline(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);
	const unsigned long half = NR_SLOTS / 2;
	size_t len = half * SLOT_PAGES * PAGE_SIZE;
	unsigned long slot;

	/* The upper half: the worker starts at the bottom, and is running. */
	bitmap_set(t->used, half, half);
	KUNIT_ASSERT_EQ(test, contig_clear_claim(&t->ch, clear_test_phys(t, half),
						 len), 0);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, half, half));
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, half * SLOT_PAGES,
							half * SLOT_PAGES));

	/* The worker finishes the lower half and leaves the upper alone. */
	clear_test_fill(t, half, half, 0x3c);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, half));
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, half), 0x3c, len));

	for (slot = half; slot < NR_SLOTS; slot++)
		contig_clear_freed(&t->ch, clear_test_phys(t, slot),
				   SLOT_PAGES * PAGE_SIZE);
	bitmap_zero(t->used, NR_SLOTS);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

/*
 * A claim large enough to start the worker shares its dirty chunks with
 * it: the range is clear when the claim returns, and the worker, which
 * cleared part of it, writes to it no more.
 */
static void clear_test_claim_helped(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);
	size_t len = NR_SLOTS * SLOT_PAGES * PAGE_SIZE;

	bitmap_fill(t->used, NR_SLOTS);
	KUNIT_ASSERT_EQ(test, contig_clear_claim(&t->ch, clear_test_phys(t, 0),
						 len), 0);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));

	clear_test_fill(t, 0, NR_SLOTS, 0x3c);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, 0), 0x3c, len));

	contig_clear_freed(&t->ch, clear_test_phys(t, 0), len);
	bitmap_zero(t->used, NR_SLOTS);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Chunks the worker fails to clear (fault injection) stay dirty and hold
 * their data: the worker stops, a claim clears them itself, chunks the
 * worker took and failed to clear included, and the next free starts the
 * worker again.
 */
static void clear_test_worker_fails(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);
	struct fault_attr *fail = contig_clear_fault_attr(&t->ch);
	size_t len = NR_SLOTS * SLOT_PAGES * PAGE_SIZE;
	unsigned long page, clean;

	contig_clear_flush(&t->ch);

	/* Every chunk of the worker fails from now on, silently. */
	fail->verbose = 0;
	fail->probability = 100;
	atomic_set(&fail->times, -1);

	clear_test_fill(t, 0, NR_SLOTS, 0x3c);
	contig_clear_freed(&t->ch, clear_test_phys(t, 0), len);
	/* Returns once a chunk failed. */
	contig_clear_flush(&t->ch);
	for (page = 0, clean = 0; page < TEST_PAGES; page++)
		clean += contig_clear_hint_clean(&t->ch, page, 1);
	KUNIT_EXPECT_EQ(test, clean, 0UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, 0), 0x3c, len));

	/* Big enough to start the worker, which fails the chunk it takes. */
	bitmap_fill(t->used, NR_SLOTS);
	KUNIT_ASSERT_EQ(test, contig_clear_claim(&t->ch, clear_test_phys(t, 0),
						 len), 0);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));

	fail->probability = 0;
	clear_test_fill(t, 0, NR_SLOTS, 0x3c);
	contig_clear_freed(&t->ch, clear_test_phys(t, 0), len);
	bitmap_zero(t->used, NR_SLOTS);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}
#else
static void clear_test_worker_fails(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}
#endif

/*
 * With clearing ahead off, freed memory holds its data until a claim
 * clears it, and only the claimed range; switched on again, the worker
 * clears the rest and leaves the claimed buffer alone.
 */
static void clear_test_ahead_off(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);
	size_t len = NR_SLOTS * SLOT_PAGES * PAGE_SIZE;
	unsigned long page, clean;

	contig_clear_flush(&t->ch);
	contig_clear_set_ahead(&t->ch, false);

	clear_test_fill(t, 0, NR_SLOTS, 0x3c);
	contig_clear_freed(&t->ch, clear_test_phys(t, 0), len);
	/* Returns at once; time enough for a worker that should not run. */
	contig_clear_flush(&t->ch);
	msleep(100);
	for (page = 0, clean = 0; page < TEST_PAGES; page++)
		clean += contig_clear_hint_clean(&t->ch, page, 1);
	KUNIT_EXPECT_EQ(test, clean, 0UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, 0), 0x3c, len));

	set_bit(0, t->used);
	KUNIT_ASSERT_EQ(test, contig_clear_claim(&t->ch, clear_test_phys(t, 0),
						 SLOT_PAGES * PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, 1));
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, 1), 0x3c,
					   len - SLOT_PAGES * PAGE_SIZE));

	memset(clear_test_addr(t, 0), 0x5a, SLOT_PAGES * PAGE_SIZE);
	contig_clear_set_ahead(&t->ch, true);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 1, NR_SLOTS - 1));
	KUNIT_EXPECT_NULL(test, memchr_inv(clear_test_addr(t, 0), 0x5a,
					   SLOT_PAGES * PAGE_SIZE));

	contig_clear_freed(&t->ch, clear_test_phys(t, 0), SLOT_PAGES * PAGE_SIZE);
	clear_bit(0, t->used);
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

/* Take @nr free slots from @first, all or none. */
static bool clear_test_take(struct clear_test *t, unsigned long first,
			    unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (test_and_set_bit(first + i, t->used)) {
			while (i--)
				clear_bit(first + i, t->used);
			return false;
		}
	}

	return true;
}

static int clear_test_thread(void *data)
{
	struct clear_test *t = data;
	unsigned long slot, nr, i;
	u8 pattern;
	int round;

	for (round = 0; round < ROUNDS; round++) {
		nr = 1 + get_random_u32_below(3);
		slot = get_random_u32_below(NR_SLOTS - nr + 1);
		if (!clear_test_take(t, slot, nr)) {
			cond_resched();
			continue;
		}

		if (contig_clear_claim(&t->ch, clear_test_phys(t, slot),
				       nr * SLOT_PAGES * PAGE_SIZE) ||
		    !clear_test_zero(t, slot, nr))
			atomic_inc(&t->stale);

		/* Use the buffer for a while: nothing else may write to it. */
		pattern = 1 + get_random_u32_below(255);
		memset(clear_test_addr(t, slot), pattern,
		       nr * SLOT_PAGES * PAGE_SIZE);
		if (!(round % 8))
			usleep_range(10, 50);
		else
			cond_resched();
		if (memchr_inv(clear_test_addr(t, slot), pattern,
			       nr * SLOT_PAGES * PAGE_SIZE))
			atomic_inc(&t->clobbered);

		/* Free: dirty first, then back to the allocator. */
		contig_clear_freed(&t->ch, clear_test_phys(t, slot),
				   nr * SLOT_PAGES * PAGE_SIZE);
		for (i = 0; i < nr; i++)
			clear_bit(slot + i, t->used);
	}

	if (atomic_inc_return(&t->done) == NR_THREADS)
		complete(&t->finished);

	return 0;
}

/*
 * Threads allocate, use and free slots while the worker clears: no claim
 * may find data of an earlier user, and the worker may never write to a
 * buffer that was handed out. The frees are too small to start the worker
 * at once; the test keeps it running instead.
 */
static void clear_test_race(struct kunit *test)
{
	struct clear_test *t = clear_test_heap(test);
	struct task_struct *task;
	unsigned long kicks = 0;
	int i;

	for (i = 0; i < NR_THREADS; i++) {
		task = kthread_run(clear_test_thread, t, "kunit-clear/%d", i);
		if (IS_ERR(task)) {
			/* The threads started hold t: wait for them. */
			atomic_add(NR_THREADS - i, &t->done);
			if (atomic_read(&t->done) == NR_THREADS)
				complete(&t->finished);
			wait_for_completion(&t->finished);
			KUNIT_FAIL_AND_ABORT(test, "cannot start thread %d", i);
		}
	}
	while (!wait_for_completion_timeout(&t->finished, 1)) {
		contig_clear_flush(&t->ch);
		kicks++;
	}
	kunit_info(test, "worker started %lu times by the test\n", kicks);

	KUNIT_EXPECT_EQ(test, atomic_read(&t->stale), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->clobbered), 0);

	/* Everything was freed: the worker leaves the whole region clear. */
	contig_clear_flush(&t->ch);
	KUNIT_EXPECT_TRUE(test, contig_clear_hint_clean(&t->ch, 0, TEST_PAGES));
	KUNIT_EXPECT_TRUE(test, clear_test_zero(t, 0, NR_SLOTS));
}

static struct kunit_case clear_test_cases[] = {
	KUNIT_CASE(clear_test_initial),
	KUNIT_CASE(clear_test_freed),
	KUNIT_CASE(clear_test_claim_inline),
	KUNIT_CASE(clear_test_claim_helped),
	KUNIT_CASE(clear_test_worker_fails),
	KUNIT_CASE(clear_test_ahead_off),
	KUNIT_CASE(clear_test_race),
	{}
};

static struct kunit_suite clear_test_suite = {
	.name = "dma-buf-heap-clear-ahead",
	.test_cases = clear_test_cases,
};

kunit_test_suite(clear_test_suite);

MODULE_DESCRIPTION("KUnit tests for clearing dma-buf heap memory ahead of allocation");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
