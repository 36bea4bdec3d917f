/*
 * Answers to our probes, read from one raw ICMPv6 socket: the echo replies
 * that come back on a slave, and the NAs answering our own NS (nd_send.c). Such
 * an answer says the target is there, even when the kernel's neighbor entry
 * was already usable (echo) or does not exist at all (our NS).
 */
#ifndef NS_MONITOR_ANSWER_H
#define NS_MONITOR_ANSWER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum answer_kind {
	ANSWER_ECHO_REPLY,	/* target: the reply's source */
	ANSWER_NA,		/* target: the NA's target field */
};

/* mac: an NA's target link-layer address (struct nd_na), or NULL. */
typedef void (*answer_cb)(unsigned int ifindex, const struct in6_addr *target,
			  enum answer_kind kind, const uint8_t *mac,
			  void *data);

/* What answer_read() saw; it only adds. */
struct answer_counters {
	uint64_t echo_replies;	/* replies with our identifier, reported */
	uint64_t nas;		/* valid solicited unicast NAs, reported */
	uint64_t malformed;	/* NAs refused by nd_parse_na(), or without
				   their interface or hop limit */
	uint64_t unsolicited;	/* valid NAs without the S flag, or sent to a
				   multicast group: not an answer to an NS */
};

/*
 * A raw ICMPv6 socket that reads echo replies and NAs only, with the
 * interface, destination and hop limit of each. -1 with errno.
 *
 * Unless link_local (targets may be link-local, --link-local), a socket
 * filter drops in the kernel each NA whose target is link-local: the
 * answers to the kernel's own checks of routers and peers by their
 * link-local addresses, which answer no ask of ours and would wake the
 * daemon for nothing.
 */
int answer_open(bool link_local);

/*
 * Read what is pending; call cb for each echo reply with our identifier and
 * each valid, solicited NA sent to a unicast address (the NA answering our
 * NS is sent to the slave's link-local address). Which NA answers an NS of
 * ours is the caller's question: the kernel's own NS are answered alike.
 */
void answer_read(int fd, uint16_t id, answer_cb cb, void *data,
		 struct answer_counters *c);

struct metrics;

/* The answer socket's counters into m. */
void answer_metrics(const struct answer_counters *a, struct metrics *m);

#endif
