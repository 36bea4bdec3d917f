/* Kernel state into the engine: neighbor, route and address events; dumps. */
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hostaddr.h"
#include "intake_kernel.h"
#include "ipv6conf.h"
#include "learn.h"
#include "log.h"
#include "trace.h"

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		    NUD_PERMANENT)

static int ev_slave(void *ctx, uint16_t group, unsigned int ifindex,
		    const char *name, bool present, uint64_t now)
{
	return engine_slave(ctx, group, ifindex, name, present, now);
}

static int ev_master(void *ctx, uint16_t group, unsigned int ifindex,
		     bool present, uint64_t now)
{
	char name[IF_NAMESIZE];

	if (engine_master(ctx, group, ifindex, present, now) == -1)
		return -1;
	if (present && if_indextoname(ifindex, name)) {
		engine_forwarding(ctx, 0, ipv6conf_read("all", "forwarding") == 1);
		engine_forwarding(ctx, ifindex,
				  ipv6conf_read(name, "forwarding") == 1);
	}
	return 0;
}

static int ev_bindings(void *ctx, uint16_t group,
		       const struct engine_binding *b, size_t n, uint64_t now)
{
	return engine_bindings(ctx, group, b, n, now);
}

struct slaves_events intake_kernel_slaves_events(struct engine *engine)
{
	return (struct slaves_events){
		.ctx = engine,
		.slave = ev_slave,
		.master = ev_master,
	};
}

struct control_events intake_kernel_control_events(struct engine *engine)
{
	return (struct control_events){
		.ctx = engine,
		.bindings = ev_bindings,
	};
}

int intake_kernel_open(struct intake_kernel *k, const struct config *cfg,
		       struct engine *engine, struct hostaddrs *addrs,
		       struct intake_checks *checks)
{
	memset(k, 0, sizeof(*k));
	if (rtnl_open(&k->rtnl) == -1) {
		log_warn("rtnetlink socket for the kernel's routes and neighbors");
		return -1;
	}
	k->cfg = cfg;
	k->engine = engine;
	k->addrs = addrs;
	k->checks = checks;
	return 0;
}

void intake_kernel_close(struct intake_kernel *k)
{
	if (!k->cfg)
		return;
	rtnl_close(&k->rtnl);
	k->cfg = NULL;
}

/* Whether target has a usable neighbor entry on ifindex. */
static bool usable_on(struct intake_kernel *k, unsigned int ifindex,
		      const struct in6_addr *target)
{
	int state;

	TRACE("neigh check");
	state = rtnl_neigh_state(&k->rtnl, ifindex, target);
	TRACE("neigh checked");

	return state > 0 && (state & (NUD_USABLE | NUD_NOARP));
}

void intake_kernel_checks(struct intake_kernel *k, uint64_t now)
{
	struct intake_check c;

	if (!k->cfg || !k->checks)
		return;
	/* Answers may raise more questions: asked in turn, until none. */
	while (intake_checks_next(k->checks, &c)) {
		const unsigned int *masters = intake_check_masters(&c);
		unsigned int master = 0;

		for (size_t m = 0; m < c.n && !master; m++)
			if (usable_on(k, masters[m], &c.target))
				master = masters[m];
		intake_check_done(&c);
		engine_masters_checked(k->engine, c.id, master, now);
	}
}

/* INCOMPLETE says nothing yet; proxy entries are ours. */
void intake_kernel_neigh(struct intake_kernel *k,
			 const struct netmon_event *ev, uint64_t now)
{
	enum engine_neigh_state state;

	if (ev->neigh.flags & NTF_PROXY)
		return;
	if (ev->deleted)
		state = ENGINE_NEIGH_DELETED;
	else if (ev->neigh.state & NUD_FAILED)
		state = ENGINE_NEIGH_FAILED;
	else if (ev->neigh.state & NUD_PROBE)
		state = ENGINE_NEIGH_PROBE;
	else if ((ev->neigh.state & NUD_USABLE) && ev->neigh.has_lladdr)
		state = ENGINE_NEIGH_USABLE;
	else
		return;
	engine_neigh(k->engine, ev->ifindex, &ev->neigh.dst, state,
		     ev->neigh.state == NUD_REACHABLE, now);
}

void intake_kernel_netconf(struct intake_kernel *k,
			   const struct netmon_event *ev)
{
	engine_forwarding(k->engine, ev->ifindex, ev->netconf.forwarding);
}

/* The group whose learned routes carry this metric; false if none does. */
static bool group_of_metric(const struct intake_kernel *k, uint32_t metric,
			    uint16_t *group)
{
	for (unsigned int i = 0; i < k->cfg->ngroups; i++)
		if (learn_route_metric(k->cfg, k->cfg->groups[i]) == metric) {
			*group = k->cfg->groups[i];
			return true;
		}
	return false;
}

