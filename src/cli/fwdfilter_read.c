/*
 * The ruleset as fwdfilter_judge() needs it, read by nftread.c: every
 * chain of the ip6 and inet tables that have a forward-hook base chain,
 * each rule reduced to its interface matches and its verdict.
 */
#include <netinet/in.h>	/* before the linux/ headers: glibc first */
#include <stdio.h>	/* libnftnl/expr.h needs FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "fwdfilter.h"
#include "grow.h"
#include "nftread.h"
#include "nlsock.h"

struct rules {
	struct fwdfilter_rule *v;
	unsigned int n;
};

struct chains {
	struct fwdfilter_chain *v;
	struct rules *rules;	/* each chain's, the same index */
	unsigned int n;
};

static int chain_cb(const struct nftread_chain *c, void *data)
{
	struct chains *cs = data;
	struct fwdfilter_chain *fc;

	if (grow_room((void **)&cs->v, cs->n, sizeof(*cs->v)) == -1 ||
	    grow_room((void **)&cs->rules, cs->n, sizeof(*cs->rules)) == -1)
		return -1;
	memset(&cs->rules[cs->n], 0, sizeof(cs->rules[cs->n]));
	fc = &cs->v[cs->n++];
	memset(fc, 0, sizeof(*fc));
	snprintf(fc->family, sizeof(fc->family), "%s", c->family);
	snprintf(fc->table, sizeof(fc->table), "%s", c->table);
	snprintf(fc->name, sizeof(fc->name), "%s", c->name);
	fc->base = c->hooked && c->hook == NF_INET_FORWARD;
	fc->priority = c->priority;
	fc->policy_drop = c->policy_drop;
	return 0;
}

/* What the expressions so far make of the rule. */
struct rule_ctx {
	struct fwdfilter_rule r;
	uint32_t loaded;	/* the meta key the last expression loaded, or ~0 */
};

#define LOADED_NONE 0xffffffffu

/* A comparison after a load of an interface's name or index. */
static void iface_cmp(struct rule_ctx *ctx, uint32_t loaded,
		      struct nftnl_expr *e)
{
	struct fwdfilter_rule *r = &ctx->r;
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);
	bool in = loaded == NFT_META_IIFNAME || loaded == NFT_META_IIF;
	struct fwdfilter_ifmatch *m = in ? &r->iif : &r->oif;
	uint32_t len = 0;
	const char *v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

	if (!v || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || m->op != FWD_IF_ANY) {
		r->other = true;
		return;
	}
	memset(&m->spec, 0, sizeof(m->spec));
	if (loaded == NFT_META_IIF || loaded == NFT_META_OIF) {
		uint32_t index;

		if (len != sizeof(index)) {
			r->other = true;
			return;
		}
		memcpy(&index, v, sizeof(index));
		if (!if_indextoname(index, m->spec.name)) {
			r->other = true;
			return;
		}
	} else {
		/* "eth0\0...": that name; "br-" without a NUL: a pattern (br-+, "br-*"). */
		const char *nul = memchr(v, '\0', len);
		size_t n = nul ? (size_t)(nul - v) : len;

		if (n == 0 || n >= sizeof(m->spec.name)) {
			r->other = true;
			return;
		}
		memcpy(m->spec.name, v, n);
		m->spec.prefix = !nul;
	}
	m->op = op == NFT_CMP_EQ ? FWD_IF_EQ : FWD_IF_NE;
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_ctx *ctx = data;
	struct fwdfilter_rule *r = &ctx->r;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t loaded = ctx->loaded;

	ctx->loaded = LOADED_NONE;
	if (!name)
		return 0;
	if (strcmp(name, "cmp") == 0) {
		if (loaded == LOADED_NONE)
			r->other = true;
		else
			iface_cmp(ctx, loaded, e);
	} else if (strcmp(name, "meta") == 0) {
		uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

		if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
			return 0;	/* meta set ...: a statement */
		if (key == NFT_META_IIFNAME || key == NFT_META_OIFNAME ||
		    key == NFT_META_IIF || key == NFT_META_OIF)
			ctx->loaded = key;
		else
			r->other = true;
	} else if (strcmp(name, "immediate") == 0) {
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT))
			return 0;
		switch ((int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT)) {
		case NF_ACCEPT:
			r->action = FWD_ACCEPT;
			break;
		case NF_DROP:
			r->action = FWD_DROP;
			break;
		case NFT_RETURN:
			r->action = FWD_RETURN;
			break;
		case NFT_JUMP:
		case NFT_GOTO: {
			const char *to = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

			if (!to)
				break;
			r->action = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) ==
				    NFT_JUMP ? FWD_JUMP : FWD_GOTO;
			snprintf(r->target, sizeof(r->target), "%s", to);
			break;
		}
		default:
			break;
		}
	} else if (strcmp(name, "reject") == 0) {
		r->action = FWD_DROP;
	} else if (strcmp(name, "target") == 0) {
		/* ip6tables-nft: -j REJECT (DROP, ACCEPT, jumps are native). */
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		if (tg && strcmp(tg, "REJECT") == 0)
			r->action = FWD_DROP;
	} else if (strcmp(name, "counter") != 0 && strcmp(name, "log") != 0 &&
		   strcmp(name, "notrack") != 0) {
		r->other = true;	/* payload, ct, lookup, xt matches... */
	}
	return 0;
}

static int rule_cb(struct nftnl_rule *r, void *data)
{
	struct rules *rs = data;
	struct rule_ctx one;

	memset(&one, 0, sizeof(one));
	one.loaded = LOADED_NONE;
	nftnl_expr_foreach(r, expr_cb, &one);
	if (grow_room((void **)&rs->v, rs->n, sizeof(*rs->v)) == -1)
		return -1;
	rs->v[rs->n++] = one.r;
	return 0;
}

/* Does a forward-hook base chain live in c's table? */
static bool table_forwards(const struct chains *cs, const struct fwdfilter_chain *c)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].base && strcmp(cs->v[i].table, c->table) == 0 &&
		    strcmp(cs->v[i].family, c->family) == 0)
			return true;
	return false;
}

int fwdfilter_scan(fwdfilter_cb cb, void *data)
{
	struct chains cs = { 0 };
	struct nlsock nl;
	int rc = -1;

	if (nlsock_open(&nl, NETLINK_NETFILTER, 0, false) == -1)
		return -1;
	if (nftread_chains(&nl, chain_cb, &cs) == -1)
		goto out;
	for (size_t i = 0; i < cs.n; i++) {
		if (!table_forwards(&cs, &cs.v[i]))
			continue;
		if (nftread_rules(&nl, cs.v[i].family, cs.v[i].table,
				  cs.v[i].name, rule_cb, &cs.rules[i]) == -1)
			goto out;
		cs.v[i].rules = cs.rules[i].v;
		cs.v[i].nrules = cs.rules[i].n;
	}
	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].base)
			cb(cs.v, cs.n, i, data);
	rc = 0;
out:
	for (size_t i = 0; i < cs.n; i++)
		free(cs.rules[i].v);
	free(cs.rules);
	free(cs.v);
	nlsock_close(&nl);
	return rc;
}
