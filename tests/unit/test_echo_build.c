/* Unit tests for echo_build(): the exact bytes of an echo request. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "echo.h"

static void test_echo_bytes(void **state)
{
	static const uint8_t expect[PROBE_ECHO_LEN] = {
		128, 0,			/* echo request, code 0 */
		0, 0,			/* checksum: the kernel fills it in */
		0x12, 0x34,		/* identifier, big-endian */
		0xab, 0xcd,		/* sequence, big-endian */
	};
	uint8_t buf[PROBE_ECHO_LEN];

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(echo_build(buf, sizeof(buf), 0x1234, 0xabcd),
			 PROBE_ECHO_LEN);
	assert_memory_equal(buf, expect, sizeof(expect));
}

static void test_echo_extremes(void **state)
{
	static const uint8_t expect[PROBE_ECHO_LEN] = {
		128, 0, 0, 0, 0xff, 0xff, 0x00, 0x00,
	};
	static const uint8_t expect2[PROBE_ECHO_LEN] = {
		128, 0, 0, 0, 0x00, 0x01, 0x80, 0x00,
	};
	uint8_t buf[PROBE_ECHO_LEN];

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(echo_build(buf, sizeof(buf), 0xffff, 0),
			 PROBE_ECHO_LEN);
	assert_memory_equal(buf, expect, sizeof(expect));
	assert_int_equal(echo_build(buf, sizeof(buf), 1, 0x8000),
			 PROBE_ECHO_LEN);
	assert_memory_equal(buf, expect2, sizeof(expect2));
}

static void test_echo_larger_buffer(void **state)
{
	uint8_t buf[32];
	size_t i;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(echo_build(buf, sizeof(buf), 7, 9), PROBE_ECHO_LEN);
	assert_int_equal(buf[0], 128);
	assert_int_equal(buf[5], 7);
	assert_int_equal(buf[7], 9);
	/* Nothing written past the message. */
	for (i = PROBE_ECHO_LEN; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xee);
}

static void test_echo_too_small(void **state)
{
	uint8_t buf[PROBE_ECHO_LEN];
	uint8_t untouched[PROBE_ECHO_LEN];

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	memset(untouched, 0xee, sizeof(untouched));
	assert_int_equal(echo_build(buf, PROBE_ECHO_LEN - 1, 1, 2), 0);
	assert_int_equal(echo_build(buf, 0, 1, 2), 0);
	/* Refused without writing a byte. */
	assert_memory_equal(buf, untouched, sizeof(buf));
}

/* What we build, answered (type 129), is recognised by its identifier. */
static void test_reply_round_trip(void **state)
{
	uint8_t buf[PROBE_ECHO_LEN];

	(void)state;
	assert_int_equal(echo_build(buf, sizeof(buf), 0xbeef, 7),
			 PROBE_ECHO_LEN);
	assert_false(echo_is_reply(buf, sizeof(buf), 0xbeef));	/* a request */
	buf[0] = 129;
	assert_true(echo_is_reply(buf, sizeof(buf), 0xbeef));
	assert_false(echo_is_reply(buf, sizeof(buf), 0xbeee));	/* not ours */
	assert_false(echo_is_reply(buf, sizeof(buf), 0xafef));
	assert_false(echo_is_reply(buf, PROBE_ECHO_LEN - 1, 0xbeef));
	assert_false(echo_is_reply(buf, 0, 0xbeef));
	buf[1] = 1;						/* bad code */
	assert_false(echo_is_reply(buf, sizeof(buf), 0xbeef));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_bytes),
		cmocka_unit_test(test_echo_extremes),
		cmocka_unit_test(test_echo_larger_buffer),
		cmocka_unit_test(test_echo_too_small),
		cmocka_unit_test(test_reply_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
