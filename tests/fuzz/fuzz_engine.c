/*
 * libFuzzer target for the resolution engine: the input is a program of
 * events (the host's NS, the upstream's, guests' signs and NS, answers
 * from slaves and masters, neighbor events, held packets, masters'
 * checks answered in any order, interfaces, routes, bindings and host
 * addresses coming and going, time passing) over a small world: one
 * group, two masters, three slaves, sixteen addresses. The egress is a
 * model of the kernel that checks, at every action and after every
 * event, what the engine promises:
 *
 *  - its routes and proxy entries are consistent: a route is added only
 *    where there is none, moved or removed only from where it is; what
 *    it says it learned is exactly what it routed, and proxied on every
 *    master but the one it lives on;
 *  - a slave is never given an address of the host, one out of scope,
 *    or one the bindings put elsewhere;
 *  - every held packet is released exactly once, rerouted only when its
 *    target has a route, never later than the tick ENGINE_HOLD_MAX_MS
 *    after it was held, and all of them by the end;
 *  - the daemon answers no DAD NS, no guest for an address behind its
 *    own slave, and the upstream only while forwarding;
 *  - a check of the masters is asked with masters of the group, once per
 *    number, and the engine never spins: after a tick, its next deadline
 *    is later than now;
 *  - the gauges stay within the options' bounds, and nothing leaks.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz_check.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (1000 * SEC)
#define GROUP 135
#define NT 16			/* addresses */
#define NM 2			/* masters */
#define NS 3			/* slaves */
#define OTHER_IF 99u		/* neither: an interface of no group */
#define MAX_PKTS 256
#define MAX_CHECKS 512

static const unsigned int master_if[NM] = { 10, 11 };
static const unsigned int slave_if[NS] = { 101, 102, 103 };
static const char *const slave_name[NS] = { "s1", "s2", "tap3" };

struct check {
	uint32_t id;
	int t;
	unsigned int masters[NM];
	size_t n;
};

struct world {
	struct engine *e;
	uint64_t now;
	struct engine_options o;
	struct in6_addr addr[NT];
	unsigned int route[NT];		/* the slave it is routed to, 0 */
	/*
	 * An earlier run's route (engine_adopt, routed): in the kernel, not
	 * learned yet; and how many such adoptions were asked per slave,
	 * each of which may remove its route when refused.
	 */
	unsigned int leftover[NT];
	unsigned int adopting[NT][NS];
	/* A route deleted from outside (engine_route_gone): removing it again
	 * matches nothing, and the egress ignores that. */
	unsigned int gone[NT];
	bool proxy[NT][NM];
	bool local[NT];
	bool master_on[NM], slave_on[NS];
	bool fwd[NM], fwd_all;
	bool usable_on_master[NT][NM];	/* what a check finds */
	bool onlink_route;		/* 2001:db8::/64 on master 0 */
	/* bindings: targets [lo, hi] to slave bind_slave (name or "s*") */
	bool bound;
	int bind_lo, bind_hi, bind_slave;
	bool bind_prefix;
	/* packets: 0 never held, 1 held, 2 released */
	uint8_t pkt[MAX_PKTS];
	int pkt_target[MAX_PKTS];
	uint64_t pkt_at[MAX_PKTS];	/* held then */
	uint32_t npkts;
	struct check checks[MAX_CHECKS];
	size_t nchecks;
	bool refuse_checks;		/* check_masters answers -1 */
	bool in_engine;
};

static struct world W;

/* FUZZ_ENGINE_TRACE=1: every event and action on stderr (an input's story). */
static int trace = -1;
#define TR(...)								\
	do {								\
		if (trace)						\
			fprintf(stderr, __VA_ARGS__);			\
	} while (0)

