/* The relay: the slaves the engine asks, and the asks and confirms. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nd_send.h"
#include "grow.h"
#include "log.h"
#include "metrics.h"
#include "echo.h"
#include "slaves.h"

#define NSEC_PER_MSEC 1000000ull
#define SLAVE_RETRY_NS (1000 * NSEC_PER_MSEC)

static struct log_limit send_fail_limit = LOG_LIMIT_INIT(10, 5);
/* A firewall dropping echoes: once per episode, and episodes that come and
   go (a rule toggled) at most this often. */
static struct log_limit firewall_limit = LOG_LIMIT_INIT(60, 2);
/* Slaves missing or without a link-local source: once per slave and state
   change, and with hundreds of slaves churning, at most this many. */
static struct log_limit slave_limit = LOG_LIMIT_INIT(60, 10);

/* ---- the index by ifindex ---- */

#define INDEX_BUCKETS_MIN 64u

static unsigned int bucket_of(unsigned int ifindex, unsigned int nbuckets)
{
	return (ifindex * 2654435761u) & (nbuckets - 1);
}

/*
 * Twice the buckets once there are as many members as buckets. Without
 * the memory, the chains grow longer instead: lookups stay right.
 */
static void index_grow(struct slaves *r)
{
	unsigned int n = r->nbuckets * 2;
	struct member_key **b;

	if (r->nindexed < r->nbuckets || n < r->nbuckets ||
	    !(b = calloc(n, sizeof(*b))))
		return;
	for (unsigned int i = 0; i < r->nbuckets; i++)
		while (r->index[i]) {
			struct member_key *k = r->index[i];
			unsigned int h = bucket_of(k->ifindex, n);

			r->index[i] = k->next;
			k->next = b[h];
			b[h] = k;
		}
	free(r->index);
	r->index = b;
	r->nbuckets = n;
}

/* Index k by ifindex from now on (0: no longer). */
static void key_set(struct slaves *r, struct member_key *k,
		    unsigned int ifindex)
{
	if (k->ifindex == ifindex)
		return;
	if (k->ifindex) {
		struct member_key **p = &r->index[bucket_of(k->ifindex,
							    r->nbuckets)];

		while (*p != k)
			p = &(*p)->next;
		*p = k->next;
		k->next = NULL;
		r->nindexed--;
	}
	k->ifindex = ifindex;
	if (ifindex) {
		unsigned int h;

		index_grow(r);
		h = bucket_of(ifindex, r->nbuckets);
		k->next = r->index[h];
		r->index[h] = k;
		r->nindexed++;
	}
}

/* The first member indexed by ifindex after k (NULL: from the first). */
static struct member_key *key_next(const struct slaves *r,
				   const struct member_key *k,
				   unsigned int ifindex)
{
	struct member_key *n;

	if (!ifindex || !r->nbuckets)
		return NULL;
	n = k ? k->next : r->index[bucket_of(ifindex, r->nbuckets)];
	while (n && n->ifindex != ifindex)
		n = n->next;
	return n;
}

#define KEY_OWNER(k, type) \
	((type *)(void *)((char *)(k) - offsetof(type, key)))

#define ANY_GROUP (-1)

/*
 * Group num's slave (master: its master) on ifindex, or NULL. num:
 * ANY_GROUP, any group's, the first in the groups' order (an interface
 * can be a member of two groups).
 */
static struct member_key *member_at(const struct slaves *r, int num,
				    bool master, unsigned int ifindex)
{
	struct member_key *found = NULL;

	for (struct member_key *k = key_next(r, NULL, ifindex); k;
	     k = key_next(r, k, ifindex)) {
		if (k->master != master ||
		    (num != ANY_GROUP && r->groups[k->gi].num != num))
			continue;
		if (!found || k->gi < found->gi)
			found = k;
	}
	return found;
}

static struct slave *slave_at(const struct slaves *r, int num,
			      unsigned int ifindex)
{
	struct member_key *k = member_at(r, num, false, ifindex);

	return k ? KEY_OWNER(k, struct slave) : NULL;
}

static struct master *master_at(const struct slaves *r, int num,
				unsigned int ifindex)
{
	struct member_key *k = member_at(r, num, true, ifindex);

	return k ? KEY_OWNER(k, struct master) : NULL;
}

/* ---- slaves ---- */

/*
 * A slave can be asked only while it is present, up, with its socket and
 * egress route: each change of that is reported (r->ev.slave). Called
 * after every change of those.
 */
static void slave_sync(struct slaves *r, struct slaves_group *g, struct slave *s,
		       uint64_t now)
{
	bool want = s->key.ifindex && s->up && s->fd != -1 && s->routed;

	if (!r->ev.slave || want == s->ready)
		return;
	s->ready = false;
	if (!want) {
		r->ev.slave(r->ev.ctx, g->num, s->key.ifindex, NULL, false, now);
		return;
	}
	if (r->ev.slave(r->ev.ctx, g->num, s->key.ifindex, s->name, true,
			now) == -1) {
		log_warn("group %u: slave %s", g->num, s->name);
		return;
	}
	s->ready = true;
}

