/* Learning's egress: routes and proxy entries, and what a killed run left. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "ipv6conf.h"
#include "learn.h"
#include "log.h"
#include "metrics.h"
#include "proxy_ndp_state.h"
#include "trace.h"

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

/* ---- the engine's egress: requests sent, acks read later ---- */

/* What an ack (or its loss, err 0) says about one request. */
static void on_outcome(const struct rtnl_req *r, int err, bool superseded,
		       void *data)
{
	struct learn *l = data;
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	bool add = r->kind == RTNL_REQ_ROUTE_ADD || r->kind == RTNL_REQ_PROXY_ADD;

	switch (r->kind) {
	case RTNL_REQ_NEIGH_ADD:
		/* Without it the kernel resolves the target itself. */
		if (!err)
			l->c.neighbors_added++;
		else
			log_warnx_limited(&route_limit, "group %u: neighbor entry %s dev %s: %s",
					  r->group, fmt_addr(&r->addr, a),
					  log_ifname(r->ifindex, ifname),
					  strerror(err));
		return;
	case RTNL_REQ_ROUTE_ADD:
		if (!err) {
			l->c.routes_added++;
			return;
		}
		log_warnx_limited(&route_limit, "group %u: route %s/128 dev %s: %s",
				  r->group, fmt_addr(&r->addr, a),
				  log_ifname(r->ifindex, ifname), strerror(err));
		/* A later request for it stands: the engine moved on. */
		if (superseded)
			return;
		if (l->nfailed == LEARN_FAILURES_MAX) {
			l->resync = true;
			return;
		}
		l->failed[l->nfailed++] = (struct learn_failure){
			.group = r->group, .target = r->addr,
			.slave = r->ifindex,
		};
		return;
	case RTNL_REQ_ROUTE_DEL:
		if (!err)
			l->c.routes_removed++;
		/* Gone with its device, or removed by hand: what we wanted. */
		else if (err != ESRCH && err != ENOENT && err != ENODEV)
			log_warnx_limited(&route_limit, "group %u: removing the route to %s: %s",
					  r->group, fmt_addr(&r->addr, a),
					  strerror(err));
		return;
	default:
		if (!err) {
			if (add)
				l->c.proxies_added++;
			else
				l->c.proxies_removed++;
		} else if (add || (err != ENOENT && err != ENODEV && err != ESRCH)) {
			log_warnx_limited(&route_limit, "group %u: %s the proxy entry for %s on %s: %s",
					  r->group, add ? "adding" : "removing",
					  fmt_addr(&r->addr, a),
					  log_ifname(r->ifindex, ifname),
					  strerror(err));
		}
	}
}

int learn_fd(const struct learn *l)
{
	return nlsock_fd(&l->writes.sock);
}

/*
 * An overrun (ENOBUFS) means acks were dropped, and which ones is not
 * known. Once the socket is read dry every ack there will be has come
 * (rtnetlink queues it inside the send), so what is still pending then
 * lost its ack: it is taken as done, as nearly every request is, and the
 * caller is asked to read the kernel's routes again (learn_resync), which
 * finds a learned route that is not there and has the engine add it or
 * forget its target. Cheaper and simpler than a dump per overrun, which
 * the table's bound (RTNL_PENDING_MAX acks against a receive buffer that
 * holds thousands) all but rules out. until_dry: every message there;
 * else only while requests wait for their acks.
 */
static void read_acks(struct learn *l, bool until_dry)
{
	char buf[8192];

	if (!l->writes.sock.nl)
		return;
	while (until_dry || rtnl_pending_count(&l->pending) > 0) {
		ssize_t n = recv(learn_fd(l), buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			rtnl_pending_scan(&l->pending, buf, (size_t)n, on_outcome, l);
		} else if (n == -1 && errno == ENOBUFS) {
			l->c.ack_overruns++;
			l->overrun = true;
		} else if (!(n == -1 && errno == EINTR)) {
			break;		/* dry (EAGAIN) */
		}
	}
	if (l->overrun) {
		l->overrun = false;
		if (rtnl_pending_drop(&l->pending, on_outcome, l))
			l->resync = true;
	}
}

