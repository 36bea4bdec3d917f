/* Learning: routes and proxy entries for targets found behind a slave. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "proxy_ndp_state.h"
#include "relay.h"

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		    NUD_PERMANENT)

/* A claim refused is worth a line, but not one per hostile packet. */
static struct log_limit refused_limit = LOG_LIMIT_INIT(10, 5);

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

static unsigned int addr_set(const struct in6_addr *a)
{
	uint32_t h = 2166136261u;

	/* The low 64 bits differ most between hosts of one prefix. */
	for (int i = 8; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h % LEARN_SETS;
}

static struct learned *lookup(struct learn *l, const struct in6_addr *a)
{
	struct learned *set = &l->entries[addr_set(a) * LEARN_WAYS];

	for (int i = 0; i < LEARN_WAYS; i++)
		if (set[i].state != LEARN_FREE &&
		    memcmp(&set[i].addr, a, sizeof(*a)) == 0)
			return &set[i];
	return NULL;
}

static struct learned *slot_for(struct learn *l, const struct in6_addr *a)
{
	struct learned *set = &l->entries[addr_set(a) * LEARN_WAYS];

	for (int i = 0; i < LEARN_WAYS; i++)
		if (set[i].state == LEARN_FREE)
			return &set[i];
	return NULL;
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

static void add_proxies(struct learn *l, struct learned *e, struct group *g)
{
	char a[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < g->nmasters && e->nproxies < LEARN_MAX_PROXIES; i++) {
		unsigned int ifindex = if_nametoindex(g->masters[i]);

		if (!ifindex || ifindex == e->ifindex)
			continue;
		ensure_proxy_ndp(l, g->masters[i], g->num);
		if (rtnl_proxy(&l->relay->rtnl, RTNL_ADD, &e->addr, ifindex) == -1) {
			log_warn("proxy entry for %s on %s", fmt_addr(&e->addr, a),
				 g->masters[i]);
			continue;
		}
		e->proxies[e->nproxies++] = ifindex;
		l->c.proxies_added++;
	}
}

static void remove_entry(struct learn *l, struct learned *e, const char *why)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(&e->addr, a);
	if (rtnl_host_route(&l->relay->rtnl, RTNL_DEL, &e->addr, e->ifindex,
			    learn_route_metric(l->cfg, e->group)) == 0)
		l->c.routes_removed++;
	else if (errno != ESRCH && errno != ENOENT && errno != ENODEV)
		log_warn("removing the route to %s", a);
	for (unsigned int i = 0; i < e->nproxies; i++)
		if (rtnl_proxy(&l->relay->rtnl, RTNL_DEL, &e->addr,
			       e->proxies[i]) == 0)
			l->c.proxies_removed++;
	log_info("forgot %s: %s", a, why);
	if (e->state == LEARN_VERIFYING || e->state == LEARN_FAILING)
		l->npending--;
	memset(e, 0, sizeof(*e));
}

/* Change state, keeping the count of entries that wait for a deadline. */
static void set_pending(struct learn *l, struct learned *e,
			enum learn_state state, uint64_t deadline)
{
	bool was = e->state == LEARN_VERIFYING || e->state == LEARN_FAILING;
	bool is = state == LEARN_VERIFYING || state == LEARN_FAILING;

	l->npending += (unsigned int)is - (unsigned int)was;
	e->state = (uint8_t)state;
	e->deadline = deadline;
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

static void learn_new(struct learn *l, struct group *g, unsigned int ifindex,
		      const struct in6_addr *dst)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "?";
	struct learned *e = slot_for(l, dst);

	if (!e) {
		l->c.table_full++;
		return;
	}
	fmt_addr(dst, a);
	if_indextoname(ifindex, ifname);
	if (rtnl_host_route(&l->relay->rtnl, RTNL_ADD, dst, ifindex,
			    learn_route_metric(l->cfg, g->num)) == -1) {
		log_warn("route %s/128 dev %s", a, ifname);
		return;
	}
	e->addr = *dst;
	e->ifindex = ifindex;
	e->group = g->num;
	e->state = LEARN_ACTIVE;
	l->c.learned++;
	l->c.routes_added++;
	if (l->cfg->proxy_ndp)
		add_proxies(l, e, g);
	log_info("learned %s behind %s: route added%s", a, ifname,
		 e->nproxies ? ", proxied on the masters" : "");
}

/* Not routing dst behind slave ifindex: why, and where it answers. */
static void refuse(struct learn *l, const struct in6_addr *dst,
		   unsigned int ifindex, const char *why, unsigned int where)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE], other[IF_NAMESIZE] = "";

	l->c.claims_refused++;
	if (where)
		fmt_ifname(where, other);
	log_warnx_limited(&refused_limit, "not routing %s behind %s: %s%s%s",
			  fmt_addr(dst, a), fmt_ifname(ifindex, ifname), why,
			  where ? " " : "", other);
}

