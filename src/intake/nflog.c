/* NFLOG intake: libmnl socket, libnetfilter_log message helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "nflog.h"
#include "nlmsg.h"
#include "nlsock.h"

#define NFLOG_RCVBUF_START (8 * 1024 * 1024)
#define NFLOG_ACK_TIMEOUT_MS 2000

static int u32_attr_ok(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= sizeof(uint32_t);
}

enum nflog_msg_kind nflog_parse_msg(const struct nlmsghdr *nlh,
				    struct nflog_packet *out)
{
	struct nlattr *attrs[NFULA_MAX + 1] = { NULL };
	const struct nfgenmsg *nfg;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return NFLOG_MSG_OTHER;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return NFLOG_MSG_MALFORMED;
	if (nflog_nlmsg_parse(nlh, attrs) < 0)
		return NFLOG_MSG_MALFORMED;

	nfg = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	out->group = ntohs(nfg->res_id);
	if (u32_attr_ok(attrs[NFULA_IFINDEX_INDEV]))
		out->indev = ntohl(mnl_attr_get_u32(attrs[NFULA_IFINDEX_INDEV]));
	if (u32_attr_ok(attrs[NFULA_IFINDEX_OUTDEV]))
		out->outdev = ntohl(mnl_attr_get_u32(attrs[NFULA_IFINDEX_OUTDEV]));
	if (u32_attr_ok(attrs[NFULA_SEQ])) {
		out->seq = ntohl(mnl_attr_get_u32(attrs[NFULA_SEQ]));
		out->has_seq = true;
	}
	if (attrs[NFULA_PAYLOAD]) {
		out->payload = mnl_attr_get_payload(attrs[NFULA_PAYLOAD]);
		out->payload_len = mnl_attr_get_payload_len(attrs[NFULA_PAYLOAD]);
	}
	if (attrs[NFULA_PREFIX]) {
		/* The kernel terminates it; a forged message need not. */
		out->prefix = mnl_attr_get_payload(attrs[NFULA_PREFIX]);
		out->prefix_len = strnlen(out->prefix,
					  mnl_attr_get_payload_len(attrs[NFULA_PREFIX]));
	}
	return NFLOG_MSG_PACKET;
}

struct process_ctx {
	nflog_packet_cb cb;
	void *data;
	struct nflog_batch_stats *stats;
};

static int process_one(const struct nlmsghdr *nlh, void *data)
{
	struct process_ctx *ctx = data;
	struct nflog_packet pkt;

	switch (nflog_parse_msg(nlh, &pkt)) {
	case NFLOG_MSG_PACKET:
		ctx->stats->packets++;
		ctx->cb(&pkt, ctx->data);
		break;
	case NFLOG_MSG_MALFORMED:
		ctx->stats->malformed++;
		break;
	case NFLOG_MSG_OTHER:
		break;
	}
	/* A bad message is counted and skipped, never fatal. */
	return MNL_CB_OK;
}

int nflog_process(const void *buf, size_t len, nflog_packet_cb cb, void *data,
		  struct nflog_batch_stats *stats)
{
	struct process_ctx ctx = { cb, data, stats };
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	/*
	 * Walked by hand rather than with mnl_cb_run(), which stops silently
	 * at a truncated tail: that must be counted, not lost unseen.
	 */
	while (nlmsg_fits(nlh, left)) {
		process_one(nlh, &ctx);
		nlh = nlmsg_after(nlh, &left);
	}
	if (left > 0) {
		stats->malformed++;
		return -1;
	}
	return 0;
}

int nflog_sock_open(struct nflog_sock *nf)
{
	if (nlsock_open(&nf->sock, NETLINK_NETFILTER, 0, true) == -1)
		return -1;
	/*
	 * Room for the kernel rule's whole burst (1000 messages of about a
	 * kilobyte of socket memory each), and for some 30 ms of a flood at
	 * the fastest rate the host emits NS (about 300,000/s, bench/) while
	 * we are not scheduled: kernel memory, used only when a burst comes.
	 * FORCE needs CAP_NET_ADMIN, which we hold; it ignores rmem_max.
	 */
	nlsock_set_rcvbuf(&nf->sock, NFLOG_RCVBUF_START);
	return 0;
}

void nflog_sock_close(struct nflog_sock *nf)
{
	nlsock_close(&nf->sock);
}

int nflog_sock_fd(const struct nflog_sock *nf)
{
	return nlsock_fd(&nf->sock);
}

/*
 * A config request and its ack. Packets for a group bound earlier may
 * already be queued on this socket: they are skipped (they would be stale
 * by the time we are running anyway). The kernel acks synchronously; the
 * deadline is a safety net.
 */
static int nflog_sock_request(struct nflog_sock *nf, struct nlmsghdr *nlh)
{
	return nlsock_request(&nf->sock, nlh, NFLOG_ACK_TIMEOUT_MS);
}

int nflog_sock_bind(struct nflog_sock *nf, uint16_t group, uint32_t copy_range)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	if (nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_BIND) < 0)
		return -1;
	if (nflog_sock_request(nf, nlh) == -1)
		return -1;

	nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, copy_range);
	/* The kernel batches up to 100 packets or 1 s; deliver each at once. */
	mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
	mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(0));
	mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(NFULNL_CFG_F_SEQ));
	if (nflog_sock_request(nf, nlh) == -1) {
		int saved = errno;

		nflog_sock_unbind(nf, group);
		errno = saved;
		return -1;
	}
	return 0;
}

int nflog_sock_unbind(struct nflog_sock *nf, uint16_t group)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_UNBIND);
	return nflog_sock_request(nf, nlh);
}

int nflog_sock_grow_rcvbuf(struct nflog_sock *nf, int max)
{
	return nlsock_grow_rcvbuf(&nf->sock, max);
}

int nflog_group_bound(uint16_t group, uint32_t *portid)
{
	/* The calling thread's network namespace, whatever /proc shows. */
	FILE *f = fopen("/proc/self/net/netfilter/nfnetlink_log", "re");
	unsigned int g, peer;
	char line[256];
	int found = 0;

	if (!f)
		return -1;
	/* "group peer_portid qlen copy_mode copy_range flushtimeout use" */
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u", &g, &peer) == 2 && g == group) {
			found = 1;
			if (portid)
				*portid = peer;
		}
	fclose(f);
	return found;
}
