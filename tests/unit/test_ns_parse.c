/* Unit tests for ns_parse(): one valid NS, then one test per reject reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ns_parse.h"

#define OPT_OFF (NS_IPV6_HDR_LEN + NS_MSG_LEN)	/* first option */
#define PKT_LEN (OPT_OFF + 8)			/* with one SLLA option */
#define BUF_SIZE 256

static const char src_str[] = "2001:db8::1";
static const char dst_str[] = "ff02::1:ff00:2";
static const char target_str[] = "2001:db8::2";

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void set_plen(uint8_t *buf, size_t plen)
{
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
}

static void set_target(uint8_t *buf, const char *s)
{
	struct in6_addr a = addr(s);

	memcpy(buf + NS_IPV6_HDR_LEN + 8, &a, sizeof(a));
}

static void set_src(uint8_t *buf, const char *s)
{
	struct in6_addr a = addr(s);

	memcpy(buf + 8, &a, sizeof(a));
}

/*
 * A valid NS as the host's stack sends it: global source, solicited-node
 * destination, one source link-layer address option. Returns its length.
 */
static size_t build_ns(uint8_t *buf)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
	struct in6_addr a;
	uint8_t *icmp = buf + NS_IPV6_HDR_LEN;
	uint8_t *opt = buf + OPT_OFF;

	memset(buf, 0, BUF_SIZE);
	buf[0] = 0x60;			/* version 6, class 0, flow 0 */
	set_plen(buf, PKT_LEN - NS_IPV6_HDR_LEN);
	buf[6] = 58;			/* ICMPv6 */
	buf[7] = 255;
	set_src(buf, src_str);
	a = addr(dst_str);
	memcpy(buf + 24, &a, sizeof(a));

	icmp[0] = 135;
	icmp[1] = 0;
	icmp[2] = 0x12;			/* checksum: not verified by ns_parse */
	icmp[3] = 0x34;
	set_target(buf, target_str);

	opt[0] = 1;			/* source link-layer address */
	opt[1] = 1;			/* 8 octets */
	memcpy(opt + 2, mac, sizeof(mac));
	return PKT_LEN;
}

/* Same packet without options: payload is the bare 24-byte NS. */
static size_t build_ns_noopt(uint8_t *buf)
{
	build_ns(buf);
	memset(buf + OPT_OFF, 0, 8);
	set_plen(buf, NS_MSG_LEN);
	return OPT_OFF;
}

/*
 * Parse from a heap copy of exactly len bytes, so that a read past the
 * capture shows up under SANITIZE=1.
 */
static enum ns_verdict parse(const uint8_t *buf, size_t len, unsigned int flags,
			     struct ns_info *out)
{
	enum ns_verdict v;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, buf, len);
	v = ns_parse(copy, len, flags, out);
	free(copy);
	return v;
}

static void test_valid(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	struct in6_addr src = addr(src_str), dst = addr(dst_str);
	struct in6_addr target = addr(target_str);
	size_t len = build_ns(buf);

	(void)state;
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
	assert_memory_equal(&info.src, &src, sizeof(src));
	assert_memory_equal(&info.dst, &dst, sizeof(dst));
	assert_memory_equal(&info.target, &target, sizeof(target));
	/* The sender's link-layer address, to answer it (engine_asker()). */
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
	assert_true(info.has_slla);
	assert_memory_equal(info.slla, mac, sizeof(mac));
}

static void test_no_options(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	struct in6_addr target = addr(target_str);
	size_t len = build_ns_noopt(buf);

	(void)state;
	assert_int_equal(len, 64);
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
	assert_memory_equal(&info.target, &target, sizeof(target));
	assert_false(info.has_slla);
}

/* A source link-layer option longer than Ethernet's is not taken as one. */
static void test_slla_not_ethernet(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[OPT_OFF + 1] = 2;
	memset(buf + len, 0, 8);
	len += 8;
	set_plen(buf, len - NS_IPV6_HDR_LEN);
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
	assert_false(info.has_slla);
}

static void test_two_options(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	/* A 16-octet unknown option after the SLLA: options are walked. */
	buf[len] = 200;
	buf[len + 1] = 2;
	len += 16;
	set_plen(buf, len - NS_IPV6_HDR_LEN);
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
}

static void test_extra_captured_bytes(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	struct in6_addr target = addr(target_str);
	size_t len = build_ns(buf);

	(void)state;
	/* Trailing bytes beyond the payload length (a zero-length "option"). */
	memset(buf + len, 0, 16);
	buf[len] = 1;
	assert_int_equal(parse(buf, len + 16, 0, &info), NS_OK);
	assert_memory_equal(&info.target, &target, sizeof(target));
}

