/*
 * The route and proxy requests sent without waiting for their ack: which
 * sequence number asked for what, so that an ack read later (from the
 * event loop) says what it answers. Pure: no sockets; a fixed table.
 *
 * rtnetlink takes a request inside sendmsg(): when the send returns, the
 * route is there (or refused) and the ack is queued on the socket. Acks
 * come back in the order the requests went, one each.
 */
#ifndef NS_MONITOR_RTNL_PENDING_H
#define NS_MONITOR_RTNL_PENDING_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Requests whose ack was not read yet. More than the engine asks for in
 * one turn of the loop in the usual case (a target learned: one route
 * and a proxy per master); the writer reads the acks that are there when
 * it is full. 64 acks (a 36-byte message each, capped) take about 64 KiB
 * of the socket's receive buffer with the kernel's bookkeeping: well
 * within the default.
 */
#define RTNL_PENDING_MAX 64

enum rtnl_req_kind {
	RTNL_REQ_ROUTE_ADD,
	RTNL_REQ_ROUTE_DEL,
	RTNL_REQ_PROXY_ADD,
	RTNL_REQ_PROXY_DEL,
	RTNL_REQ_NEIGH_ADD,	/* the kernel's entry for a learned target */
};

struct rtnl_req {
	uint32_t seq;
	uint8_t kind;		/* enum rtnl_req_kind */
	uint16_t group;
	struct in6_addr addr;
	unsigned int ifindex;	/* the route's (entry's) slave, the proxy's master */
};

/* A ring, oldest first. */
struct rtnl_pending {
	struct rtnl_req q[RTNL_PENDING_MAX];
	unsigned int head, n;
	unsigned long lost;	/* taken as done without their ack */
};

void rtnl_pending_init(struct rtnl_pending *p);
bool rtnl_pending_full(const struct rtnl_pending *p);
unsigned int rtnl_pending_count(const struct rtnl_pending *p);

/* Add r, the newest. -1 when full (nothing changes). */
int rtnl_pending_push(struct rtnl_pending *p, const struct rtnl_req *r);

/*
 * What an outcome reports: the request, err 0 (done) or its errno, and
 * whether a later request (still pending) asks about the same address
 * and kind of object (route, proxy) in its group, which stands instead.
 */
typedef void (*rtnl_pending_cb)(const struct rtnl_req *r, int err,
				bool superseded, void *data);

/*
 * The answer to seq (err: 0 for an ack, else the errno): its request
 * taken out and reported. Older requests whose acks never came (lost to
 * a receive buffer overrun) are taken out before it, reported as done
 * (err 0) and counted in lost. 1, or 0 when seq is none of ours.
 */
int rtnl_pending_answer(struct rtnl_pending *p, uint32_t seq, int err,
			rtnl_pending_cb cb, void *data);

/*
 * Walk a buffer read from the socket: each NLMSG_ERROR (an ack, or an
 * error) answers its request as above; anything else is skipped. How
 * many requests it answered.
 */
unsigned int rtnl_pending_scan(struct rtnl_pending *p, const void *buf,
			       size_t len, rtnl_pending_cb cb, void *data);

/*
 * Every request still pending taken as done (err 0), oldest first, and
 * counted in lost: after an overrun, once the socket was read dry, their
 * acks are gone. How many.
 */
unsigned int rtnl_pending_drop(struct rtnl_pending *p, rtnl_pending_cb cb,
			       void *data);

#endif