void learn_read_acks(struct learn *l)
{
	read_acks(l, true);
}

void learn_take_acks(struct learn *l)
{
	read_acks(l, false);
}

/*
 * Room for n more requests: the acks that came are read first. Only if
 * they are not there (no kernel does that today: rtnetlink acks inside
 * the send) is the wait for them synchronous, bounded by
 * NLSOCK_TIMEOUT_MS, after which the pending ones are taken as done.
 */
static void make_room(struct learn *l, unsigned int n)
{
	uint64_t deadline = 0;

	while (RTNL_PENDING_MAX - rtnl_pending_count(&l->pending) < n) {
		struct pollfd pfd = { .fd = learn_fd(l), .events = POLLIN };
		uint64_t now;

		learn_read_acks(l);
		if (RTNL_PENDING_MAX - rtnl_pending_count(&l->pending) >= n)
			return;
		now = monotonic_ns();
		if (!deadline)
			deadline = now + (uint64_t)NLSOCK_TIMEOUT_MS * 1000000u;
		if (now >= deadline ||
		    (poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) == -1 &&
		     errno != EINTR)) {
			l->c.ack_overruns++;
			l->overrun = true;
			learn_read_acks(l);	/* drops what is pending */
			return;
		}
	}
}

/*
 * Send msgs[0..n) (n <= 2) in one message, each recorded in the pending
 * table under its sequence number. A send that fails carried nothing
 * out: each request gets the send's error as its outcome.
 */
static void send_reqs(struct learn *l, struct nlmsghdr **msgs,
		      struct rtnl_req *reqs, unsigned int n)
{
	char buf[2 * RTNL_MSG_SIZE];
	size_t len = 0;
	ssize_t sent;

	make_room(l, n);
	for (unsigned int k = 0; k < n; k++) {
		msgs[k]->nlmsg_seq = reqs[k].seq = nlsock_next_seq(&l->writes.sock);
		memcpy(buf + len, msgs[k], msgs[k]->nlmsg_len);
		len += NLMSG_ALIGN(msgs[k]->nlmsg_len);
	}
	TRACE("rtnl write");
	sent = mnl_socket_sendto(l->writes.sock.nl, buf, len);
	TRACE("rtnl written");
	if (sent < 0) {
		int err = errno;

		for (unsigned int k = 0; k < n; k++)
			on_outcome(&reqs[k], err, false, l);
		return;
	}
	for (unsigned int k = 0; k < n; k++)
		rtnl_pending_push(&l->pending, &reqs[k]);
}

static struct rtnl_req route_req(uint16_t group, enum rtnl_req_kind kind,
				 const struct in6_addr *target,
				 unsigned int ifindex)
{
	return (struct rtnl_req){ .kind = (uint8_t)kind, .group = group,
				  .addr = *target, .ifindex = ifindex };
}

/*
 * With the link-layer address the target's answer carried, the kernel's
 * neighbor entry is made in the same send, before the route: the first
 * packet routed there (often the upstream's reply, forwarded inside our
 * NA's send) goes out at once instead of waiting for the kernel's own NS
 * and its answer.
 */
void learn_route_add(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave,
		     const uint8_t *mac)
{
	char b0[RTNL_MSG_SIZE], b1[RTNL_MSG_SIZE];
	struct nlmsghdr *m[2];
	struct rtnl_req r[2];
	unsigned int n = 0;

	if (mac) {
		m[n] = rtnl_neigh_msg(b0, target, mac, slave);
		r[n++] = route_req(group, RTNL_REQ_NEIGH_ADD, target, slave);
	}
	m[n] = rtnl_host_route_msg(b1, RTNL_ADD, target, slave,
				   learn_route_metric(l->cfg, group));
	r[n++] = route_req(group, RTNL_REQ_ROUTE_ADD, target, slave);
	send_reqs(l, m, r, n);
}