static void test_short(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns_noopt(buf);

	(void)state;
	assert_int_equal(parse(buf, 0, 0, &info), NS_SHORT);
	assert_int_equal(parse(buf, NS_IPV6_HDR_LEN, 0, &info), NS_SHORT);
	/* Boundary: 63 is one byte short of header + NS, 64 is enough. */
	assert_int_equal(parse(buf, len - 1, 0, &info), NS_SHORT);
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
}

static void test_not_ipv6(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[0] = 0x45;
	assert_int_equal(parse(buf, len, 0, &info), NS_NOT_IPV6);
	buf[0] = 0x00;
	assert_int_equal(parse(buf, len, 0, &info), NS_NOT_IPV6);
	/* Traffic class bits in the low nibble do not matter. */
	buf[0] = 0x6f;
	assert_int_equal(parse(buf, len, 0, &info), NS_OK);
}

static void test_next_header(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[6] = 0;		/* hop-by-hop options */
	assert_int_equal(parse(buf, len, 0, &info), NS_NEXT_HEADER);
	buf[6] = 17;		/* UDP */
	assert_int_equal(parse(buf, len, 0, &info), NS_NEXT_HEADER);
}

static void test_payload_length_small(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	set_plen(buf, NS_MSG_LEN - 1);
	assert_int_equal(parse(buf, len, 0, &info), NS_PAYLOAD_LENGTH);
	set_plen(buf, 0);
	assert_int_equal(parse(buf, len, 0, &info), NS_PAYLOAD_LENGTH);
}

static void test_payload_length_large(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	/* One byte more than was captured. */
	set_plen(buf, len - NS_IPV6_HDR_LEN + 1);
	assert_int_equal(parse(buf, len, 0, &info), NS_PAYLOAD_LENGTH);
	set_plen(buf, 0xffff);
	assert_int_equal(parse(buf, len, 0, &info), NS_PAYLOAD_LENGTH);
	/* The packet is fine, the capture is cut short. */
	set_plen(buf, len - NS_IPV6_HDR_LEN);
	assert_int_equal(parse(buf, len - 1, 0, &info), NS_PAYLOAD_LENGTH);
}

static void test_type(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[NS_IPV6_HDR_LEN] = 136;	/* neighbor advertisement */
	assert_int_equal(parse(buf, len, 0, &info), NS_TYPE);
}

static void test_code(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[NS_IPV6_HDR_LEN + 1] = 1;
	assert_int_equal(parse(buf, len, 0, &info), NS_CODE);
}

static void test_hop_limit(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[7] = 254;		/* forwarded once: not from this link */
	assert_int_equal(parse(buf, len, 0, &info), NS_HOP_LIMIT);
}

static void test_option_zero_length(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	buf[OPT_OFF + 1] = 0;
	assert_int_equal(parse(buf, len, 0, &info), NS_OPT_ZERO_LEN);

	/* A zero length in the second option is caught as well. */
	len = build_ns(buf);
	buf[len] = 14;
	buf[len + 1] = 0;
	len += 8;
	set_plen(buf, len - NS_IPV6_HDR_LEN);
	assert_int_equal(parse(buf, len, 0, &info), NS_OPT_ZERO_LEN);
}

static void test_option_truncated(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	/* Claims 16 octets, 8 left in the payload. */
	buf[OPT_OFF + 1] = 2;
	assert_int_equal(parse(buf, len, 0, &info), NS_OPT_TRUNCATED);
	/*
	 * Same, with zeros captured after the payload: the overrun must be
	 * caught before anything past the payload is read as an option.
	 */
	assert_int_equal(parse(buf, BUF_SIZE, 0, &info), NS_OPT_TRUNCATED);
	/* Claims 255 * 8 octets, with plenty captured after the payload. */
	buf[OPT_OFF + 1] = 255;
	assert_int_equal(parse(buf, BUF_SIZE, 0, &info), NS_OPT_TRUNCATED);
}

static void test_option_trailing_byte(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	/* One byte after the SLLA: not even a type and length. */
	buf[len] = 1;
	set_plen(buf, len + 1 - NS_IPV6_HDR_LEN);
	assert_int_equal(parse(buf, len + 1, 0, &info), NS_OPT_TRUNCATED);

	/* Same with no option at all before it. */
	len = build_ns_noopt(buf);
	buf[len] = 1;
	set_plen(buf, NS_MSG_LEN + 1);
	assert_int_equal(parse(buf, len + 1, 0, &info), NS_OPT_TRUNCATED);
}

