/* hold_parse_msg() and hold_process() over crafted NFQUEUE messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "hold.h"
#include "nftctl.h"

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

static char buf[1024];

/* A queued-packet message: id, mark, outdev, an IPv6 header to dst. */
static struct nlmsghdr *build(uint32_t id, bool with_hdr, size_t payload_len,
			      uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint8_t pkt[64] = { 0 };
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(id),
					   .hw_protocol = htons(0x86dd) };

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET6;
	nfg->res_id = htons(135);
	if (with_hdr)
		mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_u32(nlh, NFQA_MARK, htonl(0x42));
	mnl_attr_put_u32(nlh, NFQA_IFINDEX_OUTDEV, htonl(7));
	pkt[0] = (uint8_t)(version << 4);
	inet_pton(AF_INET6, "2001:db8:1::100", pkt + 24);
	mnl_attr_put(nlh, NFQA_PAYLOAD, payload_len, pkt);
	return nlh;
}

static void parses_a_packet(void **state)
{
	struct hold_packet p;
	struct in6_addr want;

	(void)state;
	inet_pton(AF_INET6, "2001:db8:1::100", &want);
	assert_int_equal(hold_parse_msg(build(9, true, 40, 6), &p), HOLD_MSG_PACKET);
	assert_int_equal(p.queue_num, 135);
	assert_true(p.has_id);
	assert_int_equal(p.id, 9);
	assert_int_equal(p.mark, 0x42);
	assert_int_equal(p.outdev, 7);
	assert_memory_equal(&p.dst, &want, sizeof(want));
}

static void short_payload_is_malformed_but_releasable(void **state)
{
	struct hold_packet p;

	(void)state;
	assert_int_equal(hold_parse_msg(build(3, true, 39, 6), &p), HOLD_MSG_MALFORMED);
	assert_true(p.has_id);
	assert_int_equal(p.id, 3);
	assert_int_equal(hold_parse_msg(build(4, true, 40, 4), &p), HOLD_MSG_MALFORMED);
	assert_true(p.has_id);
}

static void no_packet_header_cannot_be_released(void **state)
{
	struct hold_packet p;

	(void)state;
	assert_int_equal(hold_parse_msg(build(3, false, 40, 6), &p), HOLD_MSG_MALFORMED);
	assert_false(p.has_id);
}

static void other_messages_are_ignored(void **state)
{
	struct nlmsghdr *nlh = build(1, true, 40, 6);
	struct hold_packet p;

	(void)state;
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(hold_parse_msg(nlh, &p), HOLD_MSG_OTHER);
}

static unsigned int seen;
static void count_cb(enum hold_msg_kind kind, const struct hold_packet *p, void *data)
{
	(void)p;
	(void)data;
	if (kind == HOLD_MSG_PACKET)
		seen++;
}

static void truncated_tail_is_counted(void **state)
{
	struct nlmsghdr *nlh = build(1, true, 40, 6);
	struct hold_stats st = { 0 };

	(void)state;
	seen = 0;
	assert_int_equal(hold_process(buf, nlh->nlmsg_len, count_cb, NULL, &st), 0);
	assert_int_equal(seen, 1);
	assert_int_equal(hold_process(buf, nlh->nlmsg_len - 8, count_cb, NULL, &st), -1);
	assert_int_equal(seen, 1);
	assert_int_equal(st.malformed, 1);
}

/*
 * The kernel does not pad a read's last message: a 49-byte packet copy ends
 * it 3 bytes short of its aligned length. It is a packet all the same (else
 * it would stay held, never released).
 */
static void unpadded_last_message_is_a_packet(void **state)
{
	struct nlmsghdr *nlh = build(5, true, 49, 6);
	struct hold_stats st = { 0 };
	char *copy;
	size_t len;

	(void)state;
	nlh->nlmsg_len -= 3;
	len = nlh->nlmsg_len;
	copy = malloc(len);	/* exactly: ASan sees any read past it */
	assert_non_null(copy);
	memcpy(copy, buf, len);
	seen = 0;
	assert_int_equal(hold_process(copy, len, count_cb, NULL, &st), 0);
	assert_int_equal(seen, 1);
	assert_int_equal(st.malformed, 0);
	free(copy);
}

