// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the allocator of the reserved-memory carveout heap
 *
 * The pools only manage offsets, no memory is ever touched, so the tests
 * can use regions of any size without reserving anything.
 */

#include <kunit/test.h>
#include <linux/genalloc.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "carveout_heap.h"

#define TEST_PAGES	16

static void carveout_test_pool_release(void *data)
{
	struct carveout_pool *pool = data;

	/*
	 * gen_pool_destroy() BUG()s on outstanding allocations: leak the
	 * pool of a test that failed before freeing everything.
	 */
	if (carveout_pool_largest_free(pool) == pool->size)
		carveout_pool_destroy(pool);
}

static struct carveout_pool *carveout_test_pool(struct kunit *test,
						unsigned long pages,
						genpool_algo_t algo)
{
	struct carveout_pool *pool;
	int ret;

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, carveout_pool_init(pool, (u64)pages * PAGE_SIZE,
						 algo, NUMA_NO_NODE), 0);
	ret = kunit_add_action_or_reset(test, carveout_test_pool_release, pool);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return pool;
}

static size_t carveout_test_alloc(struct kunit *test,
				  struct carveout_pool *pool, size_t len)
{
	size_t offset = SIZE_MAX;

	KUNIT_ASSERT_EQ(test, carveout_pool_alloc(pool, len, &offset), 0);

	return offset;
}

static void carveout_test_pool_init_errors(struct kunit *test)
{
	struct carveout_pool pool;

	KUNIT_EXPECT_EQ(test, carveout_pool_init(&pool, 0, gen_pool_best_fit,
						 NUMA_NO_NODE), -EINVAL);
	KUNIT_EXPECT_EQ(test, carveout_pool_init(&pool, PAGE_SIZE + 1,
						 gen_pool_best_fit,
						 NUMA_NO_NODE), -EINVAL);
	KUNIT_EXPECT_EQ(test, carveout_pool_init(&pool, U64_MAX,
						 gen_pool_best_fit,
						 NUMA_NO_NODE), -EINVAL);
}

/* Lengths are rounded up to whole pages. */
static void carveout_test_page_rounding(struct kunit *test)
{
	struct carveout_pool *pool = carveout_test_pool(test, 4,
							gen_pool_best_fit);
	size_t a, b, c;

	a = carveout_test_alloc(test, pool, 1);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 3 * PAGE_SIZE);

	b = carveout_test_alloc(test, pool, PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), PAGE_SIZE);

	c = carveout_test_alloc(test, pool, PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 0);

	/* The three ranges use the four pages without overlapping. */
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c, 3 * PAGE_SIZE);

	carveout_pool_free(pool, a, 1);
	carveout_pool_free(pool, b, PAGE_SIZE + 1);
	carveout_pool_free(pool, c, PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 4 * PAGE_SIZE);
}

/* Every range starts on a page boundary and stays inside the region. */
static void carveout_test_alignment(struct kunit *test)
{
	static const size_t lens[] = {
		1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE - 7, 12345, 2,
	};
	struct carveout_pool *pool = carveout_test_pool(test, 64,
							gen_pool_best_fit);
	size_t offsets[ARRAY_SIZE(lens)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		offsets[i] = carveout_test_alloc(test, pool, lens[i]);
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(offsets[i]));
		KUNIT_EXPECT_LE(test, offsets[i] + PAGE_ALIGN(lens[i]),
				pool->size);
	}

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (j = i + 1; j < ARRAY_SIZE(lens); j++) {
			size_t end_i = offsets[i] + PAGE_ALIGN(lens[i]);
			size_t end_j = offsets[j] + PAGE_ALIGN(lens[j]);

			KUNIT_EXPECT_TRUE_MSG(test, end_i <= offsets[j] ||
					      end_j <= offsets[i],
					      "ranges %u and %u overlap", i, j);
		}
	}

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		carveout_pool_free(pool, offsets[i], lens[i]);
}

static void carveout_test_exhaustion(struct kunit *test)
{
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES,
							gen_pool_best_fit);
	size_t offsets[TEST_PAGES], offset;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, carveout_pool_alloc(pool, pool->size + 1,
						  &offset), -ENOMEM);

	for (i = 0; i < TEST_PAGES; i++)
		offsets[i] = carveout_test_alloc(test, pool, PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, carveout_pool_alloc(pool, 1, &offset), -ENOMEM);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 0);

	/* One free page is not enough for two. */
	carveout_pool_free(pool, offsets[5], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_alloc(pool, 2 * PAGE_SIZE,
						  &offset), -ENOMEM);
	offsets[5] = carveout_test_alloc(test, pool, PAGE_SIZE);

	for (i = 0; i < TEST_PAGES; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
}

