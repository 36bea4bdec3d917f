/* The output-hook heuristic of --check, and the /proc/net/netlink line parse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "outfilter.h"
#include "sockowner.h"

#define RULES(...) ((const struct outfilter_rule[]){ __VA_ARGS__ })
#define CHAIN(policy, rules_, n) \
	((struct outfilter_chain){ "inet", "fw", "output", 0, (policy), (rules_), (n) })

static const struct outfilter_rule established = { OUTFILTER_ACCEPT, false, false, false, 0 };
static const struct outfilter_rule by_mark = { OUTFILTER_ACCEPT, false, true, false, 0 };
static const struct outfilter_rule drop_all = { OUTFILTER_DROP, true, false, false, 0 };
static const struct outfilter_rule drop_some = { OUTFILTER_DROP, false, false, false, 0 };
static const struct outfilter_rule count_only = { OUTFILTER_CONTINUE, true, false, false, 0 };

static void test_policy_drop(void **state)
{
	char why[96];
	struct outfilter_chain c = CHAIN(true, RULES(established, count_only), 2);

	(void)state;
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_DROPS);
	assert_string_equal(why, "it has policy drop");
	c = CHAIN(true, NULL, 0);
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_DROPS);
}

static void test_final_drop(void **state)
{
	char why[96];
	struct outfilter_chain c = CHAIN(false, RULES(established, drop_all), 2);

	(void)state;
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_DROPS);
	assert_non_null(strstr(why, "rule 2"));
	/* A drop with a match may not match an echo request: not counted. */
	c = CHAIN(false, RULES(established, drop_some), 2);
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_PASSES);
}

static void test_mark_accept(void **state)
{
	char why[96];
	struct outfilter_chain c = CHAIN(true, RULES(established, by_mark), 2);

	(void)state;
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_ALLOWED);
	/* Too late: after an unconditional drop. */
	c = CHAIN(false, RULES(drop_all, by_mark), 2);
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)), OUTFILTER_DROPS);
}

/* An accept of one group's mark does not let another group's through. */
static void test_mark_per_group(void **state)
{
	char why[96];
	struct outfilter_rule only_135 = { OUTFILTER_ACCEPT, false, true, true,
					   0x6e730087 };
	struct outfilter_chain c = CHAIN(true, RULES(established, only_135), 2);

	(void)state;
	assert_int_equal(outfilter_judge(&c, 0x6e730087, why, sizeof(why)),
			 OUTFILTER_ALLOWED);
	assert_int_equal(outfilter_judge(&c, 0x6e730088, why, sizeof(why)),
			 OUTFILTER_DROPS);
	assert_string_equal(why, "it has policy drop");
}

static void test_accept_rule(void **state)
{
	const uint16_t one[] = { 135 }, two[] = { 135, 136 };
	char buf[128];

	(void)state;
	outfilter_accept_rule(buf, sizeof(buf), 0x6e730000, one, 1);
	assert_string_equal(buf, "meta mark 0x6e730087 accept");
	outfilter_accept_rule(buf, sizeof(buf), 0x6e730000, two, 2);
	assert_string_equal(buf, "meta mark { 0x6e730087, 0x6e730088 } accept");
}

static void test_netlink_line(void **state)
{
	unsigned long inode = 0;

	(void)state;
	assert_int_equal(netlink_line_match("sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n",
					    12, 7, &inode), -1);
	assert_int_equal(netlink_line_match("0000000064ca82c1 12  4242       00000000 0        0        0     2        0        1513    \n",
					    12, 4242, &inode), 1);
	assert_int_equal(inode, 1513);
	assert_int_equal(netlink_line_match("0000000064ca82c1 12  4243       00000000 0        0        0     2        0        1514    \n",
					    12, 4242, &inode), 0);
	assert_int_equal(netlink_line_match("0000000064ca82c1 0   4242       00000000 0        0        0     2        0        1515    \n",
					    12, 4242, &inode), 0);
	/* Port ids the kernel makes up are above 2^31. */
	assert_int_equal(netlink_line_match("ffff8f0c4a6b1000 12  4294960001 00000000 0        0        0     2        0        99\n",
					    12, 4294960001u, &inode), 1);
	assert_int_equal(inode, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_drop),
		cmocka_unit_test(test_final_drop),
		cmocka_unit_test(test_mark_accept),
		cmocka_unit_test(test_mark_per_group),
		cmocka_unit_test(test_accept_rule),
		cmocka_unit_test(test_netlink_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
