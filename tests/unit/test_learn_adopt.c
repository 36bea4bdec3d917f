/*
 * Unit tests for the adoption rule (engine_adopt_neighbor(), fed by
 * intake_kernel_adopt_neighbor() with the kernel's entries): which
 * neighbor entries the kernel holds at start have their slave asked, as
 * a guest's sign has. A real engine, with a fake egress that records the
 * routes it adds and the notices it gives, and its per-slave count of
 * signs taken, says which slave was asked. None is routed on the entry's
 * word (a guest makes one for any address with a single NS).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <linux/neighbour.h>

#include "engine.h"
#include "engine_rig.h"
#include "intake_kernel.h"

#define OTHER 200u		/* an interface of no group */

struct fake {
	unsigned int routes;		/* route_add calls */
	unsigned int ambiguous;		/* ENGINE_ADOPT_AMBIGUOUS notices */
};

struct rig {
	struct fake f;
	struct engine *e;
	struct intake_kernel k;
};

static void fk_ask(void *ctx, uint16_t group, unsigned int slave,
		   const struct in6_addr *t)
{
	(void)ctx;
	(void)group;
	(void)slave;
	(void)t;
}

static void fk_confirm(void *ctx, uint16_t group, unsigned int slave,
		       const struct in6_addr *t, const uint8_t *mac)
{
	(void)mac;
	fk_ask(ctx, group, slave, t);
}

static void fk_route_add(void *ctx, uint16_t group, const struct in6_addr *t,
			 unsigned int slave, const uint8_t *mac)
{
	struct fake *f = ctx;

	(void)t;
	(void)slave;
	(void)mac;
	assert_int_equal(group, GROUP);
	f->routes++;
}

static void fk_notice(void *ctx, const struct engine_notice *n)
{
	struct fake *f = ctx;

	if (n->kind == ENGINE_ADOPT_AMBIGUOUS) {
		assert_int_equal(n->group, GROUP);
		f->ambiguous++;
	}
}

/*
 * GROUP with master MASTER (the host's 2001:db8::1/64 on it) and slaves
 * SLAVE1, SLAVE2.
 */
static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct engine_egress eg = {
		.ask = fk_ask, .confirm = fk_confirm,
		.route_add = fk_route_add, .route_move = fk_route_move,
		.route_del = fk_route_none, .proxy_add = fk_proxy,
		.proxy_del = fk_proxy, .notice = fk_notice,
	};
	struct engine_options o;

	assert_non_null(r);
	engine_options_default(&o);
	o.learn_routes = true;
	eg.ctx = &r->f;
	r->e = rig_engine(&o, &eg);
	r->k.engine = r->e;
	return r;
}

static void rig_free(struct rig *r)
{
	engine_free(r->e);
	free(r);
}

static struct rtnl_entry entry(struct in6_addr t, unsigned int ifindex,
			       uint16_t state)
{
	struct rtnl_entry e = { t, ifindex, state };

	return e;
}

static uint64_t signs_taken(struct rig *r, unsigned int slave)
{
	struct engine_slave_signs sg;

	assert_int_equal(engine_slave_signs(r->e, GROUP, slave, &sg), 0);
	return sg.taken;
}

/* Hand one target's entries to the rule: the slave it asks, or 0. */
static unsigned int adopt(struct rig *r, const struct rtnl_entry *e, size_t n)
{
	uint64_t one = signs_taken(r, SLAVE1), two = signs_taken(r, SLAVE2);
	unsigned int asked = 0;

	intake_kernel_adopt_neighbor(&r->k, e, n, T0);
	if (signs_taken(r, SLAVE1) > one)
		asked = SLAVE1;
	if (signs_taken(r, SLAVE2) > two) {
		assert_int_equal(asked, 0);	/* never both */
		asked = SLAVE2;
	}
	return asked;
}

/* A usable entry on one slave: that slave asked, nothing routed yet. */
static void test_one_slave_adopted(void **state)
{
	static const uint16_t usable[] = { NUD_REACHABLE, NUD_STALE,
					   NUD_DELAY, NUD_PROBE };
	struct rig *r = rig_new();

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		struct rtnl_entry e = entry(addr((uint8_t)(0x10 + i)), SLAVE2,
					    usable[i]);

		assert_int_equal(adopt(r, &e, 1), SLAVE2);
	}
	assert_int_equal(r->f.routes, 0);
	assert_int_equal(engine_counters(r->e)->adopted, 0);
	rig_free(r);
}

