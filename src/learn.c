/* Learning's egress: routes and proxy entries, host addresses, neighbors. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hostaddr.h"
#include "learn.h"
#include "log.h"
#include "metrics.h"
#include "proxy_ndp_state.h"
#include "relay.h"

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		    NUD_PERMANENT)

static struct log_limit route_limit = LOG_LIMIT_INIT(10, 5);

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char *fmt_ifname(unsigned int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

uint32_t learn_route_metric(const struct config *cfg, uint16_t group)
{
	return cfg->route_metric + group;
}

/* sysctl through /proc: there is no netlink way to read these. */
static int conf_read(const char *ifname, const char *key)
{
	char path[128], v[16] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (read(fd, v, sizeof(v) - 1) <= 0)
		v[0] = '\0';
	close(fd);
	return v[0] ? v[0] - '0' : -1;
}

bool learn_forwards(unsigned int master)
{
	char name[IF_NAMESIZE];

	return if_indextoname(master, name) &&
	       conf_read("all", "forwarding") == 1 &&
	       conf_read(name, "forwarding") == 1;
}

/*
 * Make the kernel answer NS for proxy entries on this master, at once.
 * Proxy NDP needs forwarding twice over: on the master for the kernel to
 * answer the NS at all, and net.ipv6.conf.all.forwarding for it to forward
 * the packets that follow (ip6_forward() reads "all", not the interface);
 * setting "all" sets every interface's too.
 */
static void ensure_proxy_ndp(struct learn *l, const char *master,
			     uint16_t group)
{
	if (proxy_ndp_state_has(&l->proxy_ndp, master))
		return;
	if (proxy_ndp_state_take(&l->proxy_ndp, master, group) == -1) {
		log_warn("%s: turning on proxy_ndp", master);
		return;
	}
	if (!l->forwarding_warned && (conf_read("all", "forwarding") == 0 ||
				      conf_read(master, "forwarding") == 0)) {
		l->forwarding_warned = true;
		log_warnx("%s: IPv6 forwarding is off, so the upstream cannot reach proxied targets (the kernel neither answers for them nor forwards to them): sysctl -w net.ipv6.conf.all.forwarding=1",
			  master);
	}
}

/* ---- the engine's egress ---- */

int learn_route_add(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

	if (rtnl_host_route(&l->rtnl, RTNL_ADD, target, slave,
			    learn_route_metric(l->cfg, group)) == -1) {
		log_warnx_limited(&route_limit, "group %u: route %s/128 dev %s: %s",
				  group, fmt_addr(target, a), fmt_ifname(slave, ifname),
				  strerror(errno));
		return -1;
	}
	l->c.routes_added++;
	return 0;
}

int learn_route_del(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave)
{
	char a[INET6_ADDRSTRLEN];

	if (rtnl_host_route(&l->rtnl, RTNL_DEL, target, slave,
			    learn_route_metric(l->cfg, group)) == 0) {
		l->c.routes_removed++;
		return 0;
	}
	/* Gone with its device, or removed by hand: what we wanted. */
	if (errno != ESRCH && errno != ENOENT && errno != ENODEV)
		log_warnx_limited(&route_limit, "group %u: removing the route to %s: %s",
				  group, fmt_addr(target, a), strerror(errno));
	return -1;
}

int learn_route_move(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int from,
		     unsigned int to)
{
	learn_route_del(l, group, target, from);
	return learn_route_add(l, group, target, to);
}

void learn_proxy(struct learn *l, uint16_t group, const struct in6_addr *target,
		 unsigned int master, bool add)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

	fmt_ifname(master, ifname);
	if (add)
		ensure_proxy_ndp(l, ifname, group);
	if (rtnl_proxy(&l->rtnl, add ? RTNL_ADD : RTNL_DEL, target,
		       master) == 0) {
		if (add)
			l->c.proxies_added++;
		else
			l->c.proxies_removed++;
		return;
	}
	if (add || (errno != ENOENT && errno != ENODEV && errno != ESRCH))
		log_warnx_limited(&route_limit, "group %u: %s the proxy entry for %s on %s: %s",
				  group, add ? "adding" : "removing",
				  fmt_addr(target, a), ifname, strerror(errno));
}

bool learn_usable_on(struct learn *l, unsigned int ifindex,
		     const struct in6_addr *target)
{
	int state = rtnl_neigh_state(&l->rtnl, ifindex, target);

	return state > 0 && (state & (NUD_USABLE | NUD_NOARP));
}

/*
 * Neighbor events, as the engine wants them: usable with a link-layer
 * address (fresh when REACHABLE: just confirmed), failed, or gone.
 * INCOMPLETE says nothing yet; proxy entries are ours.
 */
