/* Learning's egress: routes and proxy entries, and what a killed run left. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipv6conf.h"
#include "learn.h"
#include "log.h"
#include "metrics.h"
#include "proxy_ndp_state.h"

static struct log_limit route_limit = LOG_LIMIT_INIT(10, 5);

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

uint32_t learn_route_metric(const struct config *cfg, uint16_t group)
{
	return cfg->route_metric + group;
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
	if (!l->forwarding_warned && (ipv6conf_read("all", "forwarding") == 0 ||
				      ipv6conf_read(master, "forwarding") == 0)) {
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
				  group, fmt_addr(target, a), log_ifname(slave, ifname),
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
		 unsigned int master, const char *ifname, bool add)
{
	char a[INET6_ADDRSTRLEN];

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

int learn_init(struct learn *l, const struct config *cfg)
{
	int routes, proxies;

	memset(l, 0, sizeof(*l));
	if (rtnl_open(&l->rtnl) == -1) {
		log_warn("rtnetlink socket for routes and proxy entries");
		return -1;
	}
	l->cfg = cfg;
	/* What a killed run of our groups turned on (proxy_ndp_state.h). */
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		if (proxy_ndp_state_recover(cfg->groups[i]) == -1)
			log_warn("group %u: reading the proxy_ndp record of an earlier run",
				 cfg->groups[i]);
	/*
	 * With --learn-routes, the routes are adopted once the slaves are
	 * known (intake_kernel_adopt); proxies are made anew for what is
	 * adopted.
	 */
	purge(l, !cfg->learn_routes, &routes, &proxies);
	if (routes > 0 || proxies > 0)
		log_info("removed %d route(s) and %d proxy entr%s left by an earlier run",
			 routes, proxies, proxies == 1 ? "y" : "ies");
	return 0;
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
