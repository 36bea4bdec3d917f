/*
 * Neighbor Discovery messages of our own: the NS that asks a slave for a
 * target, the checks of the NA that answers it, and the NA that answers
 * the upstream for a target found behind a slave. Pure: bytes and lengths, no sockets,
 * so both are unit tested and the parser is fuzzed.
 *
 * Why our own NS and not the kernel's: an NS the kernel sends is tied to a
 * neighbor entry, and an entry left INCOMPLETE on every slave where the
 * target is not fills the host-wide neighbor table. An NS written whole by
 * a packet socket (nd_send.c) leaves no entry anywhere on this host.
 */
#ifndef NS_MONITOR_ND_H
#define NS_MONITOR_ND_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* IPv6 header (40), NS (24), source link-layer address option for Ethernet (8). */
#define ND_NS_LEN 72
#define ND_NA_MIN_LEN 24	/* type, code, checksum, flags, target */
/* IPv6 header (40), NA (24), target link-layer address option (8). */
#define ND_NA_LEN 72

/* NA flags, as they stand in the first byte after the checksum. */
#define ND_NA_ROUTER 0x80
#define ND_NA_SOLICITED 0x40
#define ND_NA_OVERRIDE 0x20

enum nd_verdict {
	ND_OK = 0,
	ND_SHORT,		/* shorter than an NA */
	ND_TYPE,		/* ICMPv6 type is not 136 */
	ND_CODE,		/* ICMPv6 code is not 0 */
	ND_HOP_LIMIT,		/* hop limit not 255: sent from off-link */
	ND_TARGET_MULTICAST,
	ND_OPT_ZERO_LEN,	/* an option with length 0 (RFC 4861 7.1.2) */
	ND_OPT_TRUNCATED,	/* an option runs past the message */
	ND_VERDICT_MAX
};

/* The solicited-node multicast group of target: ff02::1:ffXX:XXXX. */
void nd_solicited_node(const struct in6_addr *target, struct in6_addr *group);

/* The Ethernet address of an IPv6 multicast group: 33:33 + its last 4 bytes. */
void nd_multicast_mac(const struct in6_addr *group, uint8_t mac[6]);

/*
 * A whole IPv6 packet soliciting target: from src (the slave's link-local
 * address) to target's solicited-node group, hop limit 255, with a source
 * link-layer address option carrying lladdr, ICMPv6 checksum computed (a
 * packet socket sends it as it is). Returns ND_NS_LEN, or 0 if buf is
 * smaller.
 */
size_t nd_build_ns(uint8_t *buf, size_t size, const struct in6_addr *src,
		   const uint8_t lladdr[6], const struct in6_addr *target);

/*
 * A whole IPv6 packet advertising target at lladdr: from src to dst, hop
 * limit 255, flags ND_NA_*, a target link-layer address option (type 2:
 * an NA with a source one is ignored), checksum computed. Returns
 * ND_NA_LEN, or 0 if buf is smaller.
 */
size_t nd_build_na(uint8_t *buf, size_t size, const struct in6_addr *src,
		   const struct in6_addr *dst, const struct in6_addr *target,
		   const uint8_t lladdr[6], uint8_t flags);

/* What nd_parse_na() takes from an NA. */
struct nd_na {
	struct in6_addr target;
	uint8_t flags;		/* ND_NA_* */
	/*
	 * Its first target link-layer address option of Ethernet's length:
	 * an NA answering a multicast NS carries one (RFC 4861 7.2.4). A
	 * multicast or all-zero address names no one station, and counts
	 * as none (lladdr is then not written).
	 */
	bool has_lladdr;
	uint8_t lladdr[6];
};

/*
 * Check an NA as a raw ICMPv6 socket delivers it (icmp starts at the ICMPv6
 * header; the kernel has verified the checksum) against RFC 4861 7.1.2;
 * hoplimit is the packet's (IPV6_RECVHOPLIMIT), -1 if unknown. ND_OK fills
 * *out; any other verdict leaves it alone. Whether it was solicited, and by
 * whom, is the caller's question.
 */
enum nd_verdict nd_parse_na(const uint8_t *icmp, size_t len, int hoplimit,
			    struct nd_na *out);

/* Short name of a verdict, for logs and metric labels ("hop_limit"). */
const char *nd_verdict_name(enum nd_verdict v);

#endif
