/* Unit tests for parse_prefix6(): host bits cleared, bad input refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "cli.h"
#include "config.h"

/* s parses to want/len. */
static void expect_prefix(const char *s, const char *want, unsigned int len)
{
	struct prefix6 p;
	struct in6_addr a;
	char got[INET6_ADDRSTRLEN];

	assert_int_equal(inet_pton(AF_INET6, want, &a), 1);
	memset(&p, 0xa5, sizeof(p));
	if (parse_prefix6(s, &p) != 0)
		fail_msg("'%s' refused", s);
	if (memcmp(&p.addr, &a, sizeof(a)) != 0) {
		inet_ntop(AF_INET6, &p.addr, got, sizeof(got));
		fail_msg("'%s' gave %s, not %s", s, got, want);
	}
	assert_int_equal(p.len, len);
}

static void expect_refused(const char *s)
{
	struct prefix6 p;

	if (parse_prefix6(s, &p) != -1)
		fail_msg("'%s' accepted", s);
}

static void test_host_bits_cleared(void **state)
{
	(void)state;
	expect_prefix("2001:db8::1/32", "2001:db8::", 32);
	expect_prefix("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::", 64);
	expect_prefix("2001:db8:ffff:ffff::/33", "2001:db8:8000::", 33);
	expect_prefix("2001:db8:0:f::/61", "2001:db8:0:8::", 61);
	expect_prefix("2001:db8::ff/127", "2001:db8::fe", 127);
	expect_prefix("2001:db8::ff/121", "2001:db8::80", 121);
	expect_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/1", "8000::", 1);
	expect_prefix("fdff:1::/7", "fc00::", 7);
	expect_prefix("2001:db8:1::/64", "2001:db8:1::", 64);	/* already clear */
	expect_prefix("fe80::1/64", "fe80::", 64);
}

static void test_extremes(void **state)
{
	(void)state;
	expect_prefix("::/0", "::", 0);
	expect_prefix("2001:db8::1/0", "::", 0);
	expect_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0", "::", 0);
	expect_prefix("2001:db8::1/128", "2001:db8::1", 128);
	expect_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128);
	expect_prefix("::/128", "::", 128);
	/* The longest textual form fits. */
	expect_prefix("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/96",
		      "ffff:ffff:ffff:ffff:ffff:ffff::", 96);
	/* IPv4-mapped is IPv6. */
	expect_prefix("::ffff:192.0.2.1/120", "::ffff:192.0.2.0", 120);
}

static void test_every_length(void **state)
{
	char s[64];
	struct prefix6 p;

	(void)state;
	/* All ones, /n: exactly n leading ones remain. */
	for (unsigned int n = 0; n <= 128; n++) {
		snprintf(s, sizeof(s), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/%u", n);
		assert_int_equal(parse_prefix6(s, &p), 0);
		assert_int_equal(p.len, n);
		for (unsigned int bit = 0; bit < 128; bit++) {
			unsigned int v = (p.addr.s6_addr[bit / 8] >> (7 - bit % 8)) & 1;

			if (v != (bit < n))
				fail_msg("/%u: bit %u is %u", n, bit, v);
		}
	}
}

static void test_no_slash(void **state)
{
	(void)state;
	expect_refused("2001:db8::");
	expect_refused("2001:db8::1");
	expect_refused("::");
	expect_refused("");
	expect_refused("64");
}

static void test_bad_length(void **state)
{
	(void)state;
	expect_refused("2001:db8::/129");
	expect_refused("2001:db8::/256");
	expect_refused("2001:db8::/1000");
	expect_refused("2001:db8::/4294967360");	/* 2^32 + 64 */
	expect_refused("2001:db8::/99999999999999999999999");
	expect_refused("2001:db8::/-1");
	expect_refused("2001:db8::/-0");
	expect_refused("2001:db8::/+64");
	expect_refused("2001:db8::/abc");
	expect_refused("2001:db8::/64a");
	expect_refused("2001:db8::/6 4");
	expect_refused("2001:db8::/ 64");
	expect_refused("2001:db8::/64 ");
	expect_refused("2001:db8::/");
	expect_refused("2001:db8::/64/64");
	expect_refused("2001:db8::/0x");
}

static void test_bad_address(void **state)
{
	char s[256];

	(void)state;
	expect_refused("/64");
	expect_refused("/0");
	expect_refused("/");
	expect_refused("2001:db8::g/64");
	expect_refused("2001:db8:::/64");
	expect_refused("1:2:3:4:5:6:7:8:9/64");
	expect_refused(" 2001:db8::/64");
	expect_refused("2001:db8:: /64");
	expect_refused("fe80::1%eth0/64");
	expect_refused("[2001:db8::]/64");
	/* IPv4. */
	expect_refused("192.0.2.0/24");
	expect_refused("10.0.0.0/8");
	expect_refused("0.0.0.0/0");
	/* Longer than any address: refused, not copied. */
	memset(s, '1', sizeof(s));
	strcpy(s + 200, "::/64");
	expect_refused(s);
	memset(s, 'f', sizeof(s));
	s[INET6_ADDRSTRLEN] = '/';
	strcpy(s + INET6_ADDRSTRLEN + 1, "64");
	expect_refused(s);
	/* Exactly INET6_ADDRSTRLEN - 1 characters before the slash, bad. */
	memset(s, 'f', sizeof(s));
	s[INET6_ADDRSTRLEN - 1] = '/';
	strcpy(s + INET6_ADDRSTRLEN, "64");
	expect_refused(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_bits_cleared),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_no_slash),
		cmocka_unit_test(test_bad_length),
		cmocka_unit_test(test_bad_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
