/*
 * NFLOG intake over libmnl with libnetfilter_log's nflog_nlmsg_* helpers.
 * Message parsing works on a byte buffer, not on the socket, so tests and
 * fuzzers feed it crafted netlink buffers.
 */
#ifndef NS_MONITOR_NFLOG_H
#define NS_MONITOR_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "nlsock.h"

struct nlmsghdr;

struct nflog_sock {
	struct nlsock sock;
};

/* One logged packet. `payload` points into the receive buffer. */
struct nflog_packet {
	uint16_t group;
	uint32_t indev;		/* 0 when absent */
	uint32_t outdev;	/* 0 when absent */
	const uint8_t *payload;	/* network header onwards; NULL when absent */
	size_t payload_len;
	uint32_t seq;		/* the group's sequence number, if has_seq */
	bool has_seq;
	const char *prefix;	/* the rule's log prefix, not terminated */
	size_t prefix_len;	/* ...its length up to any NUL; 0: none */
};

/*
 * Whether pkt was logged with this prefix. Inline: asked of every logged
 * packet with a literal, whose length and comparison the compiler then
 * does in place, without a call into the C library.
 */
static inline bool nflog_prefix_is(const struct nflog_packet *pkt,
				   const char *prefix)
{
	size_t n = strlen(prefix);

	return pkt->prefix && pkt->prefix_len == n &&
	       memcmp(pkt->prefix, prefix, n) == 0;
}

/* Outcome of parsing one netlink message. */
enum nflog_msg_kind {
	NFLOG_MSG_PACKET,	/* a logged packet: *out is filled */
	NFLOG_MSG_OTHER,	/* not a packet message (ignored) */
	NFLOG_MSG_MALFORMED,	/* a packet message we could not parse */
};

enum nflog_msg_kind nflog_parse_msg(const struct nlmsghdr *nlh,
				    struct nflog_packet *out);

typedef void (*nflog_packet_cb)(const struct nflog_packet *pkt, void *data);

struct nflog_batch_stats {
	unsigned long packets;
	unsigned long malformed;
};

/*
 * Walk a receive buffer, calling cb for each packet. Returns 0, or -1 if the
 * buffer itself is broken (then the rest of it is dropped).
 */
int nflog_process(const void *buf, size_t len, nflog_packet_cb cb, void *data,
		  struct nflog_batch_stats *stats);

/* Socket side. Functions return 0 or -1 with errno set. */
int nflog_sock_open(struct nflog_sock *nf);
void nflog_sock_close(struct nflog_sock *nf);
int nflog_sock_fd(const struct nflog_sock *nf);

/*
 * Bind `group` and ask for each packet at once: copy mode packet limited to
 * copy_range bytes, queue threshold 1, flush timeout 0, and a sequence
 * number on each, so that messages the kernel could not deliver are counted
 * exactly. The kernel refuses a group bound elsewhere with EPERM.
 */
int nflog_sock_bind(struct nflog_sock *nf, uint16_t group, uint32_t copy_range);
int nflog_sock_unbind(struct nflog_sock *nf, uint16_t group);

/*
 * Whether some socket in this network namespace has `group` bound, from
 * /proc/net/netfilter/nfnetlink_log. The kernel answers a bind of a taken
 * group with EPERM, the same as for a missing privilege: this tells them
 * apart. Returns 1 (with the binding socket's port id in *portid unless
 * NULL), 0, or -1 when the file cannot be read.
 */
int nflog_group_bound(uint16_t group, uint32_t *portid);

/* Grow the receive buffer after ENOBUFS, up to max; returns the new size. */
int nflog_sock_grow_rcvbuf(struct nflog_sock *nf, int max);

#endif