/*
 * The master of g where dst has a neighbor entry with a link-layer address
 * (it answered there, and the kernel has not forgotten it), or 0.
 */
static unsigned int answers_on_master(struct learn *l, const struct group *g,
				      const struct in6_addr *dst)
{
	for (unsigned int i = 0; i < g->nmasters; i++) {
		unsigned int ifindex = if_nametoindex(g->masters[i]);
		int state;

		if (!ifindex)
			continue;
		state = rtnl_neigh_state(&l->relay->rtnl, ifindex, dst);
		if (state > 0 && (state & (NUD_USABLE | NUD_NOARP)))
			return ifindex;
	}
	return 0;
}

/*
 * Ask e's slave again; the verdict comes from its neighbor entry. A probe
 * that could not go out (keep-alive budget spent, or the kernel refused it,
 * as it does when the neighbor table is full) is tried again, for a while:
 * deferred, not lost.
 */
static void verify(struct learn *l, struct learned *e, uint64_t now)
{
	struct group *g = relay_group_of_slave(l->relay, e->ifindex);
	enum probe_result res = PROBE_UNAVAILABLE;

	if (e->state != LEARN_VERIFYING) {
		e->verify_since = now;
		l->c.reprobes++;
	}
	if (g)
		res = relay_probe_one(l->relay, g, e->ifindex, &e->addr, now);
	e->asked = res == PROBE_SENT || now - e->verify_since >= LEARN_GIVE_UP_NS;
	if (e->asked) {
		set_pending(l, e, LEARN_VERIFYING,
			    res == PROBE_SENT ? now + LEARN_VERIFY_NS : now);
		return;
	}
	l->c.reprobes_deferred++;
	set_pending(l, e, LEARN_VERIFYING, now + (res == PROBE_DEFERRED ?
		    1000000000ull / l->relay->keepalive.rate : LEARN_RETRY_NS));
}

static void move_entry(struct learn *l, struct learned *e, unsigned int ifindex)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	uint32_t metric = learn_route_metric(l->cfg, e->group);

	if (rtnl_host_route(&l->relay->rtnl, RTNL_DEL, &e->addr, e->ifindex,
			    metric) == 0)
		l->c.routes_removed++;
	e->challenger = 0;
	if (rtnl_host_route(&l->relay->rtnl, RTNL_ADD, &e->addr, ifindex,
			    metric) == -1) {
		e->ifindex = ifindex;	/* nothing of ours is left on the old */
		remove_entry(l, e, "could not move its route");
		return;
	}
	l->c.routes_added++;
	l->c.moved++;
	set_pending(l, e, LEARN_ACTIVE, 0);
	e->ifindex = ifindex;
	log_info("%s moved behind %s: route moved", fmt_addr(&e->addr, a),
		 fmt_ifname(ifindex, ifname));
}

/* The current location did not answer when asked again. */
static void location_lost(struct learn *l, struct learned *e, const char *why)
{
	if (e->challenger)
		move_entry(l, e, e->challenger);
	else
		remove_entry(l, e, why);
}

/*
 * dst answered our ask behind slave `ifindex` of g. Never route there an
 * address of this host, or one that answers on a master; if it is known
 * behind another slave, move it only once it stops answering there.
 */
