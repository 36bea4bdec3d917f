/*
 * The ruleset as outfilter_judge() needs it, read through nf_tables
 * netlink with libnftnl: the output-hook base chains of ip6 and inet
 * tables, then each one's rules, reduced to what they do to a packet.
 */
#include <errno.h>
#include <netinet/in.h>	/* before the linux/ headers: glibc first */
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_mark.h>
#include <stdlib.h>
#include <string.h>

#include "nftctl.h"
#include "nlsock.h"
#include "outfilter.h"

struct chains {
	struct outfilter_chain *v;
	size_t n, cap;
	bool nomem;
};

struct rules {
	struct outfilter_rule *v;
	size_t n, cap;
	bool nomem;
};

static const char *family_name(uint32_t family)
{
	return family == NFPROTO_IPV6 ? "ip6" : "inet";
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chains *cs = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct outfilter_chain *oc;
	uint32_t family;
	const char *table, *name;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_LOCAL_OUT)
		goto out;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if ((family != NFPROTO_IPV6 && family != NFPROTO_INET) || !table || !name)
		goto out;
	/* Ours only logs (policy accept). */
	if (family == NFPROTO_INET && strcmp(table, NFT_TABLE) == 0)
		goto out;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 8;
		struct outfilter_chain *v = realloc(cs->v, cap * sizeof(*v));

		if (!v) {
			cs->nomem = true;
			goto out;
		}
		cs->v = v;
		cs->cap = cap;
	}
	oc = &cs->v[cs->n++];
	memset(oc, 0, sizeof(*oc));
	snprintf(oc->family, sizeof(oc->family), "%s", family_name(family));
	snprintf(oc->table, sizeof(oc->table), "%s", table);
	snprintf(oc->name, sizeof(oc->name), "%s", name);
	oc->priority = (int)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	oc->policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
			  nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
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

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rules *rs = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_ctx one = { { OUTFILTER_CONTINUE, true, false, false, 0 },
				false };

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	nftnl_expr_foreach(r, expr_cb, &one);
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct outfilter_rule *v = realloc(rs->v, cap * sizeof(*v));

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

static int read_rules(struct nlsock *nl, const struct outfilter_chain *c,
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
	rs->n = 0;
	if (nlsock_talk(nl, nlh, rule_cb, rs) == -1)
		return -1;
	if (rs->nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int outfilter_scan(outfilter_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct chains cs = { 0 };
	struct rules rs = { 0 };
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
		if (read_rules(&nl, &cs.v[i], &rs) == -1)
			goto out;
		cs.v[i].rules = rs.v;
		cs.v[i].nrules = rs.n;
		cb(&cs.v[i], data);
	}
	rc = 0;
out:
	free(cs.v);
	free(rs.v);
	nlsock_close(&nl);
	return rc;
}