static void slave_release(struct slaves *r, struct slaves_group *g, struct slave *s)
{
	if (s->ready && r->ev.slave)
		r->ev.slave(r->ev.ctx, g->num, s->key.ifindex, NULL, false,
			    monotonic_ns());
	s->ready = false;
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	if (s->routed &&
	    rtnl_default_route(&r->rtnl, RTNL_DEL, s->key.ifindex, g->fwmark,
			       s->key.ifindex) == -1 && errno != ENOENT &&
	    errno != ENODEV && errno != ESRCH)	/* gone with its device */
		log_warn("group %u: slave %s: removing egress route", g->num,
			 s->name);
	s->routed = false;
	key_set(r, &s->key, 0);
	s->has_ll = false;
}

/* An Ethernet slave is asked with our own NS, which needs its address. */
/* An interface's Ethernet address by name; false if it has none. */
static bool if_ether_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd == -1)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
	    ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		ok = true;
	}
	close(fd);
	return ok;
}

static void slave_find_mac(struct slave *s)
{
	s->has_mac = if_ether_mac(s->name, s->mac);
}

static void slave_find_ll(struct slaves *r, struct slave *s)
{
	/*
	 * No warning here: a link that just came up has no link-local
	 * address for a moment, every time. Only a probe that goes out
	 * without one is worth saying (probe_slave).
	 */
	s->has_ll = rtnl_link_local(&r->rtnl, s->key.ifindex, &s->ll) == 0;
	if (s->has_ll)
		s->ll_warned = false;
}

/*
 * Find the slave's interface and make it ready to probe: socket, egress
 * route, link-local source. A slave that is missing is a warning, not an
 * error; it is looked for again at most once a second, when needed.
 */
static void slave_refresh(struct slaves *r, struct slaves_group *g, struct slave *s,
			  uint64_t now)
{
	unsigned int ifindex = if_nametoindex(s->name);

	s->next_refresh = now + SLAVE_RETRY_NS;
	if (ifindex != s->key.ifindex)
		slave_release(r, g, s);
	if (ifindex == 0) {
		if (!s->absent_warned)
			log_warnx_limited(&slave_limit,
					  "group %u: slave %s: no such interface; probing it when it appears",
					  g->num, s->name);
		s->absent_warned = true;
		return;
	}
	s->absent_warned = false;
	if (s->key.ifindex != ifindex)
		s->up = true;	/* until a link event says otherwise */
	key_set(r, &s->key, ifindex);
	if (!s->up)
		return;		/* ready when it comes up */
	if (s->fd == -1) {
		s->fd = echo_socket_open(s->name, g->fwmark);
		if (s->fd == -1) {
			log_warn("group %u: slave %s: probe socket", g->num,
				 s->name);
			return;
		}
	}
	/* The metric only has to be unique per slave within our table. */
	if (!s->routed) {
		if (rtnl_default_route(&r->rtnl, RTNL_ADD, ifindex, g->fwmark,
				       ifindex) == -1) {
			/*
			 * No carrier yet (a link that just came): the route
			 * is added at its next link event, nothing to say.
			 */
			if (errno == ENETDOWN)
				log_debug("group %u: slave %s: no carrier yet",
					  g->num, s->name);
			else
				log_warn("group %u: slave %s: egress route in table %u",
					 g->num, s->name, g->fwmark);
			return;
		}
		s->routed = true;
	}
	if (!s->has_ll)
		slave_find_ll(r, s);
	slave_find_mac(s);
	slave_sync(r, g, s, now);
	log_debug("group %u: slave %s: ifindex %u ready", g->num, s->name,
		  ifindex);
}

/* 0 if group g's egress table holds no routes but ours, else -1 (logged). */
static int egress_table_foreign(struct slaves *r, struct slaves_group *g)
{
	uint8_t protocol = 0;
	int n = rtnl_table_foreign_routes(&r->rtnl, g->fwmark, &protocol);

	if (n == -1) {
		log_warn("group %u: reading routing table %u", g->num, g->fwmark);
		return -1;
	}
	if (n > 0) {
		log_warnx("group %u: routing table %u already holds %d route(s) of protocol %u: choose another --fwmark BASE so that BASE+%u is a free table",
			  g->num, g->fwmark, n, protocol, g->num);
		return -1;
	}
	return 0;
}

static int group_egress_init(struct slaves *r, struct slaves_group *g)
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

unsigned int slaves_slaves_ready(const struct slaves_group *g)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < g->nslaves; i++)
		n += g->slaves[i]->ready;
	return n;
}

void slaves_log_start(struct slaves *r)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		const struct slaves_group *g = &r->groups[i];
		const struct membership_group *mg =
			membership_group(r->members, g->num);
		char binds[32] = "";
		unsigned int nbinds = 0;

		if (mg)
			(void)membership_binds(mg, &nbinds);
		if (nbinds)
			snprintf(binds, sizeof(binds), "; %u binding(s)",
				 nbinds);
		log_info("group %u: %u slave(s), %u ready to be asked; %u master(s)%s",
			 g->num, g->nslaves, slaves_slaves_ready(g), g->nmasters,
			 binds);
	}
	r->started = true;
}

