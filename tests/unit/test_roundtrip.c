/*
 * Build -> parse round trips: what ns-monitor sends, read back by the code
 * that reads such packets. An echo request (echo_build) answered as
 * RFC 4443 4.2 says is a reply echo_is_reply() takes for ours; our NS
 * (nd_build_ns) is one ns_parse() accepts, with the target, source and
 * link-layer address we gave and a checksum that holds. Many targets, ids
 * and sequence numbers, from a fixed pseudo-random sequence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "nd.h"
#include "ns_parse.h"
#include "echo.h"

#define ROUNDS 2000

/* xorshift32: the same sequence on every run, so a failure repeats. */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static void random_bytes(uint32_t *state, uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)next_random(state);
}

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/*
 * A unicast address of the kind ns-monitor asks for: a random interface
 * identifier under a global, a unique local or a link-local prefix.
 */
static struct in6_addr random_target(uint32_t *state)
{
	static const char *const prefixes[] = { "2001:db8:1::", "fd00:1234::",
						"fe80::", "2a01:4f8:c0c:1::" };
	struct in6_addr a = addr(prefixes[next_random(state) % 4]);

	random_bytes(state, a.s6_addr + 8, 8);
	return a;
}

/*
 * Whether the ICMPv6 checksum of a whole IPv6 packet holds, summed here
 * apart from nd.c: the pseudo-header of RFC 8200 8.1 and the message,
 * checksum included, fold to 0xffff.
 */
