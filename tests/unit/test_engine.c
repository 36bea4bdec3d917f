/* Unit tests for the resolution engine: a fake clock and a fake egress. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

#define MS 1000000ull			/* nanoseconds */
#define SEC 1000000000ull
#define T0 (1000 * SEC)			/* fake clock start, far from 0 */
#define GROUP 135
#define MASTER 10u
#define SLAVE(j) (100u + (unsigned int)(j))	/* j from 1 */

enum call_kind { ASK, CONFIRM, ROUTE_ADD, ROUTE_MOVE, ROUTE_DEL, PROXY_ADD,
		 PROXY_DEL, RELEASE_REROUTE, RELEASE_UNCHANGED, LOCATED,
		 ANSWER_GUESTS, ANSWER_UPSTREAM };

struct call {
	enum call_kind kind;
	unsigned int a, b;	/* slave or master; route_move: from, to */
				/* confirm: b 1 with an NA's address */
	struct in6_addr t;
	uint64_t at;
};

/* A check of the masters asked (check_masters), not answered yet. */
struct fk_check {
	uint32_t id;
	struct in6_addr t;
	bool master;		/* MASTER among those asked, and master_has */
};

#define FK_CHECKS 64

/* Records every action, stamped with the fake clock. */
struct fake {
	struct call *calls;
	size_t n, cap;
	uint64_t now;
	unsigned int notices[ENGINE_NOTICE_KINDS];
	struct engine_notice last[ENGINE_NOTICE_KINDS];
	struct engine *e;
	bool master_has;	/* check_masters: target usable on MASTER */
	/* Checks asked; answered after each call unless hold_checks. */
	struct fk_check checks[FK_CHECKS];
	size_t nchecks;
	bool hold_checks;
	/* The last route_add's link-layer address (route_has_mac: one). */
	bool route_has_mac;
	uint8_t route_mac[6];
	/* The askers of the last answer_upstream, of the last answer_guests. */
	struct engine_asker askers[8], gaskers[8];
	size_t naskers, ngaskers;
};

static void record(struct fake *f, enum call_kind kind, unsigned int a,
		   unsigned int b, const struct in6_addr *t)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->calls = realloc(f->calls, f->cap * sizeof(*f->calls));
		assert_non_null(f->calls);
	}
	f->calls[f->n++] = (struct call){ kind, a, b, *t, f->now };
}

static void fk_ask(void *ctx, uint16_t group, unsigned int slave,
		   const struct in6_addr *t)
{
	assert_int_equal(group, GROUP);
	record(ctx, ASK, slave, 0, t);
}

static void fk_confirm(void *ctx, uint16_t group, unsigned int slave,
		       const struct in6_addr *t, const uint8_t *mac)
{
	assert_int_equal(group, GROUP);
	record(ctx, CONFIRM, slave, mac != NULL, t);	/* b: an NA's entry */
}

static void fk_route_add(void *ctx, uint16_t grp, const struct in6_addr *t,
			 unsigned int s, const uint8_t *mac)
{
	struct fake *f = ctx;

	assert_int_equal(grp, GROUP);
	f->route_has_mac = mac != NULL;
	memset(f->route_mac, 0, sizeof(f->route_mac));
	if (mac)
		memcpy(f->route_mac, mac, sizeof(f->route_mac));
	record(ctx, ROUTE_ADD, s, 0, t);
}

static void fk_route_move(void *ctx, uint16_t grp, const struct in6_addr *t,
			  unsigned int from, unsigned int to)
{
	assert_int_equal(grp, GROUP);
	record(ctx, ROUTE_MOVE, from, to, t);
}

static void fk_route_del(void *ctx, uint16_t grp, const struct in6_addr *t,
			 unsigned int s)
{
	assert_int_equal(grp, GROUP);
	record(ctx, ROUTE_DEL, s, 0, t);
}

static void fk_proxy_add(void *ctx, uint16_t grp, const struct in6_addr *t,
			 unsigned int m)
{
	assert_int_equal(grp, GROUP);
	record(ctx, PROXY_ADD, m, 0, t);
}

static void fk_proxy_del(void *ctx, uint16_t grp, const struct in6_addr *t,
			 unsigned int m)
{
	assert_int_equal(grp, GROUP);
	record(ctx, PROXY_DEL, m, 0, t);
}

/* Queued: the caller's intake answers it once the engine call returned. */
static int fk_check_masters(void *ctx, uint32_t check, uint16_t grp,
			    const struct in6_addr *t,
			    const unsigned int *masters, size_t n)
{
	struct fake *f = ctx;
	bool has = false;

	assert_int_equal(grp, GROUP);
	assert_true(f->nchecks < FK_CHECKS);
	assert_int_not_equal(check, 0);
	for (size_t k = 0; k < n; k++)
		has |= f->master_has && masters[k] == MASTER;
	f->checks[f->nchecks++] = (struct fk_check){ check, *t, has };
	return 0;
}

/* The oldest check answered: MASTER when it has the target, else 0. */
static void check_one(struct fake *f)
{
	struct fk_check c = f->checks[0];

	assert_true(f->nchecks > 0);
	memmove(&f->checks[0], &f->checks[1],
		(f->nchecks - 1) * sizeof(f->checks[0]));
	f->nchecks--;
	engine_masters_checked(f->e, c.id, c.master ? MASTER : 0, f->now);
}

/* As intake does after every engine call: each check answered in turn. */
static void answer_checks(struct fake *f)
{
	while (!f->hold_checks && f->nchecks)
		check_one(f);
}

/* A release is recorded with the packet id as `a`, its target unknown. */
static void fk_release(void *ctx, uint16_t grp, uint32_t id, bool reroute)
{
	struct in6_addr none;

	assert_int_equal(grp, GROUP);
	memset(&none, 0xff, sizeof(none));
	record(ctx, reroute ? RELEASE_REROUTE : RELEASE_UNCHANGED, id, 0, &none);
}

static void fk_located(void *ctx, uint16_t grp, const struct in6_addr *t,
		       enum engine_located where)
{
	assert_int_equal(grp, GROUP);
	record(ctx, LOCATED, 0, (unsigned int)where, t);
}

/* The askers handed over, kept (up to 8) in to[] and counted as `b`. */
static void keep_askers(struct engine_asker *to, size_t *nto,
			const struct engine_asker *k, size_t n)
{
	*nto = n;
	if (n)
		memcpy(to, k, (n < 8 ? n : 8) * sizeof(*k));
}

static void fk_answer_upstream(void *ctx, uint16_t grp,
			       const struct in6_addr *t, unsigned int m,
			       const struct engine_asker *k, size_t n)
{
	assert_int_equal(grp, GROUP);
	struct fake *f = ctx;

	keep_askers(f->askers, &f->naskers, k, n);
	record(ctx, ANSWER_UPSTREAM, m, (unsigned int)n, t);
}

/* Recorded with where the target lives as `a` (0: a master, the host). */
static void fk_answer_guests(void *ctx, uint16_t grp, const struct in6_addr *t,
			     unsigned int lives_on,
			     const struct engine_asker *k, size_t n)
{
	assert_int_equal(grp, GROUP);
	struct fake *f = ctx;

	keep_askers(f->gaskers, &f->ngaskers, k, n);
	record(ctx, ANSWER_GUESTS, lives_on, (unsigned int)n, t);
}

static void fk_notice(void *ctx, const struct engine_notice *n)
{
	struct fake *f = ctx;

	f->notices[n->kind]++;
	f->last[n->kind] = *n;
}

/* 2001:db8::<n>: a distinct global target per n. */
static struct in6_addr target(uint32_t n)
{
	struct in6_addr a;

	memset(&a, 0, sizeof(a));
	a.s6_addr[0] = 0x20;
	a.s6_addr[1] = 0x01;
	a.s6_addr[2] = 0x0d;
	a.s6_addr[3] = 0xb8;
	a.s6_addr[12] = (uint8_t)(n >> 24);
	a.s6_addr[13] = (uint8_t)(n >> 16);
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

static uint32_t target_n(const struct in6_addr *a)
{
	return (uint32_t)a->s6_addr[12] << 24 | (uint32_t)a->s6_addr[13] << 16 |
	       (uint32_t)a->s6_addr[14] << 8 | a->s6_addr[15];
}

/* An engine on group GROUP with master MASTER and slaves SLAVE(1..nslaves). */
static struct fake *setup(const struct engine_options *o, unsigned int nslaves)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct engine_egress eg = {
		.ask = fk_ask, .confirm = fk_confirm,
		.route_add = fk_route_add, .route_move = fk_route_move,
		.route_del = fk_route_del, .proxy_add = fk_proxy_add,
		.proxy_del = fk_proxy_del, .check_masters = fk_check_masters,
		.release = fk_release, .located = fk_located,
		.notice = fk_notice, .answer_guests = fk_answer_guests,
		.answer_upstream = fk_answer_upstream,
	};

	assert_non_null(f);
	eg.ctx = f;
	f->now = T0;
	f->e = engine_init(o, &eg, T0);
	assert_non_null(f->e);
	assert_int_equal(engine_master(f->e, GROUP, MASTER, true, T0), 0);
	for (unsigned int j = 1; j <= nslaves; j++) {
		char name[ENGINE_IFNAME_MAX];

		snprintf(name, sizeof(name), "s%u", j);
		assert_int_equal(engine_slave(f->e, GROUP, SLAVE(j), name, true, T0), 0);
	}
	return f;
}

static void teardown_fake(struct fake *f)
{
	engine_free(f->e);
	free(f->calls);
	free(f);
}

static struct engine_options defaults(bool learn)
{
	struct engine_options o;

	engine_options_default(&o);
	o.learn_routes = learn;
	/*
	 * Answers taken as they come: the masters' window is tested on its
	 * own (test_claim_wait_*), with the default put back.
	 */
	o.claim_wait_ns = 0;
	o.hash_key[0] = 0x0123456789abcdefull;
	o.hash_key[1] = 0xfedcba9876543210ull;
	return o;
}

static const struct engine_counters *C(struct fake *f)
{
	return engine_counters(f->e);
}

/* The caller's timer: tick at each deadline up to `until` (0: until idle). */
static void run_until(struct fake *f, uint64_t until)
{
	uint64_t d;

	while ((d = engine_next_deadline(f->e)) != 0 && (!until || d <= until)) {
		if (d < f->now)
			d = f->now;
		f->now = d;
		engine_tick(f->e, d);
	}
	if (until && until > f->now) {
		f->now = until;
		engine_tick(f->e, until);
	}
}

static void ns(struct fake *f, uint32_t n, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_ns_out(f->e, GROUP, MASTER, &t, at);
}

/* An answer carrying a link-layer address (an NA's), or none (NULL). */
static void answer_mac(struct fake *f, unsigned int slave, uint32_t n,
		       const uint8_t *mac, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_answer(f->e, slave, &t, mac, at);
	answer_checks(f);
}

static void answer(struct fake *f, unsigned int slave, uint32_t n, uint64_t at)
{
	answer_mac(f, slave, n, NULL, at);
}

/* engine_guest_ns(), its masters' check answered as intake would. */
static void fk_guest_ns(struct fake *f, uint16_t grp, unsigned int slave,
			const struct in6_addr *t, uint64_t at)
{
	f->now = at;
	engine_guest_ns(f->e, grp, slave, t, at);
	answer_checks(f);
}

static void neigh(struct fake *f, unsigned int ifindex, uint32_t n,
		  enum engine_neigh_state st, bool fresh, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_neigh(f->e, ifindex, &t, st, fresh, at);
}

/* Calls of a kind, for slave a (0: any) and target n (UINT32_MAX: any). */
static size_t count(const struct fake *f, enum call_kind kind, unsigned int a,
		    uint32_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < f->n; i++)
		if (f->calls[i].kind == kind && (!a || f->calls[i].a == a) &&
		    (n == UINT32_MAX || target_n(&f->calls[i].t) == n))
			c++;
	return c;
}

#define ANY UINT32_MAX

/* Confirms of target n, with an NA's link-layer address (na) or not. */
static size_t confirms(const struct fake *f, uint32_t n, bool na)
{
	size_t c = 0;

	for (size_t i = 0; i < f->n; i++)
		if (f->calls[i].kind == CONFIRM && f->calls[i].b == na &&
		    (n == ANY || target_n(&f->calls[i].t) == n))
			c++;
	return c;
}

/* Asks of target n on slaves (the master is asked for a guest's claim). */
static size_t slave_asks(const struct fake *f, uint32_t n)
{
	return count(f, ASK, 0, n) - count(f, ASK, MASTER, n);
}

/* Every (target, slave) asked exactly once, all before `by`. */
static void assert_fanout(const struct fake *f, uint32_t first, uint32_t ntargets,
			  unsigned int nslaves, uint64_t by)
{
	unsigned int *m = calloc((size_t)ntargets * nslaves, sizeof(*m));

	assert_non_null(m);
	for (size_t i = 0; i < f->n; i++) {
		const struct call *c = &f->calls[i];
		uint32_t n = target_n(&c->t);

		if (c->kind != ASK)
			continue;
		assert_true(n >= first && n < first + ntargets);
		assert_true(c->a >= SLAVE(1) && c->a <= SLAVE(nslaves));
		assert_true(c->at < by);
		m[(size_t)(n - first) * nslaves + (c->a - SLAVE(1))]++;
	}
	for (size_t i = 0; i < (size_t)ntargets * nslaves; i++)
		assert_int_equal(m[i], 1);
	free(m);
}

/* Issue 10: 40 new targets across 4 slaves, all found within 1 s. */
static void test_40_targets_4_slaves(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 4);

	(void)state;
	for (uint32_t k = 0; k < 40; k++)
		ns(f, k, T0 + k * MS);
	run_until(f, T0 + SEC);
	assert_fanout(f, 0, 40, 4, T0 + SEC);
	for (uint32_t k = 0; k < 40; k++)
		answer(f, SLAVE(1 + k % 4), k, T0 + 100 * MS + k * MS);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 40);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 40);
	for (uint32_t k = 0; k < 40; k++) {
		assert_int_equal(count(f, CONFIRM, SLAVE(1 + k % 4), k), 1);
		assert_int_equal(count(f, ROUTE_ADD, SLAVE(1 + k % 4), k), 1);
	}
	assert_int_equal(C(f)->targets_deferred, 0);
	teardown_fake(f);
}

/* Issue 10: 50 targets across 200 slaves, all asked within 3 s. */
static void test_50_targets_200_slaves(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f = setup(&o, 200);

	(void)state;
	for (uint32_t k = 0; k < 50; k++)
		ns(f, k, T0);
	run_until(f, T0 + 2 * SEC);
	assert_int_equal(C(f)->asks, 50 * 200);
	assert_fanout(f, 0, 50, 200, T0 + 2 * SEC);
	/* Over the burst: the bucket deferred, and said so once. */
	assert_true(C(f)->targets_deferred > 0);
	assert_int_equal(f->notices[ENGINE_LIMIT_RATE], 1);
	assert_string_equal(f->last[ENGINE_LIMIT_RATE].option, "--rate");
	/* Answers count until the hold-down ends, 3 s after each fan-out. */
	for (uint32_t k = 0; k < 50; k++)
		answer(f, SLAVE(1 + k * 4), k, T0 + 2 * SEC);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 50);
	teardown_fake(f);
}

/*
 * Freshest first: targets that come while the bucket is dry are asked
 * newest first (the kernel gives up on the oldest first); one already
 * asked in part finishes after them.
 */
static void test_freshest_first(void **state)
{
	struct engine_options o = defaults(false);
	static const uint32_t order[] = { 3, 3, 3, 3, 2, 2, 2, 2, 1 };
	struct fake *f;

	(void)state;
	o.ask_rate = 10;
	o.ask_burst = 3;
	f = setup(&o, 4);
	ns(f, 1, T0);
	assert_int_equal(count(f, ASK, 0, 1), 3);	/* the burst */
	ns(f, 2, T0 + 1 * MS);
	ns(f, 3, T0 + 2 * MS);
	assert_int_equal(count(f, ASK, 0, 2), 0);
	run_until(f, 0);
	assert_fanout(f, 1, 3, 4, UINT64_MAX);
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(target_n(&f->calls[3 + i].t), order[i]);
	/* Slaves in order within one target. */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(f->calls[3 + i].a, SLAVE(1 + i));
	assert_int_equal(f->calls[11].a, SLAVE(4));
	assert_int_equal(C(f)->targets_deferred, 3);
	assert_int_equal(f->notices[ENGINE_LIMIT_RATE], 1);
	assert_int_equal(engine_next_deadline(f->e), 0);
	teardown_fake(f);
}

/*
 * A flood, then a real target: the flood's targets the kernel gave up on
 * (no NS for 3 s) leave the queue, and the real one, solicited 0.5 s
 * after, goes ahead of them all (issue: FIFO made it wait 34 s).
 */
