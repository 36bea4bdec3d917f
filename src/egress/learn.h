/*
 * Learning's egress: the routes (X/128 dev SLAVE, proto ns-monitor) and
 * proxy entries the engine decides on.
 * Purges what a killed run left; removes what it made at exit.
 */
#ifndef NS_MONITOR_LEARN_H
#define NS_MONITOR_LEARN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "proxy_ndp_state.h"
#include "rtnl.h"
#include "rtnl_pending.h"

struct learn_counters {
	unsigned long routes_added;
	unsigned long routes_removed;
	unsigned long proxies_added;
	unsigned long proxies_removed;
	unsigned long neighbors_added;	/* entries made with a route */
	unsigned long ack_overruns;	/* ENOBUFS on the writes' socket */
};

/*
 * A route the kernel refused (a route_add, or a move's add), for the
 * caller to hand to the engine (engine_route_failed()).
 */
struct learn_failure {
	uint16_t group;
	struct in6_addr target;
	unsigned int slave;
};

/* Refusals kept until the caller takes them; beyond, learn_resync(). */
#define LEARN_FAILURES_MAX 64

struct learn {
	const struct config *cfg;
	struct rtnl rtnl;		/* purges and queries: answers awaited */
	/*
	 * The engine's routes and proxy entries: sent without waiting, their
	 * acks read later (learn_read_acks) and matched in `pending`.
	 */
	struct rtnl writes;
	struct rtnl_pending pending;
	struct learn_failure failed[LEARN_FAILURES_MAX];
	unsigned int nfailed;
	bool resync;			/* outcomes lost: read the kernel again */
	bool overrun;			/* ENOBUFS since the socket was dry */
	struct proxy_ndp_state proxy_ndp;	/* what we turned on */
	bool forwarding_warned;
	bool withdrawn;			/* learn_withdraw() ran */
	struct learn_counters c;
};

/*
 * Purge what a killed run of the same groups left: routes (kept for
 * intake_kernel_adopt with --learn-routes), proxy entries, proxy_ndp turned on.
 * Each group's routes carry a metric of their own (learn_route_metric), so
 * another instance's are left alone; no live instance can own ours, as we
 * hold the NFLOG groups.
 */
int learn_init(struct learn *l, const struct config *cfg);

/*
 * At exit: remove every route and proxy entry of ours (unless
 * --keep-routes), counted in routes_removed and proxies_removed. Once;
 * learn_fini() does it if it was not done.
 */
void learn_withdraw(struct learn *l);

/* learn_withdraw(), proxy_ndp as it was, the socket closed. */
void learn_fini(struct learn *l);

/*
 * The engine's egress for routes and proxies (engine.h). Each request is
 * sent and not waited for: rtnetlink carries it out inside the send, so
 * the route or entry is there when these return, and the ack comes
 * later (learn_read_acks). A move sends its delete and its add at once.
 */
void learn_route_add(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave,
		     const uint8_t *mac);
void learn_route_move(struct learn *l, uint16_t group,
		      const struct in6_addr *target, unsigned int from,
		      unsigned int to);
void learn_route_del(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave);
/* A confirm: the kernel's neighbor entry from the target's NA, no route. */
void learn_neigh_add(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave,
		     const uint8_t mac[6]);
/* master: its ifindex, and its name (kept by the caller). */
void learn_proxy(struct learn *l, uint16_t group, const struct in6_addr *target,
		 unsigned int master, const char *ifname, bool add);

/* The writes' socket, for the event loop: readable when acks came. */
int learn_fd(const struct learn *l);

/*
 * Read the acks there are, without blocking: each one counted, an error
 * logged, a refused route kept for learn_next_failure().
 */
void learn_read_acks(struct learn *l);

/*
 * The same for the requests sent in this turn of the loop, before it
 * sleeps: rtnetlink queued their acks inside the sends, so as many reads
 * as are pending take them, and the loop is not woken again for them.
 */
void learn_take_acks(struct learn *l);

/* The oldest refused route not taken yet: 1 and *f, or 0 when none. */
int learn_next_failure(struct learn *l, struct learn_failure *f);

/*
 * Whether outcomes were lost since the last call (acks overrun, or more
 * refusals than LEARN_FAILURES_MAX kept): the caller then compares the
 * kernel's routes with the engine's (intake_kernel_reconcile). Clears it.
 */
bool learn_resync(struct learn *l);

/* The metric of group's learned routes: it marks them as the group's. */
uint32_t learn_route_metric(const struct config *cfg, uint16_t group);

struct metrics;

/* Routes and proxies added and removed, into m. */
void learn_metrics(const struct learn *l, struct metrics *m);

#endif