struct slaves_group *slaves_find_group(struct slaves *r, uint16_t num)
{
	for (unsigned int i = 0; i < r->ngroups; i++)
		if (r->groups[i].num == num)
			return &r->groups[i];
	return NULL;
}

int slaves_init(struct slaves *r, const struct config *cfg,
	       const struct membership *members,
	       const struct slaves_events *ev, uint64_t now)
{
	uint64_t seed = 0;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->members = members;
	r->ev = *ev;
	r->askfd = -1;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = now ^ (uint64_t)getpid() << 32;
	r->echo_id = (uint16_t)(seed >> 16);

	/* Sized to the groups in use: untouched memory is not resident. */
	r->groups = calloc(cfg->ngroups, sizeof(*r->groups));
	r->index = calloc(INDEX_BUCKETS_MIN, sizeof(*r->index));
	if (!r->groups || !r->index || rtnl_open(&r->rtnl) == -1) {
		log_warn("relay set-up");
		free(r->groups);
		r->groups = NULL;
		free(r->index);
		r->index = NULL;
		return -1;
	}
	r->nbuckets = INDEX_BUCKETS_MIN;
	r->ngroups = cfg->ngroups;
	/* No NS of our own without it: every slave is asked with an echo. */
	if (!cfg->dry_run) {
		r->askfd = nd_send_open();
		if (r->askfd == -1)
			log_warn("packet socket for neighbor solicitations (asking with echo requests instead)");
		if (r->askfd < 0)
			r->askfd = -1;
	}
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];

		g->num = cfg->groups[i];
		g->fwmark = cfg->fwmark_base + g->num;
		if (group_egress_init(r, g) == -1) {
			slaves_fini(r);
			return -1;
		}
		slaves_set_slaves(r, g->num, now);
		slaves_set_masters(r, g->num, now);
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

/* A master is reported by its ifindex while it exists (r->ev.master). */
static void master_sync(struct slaves *r, struct slaves_group *g, struct master *m,
			unsigned int ifindex, uint64_t now)
{
	if (!r->ev.master || ifindex == m->key.ifindex)
		return;
	m->looked = false;
	if (m->key.ifindex)
		r->ev.master(r->ev.ctx, g->num, m->key.ifindex, false, now);
	key_set(r, &m->key, 0);
	if (ifindex && r->ev.master(r->ev.ctx, g->num, ifindex, true, now) == 0)
		key_set(r, &m->key, ifindex);
}

_Static_assert(offsetof(struct slave, name) == 0 &&
	       offsetof(struct master, name) == 0,
	       "a member's name comes first");

/* Slave or master m of group g (role) is no longer named: it goes. */
static void member_gone(struct slaves *r, struct slaves_group *g,
			enum member_role role, void *m, uint64_t now)
{
	struct slave *s = m;
	struct master *ma = m;

	if (role == MEMBER_MASTER) {
		master_sync(r, g, ma, 0, now);
		key_set(r, &ma->key, 0);
	} else {
		log_info("group %u: slave %s removed", g->num, s->name);
		slave_release(r, g, s);
	}
	free(m);
}

/* Slave or master m (zeroed, with its name) is named now: it comes. */
static void member_came(struct slaves *r, struct slaves_group *g,
			enum member_role role, void *m, uint64_t now)
{
	struct slave *s = m;
	struct master *ma = m;

	if (role == MEMBER_MASTER) {
		ma->key.gi = (unsigned int)(g - r->groups);
		ma->key.master = true;
		master_sync(r, g, ma, if_nametoindex(ma->name), now);
		return;
	}
	s->key.gi = (unsigned int)(g - r->groups);
	s->fd = -1;
	if (r->started)
		log_info("group %u: slave %s added", g->num, s->name);
	else
		log_debug("group %u: slave %s added", g->num, s->name);
	slave_refresh(r, g, s, now);
}

/*
 * Whether one of v[0..n) is named name. A scan, and set_names() one per
 * name: it runs when the membership changes, not for each packet.
 */
static bool member_named(void *const *v, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strncmp(v[i], name, IF_NAMESIZE) == 0)
			return true;
	return false;
}

/*
 * Make group g's slaves or masters (role) exactly names[0..n): those not
 * named go, the others keep what they have, each name not there comes.
 */
