/*
 * Neighbor Solicitation parser. Pure: it sees bytes and a length, never a
 * socket, and keeps no state, so it can be unit tested and fuzzed.
 */
#ifndef NS_MONITOR_NS_PARSE_H
#define NS_MONITOR_NS_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ns_verdict {
	NS_OK = 0,
	NS_SHORT,		/* shorter than an IPv6 header plus an NS */
	NS_NOT_IPV6,		/* IP version is not 6 */
	NS_NEXT_HEADER,		/* next header is not ICMPv6 */
	NS_PAYLOAD_LENGTH,	/* payload length too small or beyond the capture */
	NS_TYPE,		/* ICMPv6 type is not 135 */
	NS_CODE,		/* ICMPv6 code is not 0 */
	NS_HOP_LIMIT,		/* hop limit is not 255 */
	NS_OPT_ZERO_LEN,	/* an option with length 0 (RFC 4861 7.1.1) */
	NS_OPT_TRUNCATED,	/* an option runs past the payload */
	NS_TARGET_MULTICAST,
	NS_TARGET_LOOPBACK,
	NS_TARGET_UNSPECIFIED,
	NS_TARGET_LINKLOCAL,
	NS_SOURCE_UNSPECIFIED,	/* duplicate address detection */
	NS_VERDICT_MAX
};

/* Flags for ns_parse(). */
#define NS_PARSE_ALLOW_LINKLOCAL 0x1

struct ns_info {
	struct in6_addr src;
	struct in6_addr dst;
	struct in6_addr target;
	uint8_t slla[6];	/* the sender's link-layer address, */
	bool has_slla;		/* ...if it gave one (Ethernet's 6 bytes) */
};

#define NS_IPV6_HDR_LEN 40
#define NS_MSG_LEN 24		/* type, code, checksum, reserved, target */

enum ns_verdict ns_parse(const uint8_t *buf, size_t len, unsigned int flags,
			 struct ns_info *out);

/*
 * A packet logged on a slave as a new guest's sign: its duplicate address
 * detection (an NS from ::, for the address it is about to take: *dad set,
 * *addr the target) or any packet from a global address (*addr the source).
 * NS_OK, or why it is no sign (the target verdicts say it of the source).
 */
enum ns_verdict guest_sign_parse(const uint8_t *buf, size_t len,
				 struct in6_addr *addr, bool *dad);

/* Short name of a verdict, for logs and metric labels ("hop_limit"). */
const char *ns_verdict_name(enum ns_verdict v);

#endif
