/*
 * Unit tests for nd.c: our NS against one the kernel sent, its checksum
 * against a sum computed here another way, and nd_parse_na() verdict by
 * verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nd.h"

#define NA_LEN (ND_NA_MIN_LEN + 8)	/* with a target link-layer option */

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/*
 * The NS Linux 6.18 sent on a veth with MAC 02:00:5e:10:00:01 for
 * 2001:db8::2 from 2001:db8::1 (captured with tcpdump -xx, Ethernet header
 * cut off). Ours must be the same packet, byte for byte.
 */
static const uint8_t kernel_ns[ND_NS_LEN] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02,
	0x87, 0x00, 0xbe, 0x16, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x01, 0x01, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,
};
static const uint8_t kernel_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

/*
 * Whether an IPv6 packet's ICMPv6 checksum is right, computed apart from
 * nd.c: 32-bit words into a 64-bit sum over the pseudo-header and the
 * message as it is, checksum included; right when it folds to 0xffff.
 */
static int checksum_ok(const uint8_t *pkt, size_t len)
{
	uint8_t pseudo[40 + 8 + 512];
	size_t plen = (size_t)pkt[4] << 8 | pkt[5], n;
	uint64_t sum = 0;

	assert_true(len >= 40 && plen == len - 40 && plen <= 512);
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, pkt + 8, 32);		/* source, destination */
	pseudo[32] = (uint8_t)(plen >> 24);
	pseudo[33] = (uint8_t)(plen >> 16);
	pseudo[34] = (uint8_t)(plen >> 8);
	pseudo[35] = (uint8_t)plen;
	pseudo[39] = pkt[6];			/* next header */
	memcpy(pseudo + 40, pkt + 40, plen);
	n = (40 + plen + 3) / 4 * 4;
	for (size_t i = 0; i < n; i += 4)
		sum += (uint64_t)pseudo[i] << 24 | (uint64_t)pseudo[i + 1] << 16 |
		       (uint64_t)pseudo[i + 2] << 8 | pseudo[i + 3];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void test_solicited_node(void **state)
{
	struct in6_addr t = addr("2001:db8:1:2:aabb:ccdd:ee12:3456"), g;
	struct in6_addr want = addr("ff02::1:ff12:3456");

	(void)state;
	nd_solicited_node(&t, &g);
	assert_memory_equal(&g, &want, sizeof(g));
	/* In place, as a caller may reuse the variable. */
	nd_solicited_node(&t, &t);
	assert_memory_equal(&t, &want, sizeof(t));
}

static void test_multicast_mac(void **state)
{
	struct in6_addr g = addr("ff02::1:ff12:3456");
	static const uint8_t want[6] = { 0x33, 0x33, 0xff, 0x12, 0x34, 0x56 };
	uint8_t mac[6];

	(void)state;
	nd_multicast_mac(&g, mac);
	assert_memory_equal(mac, want, sizeof(mac));
}

static void test_build_ns_as_the_kernel(void **state)
{
	struct in6_addr src = addr("2001:db8::1"), t = addr("2001:db8::2");
	uint8_t *buf = malloc(ND_NS_LEN);	/* exactly: ASan sees overruns */

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xa5, ND_NS_LEN);
	assert_int_equal(nd_build_ns(buf, ND_NS_LEN, &src, kernel_mac, &t),
			 ND_NS_LEN);
	assert_memory_equal(buf, kernel_ns, ND_NS_LEN);
	assert_true(checksum_ok(kernel_ns, sizeof(kernel_ns)));
	free(buf);
}

static void test_build_ns_checksums(void **state)
{
	static const char *const srcs[] = { "fe80::1", "fe80::ffff:ffff:ffff:ffff",
					    "2001:db8::1" };
	static const char *const targets[] = { "2001:db8::2", "fe80::2",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "2001:db8:0:1::abcd:ef01" };
	static const uint8_t mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		for (size_t j = 0; j < sizeof(targets) / sizeof(targets[0]); j++) {
			struct in6_addr s = addr(srcs[i]), t = addr(targets[j]), g;
			uint8_t buf[ND_NS_LEN + 8], mcast[6];

			assert_int_equal(nd_build_ns(buf, sizeof(buf), &s, mac, &t),
					 ND_NS_LEN);
			assert_true(checksum_ok(buf, ND_NS_LEN));
			assert_int_equal(buf[7], 255);
			nd_solicited_node(&t, &g);
			assert_memory_equal(buf + 24, &g, 16);
			assert_memory_equal(buf + 48, &t, 16);
			assert_memory_equal(buf + 66, mac, 6);
			/* The MAC the caller sends to is the group's. */
			nd_multicast_mac(&g, mcast);
			assert_memory_equal(mcast + 3, &t.s6_addr[13], 3);
			/* A wrong byte is seen: the check can fail. */
			buf[50] ^= 0x01;
			assert_false(checksum_ok(buf, ND_NS_LEN));
		}
}