static int checksum_holds(const uint8_t *pkt, size_t len)
{
	size_t plen = (size_t)pkt[4] << 8 | pkt[5];
	uint32_t sum = 0;

	assert_true(len >= 40 && plen == len - 40);
	for (size_t i = 8; i < 40; i += 2)		/* source, destination */
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	sum += (uint32_t)plen + pkt[6];			/* length, next header */
	for (size_t i = 40; i < len; i += 2)
		sum += (uint32_t)pkt[i] << 8 | (i + 1 < len ? pkt[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The fields of an echo message (RFC 4443 4.1), read from the wire. */
struct echo_fields {
	uint8_t type, code;
	uint16_t checksum, id, seq;
};

static struct echo_fields read_echo(const uint8_t *m)
{
	struct echo_fields f = {
		.type = m[0],
		.code = m[1],
		.checksum = (uint16_t)(m[2] << 8 | m[3]),
		.id = (uint16_t)(m[4] << 8 | m[5]),
		.seq = (uint16_t)(m[6] << 8 | m[7]),
	};

	return f;
}

static void test_echo_round_trip(void **state)
{
	uint32_t rnd = 0x6e730087;

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		uint16_t id = (uint16_t)next_random(&rnd);
		uint16_t seq = (uint16_t)next_random(&rnd);
		uint16_t other = (uint16_t)(id ^ (1u << (next_random(&rnd) % 16)));
		uint8_t msg[PROBE_ECHO_LEN];
		struct echo_fields f;

		/* The extremes are in every run. */
		if (i == 0)
			id = 0, seq = 0;
		else if (i == 1)
			id = 0xffff, seq = 0xffff;
		memset(msg, 0xa5, sizeof(msg));
		assert_int_equal(echo_build(msg, sizeof(msg), id, seq),
				 PROBE_ECHO_LEN);
		f = read_echo(msg);
		assert_int_equal(f.type, 128);
		assert_int_equal(f.code, 0);
		/* Left to the kernel, which sums it over the pseudo-header of
		   the slave's source and the target (RFC 3542 3.1). */
		assert_int_equal(f.checksum, 0);
		assert_int_equal(f.id, id);
		assert_int_equal(f.seq, seq);
		/* Our own request is never taken for an answer. */
		assert_false(echo_is_reply(msg, sizeof(msg), id));

		/* The target's reply: type 129, identifier and sequence
		   number copied; its checksum the kernel has checked. */
		msg[0] = 129;
		msg[2] = (uint8_t)next_random(&rnd);
		msg[3] = (uint8_t)next_random(&rnd);
		assert_true(echo_is_reply(msg, sizeof(msg), id));
		f = read_echo(msg);
		assert_int_equal(f.id, id);
		assert_int_equal(f.seq, seq);
		/* Another process's identifier, one bit apart, is not ours. */
		assert_false(echo_is_reply(msg, sizeof(msg), other));
		assert_false(echo_is_reply(msg, PROBE_ECHO_LEN - 1, id));
	}
}

static void test_ns_round_trip(void **state)
{
	uint32_t rnd = 0x87;

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct in6_addr src = addr("fe80::"), target, group;
		uint8_t mac[6], pkt[ND_NS_LEN];
		struct ns_info ns;
		enum ns_verdict v;

		/* The slave's link-local source; a MAC that is unicast. */
		random_bytes(&rnd, src.s6_addr + 8, 8);
		random_bytes(&rnd, mac, sizeof(mac));
		mac[0] &= 0xfe;
		target = random_target(&rnd);

		memset(pkt, 0xa5, sizeof(pkt));
		assert_int_equal(nd_build_ns(pkt, sizeof(pkt), &src, mac, &target),
				 ND_NS_LEN);
		assert_true(checksum_holds(pkt, sizeof(pkt)));

		memset(&ns, 0x5a, sizeof(ns));
		v = ns_parse(pkt, sizeof(pkt), NS_PARSE_ALLOW_LINKLOCAL, &ns);
		assert_int_equal(v, NS_OK);
		assert_memory_equal(&ns.target, &target, sizeof(target));
		assert_memory_equal(&ns.src, &src, sizeof(src));
		nd_solicited_node(&target, &group);
		assert_memory_equal(&ns.dst, &group, sizeof(group));
		assert_true(ns.has_slla);
		assert_memory_equal(ns.slla, mac, sizeof(mac));

		/* Without the flag, only a link-local target is refused. */
		v = ns_parse(pkt, sizeof(pkt), 0, &ns);
		assert_int_equal(v, IN6_IS_ADDR_LINKLOCAL(&target) ?
				 NS_TARGET_LINKLOCAL : NS_OK);

		/* A byte changed in transit is seen by the checksum. */
		pkt[48 + next_random(&rnd) % 16] ^= 0x01;
		assert_false(checksum_holds(pkt, sizeof(pkt)));
	}
}

/* Our NA to the upstream, read back by the checks a receiver makes. */
static void test_na_round_trip(void **state)
{
	static const uint8_t flag_sets[] = {
		ND_NA_SOLICITED, ND_NA_SOLICITED | ND_NA_OVERRIDE, ND_NA_OVERRIDE,
		ND_NA_ROUTER | ND_NA_SOLICITED,
	};
	uint32_t rnd = 0x135;

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct in6_addr src = random_target(&rnd);
		struct in6_addr dst = random_target(&rnd);
		struct in6_addr target = random_target(&rnd);
		uint8_t flags = flag_sets[i % sizeof(flag_sets)];
		struct nd_na got;
		uint8_t mac[6], pkt[ND_NA_LEN];

		random_bytes(&rnd, mac, sizeof(mac));
		assert_int_equal(nd_build_na(pkt, sizeof(pkt), &src, &dst, &target,
					     mac, flags), ND_NA_LEN);
		assert_true(checksum_holds(pkt, sizeof(pkt)));
		assert_memory_equal(pkt + 8, &src, 16);
		assert_memory_equal(pkt + 24, &dst, 16);
		memset(&got, 0, sizeof(got));
		assert_int_equal(nd_parse_na(pkt + 40, sizeof(pkt) - 40, 255,
					     &got), ND_OK);
		assert_memory_equal(&got.target, &target, sizeof(target));
		assert_int_equal(got.flags, flags);
		assert_memory_equal(pkt + 66, mac, sizeof(mac));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_round_trip),
		cmocka_unit_test(test_ns_round_trip),
		cmocka_unit_test(test_na_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
