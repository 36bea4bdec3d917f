/*
 * libFuzzer target for the netlink intake: nflog_process() (and through it
 * nflog_parse_msg() and libnetfilter_log's nflog_nlmsg_parse()) and
 * nftwatch_classify(), over one receive buffer. nftwatch_classify() reads
 * only the table name, with libmnl's attribute walk: not through libnftnl's
 * *_nlmsg_parse(), which exit() on an attribute of an unexpected size and
 * trust names to end in a NUL (both found here, see src/nftwatch.c).
 *
 * The first input byte picks how the rest becomes that buffer:
 *   mode 0  the rest is the receive buffer as it is (any number of
 *           messages, any header values);
 *   mode 1  a valid NFLOG packet message header (nlmsghdr with type
 *           (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, nlmsg_len the
 *           whole buffer, and an nfgenmsg), the rest its attribute bytes;
 *   mode 2  a valid nf_tables event header: the next byte is the
 *           NFT_MSG_* type, the one after the nfgenmsg family, the rest
 *           attribute bytes.
 * Modes 1 and 2 let the fuzzer spend its time in attribute parsing rather
 * than in rediscovering message headers.
 *
 * The buffer is an exact-size, suitably aligned heap copy, so ASan sees any
 * read past its end from instrumented code or from an intercepted libc call
 * (libmnl, libnetfilter_log and libnftnl themselves are not instrumented).
 * The packet callback reads every payload byte and checks the payload lies
 * inside the buffer.
 *
 * Build: tests/fuzz/run.sh, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude $(pkg-config --cflags libmnl libnetfilter_log libnftnl) \
 *     tests/fuzz/fuzz_nflog.c src/nflog.c src/nftwatch.c src/nlsock.c \
 *     src/ifname.c src/ifspec.c src/binding.c src/metrics.c \
 *     $(pkg-config --libs libmnl libnetfilter_log libnftnl) -o build/fuzz/fuzz_nflog
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnetfilter_log/linux_nfnetlink_log.h>

#include "fuzz_check.h"
#include "nflog.h"
#include "nlmsg.h"
#include "nftwatch.h"

#define PACKET_TYPE ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)
#define HDR_LEN (MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))

enum { MODE_RAW, MODE_NFLOG, MODE_NFT, MODE_COUNT };

struct ctx {
	const uint8_t *buf;
	size_t len;
	unsigned long packets;
};

static volatile uint8_t sink;

static void on_packet(const struct nflog_packet *pkt, void *data)
{
	struct ctx *c = data;
	uint8_t acc = 0;

	c->packets++;
	if (!pkt->payload) {
		CHECK(pkt->payload_len == 0);
		return;
	}
	/* Inside the buffer, end included; compare offsets, not pointers. */
	CHECK(pkt->payload >= c->buf);
	CHECK((size_t)(pkt->payload - c->buf) <= c->len);
	CHECK(pkt->payload_len <= c->len - (size_t)(pkt->payload - c->buf));
	/* Every byte, so ASan flags any that is not ours to read. */
	for (size_t i = 0; i < pkt->payload_len; i++)
		acc ^= pkt->payload[i];
	sink = acc;
}

/* nlmsghdr + nfgenmsg of `type` and `family`, then `size` attribute bytes. */
static uint8_t *build_msg(uint16_t type, uint8_t family, const uint8_t *attrs,
			  size_t size, size_t *len)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint8_t *buf;

	*len = HDR_LEN + size;
	buf = malloc(*len);
	if (!buf)
		return NULL;
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)*len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = 0;
	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	nfg = (struct nfgenmsg *)(buf + MNL_NLMSG_HDRLEN);
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(135);
	memcpy(buf + HDR_LEN, attrs, size);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nflog_batch_stats stats = { 0, 0 };
	struct ctx c = { NULL, 0, 0 };
	const struct nlmsghdr *nlh;
	unsigned long msgs = 0;
	uint8_t *buf;
	size_t len;
	size_t left;
	int rc;

	if (size < 1)
		return 0;
	switch (data[0] % MODE_COUNT) {
	case MODE_RAW:
		/* malloc's alignment is what a netlink buffer needs. */
		len = size - 1;
		buf = malloc(len ? len : 1);
		if (buf && len)
			memcpy(buf, data + 1, len);
		break;
	case MODE_NFLOG:
		buf = build_msg(PACKET_TYPE, AF_INET6, data + 1, size - 1, &len);
		break;
	default:
		if (size < 3)
			return 0;
		buf = build_msg((NFNL_SUBSYS_NFTABLES << 8) | (data[1] % NFT_MSG_MAX),
				data[2], data + 3, size - 3, &len);
		break;
	}
	if (!buf)
		return 0;
	c.buf = buf;
	c.len = len;

	rc = nflog_process(buf, len, on_packet, &c, &stats);
	CHECK(rc == 0 || rc == -1);
	CHECK(stats.packets == c.packets);

	left = len;
	/* The daemon's own walk: nftwatch_classify() relies on it. */
	for (nlh = (const struct nlmsghdr *)buf; nlmsg_fits(nlh, left);
	     nlh = nlmsg_after(nlh, &left)) {
		enum nftwatch_event ev = nftwatch_classify(nlh);

		CHECK(ev == NFTWATCH_OTHER || ev == NFTWATCH_OURS ||
		      ev == NFTWATCH_COMMIT);
		msgs++;
	}
	/* One callback at most per message; one malformed count more at most. */
	CHECK(stats.packets <= msgs);
	CHECK(stats.packets + stats.malformed <= msgs + 1);
	/* A tail no message fits in is reported. */
	if (left > 0)
		CHECK(rc == -1);

	free(buf);
	return 0;
}