static void set_names(struct slaves *r, struct slaves_group *g,
		      enum member_role role, const char (*names)[IF_NAMESIZE],
		      unsigned int n, uint64_t now)
{
	bool sl = role == MEMBER_SLAVE;
	size_t size = sl ? sizeof(struct slave) : sizeof(struct master);
	void ***v = sl ? (void ***)&g->slaves : (void ***)&g->masters;
	unsigned int *nv = sl ? &g->nslaves : &g->nmasters;
	unsigned int i, kept = 0;

	for (i = 0; i < *nv; i++) {
		void *m = (*v)[i];

		if (!name_in(m, names, n)) {
			member_gone(r, g, role, m, now);
			continue;
		}
		(*v)[kept++] = m;
	}
	*nv = kept;
	for (i = 0; i < n; i++) {
		void *m;

		if (member_named(*v, *nv, names[i]))
			continue;
		if (grow_room((void **)v, *nv, sizeof(**v)) == -1 ||
		    !(m = calloc(1, size))) {
			log_warn("interface list");
			return;
		}
		memcpy(m, names[i], IF_NAMESIZE);
		(*v)[(*nv)++] = m;
		member_came(r, g, role, m, now);
	}
}

static int push_name(char (**names)[IF_NAMESIZE], unsigned int *count,
		     const char *name)
{
	if (grow_room((void **)names, *count, IF_NAMESIZE) == -1)
		return -1;
	snprintf((*names)[(*count)++], IF_NAMESIZE, "%s", name);
	return 0;
}

/*
 * The names specs stand for now: a pattern by the interfaces that match it
 * at this moment (link events bring the rest). Returns how many (malloc'd
 * into *out), or -1.
 */
static int specs_names(const struct ifspec *specs, unsigned int n,
		       char (**out)[IF_NAMESIZE])
{
	struct if_nameindex *all = NULL;
	char (*names)[IF_NAMESIZE] = NULL;
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!specs[i].prefix) {
			if (push_name(&names, &count, specs[i].name) == -1)
				goto fail;
			continue;
		}
		if (!all && !(all = if_nameindex()))
			goto fail;
		for (struct if_nameindex *p = all; p->if_index; p++)
			if (ifspec_match(&specs[i], p->if_name) &&
			    push_name(&names, &count, p->if_name) == -1)
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

/*
 * The names group num's members of role stand for now (malloc'd into
 * *names): how many, or -1 (logged).
 */
static int member_names(struct slaves *r, uint16_t num, enum member_role role,
			char (**names)[IF_NAMESIZE])
{
	const struct membership_group *mg = membership_group(r->members, num);
	const struct ifspec *specs;
	unsigned int n = 0;
	int count;

	specs = mg ? membership_specs(mg, role, &n) : NULL;
	count = specs_names(specs, n, names);
	if (count == -1)
		log_warn("group %u: the %s' names", num,
			 role == MEMBER_SLAVE ? "slaves" : "masters");
	return count;
}

/* Group num's members of role: exactly those the membership names now. */
static void set_members(struct slaves *r, uint16_t num, enum member_role role,
			uint64_t now)
{
	struct slaves_group *g = slaves_find_group(r, num);
	char (*names)[IF_NAMESIZE] = NULL;
	int count;

	if (!g || (count = member_names(r, num, role, &names)) == -1)
		return;
	set_names(r, g, role, (const char (*)[IF_NAMESIZE])names,
		  (unsigned int)count, now);
	free(names);
}

void slaves_set_slaves(struct slaves *r, uint16_t num, uint64_t now)
{
	set_members(r, num, MEMBER_SLAVE, now);
}

void slaves_set_masters(struct slaves *r, uint16_t num, uint64_t now)
{
	set_members(r, num, MEMBER_MASTER, now);
}

void slaves_fini(struct slaves *r)
{
	/*
	 * Teardown is no event: what was learned behind the slaves is
	 * purged whole (learn_withdraw), not forgotten slave by slave.
	 */
	r->ev = (struct slaves_events){ 0 };
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];

		for (unsigned int j = 0; j < g->nslaves; j++) {
			slave_release(r, g, g->slaves[j]);
			free(g->slaves[j]);
		}
		for (unsigned int j = 0; j < g->nmasters; j++)
			free(g->masters[j]);
		if (g->rule_installed &&
		    rtnl_rule(&r->rtnl, RTNL_DEL, g->fwmark, g->fwmark,
			      EGRESS_RULE_PREF) == -1)
			log_warn("group %u: removing the egress rule", g->num);
		g->rule_installed = false;
		free(g->slaves);
		free(g->masters);
	}
	r->ngroups = 0;
	free(r->groups);
	r->groups = NULL;
	free(r->index);
	r->index = NULL;
	r->nbuckets = r->nindexed = 0;
	if (r->askfd != -1)
		close(r->askfd);
	r->askfd = -1;
	rtnl_close(&r->rtnl);
}

/*
 * EPERM from the echo socket: a chain on the output hook dropped the echo
 * request (our asks, written below IPv6, never pass there). Said once per
 * episode, which ends when an echo gets through again; each one counted.
 */
static void firewall_dropped(struct slaves_group *g, struct slave *s)
{
	s->probes_firewalled++;
	if (g->firewall_warned)
		return;
	g->firewall_warned = true;
	log_warnx_limited(&firewall_limit,
			  "group %u: the host's firewall drops ns-monitor's echo requests in its output chain (on %s: EPERM); allow meta mark 0x%08x accept before its drops (--check names the chain)",
			  g->num, s->name, g->fwmark);
}

