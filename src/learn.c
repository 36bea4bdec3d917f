/* Learning's egress: routes and proxy entries, host addresses, neighbors. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "learn.h"
#include "log.h"
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

static bool in_prefix(const struct in6_addr *a, const struct prefix6 *p)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(a->s6_addr, p->addr.s6_addr, full) != 0)
		return false;
	return rest == 0 ||
	       ((a->s6_addr[full] ^ p->addr.s6_addr[full]) & (0xff00u >> rest)) == 0;
}

/* sysctl through /proc: there is no netlink way to set proxy_ndp. */
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

/* Make the kernel answer NS for proxy entries on this master. */
static void ensure_proxy_ndp(struct learn *l, const char *master,
			     uint16_t group)
{
	if (proxy_ndp_state_has(&l->proxy_ndp, master))
		return;
	if (conf_read(master, "proxy_ndp") == 0) {
		if (proxy_ndp_state_turn_on(&l->proxy_ndp, master, group) == -1) {
			log_warn("%s: turning on proxy_ndp", master);
			return;
		}
		log_info("%s: turned on proxy_ndp (turned off again at exit)", master);
	}
	if (!l->forwarding_warned && conf_read(master, "forwarding") == 0) {
		l->forwarding_warned = true;
		log_warnx("%s: forwarding is off, so the kernel will not answer for proxied targets: sysctl -w net.ipv6.conf.%s.forwarding=1",
			  master, master);
	}
}

static bool is_local(const struct learn *l, const struct in6_addr *a)
{
	for (unsigned int i = 0; i < l->naddrs; i++)
		if (memcmp(&l->addrs[i].addr, a, sizeof(*a)) == 0)
			return true;
	return false;
}

/* Inside the configured target prefixes or an on-link prefix of a master. */
static bool in_our_prefixes(const struct learn *l, const struct group *g,
			    const struct in6_addr *a)
{
	for (unsigned int i = 0; i < l->cfg->ntargets; i++)
		if (in_prefix(a, &l->cfg->targets[i]))
			return true;
	for (unsigned int i = 0; i < l->naddrs; i++)
		if (relay_is_master(g, l->addrs[i].ifindex) &&
		    in_prefix(a, &l->addrs[i].prefix))
			return true;
	return false;
}

/* An address that could live behind a slave (the host's own aside). */
static bool global_unicast(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
	       !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_UNSPECIFIED(a);
}

void learn_on_addr(struct learn *l, const struct netmon_event *ev)
{
	unsigned int i;

	if (ev->addr.scope != 0 /* RT_SCOPE_UNIVERSE */)
		return;
	for (i = 0; i < l->naddrs; i++)
		if (l->addrs[i].ifindex == ev->ifindex &&
		    memcmp(&l->addrs[i].addr, &ev->addr.addr, 16) == 0)
			break;
	if (l->engine)
		engine_local_addr(l->engine, ev->ifindex, &ev->addr.addr,
				  !ev->deleted);
	if (ev->deleted) {
		if (i < l->naddrs)
			l->addrs[i] = l->addrs[--l->naddrs];
		return;
	}
	if (i == l->naddrs) {
		if (l->naddrs == LEARN_ADDRS)
			return;
		l->naddrs++;
	}
	l->addrs[i].ifindex = ev->ifindex;
	l->addrs[i].addr = ev->addr.addr;
	l->addrs[i].prefix.addr = ev->addr.addr;
	l->addrs[i].prefix.len = ev->addr.prefixlen;
}

void learn_on_link(struct learn *l, const struct netmon_event *ev)
{
	/* Routes and proxies on a device that went away went with it. */
	if (!ev->deleted)
		return;
	for (unsigned int i = 0; i < l->naddrs;) {
		if (l->addrs[i].ifindex == ev->ifindex) {
			if (l->engine)
				engine_local_addr(l->engine, ev->ifindex,
						  &l->addrs[i].addr, false);
			l->addrs[i] = l->addrs[--l->naddrs];
		} else {
			i++;
		}
	}
}

bool learn_eligible(const struct learn *l, const struct group *g,
		    const struct in6_addr *target)
{
	return global_unicast(target) && !is_local(l, target) &&
	       in_our_prefixes(l, g, target);
}

