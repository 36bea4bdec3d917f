/* Unit tests for the hold-down table and the token bucket, on a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "policy.h"

#define MS 1000000ull			/* nanoseconds */
#define SEC 1000000000ull
#define T0 (1000 * SEC)			/* fake clock start, far from 0 */

/* 2001:db8::<n>: a distinct global target per n. */
static struct in6_addr target(uint32_t n)
{
	struct in6_addr a;

	memset(&a, 0, sizeof(a));
	a.s6_addr[0] = 0x20;
	a.s6_addr[1] = 0x01;
	a.s6_addr[2] = 0x0d;
	a.s6_addr[3] = 0xb8;
	a.s6_addr[12] = (uint8_t)(n >> 24);
	a.s6_addr[13] = (uint8_t)(n >> 16);
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

static bool hit(struct holddown *hd, uint16_t group, uint32_t n, uint64_t now)
{
	struct in6_addr t = target(n);

	return holddown_hit(hd, group, &t, now);
}

static void test_holddown_window(void **state)
{
	struct holddown hd;
	uint64_t win = 3000 * MS;

	(void)state;
	assert_int_equal(holddown_init(&hd, 64, win, 0x1234), 0);
	assert_false(hit(&hd, 135, 1, T0));		/* first: armed */
	assert_true(hit(&hd, 135, 1, T0));		/* same instant */
	assert_true(hit(&hd, 135, 1, T0 + 1 * SEC));
	assert_true(hit(&hd, 135, 1, T0 + win - 1));	/* last held ns */
	/* A hit does not extend the window: released at T0 + win. */
	assert_false(hit(&hd, 135, 1, T0 + win));
	/* ...and that re-armed it. */
	assert_true(hit(&hd, 135, 1, T0 + win + 1));
	assert_true(hit(&hd, 135, 1, T0 + 2 * win - 1));
	assert_false(hit(&hd, 135, 1, T0 + 2 * win));
	assert_int_equal(hd.evictions, 0);
	holddown_free(&hd);
	assert_null(hd.entries);
}

static void test_holddown_other_target(void **state)
{
	struct holddown hd;

	(void)state;
	assert_int_equal(holddown_init(&hd, 64, SEC, 7), 0);
	assert_false(hit(&hd, 135, 1, T0));
	assert_false(hit(&hd, 135, 2, T0));	/* another target is not held */
	assert_true(hit(&hd, 135, 1, T0 + 1));
	assert_true(hit(&hd, 135, 2, T0 + 1));
	holddown_free(&hd);
}

static void test_holddown_groups_independent(void **state)
{
	struct holddown hd;

	(void)state;
	assert_int_equal(holddown_init(&hd, 64, SEC, 7), 0);
	assert_false(hit(&hd, 1, 42, T0));
	assert_false(hit(&hd, 2, 42, T0));	/* same target, other group */
	assert_false(hit(&hd, 0, 42, T0));
	assert_true(hit(&hd, 1, 42, T0 + 1));
	assert_true(hit(&hd, 2, 42, T0 + 1));
	assert_true(hit(&hd, 0, 42, T0 + 1));
	assert_false(hit(&hd, 3, 42, T0 + 1));
	holddown_free(&hd);

	/* One set: the keys share ways, so only the group tells them apart. */
	assert_int_equal(holddown_init(&hd, HOLDDOWN_WAYS, SEC, 7), 0);
	assert_false(hit(&hd, 1, 42, T0));
	assert_false(hit(&hd, 2, 42, T0));
	assert_true(hit(&hd, 1, 42, T0 + 1));
	assert_true(hit(&hd, 2, 42, T0 + 1));
	holddown_free(&hd);
}

static void test_holddown_window_zero(void **state)
{
	struct holddown hd;
	int i;

	(void)state;
	assert_int_equal(holddown_init(&hd, 64, 0, 7), 0);
	for (i = 0; i < 10; i++)
		assert_false(hit(&hd, 135, 1, T0));
	assert_false(hit(&hd, 135, 1, T0 + 1));
	assert_int_equal(hd.evictions, 0);
	holddown_free(&hd);

	/* Also from time 0, where expires 0 means a free entry. */
	assert_int_equal(holddown_init(&hd, 64, 0, 7), 0);
	assert_false(hit(&hd, 135, 1, 0));
	assert_false(hit(&hd, 135, 1, 0));
	assert_false(hit(&hd, 135, 1, 1));
	holddown_free(&hd);
}

static void test_holddown_flood(void **state)
{
	const uint32_t capacity = 64, n = 100000;
	struct holddown hd;
	struct holddown_entry *entries;
	size_t nentries, used = 0, i;
	uint32_t k;

	(void)state;
	assert_int_equal(holddown_init(&hd, capacity, 10 * SEC, 0xdeadbeef), 0);
	entries = hd.entries;
	nentries = (size_t)hd.nsets * HOLDDOWN_WAYS;
	assert_int_equal(nentries, capacity);

	/* All within the window, so nothing expires: every insert into a full
	 * set must evict. */
	for (k = 0; k < n; k++)
		assert_false(hit(&hd, 135, k, T0 + k));

	assert_ptr_equal(hd.entries, entries);
	assert_int_equal(hd.nsets * HOLDDOWN_WAYS, capacity);
	for (i = 0; i < nentries; i++)
		used += hd.entries[i].expires != 0;
	assert_int_equal(used, capacity);
	/* Each free slot was filled once; every other insert evicted. */
	assert_int_equal(hd.evictions, n - capacity);

	/* The newest key is the last thing evicted in its set. */
	assert_true(hit(&hd, 135, n - 1, T0 + n));
	holddown_free(&hd);
}

static void test_holddown_capacity_rounding(void **state)
{
	struct holddown hd;

	(void)state;
	/* Sets are a power of two covering the capacity. */
	assert_int_equal(holddown_init(&hd, 4096, SEC, 1), 0);
	assert_int_equal(hd.nsets, 1024);
	holddown_free(&hd);
	assert_int_equal(holddown_init(&hd, 100, SEC, 1), 0);
	assert_int_equal(hd.nsets, 32);
	holddown_free(&hd);
	assert_int_equal(holddown_init(&hd, 0, SEC, 1), 0);
	assert_int_equal(hd.nsets, 1);
	assert_false(hit(&hd, 1, 1, T0));
	assert_true(hit(&hd, 1, 1, T0 + 1));
	holddown_free(&hd);
}

static void test_holddown_evicts_oldest(void **state)
{
	struct holddown hd;
	uint64_t win = 1000;
	uint32_t k;

	(void)state;
	/* Capacity 4 is one set of four ways: every key collides. */
	assert_int_equal(holddown_init(&hd, HOLDDOWN_WAYS, win, 99), 0);
	assert_int_equal(hd.nsets, 1);

	for (k = 0; k < 4; k++)
		assert_false(hit(&hd, 135, k, T0 + 10 * (k + 1)));
	assert_int_equal(hd.evictions, 0);

	/* Key 4 replaces key 0, the oldest. */
	assert_false(hit(&hd, 135, 4, T0 + 50));
	assert_int_equal(hd.evictions, 1);
	/* Key 5 replaces key 1: not merely the first way again. */
	assert_false(hit(&hd, 135, 5, T0 + 60));
	assert_int_equal(hd.evictions, 2);

	assert_true(hit(&hd, 135, 2, T0 + 70));
	assert_true(hit(&hd, 135, 3, T0 + 70));
	assert_true(hit(&hd, 135, 4, T0 + 70));
	assert_true(hit(&hd, 135, 5, T0 + 70));
	assert_int_equal(hd.evictions, 2);
	/* Key 0 was forgotten (and now replaces key 2, the oldest). */
	assert_false(hit(&hd, 135, 0, T0 + 80));
	assert_int_equal(hd.evictions, 3);
	assert_false(hit(&hd, 135, 2, T0 + 90));
	assert_int_equal(hd.evictions, 4);
	holddown_free(&hd);
}

static void test_holddown_expired_not_evicted(void **state)
{
	struct holddown hd;
	uint32_t k;

	(void)state;
	assert_int_equal(holddown_init(&hd, HOLDDOWN_WAYS, 1000, 99), 0);
	for (k = 0; k < 4; k++)
		assert_false(hit(&hd, 135, k, T0 + k));
	/* At T0 + 1000 key 0 has just expired; the others have not. */
	assert_false(hit(&hd, 135, 9, T0 + 1000));
	assert_int_equal(hd.evictions, 0);	/* reusing it is no eviction */
	assert_true(hit(&hd, 135, 1, T0 + 1000));
	assert_true(hit(&hd, 135, 2, T0 + 1000));
	assert_true(hit(&hd, 135, 3, T0 + 1000));
	assert_true(hit(&hd, 135, 9, T0 + 1000));
	assert_false(hit(&hd, 135, 0, T0 + 1000));	/* forgotten */
	holddown_free(&hd);
}

/* Take until refused; returns how many were granted. */
static unsigned int drain(struct tokenbucket *tb, uint64_t now)
{
	unsigned int n = 0;

	while (tokenbucket_take(tb, now)) {
		n++;
		assert_true(n <= 10000000);
	}
	return n;
}

static void test_tb_starts_full(void **state)
{
	struct tokenbucket tb;

	(void)state;
	tokenbucket_init(&tb, 10, 5, T0);
	assert_int_equal(drain(&tb, T0), 5);
	assert_false(tokenbucket_take(&tb, T0));
	assert_false(tokenbucket_take(&tb, T0));
}

static void test_tb_refill_exact(void **state)
{
	struct tokenbucket tb;

	(void)state;
	tokenbucket_init(&tb, 10, 5, T0);
	assert_int_equal(drain(&tb, T0), 5);
	/* rate 10: a token every 100 ms, not a nanosecond earlier. */
	assert_false(tokenbucket_take(&tb, T0 + 99 * MS));
	assert_false(tokenbucket_take(&tb, T0 + 100 * MS - 1));
	assert_true(tokenbucket_take(&tb, T0 + 100 * MS));
	assert_false(tokenbucket_take(&tb, T0 + 100 * MS));
	assert_false(tokenbucket_take(&tb, T0 + 199 * MS));
	assert_true(tokenbucket_take(&tb, T0 + 200 * MS));

	/* Without the probes in between: 99 ms is still nothing. */
	tokenbucket_init(&tb, 10, 5, T0);
	assert_int_equal(drain(&tb, T0), 5);
	assert_false(tokenbucket_take(&tb, T0 + 99 * MS));
	tokenbucket_init(&tb, 10, 5, T0);
	assert_int_equal(drain(&tb, T0), 5);
	assert_true(tokenbucket_take(&tb, T0 + 100 * MS));
	assert_false(tokenbucket_take(&tb, T0 + 100 * MS));
}

static void test_tb_rate_over_time(void **state)
{
	struct tokenbucket tb;
	unsigned int granted = 0;
	uint64_t t;

	(void)state;
	/*
	 * Rate 3 does not divide 1 s: no drift from rounding. Burst 2 so
	 * the cap never clips the fraction left over between takes.
	 */
	tokenbucket_init(&tb, 3, 2, T0);
	assert_int_equal(drain(&tb, T0), 2);
	for (t = T0 + MS; t <= T0 + 10 * SEC; t += MS)
		granted += tokenbucket_take(&tb, t);
	assert_int_equal(granted, 30);

	/* After exactly 1 s with a burst of 20, rate 10 gives exactly 10. */
	tokenbucket_init(&tb, 10, 20, T0);
	assert_int_equal(drain(&tb, T0), 20);
	assert_int_equal(drain(&tb, T0 + SEC), 10);
}

static void test_tb_burst_cap(void **state)
{
	struct tokenbucket tb;

	(void)state;
	tokenbucket_init(&tb, 100, 7, T0);
	assert_int_equal(drain(&tb, T0), 7);
	assert_int_equal(drain(&tb, T0 + 3600 * SEC), 7);
	assert_true(tb.tokens_ns <= tb.burst * SEC);
	/*
	 * A short idle that adds more than the room left: 4 saved plus 5
	 * refilled in 500 ms is clipped to the burst of 5.
	 */
	tokenbucket_init(&tb, 10, 5, T0);
	assert_true(tokenbucket_take(&tb, T0));
	assert_int_equal(drain(&tb, T0 + 500 * MS), 5);
	/* Idle while already full: still only the burst. */
	tokenbucket_init(&tb, 100, 7, T0);
	assert_int_equal(drain(&tb, T0 + 10 * SEC), 7);
}

static void test_tb_clock_backwards(void **state)
{
	struct tokenbucket tb;

	(void)state;
	tokenbucket_init(&tb, 10, 2, T0);
	assert_int_equal(drain(&tb, T0), 2);
	/* An earlier time grants nothing... */
	assert_false(tokenbucket_take(&tb, T0 - 1));
	assert_false(tokenbucket_take(&tb, T0 - 10 * SEC));
	assert_false(tokenbucket_take(&tb, 0));
	assert_false(tokenbucket_take(&tb, T0));
	/* ...and does not move the refill base either. */
	assert_true(tb.last >= T0);
	assert_false(tokenbucket_take(&tb, T0 + 99 * MS));
	assert_true(tokenbucket_take(&tb, T0 + 100 * MS));
	assert_false(tokenbucket_take(&tb, T0 + 100 * MS));
}

static void test_tb_huge_elapsed(void **state)
{
	struct tokenbucket tb;

	(void)state;
	tokenbucket_init(&tb, 10, 5, 0);
	assert_int_equal(drain(&tb, 0), 5);
	assert_int_equal(drain(&tb, UINT64_MAX), 5);
	assert_true(tb.tokens_ns <= tb.burst * SEC);
	assert_false(tokenbucket_take(&tb, UINT64_MAX));

	/* 2^54 ns at 1024/s is 2^64 units: a naive product wraps to 0. */
	tokenbucket_init(&tb, 1024, 4, 0);
	assert_int_equal(drain(&tb, 0), 4);
	assert_int_equal(drain(&tb, 1ull << 54), 4);
	tokenbucket_init(&tb, 1024, 4, T0);
	assert_int_equal(drain(&tb, T0), 4);
	assert_int_equal(drain(&tb, T0 + (1ull << 54) + 1), 4);

	/* The largest configurable rate and burst, long idle: elapsed * rate
	 * would wrap if computed blindly (2^64 / 1e6 ns is about 5 h). */
	tokenbucket_init(&tb, 1000000, 1000000, T0);
	assert_int_equal(drain(&tb, T0), 1000000);
	assert_int_equal(drain(&tb, T0 + 10 * 3600 * SEC), 1000000);

	/* Same with a burst of 1, where the cap is far below the product. */
	tokenbucket_init(&tb, 1000000, 1, T0);
	assert_int_equal(drain(&tb, T0), 1);
	assert_int_equal(drain(&tb, T0 + 10 * 3600 * SEC), 1);
	assert_int_equal(drain(&tb, T0 + 10 * 3600 * SEC + 1000), 1);
	assert_int_equal(drain(&tb, T0 + 10 * 3600 * SEC + 1999), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holddown_window),
		cmocka_unit_test(test_holddown_other_target),
		cmocka_unit_test(test_holddown_groups_independent),
		cmocka_unit_test(test_holddown_window_zero),
		cmocka_unit_test(test_holddown_flood),
		cmocka_unit_test(test_holddown_capacity_rounding),
		cmocka_unit_test(test_holddown_evicts_oldest),
		cmocka_unit_test(test_holddown_expired_not_evicted),
		cmocka_unit_test(test_tb_starts_full),
		cmocka_unit_test(test_tb_refill_exact),
		cmocka_unit_test(test_tb_rate_over_time),
		cmocka_unit_test(test_tb_burst_cap),
		cmocka_unit_test(test_tb_clock_backwards),
		cmocka_unit_test(test_tb_huge_elapsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
