/* The relay: from one logged NS to echo requests out of the slaves. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "probe.h"
#include "relay.h"

#define NSEC_PER_MSEC 1000000ull
#define SLAVE_RETRY_NS (1000 * NSEC_PER_MSEC)

static struct log_limit send_fail_limit = LOG_LIMIT_INIT(10, 5);
static struct log_limit ignored_limit = LOG_LIMIT_INIT(10, 5);
/* Slaves missing or without a link-local source: once per slave and state
   change, and with hundreds of slaves churning, at most this many. */
static struct log_limit slave_limit = LOG_LIMIT_INIT(60, 10);

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void slave_release(struct relay *r, struct group *g, struct slave *s)
{
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	if (s->routed &&
	    rtnl_default_route(&r->rtnl, RTNL_DEL, s->ifindex, g->fwmark,
			       s->ifindex) == -1 && errno != ENOENT &&
	    errno != ENODEV)
		log_warn("%s: removing egress route", s->name);
	s->routed = false;
	s->ifindex = 0;
	s->has_ll = false;
}

static void slave_find_ll(struct relay *r, struct slave *s)
{
	/*
	 * No warning here: a link that just came up has no link-local
	 * address for a moment, every time. Only a probe that goes out
	 * without one is worth saying (probe_slave).
	 */
	s->has_ll = rtnl_link_local(&r->rtnl, s->ifindex, &s->ll) == 0;
	if (s->has_ll)
		s->ll_warned = false;
}

/*
 * Find the slave's interface and make it ready to probe: socket, egress
 * route, link-local source. A slave that is missing is a warning, not an
 * error; it is looked for again at most once a second, when needed.
 */
static void slave_refresh(struct relay *r, struct group *g, struct slave *s,
			  uint64_t now)
{
	unsigned int ifindex = if_nametoindex(s->name);

	s->next_refresh = now + SLAVE_RETRY_NS;
	if (ifindex != s->ifindex)
		slave_release(r, g, s);
	if (ifindex == 0) {
		if (!s->absent_warned)
			log_warnx_limited(&slave_limit,
					  "slave %s: no such interface; probing it when it appears",
					  s->name);
		s->absent_warned = true;
		return;
	}
	s->absent_warned = false;
	if (s->ifindex != ifindex)
		s->up = true;	/* until a link event says otherwise */
	s->ifindex = ifindex;
	if (!s->up)
		return;		/* ready when it comes up */
	if (s->fd == -1) {
		s->fd = probe_socket_open(s->name, g->fwmark);
		if (s->fd == -1) {
			log_warn("slave %s: probe socket", s->name);
			return;
		}
	}
	/* The metric only has to be unique per slave within our table. */
	if (!s->routed) {
		if (rtnl_default_route(&r->rtnl, RTNL_ADD, ifindex, g->fwmark,
				       ifindex) == -1) {
			log_warn("slave %s: egress route in table %u", s->name,
				 g->fwmark);
			return;
		}
		s->routed = true;
	}
	if (!s->has_ll)
		slave_find_ll(r, s);
	log_debug("slave %s: ifindex %u ready", s->name, ifindex);
}

/* 0 if group g's egress table holds no routes but ours, else -1 (logged). */
static int egress_table_foreign(struct relay *r, struct group *g)
{
	uint8_t protocol = 0;
	int n = rtnl_table_foreign_routes(&r->rtnl, g->fwmark, &protocol);

	if (n == -1) {
		log_warn("group %u: reading routing table %u", g->num, g->fwmark);
		return -1;
	}
	if (n > 0) {
		log_warnx("group %u: routing table %u (--fwmark 0x%x + %u) already holds %d route(s) that ns-monitor did not make (protocol %u, see ip -6 route show table %u): it is in use; choose another --fwmark BASE so that BASE+%u is a free table",
			  g->num, g->fwmark, r->cfg->fwmark_base, g->num, n,
			  protocol, g->fwmark, g->num);
		return -1;
	}
	return 0;
}

