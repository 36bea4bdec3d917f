/*
 * The ruleset as fwdfilter_judge() needs it, read through nf_tables
 * netlink with libnftnl: every chain of the ip6 and inet tables that have
 * a forward-hook base chain, each rule reduced to its interface matches
 * and its verdict.
 */
#include <errno.h>
#include <netinet/in.h>	/* before the linux/ headers: glibc first */
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "fwdfilter.h"
#include "nftctl.h"
#include "nlsock.h"

struct rules {
	struct fwdfilter_rule *v;
	size_t n, cap;
	bool nomem;
};

struct chains {
	struct fwdfilter_chain *v;
	struct rules *rules;	/* each chain's, the same index */
	size_t n, cap;
	bool nomem;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chains *cs = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct fwdfilter_chain *fc;
	uint32_t family;
	const char *table, *name;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto out;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if ((family != NFPROTO_IPV6 && family != NFPROTO_INET) || !table || !name)
		goto out;
	/* Ours never drops. */
	if (family == NFPROTO_INET && strcmp(table, NFT_TABLE) == 0)
		goto out;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		struct fwdfilter_chain *v = realloc(cs->v, cap * sizeof(*v));
		struct rules *r;

		if (!v) {
			cs->nomem = true;
			goto out;
		}
		cs->v = v;
		r = realloc(cs->rules, cap * sizeof(*r));
		if (!r) {
			cs->nomem = true;
			goto out;
		}
		cs->rules = r;
		cs->cap = cap;
	}
	memset(&cs->rules[cs->n], 0, sizeof(cs->rules[cs->n]));
	fc = &cs->v[cs->n++];
	memset(fc, 0, sizeof(*fc));
	snprintf(fc->family, sizeof(fc->family), "%s",
		 family == NFPROTO_IPV6 ? "ip6" : "inet");
	snprintf(fc->table, sizeof(fc->table), "%s", table);
	snprintf(fc->name, sizeof(fc->name), "%s", name);
	fc->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) &&
		   nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == NF_INET_FORWARD;
	fc->priority = (int)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	fc->policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
			  nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
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

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rules *rs = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_ctx one;

	if (!r)
		return MNL_CB_ERROR;
	memset(&one, 0, sizeof(one));
	one.loaded = LOADED_NONE;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	nftnl_expr_foreach(r, expr_cb, &one);
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct fwdfilter_rule *v = realloc(rs->v, cap * sizeof(*v));

		if (!v) {
			rs->nomem = true;
			goto out;
		}
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = one.r;
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int read_rules(struct nlsock *nl, const struct fwdfilter_chain *c,
		      struct rules *rs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint16_t family = strcmp(c->family, "ip6") == 0 ? NFPROTO_IPV6 :
			  NFPROTO_INET;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP,
				    nlsock_next_seq(nl));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	if (nlsock_talk(nl, nlh, rule_cb, rs) == -1)
		return -1;
	if (rs->nomem) {
		errno = ENOMEM;
		return -1;
	}
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
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct chains cs = { 0 };
	struct nlsock nl;
	struct nlmsghdr *nlh;
	int rc = -1;

	if (nlsock_open(&nl, NETLINK_NETFILTER, 0, false) == -1)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC,
				    NLM_F_DUMP, nlsock_next_seq(&nl));
	if (nlsock_talk(&nl, nlh, chain_cb, &cs) == -1)
		goto out;
	if (cs.nomem) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cs.n; i++) {
		if (!table_forwards(&cs, &cs.v[i]))
			continue;
		if (read_rules(&nl, &cs.v[i], &cs.rules[i]) == -1)
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
