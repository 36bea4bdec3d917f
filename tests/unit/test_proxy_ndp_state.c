/* The proxy_ndp record of a killed run: interface names and what to put back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proxy_ndp_state.h"

static struct proxy_ndp_change out[4];

static int parse(const char *text)
{
	return proxy_ndp_state_parse(text, strlen(text), out, 4);
}

static void test_parse_names(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	/* A name alone (earlier versions): proxy_ndp was turned on. */
	assert_int_equal(parse("m0\n"), 1);
	assert_string_equal(out[0].name, "m0");
	assert_true(out[0].ndp);
	assert_int_equal(out[0].delay, -1);
	assert_int_equal(parse("eth0\nbr-lan.5\n"), 2);
	assert_string_equal(out[1].name, "br-lan.5");
	/* What would leave /proc/sys/net/ipv6, or is not a name. */
	assert_int_equal(parse("../../vm/x\n"), -1);
	assert_int_equal(parse("..\n"), -1);
	assert_int_equal(parse(".\n"), -1);
	assert_int_equal(parse("\n"), -1);
	assert_int_equal(parse("abcdefghijklmnop\n"), -1);
	assert_int_equal(parse("m0"), -1);	/* cut short */
	assert_int_equal(parse("a\nb\nc\nd\ne\n"), -1);	/* too many */
}

static void test_parse_changes(void **state)
{
	(void)state;
	assert_int_equal(parse("m0 proxy_ndp proxy_delay=80\n"), 1);
	assert_true(out[0].ndp);
	assert_int_equal(out[0].delay, 80);
	/* proxy_ndp was on already: only the delay to put back. */
	assert_int_equal(parse("m0 proxy_delay=5\neth1 proxy_ndp\n"), 2);
	assert_false(out[0].ndp);
	assert_int_equal(out[0].delay, 5);
	assert_true(out[1].ndp);
	assert_int_equal(out[1].delay, -1);
	/* Anything else is not ours. */
	assert_int_equal(parse("a b\n"), -1);
	assert_int_equal(parse("m0 \n"), -1);
	assert_int_equal(parse("m0  proxy_ndp\n"), -1);
	assert_int_equal(parse("m0 proxy_delay=\n"), -1);
	assert_int_equal(parse("m0 proxy_delay=-1\n"), -1);
	assert_int_equal(parse("m0 proxy_delay=8x\n"), -1);
	assert_int_equal(parse("m0 proxy_delay=1234567890\n"), -1);
	assert_int_equal(parse("m0 forwarding\n"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
