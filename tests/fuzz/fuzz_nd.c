/*
 * libFuzzer target for nd.c. The first input byte is the hop limit the
 * socket reported, the rest an ICMPv6 message as a raw socket delivers it:
 * nd_parse_na() must accept only what RFC 4861 7.1.2 allows, and leave its
 * outputs alone otherwise. The same bytes, taken as a source and a target,
 * also go through nd_build_ns() and back through ns_parse(): what we send
 * is an NS our own parser accepts.
 *
 * Build: tests/fuzz/run.sh, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude tests/fuzz/fuzz_nd.c src/nd.c src/ns_parse.c -o build/fuzz/fuzz_nd
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "nd.h"
#include "ns_parse.h"

/* The options exactly tile the message after the NA body, none of length 0. */
static int options_tile(const uint8_t *opt, size_t left)
{
	while (left > 0) {
		size_t olen;

		if (left < 2)
			return 0;
		olen = (size_t)opt[1] * 8;
		if (olen == 0 || olen > left)
			return 0;
		opt += olen;
		left -= olen;
	}
	return 1;
}

static void fuzz_parse(int hoplimit, const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the end. */
	uint8_t *icmp = malloc(size ? size : 1);
	struct nd_na na, untouched;
	enum nd_verdict v;

	CHECK(icmp != NULL);
	memcpy(icmp, data, size);
	memset(&na, 0x5a, sizeof(na));
	memset(&untouched, 0x5a, sizeof(untouched));
	v = nd_parse_na(icmp, size, hoplimit, &na);
	CHECK((unsigned int)v < ND_VERDICT_MAX);
	CHECK(strcmp(nd_verdict_name(v), "unknown") != 0);
	if (v == ND_OK) {
		CHECK(size >= ND_NA_MIN_LEN);
		CHECK(icmp[0] == 136 && icmp[1] == 0);
		CHECK(hoplimit == 255);
		CHECK(icmp[8] != 0xff);
		CHECK(memcmp(&na.target, icmp + 8, 16) == 0);
		CHECK(na.flags == (icmp[4] & 0xe0));
		CHECK(options_tile(icmp + ND_NA_MIN_LEN, size - ND_NA_MIN_LEN));
		if (na.has_lladdr)
			CHECK(!(na.lladdr[0] & 1));
	} else {
		CHECK(memcmp(&na, &untouched, sizeof(na)) == 0);
	}
	free(icmp);
}

static void fuzz_build(const uint8_t *data, size_t size)
{
	struct in6_addr src, target, group;
	uint8_t lladdr[6], pkt[ND_NS_LEN], mac[6];
	struct ns_info ns;
	enum ns_verdict v;

	if (size < 38)
		return;
	memcpy(&src, data, 16);
	memcpy(&target, data + 16, 16);
	memcpy(lladdr, data + 32, 6);
	CHECK(nd_build_ns(pkt, sizeof(pkt) - 1, &src, lladdr, &target) == 0);
	CHECK(nd_build_ns(pkt, sizeof(pkt), &src, lladdr, &target) == ND_NS_LEN);
	v = ns_parse(pkt, sizeof(pkt), NS_PARSE_ALLOW_LINKLOCAL, &ns);
	/* Only the addresses themselves can make it refused. */
	if (IN6_IS_ADDR_MULTICAST(&target))
		CHECK(v == NS_TARGET_MULTICAST);
	else if (IN6_IS_ADDR_LOOPBACK(&target))
		CHECK(v == NS_TARGET_LOOPBACK);
	else if (IN6_IS_ADDR_UNSPECIFIED(&target))
		CHECK(v == NS_TARGET_UNSPECIFIED);
	else if (IN6_IS_ADDR_UNSPECIFIED(&src))
		CHECK(v == NS_SOURCE_UNSPECIFIED);
	else
		CHECK(v == NS_OK);
	CHECK(memcmp(&ns.target, &target, 16) == 0);
	CHECK(memcmp(&ns.src, &src, 16) == 0);
	nd_solicited_node(&target, &group);
	CHECK(memcmp(&ns.dst, &group, 16) == 0);
	CHECK(memcmp(pkt + 66, lladdr, 6) == 0);
	nd_multicast_mac(&group, mac);
	CHECK(mac[0] == 0x33 && mac[1] == 0x33 && mac[2] == 0xff);
	CHECK(memcmp(mac + 3, target.s6_addr + 13, 3) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_parse(data[0], data + 1, size - 1);
	fuzz_build(data + 1, size - 1);
	return 0;
}
