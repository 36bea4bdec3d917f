/* Watching the ns_monitor table: nf_tables events and reads via libnftnl. */
#include <errno.h>
#include <netinet/in.h>	/* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nftctl.h"
#include "nftwatch.h"

#define EVENT_BUF_SIZE 65536
#define EVENT_RCVBUF (4 * 1024 * 1024)	/* a firewall reload is a burst */

int nftwatch_open(struct nftwatch *w)
{
	int size = EVENT_RCVBUF;

	memset(w, 0, sizeof(*w));
	w->events = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->events)
		return -1;
	if (mnl_socket_bind(w->events, 1u << (NFNLGRP_NFTABLES - 1),
			    MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	if (setsockopt(mnl_socket_get_fd(w->events), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) == -1)
		setsockopt(mnl_socket_get_fd(w->events), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	w->query = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!w->query)
		goto fail;
	if (mnl_socket_bind(w->query, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	w->query_portid = mnl_socket_get_portid(w->query);
	w->seq = (unsigned int)time(NULL);
	return 0;
fail:
	{
		int saved = errno;

		nftwatch_close(w);
		errno = saved;
	}
	return -1;
}

void nftwatch_close(struct nftwatch *w)
{
	if (w->events)
		mnl_socket_close(w->events);
	if (w->query)
		mnl_socket_close(w->query);
	w->events = w->query = NULL;
}

int nftwatch_fd(const struct nftwatch *w)
{
	return mnl_socket_get_fd(w->events);
}

static bool is_ours(uint32_t family, const char *table)
{
	return family == NFPROTO_INET && table && strcmp(table, NFT_TABLE) == 0;
}

enum nftwatch_event nftwatch_classify(const struct nlmsghdr *nlh)
{
	enum nftwatch_event ev = NFTWATCH_OTHER;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return NFTWATCH_OTHER;

	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWGEN:
		return NFTWATCH_COMMIT;
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		if (t && nftnl_table_nlmsg_parse(nlh, t) >= 0 &&
		    is_ours(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY),
			    nftnl_table_get_str(t, NFTNL_TABLE_NAME)))
			ev = NFTWATCH_OURS;
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (c && nftnl_chain_nlmsg_parse(nlh, c) >= 0 &&
		    is_ours(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
			    nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)))
			ev = NFTWATCH_OURS;
		nftnl_chain_free(c);
		break;
	}
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (r && nftnl_rule_nlmsg_parse(nlh, r) >= 0 &&
		    is_ours(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
			    nftnl_rule_get_str(r, NFTNL_RULE_TABLE)))
			ev = NFTWATCH_OURS;
		nftnl_rule_free(r);
		break;
	}
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM: {
		struct nftnl_set *s = nftnl_set_alloc();
		int type = NFNL_MSG_TYPE(nlh->nlmsg_type);
		int rc = -1;

		if (s)
			rc = (type == NFT_MSG_NEWSET || type == NFT_MSG_DELSET) ?
				nftnl_set_nlmsg_parse(nlh, s) :
				nftnl_set_elems_nlmsg_parse(nlh, s);
		if (rc >= 0 &&
		    is_ours(nftnl_set_get_u32(s, NFTNL_SET_FAMILY),
			    nftnl_set_get_str(s, NFTNL_SET_TABLE)))
			ev = NFTWATCH_OURS;
		nftnl_set_free(s);
		break;
	}
	}
	return ev;
}

bool nftwatch_read(struct nftwatch *w)
{
	static char buf[EVENT_BUF_SIZE];
	int fd = mnl_socket_get_fd(w->events);
	bool committed = false;

	/* Bounded: a storm of events yields to the rest of the loop. */
	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int left;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Lost events: assume the worst, re-read. */
				w->overruns++;
				w->touched = true;
				committed = true;
				continue;
			}
			break;	/* EAGAIN: drained */
		}
		left = (int)n;
		for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			switch (nftwatch_classify(nlh)) {
			case NFTWATCH_OURS:
				w->touched = true;
				break;
			case NFTWATCH_COMMIT:
				if (w->touched)
					committed = true;
				w->touched = false;
				break;
			case NFTWATCH_OTHER:
				break;
			}
		}
	}
	return committed;
}

/* Send a request and run cb over every answer until the end. */
static int query(struct nftwatch *w, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(w->query, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ssize_t n = mnl_socket_recvfrom(w->query, buf, sizeof(buf));

		if (n == -1)
			return -1;
		ret = mnl_cb_run(buf, (size_t)n, seq, w->query_portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret == MNL_CB_ERROR ? -1 : 0;
}

struct ifset_ctx {
	char (*names)[IF_NAMESIZE];
	unsigned int max;
	unsigned int n;
};

static int ifset_elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct ifset_ctx *ctx = data;
	uint32_t len = 0;
	const char *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	if (!key || ctx->n >= ctx->max)
		return 0;
	/* ifname keys are IFNAMSIZ bytes, zero padded; never trust that. */
	if (len >= IF_NAMESIZE)
		len = IF_NAMESIZE - 1;
	memcpy(ctx->names[ctx->n], key, len);
	ctx->names[ctx->n][len] = '\0';
	if (ctx->names[ctx->n][0])
		ctx->n++;
	return 0;
}

static int ifset_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) >= 0)
		nftnl_set_elem_foreach(s, ifset_elem_cb, data);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

int nftwatch_read_ifset(struct nftwatch *w, const char *name,
			char names[][IF_NAMESIZE], unsigned int max)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifset_ctx ctx = { names, max, 0 };
	struct nftnl_set *s;
	struct nlmsghdr *nlh;

	s = nftnl_set_alloc();
	if (!s)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET,
				    NLM_F_DUMP, ++w->seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (query(w, nlh, ifset_msg_cb, &ctx) == -1)
		return -1;
	return (int)ctx.n;
}

int nftwatch_chain_exists(struct nftwatch *w, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_chain *c;
	struct nlmsghdr *nlh;

	c = nftnl_chain_alloc();
	if (!c)
		return -1;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET,
				    NLM_F_ACK, ++w->seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	if (query(w, nlh, NULL, NULL) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}