/* The confirm of a target not routed: its entry alone, as above. */
void learn_neigh_add(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave,
		     const uint8_t mac[6])
{
	char b[RTNL_MSG_SIZE];
	struct nlmsghdr *m = rtnl_neigh_msg(b, target, mac, slave);
	struct rtnl_req r = route_req(group, RTNL_REQ_NEIGH_ADD, target, slave);

	send_reqs(l, &m, &r, 1);
}

void learn_route_del(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int slave)
{
	char b[RTNL_MSG_SIZE];
	struct nlmsghdr *m = rtnl_host_route_msg(b, RTNL_DEL, target, slave,
						 learn_route_metric(l->cfg, group));
	struct rtnl_req r = route_req(group, RTNL_REQ_ROUTE_DEL, target, slave);

	send_reqs(l, &m, &r, 1);
}

void learn_route_move(struct learn *l, uint16_t group,
		      const struct in6_addr *target, unsigned int from,
		      unsigned int to)
{
	uint32_t metric = learn_route_metric(l->cfg, group);
	char b0[RTNL_MSG_SIZE], b1[RTNL_MSG_SIZE];
	struct nlmsghdr *m[2] = {
		rtnl_host_route_msg(b0, RTNL_DEL, target, from, metric),
		rtnl_host_route_msg(b1, RTNL_ADD, target, to, metric),
	};
	struct rtnl_req r[2] = {
		route_req(group, RTNL_REQ_ROUTE_DEL, target, from),
		route_req(group, RTNL_REQ_ROUTE_ADD, target, to),
	};

	send_reqs(l, m, r, 2);
}

void learn_proxy(struct learn *l, uint16_t group, const struct in6_addr *target,
		 unsigned int master, const char *ifname, bool add)
{
	char b[RTNL_MSG_SIZE];
	struct nlmsghdr *m;
	struct rtnl_req r = route_req(group, add ? RTNL_REQ_PROXY_ADD :
					      RTNL_REQ_PROXY_DEL, target, master);

	if (add)
		ensure_proxy_ndp(l, ifname, group);
	m = rtnl_proxy_msg(b, add ? RTNL_ADD : RTNL_DEL, target, master);
	send_reqs(l, &m, &r, 1);
}

int learn_next_failure(struct learn *l, struct learn_failure *f)
{
	if (!l->nfailed)
		return 0;
	*f = l->failed[0];
	memmove(&l->failed[0], &l->failed[1],
		(l->nfailed - 1) * sizeof(l->failed[0]));
	l->nfailed--;
	return 1;
}

bool learn_resync(struct learn *l)
{
	bool was = l->resync;

	l->resync = false;
	return was;
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
	int one = 1;

	memset(l, 0, sizeof(*l));
	rtnl_pending_init(&l->pending);
	if (rtnl_open(&l->rtnl) == -1) {
		log_warn("rtnetlink socket for routes and proxy entries");
		return -1;
	}
	/* An error's ack without the request in it: smaller, and not needed. */
	if (nlsock_open(&l->writes.sock, NETLINK_ROUTE, 0, true) == -1 ||
	    mnl_socket_setsockopt(l->writes.sock.nl, NETLINK_CAP_ACK, &one,
				  sizeof(one)) == -1) {
		log_warn("rtnetlink socket for routes and proxy entries");
		nlsock_close(&l->writes.sock);
		rtnl_close(&l->rtnl);
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
	learn_read_acks(l);	/* counted before they are summed up */
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
	rtnl_close(&l->writes);
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
	metrics_counter(m, "neighbors_added_total",
			"The kernel's neighbor entries written from the link-layer address in a target's NA: with its learned route, or as its confirm.",
			l->c.neighbors_added);
	metrics_counter(m, "route_acks_lost_total",
			"Route and proxy requests whose ack was lost (receive buffer overrun): taken as done, the routes read again.",
			l->pending.lost);
}