/*
 * engine_adopt(), its masters' check answered at once: 0 when adopted,
 * -1 when refused (the queue is empty between engine calls, so a refusal
 * counted meanwhile is this one's).
 */
static int adopt(struct intake_kernel *k, uint16_t group, unsigned int slave,
		 const struct in6_addr *target, uint64_t now)
{
	uint64_t refused = engine_counters(k->engine)->adopt_refused;
	int rc = engine_adopt(k->engine, group, slave, target, now);

	if (rc != 1)
		return rc;
	intake_kernel_checks(k, now);
	return engine_counters(k->engine)->adopt_refused > refused ? -1 : 0;
}

/* Whether the kernel routes target by our route of metric on ifindex now. */
static bool route_in_place(struct intake_kernel *k,
			   const struct in6_addr *target, unsigned int ifindex,
			   uint32_t metric)
{
	struct rtnl_route rt;

	return rtnl_route_get(&k->rtnl, target, &rt) == 0 &&
	       rt.protocol == RTPROT_NS_MONITOR && rt.dst_len == 128 &&
	       rt.oif == ifindex && rt.metric == metric;
}

/*
 * The main table's routes but ours, as the engine's scope: what a slave
 * may claim. Other tables are the operator's policy, not the link's.
 */
static void scope_route(struct intake_kernel *k, const struct netmon_event *ev,
			uint64_t now)
{
	struct engine_route rt = {
		.dst = ev->route.dst,
		.len = ev->route.dst_len,
		.ifindex = ev->ifindex,
		.metric = ev->route.metric,
		.onlink = ev->route.type == RTN_UNICAST && !ev->route.gateway &&
			  ev->ifindex != 0,
	};

	if (ev->route.table != 254 /* RT_TABLE_MAIN */ ||
	    ev->route.protocol == RTPROT_NS_MONITOR)
		return;
	if (engine_route(k->engine, &rt, !ev->deleted, now) == -1)
		log_warn("keeping the host's routes");
}

void intake_kernel_route(struct intake_kernel *k,
			 const struct netmon_event *ev, uint64_t now)
{
	uint16_t group;

	if (!k->cfg || !k->cfg->learn_routes)
		return;
	scope_route(k, ev, now);
	if (!ev->deleted || ev->route.dst_len != 128 ||
	    ev->route.protocol != RTPROT_NS_MONITOR ||
	    ev->route.table != 254 /* RT_TABLE_MAIN */ ||
	    !group_of_metric(k, ev->route.metric, &group))
		return;
	/* Our own deletions: the engine holds it elsewhere, or not at all. */
	if (engine_learned_slave(k->engine, group, &ev->route.dst) != ev->ifindex)
		return;
	/* Deleted, then added again since (by us): an old event. */
	if (route_in_place(k, &ev->route.dst, ev->ifindex, ev->route.metric))
		return;
	engine_route_gone(k->engine, group, ev->ifindex, &ev->route.dst, now);
}

/* An address of the host went with its device: the engine forgets it. */
static void addr_gone(const struct host_addr *a, void *data)
{
	struct intake_kernel *k = data;

	engine_local_addr(k->engine, a->ifindex, &a->addr, a->prefixlen, false);
}

bool intake_kernel_addr(struct intake_kernel *k, const struct netmon_event *ev)
{
	/* New, not one whose flags changed (DAD over) nor one dumped again. */
	bool fresh;

	if (ev->addr.scope != 0 /* RT_SCOPE_UNIVERSE */)
		return false;
	fresh = !ev->deleted &&
		!hostaddr_has(k->addrs, ev->ifindex, &ev->addr.addr);
	if (hostaddr_set(k->addrs, ev->ifindex, &ev->addr.addr,
			 ev->addr.prefixlen, !ev->deleted) == -1 ||
	    engine_local_addr(k->engine, ev->ifindex, &ev->addr.addr,
			      ev->addr.prefixlen, !ev->deleted) == -1)
		log_warn("following the host's addresses");
	return fresh;
}

void intake_kernel_link(struct intake_kernel *k, const struct netmon_event *ev)
{
	if (ev->deleted)
		hostaddr_drop_ifindex(k->addrs, ev->ifindex, addr_gone, k);
}

int intake_kernel_neigh_table(struct intake_kernel *k,
			      struct rtnl_neigh_table *t)
{
	return rtnl_neigh_table(&k->rtnl, t);
}