static void claim(struct learn *l, struct group *g, unsigned int ifindex,
		  const struct in6_addr *dst, struct learned *e, uint64_t now)
{
	char a[INET6_ADDRSTRLEN], cur[IF_NAMESIZE];
	unsigned int master;

	if (is_local(l, dst)) {
		refuse(l, dst, ifindex, "it is an address of this host", 0);
		return;
	}
	master = answers_on_master(l, g, dst);
	if (master) {
		refuse(l, dst, ifindex, "it answers on master", master);
		return;
	}
	if (!e) {
		learn_new(l, g, ifindex, dst);
		return;
	}
	if (e->challenger)
		return;		/* already asking the current location again */
	/*
	 * Even a REACHABLE entry there may be 30 s old: resolve it anew, so
	 * that only a fresh answer keeps it.
	 */
	e->challenger = ifindex;
	/* The kernel reports FAILED, then the deletion: on_location asks. */
	if (rtnl_neigh_del(&l->relay->rtnl, e->ifindex, dst) == 0)
		return;
	if (errno != ENOENT)
		log_warn("asking %s again: removing its neighbor entry on %s",
			 fmt_addr(dst, a), fmt_ifname(e->ifindex, cur));
	verify(l, e, now);
}

/* An event for the entry where e lives. */
static void on_location(struct learn *l, struct learned *e,
			const struct netmon_event *ev, bool usable, uint64_t now)
{
	if (ev->deleted) {
		/*
		 * Deleted (garbage collection, ip neigh del): that says
		 * nothing about X. Ask again before giving up.
		 */
		if (e->state == LEARN_ACTIVE || e->state == LEARN_FAILING)
			verify(l, e, now);
	} else if (ev->neigh.state == NUD_FAILED) {
		if (e->state == LEARN_VERIFYING && e->asked)
			location_lost(l, e, "did not answer when asked again");
		else if (e->state != LEARN_VERIFYING)
			set_pending(l, e, LEARN_FAILING, now);
	} else if (usable && e->state != LEARN_ACTIVE) {
		/* Challenged, only a fresh answer keeps it here. */
		if (e->challenger && ev->neigh.state != NUD_REACHABLE)
			return;
		if (e->challenger) {
			refuse(l, &e->addr, e->challenger,
			       "it still answers behind", e->ifindex);
			e->challenger = 0;
		}
		set_pending(l, e, LEARN_ACTIVE, 0);
	}
}

void learn_on_neigh(struct learn *l, const struct netmon_event *ev,
		    uint64_t now)
{
	const struct in6_addr *dst = &ev->neigh.dst;
	bool usable = !ev->deleted && (ev->neigh.state & NUD_USABLE) &&
		      ev->neigh.has_lladdr;
	struct learned *e;
	struct group *g;

	if (!l->cfg->learn_routes || (ev->neigh.flags & NTF_PROXY))
		return;
	e = lookup(l, dst);
	if (e && e->ifindex == ev->ifindex) {
		on_location(l, e, ev, usable, now);
		return;
	}
	g = relay_group_of_slave(l->relay, ev->ifindex);
	if (!g) {
		/* A learned address that answers on a master is not ours. */
		g = e ? relay_find_group(l->relay, e->group) : NULL;
		if (g && usable && relay_is_master(g, ev->ifindex)) {
			refuse(l, dst, e->ifindex, "it answers on master",
			       ev->ifindex);
			remove_entry(l, e, "it answers on a master");
		}
		return;
	}
	/*
	 * Only an answer to our own question counts: an entry made fresh
	 * (REACHABLE: a solicited advertisement) on a slave we asked. An
	 * entry that a guest's own NS or NA made proves nothing.
	 */
	if (ev->neigh.state != NUD_REACHABLE || !ev->neigh.has_lladdr ||
	    ev->deleted || !global_unicast(dst) ||
	    !relay_asked(l->relay, ev->ifindex, dst, now))
		return;
	claim(l, g, ev->ifindex, dst, e, now);
}

