/*
 * libFuzzer target for ns_parse(): every input is parsed with and without
 * NS_PARSE_ALLOW_LINKLOCAL, and an NS_OK verdict must satisfy the checks
 * the parser promises (RFC 4861 7.1.1 plus our policy). A broken invariant
 * aborts, which libFuzzer reports as a crash.
 *
 * Build: tests/fuzz/run.sh, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude tests/fuzz/fuzz_ns_parse.c src/ns_parse.c -o build/fuzz/fuzz_ns_parse
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ns_parse.h"

/* The options exactly tile the payload after the NS body, none of length 0. */
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

static void check_ok(const uint8_t *data, size_t size, unsigned int flags,
		     const struct ns_info *ns)
{
	const uint8_t *icmp = data + NS_IPV6_HDR_LEN;
	size_t plen;

	/* Only reached with a full header and NS body. */
	CHECK(size >= NS_IPV6_HDR_LEN + NS_MSG_LEN);
	CHECK(data[0] >> 4 == 6);
	CHECK(data[6] == 58);
	CHECK(data[7] == 255);
	CHECK(icmp[0] == 135 && icmp[1] == 0);

	/* The payload length field fits in what was captured. */
	plen = (size_t)data[4] << 8 | data[5];
	CHECK(plen >= NS_MSG_LEN);
	CHECK(plen <= size - NS_IPV6_HDR_LEN);
	CHECK(options_tile(icmp + NS_MSG_LEN, plen - NS_MSG_LEN));

	/* The addresses are the packet's. */
	CHECK(memcmp(&ns->src, data + 8, 16) == 0);
	CHECK(memcmp(&ns->dst, data + 24, 16) == 0);
	CHECK(memcmp(&ns->target, icmp + 8, 16) == 0);

	CHECK(!IN6_IS_ADDR_MULTICAST(&ns->target));
	CHECK(!IN6_IS_ADDR_LOOPBACK(&ns->target));
	CHECK(!IN6_IS_ADDR_UNSPECIFIED(&ns->target));
	CHECK(!IN6_IS_ADDR_LINKLOCAL(&ns->target) ||
	      (flags & NS_PARSE_ALLOW_LINKLOCAL));
	CHECK(!IN6_IS_ADDR_UNSPECIFIED(&ns->src));	/* not DAD */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int flag_values[2] = { 0, NS_PARSE_ALLOW_LINKLOCAL };
	enum ns_verdict v[2];
	struct ns_info ns[2];

	for (int i = 0; i < 2; i++) {
		const char *name;

		memset(&ns[i], 0xa5, sizeof(ns[i]));
		v[i] = ns_parse(data, size, flag_values[i], &ns[i]);
		CHECK((unsigned int)v[i] < NS_VERDICT_MAX);
		name = ns_verdict_name(v[i]);
		CHECK(name && strcmp(name, "unknown") != 0);
		if (v[i] == NS_OK)
			check_ok(data, size, flag_values[i], &ns[i]);
	}
	/* The flag only ever turns "link-local target" into something else. */
	if (v[0] != v[1]) {
		CHECK(v[0] == NS_TARGET_LINKLOCAL);
		CHECK(IN6_IS_ADDR_LINKLOCAL(&ns[1].target));
	}
	/* With the flag, a link-local target is never the reason. */
	CHECK(v[1] != NS_TARGET_LINKLOCAL);
	return 0;
}
