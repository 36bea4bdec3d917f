/*
 * One netlink socket over libmnl: open and bind, the receive buffer, and
 * a request with the wait for its answer. Every part that talks netlink
 * (NFLOG, NFQUEUE, rtnetlink, nf_tables) goes through here.
 * Functions return 0 or -1 with errno set unless said otherwise.
 */
#ifndef NS_MONITOR_NLSOCK_H
#define NS_MONITOR_NLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct nlmsghdr;

struct nlsock {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;	/* the last sequence number used */
	int rcvbuf;		/* as last set; 0: the kernel's default */
};

/* How long a request waits for its whole answer. */
#define NLSOCK_TIMEOUT_MS 5000

/*
 * A socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER), bound to the
 * multicast `groups` (0: none), close-on-exec, non-blocking if asked.
 */
int nlsock_open(struct nlsock *s, int protocol, unsigned int groups,
		bool nonblock);
void nlsock_close(struct nlsock *s);
int nlsock_fd(const struct nlsock *s);

/* The next sequence number, for a request about to be built. */
unsigned int nlsock_next_seq(struct nlsock *s);

/*
 * Set the receive buffer: SO_RCVBUFFORCE (CAP_NET_ADMIN, past rmem_max),
 * else SO_RCVBUF. s->rcvbuf changes only when one of them took it.
 */
int nlsock_set_rcvbuf(struct nlsock *s, int size);

/*
 * After ENOBUFS: double the receive buffer, at most to max. Returns the
 * size now, or -1 when it cannot even be read.
 */
int nlsock_grow_rcvbuf(struct nlsock *s, int max);

/*
 * What a request waits for: the end of its answer (NLMSG_DONE, or an
 * NLMSG_ERROR, an ack when its error is 0) with a sequence number from
 * first_seq to last_seq (a batch uses several; the kernel reports an error
 * on the message it refused). Data messages on the way go to cb: those of
 * the request, or all of them with `events` (a socket that also hears
 * multicast events, whose sequence numbers are the senders'). A dump
 * the kernel marks interrupted (NLM_F_DUMP_INTR) is an error (EINTR),
 * unless `events`: the changes that interrupted it come as events.
 */
struct nlsock_wait {
	uint32_t first_seq, last_seq;
	mnl_cb_t cb;		/* NULL: data messages are skipped */
	void *data;
	bool events;
	/*
	 * ENOBUFS ends the wait (-1, errno ENOBUFS): messages of the answer
	 * may be lost, start it over. Otherwise it goes on waiting, as an
	 * ack is never lost (queued packets may be).
	 */
	bool overrun_fails;
};

/*
 * Walk one buffer of messages (pure): 1 when the answer ended well, 0 when
 * more is to come (a tail that does not fit is ignored), -1 with errno
 * (the kernel's error, EBADMSG for a cut error message, or cb's own
 * MNL_CB_ERROR). cb's MNL_CB_STOP ends the answer as well.
 */
int nlsock_answer_scan(const void *buf, size_t len, const struct nlsock_wait *w);

/* Read until the answer ends, at most timeout_ms (then ETIMEDOUT). */
int nlsock_wait(struct nlsock *s, const struct nlsock_wait *w, int timeout_ms);

/*
 * Send one message and wait for its answer: nlh's own sequence number and
 * flags (set NLM_F_ACK for anything but a dump), cb over the data.
 */
int nlsock_talk(struct nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data);

/*
 * Send one message with a new sequence number and NLM_F_ACK, and wait for
 * its ack, skipping whatever else comes meanwhile (packets for a group
 * already bound). timeout_ms as for nlsock_wait().
 */
int nlsock_request(struct nlsock *s, struct nlmsghdr *nlh, int timeout_ms);

/*
 * Send a batch whose messages carry first_seq..last_seq and wait for the
 * first ack or error among them (the messages that asked for one).
 */
int nlsock_batch(struct nlsock *s, const void *batch, size_t len,
		 uint32_t first_seq, uint32_t last_seq);

#endif