static void test_flood_then_real(void **state)
{
	struct engine_options o = defaults(false);
	uint64_t found = 0;
	struct fake *f;

	(void)state;
	o.ask_rate = 100;
	o.ask_burst = 100;
	f = setup(&o, 4);
	for (uint32_t k = 0; k < 2024; k++)
		ns(f, 1000 + k, T0 + k * 1000);		/* 2 ms of NS */
	ns(f, 1, T0 + 500 * MS);
	run_until(f, T0 + 10 * SEC);
	for (size_t i = 0; i < f->n; i++)
		if (f->calls[i].kind == ASK && target_n(&f->calls[i].t) == 1)
			found = f->calls[i].at;
	assert_true(found && found <= T0 + 500 * MS + 50 * MS);
	assert_int_equal(count(f, ASK, 0, 1), 4);
	/* Given up on by the kernel: left the queue, counted. */
	assert_true(C(f)->targets_expired > 1500);
	assert_int_equal(C(f)->inflight + C(f)->queued, 0);
	run_until(f, 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

/*
 * The hold-down starts once every slave was asked, and the kernel's
 * retransmissions meanwhile cost nothing. (Before: armed on arrival, the
 * retransmissions were suppressed while the bucket had dropped the asks.)
 */
static void test_holddown_after_fanout(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f;

	(void)state;
	o.ask_rate = 2;		/* one ask every 500 ms */
	o.ask_burst = 1;
	f = setup(&o, 4);
	ns(f, 1, T0);
	assert_int_equal(count(f, ASK, 0, 1), 1);
	run_until(f, T0 + 1 * SEC);
	ns(f, 1, T0 + 1 * SEC);		/* the kernel's 2nd and 3rd NS */
	run_until(f, T0 + 2 * SEC);
	ns(f, 1, T0 + 2 * SEC);
	run_until(f, T0 + 4400 * MS);
	assert_fanout(f, 1, 1, 4, T0 + 1501 * MS);
	assert_int_equal(C(f)->ns_free, 2);
	assert_int_equal(C(f)->ns, 1);
	/* Fan-out done at T0 + 1.5 s: held until T0 + 4.5 s. */
	ns(f, 1, T0 + 4499 * MS);
	assert_int_equal(count(f, ASK, 0, 1), 4);
	assert_int_equal(C(f)->ns_free, 3);
	ns(f, 1, T0 + 4500 * MS);
	assert_int_equal(count(f, ASK, 0, 1), 5);
	assert_int_equal(C(f)->ns, 2);
	assert_int_equal(C(f)->unanswered, 1);
	/* Said, with how many slaves were asked. */
	assert_int_equal(f->notices[ENGINE_UNANSWERED], 1);
	assert_int_equal(f->last[ENGINE_UNANSWERED].other, 4);
	teardown_fake(f);
}

/* 100,000 distinct targets at once: bounded memory, said once, none lost. */
static void test_admission_flood(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f = setup(&o, 1);
	uint32_t admitted = o.max_inflight + o.max_queue;

	(void)state;
	for (uint32_t k = 0; k < 100000; k++) {
		ns(f, k, T0 + k);
		assert_true(C(f)->records <= admitted);
	}
	assert_int_equal(C(f)->records, admitted);
	assert_int_equal(C(f)->inflight, o.max_inflight);
	assert_int_equal(C(f)->queued, o.max_queue);
	assert_int_equal(C(f)->targets_refused, 100000 - admitted);
	assert_int_equal(f->notices[ENGINE_LIMIT_QUEUE], 1);
	assert_string_equal(f->last[ENGINE_LIMIT_QUEUE].option, "--max-queue");
	assert_int_equal(f->notices[ENGINE_LIMIT_INFLIGHT], 1);
	assert_string_equal(f->last[ENGINE_LIMIT_INFLIGHT].option, "--max-inflight");
	/* The oldest waiting made room: the newest are kept. */
	ns(f, 99999, T0 + 100 * MS);
	assert_int_equal(C(f)->ns_free, 1);
	/*
	 * The burst's were asked at once; the rest freshest first, until
	 * the kernel would have given up on them (3 s): those left.
	 */
	run_until(f, 0);
	assert_int_equal(C(f)->asks + C(f)->targets_expired, admitted);
	assert_true(C(f)->targets_expired > 0);
	for (size_t i = o.ask_burst + 1; i < f->n; i++)
		assert_true(target_n(&f->calls[i].t) < target_n(&f->calls[i - 1].t));
	assert_int_equal(C(f)->records, 0);
	assert_int_equal(C(f)->inflight, 0);
	assert_int_equal(engine_next_deadline(f->e), 0);
	/* A new flood is a new episode: said again, once. */
	for (uint32_t k = 0; k < 30000; k++)
		ns(f, 200000 + k, f->now + 1);
	assert_int_equal(f->notices[ENGINE_LIMIT_QUEUE], 2);
	teardown_fake(f);
}

static void test_answer_right_slave(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 3);
	assert_int_equal(engine_master(f->e, GROUP, MASTER + 1, true, T0), 0);
	ns(f, 1, T0);
	answer(f, SLAVE(2), 1, T0 + 1 * MS);
	assert_int_equal(count(f, CONFIRM, SLAVE(2), 1), 1);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 1);	/* one entry only */
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 1), 1);
	assert_int_equal(count(f, PROXY_ADD, MASTER + 1, 1), 1);
	assert_int_equal(f->notices[ENGINE_LEARNED], 1);
	/* The same answer again changes nothing. */
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 1);
	assert_int_equal(C(f)->answers_duplicate, 1);
	assert_int_equal(C(f)->learned_now, 1);
	/* The upstream's NS for it: the proxy entry answers, nothing to do. */
	{
		struct in6_addr t = target(1);

		engine_ns_in(f->e, GROUP, MASTER, &t, true, T0 + 3 * MS);
	}
	assert_int_equal(C(f)->ns_upstream_known, 1);
	/* A master that leaves takes its proxy entries along. */
	assert_int_equal(engine_master(f->e, GROUP, MASTER + 1, false, T0 + 4 * MS), 0);
	assert_int_equal(count(f, PROXY_DEL, MASTER + 1, 1), 1);
	teardown_fake(f);
}

/* The position of the first call of kind on a for target n, or f->n. */
static size_t first(const struct fake *f, enum call_kind kind, unsigned int a,
		    uint32_t n)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->calls[i].kind == kind && f->calls[i].a == a &&
		    target_n(&f->calls[i].t) == n)
			break;
	return i;
}

/*
 * The upstream that asked is answered only on a master that forwards,
 * with "all" forwarding too (engine_forwarding), and before its proxy
 * entry is added; forwarding follows the events, and a master that
 * leaves forgets its own.
 */
static void test_answer_upstream_forwarding(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	assert_int_equal(engine_master(f->e, GROUP, MASTER + 1, true, T0), 0);
	/* Unknown is off. */
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 1), 1);
	assert_int_equal(count(f, ANSWER_UPSTREAM, 0, ANY), 0);
	/* MASTER forwards, "all" not yet. */
	engine_forwarding(f->e, MASTER, true);
	ns(f, 2, T0 + 2 * MS);
	answer(f, SLAVE(1), 2, T0 + 3 * MS);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 2), 1);
	assert_int_equal(count(f, ANSWER_UPSTREAM, 0, ANY), 0);
	/* Both: MASTER's asker answered first; MASTER + 1 does not forward. */
	engine_forwarding(f->e, 0, true);
	ns(f, 3, T0 + 4 * MS);
	answer(f, SLAVE(2), 3, T0 + 5 * MS);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, 3), 1);
	assert_int_equal(count(f, ANSWER_UPSTREAM, 0, ANY), 1);
	assert_int_equal(count(f, PROXY_ADD, MASTER + 1, 3), 1);
	assert_true(first(f, ANSWER_UPSTREAM, MASTER, 3) <
		    first(f, PROXY_ADD, MASTER, 3));
	/* An interface that is no master is not kept. */
	engine_forwarding(f->e, MASTER + 2, true);
	assert_int_equal(engine_master(f->e, GROUP, MASTER + 2, true,
				       T0 + 6 * MS), 0);
	assert_int_equal(count(f, PROXY_ADD, MASTER + 2, 3), 1);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER + 2, ANY), 0);
	/* A master that leaves and comes back forwards as it is read then. */
	assert_int_equal(engine_master(f->e, GROUP, MASTER, false, T0 + 7 * MS), 0);
	assert_int_equal(engine_master(f->e, GROUP, MASTER, true, T0 + 8 * MS), 0);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, ANY), 1);
	engine_forwarding(f->e, MASTER, true);
	ns(f, 4, T0 + 9 * MS);
	answer(f, SLAVE(1), 4, T0 + 10 * MS);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, 4), 1);
	/* Turned off: no more answers. */
	engine_forwarding(f->e, MASTER, false);
	ns(f, 5, T0 + 11 * MS);
	answer(f, SLAVE(1), 5, T0 + 12 * MS);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 5), 1);
	assert_int_equal(count(f, ANSWER_UPSTREAM, 0, 5), 0);
	teardown_fake(f);
}

static void test_answer_unasked(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.ask_rate = 1;
	o.ask_burst = 1;
	f = setup(&o, 3);
	ns(f, 1, T0);
	assert_int_equal(count(f, ASK, 0, ANY), 1);	/* slave 1 only, so far */
	answer(f, SLAVE(3), 1, T0 + 1 * MS);		/* not asked yet */
	answer(f, 999, 1, T0 + 1 * MS);			/* not a slave */
	answer(f, SLAVE(1), 2, T0 + 1 * MS);		/* another target */
	assert_int_equal(C(f)->answers_unasked, 3);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	/* After the hold-down, the window is closed. */
	run_until(f, 0);
	answer(f, SLAVE(1), 1, f->now + 1);
	assert_int_equal(C(f)->answers_unasked, 4);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

static void test_refuse_local(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);

	(void)state;
	assert_int_equal(engine_local_addr(f->e, MASTER, &t, 128, true), 0);
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_LOCAL], 1);
	assert_int_equal(f->notices[ENGINE_REFUSED_LOCAL], 1);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	/* Once the address is gone, it can be learned. */
	assert_int_equal(engine_local_addr(f->e, MASTER, &t, 128, false), 0);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	teardown_fake(f);
}

static void test_refuse_usable_on_master(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	ns(f, 1, T0);
	neigh(f, MASTER, 1, ENGINE_NEIGH_USABLE, false, T0 + 1 * MS);
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(f->notices[ENGINE_REFUSED_MASTER], 1);
	/* The notice names the master, for the log. */
	assert_int_equal(f->last[ENGINE_REFUSED_MASTER].other, MASTER);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/* An entry on a master made before the NS: the egress is asked. */
static void test_refuse_known_on_master(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->master_has = true;
	ns(f, 1, T0);
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(f->last[ENGINE_REFUSED_MASTER].other, MASTER);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/*
 * The masters' check is two steps: asked as an action, answered as an
 * event. Until it is answered the answer is held, nothing taken.
 */
static void test_check_pending_then_result(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->hold_checks = true;
	ns(f, 1, T0);
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(f->nchecks, 1);
	assert_int_equal(target_n(&f->checks[0].t), 1);
	assert_int_equal(C(f)->answers, 0);
	assert_int_equal(C(f)->answers_unasked, 0);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	/* Not on the master: taken as it would have been at once. */
	check_one(f);
	assert_int_equal(f->nchecks, 0);
	assert_int_equal(C(f)->answers, 1);
	assert_int_equal(count(f, CONFIRM, SLAVE(2), 1), 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(C(f)->learned_now, 1);
	/* A check number not pending (answered already) changes nothing. */
	engine_masters_checked(f->e, 1, MASTER, f->now);
	assert_int_equal(C(f)->learned_now, 1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 0);
	teardown_fake(f);
}

/*
 * The answer's link-layer address reaches the route (the kernel's entry
 * is made with it), after its masters' check too; an echo reply has none.
 */
static void test_answer_mac_to_route(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x2a };
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->hold_checks = true;
	ns(f, 1, T0);
	answer_mac(f, SLAVE(2), 1, mac, T0 + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	check_one(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_true(f->route_has_mac);
	assert_memory_equal(f->route_mac, mac, sizeof(mac));
	f->hold_checks = false;
	ns(f, 2, T0 + 3 * MS);
	answer(f, SLAVE(1), 2, T0 + 4 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 2), 1);
	assert_false(f->route_has_mac);
	/* The route from the NA brought its entry: no confirm; the echo's. */
	assert_int_equal(count(f, CONFIRM, 0, 1), 0);
	assert_int_equal(confirms(f, 2, false), 1);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 1);
	assert_int_equal(C(f)->confirms, 1);
	teardown_fake(f);
}

/*
 * Not routed (no --learn-routes, or --max-learned reached), a target's
 * confirm carries its NA's link-layer address, for the kernel's entry to
 * be written from it; an echo reply's has none (an echo request goes).
 * Without routes, no masters' check comes first.
 */
static void test_confirm_mac_unrouted(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x2b };
	struct engine_options o = defaults(false);
	struct fake *f = setup(&o, 2);

	(void)state;
	/* Nothing of the host's moves: the masters are not checked. */
	f->hold_checks = true;
	ns(f, 1, T0);
	answer_mac(f, SLAVE(2), 1, mac, T0 + 1 * MS);
	ns(f, 2, T0 + 2 * MS);
	answer(f, SLAVE(1), 2, T0 + 3 * MS);
	assert_int_equal(f->nchecks, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(count(f, CONFIRM, SLAVE(2), 1), 1);
	assert_int_equal(confirms(f, 1, true), 1);
	assert_int_equal(count(f, CONFIRM, SLAVE(1), 2), 1);
	assert_int_equal(confirms(f, 2, false), 1);
	assert_int_equal(C(f)->confirms, 2);
	teardown_fake(f);
}

/* "Usable on the master" refuses the claim, as the look-up at once did. */
static void test_check_master_refuses(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->hold_checks = true;
	f->master_has = true;
	ns(f, 1, T0);
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(f->nchecks, 1);
	assert_true(f->checks[0].master);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 0);
	check_one(f);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(f->notices[ENGINE_REFUSED_MASTER], 1);
	assert_int_equal(f->last[ENGINE_REFUSED_MASTER].other, MASTER);
	assert_int_equal(C(f)->answers, 0);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/*
 * Two answers, the second while the first's check is out: it waits and
 * is taken after it, so that every counter ends as with the check
 * answered at once (nothing counted twice, nothing lost).
 */
static void two_answers(struct fake *f, bool hold)
{
	f->hold_checks = hold;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	answer(f, SLAVE(2), 1, T0 + 3 * MS);
	if (hold) {
		/* One check out; the second answer waits, it asks nothing. */
		assert_int_equal(f->nchecks, 1);
		assert_int_equal(C(f)->answers, 0);
		assert_int_equal(C(f)->claims, 0);
		f->hold_checks = false;
		answer_checks(f);
	}
	run_until(f, 0);
}

static void test_check_second_answer_waits(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *now = setup(&o, 2), *later = setup(&o, 2);

	(void)state;
	two_answers(now, false);
	two_answers(later, true);
	assert_int_equal(later->nchecks, 0);
	/* The first learned, the second a claim on it: as without waiting. */
	assert_int_equal(C(later)->answers, 1);
	assert_int_equal(C(later)->claims, 1);
	assert_int_equal(count(later, ROUTE_ADD, SLAVE(1), 1), 1);
	assert_int_equal(count(later, ROUTE_ADD, SLAVE(2), 1), 0);
	assert_memory_equal(C(later), C(now), sizeof(*C(now)));
	assert_int_equal(later->n, now->n);
	for (size_t k = 0; k < now->n; k++) {
		assert_int_equal(later->calls[k].kind, now->calls[k].kind);
		assert_int_equal(later->calls[k].a, now->calls[k].a);
		assert_int_equal(later->calls[k].b, now->calls[k].b);
	}
	teardown_fake(now);
	teardown_fake(later);
}

/* Both on the master: each answer checked in its turn, both refused. */
static void test_check_second_answer_refused_too(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->hold_checks = true;
	f->master_has = true;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	answer(f, SLAVE(2), 1, T0 + 3 * MS);
	assert_int_equal(f->nchecks, 1);
	check_one(f);
	/* The first refused, the waiting second asks its own check. */
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(f->nchecks, 1);
	check_one(f);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 2);
	assert_int_equal(C(f)->answers, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/*
 * The resolution ends while its answer is checked (the hold-down over):
 * the record is kept until the check is answered, then the answer is not
 * taken (its resolution is over) and the record goes.
 */
static void test_check_expired_while_pending(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	f->hold_checks = true;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	assert_int_equal(f->nchecks, 1);
	run_until(f, T0 + 10 * SEC);
	assert_int_equal(C(f)->inflight, 0);
	assert_int_equal(C(f)->unanswered, 1);
	assert_int_equal(C(f)->records, 1);	/* kept for its check */
	/* A new NS meanwhile is a new resolution: the old answer is not its. */
	check_one(f);
	assert_int_equal(C(f)->answers, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->records, 0);
	/* Its slave leaves while checked: not taken either. */
	ns(f, 2, f->now + 1 * MS);
	answer(f, SLAVE(2), 2, f->now + 1 * MS);
	assert_int_equal(f->nchecks, 1);
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(2), "s2", false, f->now), 0);
	check_one(f);
	assert_int_equal(C(f)->answers, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/* An adoption waits for its check too; its outcome is counted then. */
static void test_check_adopt(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(3);

	(void)state;
	f->hold_checks = true;
	f->master_has = true;
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(1), &t, T0), 1);
	assert_int_equal(C(f)->adopted + C(f)->adopt_refused, 0);
	check_one(f);
	assert_int_equal(C(f)->adopt_refused, 1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 3), 1);
	f->master_has = false;
	t = target(4);
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(1), &t, T0), 1);
	check_one(f);
	assert_int_equal(C(f)->adopted, 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(1));
	teardown_fake(f);
}

