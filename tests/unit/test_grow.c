/* Unit tests for grow_room(): the capacity implied by the count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "grow.h"

/* Elements kept across every doubling, and the block new at 0. */
static void test_grows(void **state)
{
	unsigned int *v = NULL, n = 0;

	(void)state;
	for (unsigned int i = 0; i < 1000; i++) {
		assert_int_equal(grow_room((void **)&v, n, sizeof(*v)), 0);
		assert_non_null(v);
		v[n++] = i;
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(v[i], i);
	free(v);
}

/* Fewer elements after removals, then more again: still room each time. */
static void test_shrunk_count(void **state)
{
	unsigned int *v = NULL, n = 0;

	(void)state;
	for (unsigned int i = 0; i < 40; i++) {
		assert_int_equal(grow_room((void **)&v, n, sizeof(*v)), 0);
		v[n++] = i;
	}
	n = 5;		/* removed from the end, the block kept */
	for (unsigned int i = 5; i < 70; i++) {
		assert_int_equal(grow_room((void **)&v, n, sizeof(*v)), 0);
		v[n++] = i;
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(v[i], i);
	/* All gone: the next one makes a block of 8 anew. */
	assert_int_equal(grow_room((void **)&v, 0, sizeof(*v)), 0);
	v[0] = 7;
	assert_int_equal(v[0], 7);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_shrunk_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
