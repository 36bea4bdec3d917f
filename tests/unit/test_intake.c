/*
 * Unit tests for intake_packet(): crafted NFLOG packets in, what the
 * intake counts and what it hands the engine (a real engine with a fake
 * egress that records its asks) out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_rig.h"
#include "intake.h"
#include "nftctl.h"

struct fake {
	unsigned int asks;
	unsigned int asked[2];	/* per slave */
	unsigned int masters;	/* a guest's claim is checked there too */
	struct in6_addr last;	/* the last target asked */
};

struct rig {
	struct fake f;
	struct engine *e;
	struct config cfg;
	struct intake_group g;
	struct intake in;
};

static void fk_ask(void *ctx, uint16_t group, unsigned int slave,
		   const struct in6_addr *t)
{
	struct fake *f = ctx;

	assert_int_equal(group, GROUP);
	if (slave == MASTER) {
		f->masters++;
		return;
	}
	assert_true(slave == SLAVE1 || slave == SLAVE2);
	f->asks++;
	f->asked[slave - SLAVE1]++;
	f->last = *t;
}

static void fk_confirm(void *ctx, uint16_t group, unsigned int slave,
		       const struct in6_addr *t, const uint8_t *mac)
{
	(void)ctx;
	(void)group;
	(void)slave;
	(void)t;
	(void)mac;
}

static void fk_notice(void *ctx, const struct engine_notice *n)
{
	(void)ctx;
	(void)n;
}

/*
 * An engine on GROUP: master MASTER, slaves SLAVE1 and SLAVE2; learn: with
 * --learn-routes and --proxy-ndp.
 */
static struct rig *rig_new(bool learn)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct engine_egress eg = {
		.ask = fk_ask, .confirm = fk_confirm,
		.route_add = fk_route_add_none, .route_move = fk_route_move,
		.route_del = fk_route_none, .proxy_add = fk_proxy,
		.proxy_del = fk_proxy, .notice = fk_notice,
	};
	struct engine_options o;

	assert_non_null(r);
	engine_options_default(&o);
	o.learn_routes = learn;
	o.proxy_ndp = learn;
	eg.ctx = &r->f;
	r->e = rig_engine(&o, &eg);
	r->g.num = GROUP;
	r->in.cfg = &r->cfg;
	r->in.engine = r->e;
	r->in.groups = &r->g;
	r->in.ngroups = 1;
	return r;
}

static void rig_free(struct rig *r)
{
	engine_free(r->e);
	free(r);
}

/*
 * A Neighbor Solicitation as the kernel logs it (network header on): from
 * src (NULL: ::, a DAD probe) to target's solicited-node group, with a
 * source link-layer option unless DAD.
 */
static size_t ns_packet(uint8_t *buf, const struct in6_addr *src,
			const struct in6_addr *target, uint8_t hop_limit)
{
	size_t icmp_len = 24 + (src ? 8 : 0);

	memset(buf, 0, 40 + icmp_len);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(icmp_len >> 8);
	buf[5] = (uint8_t)icmp_len;
	buf[6] = 58;			/* ICMPv6 */
	buf[7] = hop_limit;
	if (src)
		memcpy(buf + 8, src, 16);
	buf[24] = 0xff;			/* ff02::1:ffXX:XXXX */
	buf[25] = 0x02;
	buf[35] = 0x01;
	buf[36] = 0xff;
	memcpy(buf + 37, target->s6_addr + 13, 3);
	buf[40] = 135;			/* type NS, code 0 */
	memcpy(buf + 48, target, 16);
	if (src) {
		buf[64] = 1;		/* source link-layer address */
		buf[65] = 1;
		memcpy(buf + 66, "\x02\x00\x00\x00\x00\x01", 6);
	}
	return 40 + icmp_len;
}

static struct nflog_packet packet(const uint8_t *buf, size_t len,
				  uint32_t outdev, uint32_t indev)
{
	struct nflog_packet p;

	memset(&p, 0, sizeof(p));
	p.group = GROUP;
	p.outdev = outdev;
	p.indev = indev;
	p.payload = buf;
	p.payload_len = len;
	return p;
}