/* Learn target 1 behind slave 1, and let its resolution end. */
static void learned_behind_1(struct fake *f)
{
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	run_until(f, 0);
	assert_int_equal(C(f)->inflight, 0);
	assert_int_equal(C(f)->learned_now, 1);
}

static void test_claim_refused(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	uint64_t t1;

	(void)state;
	learned_behind_1(f);
	t1 = f->now + 10 * SEC;
	/* The route went; the host asks on the master; slave 2 claims it. */
	ns(f, 1, t1);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);
	answer(f, SLAVE(2), 1, t1 + 1 * MS);
	assert_int_equal(C(f)->claims, 1);
	assert_int_equal(count(f, CONFIRM, SLAVE(2), 1), 0);
	/* The current location is asked again, from the keepalive budget... */
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 3);
	assert_int_equal(C(f)->keepalive_asks, 1);
	/* ...and answers: the claim is refused, the route stays. */
	answer(f, SLAVE(1), 1, t1 + 2 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_OCCUPIED], 1);
	assert_int_equal(f->notices[ENGINE_CLAIM_REFUSED], 1);
	assert_int_equal(f->last[ENGINE_CLAIM_REFUSED].slave, SLAVE(2));
	assert_int_equal(f->last[ENGINE_CLAIM_REFUSED].other, SLAVE(1));
	/* A fresh entry on slave 2 is a claim too, refused the same way. */
	neigh(f, SLAVE(2), 1, ENGINE_NEIGH_USABLE, true, t1 + 3 * MS);
	assert_int_equal(C(f)->claims, 2);
	neigh(f, SLAVE(1), 1, ENGINE_NEIGH_USABLE, true, t1 + 4 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_OCCUPIED], 2);
	/* A stale entry on slave 2 is no claim at all. */
	neigh(f, SLAVE(2), 1, ENGINE_NEIGH_USABLE, false, t1 + 5 * MS);
	assert_int_equal(C(f)->claims, 2);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 0);
	assert_int_equal(C(f)->learned_now, 1);
	teardown_fake(f);
}

static void test_claim_moves(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	uint64_t t1;

	(void)state;
	learned_behind_1(f);
	t1 = f->now + 10 * SEC;
	ns(f, 1, t1);
	answer(f, SLAVE(2), 1, t1 + 1 * MS);
	/* Not moved while the current location may still answer. */
	run_until(f, t1 + 1 * MS + o.verify_ns - 1);
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 0);
	run_until(f, t1 + 1 * MS + o.verify_ns);
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 1);
	assert_int_equal(f->calls[f->n - 2].kind, ROUTE_MOVE);
	assert_int_equal(f->calls[f->n - 2].a, SLAVE(1));
	assert_int_equal(f->calls[f->n - 2].b, SLAVE(2));
	assert_int_equal(count(f, CONFIRM, SLAVE(2), 1), 1);
	assert_int_equal(C(f)->moved, 1);
	assert_int_equal(f->notices[ENGINE_MOVED], 1);
	/* And when the current location's entry fails, at once. */
	ns(f, 1, t1 + 20 * SEC);
	answer(f, SLAVE(1), 1, t1 + 20 * SEC + 1 * MS);
	assert_int_equal(C(f)->claims, 2);
	neigh(f, SLAVE(2), 1, ENGINE_NEIGH_FAILED, false, t1 + 20 * SEC + 2 * MS);
	assert_int_equal(C(f)->moved, 2);
	assert_int_equal(count(f, ROUTE_MOVE, SLAVE(2), 1), 1);
	teardown_fake(f);
}

/*
 * The kernel refused a learned target's route, which the engine asked for
 * without waiting: the refusal comes as an event, and the target is
 * forgotten, its proxies and the route removed; its next NS learns it anew.
 */
static void test_route_failed_after_learning(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;
	struct in6_addr t = target(1);

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	engine_forwarding(f->e, 0, true);
	engine_forwarding(f->e, MASTER, true);
	learned_behind_1(f);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 1), 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(1));
	/* Not where it is learned, another group, another target: nothing. */
	engine_route_failed(f->e, GROUP, &t, SLAVE(2), f->now);
	engine_route_failed(f->e, GROUP + 1, &t, SLAVE(1), f->now);
	t = target(2);
	engine_route_failed(f->e, GROUP, &t, SLAVE(1), f->now);
	assert_int_equal(C(f)->route_failed, 0);
	assert_int_equal(C(f)->learned_now, 1);
	t = target(1);
	f->now += MS;
	engine_route_failed(f->e, GROUP, &t, SLAVE(1), f->now);
	assert_int_equal(C(f)->route_failed, 1);
	assert_int_equal(C(f)->learned_now, 0);
	assert_int_equal(C(f)->forgotten, 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), 0);
	assert_int_equal(f->notices[ENGINE_FORGOTTEN], 1);
	assert_string_equal(f->last[ENGINE_FORGOTTEN].reason,
			    "its route could not be added");
	assert_int_equal(f->last[ENGINE_FORGOTTEN].slave, SLAVE(1));
	assert_int_equal(count(f, PROXY_DEL, MASTER, 1), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	/* Said once: the same refusal again finds nothing learned there. */
	engine_route_failed(f->e, GROUP, &t, SLAVE(1), f->now);
	assert_int_equal(C(f)->route_failed, 1);
	/* Its next NS learns it anew. */
	ns(f, 1, f->now + 5 * SEC);
	answer(f, SLAVE(1), 1, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 2);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(1));
	teardown_fake(f);
}

/* The route of a move refused: forgotten as when the move failed at once. */
static void test_route_failed_move(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);
	uint64_t t1;

	(void)state;
	learned_behind_1(f);
	t1 = f->now + 10 * SEC;
	ns(f, 1, t1);
	answer(f, SLAVE(2), 1, t1 + 1 * MS);
	run_until(f, t1 + 1 * MS + o.verify_ns);
	assert_int_equal(count(f, ROUTE_MOVE, SLAVE(1), 1), 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(2));
	/* A refusal for where it was before the move is stale: ignored. */
	engine_route_failed(f->e, GROUP, &t, SLAVE(1), f->now);
	assert_int_equal(C(f)->route_failed, 0);
	engine_route_failed(f->e, GROUP, &t, SLAVE(2), f->now);
	assert_int_equal(C(f)->route_failed, 1);
	assert_int_equal(C(f)->learned_now, 0);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), 0);
	assert_string_equal(f->last[ENGINE_FORGOTTEN].reason,
			    "its route could not be moved");
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(2), 1), 1);
	teardown_fake(f);
}

/* A restored route refused: forgotten, not restored again. */
static void test_route_failed_restore(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);

	(void)state;
	learned_behind_1(f);
	f->now += SEC;
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t, f->now),
			 ENGINE_ROUTE_GONE_RESTORED);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 2);
	engine_route_failed(f->e, GROUP, &t, SLAVE(1), f->now);
	assert_int_equal(C(f)->route_failed, 1);
	assert_int_equal(C(f)->routes_restored, 1);
	assert_int_equal(C(f)->learned_now, 0);
	assert_string_equal(f->last[ENGINE_FORGOTTEN].reason,
			    "its route was deleted from outside and could not be added again");
	/* Its route's deletion event now is the engine's own. */
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t, f->now),
			 ENGINE_ROUTE_GONE_NOT_OURS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 2);
	teardown_fake(f);
}

/*
 * A learned target is confirmed after its route and the answers to those
 * waiting for it: the confirm's send is the slowest of them.
 */
static void test_confirm_after_route(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	size_t route = SIZE_MAX, confirm = SIZE_MAX;

	(void)state;
	learned_behind_1(f);
	for (size_t i = 0; i < f->n; i++) {
		if (f->calls[i].kind == ROUTE_ADD)
			route = i;
		else if (f->calls[i].kind == CONFIRM)
			confirm = i;
	}
	assert_true(route != SIZE_MAX && confirm != SIZE_MAX);
	assert_true(route < confirm);
	assert_int_equal(C(f)->confirms, 1);
	teardown_fake(f);
}

/* A route deleted from outside: added again, then given up, never fought. */
static void test_route_gone_restored(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);
	uint64_t t1;

	(void)state;
	learned_behind_1(f);
	t1 = f->now + 1 * SEC;
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(1));
	/* Not where it is learned, or not learned at all: nothing done. */
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(2), &t, t1),
			 ENGINE_ROUTE_GONE_NOT_OURS);
	t = target(2);
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t, t1),
			 ENGINE_ROUTE_GONE_NOT_OURS);
	assert_int_equal(engine_route_gone(f->e, GROUP + 1, SLAVE(1), &t, t1),
			 ENGINE_ROUTE_GONE_NOT_OURS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 1);
	/* Restored ENGINE_ROUTE_RESTORES times within the window... */
	t = target(1);
	for (unsigned int k = 1; k <= ENGINE_ROUTE_RESTORES; k++) {
		f->now = t1 + k * SEC;
		assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t,
						   f->now),
				 ENGINE_ROUTE_GONE_RESTORED);
		assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1 + k);
		assert_int_equal(f->notices[ENGINE_ROUTE_RESTORED], k);
		assert_int_equal(f->last[ENGINE_ROUTE_RESTORED].other, k);
		assert_int_equal(f->last[ENGINE_ROUTE_RESTORED].slave, SLAVE(1));
	}
	assert_int_equal(C(f)->routes_restored, ENGINE_ROUTE_RESTORES);
	assert_int_equal(C(f)->learned_now, 1);
	/* ...once more within it: forgotten, not added again. */
	f->now = t1 + (ENGINE_ROUTE_RESTORE_WINDOW_S - 1) * SEC;
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t, f->now),
			 ENGINE_ROUTE_GONE_GIVEN_UP);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1 + ENGINE_ROUTE_RESTORES);
	assert_int_equal(C(f)->routes_given_up, 1);
	assert_int_equal(C(f)->learned_now, 0);
	assert_int_equal(f->notices[ENGINE_FORGOTTEN], 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), 0);
	/* Forgotten: a later deletion event is the engine's own, ignored. */
	assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t, f->now),
			 ENGINE_ROUTE_GONE_NOT_OURS);
	teardown_fake(f);
}

/* Restores spread wider than the window are each taken as the first. */
static void test_route_gone_window(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);
	uint64_t w = ENGINE_ROUTE_RESTORE_WINDOW_S * SEC;

	(void)state;
	learned_behind_1(f);
	for (unsigned int k = 1; k <= 3 * ENGINE_ROUTE_RESTORES; k++) {
		f->now += w / 2;
		/* Keep it alive meanwhile: it answers when asked. */
		neigh(f, SLAVE(1), 1, ENGINE_NEIGH_USABLE, true, f->now);
		assert_int_equal(engine_route_gone(f->e, GROUP, SLAVE(1), &t,
						   f->now),
				 ENGINE_ROUTE_GONE_RESTORED);
		f->now += w / 2 + 1;
	}
	assert_int_equal(C(f)->routes_given_up, 0);
	assert_int_equal(C(f)->learned_now, 1);
	teardown_fake(f);
}

/* The learned targets of a group, listed for a comparison with the kernel. */
static void test_learned_list(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct engine_learned *v;
	size_t n;

	(void)state;
	assert_int_equal(engine_learned_list(f->e, GROUP, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	learned_behind_1(f);
	ns(f, 2, f->now + 1 * SEC);
	answer(f, SLAVE(2), 2, f->now + 1 * MS);
	ns(f, 3, f->now + 1 * MS);	/* in flight, not learned */
	assert_int_equal(engine_learned_list(f->e, GROUP, &v, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].slave, SLAVE(target_n(&v[i].target)));
	free(v);
	assert_int_equal(engine_learned_list(f->e, GROUP + 1, &v, &n), 0);
	assert_int_equal(n, 0);
	teardown_fake(f);
}

/* Learned targets are asked again from their own budget under a flood. */
static void test_keepalive_under_flood(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 200);
	uint64_t t1;

	(void)state;
	for (uint32_t k = 0; k < 10; k++)
		ns(f, k, T0);
	run_until(f, T0 + SEC);
	for (uint32_t k = 0; k < 10; k++)
		answer(f, SLAVE(1 + k), k, T0 + SEC);
	run_until(f, 0);
	assert_int_equal(C(f)->learned_now, 10);
	t1 = f->now + SEC;
	/* A flood: 500 targets × 200 slaves, 20 s of the ask budget. */
	for (uint32_t k = 1000; k < 1500; k++)
		ns(f, k, t1);
	/* Every learned entry is garbage-collected meanwhile. */
	for (uint32_t k = 0; k < 10; k++)
		neigh(f, SLAVE(1 + k), k, ENGINE_NEIGH_DELETED, false, t1 + 1 * MS);
	assert_int_equal(C(f)->keepalive_asks, 10);
	for (uint32_t k = 0; k < 10; k++)
		assert_int_equal(count(f, ASK, SLAVE(1 + k), k), 2);
	/* Half answer: kept. Half do not: forgotten after the window. */
	for (uint32_t k = 0; k < 5; k++)
		answer(f, SLAVE(1 + k), k, t1 + 2 * MS);
	run_until(f, t1 + 1 * MS + o.verify_ns);
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 5);
	for (uint32_t k = 5; k < 10; k++)
		assert_int_equal(count(f, ROUTE_DEL, SLAVE(1 + k), k), 1);
	assert_int_equal(C(f)->learned_now, 5);
	/* The flood went on meanwhile, at its own rate. */
	assert_true(C(f)->asks > 10 * 200 + o.ask_burst);
	assert_true(C(f)->asks < 10 * 200 + 500 * 200);
	teardown_fake(f);
}

/* A keepalive larger than its burst is deferred, never lost. */
static void test_keepalive_deferred(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.keepalive_rate = 1;
	o.keepalive_burst = 1;
	f = setup(&o, 2);
	for (uint32_t k = 0; k < 3; k++) {
		ns(f, k, T0);
		answer(f, SLAVE(1), k, T0 + 1 * MS);
	}
	run_until(f, 0);
	for (uint32_t k = 0; k < 3; k++)
		neigh(f, SLAVE(1), k, ENGINE_NEIGH_FAILED, false, f->now + 1);
	assert_int_equal(C(f)->keepalive_asks, 1);
	assert_int_equal(f->notices[ENGINE_LIMIT_KEEPALIVE], 1);
	assert_string_equal(f->last[ENGINE_LIMIT_KEEPALIVE].option, "--keepalive-rate");
	/* The deferred ones answer in time: the window starts at their ask. */
	run_until(f, f->now + 1 * SEC);
	assert_int_equal(C(f)->keepalive_asks, 2);
	answer(f, SLAVE(1), 1, f->now + 1);
	run_until(f, f->now + 1 * SEC);
	assert_int_equal(C(f)->keepalive_asks, 3);
	answer(f, SLAVE(1), 2, f->now + 1);
	run_until(f, 0);
	/* Target 0 did not answer: the only one forgotten. */
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 0), 1);
	assert_int_equal(C(f)->learned_now, 2);
	assert_int_equal(engine_next_deadline(f->e), 0);
	teardown_fake(f);
}