static void test_build_ns_too_small(void **state)
{
	struct in6_addr src = addr("fe80::1"), t = addr("2001:db8::2");
	uint8_t buf[ND_NS_LEN];

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(nd_build_ns(buf, ND_NS_LEN - 1, &src, kernel_mac, &t), 0);
	assert_int_equal(nd_build_ns(buf, 0, &src, kernel_mac, &t), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
}

/*
 * Our NA to the upstream: what nd_parse_na() (the checks a receiver makes)
 * takes, with the flags and target link-layer address we gave, to the
 * solicitor, and a checksum that holds.
 */
static void test_build_na(void **state)
{
	struct in6_addr src = addr("2001:db8:1::1"), dst = addr("2001:db8:1::2");
	struct in6_addr t = addr("2001:db8:1::100");
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	uint8_t *buf = malloc(ND_NA_LEN);	/* exactly: ASan sees overruns */
	struct nd_na got;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(nd_build_na(buf, ND_NA_LEN, &src, &dst, &t, mac,
				     ND_NA_SOLICITED), ND_NA_LEN);
	assert_true(checksum_ok(buf, ND_NA_LEN));
	assert_int_equal(buf[6], 58);
	assert_int_equal(buf[7], 255);
	assert_memory_equal(buf + 8, &src, 16);
	assert_memory_equal(buf + 24, &dst, 16);
	assert_int_equal(nd_parse_na(buf + 40, ND_NA_LEN - 40, 255, &got), ND_OK);
	assert_memory_equal(&got.target, &t, sizeof(t));
	assert_int_equal(got.flags, ND_NA_SOLICITED);
	/* A target (2), not a source (1), link-layer address option. */
	assert_int_equal(buf[64], 2);
	assert_int_equal(buf[65], 1);
	assert_memory_equal(buf + 66, mac, 6);
	assert_int_equal(nd_build_na(buf, ND_NA_LEN - 1, &src, &dst, &t, mac, 0), 0);
	free(buf);
}

/* ---- nd_parse_na ---- */

/* A solicited, override NA for 2001:db8::2 with a target link-layer option. */
static void make_na(uint8_t *na)
{
	struct in6_addr t = addr("2001:db8::2");

	memset(na, 0, NA_LEN);
	na[0] = 136;
	na[4] = ND_NA_SOLICITED | ND_NA_OVERRIDE;
	memcpy(na + 8, &t, 16);
	na[24] = 2;
	na[25] = 1;
	memcpy(na + 26, kernel_mac, 6);
}

/* Parse a heap copy of exactly len bytes; *out starts as garbage (0xa5). */
static enum nd_verdict parse(const uint8_t *na, size_t len, int hoplimit,
			     struct nd_na *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum nd_verdict v;

	assert_non_null(copy);
	memcpy(copy, na, len);
	memset(out, 0xa5, sizeof(*out));
	v = nd_parse_na(copy, len, hoplimit, out);
	free(copy);
	return v;
}

/* A rejected NA leaves *out alone. */
static void expect_verdict(const uint8_t *na, size_t len, int hoplimit,
			   enum nd_verdict want)
{
	struct nd_na out, garbage;

	memset(&garbage, 0xa5, sizeof(garbage));
	assert_int_equal(parse(na, len, hoplimit, &out), want);
	assert_memory_equal(&out, &garbage, sizeof(out));
}

/* The target link-layer address: found past other options, of Ethernet's
   length only, and never a multicast or all-zero one. */
static void test_na_target_lladdr(void **state)
{
	uint8_t na[NA_LEN + 24];
	static const uint8_t zero[6];
	struct nd_na out;

	(void)state;
	make_na(na);
	assert_int_equal(parse(na, NA_LEN, 255, &out), ND_OK);
	assert_true(out.has_lladdr);
	assert_memory_equal(out.lladdr, kernel_mac, 6);
	/* None: no options, or only a source link-layer one. */
	assert_int_equal(parse(na, ND_NA_MIN_LEN, 255, &out), ND_OK);
	assert_false(out.has_lladdr);
	na[24] = 1;
	assert_int_equal(parse(na, NA_LEN, 255, &out), ND_OK);
	assert_false(out.has_lladdr);
	assert_int_equal(out.lladdr[0], 0xa5);
	/* After an unknown option and a 16-byte target one (not Ethernet). */
	memset(na + 24, 0, 32);
	na[24] = 99;
	na[25] = 1;
	na[32] = 2;
	na[33] = 2;
	na[48] = 2;
	na[49] = 1;
	memcpy(na + 50, kernel_mac, 6);
	assert_int_equal(parse(na, sizeof(na), 255, &out), ND_OK);
	assert_true(out.has_lladdr);
	assert_memory_equal(out.lladdr, kernel_mac, 6);
	/* Cut short: the option past the end is not read, the NA refused. */
	expect_verdict(na, sizeof(na) - 1, 255, ND_OPT_TRUNCATED);
	/* Multicast (group bit) and all-zero addresses are no station's. */
	na[50] = 0x33;
	assert_int_equal(parse(na, sizeof(na), 255, &out), ND_OK);
	assert_false(out.has_lladdr);
	memcpy(na + 50, zero, 6);
	assert_int_equal(parse(na, sizeof(na), 255, &out), ND_OK);
	assert_false(out.has_lladdr);
}

static void test_na_ok(void **state)
{
	uint8_t na[NA_LEN];
	struct in6_addr want = addr("2001:db8::2");
	struct nd_na out;

	(void)state;
	make_na(na);
	assert_int_equal(parse(na, NA_LEN, 255, &out), ND_OK);
	assert_memory_equal(&out.target, &want, sizeof(want));
	assert_int_equal(out.flags, ND_NA_SOLICITED | ND_NA_OVERRIDE);
	/* Router flag, and reserved bits that are not flags. */
	na[4] = 0xff;
	na[7] = 0xff;
	assert_int_equal(parse(na, NA_LEN, 255, &out), ND_OK);
	assert_int_equal(out.flags, ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
	/* No options at all, and two options. */
	assert_int_equal(parse(na, ND_NA_MIN_LEN, 255, &out), ND_OK);
	{
		uint8_t two[NA_LEN + 16];

		memcpy(two, na, NA_LEN);
		memset(two + NA_LEN, 0, 16);
		two[NA_LEN] = 99;	/* unknown options are skipped */
		two[NA_LEN + 1] = 2;
		assert_int_equal(parse(two, sizeof(two), 255, &out), ND_OK);
	}
}

static void test_na_short(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	expect_verdict(na, ND_NA_MIN_LEN - 1, 255, ND_SHORT);
	expect_verdict(na, 0, 255, ND_SHORT);
}

static void test_na_type(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	na[0] = 135;
	expect_verdict(na, NA_LEN, 255, ND_TYPE);
}

static void test_na_code(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	na[1] = 1;
	expect_verdict(na, NA_LEN, 255, ND_CODE);
}

static void test_na_hop_limit(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	expect_verdict(na, NA_LEN, 64, ND_HOP_LIMIT);
	expect_verdict(na, NA_LEN, 254, ND_HOP_LIMIT);
	expect_verdict(na, NA_LEN, -1, ND_HOP_LIMIT);	/* unknown */
	expect_verdict(na, NA_LEN, 256, ND_HOP_LIMIT);
}

static void test_na_target_multicast(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	na[8] = 0xff;
	expect_verdict(na, NA_LEN, 255, ND_TARGET_MULTICAST);
}

static void test_na_option_zero_length(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	na[25] = 0;
	expect_verdict(na, NA_LEN, 255, ND_OPT_ZERO_LEN);
}

static void test_na_option_truncated(void **state)
{
	uint8_t na[NA_LEN];

	(void)state;
	make_na(na);
	/* Claims 16 bytes, 8 are there. */
	na[25] = 2;
	expect_verdict(na, NA_LEN, 255, ND_OPT_TRUNCATED);
	/* The message ends inside the option. */
	na[25] = 1;
	expect_verdict(na, NA_LEN - 1, 255, ND_OPT_TRUNCATED);
	/* One byte after the NA: not even an option header. */
	expect_verdict(na, ND_NA_MIN_LEN + 1, 255, ND_OPT_TRUNCATED);
	/* The largest length: 255 units, far past the buffer. */
	na[25] = 255;
	expect_verdict(na, NA_LEN, 255, ND_OPT_TRUNCATED);
}

static void test_verdict_names(void **state)
{
	(void)state;
	for (int v = 0; v < ND_VERDICT_MAX; v++) {
		assert_non_null(nd_verdict_name((enum nd_verdict)v));
		assert_string_not_equal(nd_verdict_name((enum nd_verdict)v),
					"unknown");
	}
	assert_string_equal(nd_verdict_name(ND_OK), "ok");
	assert_string_equal(nd_verdict_name(ND_HOP_LIMIT), "hop_limit");
	assert_string_equal(nd_verdict_name(ND_VERDICT_MAX), "unknown");
	assert_string_equal(nd_verdict_name((enum nd_verdict)-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicited_node),
		cmocka_unit_test(test_multicast_mac),
		cmocka_unit_test(test_build_ns_as_the_kernel),
		cmocka_unit_test(test_build_ns_checksums),
		cmocka_unit_test(test_build_ns_too_small),
		cmocka_unit_test(test_build_na),
		cmocka_unit_test(test_na_ok),
		cmocka_unit_test(test_na_target_lladdr),
		cmocka_unit_test(test_na_short),
		cmocka_unit_test(test_na_type),
		cmocka_unit_test(test_na_code),
		cmocka_unit_test(test_na_hop_limit),
		cmocka_unit_test(test_na_target_multicast),
		cmocka_unit_test(test_na_option_zero_length),
		cmocka_unit_test(test_na_option_truncated),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