static int group_egress_init(struct relay *r, struct group *g)
{
	int n;

	/*
	 * The table must be ours alone: purging it, or adding an on-link
	 * default route to it, would break whoever else routes with it.
	 * Checked before anything is touched, so a refusal leaves no trace.
	 */
	if (egress_table_foreign(r, g) != 0)
		return -1;
	/* Leftovers of a killed run on this group: same mark, same table. */
	n = rtnl_purge_rules(&r->rtnl, g->fwmark, g->fwmark);
	if (n == -1) {
		log_warn("group %u: removing old egress rules", g->num);
		return -1;
	}
	if (rtnl_purge_table(&r->rtnl, g->fwmark) == -1) {
		log_warn("group %u: removing old egress routes", g->num);
		return -1;
	}
	if (rtnl_rule(&r->rtnl, RTNL_ADD, g->fwmark, g->fwmark,
		      EGRESS_RULE_PREF) == -1) {
		log_warn("group %u: adding the egress rule (fwmark 0x%x lookup %u)",
			 g->num, g->fwmark, g->fwmark);
		return -1;
	}
	g->rule_installed = true;
	return 0;
}

void relay_nflog_overrun(struct relay *r)
{
	struct counters *c = &r->counters;

	c->nflog_lost++;
	c->nflog_lost_credit++;
	c->nflog_lost_pending = r->ngroups;
	for (unsigned int i = 0; i < r->ngroups; i++)
		r->groups[i].gap_pending = true;
}

void relay_nflog_seq(struct relay *r, struct group *g, uint32_t seq)
{
	struct counters *c = &r->counters;
	/* A gap in the group's sequence is what the kernel could not deliver. */
	uint32_t gap = seq - g->next_seq;
	uint32_t paid = gap < c->nflog_lost_credit ? gap :
			(uint32_t)c->nflog_lost_credit;

	c->nflog_lost_credit -= paid;
	c->nflog_lost += gap - paid;
	g->next_seq = seq + 1;
	if (g->gap_pending) {
		g->gap_pending = false;
		c->nflog_lost_pending--;
	}
}

struct group *relay_find_group(struct relay *r, uint16_t num)
{
	for (unsigned int i = 0; i < r->ngroups; i++)
		if (r->groups[i].num == num)
			return &r->groups[i];
	return NULL;
}

int relay_init(struct relay *r, const struct config *cfg, uint64_t now)
{
	uint64_t seed = 0;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = now ^ (uint64_t)getpid() << 32;
	if (holddown_init(&r->holddown, DEFAULT_HOLDDOWN_SIZE,
			  cfg->holddown_ms * NSEC_PER_MSEC, seed) == -1) {
		log_warn("hold-down table");
		return -1;
	}
	if (holddown_init(&r->asked, DEFAULT_HOLDDOWN_SIZE, RELAY_ASK_WINDOW_NS,
			  seed ^ 0x61736b6564ull) == -1) {
		log_warn("ask table");
		holddown_free(&r->holddown);
		return -1;
	}
	tokenbucket_init(&r->bucket, cfg->rate, cfg->burst, now);
	/* Never below the default, whatever --rate says for new targets. */
	tokenbucket_init(&r->keepalive,
			 cfg->rate > DEFAULT_RATE ? cfg->rate : DEFAULT_RATE,
			 cfg->burst > DEFAULT_BURST ? cfg->burst : DEFAULT_BURST, now);
	r->echo_id = (uint16_t)(seed >> 16);

	/* Sized to the groups in use: untouched memory is not resident. */
	r->groups = calloc(cfg->ngroups, sizeof(*r->groups));
	if (!r->groups || rtnl_open(&r->rtnl) == -1) {
		log_warn("relay set-up");
		free(r->groups);
		r->groups = NULL;
		holddown_free(&r->holddown);
		holddown_free(&r->asked);
		return -1;
	}
	r->ngroups = cfg->ngroups;
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		struct group *g = &r->groups[i];

		g->num = cfg->groups[i];
		g->fwmark = cfg->fwmark_base + g->num;
		if (group_egress_init(r, g) == -1) {
			relay_fini(r);
			return -1;
		}
		relay_set_slaves(r, g->num, cfg->slaves, cfg->nslaves, now);
	}
	return 0;
}

static bool name_in(const char *name, const char (*names)[IF_NAMESIZE],
		    unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (strncmp(name, names[i], IF_NAMESIZE) == 0)
			return true;
	return false;
}

