/* The proxy_ndp record of a killed run: only interface names come out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proxy_ndp_state.h"

static int parse(const char *text, char (*names)[IF_NAMESIZE])
{
	return proxy_ndp_state_parse(text, strlen(text), names, 4);
}

static void test_parse(void **state)
{
	char names[4][IF_NAMESIZE];

	(void)state;
	assert_int_equal(parse("", names), 0);
	assert_int_equal(parse("m0\n", names), 1);
	assert_string_equal(names[0], "m0");
	assert_int_equal(parse("eth0\nbr-lan.5\n", names), 2);
	assert_string_equal(names[1], "br-lan.5");
	/* What would leave /proc/sys/net/ipv6/conf, or is not a name. */
	assert_int_equal(parse("../../vm/x\n", names), -1);
	assert_int_equal(parse("..\n", names), -1);
	assert_int_equal(parse(".\n", names), -1);
	assert_int_equal(parse("\n", names), -1);
	assert_int_equal(parse("a b\n", names), -1);
	assert_int_equal(parse("abcdefghijklmnop\n", names), -1);
	assert_int_equal(parse("m0", names), -1);	/* cut short */
	assert_int_equal(parse("a\nb\nc\nd\ne\n", names), -1);	/* too many */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
