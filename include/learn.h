/*
 * Learning: once a target answers behind a slave, route it there
 * (X/128 dev SLAVE, proto ns-monitor) and, with --proxy-ndp, answer for it
 * on the masters. Tied to reachability from rtnetlink neighbor events, not
 * to the garbage collection of idle entries; never leaked.
 */
#ifndef NS_MONITOR_LEARN_H
#define NS_MONITOR_LEARN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "netmon.h"
#include "proxy_ndp_state.h"

#define LEARN_SETS 256
#define LEARN_WAYS 4		/* at most 1024 learned targets */
#define LEARN_MAX_PROXIES 4
#define LEARN_ADDRS 256		/* global addresses followed */
#define LEARN_VERIFY_NS (3 * 1000000000ull)
#define LEARN_RETRY_NS (100 * 1000000ull)	/* a probe that could not go out */
#define LEARN_GIVE_UP_NS (3 * LEARN_VERIFY_NS)	/* ...is tried again this long */

struct relay;

/*
 * FAILING: the entry went FAILED. An administrative delete (ip neigh del)
 * also reports FAILED, followed at once by the deletion; so the verdict
 * waits for the end of the current batch of events.
 */
enum learn_state { LEARN_FREE, LEARN_ACTIVE, LEARN_VERIFYING, LEARN_FAILING };

struct learned {
	struct in6_addr addr;
	unsigned int ifindex;			/* the slave it lives behind */
	unsigned int challenger;		/* a slave where it also answered:
						   moved there only if it stops
						   answering here when asked */
	unsigned int proxies[LEARN_MAX_PROXIES];	/* masters answering for it */
	uint64_t deadline;			/* VERIFYING, FAILING: decide then */
	uint64_t verify_since;			/* VERIFYING: asking again since */
	uint16_t group;
	uint8_t state;
	uint8_t nproxies;
	bool asked;			/* VERIFYING: the probe went out */
};

struct host_addr {
	unsigned int ifindex;
	struct prefix6 prefix;
	struct in6_addr addr;
};

struct learn_counters {
	unsigned long learned;
	unsigned long moved;
	unsigned long routes_added;
	unsigned long routes_removed;
	unsigned long proxies_added;
	unsigned long proxies_removed;
	unsigned long reprobes;
	unsigned long reprobes_deferred;	/* out of keep-alive budget, for now */
	unsigned long claims_refused;	/* answers we did not route there */
	unsigned long table_full;
};

struct learn {
	const struct config *cfg;
	struct relay *relay;
	struct learned entries[LEARN_SETS * LEARN_WAYS];
	unsigned int npending;		/* VERIFYING or FAILING entries */
	struct host_addr addrs[LEARN_ADDRS];
	unsigned int naddrs;
	struct proxy_ndp_state proxy_ndp;	/* what we turned on */
	bool forwarding_warned;
	struct learn_counters c;
};

/*
 * Purge what a killed run of the same groups left: routes, proxy entries,
 * proxy_ndp turned on. Each group's routes carry a metric of their own
 * (learn_route_metric), so another instance's are left alone; no live
 * instance can own ours, as we hold the NFLOG groups.
 */
void learn_init(struct learn *l, const struct config *cfg, struct relay *relay);

/* Remove everything learned (unless --keep-routes); restore proxy_ndp. */
void learn_fini(struct learn *l);

void learn_on_neigh(struct learn *l, const struct netmon_event *ev,
		    uint64_t now);
void learn_on_addr(struct learn *l, const struct netmon_event *ev);

/* An echo reply to our probe came from `from` on slave ifindex. */
void learn_on_answer(struct learn *l, unsigned int ifindex,
		     const struct in6_addr *from, uint64_t now);
void learn_on_link(struct learn *l, const struct netmon_event *ev);

/* The metric of group's learned routes: it marks them as the group's. */
uint32_t learn_route_metric(const struct config *cfg, uint16_t group);

/* Whether an NS from the upstream for target is worth relaying. */
bool learn_wants_upstream(struct learn *l, uint16_t group,
			  const struct in6_addr *target);

/* The earliest deadline (0: none); expire what is due. */
uint64_t learn_next_deadline(const struct learn *l);
void learn_expire(struct learn *l, uint64_t now);

#endif