/* ---- the engine's egress ---- */

int learn_route_add(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

	if (rtnl_host_route(&l->relay->rtnl, RTNL_ADD, target, slave,
			    learn_route_metric(l->cfg, group)) == -1) {
		log_warnx_limited(&route_limit, "route %s/128 dev %s: %s",
				  fmt_addr(target, a), fmt_ifname(slave, ifname),
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

	if (rtnl_host_route(&l->relay->rtnl, RTNL_DEL, target, slave,
			    learn_route_metric(l->cfg, group)) == 0) {
		l->c.routes_removed++;
		return 0;
	}
	/* Gone with its device, or removed by hand: what we wanted. */
	if (errno != ESRCH && errno != ENOENT && errno != ENODEV)
		log_warnx_limited(&route_limit, "removing the route to %s: %s",
				  fmt_addr(target, a), strerror(errno));
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
	if (rtnl_proxy(&l->relay->rtnl, add ? RTNL_ADD : RTNL_DEL, target,
		       master) == 0) {
		if (add)
			l->c.proxies_added++;
		else
			l->c.proxies_removed++;
		return;
	}
	if (add || (errno != ENOENT && errno != ENODEV && errno != ESRCH))
		log_warnx_limited(&route_limit, "%s the proxy entry for %s on %s: %s",
				  add ? "adding" : "removing",
				  fmt_addr(target, a), ifname, strerror(errno));
}

unsigned int learn_on_master(struct learn *l, uint16_t group,
		     const struct in6_addr *target)
{
	struct group *g = relay_find_group(l->relay, group);

	for (unsigned int i = 0; g && i < g->nmasters; i++) {
		int state;

		if (!g->masters[i].in_engine)
			continue;
		state = rtnl_neigh_state(&l->relay->rtnl,
					 g->masters[i].in_engine, target);
		if (state > 0 && (state & (NUD_USABLE | NUD_NOARP)))
			return g->masters[i].in_engine;
	}
	return 0;
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
	else if ((ev->neigh.state & NUD_USABLE) && ev->neigh.has_lladdr)
		state = ENGINE_NEIGH_USABLE;
	else
		return;
	engine_neigh(l->engine, ev->ifindex, &ev->neigh.dst, state,
		     ev->neigh.state == NUD_REACHABLE, now);
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

/* Our groups' routes, and proxy entries no other instance owns. */
static void purge(struct learn *l, int *routes, int *proxies)
{
	*routes = 0;
	for (unsigned int i = 0; i < l->cfg->ngroups; i++) {
		int n = rtnl_purge_routes(&l->relay->rtnl, 254 /* RT_TABLE_MAIN */,
					  learn_route_metric(l->cfg,
							     l->cfg->groups[i]));

		if (n > 0)
			*routes += n;
	}
	*proxies = rtnl_purge_proxies(&l->relay->rtnl, owned_elsewhere, l);
}

void learn_init(struct learn *l, const struct config *cfg, struct relay *relay,
		struct engine *engine)
{
	int routes, proxies;

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->relay = relay;
	l->engine = engine;
	/* What a killed run of our groups turned on (proxy_ndp_state.h). */
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		if (proxy_ndp_state_recover(cfg->groups[i]) == -1)
			log_warn("group %u: reading the proxy_ndp record of an earlier run",
				 cfg->groups[i]);
	purge(l, &routes, &proxies);
	if (routes > 0 || proxies > 0)
		log_info("removed %d route(s) and %d proxy entr%s left by an earlier run",
			 routes, proxies, proxies == 1 ? "y" : "ies");
}

void learn_fini(struct learn *l)
{
	int routes, proxies;

	if (!l->cfg)
		return;
	if (l->cfg->keep_routes) {
		log_info("leaving %lu learned route(s) in place (--keep-routes)",
			 l->c.routes_added - l->c.routes_removed);
	} else if (l->cfg->learn_routes) {
		purge(l, &routes, &proxies);
		if (routes > 0 || proxies > 0)
			log_info("removed %d learned route(s) and %d proxy entr%s",
				 routes, proxies, proxies == 1 ? "y" : "ies");
	}
	proxy_ndp_state_undo(&l->proxy_ndp);
}