/* After freeing everything, in any order, the whole region fits again. */
static void carveout_test_free_all(struct kunit *test)
{
	static const unsigned int pages[] = { 3, 1, 4, 1, 5 };
	static const unsigned int order[] = { 3, 0, 4, 2, 1 };
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES,
							gen_pool_best_fit);
	size_t offsets[ARRAY_SIZE(pages)], offset;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		offsets[i] = carveout_test_alloc(test, pool,
						 pages[i] * PAGE_SIZE);

	for (i = 0; i < ARRAY_SIZE(order); i++)
		carveout_pool_free(pool, offsets[order[i]],
				   pages[order[i]] * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), pool->size);
	offset = carveout_test_alloc(test, pool, pool->size);
	KUNIT_EXPECT_EQ(test, offset, 0);
	carveout_pool_free(pool, offset, pool->size);
}

/*
 * Leave a large hole and a small one, then ask for a small buffer
 * followed by a large one:
 *
 *   pages  0-7   8   9-10  11   12-15
 *          free  Y   free  W    free
 *
 * Best fit puts the 2-page buffer in the 2-page hole and the 8-page buffer
 * still fits. First fit splits the 8-page hole and the large buffer fails.
 */
static void carveout_test_fragmentation(struct kunit *test,
					genpool_algo_t algo,
					size_t small_offset,
					size_t largest_after, int large_ret)
{
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES, algo);
	size_t x, y, z, w, small, large = 0;
	int ret;

	x = carveout_test_alloc(test, pool, 8 * PAGE_SIZE);
	y = carveout_test_alloc(test, pool, PAGE_SIZE);
	z = carveout_test_alloc(test, pool, 2 * PAGE_SIZE);
	w = carveout_test_alloc(test, pool, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, x, 0);
	KUNIT_ASSERT_EQ(test, y, 8 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, z, 9 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, w, 11 * PAGE_SIZE);

	carveout_pool_free(pool, x, 8 * PAGE_SIZE);
	carveout_pool_free(pool, z, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 8 * PAGE_SIZE);

	small = carveout_test_alloc(test, pool, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, small, small_offset);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), largest_after);

	ret = carveout_pool_alloc(pool, 8 * PAGE_SIZE, &large);
	KUNIT_EXPECT_EQ(test, ret, large_ret);
	if (!ret)
		carveout_pool_free(pool, large, 8 * PAGE_SIZE);

	carveout_pool_free(pool, small, 2 * PAGE_SIZE);
	carveout_pool_free(pool, y, PAGE_SIZE);
	carveout_pool_free(pool, w, PAGE_SIZE);
}

static void carveout_test_best_fit(struct kunit *test)
{
	carveout_test_fragmentation(test, gen_pool_best_fit, 9 * PAGE_SIZE,
				    8 * PAGE_SIZE, 0);
}

static void carveout_test_first_fit(struct kunit *test)
{
	carveout_test_fragmentation(test, gen_pool_first_fit, 0,
				    6 * PAGE_SIZE, -ENOMEM);
}

static void carveout_test_largest_free(struct kunit *test)
{
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES,
							gen_pool_best_fit);
	size_t offsets[TEST_PAGES];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), pool->size);

	for (i = 0; i < TEST_PAGES; i++)
		offsets[i] = carveout_test_alloc(test, pool, PAGE_SIZE);

	/* Free runs of 1, 3 and 2 pages, including the last page. */
	carveout_pool_free(pool, offsets[0], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), PAGE_SIZE);
	for (i = 4; i < 7; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 3 * PAGE_SIZE);
	for (i = TEST_PAGES - 2; i < TEST_PAGES; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 3 * PAGE_SIZE);

	/* Freeing pages 7-9 extends the 4-6 run to 6 pages. */
	for (i = 7; i < 10; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), 6 * PAGE_SIZE);

	for (i = 1; i < 4; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
	for (i = 10; i < TEST_PAGES - 2; i++)
		carveout_pool_free(pool, offsets[i], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), pool->size);
}

/* Invalid lengths fail cleanly and leak nothing. */
static void carveout_test_bad_lengths(struct kunit *test)
{
	static const size_t lens[] = {
		SIZE_MAX,
		SIZE_MAX - PAGE_SIZE + 2,	/* PAGE_ALIGN() wraps to 0 */
		SIZE_MAX & PAGE_MASK,
		(size_t)TEST_PAGES * PAGE_SIZE + 1,
		(size_t)TEST_PAGES * PAGE_SIZE * 2,
	};
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES,
							gen_pool_best_fit);
	size_t offset = 42;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, carveout_pool_alloc(pool, 0, &offset), -EINVAL);

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		KUNIT_EXPECT_EQ_MSG(test, carveout_pool_alloc(pool, lens[i],
							      &offset),
				    -ENOMEM, "length %zu", lens[i]);

	KUNIT_EXPECT_EQ(test, offset, 42);
	KUNIT_EXPECT_EQ(test, carveout_pool_largest_free(pool), pool->size);
}

