/* Neighbor Solicitation parser: the checks of RFC 4861 7.1.1, and policy. */
#include <string.h>

#include "ns_parse.h"

#define ICMPV6_NEXT_HEADER 58
#define ND_NEIGHBOR_SOLICIT_TYPE 135
#define ND_OPT_SOURCE_LLADDR 1

static const char *const verdict_names[NS_VERDICT_MAX] = {
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

const char *ns_verdict_name(enum ns_verdict v)
{
	if ((unsigned int)v >= NS_VERDICT_MAX)
		return "unknown";
	return verdict_names[v];
}

enum ns_verdict ns_parse(const uint8_t *buf, size_t len, unsigned int flags,
			 struct ns_info *out)
{
	const uint8_t *icmp, *opt;
	size_t plen, left;

	if (len < NS_IPV6_HDR_LEN + NS_MSG_LEN)
		return NS_SHORT;
	if ((buf[0] >> 4) != 6)
		return NS_NOT_IPV6;
	/* The host's own NS carries no extension headers. */
	if (buf[6] != ICMPV6_NEXT_HEADER)
		return NS_NEXT_HEADER;
	plen = (size_t)buf[4] << 8 | buf[5];
	if (plen < NS_MSG_LEN || plen > len - NS_IPV6_HDR_LEN)
		return NS_PAYLOAD_LENGTH;

	icmp = buf + NS_IPV6_HDR_LEN;
	if (icmp[0] != ND_NEIGHBOR_SOLICIT_TYPE)
		return NS_TYPE;
	if (icmp[1] != 0)
		return NS_CODE;
	if (buf[7] != 255)
		return NS_HOP_LIMIT;

	/* Options are 8-octet units; a zero length would loop forever. */
	opt = icmp + NS_MSG_LEN;
	left = plen - NS_MSG_LEN;
	out->has_slla = false;
	while (left > 0) {
		size_t olen;

		if (left < 2)
			return NS_OPT_TRUNCATED;
		olen = (size_t)opt[1] * 8;
		if (olen == 0)
			return NS_OPT_ZERO_LEN;
		if (olen > left)
			return NS_OPT_TRUNCATED;
		if (opt[0] == ND_OPT_SOURCE_LLADDR && olen == 8) {
			memcpy(out->slla, opt + 2, sizeof(out->slla));
			out->has_slla = true;
		}
		opt += olen;
		left -= olen;
	}

	memcpy(&out->src, buf + 8, sizeof(out->src));
	memcpy(&out->dst, buf + 24, sizeof(out->dst));
	memcpy(&out->target, icmp + 8, sizeof(out->target));

	if (IN6_IS_ADDR_MULTICAST(&out->target))
		return NS_TARGET_MULTICAST;
	if (IN6_IS_ADDR_LOOPBACK(&out->target))
		return NS_TARGET_LOOPBACK;
	if (IN6_IS_ADDR_UNSPECIFIED(&out->target))
		return NS_TARGET_UNSPECIFIED;
	if (IN6_IS_ADDR_LINKLOCAL(&out->target) &&
	    !(flags & NS_PARSE_ALLOW_LINKLOCAL))
		return NS_TARGET_LINKLOCAL;
	if (IN6_IS_ADDR_UNSPECIFIED(&out->src))
		return NS_SOURCE_UNSPECIFIED;
	return NS_OK;
}

enum ns_verdict guest_sign_parse(const uint8_t *buf, size_t len,
				 struct in6_addr *addr, bool *dad)
{
	struct ns_info ns;

	if (len < NS_IPV6_HDR_LEN)
		return NS_SHORT;
	if ((buf[0] >> 4) != 6)
		return NS_NOT_IPV6;
	if (ns_parse(buf, len, 0, &ns) == NS_SOURCE_UNSPECIFIED) {
		*addr = ns.target;
		*dad = true;
		return NS_OK;
	}
	*dad = false;
	memcpy(addr, buf + 8, sizeof(*addr));
	if (IN6_IS_ADDR_MULTICAST(addr))
		return NS_TARGET_MULTICAST;
	if (IN6_IS_ADDR_LOOPBACK(addr))
		return NS_TARGET_LOOPBACK;
	if (IN6_IS_ADDR_UNSPECIFIED(addr))
		return NS_SOURCE_UNSPECIFIED;
	if (IN6_IS_ADDR_LINKLOCAL(addr))
		return NS_TARGET_LINKLOCAL;
	return NS_OK;
}
