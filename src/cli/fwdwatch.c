/* Forward-hook drops, as the daemon says them (fwdwatch.h). */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "collide.h"
#include "fwdfilter.h"
#include "fwdwatch.h"
#include "log.h"

#define NSEC_PER_SEC 1000000000ull

/* The ruleset is read at most this often for learned targets. */
#define FWDWATCH_RESCAN_NS NSEC_PER_SEC

struct scan {
	const struct ifspec *masters, *slaves;
	unsigned int nmasters, nslaves;
	bool drops;
	char text[160];		/* "chain ip6 filter FORWARD drops packets from m0 to br0" */
	char why[96];
	bool log_each;		/* at start: a line per chain */
	uint16_t group;
};

static void chain_seen(const struct fwdfilter_chain *chains, size_t n,
		       size_t base, void *data)
{
	struct scan *s = data;
	const struct fwdfilter_chain *c = &chains[base];
	struct fwdfilter_finding f;
	char m[IFSPEC_TEXT], sl[IFSPEC_TEXT];

	if (!fwdfilter_judge_pairs(chains, n, base, s->masters, s->nmasters,
				   s->slaves, s->nslaves, &f))
		return;
	snprintf(s->text, sizeof(s->text),
		 "chain %.16s %.24s %.24s drops packets from %s to %s",
		 c->family, c->table, c->name, ifspec_format(f.master, m),
		 ifspec_format(f.slave, sl));
	snprintf(s->why, sizeof(s->why), "%.90s", f.why);
	if (s->log_each)
		log_warnx("group %u: firewall: %s (%.60s): the upstream cannot reach the guests; ns-monitor --check says what to add",
			  s->group, s->text, f.why);
	s->drops = true;
}

static bool forwarding_on(void)
{
	FILE *f = fopen("/proc/sys/net/ipv6/conf/all/forwarding", "re");
	int on = 0;

	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = 0;
		fclose(f);
	}
	return on == 1;
}

static void collision_seen(const char *text, void *data)
{
	log_warnx("group %u: %s; see ns-monitor --check", *(const uint16_t *)data,
		  text);
}

/* Group num's members of role, as the membership has them (*n of them). */
static const struct ifspec *members(const struct slaves *r, uint16_t num,
				    enum member_role role, unsigned int *n)
{
	const struct membership_group *mg = membership_group(r->members, num);

	*n = 0;
	return mg ? membership_specs(mg, role, n) : NULL;
}

void fwdwatch_start(struct slaves *r)
{
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];
		unsigned int nm, ns;
		const struct ifspec *m = members(r, g->num, MEMBER_MASTER, &nm);
		const struct ifspec *sl = members(r, g->num, MEMBER_SLAVE, &ns);

		collide_scan(m, nm, sl, ns, collision_seen, &g->num);
	}
	if (!r->cfg->proxy_ndp && !forwarding_on())
		return;
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];
		struct scan s = { .drops = false, .log_each = true,
				  .group = g->num };

		s.masters = members(r, g->num, MEMBER_MASTER, &s.nmasters);
		s.slaves = members(r, g->num, MEMBER_SLAVE, &s.nslaves);

		if (!s.nmasters || !s.nslaves)
			continue;
		if (fwdfilter_scan(chain_seen, &s) == -1) {
			log_warn("group %u: reading the firewall's forward-hook chains",
				 g->num);
			return;
		}
		g->fwd_dropping = s.drops;
		g->fwd_scanned = 0;	/* the first learned target looks again */
	}
}

void fwdwatch_addr(struct slaves *r, unsigned int ifindex,
		   const struct in6_addr *addr)
{
	char name[IF_NAMESIZE];

	/* Those there at start were said by fwdwatch_start(). */
	if (!r->started || !if_indextoname(ifindex, name))
		return;
	for (unsigned int i = 0; i < r->ngroups; i++) {
		struct slaves_group *g = &r->groups[i];
		unsigned int nm, ns;
		const struct ifspec *m = members(r, g->num, MEMBER_MASTER, &nm);
		const struct ifspec *sl = members(r, g->num, MEMBER_SLAVE, &ns);

		collide_scan_addr(m, nm, sl, ns, name, addr, collision_seen,
				  &g->num);
	}
}

void fwdwatch_learned(struct slaves *r, uint16_t group, const char *slave,
		      const char *addr, uint64_t now)
{
	struct slaves_group *g = slaves_find_group(r, group);
	struct ifspec one;
	struct scan s;

	memset(&s, 0, sizeof(s));
	if (g)
		s.masters = members(r, group, MEMBER_MASTER, &s.nmasters);
	if (!g || !s.nmasters || !slave)
		return;
	memset(&one, 0, sizeof(one));
	snprintf(one.name, sizeof(one.name), "%s", slave);
	s.slaves = &one;
	s.nslaves = 1;
	s.group = group;
	/* Said already, or nothing to say: read again at most once a second. */
	if (g->fwd_scanned && now - g->fwd_scanned < FWDWATCH_RESCAN_NS &&
	    (!g->fwd_dropping || g->fwd_episode))
		return;
	if (fwdfilter_scan(chain_seen, &s) == -1)
		return;
	g->fwd_scanned = now ? now : 1;
	g->fwd_dropping = s.drops;
	if (!s.drops) {
		if (g->fwd_episode)
			log_info("group %u: the firewall lets the upstream's packets through to %s again",
				 group, slave);
		g->fwd_episode = false;
		return;
	}
	if (g->fwd_episode)
		return;
	g->fwd_episode = true;
	log_warnx("group %u: learned %s behind %s, but %s: the upstream cannot reach it (see ns-monitor --check)",
		  group, addr, slave, s.text);
}