/* A send failed; echo: the packet went through the output hook. */
static void send_failed(struct slaves_group *g, struct slave *s, const char *what,
			const struct in6_addr *target, int err, bool echo)
{
	char addr[INET6_ADDRSTRLEN];

	s->probes_failed++;
	if (err == EPERM && echo) {
		firewall_dropped(g, s);
		return;
	}
	inet_ntop(AF_INET6, target, addr, sizeof(addr));
	log_warnx_limited(&send_fail_limit, "group %u: %s for %s on %s: %s",
			  g->num, what, addr, s->name, strerror(err));
}

/*
 * Said once per slave and state: an ask that goes without the slave's
 * link-local address. src: the address our own NS went from instead, if
 * it went. A link-local address still tentative (DAD: a bridge that just
 * got its first port) is no news when our NS went; none at all is.
 */
static void say_no_ll(struct slaves *r, struct slaves_group *g, struct slave *s,
		      const struct in6_addr *src)
{
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr ll;

	if (s->has_ll || s->ll_warned)
		return;
	s->ll_warned = true;
	if (src && rtnl_link_local_tentative(&r->rtnl, s->key.ifindex, &ll) == 0) {
		log_debug("group %u: slave %s: link-local address still tentative; asking from %s",
			  g->num, s->name,
			  inet_ntop(AF_INET6, src, addr, sizeof(addr)));
		return;
	}
	log_warnx_limited(&slave_limit,
			  "group %u: slave %s: no usable link-local address (yet); the kernel picks the probe source",
			  g->num, s->name);
}

/* An echo request out of s: the kernel resolves target there. */
static void send_echo(struct slaves *r, struct slaves_group *g, struct slave *s,
		      const struct in6_addr *target, const char *what)
{
	if (echo_send(s->fd, s->key.ifindex, s->has_ll ? &s->ll : NULL, target,
		       r->echo_id, r->echo_seq++) == -1) {
		send_failed(g, s, what, target, errno, true);
		return;
	}
	s->probes_sent++;
	if (g->firewall_warned) {
		g->firewall_warned = false;
		log_info("group %u: echo requests get through the firewall again (on %s)",
			 g->num, s->name);
	}
	if (log_debug_enabled()) {
		char addr[INET6_ADDRSTRLEN];

		log_debug("group %u: %s %s on %s", g->num, what,
			  inet_ntop(AF_INET6, target, addr, sizeof(addr)),
			  s->name);
	}
}

/*
 * A slave without a usable link-local address: none, or one still
 * tentative (a bridge that just got its first port runs DAD for a second
 * or two). The kernel sends no NS of its own there, and drops what is
 * sent to a tentative address. The echo makes its neighbor entry for
 * target (left INCOMPLETE); our NS then goes from the address the kernel
 * picks for target, so that the answer is delivered: to us, and to that
 * entry, which it completes. Without Ethernet, the echo alone.
 */
static void ask_without_ll(struct slaves *r, struct slaves_group *g,
			   struct slave *s, const struct in6_addr *target)
{
	struct in6_addr src;
	bool ns = r->askfd != -1 && s->has_mac &&
		  echo_source(s->name, g->fwmark, target, &src) == 0;

	say_no_ll(r, g, s, ns ? &src : NULL);
	send_echo(r, g, s, target, "probe");
	if (!ns)
		return;
	if (nd_send_ask(r->askfd, s->key.ifindex, s->mac, &src, target) == -1) {
		send_failed(g, s, "probe", target, errno, false);
		return;
	}
	s->asks_sent++;
}

/*
 * Ask with our own NS from the packet socket: the kernel makes no
 * neighbor entry for it, so a slave where target is not leaves nothing
 * behind. Slaves without Ethernet addressing get an echo instead, and
 * those without a usable link-local address both (ask_without_ll).
 */
/* Its link-local and Ethernet addresses, kept until its link changes. */
static void master_look(struct slaves *r, struct master *m)
{
	if (m->looked)
		return;
	m->has_ll = rtnl_link_local(&r->rtnl, m->key.ifindex, &m->ll) == 0;
	m->has_mac = if_ether_mac(m->name, m->mac);
	m->looked = true;
}

/*
 * Ask a master whether target lives on its link: a neighbor there that
 * answers refuses a slave's claim. Without Ethernet or a link-local
 * address it cannot be asked; the kernel's own entries still count.
 */
static void ask_master(struct slaves *r, struct slaves_group *g,
		       struct master *m, const struct in6_addr *target)
{
	char addr[INET6_ADDRSTRLEN];

