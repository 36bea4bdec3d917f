/*
 * The ruleset as outfilter_judge() needs it, read by nftread.c: the
 * output-hook base chains of ip6 and inet tables, then each one's rules,
 * reduced to what they do to a packet.
 */
#include <netinet/in.h>	/* before the linux/ headers: glibc first */
#include <stdio.h>	/* libnftnl/expr.h needs FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_mark.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "nftread.h"
#include "nlsock.h"
#include "outfilter.h"

struct chains {
	struct outfilter_chain *v;
	unsigned int n;
};

struct rules {
	struct outfilter_rule *v;
	unsigned int n;
};

/* The output hook's base chains. */
static int chain_cb(const struct nftread_chain *c, void *data)
{
	struct chains *cs = data;
	struct outfilter_chain *oc;

	if (!c->hooked || c->hook != NF_INET_LOCAL_OUT)
		return 0;
	if (grow_room((void **)&cs->v, cs->n, sizeof(*cs->v)) == -1)
		return -1;
	oc = &cs->v[cs->n++];
	memset(oc, 0, sizeof(*oc));
	snprintf(oc->family, sizeof(oc->family), "%s", c->family);
	snprintf(oc->table, sizeof(oc->table), "%s", c->table);
	snprintf(oc->name, sizeof(oc->name), "%s", c->name);
	oc->priority = c->priority;
	oc->policy_drop = c->policy_drop;
	return 0;
}

/* What one expression makes of the rule. */
struct rule_ctx {
	struct outfilter_rule r;
	bool mark_loaded;	/* the last expression loaded the mark */
};

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_ctx *ctx = data;
	struct outfilter_rule *r = &ctx->r;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	bool after_mark = ctx->mark_loaded;

	ctx->mark_loaded = false;
	if (!name)
		return 0;
	/* meta mark M: the load, then a comparison for equality with M. */
	if (after_mark && strcmp(name, "cmp") == 0) {
		uint32_t len = 0;
		const void *v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

		if (v && len == sizeof(uint32_t) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ) {
			memcpy(&r->mark, v, sizeof(r->mark));
			r->mark_exact = true;
		}
		r->unconditional = false;
		return 0;
	}
	if (strcmp(name, "immediate") == 0) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
			int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

			r->action = v == NF_ACCEPT ? OUTFILTER_ACCEPT :
				    v == NF_DROP ? OUTFILTER_DROP :
				    OUTFILTER_CONTINUE;
		}
	} else if (strcmp(name, "reject") == 0) {
		r->action = OUTFILTER_DROP;
	} else if (strcmp(name, "target") == 0) {
		/* ip6tables-nft: -j REJECT (-j DROP and ACCEPT are native). */
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		if (tg && strcmp(tg, "REJECT") == 0)
			r->action = OUTFILTER_DROP;
	} else if (strcmp(name, "meta") == 0) {
		/* A load of the mark (meta set mark is a statement). */
		if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == NFT_META_MARK) {
			r->matches_mark = true;
			ctx->mark_loaded = true;
			return 0;
		}
		if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
			r->unconditional = false;
	} else if (strcmp(name, "match") == 0) {
		/* ip6tables-nft's -m mark, and any other xt match. */
		const char *mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);

		if (mt && strcmp(mt, "mark") == 0) {
			uint32_t len = 0;
			const struct xt_mark_mtinfo1 *info =
				nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);

			r->matches_mark = true;
			/* -m mark --mark M: revision 1, all bits, not inverted. */
			if (info && len >= sizeof(*info) &&
			    nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV) == 1 &&
			    info->mask == 0xffffffffu && !info->invert) {
				r->mark_exact = true;
				r->mark = info->mark;
			}
		}
		r->unconditional = false;
	} else if (strcmp(name, "counter") != 0 && strcmp(name, "log") != 0 &&
		   strcmp(name, "notrack") != 0) {
		r->unconditional = false;	/* payload, cmp, ct, limit... */
	}
	return 0;
}

static int rule_cb(struct nftnl_rule *r, void *data)
{
	struct rules *rs = data;
	struct rule_ctx one = { { OUTFILTER_CONTINUE, true, false, false, 0 },
				false };

	nftnl_expr_foreach(r, expr_cb, &one);
	if (grow_room((void **)&rs->v, rs->n, sizeof(*rs->v)) == -1)
		return -1;
	rs->v[rs->n++] = one.r;
	return 0;
}

int outfilter_scan(outfilter_cb cb, void *data)
{
	struct chains cs = { 0 };
	struct rules rs = { 0 };
	struct nlsock nl;
	int rc = -1;

	if (nlsock_open(&nl, NETLINK_NETFILTER, 0, false) == -1)
		return -1;
	if (nftread_chains(&nl, chain_cb, &cs) == -1)
		goto out;
	for (unsigned int i = 0; i < cs.n; i++) {
		struct outfilter_chain *c = &cs.v[i];

		rs.n = 0;
		if (nftread_rules(&nl, c->family, c->table, c->name, rule_cb,
				  &rs) == -1)
			goto out;
		c->rules = rs.v;
		c->nrules = rs.n;
		cb(c, data);
	}
	rc = 0;
out:
	free(cs.v);
	free(rs.v);
	nlsock_close(&nl);
	return rc;
}