/* The host's NS on a master: counted valid, every slave asked for it. */
static void test_host_ns_asks_slaves(void **state)
{
	struct rig *r = rig_new(false);
	struct in6_addr src = addr(1), t = addr(0x42);
	uint8_t buf[128];
	struct nflog_packet p = packet(buf, ns_packet(buf, &src, &t, 255),
				       MASTER, 0);

	(void)state;
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.ns_valid, 1);
	assert_int_equal(r->in.c.ns_not_ours, 0);
	assert_int_equal(engine_counters(r->e)->ns, 1);
	assert_int_equal(r->f.asked[0], 1);
	assert_int_equal(r->f.asked[1], 1);
	assert_memory_equal(&r->f.last, &t, sizeof(t));
	/* The kernel's second NS for it, a second later: nothing new. */
	intake_packet(&r->in, &p, T0 + SEC);
	assert_int_equal(r->g.ns_valid, 2);
	assert_int_equal(engine_counters(r->e)->ns_free, 1);
	assert_int_equal(r->f.asks, 2);
	rig_free(r);
}

/* Not one of our groups, no payload, no device: not ours, nothing handed. */
static void test_not_ours(void **state)
{
	struct rig *r = rig_new(false);
	struct in6_addr src = addr(1), t = addr(0x42);
	uint8_t buf[128];
	size_t len = ns_packet(buf, &src, &t, 255);
	struct nflog_packet p = packet(buf, len, MASTER, 0);

	(void)state;
	p.group = GROUP + 1;
	intake_packet(&r->in, &p, T0);
	p = packet(NULL, 0, MASTER, 0);
	intake_packet(&r->in, &p, T0);
	p = packet(buf, len, 0, 0);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->in.c.ns_not_ours, 3);
	assert_int_equal(r->g.ns_valid, 0);
	assert_int_equal(engine_counters(r->e)->ns, 0);
	assert_int_equal(r->f.asks, 0);
	rig_free(r);
}

/* What the parser rejects is counted by reason and never reaches the engine. */
static void test_rejected_by_reason(void **state)
{
	struct rig *r = rig_new(false);
	struct in6_addr src = addr(1), t = addr(0x42), ll = addr(0x42);
	uint8_t buf[128];
	struct nflog_packet p = packet(buf, ns_packet(buf, &src, &t, 64),
				       MASTER, 0);

	(void)state;
	intake_packet(&r->in, &p, T0);		/* hop limit 64: forged */
	assert_int_equal(r->g.ns_ignored[NS_HOP_LIMIT], 1);
	p = packet(buf, 30, MASTER, 0);		/* truncated */
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.ns_ignored[NS_SHORT], 1);
	ll.s6_addr[0] = 0xfe;			/* fe80::42: link-local target */
	ll.s6_addr[1] = 0x80;
	ll.s6_addr[2] = ll.s6_addr[3] = 0;
	p = packet(buf, ns_packet(buf, &src, &ll, 255), MASTER, 0);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.ns_ignored[NS_TARGET_LINKLOCAL], 1);
	assert_int_equal(r->g.ns_valid, 0);
	assert_int_equal(engine_counters(r->e)->ns, 0);
	assert_int_equal(r->f.asks, 0);
	/* --link-local takes it. */
	r->cfg.link_local = true;
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.ns_valid, 1);
	assert_int_equal(engine_counters(r->e)->ns, 1);
	assert_int_equal(r->f.asks, 2);
	rig_free(r);
}

