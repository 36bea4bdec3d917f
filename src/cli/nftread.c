/* The ruleset read through nf_tables netlink (nftread.h). */
#include <errno.h>
#include <netinet/in.h>	/* before the linux/ headers: glibc first */
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nftctl.h"
#include "nftread.h"
#include "nlsock.h"

struct reading {
	nftread_chain_cb chain;
	nftread_rule_cb rule;
	void *data;
	bool nomem;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reading *rd = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftread_chain ch;
	uint32_t family;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto out;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	ch.table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	ch.name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if ((family != NFPROTO_IPV6 && family != NFPROTO_INET) || !ch.table ||
	    !ch.name)
		goto out;
	/* Ours only logs and marks: it neither drops nor accepts for others. */
	if (family == NFPROTO_INET && strcmp(ch.table, NFT_TABLE) == 0)
		goto out;
	ch.family = family == NFPROTO_IPV6 ? "ip6" : "inet";
	ch.hooked = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	ch.hook = ch.hooked ? nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) : 0;
	ch.priority = (int)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	ch.policy_drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
			 nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
	if (rd->chain(&ch, rd->data) == -1)
		rd->nomem = true;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reading *rd = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 && rd->rule(r, rd->data) == -1)
		rd->nomem = true;
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* A dump's answer: what the callbacks could not keep fails it too. */
static int done(const struct reading *rd, int rc)
{
	if (rc == 0 && rd->nomem) {
		errno = ENOMEM;
		return -1;
	}
	return rc;
}

int nftread_chains(struct nlsock *nl, nftread_chain_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct reading rd = { .chain = cb, .data = data };
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC,
				    NLM_F_DUMP, nlsock_next_seq(nl));
	return done(&rd, nlsock_talk(nl, nlh, chain_cb, &rd));
}

int nftread_rules(struct nlsock *nl, const char *family, const char *table,
		  const char *chain, nftread_rule_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct reading rd = { .rule = cb, .data = data };
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE,
				    strcmp(family, "ip6") == 0 ? NFPROTO_IPV6 :
				    NFPROTO_INET, NLM_F_DUMP,
				    nlsock_next_seq(nl));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return done(&rd, nlsock_talk(nl, nlh, rule_cb, &rd));
}
