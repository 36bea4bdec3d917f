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

/*
 * The checks libnetfilter_log's nflog_nlmsg_parse() makes, done here in one
 * pass: this runs for every logged NS, first thing after a wake-up, and a
 * call into two more libraries there costs microseconds (their code is
 * cold by then). Attributes that do not have the size of their type make
 * the whole message malformed; unknown types are skipped; a later
 * duplicate wins; the walk stops at the first attribute that does not fit.
 * tests/unit/test_nflog_parse.c holds it to the library's verdicts.
 */
static bool attr_valid(unsigned int type, const uint8_t *data, size_t len)
{
	switch (type) {
	case NFULA_HWTYPE:
	case NFULA_HWLEN:
		return len == sizeof(uint16_t);
	case NFULA_MARK:
	case NFULA_IFINDEX_INDEV:
	case NFULA_IFINDEX_OUTDEV:
	case NFULA_IFINDEX_PHYSINDEV:
	case NFULA_IFINDEX_PHYSOUTDEV:
	case NFULA_UID:
	case NFULA_SEQ:
	case NFULA_SEQ_GLOBAL:
	case NFULA_GID:
	case NFULA_CT_INFO:
		return len == sizeof(uint32_t);
	case NFULA_PACKET_HDR:
		return len == sizeof(struct nfulnl_msg_packet_hdr);
	case NFULA_TIMESTAMP:
		return len == sizeof(struct nfulnl_msg_packet_timestamp);
	case NFULA_HWADDR:
		return len == sizeof(struct nfulnl_msg_packet_hw);
	case NFULA_PREFIX:
		return len > 0 && data[len - 1] == '\0';
	default:
		return true;
	}
}

static uint32_t attr_u32(const uint8_t *data)
{
	uint32_t v;

	memcpy(&v, data, sizeof(v));
	return ntohl(v);
}

enum nflog_msg_kind nflog_parse_msg(const struct nlmsghdr *nlh,
				    struct nflog_packet *out)
{
	const size_t start = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const uint8_t *p = (const uint8_t *)nlh + start;
	struct nflog_packet pkt = { .payload = NULL };
	const struct nfgenmsg *nfg;
	size_t left, end;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return NFLOG_MSG_OTHER;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg))
		return NFLOG_MSG_MALFORMED;
	nfg = (const struct nfgenmsg *)((const uint8_t *)nlh + NLMSG_HDRLEN);
	pkt.group = ntohs(nfg->res_id);
	/* As libmnl's walk: up to the padded end of the message. */
	end = nlmsg_aligned_len(nlh);
	left = end > start ? end - start : 0;
	while (left >= sizeof(struct nlattr)) {
		struct nlattr a;
		const uint8_t *data = p + sizeof(a);
		size_t len, step;
		unsigned int type;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || a.nla_len > left)
			break;
		len = a.nla_len - sizeof(a);
		type = a.nla_type & NLA_TYPE_MASK;
		if (type <= NFULA_MAX && !attr_valid(type, data, len))
			return NFLOG_MSG_MALFORMED;
		switch (type) {
		case NFULA_IFINDEX_INDEV:
			pkt.indev = attr_u32(data);
			break;
		case NFULA_IFINDEX_OUTDEV:
			pkt.outdev = attr_u32(data);
			break;
		case NFULA_SEQ:
			pkt.seq = attr_u32(data);
			pkt.has_seq = true;
			break;
		case NFULA_PAYLOAD:
			pkt.payload = data;
			pkt.payload_len = len;
			break;
		case NFULA_PREFIX:
			/* Terminated (checked above). */
			pkt.prefix = (const char *)data;
			pkt.prefix_len = strlen(pkt.prefix);
			break;
		default:
			break;
		}
		step = NLA_ALIGN(a.nla_len);
		if (step >= left)
			break;
		left -= step;
		p += step;
	}
	*out = pkt;
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
