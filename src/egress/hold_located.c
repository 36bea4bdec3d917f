/*
 * The located_G set: destinations whose packets no longer wait in the
 * queue (behind a slave, or answering on the master). Written with libnftnl
 * as one nf_tables batch per element, on a netlink socket of its own so
 * that its acks never mix with queued packets.
 */
#include "hold.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/set.h>
#include <libnftnl/common.h>

#include "nftctl.h"
#include "nlsock.h"

static int nft_open(struct hold *h)
{
	if (h->nft.nl)
		return 0;
	return nlsock_open(&h->nft, NETLINK_NETFILTER, 0, false);
}

int hold_located_add(struct hold *h, uint16_t group, const struct in6_addr *dst,
		     uint32_t timeout_ms)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char name[32];
	struct mnl_nlmsg_batch *batch;
	struct nftnl_set_elem *e;
	struct nftnl_set *s;
	struct nlmsghdr *nlh;
	uint32_t first_seq, last_seq;
	int ret;

	if (nft_open(h) == -1)
		return -1;
	snprintf(name, sizeof(name), "located_%u", group);
	s = nftnl_set_alloc();
	e = nftnl_set_elem_alloc();
	if (!s || !e) {
		nftnl_set_free(s);
		nftnl_set_elem_free(e);
		errno = ENOMEM;
		return -1;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, h->set_table ? h->set_table : NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, dst, sizeof(*dst));
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, timeout_ms);
	nftnl_set_elem_add(s, e);

	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	first_seq = nlsock_next_seq(&h->nft);
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), first_seq);
	mnl_nlmsg_batch_next(batch);
	/* The element asks for the ack: an error, or success. */
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
				    NFT_MSG_NEWSETELEM,
				    h->set_family ? h->set_family : NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, nlsock_next_seq(&h->nft));
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	mnl_nlmsg_batch_next(batch);
	last_seq = nlsock_next_seq(&h->nft);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), last_seq);
	mnl_nlmsg_batch_next(batch);
	nftnl_set_free(s);

	ret = nlsock_batch(&h->nft, mnl_nlmsg_batch_head(batch),
			   mnl_nlmsg_batch_size(batch), first_seq, last_seq);
	mnl_nlmsg_batch_stop(batch);
	return ret;
}
