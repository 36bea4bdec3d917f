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
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/set.h>
#include <libnftnl/common.h>

#include "nftctl.h"

static int nft_ack(struct hold *h, unsigned int seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(h->nft);

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(h->nft, buf, sizeof(buf));
		int ret;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (ret <= MNL_CB_STOP)
			return ret;	/* -1 with errno from the kernel, or 0 */
	}
}

static int nft_open(struct hold *h)
{
	if (h->nft)
		return 0;
	h->nft = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!h->nft)
		return -1;
	if (mnl_socket_bind(h->nft, 0, MNL_SOCKET_AUTOPID) == -1) {
		int saved = errno;

		mnl_socket_close(h->nft);
		h->nft = NULL;
		errno = saved;
		return -1;
	}
	h->nft_seq = (unsigned int)time(NULL);
	return 0;
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
	unsigned int seq;
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
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), h->nft_seq++);
	mnl_nlmsg_batch_next(batch);
	seq = h->nft_seq++;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
				    NFT_MSG_NEWSETELEM,
				    h->set_family ? h->set_family : NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	mnl_nlmsg_batch_next(batch);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), h->nft_seq++);
	mnl_nlmsg_batch_next(batch);
	nftnl_set_free(s);

	ret = (int)mnl_socket_sendto(h->nft, mnl_nlmsg_batch_head(batch),
				     mnl_nlmsg_batch_size(batch));
	mnl_nlmsg_batch_stop(batch);
	if (ret < 0)
		return -1;
	return nft_ack(h, seq) < 0 ? -1 : 0;
}