static void queue_rule_text(void **state)
{
	char out[2048];
	int n = nftctl_queue_commands(out, sizeof(out), 135, true);

	(void)state;
	assert_true(n > 0);
	assert_non_null(strstr(out, "add set inet ns_monitor located_135 { type ipv6_addr; flags timeout; }"));
	assert_non_null(strstr(out, "add rule inet ns_monitor hold_queue_135 queue num 135 bypass\n"));
	/* The host's own packets, in a route chain. */
	assert_non_null(strstr(out, "hold_135 { type filter hook output"));
	assert_non_null(strstr(out, "hold_135 oifname @masters_135 ip6 daddr @onlink_135 "));
	/* Only the masters' on-link prefixes; never ND itself. */
	assert_non_null(strstr(out, "add set inet ns_monitor onlink_135 { type ipv6_addr; flags interval; }"));
	assert_non_null(strstr(out, "hold_135 icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } return\n"));
	assert_true(strstr(out, "hold_135 icmpv6 type") <
		    strstr(out, "hold_135 oifname"));
	/* Forwarded ones, before the routing decision. */
	assert_non_null(strstr(out, "hold_fwd_135 { type filter hook prerouting"));
	assert_non_null(strstr(out, "hold_fwd_135 icmpv6 type {"));
	assert_non_null(strstr(out, "hold_fwd_135 iifname @slaves_135 ip6 daddr @onlink_135 fib daddr type != local "));
	assert_non_null(strstr(out, "@nh,192,128 @targets_135 ip6 daddr != @located_135 counter goto hold_queue_135\n"));
	/* hold_queue_G exists before the rules that go to it. */
	assert_true(strstr(out, "add chain inet ns_monitor hold_queue_135") <
		    strstr(out, "goto hold_queue_135"));
	assert_int_equal(nftctl_queue_commands(out, 40, 135, true), -1);
	/* Without the verdict (the xtables fallback adds it). */
	assert_true(nftctl_queue_commands(out, sizeof(out), 135, false) > 0);
	assert_null(strstr(out, "queue num"));
	assert_non_null(strstr(out, "goto hold_queue_135"));
}

/* onlink_G's contents: the union of the masters' on-link prefixes. */
static void onlink_commands(void **state)
{
	struct engine_route v[4] = {
		{ .len = 64, .ifindex = 2, .onlink = true },
		{ .len = 80, .ifindex = 2, .onlink = true },	/* inside the /64 */
		{ .len = 64, .ifindex = 3, .onlink = true },	/* the same again */
		{ .len = 48, .ifindex = 2, .onlink = true },
	};
	char out[512];

	(void)state;
	inet_pton(AF_INET6, "2001:db8:1::", &v[0].dst);
	inet_pton(AF_INET6, "2001:db8:1:0:d0c::", &v[1].dst);
	inet_pton(AF_INET6, "2001:db8:1::", &v[2].dst);
	inet_pton(AF_INET6, "2001:db8:2::", &v[3].dst);
	assert_true(nftctl_onlink_commands(out, sizeof(out), 135, v, 4) > 0);
	assert_string_equal(out,
		"flush set inet ns_monitor onlink_135\n"
		"add element inet ns_monitor onlink_135 { 2001:db8:1::/64, 2001:db8:2::/48 }\n");
	/* None: the set is emptied. */
	assert_true(nftctl_onlink_commands(out, sizeof(out), 7, v, 0) > 0);
	assert_string_equal(out, "flush set inet ns_monitor onlink_7\n");
	assert_int_equal(nftctl_onlink_commands(out, 30, 135, v, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_packet),
		cmocka_unit_test(short_payload_is_malformed_but_releasable),
		cmocka_unit_test(no_packet_header_cannot_be_released),
		cmocka_unit_test(other_messages_are_ignored),
		cmocka_unit_test(truncated_tail_is_counted),
		cmocka_unit_test(unpadded_last_message_is_a_packet),
		cmocka_unit_test(queue_rule_text),
		cmocka_unit_test(onlink_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