	master_look(r, m);
	if (r->cfg->dry_run)
		return;
	if (r->askfd == -1 || !m->has_ll || !m->has_mac) {
		m->asks_unsent++;
		return;
	}
	if (nd_send_ask(r->askfd, m->key.ifindex, m->mac, &m->ll, target) == -1) {
		m->asks_unsent++;
		log_warnx_limited(&send_fail_limit, "group %u: asking for %s on master %s: %s",
				  g->num, inet_ntop(AF_INET6, target, addr, sizeof(addr)),
				  m->name, strerror(errno));
		return;
	}
	m->asks_sent++;
	if (log_debug_enabled())
		log_debug("group %u: ask %s on master %s", g->num,
			  inet_ntop(AF_INET6, target, addr, sizeof(addr)), m->name);
}

void slaves_ask(struct slaves *r, uint16_t group, unsigned int ifindex,
	       const struct in6_addr *target)
{
	struct slave *s = slave_at(r, group, ifindex);
	struct master *m = s ? NULL : master_at(r, group, ifindex);
	struct slaves_group *g;
	char addr[INET6_ADDRSTRLEN];

	if (m) {
		ask_master(r, &r->groups[m->key.gi], m, target);
		return;
	}
	if (!s || s->fd == -1) {
		if (s)
			s->probes_absent++;
		return;
	}
	g = &r->groups[s->key.gi];
	if (r->cfg->dry_run) {
		g->counters.probes_dry_run++;
		log_info("group %u: dry run: would probe %s on %s", g->num,
			 inet_ntop(AF_INET6, target, addr, sizeof(addr)), s->name);
		return;
	}
	if (!s->has_ll) {
		ask_without_ll(r, g, s, target);
		return;
	}
	if (r->askfd == -1 || !s->has_mac) {
		send_echo(r, g, s, target, "probe");
		return;
	}
	if (nd_send_ask(r->askfd, s->key.ifindex, s->mac, &s->ll, target) == -1) {
		send_failed(g, s, "probe", target, errno, false);
		return;
	}
	s->asks_sent++;
	r->asked++;
	if (log_debug_enabled())
		log_debug("group %u: probe %s on %s", g->num,
			  inet_ntop(AF_INET6, target, addr, sizeof(addr)), s->name);
}