/* The input, read a byte at a time; 0 once it is used up. */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t next(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static int index_of(const struct in6_addr *a)
{
	for (int t = 0; t < NT; t++)
		if (memcmp(&W.addr[t], a, sizeof(*a)) == 0)
			return t;
	return -1;
}

static int slave_pos(unsigned int ifindex)
{
	for (int s = 0; s < NS; s++)
		if (slave_if[s] == ifindex)
			return s;
	return -1;
}

static int master_pos(unsigned int ifindex)
{
	for (int m = 0; m < NM; m++)
		if (master_if[m] == ifindex)
			return m;
	return -1;
}

/*
 * t 0..9: 2001:db8::1 (the host's) to ::a, and 10: 2001:db8::ff:1, all
 * in the master's 2001:db8::/64; 11: 2001:db8:1::5 (a -t prefix of its
 * own); then fe80::5, ff02::1:ff00:5, :: and ::ffff:192.0.2.1, which no
 * slave may ever have.
 */
static void make_addrs(void)
{
	for (int t = 0; t < NT; t++) {
		struct in6_addr *a = &W.addr[t];
		unsigned int g[8] = { 0 };

		switch (t) {
		case 10: g[0] = 0x2001; g[1] = 0xdb8; g[6] = 0xff; g[7] = 1; break;
		case 11: g[0] = 0x2001; g[1] = 0xdb8; g[2] = 1; g[7] = 5; break;
		case 12: g[0] = 0xfe80; g[7] = 5; break;
		case 13: g[0] = 0xff02; g[5] = 1; g[6] = 0xff00; g[7] = 5; break;
		case 14: break;
		case 15: g[5] = 0xffff; g[6] = 0xc000; g[7] = 0x0201; break;
		default: g[0] = 0x2001; g[1] = 0xdb8; g[7] = (unsigned int)t + 1;
		}
		for (int k = 0; k < 8; k++) {
			a->s6_addr[2 * k] = (uint8_t)(g[k] >> 8);
			a->s6_addr[2 * k + 1] = (uint8_t)g[k];
		}
	}
}

static bool in_prefix64(int t)
{
	return t <= 10;
}

/* What the engine may give a slave (its may_have, from the outside). */
static bool may_have(int t, int s)
{
	bool named;

	if (W.local[t])
		return false;
	if (W.o.scope && !(W.onlink_route && in_prefix64(t)))
		return false;
	if (!W.bound)
		return true;
	named = W.bind_prefix ? slave_name[s][0] == 's'
			      : s == W.bind_slave;
	if (t >= W.bind_lo && t <= W.bind_hi)
		return named;
	return !named;
}

/* ---- the egress: the kernel, modelled ---- */

static void eg_ask(void *ctx, uint16_t group, unsigned int slave,
		   const struct in6_addr *t)
{
	int s = slave_pos(slave), m = master_pos(slave);

	TR("  ask %u t%d\n", slave, index_of(t));
	(void)ctx;
	CHECK(group == GROUP);
	/* A slave, or a master (a guest's claim checked there). */
	CHECK((s >= 0 && W.slave_on[s]) || (m >= 0 && W.master_on[m]));
	CHECK(index_of(t) >= 0);
}

static void eg_confirm(void *ctx, uint16_t group, unsigned int slave,
		       const struct in6_addr *t, const uint8_t *mac)
{
	int ti = index_of(t);

	TR("  confirm %u t%d%s\n", slave, index_of(t), mac ? " (NA)" : "");
	(void)ctx;
	CHECK(group == GROUP);
	CHECK(ti >= 0);
	CHECK(slave_pos(slave) >= 0 && W.slave_on[slave_pos(slave)]);
	CHECK(may_have(ti, slave_pos(slave)));
	/*
	 * Where it was learned (or not routed: --max-learned, no routes),
	 * no other; a leftover being adopted is no location yet.
	 */
	CHECK(W.route[ti] == 0 || W.route[ti] == slave ||
	      W.route[ti] == W.leftover[ti]);
}

static void eg_route_add(void *ctx, uint16_t group, const struct in6_addr *t,
			 unsigned int slave, const uint8_t *mac)
{
	int ti = index_of(t), s = slave_pos(slave);

	TR("  route_add t%d %u\n", index_of(t), slave);
	(void)ctx;
	(void)mac;
	CHECK(group == GROUP && ti >= 0 && s >= 0);
	CHECK(W.slave_on[s]);
	/* None of its own: the kernel's replaces a leftover. */
	CHECK(W.route[ti] == 0 || W.route[ti] == W.leftover[ti]);
	CHECK(may_have(ti, s));
	W.route[ti] = slave;
	W.gone[ti] = 0;
}

static void eg_route_move(void *ctx, uint16_t group, const struct in6_addr *t,
			  unsigned int from, unsigned int to)
{
	int ti = index_of(t), s = slave_pos(to);

	TR("  route_move t%d %u->%u\n", index_of(t), from, to);
	(void)ctx;
	CHECK(group == GROUP && ti >= 0 && s >= 0);
	CHECK(W.slave_on[s]);
	CHECK(W.route[ti] == from && from != to);
	CHECK(may_have(ti, s));
	W.route[ti] = to;
}

static void eg_route_del(void *ctx, uint16_t group, const struct in6_addr *t,
			 unsigned int slave)
{
	int ti = index_of(t);

	TR("  route_del t%d %u\n", index_of(t), slave);
	(void)ctx;
	CHECK(group == GROUP && ti >= 0);
	if (W.route[ti] == slave) {
		W.route[ti] = 0;
	} else if (W.gone[ti] == slave) {
		W.gone[ti] = 0;
	} else {
		/* An adoption refused after its route went: matches nothing. */
		CHECK(slave_pos(slave) >= 0 &&
		      W.adopting[ti][slave_pos(slave)] > 0);
		W.adopting[ti][slave_pos(slave)]--;
	}
}

static void eg_proxy_add(void *ctx, uint16_t group, const struct in6_addr *t,
			 unsigned int master)
{
	int ti = index_of(t), m = master_pos(master);

	TR("  proxy_add t%d %u\n", index_of(t), master);
	(void)ctx;
	CHECK(W.o.proxy_ndp);
	CHECK(group == GROUP && ti >= 0 && m >= 0 && W.master_on[m]);
	CHECK(!W.proxy[ti][m]);
	W.proxy[ti][m] = true;
}

static void eg_proxy_del(void *ctx, uint16_t group, const struct in6_addr *t,
			 unsigned int master)
{
	int ti = index_of(t), m = master_pos(master);

	TR("  proxy_del t%d %u\n", index_of(t), master);
	(void)ctx;
	CHECK(W.o.proxy_ndp);
	CHECK(group == GROUP && ti >= 0 && m >= 0);
	CHECK(W.proxy[ti][m]);
	W.proxy[ti][m] = false;
}

static void eg_answer_upstream(void *ctx, uint16_t group,
			       const struct in6_addr *t, unsigned int master,
			       const struct engine_asker *k, size_t n)
{
	int ti = index_of(t), m = master_pos(master);

	(void)ctx;
	CHECK(W.o.proxy_ndp);
	CHECK(group == GROUP && ti >= 0 && m >= 0 && W.master_on[m]);
	/* Only while the kernel would forward to it. */
	CHECK(W.fwd[m] && W.fwd_all);
	/* For what lives behind a slave. */
	CHECK(W.route[ti] != 0 && W.route[ti] != master);
	for (size_t j = 0; j < n; j++) {
		CHECK(k[j].ifindex == master);
		CHECK(!IN6_IS_ADDR_UNSPECIFIED(&k[j].src));
	}
}

static void eg_answer_guests(void *ctx, uint16_t group,
			     const struct in6_addr *t, unsigned int lives_on,
			     const struct engine_asker *k, size_t n)
{
	int ti = index_of(t);

	(void)ctx;
	CHECK(W.o.proxy_ndp);
	CHECK(group == GROUP && ti >= 0);
	/* Where it lives (a leftover being adopted is no home yet). */
	CHECK(W.route[ti] == lives_on ||
	      (!lives_on && W.route[ti] == W.leftover[ti]));
	for (size_t j = 0; j < n; j++) {
		CHECK(slave_pos(k[j].ifindex) >= 0);
		CHECK(k[j].ifindex != lives_on);
		CHECK(!IN6_IS_ADDR_UNSPECIFIED(&k[j].src));
	}
}

static int eg_check_masters(void *ctx, uint32_t check, uint16_t group,
			    const struct in6_addr *t,
			    const unsigned int *masters, size_t n)
{
	struct check *c;

	TR("  check_masters #%u t%d\n", check, index_of(t));
	(void)ctx;
	CHECK(group == GROUP && index_of(t) >= 0);
	CHECK(check != 0);
	CHECK(n > 0 && n <= NM);
	for (size_t j = 0; j < W.nchecks; j++)
		CHECK(W.checks[j].id != check);
	for (size_t j = 0; j < n; j++)
		CHECK(master_pos(masters[j]) >= 0 &&
		      W.master_on[master_pos(masters[j])]);
	if (W.refuse_checks || W.nchecks == MAX_CHECKS)
		return -1;
	c = &W.checks[W.nchecks++];
	c->id = check;
	c->t = index_of(t);
	c->n = n;
	memcpy(c->masters, masters, n * sizeof(*masters));
	return 0;
}

static void eg_release(void *ctx, uint16_t group, uint32_t id, bool reroute)
{
	TR("  release %u%s\n", id, reroute ? " rerouted" : "");
	(void)ctx;
	CHECK(group == GROUP);
	CHECK(id < W.npkts && W.pkt[id] == 1);
	/* Rerouted: its target has a route to take it now. */
	if (reroute)
		CHECK(W.route[W.pkt_target[id]] != 0);
	W.pkt[id] = 2;
}

static void eg_located(void *ctx, uint16_t group, const struct in6_addr *t,
		       enum engine_located where)
{
	(void)ctx;
	CHECK(group == GROUP && index_of(t) >= 0);
	CHECK(where <= ENGINE_LOCATED_NOWHERE);
}

static void eg_notice(void *ctx, const struct engine_notice *n)
{
	(void)ctx;
	CHECK(n->kind < ENGINE_NOTICE_KINDS);
}

/* ---- after every event ---- */

static void check_world(void)
{
	const struct engine_counters *c = engine_counters(W.e);
	struct engine_learned *l = NULL;
	unsigned int learned[NT] = { 0 };
	size_t n = 0;

	CHECK(engine_learned_list(W.e, GROUP, &l, &n) == 0);
	for (size_t j = 0; j < n; j++) {
		int ti = index_of(&l[j].target);

		CHECK(ti >= 0 && !learned[ti]);
		learned[ti] = l[j].slave;
	}
	free(l);
	CHECK(c->learned_now == n);
	CHECK(n <= W.o.max_learned);
	for (int t = 0; t < NT; t++) {
		int s = slave_pos(learned[t]);

		/* Learned is routed, and nothing else is but a leftover. */
		if (W.leftover[t] && W.route[t] == W.leftover[t] && !learned[t])
			continue;	/* its adoption's masters checked */
		W.leftover[t] = 0;	/* adopted, replaced or removed */
		CHECK(W.route[t] == learned[t]);
		CHECK(engine_learned_slave(W.e, GROUP, &W.addr[t]) == learned[t]);
		if (learned[t]) {
			CHECK(s >= 0 && W.slave_on[s]);
			/* Scope, bindings and the host's addresses are
			 * followed as they change. */
			CHECK(may_have(t, s));
		}
		for (int m = 0; m < NM; m++)
			CHECK(W.proxy[t][m] ==
			      (W.o.proxy_ndp && W.master_on[m] && learned[t] != 0));
	}
	CHECK(c->inflight <= W.o.max_inflight);
	CHECK(c->queued <= W.o.max_queue);
	CHECK(c->records <= c->record_slots);
}

/* As the daemon's loop: the timer fires, and the deadline moves on. */
static void tick(void)
{
	uint64_t d = engine_next_deadline(W.e);

	for (int k = 0; d && d <= W.now; k++) {
		CHECK(k < 2);		/* it would spin */
		engine_tick(W.e, W.now);
		d = engine_next_deadline(W.e);
	}
	/* Held packets: out within ENGINE_HOLD_MAX_MS, whatever waits. */
	for (uint32_t id = 0; id < W.npkts; id++)
		CHECK(W.pkt[id] != 1 ||
		      W.now < W.pkt_at[id] + ENGINE_HOLD_MAX_MS * MS);
}

/* Check j answered: truthfully (the first master with it) or not. */
static void answer_check(size_t j, bool truthful)
{
	struct check c = W.checks[j];
	unsigned int found = 0;

	memmove(&W.checks[j], &W.checks[j + 1],
		(W.nchecks - j - 1) * sizeof(W.checks[0]));
	W.nchecks--;
	for (size_t k = 0; k < c.n && !found; k++) {
		int m = master_pos(c.masters[k]);

		if (!truthful || (m >= 0 && W.usable_on_master[c.t][m]))
			found = c.masters[k];
	}
	TR("  checked #%u: %u\n", c.id, found);
	engine_masters_checked(W.e, c.id, found, W.now);
}

static void set_bindings(struct input *in)
{
	struct engine_binding b;
	uint8_t v = next(in);

	W.bound = v & 1;
	if (!W.bound) {
		CHECK(engine_bindings(W.e, GROUP, NULL, 0, W.now) == 0);
		return;
	}
	W.bind_lo = 1 + (v >> 1) % 9;
	W.bind_hi = W.bind_lo + (v >> 5) % 3;
	if (W.bind_hi > 9)
		W.bind_hi = 9;
	W.bind_slave = (v >> 3) % NS;
	W.bind_prefix = (v >> 7) & 1;
	memset(&b, 0, sizeof(b));
	strcpy(b.ifname, W.bind_prefix ? "s" : slave_name[W.bind_slave]);
	b.prefix = W.bind_prefix;
	b.lo = W.addr[W.bind_lo];
	b.hi = W.addr[W.bind_hi];
	CHECK(engine_bindings(W.e, GROUP, &b, 1, W.now) == 0);
}

static void set_onlink_route(bool present)
{
	struct engine_route rt;

	memset(&rt, 0, sizeof(rt));
	rt.dst = W.addr[0];
	rt.len = 64;
	rt.ifindex = master_if[0];
	rt.metric = 256;
	rt.onlink = true;
	W.onlink_route = present;
	CHECK(engine_route(W.e, &rt, present, W.now) == 0);
}

static void setup(struct input *in)
{
	struct engine_egress eg = {
		.ask = eg_ask, .confirm = eg_confirm,
		.route_add = eg_route_add, .route_move = eg_route_move,
		.route_del = eg_route_del, .proxy_add = eg_proxy_add,
		.proxy_del = eg_proxy_del, .answer_upstream = eg_answer_upstream,
		.check_masters = eg_check_masters, .release = eg_release,
		.located = eg_located, .notice = eg_notice,
		.answer_guests = eg_answer_guests,
	};
	uint8_t f = next(in), lim = next(in);
	struct engine_prefix p;

	if (trace < 0)
		trace = getenv("FUZZ_ENGINE_TRACE") != NULL;
	memset(&W, 0, sizeof(W));
	make_addrs();
	W.now = T0;
	engine_options_default(&W.o);
	W.o.learn_routes = f & 1;
	W.o.scope = f & 2;
	W.o.proxy_ndp = f & 4;
	W.o.learn_routes |= W.o.proxy_ndp;
	W.o.max_held = f & 8 ? 1 + lim % 8 : 0;
	W.o.queue_wait_ns = (1 + (f >> 4) % 4) * 25 * MS;
	W.o.claim_wait_ns = f & 64 ? 0 : ENGINE_DEFAULT_CLAIM_WAIT_MS * MS;
	W.o.stale_ns = f & 128 ? 0 : 3 * SEC;
	W.o.idle_verify_ns = ENGINE_IDLE_VERIFY_S * SEC;
	/* Small limits, so that every one of them bites. */
	W.o.max_inflight = 1 + lim % 4;
	W.o.max_queue = 1 + (lim >> 2) % 4;
	W.o.max_learned = 1 + (lim >> 4) % 8;
	W.o.ask_rate = 1 + (lim >> 5) * 50;
	W.o.ask_burst = 1 + (lim >> 6);
	W.o.keepalive_rate = 1 + (lim >> 3) % 4;
	W.o.keepalive_burst = 1;
	W.o.hash_key[0] = 1;
	W.o.hash_key[1] = 2;
	W.e = engine_init(&W.o, &eg, W.now);
	CHECK(W.e != NULL);
	for (int m = 0; m < NM; m++) {
		CHECK(engine_master(W.e, GROUP, master_if[m], true, W.now) == 0);
		W.master_on[m] = true;
		engine_forwarding(W.e, master_if[m], true);
		W.fwd[m] = true;
	}
	engine_forwarding(W.e, 0, true);
	W.fwd_all = true;
	for (int s = 0; s < NS; s++) {
		CHECK(engine_slave(W.e, GROUP, slave_if[s], slave_name[s], true,
				   W.now) == 0);
		W.slave_on[s] = true;
	}
	CHECK(engine_local_addr(W.e, master_if[0], &W.addr[0], 64, true) == 0);
	W.local[0] = true;
	set_onlink_route(true);
	/* -t: the one outside the master's prefix is served too. */
	p.addr = W.addr[11];
	p.len = 64;
	CHECK(engine_targets(W.e, &p, 1) == 0);
}

static unsigned int any_if(uint8_t v)
{
	switch (v % 6) {
	case 0: case 1: case 2: return slave_if[v % 3];
	case 3: case 4: return master_if[v % 2];
	default: return OTHER_IF;
	}
}

static void one_event(struct input *in)
{
	uint8_t op = next(in), a = next(in), b = next(in);
	int t = a % NT, s = b % NS, m = b % NM;
	/* An asker's source: never :: (intake keeps DAD NS from the engine). */
	struct in6_addr src = W.addr[(b >> 2) % 14];
	uint8_t mac[6] = { 2, 0, 0, 0, 0, b };

	TR("@%llu ms: op %d a %u b %u\n",
	   (unsigned long long)((W.now - T0) / MS), op % 24, a, b);
	switch (op % 24) {
	case 0:		/* time passes: up to 255 ms, or up to 25.5 s */
		W.now += a < 200 ? (uint64_t)a * MS : (uint64_t)(a - 199) * 500 * MS;
		break;
	case 1:
		engine_ns_out(W.e, GROUP, master_if[m], &W.addr[t], W.now);
		break;
	case 2:
		engine_asker(W.e, master_if[m], &W.addr[t], &src, mac, false,
			     W.now);
		engine_ns_in(W.e, GROUP, master_if[m], &W.addr[t],
			     W.o.proxy_ndp && engine_serves(W.e, GROUP,
							     master_if[m],
							     &W.addr[t]),
			     W.now);
		break;
	case 3:
		if (W.npkts < MAX_PKTS && W.o.max_held) {
			W.pkt[W.npkts] = 1;
			W.pkt_target[W.npkts] = t;
			W.pkt_at[W.npkts] = W.now;
			engine_held(W.e, GROUP, master_if[m], &W.addr[t],
				    W.npkts++, W.now);
		}
		break;
	case 4:
		engine_guest(W.e, GROUP, slave_if[s], &W.addr[t],
			     b & 8 ? ENGINE_GUEST_DAD : ENGINE_GUEST_SOURCE,
			     W.now);
		break;
	case 5:
		engine_asker(W.e, slave_if[s], &W.addr[t], &src, mac, true,
			     W.now);
		engine_guest_ns(W.e, GROUP, slave_if[s], &W.addr[t], W.now);
		break;
	case 6:
	case 7:
	case 8:		/* answers: the commonest event */
		engine_answer(W.e, any_if(b), &W.addr[t], b & 64 ? NULL : mac,
			      W.now);
		break;
	case 9: {
		unsigned int ifx = any_if(b);
		enum engine_neigh_state st = (enum engine_neigh_state)((b >> 3) % 4);
		int mp = master_pos(ifx);

		if (mp >= 0)
			W.usable_on_master[t][mp] = st == ENGINE_NEIGH_USABLE ||
						    st == ENGINE_NEIGH_PROBE;
		engine_neigh(W.e, ifx, &W.addr[t], st, b & 128, W.now);
		break;
	}
	case 10:
		if (b & 1)
			engine_forwarding(W.e, 0, W.fwd_all = !W.fwd_all);
		else
			engine_forwarding(W.e, master_if[(b >> 1) % NM],
					  W.fwd[(b >> 1) % NM] = !W.fwd[(b >> 1) % NM]);
		break;
	case 11:	/* an earlier run's route, in the kernel before it is told */
		if (W.route[t] == 0 && !W.leftover[t] && W.slave_on[s]) {
			W.route[t] = slave_if[s];
			W.leftover[t] = slave_if[s];
			W.adopting[t][s]++;
			(void)engine_adopt(W.e, GROUP, slave_if[s], &W.addr[t],
					   W.now);
		}
		break;
	case 12:
	case 13:
		if (W.nchecks)
			answer_check(b % W.nchecks, !(a & 1) || (b & 128));
		else
			engine_masters_checked(W.e, a | (uint32_t)b << 8, 0,
					       W.now);
		break;
	case 14: {
		unsigned int ifx[2] = { any_if(b), any_if(b >> 3) };

		engine_adopt_neighbor(W.e, &W.addr[t], ifx, 1 + (b >> 7),
				      W.now);
		break;
	}
	case 15:	/* our route deleted from outside */
		if (W.route[t]) {
			unsigned int was = W.route[t];

			W.route[t] = 0;
			W.gone[t] = was;
			if (engine_route_gone(W.e, GROUP, was, &W.addr[t],
					      W.now) == ENGINE_ROUTE_GONE_NOT_OURS)
				W.route[t] = was;	/* put back: not ours */
		} else {
			CHECK(engine_route_gone(W.e, GROUP, slave_if[s],
						&W.addr[t], W.now) ==
			      ENGINE_ROUTE_GONE_NOT_OURS);
		}
		break;
	case 16:	/* the kernel refused a route it was asked for */
		if (W.route[t])
			engine_route_failed(W.e, GROUP, &W.addr[t], W.route[t],
					    W.now);
		else
			engine_route_failed(W.e, GROUP, &W.addr[t], slave_if[s],
					    W.now);
		break;
	case 17:	/* a slave goes (the kernel drops its routes) or comes */
		if (W.slave_on[s]) {
			/* Routes through it go with the device. */
			W.slave_on[s] = false;
			CHECK(engine_slave(W.e, GROUP, slave_if[s], NULL, false,
					   W.now) == 0);
		} else {
			W.slave_on[s] = true;
			CHECK(engine_slave(W.e, GROUP, slave_if[s],
					   slave_name[s], true, W.now) == 0);
		}
		break;
	case 18:
		if (W.master_on[m] && (W.master_on[0] + W.master_on[1]) > 1) {
			W.master_on[m] = false;
			W.fwd[m] = false;
			CHECK(engine_master(W.e, GROUP, master_if[m], false,
					    W.now) == 0);
		} else if (!W.master_on[m]) {
			W.master_on[m] = true;
			CHECK(engine_master(W.e, GROUP, master_if[m], true,
					    W.now) == 0);
		}
		break;
	case 19:
		set_bindings(in);
		break;
	case 20:
		set_onlink_route(!W.onlink_route);
		break;
	case 21:	/* a host address comes or goes (never ::1 on m0) */
		if (t == 0 || t >= 12)
			break;
		W.local[t] = !W.local[t];
		CHECK(engine_local_addr(W.e, master_if[0], &W.addr[t], 64,
					W.local[t]) == 0);
		break;
	case 22:
		W.refuse_checks = !W.refuse_checks;
		break;
	default: {
		struct engine_slave_signs sg;

		(void)engine_slave_signs(W.e, GROUP, slave_if[s], &sg);
		(void)engine_refusals(engine_counters(W.e));
		(void)engine_serves(W.e, GROUP, 0, &W.addr[t]);
		break;
	}
	}
	tick();
	check_world();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	setup(&in);
	check_world();
	for (int k = 0; in.n && k < 400; k++)
		one_event(&in);
	/* The end: every check answered, time enough for everything. */
	W.refuse_checks = false;
	for (int k = 0; k < 200 && W.nchecks; k++) {
		answer_check(0, true);
		tick();
		check_world();
	}
	for (int k = 0; k < 120; k++) {
		W.now += 500 * MS;
		while (W.nchecks)
			answer_check(0, true);
		tick();
		check_world();
	}
	engine_release_held(W.e);
	for (uint32_t id = 0; id < W.npkts; id++)
		CHECK(W.pkt[id] == 2);
	engine_free(W.e);
	return 0;
}
