/*
 * Kernel state into the engine: rtnetlink events (neighbors, routes, the
 * host's addresses) and dumps (the routes and neighbors an earlier run or
 * the kernel left, the learned routes checked again) turned into engine
 * calls. It owns a socket for its dumps and look-ups and writes nothing
 * (the purge of unreadable leftovers aside, see intake_kernel_adopt()):
 * what the engine decides goes out through the egress (dispatch.h). The
 * engine's questions about the kernel come back here from the egress
 * (intake_checks.h), and are answered as events (intake_kernel_checks()).
 */
#ifndef NS_MONITOR_INTAKE_KERNEL_H
#define NS_MONITOR_INTAKE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "control.h"
#include "intake_checks.h"
#include "netmon.h"
#include "slaves.h"
#include "rtnl.h"

struct engine;
struct hostaddrs;

struct intake_kernel {
	const struct config *cfg;
	struct rtnl rtnl;		/* dumps and route look-ups */
	struct engine *engine;
	struct hostaddrs *addrs;	/* the host's own, kept here */
	struct intake_checks *checks;	/* the engine's questions, answered */
};

/*
 * The relay's results into the engine: its slaves ready or not, masters
 * present or gone (engine_slave, engine_master). A master that comes has
 * its forwarding read (engine_forwarding), and "all"'s with it; netconf
 * events follow them from then on.
 */
struct slaves_events intake_kernel_slaves_events(struct engine *engine);

/* Control's reports into the engine: bindings (engine_bindings). */
struct control_events intake_kernel_control_events(struct engine *engine);

/*
 * -1 (logged) when its socket cannot be opened. checks: where the egress
 * posts the engine's questions (engine_egress.check_masters).
 */
int intake_kernel_open(struct intake_kernel *k, const struct config *cfg,
		       struct engine *engine, struct hostaddrs *addrs,
		       struct intake_checks *checks);
void intake_kernel_close(struct intake_kernel *k);

/*
 * The engine's questions posted so far, and those their answers raise,
 * answered from the kernel's neighbor table (one RTM_GETNEIGH per master,
 * until one has a usable entry), each with engine_masters_checked(). Called
 * after every engine call that may ask, so that an answer is taken in the
 * same turn of the loop as it came. Nothing before intake_kernel_open().
 */
void intake_kernel_checks(struct intake_kernel *k, uint64_t now);

/*
 * Neighbor events: usable with a link-layer address (fresh when
 * REACHABLE: just confirmed), failed, or gone, to engine_neigh().
 */
void intake_kernel_neigh(struct intake_kernel *k,
			 const struct netmon_event *ev, uint64_t now);

/*
 * Route events: the main table's routes but ours are the engine's scope
 * (engine_route()). A learned route of ours (our protocol, one of our
 * groups' metrics, the main table) deleted while the engine still holds
 * its target there was deleted from outside: the engine adds it again, or
 * gives up (engine_route_gone). The engine's own deletions (moves, expiry,
 * a slave that left) find the target elsewhere or forgotten, and are left
 * alone.
 */
void intake_kernel_route(struct intake_kernel *k,
			 const struct netmon_event *ev, uint64_t now);

/*
 * The host's global addresses: never learned behind a slave. True for an
 * address new on its interface (not one dumped again, nor a DAD ending).
 */
bool intake_kernel_addr(struct intake_kernel *k,
			const struct netmon_event *ev);

/* IPv6 forwarding changed (netconf events and dumps): engine_forwarding. */
void intake_kernel_netconf(struct intake_kernel *k,
			   const struct netmon_event *ev);

/* Link events: a device gone takes the host's addresses on it along. */
void intake_kernel_link(struct intake_kernel *k,
			const struct netmon_event *ev);

/* The host-wide neighbor table's size and limits: 0, or -1 with errno. */
int intake_kernel_neigh_table(struct intake_kernel *k,
			      struct rtnl_neigh_table *t);

/*
 * Learned state against the kernel's routes (SIGHUP, lost route events):
 * a learned target whose route is missing is handed to engine_route_gone;
 * a route of ours the engine does not hold is adopted (asked again, and
 * removed if it does not answer).
 */
void intake_kernel_reconcile(struct intake_kernel *k, uint64_t now);

/*
 * With --learn-routes, once the slaves, masters and host addresses are
 * known: hand the engine what the kernel knows already, so a restart does
 * not make first contact pay again: our groups' routes an earlier run left
 * (killed, or --keep-routes), adopted (engine_adopt) and asked again, and
 * usable neighbor entries on the slaves for targets inside our prefixes,
 * asked about as a guest's sign is (engine_adopt_neighbor): a guest can
 * make such an entry for any address. What the engine refuses (its slave
 * left the group, ...) is removed by it. A group whose routes cannot be
 * read has them purged instead.
 */
void intake_kernel_adopt(struct intake_kernel *k, uint64_t now);

/*
 * One target's neighbor entries e[0..n) (on any interface): those in a
 * state that says where it is (REACHABLE, STALE, DELAY, PROBE) go to
 * engine_adopt_neighbor(), whose rule decides. Exposed for tests
 * (test_learn_adopt.c).
 */
void intake_kernel_adopt_neighbor(struct intake_kernel *k,
				  const struct rtnl_entry *e, size_t n,
				  uint64_t now);

#endif