static int entry_dst_cmp(const void *a, const void *b)
{
	const struct rtnl_entry *x = a, *y = b;
	int c = memcmp(&x->dst, &y->dst, sizeof(x->dst));

	if (c)
		return c;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static void reconcile_group(struct intake_kernel *k, uint16_t group,
			    uint64_t now)
{
	uint32_t metric = learn_route_metric(k->cfg, group);
	struct engine_learned *held;
	struct rtnl_entry *routes;
	size_t nheld, nroutes;
	unsigned long restored = 0, adopted = 0;

	if (rtnl_host_routes(&k->rtnl, 254 /* RT_TABLE_MAIN */, metric,
			     &routes, &nroutes) == -1) {
		log_warn("group %u: reading the learned routes", group);
		return;
	}
	if (engine_learned_list(k->engine, group, &held, &nheld) == -1) {
		log_warn("group %u: listing the learned targets", group);
		free(routes);
		return;
	}
	if (nroutes > 1)
		qsort(routes, nroutes, sizeof(*routes), entry_dst_cmp);
	/* Held by the engine, missing in the kernel: deleted from outside. */
	for (size_t i = 0; i < nheld; i++) {
		struct rtnl_entry key = { .dst = held[i].target,
					  .ifindex = held[i].slave };

		if (!bsearch(&key, routes, nroutes, sizeof(*routes),
			     entry_dst_cmp) &&
		    engine_route_gone(k->engine, group, held[i].slave,
				      &held[i].target, now) ==
			    ENGINE_ROUTE_GONE_RESTORED)
			restored++;
	}
	/* In the kernel, not held (or held elsewhere): checked as at start. */
	for (size_t i = 0; i < nroutes; i++)
		if (engine_learned_slave(k->engine, group, &routes[i].dst) !=
			    routes[i].ifindex &&
		    adopt(k, group, routes[i].ifindex, &routes[i].dst, now) == 0)
			adopted++;
	free(held);
	free(routes);
	if (restored || adopted)
		log_info("group %u: learned routes checked against the kernel: %lu restored, %lu adopted (each asked again)",
			 group, restored, adopted);
}

void intake_kernel_reconcile(struct intake_kernel *k, uint64_t now)
{
	if (!k->cfg || !k->cfg->learn_routes)
		return;
	for (unsigned int i = 0; i < k->cfg->ngroups; i++)
		reconcile_group(k, k->cfg->groups[i], now);
}

#define NUD_ADOPTABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)

static int entry_cmp(const void *a, const void *b)
{
	const struct rtnl_entry *x = a, *y = b;

	return memcmp(&x->dst, &y->dst, sizeof(x->dst));
}

/* Those that say where it is: engine_adopt_neighbor() decides. */
void intake_kernel_adopt_neighbor(struct intake_kernel *k,
				  const struct rtnl_entry *e, size_t n,
				  uint64_t now)
{
	unsigned int *ifindex = n ? calloc(n, sizeof(*ifindex)) : NULL;
	size_t m = 0;

	if (!ifindex) {
		if (n)
			log_warn("adopting the neighbor entries");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].state & NUD_ADOPTABLE)
			ifindex[m++] = e[i].ifindex;
	if (m)
		engine_adopt_neighbor(k->engine, &e->dst, ifindex, m, now);
	free(ifindex);
	intake_kernel_checks(k, now);
}

void intake_kernel_adopt(struct intake_kernel *k, uint64_t now)
{
	struct rtnl_entry *v;
	size_t n;
	unsigned long routes = 0, removed = 0, neighbors;
	uint64_t before;

	if (!k->cfg || !k->cfg->learn_routes)
		return;
	for (unsigned int gi = 0; gi < k->cfg->ngroups; gi++) {
		uint16_t num = k->cfg->groups[gi];

		if (rtnl_host_routes(&k->rtnl, 254 /* RT_TABLE_MAIN */,
				     learn_route_metric(k->cfg, num), &v, &n) == -1) {
			log_warn("group %u: reading the routes an earlier run left (removing them instead)",
				 num);
			rtnl_purge_routes(&k->rtnl, 254, learn_route_metric(k->cfg, num));
			continue;
		}
		/* A refused one is removed by the engine, as a purge would. */
		for (size_t i = 0; i < n; i++)
			if (adopt(k, num, v[i].ifindex, &v[i].dst, now) == 0)
				routes++;
			else
				removed++;
		free(v);
	}
	/* Those with a route already are learned: not asked again. */
	before = engine_counters(k->engine)->guests;
	if (rtnl_neighbors(&k->rtnl, &v, &n) == -1) {
		log_warn("reading the neighbor table to adopt what it knows");
		n = 0;
		v = NULL;
	}
	/* Entries for one target side by side: engine_adopt_neighbor(). */
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && memcmp(&v[j].dst, &v[i].dst,
						sizeof(v[i].dst)) == 0; j++)
			;
		intake_kernel_adopt_neighbor(k, &v[i], j - i, now);
	}
	free(v);
	neighbors = (unsigned long)(engine_counters(k->engine)->guests - before);
	if (routes || removed)
		log_info("adopted %lu route(s) left by an earlier run (removed %lu); each is asked again",
			 routes, removed);
	if (neighbors)
		log_info("%lu neighbor entr%s on the slaves: asked about as new guests (masters first), not taken on the entry's word",
			 neighbors, neighbors == 1 ? "y" : "ies");
}
