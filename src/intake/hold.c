/* NFQUEUE hold: libmnl socket, libnetfilter_queue's nfq_nlmsg_* helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "hold.h"
#include "log.h"
#include "nlmsg.h"
#include "nlsock.h"

/* Messages read per hold_read(): the loop gets back to other sources. */
#define HOLD_READ_BATCH 64
#define HOLD_RCVBUF (1024 * 1024)
#define HOLD_ACK_TIMEOUT_MS 2000
#define IP6_HDR_LEN 40
#define IP6_DST_OFF 24

static int attr_len_ok(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len;
}

enum hold_msg_kind hold_parse_msg(const struct nlmsghdr *nlh,
				  struct hold_packet *out)
{
	struct nlattr *attrs[NFQA_MAX + 1] = { NULL };
	const struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *nfg;
	const uint8_t *payload;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return HOLD_MSG_OTHER;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return HOLD_MSG_MALFORMED;
	if (nfq_nlmsg_parse(nlh, attrs) < 0)
		return HOLD_MSG_MALFORMED;

	nfg = mnl_nlmsg_get_payload(nlh);
	out->queue_num = ntohs(nfg->res_id);
	if (!attr_len_ok(attrs[NFQA_PACKET_HDR], sizeof(*ph)))
		return HOLD_MSG_MALFORMED;
	ph = mnl_attr_get_payload(attrs[NFQA_PACKET_HDR]);
	out->id = ntohl(ph->packet_id);
	out->has_id = true;

	if (attr_len_ok(attrs[NFQA_MARK], sizeof(uint32_t)))
		out->mark = ntohl(mnl_attr_get_u32(attrs[NFQA_MARK]));
	if (attr_len_ok(attrs[NFQA_IFINDEX_OUTDEV], sizeof(uint32_t)))
		out->outdev = ntohl(mnl_attr_get_u32(attrs[NFQA_IFINDEX_OUTDEV]));
	if (!attr_len_ok(attrs[NFQA_PAYLOAD], IP6_HDR_LEN))
		return HOLD_MSG_MALFORMED;
	payload = mnl_attr_get_payload(attrs[NFQA_PAYLOAD]);
	if ((payload[0] >> 4) != 6)
		return HOLD_MSG_MALFORMED;
	memcpy(&out->dst, payload + IP6_DST_OFF, sizeof(out->dst));
	return HOLD_MSG_PACKET;
}

int hold_process(const void *buf, size_t len, hold_msg_cb cb, void *data,
		 struct hold_stats *stats)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	/* By hand, not mnl_cb_run(): a truncated tail must be counted. */
	while (left > 0) {
		union {
			struct nlmsghdr h;
			char b[HOLD_MSG_PADDED_MAX];
		} padded;
		const struct nlmsghdr *m = nlh;
		struct hold_packet pkt;
		enum hold_msg_kind kind;

		if (!nlmsg_fits(nlh, left)) {
			/*
			 * nfnetlink_queue does not pad the last message of a
			 * read: a packet copy whose length is not a multiple
			 * of 4 ends it short of the aligned length, up to
			 * which libmnl walks attributes. Parse a padded copy;
			 * dropping it would keep its packet held for ever.
			 */
			if (left < sizeof(*nlh) || nlh->nlmsg_len != left ||
			    left > sizeof(padded))
				break;
			memset(&padded, 0, sizeof(padded));
			memcpy(&padded, nlh, left);
			m = &padded.h;
		}
		kind = hold_parse_msg(m, &pkt);
		if (kind == HOLD_MSG_MALFORMED)
			stats->malformed++;
		if (kind != HOLD_MSG_OTHER)
			cb(kind, &pkt, data);
		nlh = nlmsg_after(nlh, &left);
	}
	if (left > 0) {
		stats->malformed++;
		return -1;
	}
	return 0;
}

/* The held packets' marks, open addressing by id (at most max_len held). */
static struct hold_slot *slot_find(struct hold *h, uint32_t id, bool insert)
{
	for (uint32_t i = 0; i < h->nslots; i++) {
		struct hold_slot *s = &h->slots[(id + i) % h->nslots];

		if (s->used && s->id == id)
			return s;
		if (!s->used)
			return insert ? s : NULL;
	}
	return NULL;
}

static void slot_remove(struct hold *h, struct hold_slot *s)
{
	uint32_t i = (uint32_t)(s - h->slots);

	s->used = false;
	h->nheld--;
	/* Move the entries after it back, so lookups never stop early. */
	for (uint32_t j = (i + 1) % h->nslots; h->slots[j].used;
	     j = (j + 1) % h->nslots) {
		struct hold_slot moved = h->slots[j];

		h->slots[j].used = false;
		*slot_find(h, moved.id, true) = moved;
	}
}

static int send_verdict(struct hold *h, uint32_t id, int verdict,
			bool set_mark, uint32_t mark)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, h->queue_num);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	if (set_mark)
		nfq_nlmsg_verdict_put_mark(nlh, mark);
	if (mnl_socket_sendto(h->sock.nl, nlh, nlh->nlmsg_len) < 0) {
		h->stats.verdict_errors++;
		return -1;
	}
	return 0;
}

