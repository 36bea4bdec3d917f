/* Forward-hook drops, as the daemon says them (fwdwatch.h). */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
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
static const struct ifspec *members(const struct fwdwatch *fw, uint16_t num,
				    enum member_role role, unsigned int *n)
{
	const struct membership_group *mg = membership_group(fw->members, num);

	*n = 0;
	return mg ? membership_specs(mg, role, n) : NULL;
}

int fwdwatch_init(struct fwdwatch *fw, const struct config *cfg,
		  const struct membership *members)
{
	memset(fw, 0, sizeof(*fw));
	fw->cfg = cfg;
	fw->members = members;
	fw->groups = calloc(cfg->ngroups ? cfg->ngroups : 1, sizeof(*fw->groups));
	if (!fw->groups)
		return -1;
	fw->ngroups = cfg->ngroups;
	for (unsigned int i = 0; i < fw->ngroups; i++)
		fw->groups[i].num = cfg->groups[i];
	return 0;
}

void fwdwatch_free(struct fwdwatch *fw)
{
	free(fw->groups);
	fw->groups = NULL;
	fw->ngroups = 0;
}

static struct fwdwatch_group *find_group(struct fwdwatch *fw, uint16_t num)
{
	for (unsigned int i = 0; i < fw->ngroups; i++)
		if (fw->groups[i].num == num)
			return &fw->groups[i];
	return NULL;
}

void fwdwatch_start(struct fwdwatch *fw)
{
	fw->started = true;
	for (unsigned int i = 0; i < fw->ngroups; i++) {
		struct fwdwatch_group *g = &fw->groups[i];
		unsigned int nm, ns;
		const struct ifspec *m = members(fw, g->num, MEMBER_MASTER, &nm);
		const struct ifspec *sl = members(fw, g->num, MEMBER_SLAVE, &ns);

		collide_scan(m, nm, sl, ns, collision_seen, &g->num);
	}
	if (!fw->cfg->proxy_ndp && !forwarding_on())
		return;
	for (unsigned int i = 0; i < fw->ngroups; i++) {
		struct fwdwatch_group *g = &fw->groups[i];
		struct scan s = { .drops = false, .log_each = true,
				  .group = g->num };

		s.masters = members(fw, g->num, MEMBER_MASTER, &s.nmasters);
		s.slaves = members(fw, g->num, MEMBER_SLAVE, &s.nslaves);

		if (!s.nmasters || !s.nslaves)
			continue;
		if (fwdfilter_scan(chain_seen, &s) == -1) {
			log_warn("group %u: reading the firewall's forward-hook chains",
				 g->num);
			return;
		}
		g->dropping = s.drops;
		g->scanned = 0;	/* the first learned target looks again */
	}
}

void fwdwatch_addr(const struct fwdwatch *fw, unsigned int ifindex,
		   const struct in6_addr *addr)
{
	char name[IF_NAMESIZE];

	/* Those there at start were said by fwdwatch_start(). */
	if (!fw->started || !if_indextoname(ifindex, name))
		return;
	for (unsigned int i = 0; i < fw->ngroups; i++) {
		uint16_t num = fw->groups[i].num;
		unsigned int nm, ns;
		const struct ifspec *m = members(fw, num, MEMBER_MASTER, &nm);
		const struct ifspec *sl = members(fw, num, MEMBER_SLAVE, &ns);

		collide_scan_addr(m, nm, sl, ns, name, addr, collision_seen,
				  &num);
	}
}

void fwdwatch_learned(struct fwdwatch *fw, uint16_t group, const char *slave,
		      const char *addr, uint64_t now)
{
	struct fwdwatch_group *g = find_group(fw, group);
	struct ifspec one;
	struct scan s;

	memset(&s, 0, sizeof(s));
	if (g)
		s.masters = members(fw, group, MEMBER_MASTER, &s.nmasters);
	if (!g || !s.nmasters || !slave)
		return;
	memset(&one, 0, sizeof(one));
	snprintf(one.name, sizeof(one.name), "%s", slave);
	s.slaves = &one;
	s.nslaves = 1;
	s.group = group;
	/* Said already, or nothing to say: read again at most once a second. */
	if (g->scanned && now - g->scanned < FWDWATCH_RESCAN_NS &&
	    (!g->dropping || g->episode))
		return;
	if (fwdfilter_scan(chain_seen, &s) == -1)
		return;
	g->scanned = now ? now : 1;
	g->dropping = s.drops;
	if (!s.drops) {
		if (g->episode)
			log_info("group %u: the firewall lets the upstream's packets through to %s again",
				 group, slave);
		g->episode = false;
		return;
	}
	if (g->episode)
		return;
	g->episode = true;
	log_warnx("group %u: learned %s behind %s, but %s: the upstream cannot reach it (see ns-monitor --check)",
		  group, addr, slave, s.text);
}