int slaves_advertise_guest(struct slaves *r, unsigned int slave,
			  const struct in6_addr *to, const uint8_t to_mac[6],
			  const struct in6_addr *target)
{
	struct slave *s = slave_at(r, ANY_GROUP, slave);
	struct in6_addr src;

	if (!s) {
		errno = ENODEV;
		return -1;
	}
	if (r->cfg->dry_run)
		return 0;
	if (r->askfd == -1 || !s->has_mac) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/*
	 * An NA needs no answer: while the slave's link-local address is
	 * tentative, it goes from that one (the guest would wait out the
	 * slave's DAD for its gateway else).
	 */
	if (!s->has_ll &&
	    rtnl_link_local_tentative(&r->rtnl, slave, &src) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (nd_send_advert(r->askfd, slave, to_mac, s->has_ll ? &s->ll : &src,
			   to, target, s->mac) == -1)
		return -1;
	r->told++;
	return 0;
}

int slaves_advertise(struct slaves *r, unsigned int master,
		    const struct in6_addr *src, const struct in6_addr *to,
		    const uint8_t to_mac[6], const struct in6_addr *target)
{
	struct master *m;

	if (r->cfg->dry_run)
		return 0;
	m = master_at(r, ANY_GROUP, master);
	if (m)
		master_look(r, m);
	if (r->askfd == -1 || !m || !m->has_mac) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return nd_send_advert(r->askfd, master, to_mac, src, to, target,
			     m->mac);
}

void slaves_confirm(struct slaves *r, uint16_t group, unsigned int ifindex,
		   const struct in6_addr *target)
{
	struct slave *s = slave_at(r, group, ifindex);

	if (!s || s->fd == -1 || r->cfg->dry_run)
		return;
	send_echo(r, &r->groups[s->key.gi], s, target, "confirm");
}

const char *slaves_ifname(const struct slaves *r, unsigned int ifindex,
			 char buf[IF_NAMESIZE])
{
	const struct slave *s = slave_at(r, ANY_GROUP, ifindex);
	const struct master *m = s ? NULL : master_at(r, ANY_GROUP, ifindex);

	if (s)
		return memcpy(buf, s->name, IF_NAMESIZE);
	if (m)
		return memcpy(buf, m->name, IF_NAMESIZE);
	return log_ifname(ifindex, buf);
}

bool slaves_has_master(const struct slaves *r, uint16_t group,
		       unsigned int ifindex)
{
	return master_at(r, group, ifindex) != NULL;
}

uint16_t slaves_echo_id(const struct slaves *r)
{
	return r->echo_id;
}

/* The name of the slave on ifindex, or NULL. */
static const char *slave_named(const struct slaves *r,
			       const struct slaves_group *g,
			       unsigned int ifindex)
{
	const struct slave *s = slave_at(r, g->num, ifindex);

	return s ? s->name : NULL;
}

/* Whether the master on ifindex is one a pattern brought in. */
static bool master_by_pattern(const struct slaves *r,
			      const struct slaves_group *g,
			      const struct membership_group *mg,
			      unsigned int ifindex)
{
	const struct master *m = master_at(r, g->num, ifindex);

	return m && membership_by_pattern(mg, MEMBER_MASTER, m->name);
}

static void masters_on_link(struct slaves *r, struct slaves_group *g,
			    const struct netmon_event *ev, uint64_t now)
{
	for (unsigned int j = 0; j < g->nmasters; j++) {
		struct master *m = g->masters[j];
		bool named = strcmp(m->name, ev->link.name) == 0;

		if (m->key.ifindex == ev->ifindex && (ev->deleted || !named))
			master_sync(r, g, m, 0, now);
		else if (named && !ev->deleted)
			master_sync(r, g, m, ev->ifindex, now);
		/* Its Ethernet address may have changed: looked up again. */
		if (m->key.ifindex == ev->ifindex)
			m->looked = false;
	}
}

void slaves_on_link(struct slaves *r, const struct netmon_event *ev,
		   uint64_t now)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];
		const struct membership_group *mg =
			membership_group(r->members, g->num);
		const char *was = slave_named(r, g, ev->ifindex);

		/* An interface a pattern matches came, went or was renamed. */
		if (mg && (membership_by_pattern(mg, MEMBER_SLAVE, ev->link.name) ||
			   (was && membership_by_pattern(mg, MEMBER_SLAVE, was))))
			slaves_set_slaves(r, g->num, now);
		if (mg && (membership_by_pattern(mg, MEMBER_MASTER, ev->link.name) ||
			   master_by_pattern(r, g, mg, ev->ifindex)))
			slaves_set_masters(r, g->num, now);

		masters_on_link(r, g, ev, now);
		for (unsigned int j = 0; j < g->nslaves; j++) {
			struct slave *s = g->slaves[j];
			bool named = strcmp(s->name, ev->link.name) == 0;

			if (s->key.ifindex == ev->ifindex &&
			    (ev->deleted || !named)) {
				log_warnx("group %u: slave %s: %s; probing it again when it is back",
					  g->num, s->name, ev->deleted ? "interface deleted" :
					  "interface renamed");
				slave_release(r, g, s);
				continue;
			}
			if (!named || ev->deleted)
				continue;
			if (s->key.ifindex == ev->ifindex) {
				if (s->up == ev->link.up) {
					/*
					 * A set-up that failed (the route of
					 * a link without carrier yet) is tried
					 * again at its next event.
					 */
					if (s->up && !s->ready)
						slave_refresh(r, g, s, now);
					else
						slave_find_mac(s);
					continue;
				}
				/*
				 * Said when a slave that was ready goes down,
				 * and when it is back: not for a link that is
				 * only coming up (it was never ready).
				 */
				if (!ev->link.up && s->ready) {
					log_info("group %u: slave %s is down",
						 g->num, s->name);
					s->down_said = true;
				} else if (ev->link.up && s->down_said) {
					log_info("group %u: slave %s is up",
						 g->num, s->name);
					s->down_said = false;
				} else {
					log_debug("group %u: slave %s: link %s, not ready yet",
						  g->num, s->name,
						  ev->link.up ? "up" : "down");
				}
			} else {
				slave_release(r, g, s);	/* new or re-created */
			}
			s->up = ev->link.up;
			/* The kernel flushes the routes of a device going down. */
			s->routed = s->routed && s->up;
			if (s->up) {
				slave_refresh(r, g, s, now);
			} else {
				key_set(r, &s->key, ev->ifindex);
				slave_sync(r, g, s, now);
			}
		}
	}
}

void slaves_on_addr(struct slaves *r, const struct netmon_event *ev)
{
	if (!IN6_IS_ADDR_LINKLOCAL(&ev->addr.addr))
		return;
	for (struct member_key *k = key_next(r, NULL, ev->ifindex); k;
	     k = key_next(r, k, ev->ifindex)) {
		struct slave *s = KEY_OWNER(k, struct slave);

		if (k->master) {
			KEY_OWNER(k, struct master)->looked = false;
			continue;
		}
		/* DAD done, address added or removed: look again. */
		if (s->fd != -1)
			slave_find_ll(r, s);
	}
}

/* ---- counters out ---- */

/* One sample per slave of every group; expr picks it from s. */
#define PER_SLAVE(m, r, metric, labels, expr)				\
	for (unsigned int i_ = 0; i_ < (r)->ngroups; i_++) {		\
		const struct slaves_group *g = &(r)->groups[i_];		\
		for (unsigned int j_ = 0; j_ < g->nslaves; j_++) {	\
			const struct slave *s = g->slaves[j_];	\
			metrics_named(m, metric, (unsigned long)(expr),	\
				      g->num, "slave", s->name, labels);	\
		}							\
	}

/* One of slave s's guest sign counts, as signs gives them; 0 if none. */
static uint64_t slave_signs(slaves_signs_fn signs, const void *ctx,
			    const struct slaves_group *g,
			    const struct slave *s, bool refused)
{
	uint64_t taken, nrefused;

	if (!signs || !s->ready ||
	    signs(ctx, g->num, s->key.ifindex, &taken, &nrefused) == -1)
		return 0;
	return refused ? nrefused : taken;
}