static void test_slave_removed_in_flight(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.ask_rate = 1;
	o.ask_burst = 1;
	f = setup(&o, 4);
	ns(f, 1, T0);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	/* One not asked yet and one already asked leave. */
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(2), NULL, false, T0 + 100 * MS), 0);
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(1), NULL, false, T0 + 200 * MS), 0);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, SLAVE(2), ANY), 0);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(4), 1), 1);
	assert_int_equal(count(f, ASK, 0, ANY), 3);
	/* Held: slave 1's answer is no longer taken, slave 3's is. */
	ns(f, 2, f->now + 1);
	run_until(f, f->now + 2 * SEC);
	assert_int_equal(count(f, ASK, 0, 2), 2);
	answer(f, SLAVE(1), 2, f->now + 1);
	assert_int_equal(C(f)->answers_unasked, 1);
	answer(f, SLAVE(4), 2, f->now + 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(4), 2), 1);
	/* A learned target leaves with its slave. */
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(4), NULL, false, f->now + 1), 0);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(4), 2), 1);
	assert_int_equal(C(f)->learned_now, 0);
	run_until(f, 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

static void test_1000_slaves(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 1000);

	(void)state;
	for (uint32_t k = 0; k < 3; k++)
		ns(f, k, T0);
	/* 3000 asks: the burst, then 5000/s. */
	run_until(f, T0 + SEC);
	assert_fanout(f, 0, 3, 1000, T0 + SEC);
	answer(f, SLAVE(1000), 2, T0 + SEC);
	assert_int_equal(count(f, CONFIRM, SLAVE(1000), 2), 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1000), 2), 1);
	run_until(f, 0);
	assert_int_equal(C(f)->records, 1);	/* the learned one */
	assert_int_equal(engine_next_deadline(f->e), 0);
	teardown_fake(f);
}

/* An interface that is master and slave is not asked for its own NS. */
static void test_mesh(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f = setup(&o, 2);
	struct in6_addr t;

	(void)state;
	assert_int_equal(engine_slave(f->e, GROUP, MASTER, "s", true, T0), 0);
	ns(f, 1, T0);
	assert_int_equal(count(f, ASK, MASTER, ANY), 0);
	assert_int_equal(count(f, ASK, 0, 1), 2);
	answer(f, MASTER, 1, T0 + 1 * MS);
	assert_int_equal(C(f)->answers_unasked, 1);
	/* From slave 1, which is a master too: every other slave is asked. */
	assert_int_equal(engine_master(f->e, GROUP, SLAVE(1), true, T0), 0);
	t = target(2);
	engine_ns_out(f->e, GROUP, SLAVE(1), &t, T0 + 2 * MS);
	assert_int_equal(count(f, ASK, SLAVE(1), 2), 0);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 1);
	assert_int_equal(count(f, ASK, MASTER, 2), 1);
	teardown_fake(f);
}

/* --proxy-ndp: the upstream's NS, when the caller says it is eligible. */
static void test_ns_in(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f;
	struct in6_addr t = target(1);

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	engine_ns_in(f->e, GROUP, MASTER, &t, false, T0);
	assert_int_equal(C(f)->ns_upstream_ignored, 1);
	assert_int_equal(count(f, ASK, 0, ANY), 0);
	engine_ns_in(f->e, GROUP, MASTER, &t, true, T0);
	/* The slaves, and the master too: the upstream's NS is not ours. */
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	answer(f, SLAVE(2), 1, T0 + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 1), 1);
	teardown_fake(f);
}

static void test_learned_full(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.max_learned = 2;
	f = setup(&o, 1);
	for (uint32_t k = 0; k < 4; k++) {
		ns(f, k, T0);
		answer(f, SLAVE(1), k, T0 + 1 * MS);
	}
	/* Found (confirmed, the kernel resolves it) but not routed. */
	assert_int_equal(count(f, CONFIRM, 0, ANY), 4);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 2);
	assert_int_equal(C(f)->learned_full, 2);
	assert_int_equal(f->notices[ENGINE_LIMIT_LEARNED], 1);
	assert_string_equal(f->last[ENGINE_LIMIT_LEARNED].option, "--max-learned");
	run_until(f, 0);
	assert_int_equal(C(f)->records, 2);
	teardown_fake(f);
}

/*
 * Past half of --max-learned, a slave gets no more than its share: one
 * guest answering for everything leaves room for the other slaves'.
 */
static void test_learned_share(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.max_learned = 8;		/* 2 slaves: a share of 4 */
	f = setup(&o, 2);
	for (uint32_t k = 1; k <= 6; k++) {
		ns(f, k, T0 + k * MS);
		answer(f, SLAVE(1), k, T0 + k * MS + 1);
	}
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), ANY), 4);
	assert_int_equal(C(f)->learned_full, 2);
	assert_int_equal(f->notices[ENGINE_LIMIT_LEARNED], 1);
	assert_int_equal(f->last[ENGINE_LIMIT_LEARNED].slave, SLAVE(1));
	assert_int_equal(f->last[ENGINE_LIMIT_LEARNED].other, 4);
	/* The other slave's guests still find room, to the end of it. */
	for (uint32_t k = 11; k <= 15; k++) {
		ns(f, k, T0 + k * MS);
		answer(f, SLAVE(2), k, T0 + k * MS + 1);
	}
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), ANY), 4);
	assert_int_equal(C(f)->learned_now, 8);
	/* One of the first slave's goes: room for one more of its own. */
	neigh(f, SLAVE(1), 1, ENGINE_NEIGH_DELETED, false, T0 + 1 * SEC);
	run_until(f, T0 + 3 * SEC);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	ns(f, 5, T0 + 4 * SEC);
	answer(f, SLAVE(1), 5, T0 + 4 * SEC + 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 5), 1);
	/* Below half of the pool, one slave may take more than its share. */
	teardown_fake(f);
	o.max_learned = 100;
	f = setup(&o, 2);
	for (uint32_t k = 1; k <= 50; k++) {
		ns(f, k, T0 + k * MS);
		answer(f, SLAVE(1), k, T0 + k * MS + 1);
	}
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), ANY), 50);
	assert_int_equal(C(f)->learned_full, 0);
	teardown_fake(f);
}

/* A route an earlier run left, adopted (its check answered at once). */
static int adopt(struct fake *f, unsigned int slave, uint32_t n, uint64_t at)
{
	struct in6_addr t = target(n);

	uint64_t refused = C(f)->adopt_refused;
	int rc;

	f->now = at;
	rc = engine_adopt(f->e, GROUP, slave, &t, at);
	if (rc != 1 || f->hold_checks)
		return rc;
	answer_checks(f);
	return C(f)->adopt_refused > refused ? -1 : 0;
}

/* Every target(n) served (-t 2001:db8::/32): neighbor entries count. */
static void serve_all(struct fake *f)
{
	struct engine_prefix p = { .addr = target(0), .len = 32 };

	assert_int_equal(engine_targets(f->e, &p, 1), 0);
}

/* A route left by an earlier run, adopted: asked at once, kept if it answers. */
static void test_adopt_answered(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr t1 = target(1);
	unsigned int s2 = SLAVE(2);
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	assert_int_equal(adopt(f, SLAVE(2), 1, T0), 0);
	/* The route is there: not added again; the proxy is made anew. */
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 1), 1);
	assert_int_equal(C(f)->adopted, 1);
	assert_int_equal(C(f)->learned_now, 1);
	assert_int_equal(f->notices[ENGINE_ADOPTED], 1);
	assert_int_equal(f->last[ENGINE_ADOPTED].slave, SLAVE(2));
	/* Verified: asked at once on its slave only, from the keep-alive budget. */
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(1), ANY), 0);
	assert_int_equal(C(f)->keepalive_asks, 1);
	assert_int_equal(C(f)->asks, 0);
	answer(f, SLAVE(2), 1, T0 + 1 * MS);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 0);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(C(f)->learned_now, 1);
	assert_int_equal(engine_next_deadline(f->e), 0);
	/* Its neighbor entry there too: nothing more happens. */
	serve_all(f);
	f->now++;
	engine_adopt_neighbor(f->e, &t1, &s2, 1, f->now);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->adopted, 1);
	assert_int_equal(C(f)->guests_known, 1);
	/* Then it lives as any learned target: a later NS costs nothing. */
	ns(f, 1, f->now + 1 * SEC);
	answer(f, SLAVE(2), 1, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->claims, 0);
	teardown_fake(f);
}

/*
 * A route adopted while its masters are checked: a route the engine
 * wrote meanwhile may have replaced or removed it, so it is written again.
 */
static void test_adopt_route_written_again(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t1 = target(1), t2 = target(2);

	(void)state;
	f->hold_checks = true;
	f->master_has = true;	/* t2 lives on the master: refused */
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(1), &t2, T0), 1);
	f->master_has = false;
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(2), &t1, T0), 1);
	check_one(f);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 1);	/* a write */
	check_one(f);
	assert_int_equal(C(f)->adopted, 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t1), SLAVE(2));
	teardown_fake(f);
}

/*
 * An adoption refused after the target was learned behind the same
 * slave meanwhile (its check answered late): the route is ours by then,
 * and stays.
 */
static void test_adopt_refused_late_keeps_learned(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t1 = target(1);
	struct fk_check c;

	(void)state;
	f->hold_checks = true;
	f->master_has = true;
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(1), &t1, T0), 1);
	f->master_has = false;
	ns(f, 1, T0 + 1 * MS);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	assert_int_equal(f->nchecks, 2);
	c = f->checks[0];		/* the answer's check first */
	f->checks[0] = f->checks[1];
	f->checks[1] = c;
	check_one(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	check_one(f);
	assert_int_equal(C(f)->adopt_refused, 1);
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 0);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t1), SLAVE(1));
	teardown_fake(f);
}

/*
 * A neighbor entry on a slave at start is a sign, not a proof (a guest
 * makes one for any address with one NS): its masters are asked first,
 * and it is routed only once its slave answered after their wait. The
 * masters' neighbor answers: never routed behind the slave.
 */
static void test_adopt_neighbor_asks_first(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t1 = target(1), t2 = target(2);
	unsigned int s1 = SLAVE(1);
	uint64_t t_wait = T0 + o.master_wait_ns;

	(void)state;
	serve_all(f);
	engine_adopt_neighbor(f->e, &t1, &s1, 1, T0);
	engine_adopt_neighbor(f->e, &t2, &s1, 1, T0);
	answer_checks(f);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	assert_int_equal(count(f, ASK, MASTER, 2), 1);
	assert_int_equal(slave_asks(f, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->adopted, 0);
	/* t2 lives on the master's link: it answers there. */
	f->now = T0 + 2 * MS;
	engine_answer(f->e, MASTER, &t2, NULL, f->now);
	answer_checks(f);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	run_until(f, t_wait);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(1), 2), 0);
	answer(f, SLAVE(1), 1, t_wait + 1 * MS);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	answer(f, SLAVE(1), 2, t_wait + 2 * MS);	/* the squatter */
	answer_checks(f);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, 2), 0);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t2), 0);
	teardown_fake(f);
}

/* Adopted routes that stay silent go, each after the verify window. */
static void test_adopt_silent_forgotten(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);

	(void)state;
	assert_int_equal(adopt(f, SLAVE(1), 1, T0), 0);
	assert_int_equal(adopt(f, SLAVE(2), 2, T0), 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->keepalive_asks, 2);
	/* Kept for the whole verify window... */
	run_until(f, T0 + o.verify_ns - 1);
	assert_int_equal(count(f, ROUTE_DEL, 0, ANY), 0);
	assert_int_equal(C(f)->learned_now, 2);
	/* ...and forgotten at its end, route removed. */
	run_until(f, T0 + o.verify_ns);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(2), 2), 1);
	assert_int_equal(C(f)->learned_now, 0);
	assert_int_equal(C(f)->forgotten, 2);
	assert_int_equal(C(f)->records, 0);
	assert_string_equal(f->last[ENGINE_FORGOTTEN].reason,
			    "did not answer when asked again");
	teardown_fake(f);
}

/* Refused as an answer would be; a refused route is removed. */
static void test_adopt_refused(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);

	(void)state;
	assert_int_equal(engine_local_addr(f->e, MASTER, &t, 128, true), 0);
	assert_int_equal(adopt(f, SLAVE(1), 1, T0), -1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_LOCAL], 1);
	assert_int_equal(f->notices[ENGINE_REFUSED_LOCAL], 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	/* Usable on a master: not behind a slave. */
	f->master_has = true;
	assert_int_equal(adopt(f, SLAVE(1), 2, T0), -1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	assert_int_equal(f->last[ENGINE_REFUSED_MASTER].other, MASTER);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 1);
	f->master_has = false;
	/* A slave that is not (any more) in the group: removed as a purge. */
	assert_int_equal(adopt(f, SLAVE(9), 3, T0), -1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(9), 3), 1);
	/* Learned behind another slave already: that one stays. */
	assert_int_equal(adopt(f, SLAVE(1), 4, T0), 0);
	assert_int_equal(adopt(f, SLAVE(2), 4, T0), -1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(2), 4), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 4), 0);
	assert_int_equal(C(f)->adopted, 1);
	assert_int_equal(C(f)->adopt_refused, 4);
	assert_int_equal(C(f)->learned_now, 1);
	assert_int_equal(C(f)->records, 1);
	teardown_fake(f);
}

/* Beyond --max-learned: counted, said once, the route removed. */
static void test_adopt_full(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.max_learned = 2;
	f = setup(&o, 1);
	for (uint32_t k = 0; k < 4; k++)
		adopt(f, SLAVE(1), k, T0);
	assert_int_equal(C(f)->adopted, 2);
	assert_int_equal(C(f)->learned_now, 2);
	assert_int_equal(C(f)->learned_full, 2);
	assert_int_equal(C(f)->adopt_refused, 2);
	assert_int_equal(f->notices[ENGINE_LIMIT_LEARNED], 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 3), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 0), 0);
	assert_int_equal(C(f)->records, 2);
	teardown_fake(f);
}

/* Nothing to do, no deadline; and unknown groups cost nothing. */
static void test_idle(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f = setup(&o, 2);
	struct in6_addr t = target(1);

	(void)state;
	assert_int_equal(engine_next_deadline(f->e), 0);
	engine_ns_out(f->e, GROUP + 1, MASTER, &t, T0);
	assert_int_equal(C(f)->ns_no_group, 1);
	assert_int_equal(engine_next_deadline(f->e), 0);
	ns(f, 1, T0);
	/* Nothing waits for the hold-down's end: the timer may be late. */
	assert_int_equal(engine_next_deadline(f->e),
			 T0 + o.holddown_ns + ENGINE_HELD_SLACK_MS * MS);
	run_until(f, 0);
	assert_int_equal(engine_next_deadline(f->e), 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

/*
 * A hold-down is over on time for an event, late only for the timer; and
 * on time for the timer too when a target waits for its place in flight.
 */
static void test_holddown_slack(void **state)
{
	struct engine_options o = defaults(false);
	struct fake *f;

	(void)state;
	o.max_inflight = 1;
	f = setup(&o, 2);
	ns(f, 1, T0);
	assert_int_equal(C(f)->asks, 2);
	ns(f, 1, T0 + o.holddown_ns);	/* the timer has not run: a new round */
	assert_int_equal(C(f)->asks, 4);
	assert_int_equal(C(f)->ns_free, 0);
	ns(f, 2, T0 + o.holddown_ns + 1);	/* queued behind target 1 */
	assert_int_equal(C(f)->queued, 1);
	assert_int_equal(engine_next_deadline(f->e), T0 + 2 * o.holddown_ns);
	teardown_fake(f);
}

/* The keyed hash spreads targets that differ in a few bits only. */
static void test_many_records(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 1);

	(void)state;
	for (uint32_t k = 0; k < 4000; k++)
		ns(f, k << 8, T0);
	run_until(f, T0 + 2 * SEC);
	for (uint32_t k = 0; k < 4000; k++)
		answer(f, SLAVE(1), k << 8, T0 + 2 * SEC);
	assert_int_equal(C(f)->learned_now, 4000);
	run_until(f, 0);
	assert_int_equal(C(f)->records, 4000);
	/* Each is still found by its key. */
	for (uint32_t k = 0; k < 4000; k++)
		neigh(f, SLAVE(1), k << 8, ENGINE_NEIGH_FAILED, false, f->now);
	assert_int_equal(C(f)->keepalive_asks, o.keepalive_burst);
	run_until(f, 0);
	assert_int_equal(C(f)->keepalive_asks, 4000);
	assert_int_equal(C(f)->learned_now, 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

/* Options that would stop all work, and a missing action, are refused. */
static void test_init_refuses(void **state)
{
	struct engine_options o = defaults(false);
	struct engine_egress eg = { .ask = fk_ask, .confirm = fk_confirm };
	struct engine *e;

	(void)state;
	o.max_inflight = 0;
	assert_null(engine_init(&o, &eg, T0));
	o = defaults(true);
	assert_null(engine_init(&o, &eg, T0));	/* no route actions */
	o = defaults(false);
	e = engine_init(&o, &eg, T0);
	assert_non_null(e);
	engine_free(e);
}

static void guest(struct fake *f, unsigned int slave, uint32_t n,
		  enum engine_guest_sign sign, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_guest(f->e, GROUP, slave, &t, sign, at);
}

/* A guest's DAD NS: its slave alone is asked, once DAD is over, and learned. */
static void test_guest_dad(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 4);
	uint64_t due = T0 + o.guest_delay_ns;

	(void)state;
	guest(f, SLAVE(3), 1, ENGINE_GUEST_DAD, T0);
	/* The master at once: does the address live on its link? */
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	assert_int_equal(slave_asks(f, ANY), 0);	/* tentative: not yet */
	assert_int_equal(engine_next_deadline(f->e), due);
	run_until(f, due - 1);
	assert_int_equal(slave_asks(f, ANY), 0);
	run_until(f, due);
	assert_int_equal(slave_asks(f, ANY), 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 1);
	answer(f, SLAVE(3), 1, due + 1 * MS);
	assert_int_equal(count(f, CONFIRM, SLAVE(3), 1), 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(3), 1), 1);
	assert_int_equal(C(f)->guests, 1);
	/* The same sign again, learned there: nothing more. */
	guest(f, SLAVE(3), 1, ENGINE_GUEST_DAD, due + 2 * MS);
	assert_int_equal(C(f)->guests_known, 1);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, 0, ANY), 2);
	assert_int_equal(C(f)->records, 1);
	teardown_fake(f);
}

