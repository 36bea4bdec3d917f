/*
 * NFQUEUE through nft_compat, for kernels without nft's queue statement.
 * libnftables cannot write an xtables expression, so this one rule is
 * built with libnftnl and sent in a batch of its own.
 */
#include <errno.h>
#include <netinet/in.h>	/* before the linux headers, which defer to it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include "nftctl.h"
#include "nlsock.h"
#include "hold_xt.h"

/* Revision 3 is the one with the bypass flag and any family. */
#define NFQUEUE_REVISION 3

static struct nftnl_rule *queue_rule(uint16_t group)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	/* nft_compat wants the xtables size, aligned; the expr owns it. */
	struct xt_NFQ_info_v3 *info = calloc(1, XT_ALIGN(sizeof(*info)));
	char chain[32];

	if (!r || !e || !info) {
		nftnl_rule_free(r);
		nftnl_expr_free(e);
		free(info);
		return NULL;
	}
	snprintf(chain, sizeof(chain), "hold_queue_%u", group);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	info->queuenum = group;
	info->queues_total = 1;
	info->flags = NFQ_FLAG_BYPASS;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, NFQUEUE_REVISION);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, XT_ALIGN(sizeof(*info)));
	nftnl_rule_add_expr(r, e);
	return r;
}

int hold_xt_add(uint16_t group, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *batch;
	struct nftnl_rule *r = queue_rule(group);
	struct nlsock nl;
	uint32_t first_seq, last_seq;
	struct nlmsghdr *nlh;
	int rc = -1;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (nlsock_open(&nl, NETLINK_NETFILTER, 0, false) == -1) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		nftnl_rule_free(r);
		return -1;
	}
	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	first_seq = nlsock_next_seq(&nl);
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), first_seq);
	mnl_nlmsg_batch_next(batch);
	/* The rule asks for the ack: an error, or success. */
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
					 NFT_MSG_NEWRULE, NFPROTO_INET,
					 NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK,
					 nlsock_next_seq(&nl));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	mnl_nlmsg_batch_next(batch);
	last_seq = nlsock_next_seq(&nl);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), last_seq);
	mnl_nlmsg_batch_next(batch);

	if (nlsock_batch(&nl, mnl_nlmsg_batch_head(batch),
			 mnl_nlmsg_batch_size(batch), first_seq, last_seq) == -1) {
		snprintf(err, errlen, "the xtables NFQUEUE target: %s",
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	nlsock_close(&nl);
	mnl_nlmsg_batch_stop(batch);
	nftnl_rule_free(r);
	return rc;
}