/* Entries that say nothing of where it is now: not adopted. */
static void test_unusable_states(void **state)
{
	static const uint16_t unusable[] = { NUD_INCOMPLETE, NUD_FAILED,
					     NUD_NOARP, NUD_PERMANENT, NUD_NONE };
	struct rig *r = rig_new();

	(void)state;
	for (unsigned int i = 0; i < 5; i++) {
		struct rtnl_entry e = entry(addr(0x20), SLAVE1, unusable[i]);

		assert_int_equal(adopt(r, &e, 1), 0);
	}
	assert_int_equal(r->f.routes, 0);
	rig_free(r);
}

/* Usable behind two slaves: which one is right is for a resolution. */
static void test_two_slaves_not_adopted(void **state)
{
	struct rig *r = rig_new();
	struct rtnl_entry e[2] = { entry(addr(0x30), SLAVE1, NUD_STALE),
				   entry(addr(0x30), SLAVE2, NUD_REACHABLE) };
	struct rtnl_entry one[3] = { entry(addr(0x31), SLAVE1, NUD_FAILED),
				     entry(addr(0x31), SLAVE2, NUD_STALE),
				     entry(addr(0x31), SLAVE2, NUD_REACHABLE) };

	(void)state;
	assert_int_equal(adopt(r, e, 2), 0);
	assert_int_equal(r->f.ambiguous, 1);
	/* A failed entry elsewhere does not count; two on one slave do not either. */
	assert_int_equal(adopt(r, one, 3), SLAVE2);
	assert_int_equal(r->f.routes, 0);
	rig_free(r);
}

/* Only slaves of the group count: not a master (a mesh), not an outsider. */
static void test_slaves_only(void **state)
{
	struct rig *r = rig_new();
	struct rtnl_entry master = entry(addr(0x40), MASTER, NUD_REACHABLE);
	struct rtnl_entry other = entry(addr(0x41), OTHER, NUD_REACHABLE);
	struct rtnl_entry both[2] = { entry(addr(0x42), MASTER, NUD_REACHABLE),
				      entry(addr(0x42), SLAVE1, NUD_STALE) };

	(void)state;
	assert_int_equal(adopt(r, &master, 1), 0);
	assert_int_equal(adopt(r, &other, 1), 0);
	/* The master's entry neither counts as a second slave nor blocks. */
	assert_int_equal(adopt(r, both, 2), SLAVE1);
	/* An interface that is master and slave at once: its entry is skipped. */
	assert_int_equal(engine_slave(r->e, GROUP, MASTER, "m0", true, T0), 0);
	master = entry(addr(0x43), MASTER, NUD_REACHABLE);
	assert_int_equal(adopt(r, &master, 1), 0);
	assert_int_equal(engine_counters(r->e)->guests, 1);
	rig_free(r);
}

/* Only global addresses of others inside our prefixes. */
static void test_eligible_targets(void **state)
{
	struct rig *r = rig_new();
	struct in6_addr ll = addr(0x50), mc = addr(0x50), off = addr(0x50);
	struct in6_addr mapped, in_t = addr(0x50);
	struct engine_prefix targets[1];
	struct rtnl_entry e;

	(void)state;
	ll.s6_addr[0] = 0xfe;
	ll.s6_addr[1] = 0x80;
	ll.s6_addr[2] = ll.s6_addr[3] = 0;
	mc.s6_addr[0] = 0xff;
	off.s6_addr[4] = 0x99;			/* 2001:db8:9900::50 */
	memset(&mapped, 0, sizeof(mapped));
	mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
	mapped.s6_addr[12] = 192;
	mapped.s6_addr[15] = 1;

	e = entry(ll, SLAVE1, NUD_REACHABLE);
	assert_int_equal(adopt(r, &e, 1), 0);
	e = entry(mc, SLAVE1, NUD_REACHABLE);
	assert_int_equal(adopt(r, &e, 1), 0);
	e = entry(mapped, SLAVE1, NUD_REACHABLE);
	assert_int_equal(adopt(r, &e, 1), 0);
	e = entry(addr(1), SLAVE1, NUD_REACHABLE);	/* the host's own */
	assert_int_equal(adopt(r, &e, 1), 0);
	e = entry(off, SLAVE1, NUD_REACHABLE);	/* not on-link on a master */
	assert_int_equal(adopt(r, &e, 1), 0);
	assert_int_equal(r->f.routes, 0);

	/* ...unless inside a -t prefix. */
	memset(targets, 0, sizeof(targets));
	in_t.s6_addr[4] = 0x99;
	in_t.s6_addr[15] = 0;
	targets[0].addr = in_t;
	targets[0].len = 48;
	assert_int_equal(engine_targets(r->e, targets, 1), 0);
	assert_int_equal(adopt(r, &e, 1), SLAVE1);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_slave_adopted),
		cmocka_unit_test(test_unusable_states),
		cmocka_unit_test(test_two_slaves_not_adopted),
		cmocka_unit_test(test_slaves_only),
		cmocka_unit_test(test_eligible_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