void learn_on_neigh(struct learn *l, const struct netmon_event *ev,
		    uint64_t now)
{
	enum engine_neigh_state state;

	if (!l->engine || (ev->neigh.flags & NTF_PROXY))
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
	engine_neigh(l->engine, ev->ifindex, &ev->neigh.dst, state,
		     ev->neigh.state == NUD_REACHABLE, now);
}

/* The group whose learned routes carry this metric; false if none does. */
static bool group_of_metric(const struct learn *l, uint32_t metric,
			    uint16_t *group)
{
	for (unsigned int i = 0; i < l->cfg->ngroups; i++)
		if (learn_route_metric(l->cfg, l->cfg->groups[i]) == metric) {
			*group = l->cfg->groups[i];
			return true;
		}
	return false;
}

/* Whether the kernel routes target by our route of metric on ifindex now. */
static bool route_in_place(struct learn *l, const struct in6_addr *target,
			   unsigned int ifindex, uint32_t metric)
{
	struct rtnl_route rt;

	return rtnl_route_get(&l->rtnl, target, &rt) == 0 &&
	       rt.protocol == RTPROT_NS_MONITOR && rt.dst_len == 128 &&
	       rt.oif == ifindex && rt.metric == metric;
}

/*
 * The main table's routes but ours, as the engine's scope: what a slave
 * may claim. Other tables are the operator's policy, not the link's.
 */
static void scope_route(struct learn *l, const struct netmon_event *ev,
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
	if (engine_route(l->engine, &rt, !ev->deleted, now) == -1)
		log_warn("keeping the host's routes");
}

void learn_on_route(struct learn *l, const struct netmon_event *ev,
		    uint64_t now)
{
	uint16_t group;

	if (l->engine && l->cfg && l->cfg->learn_routes)
		scope_route(l, ev, now);
	if (!l->engine || !l->cfg || !l->cfg->learn_routes || !ev->deleted ||
	    ev->route.dst_len != 128 ||
	    ev->route.protocol != RTPROT_NS_MONITOR ||
	    ev->route.table != 254 /* RT_TABLE_MAIN */ ||
	    !group_of_metric(l, ev->route.metric, &group))
		return;
	/* Our own deletions: the engine holds it elsewhere, or not at all. */
	if (engine_learned_slave(l->engine, group, &ev->route.dst) != ev->ifindex)
		return;
	/* Deleted, then added again since (by us): an old event. */
	if (route_in_place(l, &ev->route.dst, ev->ifindex, ev->route.metric))
		return;
	engine_route_gone(l->engine, group, ev->ifindex, &ev->route.dst, now);
}

static int entry_dst_cmp(const void *a, const void *b)
{
	const struct rtnl_entry *x = a, *y = b;
	int c = memcmp(&x->dst, &y->dst, sizeof(x->dst));

	if (c)
		return c;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static void reconcile_group(struct learn *l, uint16_t group, uint64_t now)
{
	uint32_t metric = learn_route_metric(l->cfg, group);
	struct engine_learned *held;
	struct rtnl_entry *routes;
	size_t nheld, nroutes;
	unsigned long restored = 0, adopted = 0;

	if (rtnl_host_routes(&l->rtnl, 254 /* RT_TABLE_MAIN */, metric,
			     &routes, &nroutes) == -1) {
		log_warn("group %u: reading the learned routes", group);
		return;
	}
	if (engine_learned_list(l->engine, group, &held, &nheld) == -1) {
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
		    engine_route_gone(l->engine, group, held[i].slave,
				      &held[i].target, now) ==
			    ENGINE_ROUTE_GONE_RESTORED)
			restored++;
	}
	/* In the kernel, not held (or held elsewhere): checked as at start. */
	for (size_t i = 0; i < nroutes; i++)
		if (engine_learned_slave(l->engine, group, &routes[i].dst) !=
			    routes[i].ifindex &&
		    engine_adopt(l->engine, group, routes[i].ifindex,
				 &routes[i].dst, true, now) == 0)
			adopted++;
	free(held);
	free(routes);
	if (restored || adopted)
		log_info("group %u: learned routes checked against the kernel: %lu restored, %lu adopted (each asked again)",
			 group, restored, adopted);
}

void learn_reconcile(struct learn *l, uint64_t now)
{
	if (!l->engine || !l->cfg || !l->cfg->learn_routes)
		return;
	for (unsigned int i = 0; i < l->cfg->ngroups; i++)
		reconcile_group(l, l->cfg->groups[i], now);
}

/*
 * A proxy entry of our protocol for an address routed by another group's
 * route (another metric) belongs to the instance serving that group.
 */
