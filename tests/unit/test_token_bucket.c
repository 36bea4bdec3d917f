/* Unit tests for the token bucket, on a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "token_bucket.h"

#define MS 1000000ull			/* nanoseconds */
#define SEC 1000000000ull
#define T0 (1000 * SEC)			/* fake clock start, far from 0 */

/* Tokens taken until the bucket says no. */
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
		cmocka_unit_test(test_tb_starts_full),
		cmocka_unit_test(test_tb_refill_exact),
		cmocka_unit_test(test_tb_rate_over_time),
		cmocka_unit_test(test_tb_burst_cap),
		cmocka_unit_test(test_tb_clock_backwards),
		cmocka_unit_test(test_tb_huge_elapsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