void learn_on_answer(struct learn *l, unsigned int ifindex,
		     const struct in6_addr *from, uint64_t now)
{
	struct group *g = relay_group_of_slave(l->relay, ifindex);
	struct learned *e;

	if (!l->cfg->learn_routes || !g || !global_unicast(from) ||
	    !relay_asked(l->relay, ifindex, from, now))
		return;
	e = lookup(l, from);
	if (e && e->ifindex == ifindex)
		return;		/* its neighbor entry tells how it fares there */
	claim(l, g, ifindex, from, e, now);
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
	if (!ev->deleted && ev->link.up)
		return;
	/*
	 * Down or gone: the kernel flushed the routes and proxy entries on
	 * the device. Forget what used it; the next NS learns it again.
	 */
	for (unsigned int i = 0; i < LEARN_SETS * LEARN_WAYS; i++) {
		struct learned *e = &l->entries[i];
		bool used = e->ifindex == ev->ifindex;

		if (e->state == LEARN_FREE)
			continue;
		for (unsigned int j = 0; j < e->nproxies; j++)
			used = used || e->proxies[j] == ev->ifindex;
		if (used)
			remove_entry(l, e, ev->deleted ? "its interface is gone" :
				     "its interface is down");
	}
	if (!ev->deleted)
		return;
	for (unsigned int i = 0; i < l->naddrs;) {
		if (l->addrs[i].ifindex == ev->ifindex)
			l->addrs[i] = l->addrs[--l->naddrs];
		else
			i++;
	}
}

bool learn_wants_upstream(struct learn *l, uint16_t group,
			  const struct in6_addr *target)
{
	struct group *g = relay_find_group(l->relay, group);

	/* Not through the hold-down: only prefixes vouch for the upstream's. */
	return g && l->cfg->proxy_ndp && !lookup(l, target) &&
	       global_unicast(target) && !is_local(l, target) &&
	       in_our_prefixes(l, g, target);
}

uint64_t learn_next_deadline(const struct learn *l)
{
	uint64_t next = 0;

	if (l->npending == 0)
		return 0;
	for (unsigned int i = 0; i < LEARN_SETS * LEARN_WAYS; i++) {
		const struct learned *e = &l->entries[i];

		if ((e->state == LEARN_VERIFYING || e->state == LEARN_FAILING) &&
		    (!next || e->deadline < next))
			next = e->deadline;
	}
	/* 0 means "none" to the caller; a deadline of "now" is 1 ns. */
	return next ? next : 1;
}

void learn_expire(struct learn *l, uint64_t now)
{
	for (unsigned int i = 0; l->npending && i < LEARN_SETS * LEARN_WAYS; i++) {
		struct learned *e = &l->entries[i];

		if (e->deadline > now)
			continue;
		if (e->state == LEARN_FAILING)
			location_lost(l, e, "no longer answers");
		else if (e->state == LEARN_VERIFYING && !e->asked)
			verify(l, e, now);
		else if (e->state == LEARN_VERIFYING)
			location_lost(l, e, "did not answer when asked again");
	}
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

void learn_init(struct learn *l, const struct config *cfg, struct relay *relay)
{
	int routes, proxies;

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->relay = relay;
	/* What a killed run of our groups turned on (proxy_ndp_state.h). */
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		if (proxy_ndp_state_recover(cfg->groups[i]) == -1)
			log_warn("group %u: reading the proxy_ndp record of an earlier run",
				 cfg->groups[i]);
	routes = 0;
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		int n = rtnl_purge_routes(&relay->rtnl, 254 /* RT_TABLE_MAIN */,
					  learn_route_metric(cfg, cfg->groups[i]));

		if (n > 0)
			routes += n;
	}
	proxies = rtnl_purge_proxies(&relay->rtnl, owned_elsewhere, l);
	if (routes > 0 || proxies > 0)
		log_info("removed %d route(s) and %d proxy entr%s left by an earlier run",
			 routes, proxies, proxies == 1 ? "y" : "ies");
}

void learn_fini(struct learn *l)
{
	if (!l->cfg)
		return;
	if (l->cfg->keep_routes) {
		log_info("leaving %lu learned route(s) in place (--keep-routes)",
			 l->c.routes_added - l->c.routes_removed);
	} else {
		for (unsigned int i = 0; i < LEARN_SETS * LEARN_WAYS; i++)
			if (l->entries[i].state != LEARN_FREE)
				remove_entry(l, &l->entries[i], "exiting");
	}
	proxy_ndp_state_undo(&l->proxy_ndp);
}
