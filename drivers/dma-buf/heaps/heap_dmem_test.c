// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the dmem cgroup charging of region heaps (heap_dmem.h)
 *
 * The tests run in the root cgroup, whose limit for every region is the
 * page counter's maximum. Charging more than that is refused like any
 * charge over a dmem.max, which lets the tests check the refusal and read
 * back a region's usage: a region is unused exactly when a charge of the
 * whole maximum succeeds.
 */

#include <kunit/test.h>
#include <linux/cgroup_dmem.h>
#include <linux/err.h>
#include <linux/page_counter.h>
#include <linux/sizes.h>
#include <linux/sprintf.h>

#include "heap_dmem.h"

KUNIT_DEFINE_ACTION_WRAPPER(heap_dmem_test_unregister,
			    dmem_cgroup_unregister_region,
			    struct dmem_cgroup_region *);

/* A region of its own for the test, "dma_heap/kunit-<test>-<tag>". */
static struct dmem_cgroup_region *
heap_dmem_test_region(struct kunit *test, const char *tag)
{
	struct dmem_cgroup_region *region;
	char name[64];
	int ret;

	/* dmem keeps a copy of the name */
	snprintf(name, sizeof(name), "kunit-%s-%s", test->name, tag);
	region = dma_heap_dmem_register(name, SZ_16M);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, region);
	ret = kunit_add_action_or_reset(test, heap_dmem_test_unregister,
					region);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return region;
}

/* Whether nothing is charged to @region in the root cgroup. */
static bool heap_dmem_test_unused(struct kunit *test,
				  struct dmem_cgroup_region *region)
{
	struct dmem_cgroup_pool_state *pool;

	if (dma_heap_dmem_charge(region, PAGE_COUNTER_MAX, &pool))
		return false;

	KUNIT_EXPECT_NOT_NULL(test, pool);
	dmem_cgroup_uncharge(pool, PAGE_COUNTER_MAX);

	return true;
}

/* A heap without a region (no dmem controller) charges nothing. */
static void heap_dmem_test_no_region(struct kunit *test)
{
	struct dmem_cgroup_pool_state *pool = ERR_PTR(-EFAULT);

	KUNIT_EXPECT_EQ(test, dma_heap_dmem_charge(NULL, SZ_4K, &pool), 0);
	KUNIT_EXPECT_NULL(test, pool);
}

/* Over the limit the charge fails with -ENOMEM and charges nothing. */
static void heap_dmem_test_over_limit(struct kunit *test)
{
	struct dmem_cgroup_region *region = heap_dmem_test_region(test, "a");
	struct dmem_cgroup_pool_state *pool = ERR_PTR(-EFAULT);
	u64 too_much = (u64)PAGE_COUNTER_MAX + 1;

	KUNIT_EXPECT_EQ(test, dma_heap_dmem_charge(region, too_much, &pool),
			-ENOMEM);
	KUNIT_EXPECT_NULL(test, pool);
	KUNIT_EXPECT_TRUE(test, heap_dmem_test_unused(test, region));
}

/* A charge holds its bytes until it is dropped, and only its region's. */
static void heap_dmem_test_charge_uncharge(struct kunit *test)
{
	struct dmem_cgroup_region *region = heap_dmem_test_region(test, "a");
	struct dmem_cgroup_region *other = heap_dmem_test_region(test, "b");
	struct dmem_cgroup_pool_state *pool, *pool2;

	KUNIT_ASSERT_TRUE(test, heap_dmem_test_unused(test, region));

	KUNIT_ASSERT_EQ(test, dma_heap_dmem_charge(region, SZ_4K, &pool), 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, dma_heap_dmem_charge(region, SZ_1M, &pool2), 0);
	KUNIT_EXPECT_PTR_EQ(test, pool, pool2);

	KUNIT_EXPECT_FALSE(test, heap_dmem_test_unused(test, region));
	KUNIT_EXPECT_TRUE(test, heap_dmem_test_unused(test, other));

	dmem_cgroup_uncharge(pool2, SZ_1M);
	KUNIT_EXPECT_FALSE(test, heap_dmem_test_unused(test, region));
	dmem_cgroup_uncharge(pool, SZ_4K);
	KUNIT_EXPECT_TRUE(test, heap_dmem_test_unused(test, region));
}

static struct kunit_case heap_dmem_test_cases[] = {
	KUNIT_CASE(heap_dmem_test_no_region),
	KUNIT_CASE(heap_dmem_test_over_limit),
	KUNIT_CASE(heap_dmem_test_charge_uncharge),
	{}
};

static struct kunit_suite heap_dmem_test_suite = {
	.name = "dma-buf-heap-dmem",
	.test_cases = heap_dmem_test_cases,
};

kunit_test_suite(heap_dmem_test_suite);

MODULE_DESCRIPTION("KUnit tests for the dmem cgroup charging of dma-buf heaps");
MODULE_LICENSE("GPL");
