/* Would a forward-hook chain drop master->slave traffic? (pure; fwdfilter.h) */
#include <stdio.h>
#include <string.h>

#include "fwdfilter.h"

#define FWD_MAX_DEPTH 16

enum fit { FIT_NONE, FIT_SOME, FIT_ALL };

/* Could one name fall under both? */
static bool overlap(const struct ifspec *a, const struct ifspec *b)
{
	if (!a->prefix && !b->prefix)
		return strcmp(a->name, b->name) == 0;
	if (a->prefix && !b->prefix)
		return ifspec_match(a, b->name);
	if (!a->prefix && b->prefix)
		return ifspec_match(b, a->name);
	return ifspec_covers(a, b) || ifspec_covers(b, a);
}

/* How much of the direction's interface (d) the match takes. */
static enum fit if_fit(const struct fwdfilter_ifmatch *m,
		       const struct ifspec *d)
{
	switch (m->op) {
	case FWD_IF_ANY:
		return FIT_ALL;
	case FWD_IF_EQ:
		if (ifspec_covers(&m->spec, d))
			return FIT_ALL;
		return overlap(&m->spec, d) ? FIT_SOME : FIT_NONE;
	case FWD_IF_NE:
		if (ifspec_covers(&m->spec, d))
			return FIT_NONE;
		return overlap(&m->spec, d) ? FIT_SOME : FIT_ALL;
	}
	return FIT_SOME;
}

static const struct fwdfilter_chain *find_chain(
	const struct fwdfilter_chain *chains, size_t n,
	const struct fwdfilter_chain *from, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(chains[i].name, name) == 0 &&
		    strcmp(chains[i].table, from->table) == 0 &&
		    strcmp(chains[i].family, from->family) == 0)
			return &chains[i];
	return NULL;
}

struct judging {
	const struct fwdfilter_chain *chains;
	size_t nchains;
	const struct ifspec *master, *slave;
	char *why;
	size_t whylen;
};

static enum fwdfilter_verdict eval(const struct judging *j,
				   const struct fwdfilter_chain *c,
				   bool top, unsigned int depth)
{
	for (size_t i = 0; i < c->nrules; i++) {
		const struct fwdfilter_rule *r = &c->rules[i];
		enum fit fi = if_fit(&r->iif, j->master);
		enum fit fo = if_fit(&r->oif, j->slave);
		bool every = fi == FIT_ALL && fo == FIT_ALL && !r->other;
		const struct fwdfilter_chain *to;
		enum fwdfilter_verdict v;

		if (fi == FIT_NONE || fo == FIT_NONE || !every)
			continue;	/* not this direction, or only some of it */
		switch (r->action) {
		case FWD_CONTINUE:
			break;
		case FWD_ACCEPT:
			return FWD_ALLOWED;
		case FWD_DROP:
			if (top)
				snprintf(j->why, j->whylen,
					 "its rule %zu drops or rejects them", i + 1);
			else
				snprintf(j->why, j->whylen,
					 "rule %zu of chain %s, where it jumps, drops or rejects them",
					 i + 1, c->name);
			return FWD_DROPS;
		case FWD_RETURN:
			return FWD_PASSES;
		case FWD_JUMP:
		case FWD_GOTO:
			to = find_chain(j->chains, j->nchains, c, r->target);
			if (!to || depth >= FWD_MAX_DEPTH)
				break;
			v = eval(j, to, false, depth + 1);
			if (v != FWD_PASSES)
				return v;
			/* A goto's return goes back to where this chain was called. */
			if (r->action == FWD_GOTO)
				goto end;
			break;
		}
	}
end:
	if (top && c->policy_drop) {
		snprintf(j->why, j->whylen, "it has policy drop");
		return FWD_DROPS;
	}
	return FWD_PASSES;
}

enum fwdfilter_verdict fwdfilter_judge(const struct fwdfilter_chain *chains,
				       size_t nchains, size_t base,
				       const struct ifspec *master,
				       const struct ifspec *slave,
				       char *why, size_t whylen)
{
	struct judging j = { chains, nchains, master, slave, why, whylen };

	if (whylen)
		why[0] = '\0';
	return eval(&j, &chains[base], true, 0);
}

void fwdfilter_accept_rule(const struct ifspec *master,
			   const struct ifspec *slave,
			   char *nft, size_t nftlen, char *ipt, size_t iptlen)
{
	char m[IFSPEC_TEXT], s[IFSPEC_TEXT];

	snprintf(nft, nftlen, "iifname \"%s\" oifname \"%s\" accept",
		 ifspec_format(master, m), ifspec_format(slave, s));
	/* ip6tables writes a pattern with '+'. */
	snprintf(ipt, iptlen, "-i %s%s -o %s%s -j ACCEPT", master->name,
		 master->prefix ? "+" : "", slave->name,
		 slave->prefix ? "+" : "");
}

bool fwdfilter_judge_pairs(const struct fwdfilter_chain *chains,
			   size_t nchains, size_t base,
			   const struct ifspec *masters, unsigned int nmasters,
			   const struct ifspec *slaves, unsigned int nslaves,
			   struct fwdfilter_finding *f)
{
	char why[sizeof(f->why)];

	memset(f, 0, sizeof(*f));
	for (unsigned int i = 0; i < nmasters; i++)
		for (unsigned int k = 0; k < nslaves; k++) {
			if (fwdfilter_judge(chains, nchains, base, &masters[i],
					    &slaves[k], why, sizeof(why)) != FWD_DROPS)
				continue;
			if (!f->pairs++) {
				f->master = &masters[i];
				f->slave = &slaves[k];
				memcpy(f->why, why, sizeof(f->why));
			}
		}
	return f->pairs > 0;
}

void fwdfilter_advice(const struct fwdfilter_chain *chains, size_t nchains,
		      size_t base, const struct fwdfilter_finding *f,
		      char *buf, size_t len)
{
	const struct fwdfilter_chain *c = &chains[base];
	char nft[96], ipt[96];
	int n;

	fwdfilter_accept_rule(f->master, f->slave, nft, sizeof(nft), ipt,
			      sizeof(ipt));
	n = snprintf(buf, len, "nft insert rule %s %s %s %s", c->family,
		     c->table, c->name, nft);
	if (n < 0 || (size_t)n >= len || strcmp(c->family, "ip6") != 0)
		return;
	snprintf(buf + n, len - (size_t)n, ", or with ip6tables: ip6tables -I %s %s",
		 find_chain(chains, nchains, c, "DOCKER-USER") ?
		 "DOCKER-USER" : c->name, ipt);
}