static int push_name(char (**names)[IF_NAMESIZE], unsigned int *count,
		     unsigned int *cap, const char *name)
{
	if (*count == *cap) {
		unsigned int grown = *cap ? *cap * 2 : 16;
		void *p = realloc(*names, (size_t)grown * IF_NAMESIZE);

		if (!p)
			return -1;
		*names = p;
		*cap = grown;
	}
	snprintf((*names)[(*count)++], IF_NAMESIZE, "%s", name);
	return 0;
}

/*
 * The names specs stand for now: a pattern by the interfaces that match it
 * at this moment (one that appears later waits for the next change).
 * Returns how many (malloc'd into *out), or -1.
 */
static int specs_names(const struct ifspec *specs, unsigned int n,
		       char (**out)[IF_NAMESIZE])
{
	struct if_nameindex *all = NULL;
	char (*names)[IF_NAMESIZE] = NULL;
	unsigned int count = 0, cap = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!specs[i].prefix) {
			if (push_name(&names, &count, &cap, specs[i].name) == -1)
				goto fail;
			continue;
		}
		if (!all && !(all = if_nameindex()))
			goto fail;
		for (struct if_nameindex *p = all; p->if_index; p++)
			if (ifspec_match(&specs[i], p->if_name) &&
			    push_name(&names, &count, &cap, p->if_name) == -1)
				goto fail;
	}
	if (all)
		if_freenameindex(all);
	*out = names;
	return (int)count;
fail:
	if (all)
		if_freenameindex(all);
	free(names);
	return -1;
}

static void set_slave_names(struct relay *r, uint16_t num,
			    const char (*names)[IF_NAMESIZE], unsigned int n,
			    uint64_t now);

void relay_set_slaves(struct relay *r, uint16_t num,
		      const struct ifspec *specs, unsigned int n, uint64_t now)
{
	char (*names)[IF_NAMESIZE] = NULL;
	int count = specs_names(specs, n, &names);

	if (count == -1) {
		log_warn("group %u: the slaves' names", num);
		return;
	}
	set_slave_names(r, num, (const char (*)[IF_NAMESIZE])names,
			(unsigned int)count, now);
	free(names);
}

static void set_slave_names(struct relay *r, uint16_t num,
			    const char (*names)[IF_NAMESIZE], unsigned int n,
			    uint64_t now)
{
	struct group *g = relay_find_group(r, num);
	unsigned int i, kept = 0;

	if (!g)
		return;
	for (i = 0; i < g->nslaves; i++) {
		struct slave *s = &g->slaves[i];

		if (!name_in(s->name, names, n)) {
			log_info("group %u: slave %s removed", g->num, s->name);
			slave_release(r, g, s);
			continue;
		}
		if (kept != i)
			g->slaves[kept] = *s;
		kept++;
	}
	g->nslaves = kept;
	for (i = 0; i < n && g->nslaves < CONFIG_MAX_IFACES; i++) {
		struct slave *s;
		unsigned int j;

		for (j = 0; j < g->nslaves; j++)
			if (strncmp(g->slaves[j].name, names[i], IF_NAMESIZE) == 0)
				break;
		if (j < g->nslaves)
			continue;
		s = &g->slaves[g->nslaves++];
		memset(s, 0, sizeof(*s));
		memcpy(s->name, names[i], IF_NAMESIZE);
		s->fd = -1;
		log_info("group %u: slave %s added", g->num, s->name);
		slave_refresh(r, g, s, now);
	}
}

void relay_fini(struct relay *r)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct group *g = &r->groups[i];

		for (unsigned int j = 0; j < g->nslaves; j++)
			slave_release(r, g, &g->slaves[j]);
		if (g->rule_installed &&
		    rtnl_rule(&r->rtnl, RTNL_DEL, g->fwmark, g->fwmark,
			      EGRESS_RULE_PREF) == -1)
			log_warn("group %u: removing the egress rule", g->num);
		g->rule_installed = false;
	}
	r->ngroups = 0;
	free(r->groups);
	r->groups = NULL;
	rtnl_close(&r->rtnl);
	holddown_free(&r->holddown);
	holddown_free(&r->asked);
}