/* A gap in the group's sequence numbers is counted as lost messages. */
static void test_sequence_gap(void **state)
{
	struct rig *r = rig_new(false);
	struct in6_addr src = addr(1), t = addr(0x42);
	uint8_t buf[128];
	struct nflog_packet p = packet(buf, ns_packet(buf, &src, &t, 255),
				       MASTER, 0);

	(void)state;
	p.has_seq = true;
	p.seq = 0;
	intake_packet(&r->in, &p, T0);
	p.seq = 4;				/* 1, 2 and 3 lost */
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->in.c.nflog_lost, 3);
	assert_int_equal(r->g.next_seq, 5);
	assert_int_equal(r->g.ns_valid, 2);
	rig_free(r);
}

/*
 * The upstream's NS (arrived on a master): handed on as eligible only
 * with --proxy-ndp and for a target inside the master's on-link prefix.
 */
static void test_upstream_ns(void **state)
{
	struct rig *r = rig_new(true);
	struct in6_addr up = addr(0xfe), t = addr(0x42), far = addr(0x42);
	uint8_t buf[128];
	struct nflog_packet p = packet(buf, ns_packet(buf, &up, &t, 255),
				       0, MASTER);

	(void)state;
	intake_packet(&r->in, &p, T0);		/* no --proxy-ndp */
	assert_int_equal(r->g.upstream_ignored, 1);
	assert_int_equal(r->g.upstream_relayed, 0);
	assert_int_equal(engine_counters(r->e)->ns_upstream_ignored, 1);
	assert_int_equal(r->f.asks, 0);

	r->cfg.proxy_ndp = true;
	far.s6_addr[4] = 0x99;			/* 2001:db8:9900::42: off-link */
	p = packet(buf, ns_packet(buf, &up, &far, 255), 0, MASTER);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.upstream_ignored, 2);
	t = addr(1);				/* the host's own address */
	p = packet(buf, ns_packet(buf, &up, &t, 255), 0, MASTER);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.upstream_ignored, 3);
	assert_int_equal(r->f.asks, 0);

	t = addr(0x42);
	p = packet(buf, ns_packet(buf, &up, &t, 255), 0, MASTER);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.upstream_relayed, 1);
	assert_int_equal(r->g.ns_valid, 4);
	assert_int_equal(engine_counters(r->e)->ns_upstream_ignored, 3);
	assert_int_equal(r->f.asked[0], 1);
	assert_int_equal(r->f.asked[1], 1);
	rig_free(r);
}

/* A guest's DAD NS logged on its slave: a sign, its slave asked later. */
static void test_guest_sign(void **state)
{
	struct rig *r = rig_new(true);
	struct in6_addr t = addr(0x77);
	uint8_t buf[128];
	struct nflog_packet p = packet(buf, ns_packet(buf, NULL, &t, 255),
				       0, SLAVE2);

	(void)state;
	p.prefix = NFT_GUEST_PREFIX;
	p.prefix_len = strlen(NFT_GUEST_PREFIX);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.guest_signs, 1);
	assert_int_equal(r->g.ns_valid, 0);
	assert_int_equal(engine_counters(r->e)->guests, 1);
	/* Its DAD ends before its slave, and only its slave, is asked. */
	assert_int_equal(r->f.asks, 0);
	for (uint64_t now = T0; now <= T0 + 2 * SEC; now += SEC / 100)
		engine_tick(r->e, now);
	assert_int_equal(r->f.asked[0], 0);
	assert_true(r->f.asked[1] >= 1);
	assert_memory_equal(&r->f.last, &t, sizeof(t));

	/* No device it came in on, or no sign in it: ignored. */
	p.indev = 0;
	p.outdev = MASTER;
	intake_packet(&r->in, &p, T0);
	p = packet(buf, 20, 0, SLAVE2);
	p.prefix = NFT_GUEST_PREFIX;
	p.prefix_len = strlen(NFT_GUEST_PREFIX);
	intake_packet(&r->in, &p, T0);
	assert_int_equal(r->g.guest_ignored, 2);
	assert_int_equal(engine_counters(r->e)->guests, 1);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_ns_asks_slaves),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_rejected_by_reason),
		cmocka_unit_test(test_sequence_gap),
		cmocka_unit_test(test_upstream_ns),
		cmocka_unit_test(test_guest_sign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