/*
 * A guest's slave leaves the group while its sign waits, or while its
 * DAD address is asked again: nobody is left to ask, nothing is kept.
 */
static void test_guest_slave_removed(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	uint64_t due = T0 + o.guest_delay_ns;
	size_t asks;

	(void)state;
	guest(f, SLAVE(1), 1, ENGINE_GUEST_DAD, T0);
	guest(f, SLAVE(2), 2, ENGINE_GUEST_DAD, T0);
	assert_int_equal(C(f)->guests_waiting, 2);
	f->now = T0 + 1 * MS;
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(1), NULL, false, f->now), 0);
	assert_int_equal(C(f)->guests_waiting, 1);
	run_until(f, due);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 1);	/* tentative */
	asks = count(f, ASK, SLAVE(2), 2);
	f->now = due + 1 * MS;
	assert_int_equal(engine_slave(f->e, GROUP, SLAVE(2), NULL, false, f->now), 0);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, SLAVE(1), ANY), 0);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), asks);
	assert_int_equal(C(f)->guest_reasks, 0);
	assert_int_equal(C(f)->inflight, 0);
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

/*
 * A DAD guest's address asked again while tentative, then adopted (a
 * route of ours found by a reconcile): the keep-alive takes the record's
 * k-links, its re-asks end (they shared the links, and the lists broke).
 */
static void test_guest_reask_then_adopted(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	uint64_t due = T0 + o.guest_delay_ns;
	struct in6_addr t = target(1);

	(void)state;
	guest(f, SLAVE(1), 1, ENGINE_GUEST_DAD, T0);
	run_until(f, due);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);	/* re-asks due */
	f->now = due + 1 * MS;
	assert_int_equal(engine_adopt(f->e, GROUP, SLAVE(2), &t, f->now), 1);
	answer_checks(f);
	assert_int_equal(C(f)->adopted, 1);
	run_until(f, 0);
	assert_int_equal(C(f)->guest_reasks, 0);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t), 0);	/* silent */
	assert_int_equal(C(f)->records, 0);
	teardown_fake(f);
}

/*
 * An answer kept behind a check that is answered late, inside a later
 * resolution's masters' window: it waits for that window, once (taking
 * it again and again never ended).
 */
static void test_waiting_behind_late_check(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;
	uint64_t t1;

	(void)state;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 2);
	f->hold_checks = true;
	ns(f, 1, T0);
	answer(f, SLAVE(2), 1, T0 + 1 * MS);	/* in the window: waits */
	run_until(f, T0 + 50 * MS);
	assert_int_equal(f->nchecks, 1);		/* taken: its check out */
	t1 = T0 + 10 * SEC;
	run_until(f, t1);
	ns(f, 1, t1);					/* a new resolution */
	answer(f, SLAVE(1), 1, t1 + 1 * MS);		/* behind the check */
	check_one(f);					/* the old round's */
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	f->hold_checks = false;
	run_until(f, t1 + 50 * MS);			/* the window ends */
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	teardown_fake(f);
}

/* A packet from the address: asked at once; others' answers do not count. */
static void test_guest_source(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 4);

	(void)state;
	uint64_t t1 = T0 + o.master_wait_ns;

	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0);
	/* The master first, given master_wait to answer; then its slave. */
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	assert_int_equal(slave_asks(f, ANY), 0);
	run_until(f, t1);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	assert_int_equal(slave_asks(f, ANY), 1);
	answer(f, SLAVE(4), 1, t1 + 1 * MS);	/* not asked there */
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->answers_unasked, 1);
	answer(f, SLAVE(2), 1, t1 + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	teardown_fake(f);
}

/*
 * The host's NS while a guest's ask waits: its slave is asked now, and
 * the others once it has had likely_wait to answer (a DAD guest's
 * address is still tentative: it does not).
 */
static void test_guest_then_ns(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 3);

	(void)state;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_DAD, T0);
	ns(f, 1, T0 + 10 * MS);
	assert_int_equal(slave_asks(f, 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	assert_int_equal(C(f)->guests_waiting, 0);
	run_until(f, 0);
	assert_int_equal(slave_asks(f, 1), 3);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);	/* not again */
	teardown_fake(f);
}

/*
 * The host's NS while a guest's sign waits on slave 2: slave 2 (most
 * likely where it lives) is asked alone; its answer is learned, and the
 * other slaves are never asked about the address.
 */
static void test_guest_then_ns_asks_sign_first(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 3);

	(void)state;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0);
	f->n = 0;
	ns(f, 1, T0 + 1 * MS);
	assert_int_equal(slave_asks(f, 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	answer(f, SLAVE(2), 1, T0 + 1 * MS + MS / 10);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	run_until(f, T0 + 2 * SEC);
	assert_int_equal(slave_asks(f, 1), 1);
	/* A resolution of its own afterwards: the slaves in their order. */
	ns(f, 2, T0 + 3 * SEC);
	assert_true(first(f, ASK, SLAVE(1), 2) < first(f, ASK, SLAVE(2), 2));
	assert_true(first(f, ASK, SLAVE(2), 2) < first(f, ASK, SLAVE(3), 2));
	teardown_fake(f);
}

/*
 * The sign's slave silent (the guest moved behind slave 3): the others
 * are asked, in their order, when its likely_wait ends and not before;
 * a target after it meanwhile is not kept waiting; slave 3's answer is
 * learned.
 */
static void test_guest_then_ns_sign_silent(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 3);
	uint64_t t = T0 + 1 * MS;

	(void)state;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0);
	ns(f, 1, t);
	assert_int_equal(slave_asks(f, 1), 1);
	assert_int_equal(engine_next_deadline(f->e), t + o.likely_wait_ns);
	ns(f, 2, t + 1 * MS);
	assert_int_equal(slave_asks(f, 2), 3);
	run_until(f, t + o.likely_wait_ns - 1);
	assert_int_equal(slave_asks(f, 1), 1);
	run_until(f, t + o.likely_wait_ns);
	assert_int_equal(slave_asks(f, 1), 3);
	assert_true(first(f, ASK, SLAVE(2), 1) < first(f, ASK, SLAVE(1), 1));
	assert_true(first(f, ASK, SLAVE(1), 1) < first(f, ASK, SLAVE(3), 1));
	answer(f, SLAVE(3), 1, t + o.likely_wait_ns + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(3), 1), 1);
	teardown_fake(f);
}

/*
 * A guest's sign on slave 2 for target 1, slave 2 asked alone and silent
 * (the address lives behind slave 1: a guest that moved, or a spoofed
 * sign): the host's NS for it within the hold-down asks every slave at
 * once, and slave 1's answer is learned.
 */
static void test_sign_silent_then_ns_asks_all(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 3);
	uint64_t t = T0 + o.master_wait_ns + 100 * MS;

	(void)state;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0);
	run_until(f, T0 + o.master_wait_ns + 10 * MS);
	assert_int_equal(slave_asks(f, 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	ns(f, 1, t);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 1);
	answer(f, SLAVE(1), 1, t + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	teardown_fake(f);
}

/*
 * The same with the ask rate spent after one ask: slave 3, the sign's,
 * is the one asked, and its answer is taken although the slaves before
 * it in order are not asked yet; a slave not asked is not believed.
 */
static void test_guest_then_ns_sign_first_rate_spent(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;
	size_t asks;

	(void)state;
	o.ask_rate = 1;
	o.ask_burst = 2;	/* the master's ask for the sign, and one */
	f = setup(&o, 3);
	guest(f, SLAVE(3), 1, ENGINE_GUEST_SOURCE, T0 + 2 * SEC);
	f->n = 0;
	ns(f, 1, T0 + 2 * SEC + 1 * MS);
	asks = count(f, ASK, SLAVE(1), 1) + count(f, ASK, SLAVE(2), 1) +
	       count(f, ASK, SLAVE(3), 1);
	assert_int_equal(asks, 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 1);
	answer(f, SLAVE(1), 1, T0 + 2 * SEC + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, 1), 0);
	answer(f, SLAVE(3), 1, T0 + 2 * SEC + 3 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(3), 1), 1);
	teardown_fake(f);
}

/*
 * A guest behind slave 2 sending from target 1, learned behind slave 1:
 * asked on 2; its answer is a claim, checked where 1 lives; 1 answers
 * there, so the route stays.
 */
static void test_guest_cannot_steal(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	size_t asked2;
	uint64_t t1;

	(void)state;
	learned_behind_1(f);
	asked2 = count(f, ASK, SLAVE(2), 1);
	t1 = f->now + 1 * MS;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, t1);
	/* The location is asked again at once: has it moved? */
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);
	run_until(f, t1 + o.master_wait_ns);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), asked2 + 1);
	t1 += o.master_wait_ns;
	answer(f, SLAVE(2), 1, t1 + 1 * MS);
	assert_int_equal(C(f)->claims, 1);
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 0);
	/* The location answers: the claim is refused. */
	answer(f, SLAVE(1), 1, t1 + 2 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_OCCUPIED], 1);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 0);
	teardown_fake(f);
}

/* A sign on another slave while a guest's resolution is held: asked now. */
static void test_guest_other_slave_held(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 3);

	(void)state;
	uint64_t w = o.master_wait_ns;

	guest(f, SLAVE(1), 1, ENGINE_GUEST_SOURCE, T0);
	run_until(f, T0 + w);
	answer(f, SLAVE(1), 1, T0 + w + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0 + w + 5 * MS);
	run_until(f, T0 + 2 * w + 5 * MS);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 0);
	/* Its answer is a claim, checked where the target lives. */
	answer(f, SLAVE(2), 1, T0 + 2 * w + 6 * MS);
	assert_int_equal(C(f)->claims, 1);
	run_until(f, 0);
	assert_int_equal(C(f)->inflight, 0);
	teardown_fake(f);
}


/* ---- trust: scope, bindings, the masters asked, moves, fair shares ---- */

/* The main table as the daemon feeds it: 2001:db8::/32 on-link on MASTER. */
static void route(struct fake *f, const char *dst, uint8_t len,
		  unsigned int ifindex, bool onlink, bool present)
{
	struct engine_route rt = { .len = len, .ifindex = ifindex,
				   .metric = 256, .onlink = onlink };

	assert_int_equal(inet_pton(AF_INET6, dst, &rt.dst), 1);
	assert_int_equal(engine_route(f->e, &rt, present, f->now), 0);
}

static struct fake *setup_scoped(unsigned int nslaves)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	o.scope = true;
	f = setup(&o, nslaves);
	route(f, "2001:db8::", 32, MASTER, true, true);
	route(f, "::", 0, MASTER, false, true);	/* default, via a router */
	return f;
}

static void guest_addr(struct fake *f, unsigned int slave, const char *a,
		       uint64_t at)
{
	struct in6_addr t;

	assert_int_equal(inet_pton(AF_INET6, a, &t), 1);
	f->now = at;
	engine_guest(f->e, GROUP, slave, &t, ENGINE_GUEST_SOURCE, at);
}

/* A guest's sign and answer, learned behind slave at about `at`. */
static void guest_learned(struct fake *f, unsigned int slave, uint32_t n,
			  uint64_t at)
{
	guest(f, slave, n, ENGINE_GUEST_SOURCE, at);
	run_until(f, at + ENGINE_DEFAULT_MASTER_WAIT_MS * MS);
	answer(f, slave, n, f->now + 1 * MS);
}

/* An internet address, or one routed via a router, is no guest's. */
static void test_scope(void **state)
{
	struct fake *f = setup_scoped(2);

	(void)state;
	guest_addr(f, SLAVE(1), "2001:db9::53", T0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_SCOPE], 1);
	assert_int_equal(count(f, ASK, 0, ANY), 0);
	assert_int_equal(f->notices[ENGINE_REFUSED_SCOPE], 1);
	/* Inside the master's prefix: asked, and learned. */
	guest_learned(f, SLAVE(1), 1, T0 + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	/* A more specific route via a router takes it out: forgotten. */
	route(f, "2001:db8::", 120, MASTER, false, true);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->learned_now, 0);
	guest_learned(f, SLAVE(1), 1, f->now + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_SCOPE], 3);
	/* Gone again: in scope again (once the hold-down is over). */
	route(f, "2001:db8::", 120, MASTER, false, false);
	run_until(f, 0);
	guest_learned(f, SLAVE(1), 1, f->now + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 2);
	teardown_fake(f);
}

/* Another slave's own on-link route: only that slave may have it. */
static void test_scope_slave_route(void **state)
{
	struct fake *f = setup_scoped(2);

	(void)state;
	route(f, "2001:db8::", 120, SLAVE(2), true, true);
	guest_learned(f, SLAVE(1), 5, T0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_SCOPE], 1);
	guest_learned(f, SLAVE(2), 5, f->now + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 5), 1);
	teardown_fake(f);
}

/* The host's NS path is scoped too: an answer out of scope is refused. */
static void test_scope_answer(void **state)
{
	struct fake *f = setup_scoped(2);

	(void)state;
	route(f, "2001:db8::", 120, MASTER, false, true);
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_SCOPE], 1);
	teardown_fake(f);
}

static void bind_to(struct fake *f, const char *ifname, bool prefix,
		 uint32_t lo, uint32_t hi)
{
	struct engine_binding b = { .prefix = prefix, .lo = target(lo),
				    .hi = target(hi) };

	snprintf(b.ifname, sizeof(b.ifname), "%s", ifname);
	assert_int_equal(engine_bindings(f->e, GROUP, &b, 1, f->now), 0);
}

/*
 * A claim being checked when a binding comes that forbids the claimant:
 * the silent location is forgotten, and the claimant refused, not moved
 * to.
 */
static void test_claim_then_bound_elsewhere(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t1 = target(1);

	(void)state;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	run_until(f, T0 + 5 * SEC);
	neigh(f, SLAVE(2), 1, ENGINE_NEIGH_USABLE, true, f->now + 1);
	assert_int_equal(C(f)->claims, 1);
	bind_to(f, "s1", false, 1, 1);
	run_until(f, f->now + 2 * SEC);		/* s1 stays silent */
	assert_int_equal(count(f, ROUTE_MOVE, 0, ANY), 0);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_BINDING], 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t1), 0);
	teardown_fake(f);
}

/* Bound addresses live only behind their slaves; bound slaves have only those. */
static void test_bindings(void **state)
{
	struct fake *f = setup_scoped(3);

	(void)state;
	bind_to(f, "s1", false, 1, 10);
	guest_learned(f, SLAVE(2), 5, T0);		/* bound to s1 */
	guest_learned(f, SLAVE(1), 20, f->now + 10 * MS);	/* not s1's */
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_BINDING], 2);
	assert_int_equal(f->notices[ENGINE_REFUSED_BINDING], 2);
	guest_learned(f, SLAVE(1), 5, f->now + 10 * MS);
	guest_learned(f, SLAVE(3), 20, f->now + 10 * MS);	/* unbound */
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 5), 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(3), 20), 1);
	/* The host's NS: an unbound slave's answer for a bound one refused. */
	ns(f, 7, f->now + 10 * MS);
	answer(f, SLAVE(2), 7, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, 7), 0);
	answer(f, SLAVE(1), 7, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 7), 1);
	/* New bindings: what they forbid where it is goes. */
	bind_to(f, "s", true, 20, 20);	/* "s*" */
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 5), 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(3), 20), 0);
	assert_int_equal(engine_bindings(f->e, GROUP, NULL, 0, f->now), 0);
	guest_learned(f, SLAVE(2), 5, f->now + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 5), 1);
	teardown_fake(f);
}

