/*
 * Asks on the masters, sent once the loop has nothing else to do. They
 * check a guest's claim (the engine gives the master's link 50 ms to
 * answer) or look for a held packet's target there, and decide nothing
 * that waits on them now: sent at once, each comes between a guest's NS
 * and the NA that answers it, and on a veth the send carries the
 * master's link's processing of it in line. They wait at most
 * IDLE_ASKS_WAIT_NS behind other work, and IDLE_ASKS_MAX of them: one
 * more sends the oldest at once.
 */
#ifndef NS_MONITOR_IDLE_ASKS_H
#define NS_MONITOR_IDLE_ASKS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define IDLE_ASKS_MAX 64
#define IDLE_ASKS_WAIT_NS 1000000ull	/* 1 ms */

struct idle_ask {
	uint64_t since;
	uint16_t group;
	unsigned int master;	/* ifindex */
	struct in6_addr target;
};

/* A ring, oldest first; zeroed, it is empty. */
struct idle_asks {
	struct idle_ask q[IDLE_ASKS_MAX];
	unsigned int head, n;
};

/*
 * Keep ask until idle. When the ring is full, its oldest is taken out
 * for the caller to send now: true with *out filled.
 */
bool idle_asks_push(struct idle_asks *a, const struct idle_ask *ask,
		    struct idle_ask *out);

/*
 * The oldest ask, taken out: any (idle), or only one kept since before
 * now - IDLE_ASKS_WAIT_NS (overdue). false when there is none.
 */
bool idle_asks_take(struct idle_asks *a, struct idle_ask *out);
bool idle_asks_take_overdue(struct idle_asks *a, uint64_t now,
			    struct idle_ask *out);

static inline bool idle_asks_any(const struct idle_asks *a)
{
	return a->n != 0;
}

#endif
