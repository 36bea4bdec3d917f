/* Unit tests for the --rules reload back-off (pure). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "control.h"

static void test_backoff_doubles_to_the_cap(void **state)
{
	(void)state;
	assert_int_equal(control_backoff(0), 1);
	assert_int_equal(control_backoff(1), 2);
	assert_int_equal(control_backoff(2), 4);
	assert_int_equal(control_backoff(16), 32);
	assert_int_equal(control_backoff(32), RELOAD_DELAY_MAX);
	assert_int_equal(control_backoff(RELOAD_DELAY_MAX), RELOAD_DELAY_MAX);
	assert_int_equal(control_backoff(~0u), RELOAD_DELAY_MAX);	/* no overflow */
}

/* A failing reload every time: bounded attempts in a minute, not thousands. */
static void test_backoff_attempts_per_minute(void **state)
{
	unsigned int delay = 0, t = 0, attempts = 0;

	(void)state;
	while (t < 60) {
		attempts++;
		delay = control_backoff(delay);
		t += delay;
	}
	assert_int_equal(attempts, 6);	/* at 0, 1, 3, 7, 15, 31 s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_to_the_cap),
		cmocka_unit_test(test_backoff_attempts_per_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