int hold_verdict(struct hold *h, uint32_t packet_id, enum hold_verdict v)
{
	struct hold_slot *s = slot_find(h, packet_id, false);
	uint32_t mark = 0;

	if (s) {
		mark = s->mark;
		slot_remove(h, s);
	} else {
		/* Not ours (or forgotten): a verdict still releases it. */
		h->stats.untracked++;
	}
	if (v == HOLD_TO_SLAVE)
		return send_verdict(h, packet_id, NF_ACCEPT, true,
				    mark ^ h->reroute_bit);
	return send_verdict(h, packet_id, NF_ACCEPT, false, 0);
}

struct read_ctx {
	struct hold *h;
	hold_cb cb;
	void *data;
};

static void on_msg(enum hold_msg_kind kind, const struct hold_packet *pkt,
		   void *data)
{
	struct read_ctx *ctx = data;
	struct hold *h = ctx->h;
	struct hold_slot *s;

	if (kind == HOLD_MSG_MALFORMED) {
		/* Fail open: what we cannot read is not ours to keep. */
		if (pkt->has_id && send_verdict(h, pkt->id, NF_ACCEPT, false, 0) == 0)
			h->stats.failopen++;
		return;
	}
	s = slot_find(h, pkt->id, true);
	if (!s) {
		/* More held than the queue's bound: cannot be; fail open. */
		h->stats.failopen++;
		send_verdict(h, pkt->id, NF_ACCEPT, false, 0);
		return;
	}
	if (!s->used)
		h->nheld++;
	*s = (struct hold_slot){ .id = pkt->id, .mark = pkt->mark, .used = true };
	h->stats.held++;
	ctx->cb(pkt->id, &pkt->dst, pkt->outdev, ctx->data);
}

void hold_read(struct hold *h, hold_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct read_ctx ctx = { h, cb, data };

	for (int i = 0; i < HOLD_READ_BATCH; i++) {
		ssize_t n = recv(hold_fd(h), buf, sizeof(buf), 0);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			/*
			 * ENOBUFS: a message was lost; with fail open the
			 * kernel accepted its packet, nothing waits on us.
			 */
			if (errno == ENOBUFS)
				continue;
			return;
		}
		hold_process(buf, (size_t)n, on_msg, &ctx, &h->stats);
	}
}

/* A config request, and its ack (queued packets before it are dropped). */
static int hold_request(struct hold *h, struct nlmsghdr *nlh)
{
	return nlsock_request(&h->sock, nlh, HOLD_ACK_TIMEOUT_MS);
}

static int hold_configure(struct hold *h, uint32_t max_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, h->queue_num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET6, NFQNL_CFG_CMD_BIND);
	if (hold_request(h, nlh) == -1) {
		if (errno == EBUSY || errno == EPERM)
			log_warnx("queue %u: bound by another process (or no "
				  "CAP_NET_ADMIN): stop the other ns-monitor, or "
				  "pick another group", h->queue_num);
		else if (errno == ENOENT || errno == EPROTONOSUPPORT ||
			 errno == EOPNOTSUPP)
			log_warnx("queue %u: NFQUEUE is not available: "
				  "modprobe nfnetlink_queue", h->queue_num);
		else
			log_warn("queue %u: bind", h->queue_num);
		return -1;
	}

	/*
	 * The length and fail open are all that bound a stopped or hung
	 * daemon: the queue's bypass only helps when nobody is bound, and
	 * the kernel queues to a listener that reads nothing until max_len
	 * packets wait; fail open then accepts the rest (the host's traffic
	 * flows, test_watchdog.sh). The kernel reports neither back (not in
	 * /proc/net/netfilter/nfnetlink_queue either): its ack, an error
	 * for a flag it lacks, is the check that both were applied.
	 */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, h->queue_num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, HOLD_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, max_len);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	if (hold_request(h, nlh) == -1) {
		log_warn("queue %u: configure (copy range, length, fail open; "
			 "a kernel older than 3.6 lacks fail open)", h->queue_num);
		return -1;
	}
	return 0;
}

int hold_open(struct hold *h, uint16_t queue_num, uint32_t max_len)
{
	int saved;

	memset(h, 0, sizeof(*h));
	h->queue_num = queue_num;
	h->reroute_bit = HOLD_REROUTE_BIT;
	if (max_len == 0)
		max_len = 1;
	h->nslots = max_len * 2;
	h->slots = calloc(h->nslots, sizeof(*h->slots));
	if (!h->slots) {
		log_warn("queue %u: %u slots", queue_num, h->nslots);
		return -1;
	}
	if (nlsock_open(&h->sock, NETLINK_NETFILTER, 0, true) == -1) {
		log_warn("queue %u: netlink socket", queue_num);
		goto out_free;
	}
	/* Our own messages are small; the kernel's copy is 64 bytes each. */
	nlsock_set_rcvbuf(&h->sock, HOLD_RCVBUF);
	if (hold_configure(h, max_len) == -1)
		goto out_close;
	return 0;

out_close:
	saved = errno;
	nlsock_close(&h->sock);
	errno = saved;
out_free:
	saved = errno;
	free(h->slots);
	h->slots = NULL;
	errno = saved;
	return -1;
}

int hold_fd(const struct hold *h)
{
	return nlsock_fd(&h->sock);
}

void hold_close(struct hold *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (h->sock.nl) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, h->queue_num);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET6, NFQNL_CFG_CMD_UNBIND);
		hold_request(h, nlh);
	}
	nlsock_close(&h->sock);
	nlsock_close(&h->nft);
	free(h->slots);
	h->slots = NULL;
}