/* The upstream router's address claimed by a guest: its master answers. */
static void test_master_refuses_guest(void **state)
{
	struct fake *f = setup_scoped(2);
	uint64_t due = T0 + ENGINE_DEFAULT_GUEST_DELAY_MS * MS;

	(void)state;
	guest(f, SLAVE(1), 1, ENGINE_GUEST_DAD, T0);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	answer(f, MASTER, 1, T0 + 2 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	run_until(f, due + SEC);
	assert_int_equal(slave_asks(f, 1), 0);	/* never asked behind s1 */
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->records, 0);
	/* A master that answers late takes a learned one back. */
	guest_learned(f, SLAVE(1), 2, f->now + 10 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 2), 1);
	answer(f, MASTER, 2, f->now + 5 * MS);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 1);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 2);
	/* Long after its masters were asked, a stray NA changes nothing. */
	guest_learned(f, SLAVE(1), 3, f->now + 10 * MS);
	run_until(f, 0);
	answer(f, MASTER, 3, f->now + 10 * SEC);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 3), 0);
	teardown_fake(f);
}

/* A guest that moved and talks: followed within about a second. */
static void test_move_followed(void **state)
{
	struct fake *f = setup_scoped(2);
	uint64_t t1;

	(void)state;
	guest_learned(f, SLAVE(1), 1, T0);
	run_until(f, 0);
	t1 = f->now + 10 * SEC;
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, t1);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);	/* at once */
	run_until(f, t1 + ENGINE_DEFAULT_MASTER_WAIT_MS * MS);
	answer(f, SLAVE(2), 1, f->now + 1 * MS);
	assert_int_equal(C(f)->claims, 1);
	run_until(f, t1 + 2 * SEC);
	assert_int_equal(count(f, ROUTE_MOVE, SLAVE(1), 1), 1);
	for (size_t k = 0; k < f->n; k++)
		if (f->calls[k].kind == ROUTE_MOVE)
			assert_true(f->calls[k].at <= t1 + 1100 * MS);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &(struct in6_addr){
		.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }), SLAVE(2));
	teardown_fake(f);
}

/* A silent guest that moved: the host's probing entry finds it again. */
static void test_probe_finds_move(void **state)
{
	struct fake *f = setup_scoped(3);
	uint64_t t1;

	(void)state;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	run_until(f, 0);
	t1 = f->now + 10 * SEC;
	neigh(f, SLAVE(1), 1, ENGINE_NEIGH_PROBE, false, t1);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);	/* asked again */
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 1);
	run_until(f, t1 + ENGINE_DEFAULT_VERIFY_MS * MS);
	/* Silent there: forgotten, and every slave asked at once. */
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 1), 2);
	answer(f, SLAVE(3), 1, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(3), 1), 1);
	/* An entry that probes and answers costs one ask, nothing more. */
	run_until(f, 0);
	neigh(f, SLAVE(3), 1, ENGINE_NEIGH_PROBE, false, f->now + 10 * SEC);
	neigh(f, SLAVE(3), 1, ENGINE_NEIGH_USABLE, true, f->now + 1 * MS);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 2);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(3), 1), 0);
	teardown_fake(f);
}

/*
 * The host's NS asked everywhere and nobody answered (or a squatter, whose
 * answer was refused); the owner comes up behind slave 2 and talks: its
 * slave is asked now, not after the hold-down. A sign right after the
 * asks may be the answer passing by: the resolution goes on.
 */
static void test_guest_after_unanswered(void **state)
{
	struct fake *f = setup_scoped(2);
	uint64_t w = ENGINE_DEFAULT_MASTER_WAIT_MS * MS;

	(void)state;
	ns(f, 1, T0);
	assert_int_equal(slave_asks(f, 1), 2);
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0 + 1 * MS);
	assert_int_equal(C(f)->guests_known, 1);
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0 + 2 * w);
	assert_int_equal(C(f)->guests, 1);
	run_until(f, T0 + 3 * w);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 2);
	answer(f, SLAVE(2), 1, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	teardown_fake(f);
}

/*
 * A guest whose DAD runs a little late: still tentative at the first ask,
 * asked again 50 ms later, found then; asked no more once it answered.
 */
static void test_guest_dad_reasked(void **state)
{
	struct fake *f = setup_scoped(2);
	uint64_t due = T0 + ENGINE_DEFAULT_GUEST_DELAY_MS * MS;
	uint64_t step = ENGINE_GUEST_REASK_MS * MS;

	(void)state;
	guest(f, SLAVE(1), 1, ENGINE_GUEST_DAD, T0);
	run_until(f, due);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1);
	run_until(f, due + step);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);
	answer(f, SLAVE(1), 1, due + step + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);
	/* Nobody there: asked ENGINE_GUEST_REASKS times more, then no more. */
	guest(f, SLAVE(2), 2, ENGINE_GUEST_DAD, f->now + 1 * SEC);
	run_until(f, 0);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 1 + ENGINE_GUEST_REASKS);
	assert_int_equal(C(f)->guest_reasks, 1 + ENGINE_GUEST_REASKS);
	assert_int_equal(C(f)->records, 1);
	teardown_fake(f);
}

/*
 * A container that vanished after the kernel let go of its entry: asked
 * when idle, from a budget of its own, and forgotten after 3 misses; one
 * that answers stays, asked again a while later.
 */
static void test_idle_vanished(void **state)
{
	struct engine_options o = defaults(true);
	uint64_t idle = ENGINE_IDLE_VERIFY_S * SEC, t1;
	struct fake *f;

	(void)state;
	o.idle_verify_ns = idle;
	f = setup(&o, 2);
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	ns(f, 2, T0 + 2 * MS);
	answer(f, SLAVE(2), 2, T0 + 3 * MS);
	assert_int_equal(C(f)->learned_now, 2);
	/* Idle: asked once each at 30 s; 2 answers, 1 does not. */
	run_until(f, T0 + idle + 10 * MS);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 2);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 2);
	answer(f, SLAVE(2), 2, f->now + 1 * MS);
	run_until(f, T0 + idle + 5 * SEC);
	assert_int_equal(count(f, ASK, SLAVE(1), 1), 1 + ENGINE_IDLE_MISSES);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->vanished, 1);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(2), 2), 0);
	/* The one that answered is asked again 30 s after its answer. */
	t1 = f->now;
	run_until(f, T0 + 2 * idle + 20 * MS);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 3);
	/* A fresh REACHABLE from the kernel counts as an answer. */
	neigh(f, SLAVE(2), 2, ENGINE_NEIGH_USABLE, true, f->now + 1 * MS);
	run_until(f, f->now + 20 * SEC);
	assert_int_equal(count(f, ASK, SLAVE(2), 2), 3);
	assert_int_equal(C(f)->learned_now, 1);
	assert_true(t1 > 0);
	teardown_fake(f);
}

/*
 * Guests with the whole prefix on-link: their NS for an address elsewhere
 * is answered where it is known, found first where it is not; never for
 * one behind their own slave, nor outside the master's link.
 */
static void test_guest_ns(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr host = target(99), out;
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	o.scope = true;
	f = setup(&o, 3);
	route(f, "2001:db8::", 32, MASTER, true, true);
	assert_int_equal(engine_local_addr(f->e, MASTER, &host, 128, true), 0);
	/* The host's own: at once. */
	fk_guest_ns(f, GROUP, SLAVE(1), &host, T0);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 99), 1);
	/* Learned behind slave 2: at once, saying where. */
	ns(f, 5, T0 + 1 * MS);
	answer(f, SLAVE(2), 5, T0 + 2 * MS);
	run_until(f, 0);
	f->n = 0;
	fk_guest_ns(f, GROUP, SLAVE(1), &(struct in6_addr){ .s6_addr =
			{ 0x20, 0x01, 0x0d, 0xb8, [15] = 5 } }, f->now + 1);
	assert_int_equal(count(f, ANSWER_GUESTS, SLAVE(2), 5), 1);
	/* ...but never to a guest behind slave 2 itself. */
	fk_guest_ns(f, GROUP, SLAVE(2), &(struct in6_addr){ .s6_addr =
			{ 0x20, 0x01, 0x0d, 0xb8, [15] = 5 } }, f->now + 2);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 5), 1);
	/* Unknown: every slave (its own first) and the master asked. */
	f->n = 0;
	fk_guest_ns(f, GROUP, SLAVE(1), &(struct in6_addr){ .s6_addr =
			{ 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } }, f->now + 3);
	assert_int_equal(count(f, ASK, SLAVE(1), 7), 1);
	assert_int_equal(count(f, ASK, SLAVE(3), 7), 1);
	assert_true(first(f, ASK, SLAVE(1), 7) < first(f, ASK, SLAVE(2), 7));
	assert_int_equal(count(f, ASK, MASTER, 7), 1);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 7), 0);
	answer(f, MASTER, 7, f->now + 1 * MS);	/* the upstream router */
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 7), 1);
	/* Outside the master's link: ignored. */
	assert_int_equal(inet_pton(AF_INET6, "2001:db9::1", &out), 1);
	f->n = 0;
	fk_guest_ns(f, GROUP, SLAVE(1), &out, f->now + 5 * MS);
	assert_int_equal(f->n, 0);
	assert_int_equal(C(f)->guest_ns_ignored, 2);
	assert_int_equal(C(f)->guest_ns_answered, 2);
	teardown_fake(f);
}

/* A guest's NS, its target found: answered after the route, before the proxy entries. */
static void test_guest_ns_answer_before_proxy(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;
	size_t answered;

	(void)state;
	o.proxy_ndp = true;
	o.scope = true;
	f = setup(&o, 3);
	route(f, "2001:db8::", 32, MASTER, true, true);
	fk_guest_ns(f, GROUP, SLAVE(1), &(struct in6_addr){ .s6_addr =
			{ 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } }, T0);
	assert_int_equal(count(f, ASK, SLAVE(3), 7), 1);
	answer(f, SLAVE(3), 7, T0 + 1 * MS);
	answered = first(f, ANSWER_GUESTS, SLAVE(3), 7);
	assert_true(answered < f->n);
	assert_true(first(f, ROUTE_ADD, SLAVE(3), 7) < answered);
	assert_int_equal(count(f, PROXY_ADD, MASTER, 7), 1);
	assert_true(answered < first(f, PROXY_ADD, MASTER, 7));
	teardown_fake(f);
}

static void guest_ns(struct fake *f, unsigned int slave, uint32_t n, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_guest_ns(f->e, GROUP, slave, &t, at);
	answer_checks(f);
}

/*
 * The NS the daemon answers itself (engine_asker()): one asker from 2001:db8::1:<who>
 * with MAC <mac0>:01:02:03:04:05, for target(n) on ifindex.
 */
static void asker(struct fake *f, unsigned int ifindex, uint32_t n,
		  uint32_t who, uint8_t mac0, bool guest, uint64_t at)
{
	struct in6_addr t = target(n), s = target(0x10000 + who);
	uint8_t mac[6] = { mac0, 1, 2, 3, 4, 5 };

	f->now = at;
	engine_asker(f->e, ifindex, &t, &s, mac, guest, at);
}

/*
 * A guest on a bridge asks for its neighbor there: its own slave is
 * asked first and the neighbor's answer wins over a claim from another
 * slave; the asker is not answered (its neighbor answers it).
 */
static void test_guest_ns_own_bridge(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	o.scope = true;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 3);
	route(f, "2001:db8::", 32, MASTER, true, true);
	asker(f, SLAVE(2), 8, 1, 2, true, T0);
	guest_ns(f, SLAVE(2), 8, T0);
	assert_int_equal(count(f, ASK, SLAVE(2), 8), 1);
	assert_true(first(f, ASK, SLAVE(2), 8) < first(f, ASK, SLAVE(1), 8));
	answer(f, SLAVE(2), 8, T0 + 1 * MS);		/* its neighbor */
	answer(f, SLAVE(1), 8, T0 + 2 * MS);		/* a squatter */
	answer_checks(f);
	run_until(f, T0 + 50 * MS);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 8), 1);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 8), 0);
	assert_int_equal(count(f, ANSWER_GUESTS, SLAVE(2), 8), 1);
	assert_int_equal(f->ngaskers, 0);		/* not the asker */
	teardown_fake(f);
}

/* target(n) learned behind SLAVE(1) at `at`: its proxy entry added on MASTER. */
static void learn(struct fake *f, uint32_t n, uint64_t at)
{
	ns(f, n, at);
	answer(f, SLAVE(1), n, at + 1 * MS);
	assert_int_equal(count(f, PROXY_ADD, MASTER, n), 1);
}

/*
 * A learned target: the host taking its address removes it from its
 * slave; a stale entry on the master (anyone makes one) neither tells
 * its guests it lives there nor moves it, a fresh one does.
 */
static void test_learned_local_and_master_entries(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr t1 = target(1);
	struct fake *f;
	size_t on_master = 0;

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	learn(f, 1, T0);
	learn(f, 2, T0 + 10 * MS);
	run_until(f, T0 + 5 * SEC);
	assert_int_equal(engine_local_addr(f->e, MASTER, &t1, 64, true), 0);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 1), 1);
	assert_int_equal(count(f, PROXY_DEL, MASTER, 1), 1);
	assert_int_equal(engine_learned_slave(f->e, GROUP, &t1), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_LOCAL], 1);
	/* target 2: a stale entry on the master, then a fresh one. */
	ns(f, 2, f->now + 1 * MS);	/* its entry went: asked again */
	neigh(f, MASTER, 2, ENGINE_NEIGH_USABLE, false, f->now + 1 * MS);
	for (size_t k = 0; k < f->n; k++)
		on_master += f->calls[k].kind == ANSWER_GUESTS && !f->calls[k].a;
	assert_int_equal(on_master, 0);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 0);
	neigh(f, MASTER, 2, ENGINE_NEIGH_USABLE, true, f->now + 1 * MS);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 2), 1);
	assert_true(first(f, ROUTE_DEL, SLAVE(1), 2) < f->n);
	teardown_fake(f);
}

/*
 * A master answers for a target learned behind a slave while its
 * resolution is still on: the slave's route goes before the guests that
 * asked are told it lives on the master.
 */
static void test_master_answer_route_first(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;
	size_t del, told;

	(void)state;
	o.proxy_ndp = true;
	f = setup(&o, 2);
	learn(f, 1, T0);
	answer(f, MASTER, 1, T0 + 2 * MS);
	del = first(f, ROUTE_DEL, SLAVE(1), 1);
	told = first(f, ANSWER_GUESTS, 0, 1);
	assert_true(del < f->n);
	assert_true(told < f->n);
	assert_true(del < told);
	teardown_fake(f);
}

/*
 * The subnet-router anycast address of the host's prefixes (the prefix,
 * host bits zero) is the host's: no slave gets it, none serves it.
 */
static void test_subnet_anycast_is_local(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr host = target(1), anycast = target(0), half = target(0);
	struct fake *f = setup(&o, 2);

	(void)state;
	half.s6_addr[15] = 0x80;	/* 2001:db8::81/121 has it as its anycast */
	assert_int_equal(engine_local_addr(f->e, MASTER, &host, 64, true), 0);
	assert_false(engine_serves(f->e, GROUP, MASTER, &anycast));
	ns(f, 0, T0);
	answer(f, SLAVE(1), 0, T0 + 1 * MS);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_LOCAL], 1);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	/* Learned before the host took the prefix: it goes. */
	ns(f, 0x80, T0 + 10 * MS);
	answer(f, SLAVE(1), 0x80, T0 + 11 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 0x80), 1);
	host.s6_addr[15] = 0x81;
	assert_int_equal(engine_local_addr(f->e, MASTER, &host, 121, true), 0);
	assert_int_equal(count(f, ROUTE_DEL, SLAVE(1), 0x80), 1);
	assert_false(engine_serves(f->e, GROUP, MASTER, &half));
	teardown_fake(f);
}

/* An engine with --proxy-ndp, its masters forwarding. */
static struct fake *setup_askers(struct engine_options *o)
{
	struct fake *f;

	o->proxy_ndp = true;
	f = setup(o, 2);
	engine_forwarding(f->e, MASTER, true);
	engine_forwarding(f->e, 0, true);
	return f;
}

/*
 * The upstream's NS go to the egress with the answer, each once, with
 * what it said: every solicitor, a retransmission refreshing its own
 * (the newest MAC), only for that target on that master.
 */
