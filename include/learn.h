/*
 * Learning's egress: the routes (X/128 dev SLAVE, proto ns-monitor) and
 * proxy entries the engine decides on, and the kernel's neighbor events
 * it follows.
 * Purges what a killed run left; removes what it made at exit.
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
#include "rtnl.h"

struct engine;
struct hostaddrs;
struct relay;

struct learn_counters {
	unsigned long routes_added;
	unsigned long routes_removed;
	unsigned long proxies_added;
	unsigned long proxies_removed;
};

struct learn {
	const struct config *cfg;
	struct rtnl rtnl;		/* routes, proxies, neighbor queries */
	struct engine *engine;
	struct proxy_ndp_state proxy_ndp;	/* what we turned on */
	bool forwarding_warned;
	bool withdrawn;			/* learn_withdraw() ran */
	struct learn_counters c;
};

/*
 * Purge what a killed run of the same groups left: routes (kept for
 * learn_adopt with --learn-routes), proxy entries, proxy_ndp turned on.
 * Each group's routes carry a metric of their own (learn_route_metric), so
 * another instance's are left alone; no live instance can own ours, as we
 * hold the NFLOG groups.
 */
int learn_init(struct learn *l, const struct config *cfg, struct engine *engine);

/*
 * With --learn-routes, once the slaves, masters and host addresses are
 * known: hand the engine what the kernel knows already (engine_adopt), so
 * a restart does not make first contact pay again: our groups' routes an
 * earlier run left (killed, or --keep-routes), and usable neighbor entries
 * on the slaves for targets inside our prefixes. What the engine refuses
 * (its slave left the group, ...) is removed. Each is asked again.
 */
void learn_adopt(struct learn *l, struct relay *relay,
		 const struct hostaddrs *h, uint64_t now);

/*
 * learn_adopt()'s rule for one target's neighbor entries e[0..n) (on any
 * interface): adopted behind the one slave of g with a usable entry, if
 * the target is global, not the host's, and inside g's prefixes.
 * Exposed for tests (test_learn_adopt.c).
 */
struct relay_group;
void learn_adopt_neighbor(struct learn *l, const struct relay_group *g,
			  const struct hostaddrs *h, const struct rtnl_entry *e,
			  size_t n, uint64_t now);

/*
 * At exit: remove every route and proxy entry of ours (unless
 * --keep-routes), counted in routes_removed and proxies_removed. Once;
 * learn_fini() does it if it was not done.
 */
void learn_withdraw(struct learn *l);

/* learn_withdraw(), proxy_ndp as it was, the socket closed. */
void learn_fini(struct learn *l);

/* The engine's egress for routes and proxies (engine.h). */
int learn_route_add(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave);
int learn_route_move(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int from,
		     unsigned int to);
int learn_route_del(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave);
void learn_proxy(struct learn *l, uint16_t group, const struct in6_addr *target,
		 unsigned int master, bool add);
/* Whether target has a usable neighbor entry on ifindex. */
bool learn_usable_on(struct learn *l, unsigned int ifindex,
		     const struct in6_addr *target);

/* Neighbor events, handed on to the engine. */
void learn_on_neigh(struct learn *l, const struct netmon_event *ev,
		    uint64_t now);

/*
 * Route events: a learned route of ours (our protocol, one of our groups'
 * metrics, the main table) deleted while the engine still holds its target
 * there was deleted from outside: the engine adds it again, or gives up
 * (engine_route_gone). The engine's own deletions (moves, expiry, a slave
 * that left) find the target elsewhere or forgotten, and are left alone.
 */
void learn_on_route(struct learn *l, const struct netmon_event *ev,
		    uint64_t now);

/*
 * Learned state against the kernel's routes (SIGHUP, lost route events):
 * a learned target whose route is missing is handed to engine_route_gone;
 * a route of ours the engine does not hold is adopted (asked again, and
 * removed if it does not answer).
 */
void learn_reconcile(struct learn *l, uint64_t now);

/* The metric of group's learned routes: it marks them as the group's. */
uint32_t learn_route_metric(const struct config *cfg, uint16_t group);

/*
 * Whether the host forwards what comes in on master (net.ipv6.conf.all
 * and the master's forwarding both on): else the kernel answers no NS for
 * a proxy entry, and neither may we.
 */
bool learn_forwards(unsigned int master);

struct metrics;
struct engine_counters;

/* Routes and proxies added and removed, into m; the learning summary logged. */
void learn_metrics(const struct learn *l, struct metrics *m);
void learn_log_counters(const struct learn *l, const struct engine_counters *e);

#endif
