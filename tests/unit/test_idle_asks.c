/* Unit tests for the asks on the masters kept until the loop is idle. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "idle_asks.h"

static struct idle_ask ask(unsigned int n, uint64_t since)
{
	struct idle_ask a = { .since = since, .group = 7, .master = 3 };

	a.target.s6_addr[0] = 0x20;
	a.target.s6_addr[14] = (uint8_t)(n >> 8);
	a.target.s6_addr[15] = (uint8_t)n;
	return a;
}

static unsigned int n_of(const struct idle_ask *a)
{
	return (unsigned int)a->target.s6_addr[14] << 8 | a->target.s6_addr[15];
}

/* Taken oldest first, each once; none kept, none taken. */
static void test_fifo(void **state)
{
	struct idle_asks q = { 0 };
	struct idle_ask a, out;

	(void)state;
	assert_false(idle_asks_any(&q));
	assert_false(idle_asks_take(&q, &out));
	for (unsigned int i = 1; i <= 3; i++) {
		a = ask(i, i);
		assert_false(idle_asks_push(&q, &a, &out));
	}
	assert_true(idle_asks_any(&q));
	for (unsigned int i = 1; i <= 3; i++) {
		assert_true(idle_asks_take(&q, &out));
		assert_int_equal(n_of(&out), i);
		assert_int_equal(out.group, 7);
		assert_int_equal(out.master, 3);
	}
	assert_false(idle_asks_any(&q));
	assert_false(idle_asks_take(&q, &out));
}

/* Full: one more gives back the oldest, and the order holds round the ring. */
static void test_full_gives_oldest(void **state)
{
	struct idle_asks q = { 0 };
	struct idle_ask a, out;

	(void)state;
	for (unsigned int i = 0; i < IDLE_ASKS_MAX; i++) {
		a = ask(i, 0);
		assert_false(idle_asks_push(&q, &a, &out));
	}
	for (unsigned int i = IDLE_ASKS_MAX; i < IDLE_ASKS_MAX + 10; i++) {
		a = ask(i, 0);
		memset(&out, 0, sizeof(out));
		assert_true(idle_asks_push(&q, &a, &out));
		assert_int_equal(n_of(&out), i - IDLE_ASKS_MAX);
	}
	assert_int_equal(q.n, IDLE_ASKS_MAX);
	for (unsigned int i = 10; i < IDLE_ASKS_MAX + 10; i++) {
		assert_true(idle_asks_take(&q, &out));
		assert_int_equal(n_of(&out), i);
	}
	assert_false(idle_asks_take(&q, &out));
}

/* Overdue: only those kept IDLE_ASKS_WAIT_NS or longer, oldest first. */
static void test_overdue(void **state)
{
	const uint64_t t0 = 5000000000ull;
	struct idle_asks q = { 0 };
	struct idle_ask a, out;

	(void)state;
	a = ask(1, t0);
	idle_asks_push(&q, &a, &out);
	a = ask(2, t0 + 10);
	idle_asks_push(&q, &a, &out);
	assert_false(idle_asks_take_overdue(&q, t0 + IDLE_ASKS_WAIT_NS - 1, &out));
	assert_true(idle_asks_take_overdue(&q, t0 + IDLE_ASKS_WAIT_NS, &out));
	assert_int_equal(n_of(&out), 1);
	assert_false(idle_asks_take_overdue(&q, t0 + IDLE_ASKS_WAIT_NS + 9, &out));
	assert_true(idle_asks_take_overdue(&q, t0 + IDLE_ASKS_WAIT_NS + 10, &out));
	assert_int_equal(n_of(&out), 2);
	assert_false(idle_asks_take_overdue(&q, UINT64_MAX / 2, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_full_gives_oldest),
		cmocka_unit_test(test_overdue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
