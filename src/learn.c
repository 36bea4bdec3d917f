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

/* ---- the engine's egress ---- */

int learn_route_add(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

	if (rtnl_host_route(&l->rtnl, RTNL_ADD, target, slave,
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

	if (rtnl_host_route(&l->rtnl, RTNL_DEL, target, slave,
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
	if (rtnl_proxy(&l->rtnl, add ? RTNL_ADD : RTNL_DEL, target,
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
	purge(l, &routes, &proxies);
	if (routes > 0 || proxies > 0)
		log_info("removed %d route(s) and %d proxy entr%s left by an earlier run",
			 routes, proxies, proxies == 1 ? "y" : "ies");
	return 0;
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
	rtnl_close(&l->rtnl);
	l->cfg = NULL;
}