static enum probe_result probe_slave(struct relay *r, struct group *g,
				      struct slave *s, struct tokenbucket *budget,
				      const struct in6_addr *target,
				      const char *tstr, uint64_t now)
{
	if (s->ifindex && !s->up) {
		s->probes_down++;
		log_debug("%s is down: no probe for %s", s->name, tstr);
		return PROBE_UNAVAILABLE;
	}
	if ((s->fd == -1 || !s->routed) && now >= s->next_refresh)
		slave_refresh(r, g, s, now);
	if (s->fd == -1 || !s->routed) {
		s->probes_absent++;
		return PROBE_UNAVAILABLE;
	}
	if (!tokenbucket_take(budget, now)) {
		g->counters.suppressed_rate++;
		log_debug("rate limit: no probe for %s on %s", tstr, s->name);
		return PROBE_DEFERRED;
	}
	if (!s->has_ll && !s->ll_warned) {
		log_warnx_limited(&slave_limit,
				  "slave %s: no usable link-local address (yet); the kernel picks the probe source",
				  s->name);
		s->ll_warned = true;
	}
	if (r->cfg->dry_run) {
		g->counters.probes_dry_run++;
		log_info("dry run: would probe %s on %s", tstr, s->name);
		return PROBE_UNAVAILABLE;
	}
	if (probe_send(s->fd, s->ifindex, s->has_ll ? &s->ll : NULL, target,
		       r->echo_id, r->echo_seq++) == -1) {
		int err = errno;
		char addr[INET6_ADDRSTRLEN];

		s->probes_failed++;
		inet_ntop(AF_INET6, target, addr, sizeof(addr));
		log_warnx_limited(&send_fail_limit, "probe for %s on %s: %s",
				  addr, s->name, strerror(err));
		/* The interface changed under us: look it up again. */
		if (err == ENODEV || err == ENXIO || err == EADDRNOTAVAIL ||
		    err == ENETUNREACH || err == EINVAL)
			slave_release(r, g, s);
		return PROBE_UNAVAILABLE;
	}
	s->probes_sent++;
	/* What answers there now may be learned: it answers our question. */
	holddown_hit(&r->asked, s->ifindex, target, now);
	log_debug("probe %s on %s", tstr, s->name);
	return PROBE_SENT;
}

bool relay_asked(const struct relay *r, unsigned int ifindex,
		 const struct in6_addr *target, uint64_t now)
{
	return holddown_contains(&r->asked, ifindex, target, now);
}

static const char *ifname_or_index(unsigned int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		sprintf(buf, "ifindex %u", ifindex);
	return buf;
}

void relay_packet(struct relay *r, const struct nflog_packet *pkt,
		  uint64_t now)
{
	char tstr[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE + 16];
	enum ns_verdict v;
	struct ns_info ns;
	struct group *g;

	g = relay_find_group(r, pkt->group);
	if (!g) {
		r->counters.ns_not_ours++;
		return;
	}
	if (pkt->has_seq)
		relay_nflog_seq(r, g, pkt->seq);
	if (!pkt->payload || (!pkt->outdev && !pkt->indev)) {
		r->counters.ns_not_ours++;
		return;
	}
	v = ns_parse(pkt->payload, pkt->payload_len,
		     r->cfg->link_local ? NS_PARSE_ALLOW_LINKLOCAL : 0, &ns);
	if (v != NS_OK) {
		g->counters.ns_ignored[v]++;
		log_warnx_limited(&ignored_limit, "group %u: ignored a logged packet: %s",
				  g->num, ns_verdict_name(v));
		return;
	}
	/*
	 * An NS that arrived on a master (input hook) asks for a target the
	 * upstream wants: worth probing only with --proxy-ndp, for a target
	 * that belongs behind our slaves and is not known yet.
	 */
	if (!pkt->outdev) {
		if (!r->learn || !learn_wants_upstream(r->learn, g->num, &ns.target)) {
			g->counters.upstream_ignored++;
			return;
		}
		g->counters.upstream_relayed++;
	}
	g->counters.ns_valid++;
	/*
	 * Formatting costs more than the rest: only when something logs it
	 * (debug, dry run). Otherwise only log_debug() calls, which are off,
	 * would read it.
	 */
	tstr[0] = '\0';
	if (log_debug_enabled() || r->cfg->dry_run)
		inet_ntop(AF_INET6, &ns.target, tstr, sizeof(tstr));
	if (holddown_hit(&r->holddown, g->num, &ns.target, now)) {
		g->counters.suppressed_holddown++;
		if (log_debug_enabled())
			log_debug("NS for %s %s %s: held down", tstr,
				  pkt->outdev ? "on" : "from upstream on",
				  ifname_or_index(pkt->outdev ? pkt->outdev :
						  pkt->indev, ifname));
		return;
	}
	if (log_debug_enabled())
		log_debug("NS for %s %s %s: probing", tstr,
			  pkt->outdev ? "on" : "from upstream on",
			  ifname_or_index(pkt->outdev ? pkt->outdev : pkt->indev,
					  ifname));
	for (unsigned int i = 0; i < g->nslaves; i++) {
		struct slave *s = &g->slaves[i];

		/* The master it came through is not probed (mesh groups). */
		if (s->ifindex && s->ifindex == (pkt->outdev ? pkt->outdev : pkt->indev))
			continue;
		probe_slave(r, g, s, &r->bucket, &ns.target, tstr, now);
	}
}

