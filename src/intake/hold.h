/*
 * NFQUEUE hold: packets this host sends to a target not yet located wait
 * here (in the kernel's queue, addressed by packet id) until the daemon
 * knows where the target is. libmnl socket, libnetfilter_queue's nfq_nlmsg_*
 * helpers. The message parse works on a byte buffer, not on the socket, so
 * tests and fuzzers feed it crafted netlink buffers.
 *
 * How a held packet is routed again (tests/integration/test_queue.sh shows
 * it): on an NF_ACCEPT verdict in the output hook the kernel compares the
 * packet's source, destination and mark with what they were when it was
 * queued (nf_reinject() -> nf_reroute() -> nf_ip6_reroute()); if one
 * differs it looks the route up again (ip6_route_me_harder()). A changed
 * mark is the only handle a verdict has, so HOLD_TO_SLAVE flips one mark
 * bit (h->reroute_bit); the new lookup finds the X/128 route via the slave
 * installed just before. HOLD_UNCHANGED accepts with the mark untouched:
 * no new lookup, the packet leaves by the route it had (the master).
 */
#ifndef NS_MONITOR_HOLD_H
#define NS_MONITOR_HOLD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlsock.h"

struct nlmsghdr;

/*
 * The mark bit flipped to force a new route lookup. Not part of the egress
 * marks (BASE + G, matched exactly by the policy rule), so a flipped mark
 * never lands a packet in the egress table; a user's own fwmark rules that
 * test this bit would see it.
 */
#define HOLD_REROUTE_BIT 0x00000100u

/*
 * Only the IPv6 header is read. 40 bytes also keep every packet message a
 * multiple of 4 long, the way the kernel pads all other netlink messages.
 */
#define HOLD_COPY_RANGE 40

/* An unpadded last message is parsed from a copy of at most this size. */
#define HOLD_MSG_PADDED_MAX 1024

enum hold_verdict {
	HOLD_TO_SLAVE,	/* route again, via the changed mark */
	HOLD_UNCHANGED,	/* accept as is: leaves by the master */
};

/* One queued packet, as parsed. */
struct hold_packet {
	uint16_t queue_num;
	uint32_t id;
	bool has_id;		/* a verdict can be given (even if malformed) */
	uint32_t mark;		/* 0 when absent */
	uint32_t outdev;	/* 0 when absent */
	struct in6_addr dst;
};

enum hold_msg_kind {
	HOLD_MSG_PACKET,	/* a queued IPv6 packet: *out is filled */
	HOLD_MSG_OTHER,		/* not a packet message (ignored) */
	HOLD_MSG_MALFORMED,	/* unusable; out->has_id says if it can be
				 * accepted at once (fail open) */
};

/* Parse one netlink message (pure). */
enum hold_msg_kind hold_parse_msg(const struct nlmsghdr *nlh,
				  struct hold_packet *out);

struct hold_stats {
	unsigned long held;		/* packets handed to the callback */
	unsigned long malformed;	/* messages we could not use */
	unsigned long failopen;		/* malformed ones accepted at once */
	unsigned long verdict_errors;	/* verdicts the kernel refused */
	unsigned long untracked;	/* verdicts for ids we did not hold */
};

typedef void (*hold_msg_cb)(enum hold_msg_kind kind,
			    const struct hold_packet *pkt, void *data);

/*
 * Walk a receive buffer, calling cb for every packet message, usable or
 * not (pure). Returns 0, or -1 if the buffer itself is broken (the rest
 * is then dropped and counted once in stats->malformed).
 */
int hold_process(const void *buf, size_t len, hold_msg_cb cb, void *data,
		 struct hold_stats *stats);

/* The socket side. */
struct hold_slot {
	uint32_t id;
	uint32_t mark;
	bool used;
};

struct hold {
	struct nlsock sock;
	uint16_t queue_num;
	uint32_t reroute_bit;
	/* The mark of each packet held, by id: a verdict must change it. */
	struct hold_slot *slots;
	uint32_t nslots;
	uint32_t nheld;
	struct hold_stats stats;
	/* located_G's table (src/egress/hold_located.c); opened on first use. */
	struct nlsock nft;
	uint8_t set_family;		/* NFPROTO_INET */
	const char *set_table;		/* NFT_TABLE */
};

typedef void (*hold_cb)(uint32_t packet_id, const struct in6_addr *dst,
			unsigned int outdev, void *data);

/*
 * Bind queue `queue_num`: copy mode packet (HOLD_COPY_RANGE bytes), at most
 * max_len packets held, and fail open (a full queue, or a message the
 * kernel cannot deliver to us, accepts the packet rather than drop it).
 * Returns 0, or -1 with errno set, having logged what to do.
 */
int hold_open(struct hold *h, uint16_t queue_num, uint32_t max_len);
int hold_fd(const struct hold *h);

/* Drain up to a bounded number of messages, calling cb for each packet. */
void hold_read(struct hold *h, hold_cb cb, void *data);

/* Release one held packet. 0, or -1 with errno set. */
int hold_verdict(struct hold *h, uint32_t packet_id, enum hold_verdict v);

/*
 * Unbind and close. Packets still held are dropped by the kernel when the
 * socket goes: release them first.
 */
void hold_close(struct hold *h);

/*
 * Add dst to located_G with a timeout, so that its packets skip the queue
 * (src/egress/hold_located.c, libnftnl over its own netlink socket). An element
 * already there is left as it is. 0, or -1 with errno set (ENOENT: no such
 * set, the --queue rules are not loaded).
 */
int hold_located_add(struct hold *h, uint16_t group, const struct in6_addr *dst,
		     uint32_t timeout_ms);

#endif
