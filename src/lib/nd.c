/* Our own Neighbor Solicitation, and the checks of an NA (RFC 4861). */
#include <string.h>

#include "nd.h"

#define IPV6_HDR_LEN 40
#define ICMPV6_NEXT_HEADER 58
#define ND_NS_TYPE 135
#define ND_NA_TYPE 136
#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define ND_MSG_LEN 24		/* NS and NA alike: type .. target */
#define ND_SLLA_LEN 8		/* one 8-octet unit: type, length, 6 bytes */

static const char *const verdict_names[ND_VERDICT_MAX] = {
	[ND_OK]			= "ok",
	[ND_SHORT]		= "short",
	[ND_TYPE]		= "type",
	[ND_CODE]		= "code",
	[ND_HOP_LIMIT]		= "hop_limit",
	[ND_TARGET_MULTICAST]	= "target_multicast",
	[ND_OPT_ZERO_LEN]	= "option_zero_length",
	[ND_OPT_TRUNCATED]	= "option_truncated",
};

const char *nd_verdict_name(enum nd_verdict v)
{
	if ((unsigned int)v >= ND_VERDICT_MAX)
		return "unknown";
	return verdict_names[v];
}

void nd_solicited_node(const struct in6_addr *target, struct in6_addr *group)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					    0, 0, 0, 0x01, 0xff };
	struct in6_addr g;

	memcpy(g.s6_addr, prefix, sizeof(prefix));
	memcpy(g.s6_addr + 13, target->s6_addr + 13, 3);
	/* cppcheck-suppress uninitvar ; the two memcpy fill all 16 bytes */
	*group = g;
}

void nd_multicast_mac(const struct in6_addr *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}

/* One's complement sum of 16-bit big-endian words (RFC 1071), not folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The ICMPv6 checksum over the pseudo-header of RFC 8200 8.1. */
static uint16_t icmp6_checksum(const struct in6_addr *src,
			       const struct in6_addr *dst,
			       const uint8_t *icmp, size_t len)
{
	uint32_t sum = 0;

	sum = sum16(sum, src->s6_addr, 16);
	sum = sum16(sum, dst->s6_addr, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += ICMPV6_NEXT_HEADER;
	sum = sum16(sum, icmp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * An IPv6 header, hop limit 255 (or every receiver drops it, RFC 4861
 * 7.1.1 and 7.1.2), and the ND message with its one link-layer address
 * option; the checksum is computed last.
 */
static void build_nd(uint8_t *buf, const struct in6_addr *src,
		     const struct in6_addr *dst, uint8_t type, uint8_t flags,
		     const struct in6_addr *target, uint8_t opt_type,
		     const uint8_t lladdr[6])
{
	const size_t plen = ND_MSG_LEN + ND_SLLA_LEN;
	uint8_t *icmp = buf + IPV6_HDR_LEN;
	uint16_t sum;

	memset(buf, 0, IPV6_HDR_LEN + plen);
	/* Version 6, traffic class and flow label 0, as the kernel's own. */
	buf[0] = 0x60;
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
	buf[6] = ICMPV6_NEXT_HEADER;
	buf[7] = 255;
	memcpy(buf + 8, src->s6_addr, 16);
	memcpy(buf + 24, dst->s6_addr, 16);

	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target->s6_addr, 16);
	icmp[24] = opt_type;
	icmp[25] = 1;
	memcpy(icmp + 26, lladdr, 6);

	sum = icmp6_checksum(src, dst, icmp, plen);
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
}

size_t nd_build_ns(uint8_t *buf, size_t size, const struct in6_addr *src,
		   const uint8_t lladdr[6], const struct in6_addr *target)
{
	struct in6_addr group;

	if (size < ND_NS_LEN)
		return 0;
	nd_solicited_node(target, &group);
	/* With our link-layer address the answer comes straight back. */
	build_nd(buf, src, &group, ND_NS_TYPE, 0, target,
		 ND_OPT_SOURCE_LLADDR, lladdr);
	return ND_NS_LEN;
}

size_t nd_build_na(uint8_t *buf, size_t size, const struct in6_addr *src,
		   const struct in6_addr *dst, const struct in6_addr *target,
		   const uint8_t lladdr[6], uint8_t flags)
{
	if (size < ND_NA_LEN)
		return 0;
	build_nd(buf, src, dst, ND_NA_TYPE, flags, target,
		 ND_OPT_TARGET_LLADDR, lladdr);
	return ND_NA_LEN;
}

enum nd_verdict nd_parse_na(const uint8_t *icmp, size_t len, int hoplimit,
			    struct nd_na *out)
{
	static const uint8_t zero[6];
	const uint8_t *opt, *lladdr = NULL;
	size_t left;
	struct in6_addr t;

	if (len < ND_NA_MIN_LEN)
		return ND_SHORT;
	if (icmp[0] != ND_NA_TYPE)
		return ND_TYPE;
	if (icmp[1] != 0)
		return ND_CODE;
	if (hoplimit != 255)
		return ND_HOP_LIMIT;
	memcpy(&t, icmp + 8, sizeof(t));
	if (IN6_IS_ADDR_MULTICAST(&t))
		return ND_TARGET_MULTICAST;

	/* Options are 8-octet units; a zero length would loop forever. */
	opt = icmp + ND_MSG_LEN;
	left = len - ND_MSG_LEN;
	while (left > 0) {
		size_t olen;

		if (left < 2)
			return ND_OPT_TRUNCATED;
		olen = (size_t)opt[1] * 8;
		if (olen == 0)
			return ND_OPT_ZERO_LEN;
		if (olen > left)
			return ND_OPT_TRUNCATED;
		if (!lladdr && opt[0] == ND_OPT_TARGET_LLADDR && olen == 8)
			lladdr = opt + 2;
		opt += olen;
		left -= olen;
	}

	out->target = t;
	out->flags = icmp[4] & (ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
	out->has_lladdr = lladdr && !(lladdr[0] & 1) &&
			  memcmp(lladdr, zero, sizeof(zero)) != 0;
	if (out->has_lladdr)
		memcpy(out->lladdr, lladdr, sizeof(out->lladdr));
	return ND_OK;
}