struct group *relay_group_of_slave(struct relay *r, unsigned int ifindex)
{
	for (unsigned int i = 0; i < r->ngroups; i++)
		for (unsigned int j = 0; j < r->groups[i].nslaves; j++)
			if (r->groups[i].slaves[j].ifindex == ifindex)
				return &r->groups[i];
	return NULL;
}

bool relay_is_master(const struct group *g, unsigned int ifindex)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname(ifindex, name))
		return false;
	for (unsigned int i = 0; i < g->nmasters; i++)
		if (strcmp(g->masters[i], name) == 0)
			return true;
	return false;
}

void relay_set_masters(struct relay *r, uint16_t num,
		       const struct ifspec *specs, unsigned int n)
{
	struct group *g = relay_find_group(r, num);
	char (*names)[IF_NAMESIZE] = NULL;
	int count;

	if (!g)
		return;
	count = specs_names(specs, n, &names);
	if (count == -1) {
		log_warn("group %u: the masters' names", num);
		return;
	}
	if (count > CONFIG_MAX_IFACES)
		count = CONFIG_MAX_IFACES;
	memcpy(g->masters, names, (size_t)count * IF_NAMESIZE);
	g->nmasters = (unsigned int)count;
	free(names);
}

enum probe_result relay_probe_one(struct relay *r, struct group *g,
				  unsigned int ifindex,
				  const struct in6_addr *target, uint64_t now)
{
	char tstr[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, target, tstr, sizeof(tstr));
	for (unsigned int i = 0; i < g->nslaves; i++)
		if (g->slaves[i].ifindex == ifindex)
			return probe_slave(r, g, &g->slaves[i], &r->keepalive,
					   target, tstr, now);
	return PROBE_UNAVAILABLE;
}

void relay_on_link(struct relay *r, const struct netmon_event *ev,
		   uint64_t now)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct group *g = &r->groups[i];

		for (unsigned int j = 0; j < g->nslaves; j++) {
			struct slave *s = &g->slaves[j];
			bool named = strcmp(s->name, ev->link.name) == 0;

			if (s->ifindex == ev->ifindex && (ev->deleted || !named)) {
				log_warnx("slave %s: %s; probing it again when it is back",
					  s->name, ev->deleted ? "interface deleted" :
					  "interface renamed");
				slave_release(r, g, s);
				continue;
			}
			if (!named || ev->deleted)
				continue;
			if (s->ifindex == ev->ifindex) {
				if (s->up == ev->link.up)
					continue;
				log_info("slave %s is %s", s->name,
					 ev->link.up ? "up" : "down");
			} else {
				slave_release(r, g, s);	/* new or re-created */
			}
			s->up = ev->link.up;
			/* The kernel flushes the routes of a device going down. */
			s->routed = s->routed && s->up;
			if (s->up)
				slave_refresh(r, g, s, now);
			else
				s->ifindex = ev->ifindex;
		}
	}
}

void relay_on_addr(struct relay *r, const struct netmon_event *ev)
{
	if (!IN6_IS_ADDR_LINKLOCAL(&ev->addr.addr))
		return;
	for (unsigned int i = 0; i < r->ngroups; i++)
		for (unsigned int j = 0; j < r->groups[i].nslaves; j++) {
			struct slave *s = &r->groups[i].slaves[j];

			/* DAD done, address added or removed: look again. */
			if (s->ifindex == ev->ifindex && s->fd != -1)
				slave_find_ll(r, s);
		}
}