#define TEST_MAX_RANGES	TEST_PAGES

struct carveout_test_ranges {
	unsigned int nr;
	unsigned int stop_after;	/* return -EIO after this many, or 0 */
	size_t offset[TEST_MAX_RANGES];
	size_t len[TEST_MAX_RANGES];
};

static int carveout_test_record(void *arg, size_t offset, size_t len)
{
	struct carveout_test_ranges *r = arg;

	if (r->nr == TEST_MAX_RANGES)
		return -E2BIG;
	r->offset[r->nr] = offset;
	r->len[r->nr] = len;
	r->nr++;

	return r->nr == r->stop_after ? -EIO : 0;
}

static int carveout_test_walk(struct carveout_pool *pool,
			      struct carveout_test_ranges *r)
{
	r->nr = 0;

	return carveout_pool_walk_free(pool, carveout_test_record, r);
}

/*
 * What a scrubber is called on when it is installed: exactly the free
 * ranges, never an allocated page, lowest first; its error stops the walk.
 */
static void carveout_test_walk_free(struct kunit *test)
{
	struct carveout_pool *pool = carveout_test_pool(test, TEST_PAGES,
							gen_pool_first_fit);
	struct carveout_test_ranges r = { };
	size_t a, b, c;

	/* An empty pool is one free range. */
	KUNIT_EXPECT_EQ(test, carveout_test_walk(pool, &r), 0);
	KUNIT_ASSERT_EQ(test, r.nr, 1);
	KUNIT_EXPECT_EQ(test, r.offset[0], 0);
	KUNIT_EXPECT_EQ(test, r.len[0], pool->size);

	/* Pages 0-1 (a), 2 (b), 3-5 (c) allocated; free b: holes 2, 6-15. */
	a = carveout_test_alloc(test, pool, 2 * PAGE_SIZE);
	b = carveout_test_alloc(test, pool, PAGE_SIZE);
	c = carveout_test_alloc(test, pool, 3 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, a, 0);
	KUNIT_ASSERT_EQ(test, b, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, c, 3 * PAGE_SIZE);
	carveout_pool_free(pool, b, PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, carveout_test_walk(pool, &r), 0);
	KUNIT_ASSERT_EQ(test, r.nr, 2);
	KUNIT_EXPECT_EQ(test, r.offset[0], 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.len[0], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.offset[1], 6 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.len[1], (TEST_PAGES - 6) * PAGE_SIZE);

	/* A failing callback stops the walk and its error is returned. */
	r.stop_after = 1;
	KUNIT_EXPECT_EQ(test, carveout_test_walk(pool, &r), -EIO);
	KUNIT_EXPECT_EQ(test, r.nr, 1);

	/* A full pool has nothing to scrub. */
	carveout_test_alloc(test, pool, PAGE_SIZE);
	carveout_test_alloc(test, pool, (TEST_PAGES - 6) * PAGE_SIZE);
	r.stop_after = 0;
	KUNIT_EXPECT_EQ(test, carveout_test_walk(pool, &r), 0);
	KUNIT_EXPECT_EQ(test, r.nr, 0);

	carveout_pool_free(pool, 0, pool->size);
}

static struct kunit_case carveout_heap_test_cases[] = {
	KUNIT_CASE(carveout_test_pool_init_errors),
	KUNIT_CASE(carveout_test_page_rounding),
	KUNIT_CASE(carveout_test_alignment),
	KUNIT_CASE(carveout_test_exhaustion),
	KUNIT_CASE(carveout_test_free_all),
	KUNIT_CASE(carveout_test_best_fit),
	KUNIT_CASE(carveout_test_first_fit),
	KUNIT_CASE(carveout_test_largest_free),
	KUNIT_CASE(carveout_test_bad_lengths),
	KUNIT_CASE(carveout_test_walk_free),
	{}
};

static struct kunit_suite carveout_heap_test_suite = {
	.name = "dma-buf-carveout-heap",
	.test_cases = carveout_heap_test_cases,
};

kunit_test_suite(carveout_heap_test_suite);

MODULE_DESCRIPTION("KUnit tests for the carveout dma-buf heap allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