static bool owned_elsewhere(struct rtnl *r, const struct in6_addr *addr,
			    void *data)
{
	const struct learn *l = data;
	struct rtnl_route rt;

	if (rtnl_route_get(r, addr, &rt) == -1 || rt.protocol != RTPROT_NS_MONITOR ||
	    rt.dst_len != 128)
		return false;
	for (unsigned int i = 0; i < l->cfg->ngroups; i++)
		if (rt.metric == learn_route_metric(l->cfg, l->cfg->groups[i]))
			return false;
	return true;
}

/*
 * Our groups' routes (unless they are to be adopted), and proxy entries no
 * other instance owns.
 */
static void purge(struct learn *l, bool routes_too, int *routes, int *proxies)
{
	*routes = 0;
	for (unsigned int i = 0; routes_too && i < l->cfg->ngroups; i++) {
		int n = rtnl_purge_routes(&l->rtnl, 254 /* RT_TABLE_MAIN */,
					  learn_route_metric(l->cfg,
							     l->cfg->groups[i]));

		if (n > 0)
			*routes += n;
	}
	*proxies = rtnl_purge_proxies(&l->rtnl, owned_elsewhere, l);
}

int learn_init(struct learn *l, const struct config *cfg, struct engine *engine)
{
	int routes, proxies;

	memset(l, 0, sizeof(*l));
	if (rtnl_open(&l->rtnl) == -1) {
		log_warn("rtnetlink socket for routes and proxy entries");
		return -1;
	}
	l->cfg = cfg;
	l->engine = engine;
	/* What a killed run of our groups turned on (proxy_ndp_state.h). */
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		if (proxy_ndp_state_recover(cfg->groups[i]) == -1)
			log_warn("group %u: reading the proxy_ndp record of an earlier run",
				 cfg->groups[i]);
	/*
	 * With --learn-routes, the routes are adopted once the slaves are
	 * known (learn_adopt); proxies are made anew for what is adopted.
	 */
	purge(l, !cfg->learn_routes, &routes, &proxies);
	if (routes > 0 || proxies > 0)
		log_info("removed %d route(s) and %d proxy entr%s left by an earlier run",
			 routes, proxies, proxies == 1 ? "y" : "ies");
	return 0;
}

/*
 * Neighbors worth adopting: global unicast, not the host's, inside our
 * prefixes (the targets, or the on-link prefix of one of the group's
 * masters: what intake.c takes from the upstream).
 */
static bool adopt_eligible(const struct learn *l, const struct relay_group *g,
			   const struct hostaddrs *h, const struct in6_addr *t)
{
	if (IN6_IS_ADDR_MULTICAST(t) || IN6_IS_ADDR_LINKLOCAL(t) ||
	    IN6_IS_ADDR_LOOPBACK(t) || IN6_IS_ADDR_UNSPECIFIED(t) ||
	    IN6_IS_ADDR_V4MAPPED(t) || hostaddr_is_local(h, t))
		return false;
	for (unsigned int i = 0; i < l->cfg->ntargets; i++)
		if (prefix6_contains(&l->cfg->targets[i], t))
			return true;
	for (unsigned int m = 0; m < g->nmasters; m++)
		if (g->masters[m].in_engine &&
		    hostaddr_on_link(h, g->masters[m].in_engine, t))
			return true;
	return false;
}

static bool slave_of(const struct relay_group *g, unsigned int ifindex)
{
	for (unsigned int s = 0; s < g->nslaves; s++)
		if (g->slaves[s].in_engine == ifindex)
			return true;
	return false;
}

#define NUD_ADOPTABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)

static int entry_cmp(const void *a, const void *b)
{
	const struct rtnl_entry *x = a, *y = b;

	return memcmp(&x->dst, &y->dst, sizeof(x->dst));
}

/*
 * One target's entries (n of them, on any interface). Adopted only when
 * exactly one slave of the group has a usable entry: a guest can make a
 * STALE entry for another's address on its own slave (an NS with that
 * source), and which of two is right is for a resolution to find out.
 */
void learn_adopt_neighbor(struct learn *l, const struct relay_group *g,
			  const struct hostaddrs *h, const struct rtnl_entry *e,
			  size_t n, uint64_t now)
{
	static struct log_limit twice = LOG_LIMIT_INIT(10, 5);
	char a[INET6_ADDRSTRLEN];
	const struct rtnl_entry *one = NULL;

	if (!adopt_eligible(l, g, h, &e->dst))
		return;
	for (size_t i = 0; i < n; i++) {
		/* On a master (a mesh) it is reachable as it is. */
		if (!(e[i].state & NUD_ADOPTABLE) || !slave_of(g, e[i].ifindex) ||
		    relay_is_master(g, e[i].ifindex))
			continue;
		if (one && one->ifindex != e[i].ifindex) {
			log_warnx_limited(&twice, "group %u: not adopting %s: usable behind two slaves; the next NS for it decides",
					  g->num, fmt_addr(&e->dst, a));
			return;
		}
		one = &e[i];
	}
	if (one)
		engine_adopt(l->engine, g->num, one->ifindex, &one->dst, false,
			     now);
}