static void test_askers_answered_with_what_they_said(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr s2 = target(0x10002), s3 = target(0x10003);
	struct fake *f;

	(void)state;
	f = setup_askers(&o);
	assert_int_equal(engine_master(f->e, GROUP, MASTER + 1, true, T0), 0);
	asker(f, MASTER, 1, 2, 0x02, false, T0);
	asker(f, MASTER, 1, 3, 0x03, false, T0 + 1 * SEC);
	asker(f, MASTER, 1, 2, 0x07, false, T0 + 1 * SEC);
	asker(f, MASTER + 1, 1, 4, 0x04, false, T0 + 1 * SEC);
	asker(f, MASTER, 2, 2, 0x02, false, T0 + 1 * SEC);
	/* A guest's NS for it is not the upstream's. */
	asker(f, SLAVE(2), 1, 5, 0x05, true, T0 + 1 * SEC);
	/* Alive 3 s after the retransmission, not after the first. */
	learn(f, 1, T0 + 3 * SEC + 1 * MS);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, 1), 1);
	assert_int_equal(f->calls[first(f, ANSWER_UPSTREAM, MASTER, 1)].b, 2);
	assert_int_equal(f->naskers, 2);
	assert_memory_equal(&f->askers[0].src, &s2, sizeof(s2));
	assert_int_equal(f->askers[0].mac[0], 0x07);
	assert_int_equal(f->askers[0].mac[5], 5);
	assert_int_equal(f->askers[0].ifindex, MASTER);
	assert_memory_equal(&f->askers[1].src, &s3, sizeof(s3));
	/* Taken: never again, on MASTER + 1 its own. */
	assert_int_equal(count(f, ANSWER_UPSTREAM, 0, ANY), 1);
	teardown_fake(f);
}

/* The upstream gave up 3 s after its last NS: not answered then. */
static void test_askers_too_old(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	f = setup_askers(&o);
	asker(f, MASTER, 1, 2, 0x02, false, T0);
	learn(f, 1, T0 + 3 * SEC);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, 1), 1);
	assert_int_equal(f->naskers, 0);
	/* Without --proxy-ndp none is kept. */
	teardown_fake(f);
	o = defaults(true);
	f = setup(&o, 2);
	engine_forwarding(f->e, MASTER, true);
	engine_forwarding(f->e, 0, true);
	asker(f, MASTER, 1, 2, 0x02, false, T0);
	ns(f, 1, T0 + 1 * MS);
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	assert_int_equal(count(f, ANSWER_UPSTREAM, MASTER, 1), 0);
	teardown_fake(f);
}

/*
 * Bounded by max_inflight + max_queue: the oldest pushed out first (the
 * upstream asks again), the newest kept; answered ones leave their slot.
 */
static void test_askers_bounded(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.max_inflight = 2;
	o.max_queue = 2;
	o.holddown_ns = 3 * MS;	/* each target out of flight before the next */
	f = setup_askers(&o);
	for (uint32_t n = 1; n <= 5; n++)
		asker(f, MASTER, n, 2, 0x02, false, T0 + n * MS);
	learn(f, 1, T0 + 10 * MS);
	assert_int_equal(f->naskers, 0);
	run_until(f, T0 + 18 * MS);
	learn(f, 2, T0 + 20 * MS);
	assert_int_equal(f->naskers, 1);
	run_until(f, T0 + 28 * MS);
	/* 2's slot free again: a new one takes it, 5 stays. */
	asker(f, MASTER, 6, 2, 0x02, false, T0 + 30 * MS);
	learn(f, 5, T0 + 40 * MS);
	assert_int_equal(f->naskers, 1);
	run_until(f, T0 + 48 * MS);
	learn(f, 6, T0 + 50 * MS);
	assert_int_equal(f->naskers, 1);
	teardown_fake(f);
}

/* No compile-time cap: a burst of 5000 targets is remembered whole. */
static void test_askers_burst(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	f = setup_askers(&o);
	for (uint32_t n = 1; n <= 5000; n++)
		asker(f, MASTER, n, 2, 0x02, false, T0 + n);
	for (uint32_t n = 1; n <= 5000; n += 833) {
		learn(f, n, f->now + 1 * MS);
		assert_int_equal(f->naskers, 1);
	}
	teardown_fake(f);
}

/*
 * Guests' NS go with answer_guests, each on its own slave, never to one
 * behind the slave where the target lives, never with the upstream's.
 */
static void test_askers_guests(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr s5 = target(0x10005);
	struct fake *f;

	(void)state;
	o.proxy_ndp = true;
	o.scope = true;
	f = setup(&o, 3);
	route(f, "2001:db8::", 32, MASTER, true, true);
	ns(f, 5, T0);
	answer(f, SLAVE(2), 5, T0 + 1 * MS);
	run_until(f, 0);
	f->n = 0;
	asker(f, SLAVE(1), 5, 5, 0x05, true, f->now + 1);
	asker(f, SLAVE(2), 5, 6, 0x06, true, f->now + 1);
	asker(f, MASTER, 5, 7, 0x07, false, f->now + 1);
	guest_ns(f, SLAVE(1), 5, f->now + 1);
	assert_int_equal(count(f, ANSWER_GUESTS, SLAVE(2), 5), 1);
	assert_int_equal(f->ngaskers, 1);
	assert_memory_equal(&f->gaskers[0].src, &s5, sizeof(s5));
	assert_int_equal(f->gaskers[0].mac[0], 0x05);
	assert_int_equal(f->gaskers[0].ifindex, SLAVE(1));
	/* Unknown: given once found. */
	asker(f, SLAVE(1), 7, 5, 0x05, true, f->now + 1);
	guest_ns(f, SLAVE(1), 7, f->now + 1);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 7), 0);
	answer(f, MASTER, 7, f->now + 1 * MS);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 7), 1);
	assert_int_equal(f->ngaskers, 1);
	assert_int_equal(f->gaskers[0].ifindex, SLAVE(1));
	teardown_fake(f);
}

/* Guests with the prefix on-link, 2 slaves: shares of 64 (--max-queue). */
static struct fake *setup_guest_ns(struct engine_options *o)
{
	struct fake *f;

	o->proxy_ndp = true;
	o->scope = true;
	o->max_queue = 128;
	f = setup(o, 2);
	route(f, "2001:db8::", 32, MASTER, true, true);
	return f;
}

/*
 * One slave's flood of NS for targets elsewhere fills its own share (its
 * signs' too), never the other slave's guests' nor the host's room.
 */
static void test_guest_ns_share(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup_guest_ns(&o);

	(void)state;
	for (uint32_t k = 1; k <= 100; k++)
		guest_ns(f, SLAVE(1), k, T0 + k);
	assert_int_equal(C(f)->guest_ns_over_share, 36);
	assert_int_equal(count(f, ASK, MASTER, ANY), 64);
	assert_int_equal(count(f, ASK, SLAVE(2), ANY), 64);
	assert_int_equal(count(f, ASK, 0, 100), 0);
	/* Its guests' signs count in the same share. */
	guest(f, SLAVE(1), 500, ENGINE_GUEST_SOURCE, T0 + 200);
	assert_int_equal(C(f)->guests_over_share, 1);
	/* Its NS again for a target in flight: no more of its share. */
	guest_ns(f, SLAVE(1), 1, T0 + 300);
	assert_int_equal(C(f)->guest_ns_over_share, 36);
	/* The other slave's guest, and the host, are asked at once. */
	guest_ns(f, SLAVE(2), 1000, T0 + 400);
	assert_int_equal(count(f, ASK, MASTER, 1000), 1);
	assert_int_equal(count(f, ASK, SLAVE(1), 1000), 1);
	ns(f, 2000, T0 + 500);
	assert_int_equal(count(f, ASK, SLAVE(1), 2000), 1);
	assert_int_equal(count(f, ASK, SLAVE(2), 2000), 1);
	/* Found: answered on its slave, and its place in the share free. */
	answer(f, MASTER, 1, T0 + 1 * MS);
	assert_int_equal(count(f, ANSWER_GUESTS, 0, 1), 1);
	/* Done (unanswered, held down): the whole share is free again. */
	run_until(f, 0);
	f->n = 0;
	for (uint32_t k = 3001; k <= 3064; k++)
		guest_ns(f, SLAVE(1), k, f->now + 1);
	assert_int_equal(C(f)->guest_ns_over_share, 36);
	assert_int_equal(count(f, ASK, MASTER, ANY), 64);
	teardown_fake(f);
}

/*
 * Guests' resolutions that wait in the queue and are dropped there (stale:
 * the guest stopped asking) give their place in the share back.
 */
static void test_guest_ns_share_dropped(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.max_inflight = 4;
	f = setup_guest_ns(&o);
	for (uint32_t k = 1; k <= 64; k++)
		guest_ns(f, SLAVE(1), k, T0 + k);
	assert_int_equal(C(f)->guest_ns_over_share, 0);
	assert_int_equal(C(f)->queued, 60);
	/* 4 more asked as the first 4 are done; the other 56 dropped. */
	run_until(f, 0);
	assert_int_equal(C(f)->targets_expired, 56);
	for (uint32_t k = 101; k <= 164; k++)
		guest_ns(f, SLAVE(1), k, f->now + k);
	assert_int_equal(C(f)->guest_ns_over_share, 0);
	guest_ns(f, SLAVE(1), 200, f->now + 1);
	assert_int_equal(C(f)->guest_ns_over_share, 1);
	teardown_fake(f);
}

/*
 * Memory after a flood: the pool shrinks back to what is left in it, and
 * what is left (learned targets) works as before, found by the same keys.
 */
static void test_pool_shrinks(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr t;

	(void)state;
	for (uint32_t k = 1; k <= 3; k++) {
		ns(f, k, T0 + k * MS);
		answer(f, SLAVE(k % 2 + 1), k, T0 + k * MS + 1000);
	}
	for (uint32_t k = 0; k < 20000; k++)
		ns(f, 100000 + k, T0 + 10 * MS + k);
	assert_true(C(f)->record_slots >= 16384);
	run_until(f, 0);
	assert_int_equal(C(f)->records, 3);
	assert_true(C(f)->record_slots <= 256);	/* from 32768 */
	for (uint32_t k = 1; k <= 3; k++) {
		t = target(k);
		assert_int_equal(engine_learned_slave(f->e, GROUP, &t), SLAVE(k % 2 + 1));
	}
	/* Still followed: a failed entry is asked again there. */
	neigh(f, SLAVE(2), 1, ENGINE_NEIGH_FAILED, false, f->now + 1 * MS);
	run_until(f, f->now + 10 * MS);
	assert_int_equal(count(f, ASK, SLAVE(2), 1), 2);
	/* And new targets go as before. */
	ns(f, 7, f->now + 20 * MS);
	assert_int_equal(count(f, ASK, 0, 7), 2);
	teardown_fake(f);
}

/* One slave's flood of signs fills its share, never the others'. */
static void test_guest_share(void **state)
{
	struct engine_options o = defaults(true);
	struct engine_slave_signs n1, n2;
	struct fake *f;

	(void)state;
	o.max_queue = 128;		/* 2 slaves: 64 each */
	f = setup(&o, 2);
	for (uint32_t k = 1; k <= 100; k++)
		guest(f, SLAVE(1), k, ENGINE_GUEST_DAD, T0 + k);
	assert_int_equal(C(f)->guests_over_share, 36);
	guest(f, SLAVE(2), 1000, ENGINE_GUEST_DAD, T0 + 200);
	assert_int_equal(C(f)->guests, 65);
	assert_int_equal(engine_slave_signs(f->e, GROUP, SLAVE(1), &n1), 0);
	assert_int_equal(engine_slave_signs(f->e, GROUP, SLAVE(2), &n2), 0);
	assert_int_equal(n1.taken, 64);
	assert_int_equal(n1.refused, 36);
	assert_int_equal(n2.taken, 1);
	assert_int_equal(engine_slave_signs(f->e, GROUP, 999, &n2), -1);
	/* Done, the share is free again. */
	run_until(f, 0);
	guest(f, SLAVE(1), 5000, ENGINE_GUEST_DAD, f->now + 1);
	assert_int_equal(C(f)->guests, 66);
	teardown_fake(f);
}

/* Signs that are not a guest's: not a slave, the host's own, no learning. */
static void test_guest_ignored(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct engine_options nolearn = defaults(false);
	struct fake *g = setup(&nolearn, 2);
	struct in6_addr t = target(7);

	(void)state;
	guest(f, MASTER, 1, ENGINE_GUEST_SOURCE, T0);
	assert_int_equal(engine_local_addr(f->e, MASTER, &t, 128, true), 0);
	guest(f, SLAVE(1), 7, ENGINE_GUEST_SOURCE, T0);
	assert_int_equal(C(f)->guests_ignored, 2);
	guest(g, SLAVE(1), 1, ENGINE_GUEST_SOURCE, T0);
	assert_int_equal(C(g)->guests_ignored, 1);
	run_until(f, 0);
	run_until(g, 0);
	assert_int_equal(count(f, ASK, 0, ANY) + count(g, ASK, 0, ANY), 0);
	teardown_fake(f);
	teardown_fake(g);
}

static void held(struct fake *f, uint32_t n, uint32_t id, uint64_t at)
{
	struct in6_addr t = target(n);

	f->now = at;
	engine_held(f->e, GROUP, MASTER, &t, id, at);
}

static struct engine_options queue_options(void)
{
	struct engine_options o = defaults(true);

	o.max_held = 4;
	o.queue_wait_ns = 100 * MS;
	return o;
}

/* Held packets start a resolution, and go on by the new route once found. */
static void test_held_rerouted(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f = setup(&o, 3);

	(void)state;
	held(f, 1, 11, T0);
	held(f, 1, 12, T0 + 1 * MS);	/* the SYN's retransmission, say */
	assert_int_equal(slave_asks(f, 1), 3);	/* one resolution */
	assert_int_equal(count(f, ASK, MASTER, 1), 1);	/* and its master */
	assert_int_equal(count(f, RELEASE_REROUTE, 0, ANY) +
			 count(f, RELEASE_UNCHANGED, 0, ANY), 0);
	answer(f, SLAVE(2), 1, T0 + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(count(f, RELEASE_REROUTE, 11, ANY), 1);
	assert_int_equal(count(f, RELEASE_REROUTE, 12, ANY), 1);
	assert_int_equal(count(f, LOCATED, 0, 1), 1);
	/* The route is added before the packets are released. */
	for (size_t k = 0; k < f->n; k++) {
		if (f->calls[k].kind == ROUTE_ADD)
			break;
		assert_true(f->calls[k].kind != RELEASE_REROUTE);
	}
	/* One held after that goes on at once. */
	held(f, 1, 13, T0 + 3 * MS);
	assert_int_equal(count(f, RELEASE_REROUTE, 13, ANY), 1);
	run_until(f, 0);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 0, ANY), 0);
	assert_int_equal(C(f)->held, 3);
	teardown_fake(f);
}

/* No slave answers: released unchanged when the wait ends, not later. */
static void test_held_wait_ends(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f = setup(&o, 2);

	(void)state;
	held(f, 1, 21, T0);
	run_until(f, T0 + o.queue_wait_ns - 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 21, ANY), 0);
	run_until(f, T0 + o.queue_wait_ns);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 21, ANY), 1);
	/* Skips the queue while the kernel asks on the master itself. */
	assert_int_equal(count(f, LOCATED, 0, 1), 1);
	assert_int_equal(f->calls[f->n - 1].b, ENGINE_LOCATED_NOWHERE);
	run_until(f, 0);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 0, ANY), 1);
	assert_int_equal(count(f, RELEASE_REROUTE, 0, ANY), 0);
	teardown_fake(f);
}

/* A wait longer than ENGINE_HOLD_MAX_MS still ends there. */
static void test_held_wait_capped(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f;

	(void)state;
	o.queue_wait_ns = 5000 * MS;
	f = setup(&o, 2);
	held(f, 1, 22, T0);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS - 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 22, ANY), 0);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 22, ANY), 1);
	teardown_fake(f);
}

/* On a master (the upstream's address): unchanged, and located. */
static void test_held_on_master(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f = setup(&o, 2);

	(void)state;
	f->master_has = true;
	held(f, 1, 31, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 31, ANY), 1);
	assert_int_equal(count(f, LOCATED, 0, 1), 1);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/*
 * The upstream router, held before the host ever asked for it: the master
 * is asked too, and its answer ends the wait at once, not queue_wait.
 */
static void test_held_master_answers(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f = setup(&o, 2);

	(void)state;
	held(f, 1, 51, T0);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	answer(f, MASTER, 1, T0 + 300000);	/* 0.3 ms later */
	assert_int_equal(count(f, RELEASE_UNCHANGED, 51, ANY), 1);
	assert_int_equal(count(f, LOCATED, 0, 1), 1);
	assert_int_equal(f->calls[f->n - 1].b, ENGINE_LOCATED_MASTER);
	/* Another held for it meanwhile goes on at once. */
	held(f, 1, 52, T0 + 1 * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 52, ANY), 1);
	/* A slave's answer for it now is refused. */
	answer(f, SLAVE(1), 1, T0 + 2 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	run_until(f, 0);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 0, ANY), 2);
	teardown_fake(f);
}

