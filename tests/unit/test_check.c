/* Unit tests for --check's sizing of the kernel's neighbor table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

static enum neigh_verdict sizing(unsigned long t2, unsigned long t3,
				 unsigned long in_use, unsigned long slaves,
				 unsigned long *needed, unsigned long *w2,
				 unsigned long *w3)
{
	struct neigh_sizing s = { t2, t3, in_use, slaves };

	return neigh_sizing_check(&s, needed, w2, w3);
}

/* The kernel's defaults fit a host of a few dozen slaves. */
static void test_defaults_small_host(void **state)
{
	unsigned long needed, w2, w3;

	(void)state;
	assert_int_equal(sizing(512, 1024, 40, 20, &needed, &w2, &w3), NEIGH_OK);
	assert_int_equal(needed, 80);
	/* Nothing to raise: the advice is what is there. */
	assert_int_equal(w3, 1024);
	assert_int_equal(w2, 512);
}

/* 300 slaves: above gc_thresh2, entries are collected early. */
static void test_gc_pressure(void **state)
{
	unsigned long needed, w2, w3;

	(void)state;
	assert_int_equal(sizing(512, 1024, 100, 300, &needed, &w2, &w3),
			 NEIGH_GC_PRESSURE);
	assert_int_equal(needed, 700);
	assert_true(w2 >= needed);
	assert_true(w3 >= 2 * needed);
}

/* 1000 slaves (the VM host) do not fit in 1024 entries at all. */
static void test_too_small(void **state)
{
	unsigned long needed, w2, w3;

	(void)state;
	assert_int_equal(sizing(512, 1024, 0, 1000, &needed, &w2, &w3),
			 NEIGH_TOO_SMALL);
	assert_int_equal(needed, 2000);
	assert_int_equal(w3, 4096);
	assert_int_equal(w2, 2048);
}

/* Thresholds raised already are never advised down. */
static void test_never_lower(void **state)
{
	unsigned long needed, w2, w3;

	(void)state;
	assert_int_equal(sizing(100000, 200000, 10, 10, &needed, &w2, &w3),
			 NEIGH_OK);
	assert_int_equal(w3, 200000);
	assert_int_equal(w2, 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_small_host),
		cmocka_unit_test(test_gc_pressure),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_never_lower),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