void slaves_metrics(const struct slaves *r, struct metrics *m,
		   slaves_signs_fn signs, const void *signs_ctx)
{
	metrics_family(m, "probes_suppressed_total", METRIC_COUNTER,
	       "Asks not sent by policy, by reason.");
	METRICS_PER_GROUP(m, r, "probes_suppressed_total", ",reason=\"dry_run\"",
		  g->counters.probes_dry_run);

	metrics_family(m, "asks_total", METRIC_COUNTER,
	       "Neighbor Solicitations of our own sent, per slave.");
	PER_SLAVE(m, r, "asks_total", "", s->asks_sent);
	metrics_family(m, "probes_total", METRIC_COUNTER,
	       "Echo requests sent, per slave: asks where a slave cannot take our own NS, and confirmations where a target answered.");
	PER_SLAVE(m, r, "probes_total", "", s->probes_sent);
	metrics_family(m, "probe_failures_total", METRIC_COUNTER,
	       "Asks and echo requests the kernel refused, per slave.");
	PER_SLAVE(m, r, "probe_failures_total", "", s->probes_failed);
	metrics_family(m, "probes_firewalled_total", METRIC_COUNTER,
	       "Echo requests the host's firewall dropped in its output chain (EPERM), per slave; also in probe_failures_total.");
	PER_SLAVE(m, r, "probes_firewalled_total", "", s->probes_firewalled);
	/* reason="down" stays 0: a slave that is down is not asked at all. */
	metrics_family(m, "probes_not_sent_total", METRIC_COUNTER,
	       "Asks not sent because the slave was down or missing.");
	PER_SLAVE(m, r, "probes_not_sent_total", ",reason=\"down\"", 0);
	PER_SLAVE(m, r, "probes_not_sent_total", ",reason=\"absent\"",
		  s->probes_absent);

	metrics_family(m, "guest_signs_by_slave_total", METRIC_COUNTER,
	       "A new guest's signs per slave (its DAD NS, or a packet from its address): taken (its slave asked), or refused (a claim not allowed, or the slave's fair share of guest work full).");
	PER_SLAVE(m, r, "guest_signs_by_slave_total", ",kind=\"taken\"",
		  slave_signs(signs, signs_ctx, g, s, false));
	PER_SLAVE(m, r, "guest_signs_by_slave_total", ",kind=\"refused\"",
		  slave_signs(signs, signs_ctx, g, s, true));
	metrics_family(m, "master_asks_total", METRIC_COUNTER,
	       "Neighbor Solicitations of our own sent on a master to check a guest's claim; not sent: the master has no Ethernet or link-local address.");
	for (unsigned int i = 0; i < r->ngroups; i++)
		for (unsigned int j = 0; j < r->groups[i].nmasters; j++) {
			const struct master *ma = r->groups[i].masters[j];

			metrics_named(m, "master_asks_total", ma->asks_sent,
				      r->groups[i].num, "master", ma->name,
				      ",outcome=\"sent\"");
			metrics_named(m, "master_asks_total", ma->asks_unsent,
				      r->groups[i].num, "master", ma->name,
				      ",outcome=\"not_sent\"");
		}

	metrics_family(m, "slaves", METRIC_GAUGE,
	       "Slave interfaces of the group now, by state: ready to be asked, or waiting (missing, down, or not set up yet).");
	METRICS_PER_GROUP(m, r, "slaves", ",state=\"ready\"", slaves_slaves_ready(g));
	METRICS_PER_GROUP(m, r, "slaves", ",state=\"waiting\"",
		  g->nslaves - slaves_slaves_ready(g));
	metrics_family(m, "masters", METRIC_GAUGE,
	       "Master interfaces of the group now (present or not).");
	METRICS_PER_GROUP(m, r, "masters", "", g->nmasters);
}

void slaves_log_counters(const struct slaves *r)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		const struct slaves_group *g = &r->groups[i];

		if (g->counters.probes_dry_run)
			log_info("group %u: dry run, asks not sent %lu", g->num,
				 g->counters.probes_dry_run);
		unsigned long asks = 0, probes = 0, failed = 0, absent = 0;

		/* One line per group; each slave's with -v (hundreds of them). */
		for (unsigned int j = 0; j < g->nslaves; j++) {
			const struct slave *s = g->slaves[j];

			asks += s->asks_sent;
			probes += s->probes_sent;
			failed += s->probes_failed;
			absent += s->probes_absent;
			log_debug("group %u: slave %s: asks sent %lu, probes sent %lu, failed %lu, not sent (absent %lu)",
				  g->num, s->name, s->asks_sent, s->probes_sent,
				  s->probes_failed, s->probes_absent);
		}
		log_info("group %u: %u slave(s): asks sent %lu, probes sent %lu, failed %lu, not sent (absent %lu)",
			 g->num, g->nslaves, asks, probes, failed, absent);
	}
}