static void test_target_multicast(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	set_target(buf, "ff02::1");
	assert_int_equal(parse(buf, len, 0, &info), NS_TARGET_MULTICAST);
	set_target(buf, "ff05::1:3");
	assert_int_equal(parse(buf, len, NS_PARSE_ALLOW_LINKLOCAL, &info),
			 NS_TARGET_MULTICAST);
}

static void test_target_loopback(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	set_target(buf, "::1");
	assert_int_equal(parse(buf, len, 0, &info), NS_TARGET_LOOPBACK);
}

static void test_target_unspecified(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	set_target(buf, "::");
	assert_int_equal(parse(buf, len, 0, &info), NS_TARGET_UNSPECIFIED);
}

static void test_target_linklocal(void **state)
{
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	struct in6_addr ll = addr("fe80::1234");
	size_t len = build_ns(buf);

	(void)state;
	set_target(buf, "fe80::1234");
	assert_int_equal(parse(buf, len, 0, &info), NS_TARGET_LINKLOCAL);

	memset(&info, 0, sizeof(info));
	assert_int_equal(parse(buf, len, NS_PARSE_ALLOW_LINKLOCAL, &info), NS_OK);
	assert_memory_equal(&info.target, &ll, sizeof(ll));
}

static void test_dad_source(void **state)
{
	static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t buf[BUF_SIZE];
	struct ns_info info;
	size_t len = build_ns(buf);

	(void)state;
	/* DAD: source ::, nonce option (RFC 7527) instead of the SLLA. */
	set_src(buf, "::");
	buf[OPT_OFF] = 14;
	buf[OPT_OFF + 1] = 1;
	memcpy(buf + OPT_OFF + 2, nonce, sizeof(nonce));
	assert_int_equal(parse(buf, len, 0, &info), NS_SOURCE_UNSPECIFIED);
	assert_int_equal(parse(buf, len, NS_PARSE_ALLOW_LINKLOCAL, &info),
			 NS_SOURCE_UNSPECIFIED);
}

static void test_verdict_names(void **state)
{
	static const char *const expect[NS_VERDICT_MAX] = {
		[NS_OK]			= "ok",
		[NS_SHORT]		= "short",
		[NS_NOT_IPV6]		= "not_ipv6",
		[NS_NEXT_HEADER]	= "next_header",
		[NS_PAYLOAD_LENGTH]	= "payload_length",
		[NS_TYPE]		= "type",
		[NS_CODE]		= "code",
		[NS_HOP_LIMIT]		= "hop_limit",
		[NS_OPT_ZERO_LEN]	= "option_zero_length",
		[NS_OPT_TRUNCATED]	= "option_truncated",
		[NS_TARGET_MULTICAST]	= "target_multicast",
		[NS_TARGET_LOOPBACK]	= "target_loopback",
		[NS_TARGET_UNSPECIFIED]	= "target_unspecified",
		[NS_TARGET_LINKLOCAL]	= "target_link_local",
		[NS_SOURCE_UNSPECIFIED]	= "dad_source",
	};
	int i, j;

	(void)state;
	for (i = 0; i < NS_VERDICT_MAX; i++) {
		const char *name = ns_verdict_name((enum ns_verdict)i);

		assert_non_null(name);
		assert_non_null(expect[i]);	/* the table covers every value */
		assert_string_equal(name, expect[i]);
		assert_string_not_equal(name, "unknown");
		/* Metric labels must tell verdicts apart. */
		for (j = 0; j < i; j++)
			assert_string_not_equal(name,
						ns_verdict_name((enum ns_verdict)j));
	}
	assert_string_equal(ns_verdict_name(NS_VERDICT_MAX), "unknown");
	assert_string_equal(ns_verdict_name((enum ns_verdict)(NS_VERDICT_MAX + 7)),
			    "unknown");
	assert_string_equal(ns_verdict_name((enum ns_verdict)-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_no_options),
		cmocka_unit_test(test_slla_not_ethernet),
		cmocka_unit_test(test_two_options),
		cmocka_unit_test(test_extra_captured_bytes),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_not_ipv6),
		cmocka_unit_test(test_next_header),
		cmocka_unit_test(test_payload_length_small),
		cmocka_unit_test(test_payload_length_large),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_hop_limit),
		cmocka_unit_test(test_option_zero_length),
		cmocka_unit_test(test_option_truncated),
		cmocka_unit_test(test_option_trailing_byte),
		cmocka_unit_test(test_target_multicast),
		cmocka_unit_test(test_target_loopback),
		cmocka_unit_test(test_target_unspecified),
		cmocka_unit_test(test_target_linklocal),
		cmocka_unit_test(test_dad_source),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