/*
 * Many slaves, the ask bucket dry: a held packet waits while its target is
 * still being asked (not just queue_wait), and goes by the new route once
 * found; at most ENGINE_HOLD_MAX_MS in all.
 */
static void test_held_while_asking(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f;

	(void)state;
	o.ask_rate = 10;	/* one ask every 100 ms */
	o.ask_burst = 1;
	f = setup(&o, 5);
	held(f, 1, 61, T0);
	run_until(f, T0 + 350 * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 61, ANY), 0);
	assert_true(slave_asks(f, 1) < 5);
	answer(f, SLAVE(3), 1, f->now + 1 * MS);
	assert_int_equal(count(f, RELEASE_REROUTE, 61, ANY), 1);
	teardown_fake(f);
	/* Asks slower still (one every 250 ms): out at the cap, not later. */
	o.ask_rate = 4;
	f = setup(&o, 5);
	held(f, 2, 62, T0);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS - 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 62, ANY), 0);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 62, ANY), 1);
	teardown_fake(f);
}

/*
 * Put back at its cap, a packet comes before one held after it: the
 * queue stays in deadline order, so the cap holds. A is held at 0 and
 * put back at 0.3, 0.6 and 0.9 s (its target still asked), the last time
 * until its cap at 1.0 s; B, held at 0.85 s, is due at 1.15 s.
 */
static void test_held_cap_before_later(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f;

	(void)state;
	o.queue_wait_ns = 300 * MS;
	o.ask_rate = 4;		/* one ask every 250 ms: 5 slaves take 1 s */
	o.ask_burst = 1;
	f = setup(&o, 5);
	held(f, 1, 71, T0);
	run_until(f, T0 + 850 * MS);
	held(f, 2, 72, T0 + 850 * MS);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS - 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 71, ANY), 0);
	run_until(f, T0 + ENGINE_HOLD_MAX_MS * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 71, ANY), 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 72, ANY), 0);
	teardown_fake(f);
}

/* Full: a packet beyond max_held goes on at once; every one is released. */
static void test_held_full(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f = setup(&o, 2);

	(void)state;
	for (uint32_t k = 0; k < 6; k++)
		held(f, 100 + k, 40 + k, T0 + k * MS);
	assert_int_equal(C(f)->held_full, 2);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 44, ANY), 1);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 45, ANY), 1);
	assert_int_equal(f->notices[ENGINE_LIMIT_HELD], 1);
	run_until(f, 0);
	for (uint32_t k = 0; k < 6; k++)
		assert_int_equal(count(f, RELEASE_UNCHANGED, 40 + k, ANY) +
				 count(f, RELEASE_REROUTE, 40 + k, ANY), 1);
	teardown_fake(f);
}

/*
 * engine_serves(): the one rule for the addresses served (the upstream's
 * NS taken, the kernel's entries adopted). Global unicast, not the
 * host's, inside a -t prefix or the on-link prefix of a host address on
 * the master given (0: any master of the group).
 */
static void test_serves(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f = setup(&o, 2);
	struct in6_addr host = target(1), t = target(0x42), far = target(0x42);
	struct in6_addr ll = target(0x42), mc = target(0x42), mapped;
	struct engine_prefix p;

	(void)state;
	far.s6_addr[4] = 0x99;			/* 2001:db8:9900::42 */
	ll.s6_addr[0] = 0xfe;
	ll.s6_addr[1] = 0x80;
	ll.s6_addr[2] = ll.s6_addr[3] = 0;
	mc.s6_addr[0] = 0xff;
	memset(&mapped, 0, sizeof(mapped));
	mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
	mapped.s6_addr[15] = 1;
	/* Nothing of ours yet: nothing served. */
	assert_false(engine_serves(f->e, GROUP, MASTER, &t));
	assert_false(engine_serves(f->e, GROUP, 0, &t));
	/* The host's 2001:db8::1/64 on the master: its prefix, not itself. */
	assert_int_equal(engine_local_addr(f->e, MASTER, &host, 64, true), 0);
	assert_true(engine_serves(f->e, GROUP, MASTER, &t));
	assert_true(engine_serves(f->e, GROUP, 0, &t));
	assert_false(engine_serves(f->e, GROUP, MASTER, &host));
	assert_false(engine_serves(f->e, GROUP, MASTER, &far));
	assert_false(engine_serves(f->e, GROUP, MASTER, &ll));
	assert_false(engine_serves(f->e, GROUP, MASTER, &mc));
	/* On another interface than the one given; a group unknown. */
	assert_false(engine_serves(f->e, GROUP, SLAVE(1), &t));
	assert_false(engine_serves(f->e, GROUP + 1, 0, &t));
	/* The same address again with another prefix: updated. */
	assert_int_equal(engine_local_addr(f->e, MASTER, &host, 128, true), 0);
	assert_false(engine_serves(f->e, GROUP, MASTER, &t));
	/* A -t prefix: served on any master, and from no master at all. */
	memset(&p, 0, sizeof(p));
	p.addr = far;
	p.addr.s6_addr[15] = 0;
	p.len = 48;
	assert_int_equal(engine_targets(f->e, &p, 1), 0);
	assert_true(engine_serves(f->e, GROUP, MASTER, &far));
	assert_true(engine_serves(f->e, GROUP + 1, 0, &far));
	assert_false(engine_serves(f->e, GROUP, MASTER, &t));
	/* ...never an IPv4-mapped one, whatever the prefixes. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(engine_targets(f->e, &p, 1), 0);	/* ::/0 */
	assert_true(engine_serves(f->e, GROUP, MASTER, &t));
	assert_false(engine_serves(f->e, GROUP, MASTER, &mapped));
	assert_int_equal(engine_targets(f->e, NULL, 0), 0);
	assert_false(engine_serves(f->e, GROUP, MASTER, &t));
	teardown_fake(f);
}

/*
 * The masters' window: a slave's answer that comes before a neighbor on
 * the master's link could (a guest answers at once, the upstream after a
 * round trip) is taken only when the window ends.
 */
static void test_claim_wait_then_taken(void **state)
{
	struct engine_options o = defaults(true);
	uint64_t w;
	struct fake *f;

	(void)state;
	engine_options_default(&o);
	o.learn_routes = true;
	w = o.claim_wait_ns;
	assert_true(w > 2 * MS);
	f = setup(&o, 2);
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(C(f)->answers_waited, 1);
	assert_int_equal(engine_next_deadline(f->e) <= T0 + w, true);
	run_until(f, T0 + w - 1);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	run_until(f, T0 + w);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	assert_int_equal(count(f, CONFIRM, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->answers, 1);
	teardown_fake(f);
}

/* The master answers within the window: the slave's earlier answer is refused. */
static void test_claim_wait_master_refuses(void **state)
{
	struct engine_options o = defaults(true);
	struct in6_addr t = target(1);
	struct fake *f;
	uint64_t w;

	(void)state;
	engine_options_default(&o);
	o.learn_routes = true;
	o.proxy_ndp = true;
	w = o.claim_wait_ns;
	f = setup(&o, 2);
	/* The upstream asks for a neighbor of its own link. */
	engine_ns_in(f->e, GROUP, MASTER, &t, true, T0);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	answer(f, SLAVE(1), 1, T0 + MS / 100);
	answer(f, MASTER, 1, T0 + 2 * MS);
	run_until(f, T0 + w + 1 * MS);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(count(f, PROXY_ADD, 0, ANY), 0);
	assert_int_equal(count(f, CONFIRM, 0, ANY), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	teardown_fake(f);
}

/* Held packets go on by the master, not by the slave that answered first. */
static void test_claim_wait_held_to_master(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f;

	(void)state;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 2);
	held(f, 1, 31, T0);
	assert_int_equal(count(f, ASK, MASTER, 1), 1);
	answer(f, SLAVE(2), 1, T0 + MS / 100);
	assert_int_equal(count(f, RELEASE_REROUTE, 0, ANY) +
			 count(f, RELEASE_UNCHANGED, 0, ANY), 0);
	answer(f, MASTER, 1, T0 + 1 * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 31, ANY), 1);
	run_until(f, 0);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	assert_int_equal(count(f, RELEASE_REROUTE, 0, ANY), 0);
	assert_int_equal(C(f)->refused[ENGINE_REFUSAL_MASTER], 1);
	teardown_fake(f);
}

/* An address the operator bound to the slave that answers: taken at once. */
static void test_claim_wait_bound_at_once(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 2);
	bind_to(f, "s1", false, 0, 255);
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	assert_int_equal(C(f)->answers_waited, 0);
	teardown_fake(f);
}

/*
 * In the masters' window the sign's slave answers at once: its answer
 * waits for the window, and the other slaves are not asked meanwhile.
 */
static void test_claim_wait_likely_found(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 3);
	guest(f, SLAVE(2), 1, ENGINE_GUEST_SOURCE, T0);
	f->n = 0;
	ns(f, 1, T0 + 1 * MS);
	assert_int_equal(slave_asks(f, 1), 1);
	answer(f, SLAVE(2), 1, T0 + 1 * MS + MS / 10);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 0);
	run_until(f, T0 + 1 * MS + o.claim_wait_ns);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	run_until(f, T0 + 2 * SEC);
	assert_int_equal(slave_asks(f, 1), 1);
	teardown_fake(f);
}

/*
 * A check answered after another target's window ended: that window's
 * answer is taken (and its own check asked) first, and each check's
 * result goes to its own answer.
 */
static void test_claim_wait_check_after_other_window(void **state)
{
	struct engine_options o = defaults(true);
	struct fake *f;

	(void)state;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 2);
	f->hold_checks = true;
	ns(f, 1, T0);
	answer(f, SLAVE(1), 1, T0 + 1 * MS);
	ns(f, 2, T0 + 10 * MS);
	answer(f, SLAVE(2), 2, T0 + 11 * MS);
	run_until(f, T0 + 50 * MS);
	assert_int_equal(f->nchecks, 1);		/* target 1's */
	f->now = T0 + 61 * MS;
	check_one(f);			/* and target 2's window has ended */
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(1), 1), 1);
	assert_int_equal(f->nchecks, 1);		/* target 2's */
	check_one(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 2), 1);
	assert_int_equal(count(f, ROUTE_ADD, 0, ANY), 2);
	teardown_fake(f);
}

/*
 * A --queue-wait shorter than the masters' window: the held packet waits
 * on while the answer that came waits for the window, and goes by the
 * slave once it is taken.
 */
static void test_claim_wait_held_waits_on(void **state)
{
	struct engine_options o = queue_options();
	struct fake *f;

	(void)state;
	o.queue_wait_ns = 10 * MS;
	o.claim_wait_ns = 50 * MS;
	f = setup(&o, 2);
	held(f, 1, 41, T0);
	answer(f, SLAVE(2), 1, T0 + 1 * MS);
	run_until(f, T0 + 49 * MS);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 41, ANY), 0);
	run_until(f, T0 + 50 * MS);
	answer_checks(f);
	assert_int_equal(count(f, ROUTE_ADD, SLAVE(2), 1), 1);
	assert_int_equal(count(f, RELEASE_REROUTE, 41, ANY), 1);
	run_until(f, 0);
	assert_int_equal(count(f, RELEASE_UNCHANGED, 41, ANY), 0);
	teardown_fake(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_40_targets_4_slaves),
		cmocka_unit_test(test_50_targets_200_slaves),
		cmocka_unit_test(test_freshest_first),
		cmocka_unit_test(test_flood_then_real),
		cmocka_unit_test(test_holddown_after_fanout),
		cmocka_unit_test(test_admission_flood),
		cmocka_unit_test(test_answer_right_slave),
		cmocka_unit_test(test_answer_unasked),
		cmocka_unit_test(test_refuse_local),
		cmocka_unit_test(test_refuse_usable_on_master),
		cmocka_unit_test(test_answer_upstream_forwarding),
		cmocka_unit_test(test_refuse_known_on_master),
		cmocka_unit_test(test_check_pending_then_result),
		cmocka_unit_test(test_answer_mac_to_route),
		cmocka_unit_test(test_check_master_refuses),
		cmocka_unit_test(test_check_second_answer_waits),
		cmocka_unit_test(test_check_second_answer_refused_too),
		cmocka_unit_test(test_check_expired_while_pending),
		cmocka_unit_test(test_check_adopt),
		cmocka_unit_test(test_claim_refused),
		cmocka_unit_test(test_claim_moves),
		cmocka_unit_test(test_keepalive_under_flood),
		cmocka_unit_test(test_keepalive_deferred),
		cmocka_unit_test(test_slave_removed_in_flight),
		cmocka_unit_test(test_1000_slaves),
		cmocka_unit_test(test_mesh),
		cmocka_unit_test(test_ns_in),
		cmocka_unit_test(test_claim_wait_then_taken),
		cmocka_unit_test(test_claim_wait_master_refuses),
		cmocka_unit_test(test_claim_wait_held_to_master),
		cmocka_unit_test(test_claim_wait_bound_at_once),
		cmocka_unit_test(test_claim_wait_likely_found),
		cmocka_unit_test(test_claim_wait_check_after_other_window),
		cmocka_unit_test(test_claim_wait_held_waits_on),
		cmocka_unit_test(test_learned_full),
		cmocka_unit_test(test_learned_share),
		cmocka_unit_test(test_claim_then_bound_elsewhere),
		cmocka_unit_test(test_adopt_answered),
		cmocka_unit_test(test_adopt_route_written_again),
		cmocka_unit_test(test_adopt_neighbor_asks_first),
		cmocka_unit_test(test_adopt_refused_late_keeps_learned),
		cmocka_unit_test(test_adopt_silent_forgotten),
		cmocka_unit_test(test_adopt_refused),
		cmocka_unit_test(test_route_gone_restored),
		cmocka_unit_test(test_route_gone_window),
		cmocka_unit_test(test_route_failed_after_learning),
		cmocka_unit_test(test_route_failed_move),
		cmocka_unit_test(test_route_failed_restore),
		cmocka_unit_test(test_confirm_after_route),
		cmocka_unit_test(test_confirm_mac_unrouted),
		cmocka_unit_test(test_learned_list),
		cmocka_unit_test(test_adopt_full),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_holddown_slack),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_init_refuses),
		cmocka_unit_test(test_guest_dad),
		cmocka_unit_test(test_guest_slave_removed),
		cmocka_unit_test(test_guest_reask_then_adopted),
		cmocka_unit_test(test_waiting_behind_late_check),
		cmocka_unit_test(test_guest_source),
		cmocka_unit_test(test_guest_then_ns),
		cmocka_unit_test(test_guest_then_ns_asks_sign_first),
		cmocka_unit_test(test_guest_then_ns_sign_silent),
		cmocka_unit_test(test_sign_silent_then_ns_asks_all),
		cmocka_unit_test(test_guest_then_ns_sign_first_rate_spent),
		cmocka_unit_test(test_guest_ns_answer_before_proxy),
		cmocka_unit_test(test_guest_ns_own_bridge),
		cmocka_unit_test(test_learned_local_and_master_entries),
		cmocka_unit_test(test_subnet_anycast_is_local),
		cmocka_unit_test(test_master_answer_route_first),
		cmocka_unit_test(test_guest_cannot_steal),
		cmocka_unit_test(test_guest_other_slave_held),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_scope_slave_route),
		cmocka_unit_test(test_scope_answer),
		cmocka_unit_test(test_bindings),
		cmocka_unit_test(test_master_refuses_guest),
		cmocka_unit_test(test_move_followed),
		cmocka_unit_test(test_probe_finds_move),
		cmocka_unit_test(test_guest_share),
		cmocka_unit_test(test_guest_after_unanswered),
		cmocka_unit_test(test_guest_dad_reasked),
		cmocka_unit_test(test_idle_vanished),
		cmocka_unit_test(test_guest_ns),
		cmocka_unit_test(test_askers_answered_with_what_they_said),
		cmocka_unit_test(test_askers_too_old),
		cmocka_unit_test(test_askers_bounded),
		cmocka_unit_test(test_askers_burst),
		cmocka_unit_test(test_askers_guests),
		cmocka_unit_test(test_guest_ns_share),
		cmocka_unit_test(test_guest_ns_share_dropped),
		cmocka_unit_test(test_pool_shrinks),
		cmocka_unit_test(test_guest_ignored),
		cmocka_unit_test(test_held_rerouted),
		cmocka_unit_test(test_held_wait_ends),
		cmocka_unit_test(test_held_wait_capped),
		cmocka_unit_test(test_held_cap_before_later),
		cmocka_unit_test(test_held_on_master),
		cmocka_unit_test(test_held_full),
		cmocka_unit_test(test_held_master_answers),
		cmocka_unit_test(test_held_while_asking),
		cmocka_unit_test(test_serves),
	};

	/* A loop that never ends is a failure too, not a stalled run. */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