void learn_adopt(struct learn *l, struct relay *relay,
		 const struct hostaddrs *h, uint64_t now)
{
	struct rtnl_entry *v;
	size_t n;
	unsigned long routes = 0, removed = 0, neighbors;
	uint64_t before;

	if (!l->cfg || !l->engine || !l->cfg->learn_routes)
		return;
	for (unsigned int gi = 0; gi < l->cfg->ngroups; gi++) {
		uint16_t num = l->cfg->groups[gi];

		if (rtnl_host_routes(&l->rtnl, 254 /* RT_TABLE_MAIN */,
				     learn_route_metric(l->cfg, num), &v, &n) == -1) {
			log_warn("group %u: reading the routes an earlier run left (removing them instead)",
				 num);
			rtnl_purge_routes(&l->rtnl, 254, learn_route_metric(l->cfg, num));
			continue;
		}
		/* A refused one is removed by the engine, as a purge would. */
		for (size_t i = 0; i < n; i++)
			if (engine_adopt(l->engine, num, v[i].ifindex, &v[i].dst,
					 true, now) == 0)
				routes++;
			else
				removed++;
		free(v);
	}
	/* Those with a route already are not counted twice. */
	before = engine_counters(l->engine)->adopted;
	if (rtnl_neighbors(&l->rtnl, &v, &n) == -1) {
		log_warn("reading the neighbor table to adopt what it knows");
		n = 0;
		v = NULL;
	}
	/* Entries for one target side by side: see learn_adopt_neighbor(). */
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && memcmp(&v[j].dst, &v[i].dst,
						sizeof(v[i].dst)) == 0; j++)
			;
		for (unsigned int gi = 0; gi < relay->ngroups; gi++)
			learn_adopt_neighbor(l, &relay->groups[gi], h, &v[i], j - i,
					     now);
	}
	free(v);
	neighbors = (unsigned long)(engine_counters(l->engine)->adopted - before);
	if (routes || removed || neighbors)
		log_info("adopted %lu route(s) left by an earlier run (removed %lu) and %lu neighbor entr%s on the slaves; each is asked again",
			 routes, removed, neighbors, neighbors == 1 ? "y" : "ies");
}

void learn_withdraw(struct learn *l)
{
	int routes, proxies;

	if (!l->cfg || l->withdrawn)
		return;
	l->withdrawn = true;
	if (l->cfg->keep_routes) {
		log_info("leaving %lu learned route(s) in place (--keep-routes)",
			 l->c.routes_added - l->c.routes_removed);
	} else if (l->cfg->learn_routes) {
		purge(l, true, &routes, &proxies);
		/* Counted, so that the exit summary says what went. */
		if (routes > 0)
			l->c.routes_removed += (unsigned long)routes;
		if (proxies > 0)
			l->c.proxies_removed += (unsigned long)proxies;
		if (routes > 0 || proxies > 0)
			log_info("removed %d learned route(s) and %d proxy entr%s",
				 routes, proxies, proxies == 1 ? "y" : "ies");
	}
}

void learn_fini(struct learn *l)
{
	if (!l->cfg)
		return;
	learn_withdraw(l);
	proxy_ndp_state_undo(&l->proxy_ndp);
	rtnl_close(&l->rtnl);
	l->cfg = NULL;
}

/* ---- counters out ---- */

void learn_metrics(const struct learn *l, struct metrics *m)
{
	metrics_counter(m, "routes_added_total", "Host routes installed.",
			l->c.routes_added);
	metrics_counter(m, "routes_removed_total", "Host routes removed.",
			l->c.routes_removed);
	metrics_counter(m, "proxies_added_total", "Proxy NDP entries installed.",
			l->c.proxies_added);
	metrics_counter(m, "proxies_removed_total", "Proxy NDP entries removed.",
			l->c.proxies_removed);
}

/* What was learned (the engine's count) and what that made (ours). */
void learn_log_counters(const struct learn *l, const struct engine_counters *e)
{
	if (!l->cfg || !l->cfg->learn_routes)
		return;
	log_info("learned %lu, moved %lu, forgotten %lu; routes added %lu, removed %lu; proxies added %lu, removed %lu; claims refused %lu; re-asked %lu",
		 (unsigned long)e->learned, (unsigned long)e->moved,
		 (unsigned long)e->forgotten, l->c.routes_added,
		 l->c.routes_removed, l->c.proxies_added, l->c.proxies_removed,
		 (unsigned long)engine_refusals(e),
		 (unsigned long)e->keepalive_asks);
}
