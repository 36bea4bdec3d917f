/* The resolution engine: per-target state, pacing, learning. Pure. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "askers.h"
#include "engine.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NIL 0u			/* record 0 is never used: "no record" */
#define LIKELY_FOUND UINT64_MAX	/* rec.likely_until: it answered */
#define ENGINE_STR2(x) #x
#define ENGINE_STR(x) ENGINE_STR2(x)

/* Notices an attacker can cause: at most this many per interval. */
#define NOTICE_LIMIT_BURST 10
#define NOTICE_LIMIT_INTERVAL (5 * NSEC_PER_SEC)

enum res {
	RES_NONE,	/* not in flight (learned only) */
	RES_QUEUED,	/* waits for max_inflight */
	RES_ASKING,	/* in the ask FIFO */
	RES_HELD,	/* every slave asked; answers count until held_until */
	RES_DELAYED,	/* a guest's sign: its slave is asked at `due` */
};

enum ka {
	KA_NONE,
	KA_VERIFY,	/* its entry went: ask the location again */
	KA_CHALLENGE,	/* another slave claims it: ask the location again */
};

/*
 * Why a learned target's route was last asked for: the words its
 * engine_route_failed() forgets it with.
 */
enum { ROUTE_LEARNED, ROUTE_MOVED, ROUTE_RESTORED };

static const char *const route_failed_why[] = {
	[ROUTE_LEARNED] = "its route could not be added",
	[ROUTE_MOVED] = "its route could not be moved",
	[ROUTE_RESTORED] = "its route was deleted from outside and could not be added again",
};

struct rec {
	struct in6_addr target;
	uint64_t held_until;
	uint64_t ka_until;	/* the location must have answered by then */
	uint32_t hnext;		/* hash chain; free list when unused */
	uint32_t rprev, rnext;	/* wait, ask or held list */
	uint32_t kprev, knext;	/* keepalive to-do or wait list */
	/*
	 * Asks go in the group's slave order, so one index says which slaves
	 * were asked: [0, cursor), except `from`, the master it came through,
	 * and `likely`, asked before them all (then likely_asked).
	 */
	uint32_t cursor;
	unsigned int from;
	/*
	 * The slave a guest's sign for it came from, when an NS for it
	 * starts a resolution: most likely where it lives, so asked first.
	 * Behind hundreds of slaves, or with the ask rate spent, its answer
	 * is not kept waiting behind the others' asks.
	 */
	unsigned int likely;
	bool likely_asked;
	/*
	 * The likely slave is asked first, the others right after it: a
	 * guest's NS, whose own slave (a bridge) may hold the target, its
	 * answer ahead of any other slave's.
	 */
	bool likely_now;
	/*
	 * Asked alone, the likely slave has until then to answer before the
	 * others are asked (0: no such wait); LIKELY_FOUND once it answered:
	 * the others are never asked.
	 */
	uint64_t likely_until;
	unsigned int answered;	/* this resolution's first answer, or 0 */
	unsigned int slave;	/* learned location, or 0 */
	unsigned int claimant;	/* KA_CHALLENGE: who claims it */
	unsigned int on_master;	/* in flight: a master where it is usable */
	unsigned int only;	/* in flight for a guest's sign: this slave */
	uint64_t due;		/* RES_DELAYED: when to ask it */
	uint64_t last_ns;	/* its last NS (or held packet): freshness */
	uint16_t nheld;		/* packets held for it now */
	uint64_t masters_at;	/* when its masters were asked, 0: not */
	/*
	 * A slave's answer waits (in pend, counted in `waiting`) until then,
	 * the masters' window of this resolution; in_mwait while on the
	 * mwait list for it.
	 */
	uint64_t masters_until;
	uint32_t mprev, mnext;
	bool in_mwait;
	uint32_t mcursor;	/* masters asked so far (a guest's claim) */
	uint64_t restored_since;	/* first restore of its window, 0: none */
	uint8_t restores;		/* routes restored in that window */
	uint8_t route_why;	/* the last route asked for (ROUTE_*) */
	uint32_t gi;
	uint8_t res, ka;
	bool used, ka_asked, deferred, ka_deferred;
	bool wanted;	/* the host's entry for it is probing, or failed */
	bool guest;	/* a guest's resolution, counted in its slave's share */
	unsigned int asker;	/* guest: that slave (its sign, or its NS) */
	bool nowhere_said;	/* held packets released unanswered, said */
	bool in_reask;		/* in the reask list (by its k-links) */
	bool in_idle;		/* learned, in the idle list (k-links) */
	uint8_t idle_misses;	/* idle asks not answered in a row */
	uint64_t idle_at;	/* when to ask it (again) */
	uint64_t confirmed_at;	/* learned: last answer or REACHABLE */
	uint8_t reasks;		/* a DAD guest's asks still to repeat */
	uint64_t reask_at;
	/*
	 * An answer's masters are being checked (check_masters): answers
	 * that come meanwhile wait behind it (`waiting` of them), and the
	 * record is kept until they are taken. round: its resolutions so
	 * far, so that an answer is taken only in the one it came in.
	 */
	bool check_out;
	uint16_t waiting;
	uint32_t round;
};

/*
 * Work held for a check of the masters: an answer, a guest's NS or an
 * adoption waiting for the check's answer (check != 0), or an answer that
 * came for a record whose check is out (check 0), taken after it.
 */
enum pend_kind { PEND_ANSWER, PEND_GUEST_NS, PEND_ADOPT };

struct pending {
	uint32_t check;
	uint8_t kind;
	uint32_t gi;
	uint32_t round;		/* PEND_ANSWER: its record's resolution */
	unsigned int slave;
	bool has_mac;		/* PEND_ANSWER: the NA's link-layer address */
	uint8_t mac[6];
	uint32_t route_writes;	/* PEND_ADOPT: e->route_writes when asked */
	struct in6_addr target;
};

struct list {
	uint32_t head, tail;
};

/* A held packet: released by `until` at the latest. */
struct held_pkt {
	uint64_t until;
	uint64_t since;		/* held then: ENGINE_HOLD_MAX_MS from it at most */
	uint32_t id;
	uint32_t rec;		/* NIL once released */
	uint16_t group;
};

/* What the engine keeps per slave of a group, beside its ifindex. */
struct slave_state {
	char name[ENGINE_IFNAME_MAX];
	uint32_t guests;	/* its guests' resolutions, signed to done */
	uint64_t signs;		/* its guests' signs taken */
	uint64_t signs_refused;	/* ...refused: a claim, or its share full */
	uint32_t learned;	/* targets learned behind it now */
	bool share_said;	/* its share of max_learned bit: said once */
};

struct engine_group {
	uint16_t num;
	unsigned int *slaves, *masters;
	uint32_t nslaves, slaves_cap, nmasters, masters_cap;
	struct slave_state *sl;		/* the slaves', in their order */
	uint32_t sl_cap;
	struct engine_binding *binds;
	uint32_t nbinds;
};

struct local_addr {
	unsigned int ifindex;
	struct in6_addr addr;
	uint8_t prefixlen;		/* its on-link prefix there */
};

struct engine {
	struct engine_options o;
	/*
	 * The last key hashed and its hash: one event looks its target up
	 * several times (the NS, the answer, its masters' check, the
	 * confirm's echo reply), each a SipHash of its own otherwise.
	 */
	struct in6_addr hashed_t;
	uint64_t hashed;
	uint16_t hashed_group;
	bool hashed_valid;
	struct engine_egress eg;
	struct engine_counters c;
	/*
	 * The latest event's time (engine_clock()): the askers' age is read
	 * against it where an action has no time of its own (proxy_add(),
	 * give_guests(), reached from learning and moves), and it never goes
	 * back when an event comes with an older one.
	 */
	uint64_t now;
	struct askers askers;		/* NS the daemon answers (proxy_ndp) */
	struct engine_asker *taken;	/* ...handed to the egress */
	uint32_t ntaken, taken_cap;
	struct engine_group *groups;
	uint32_t ngroups;
	/* engine_forwarding(): the masters that forward, and "all". */
	unsigned int *fwd_on;
	uint32_t nfwd_on, fwd_on_cap;
	bool fwd_all;
	struct rec *recs;	/* pool; indices are stable, pointers are not */
	uint32_t pool_size, pool_used, free_head;
	uint32_t *buckets;	/* chained hash of (group, target) */
	uint32_t nbuckets;	/* power of two */
	struct list wait, ask, held, delayed, ka_todo, ka_wait;
	struct list mwait;	/* answers waiting for the masters' window */
	/*
	 * Left by the last pump of the ask list: whether it stopped for want
	 * of tokens, and the earliest end of a likely slave's wait in it (0:
	 * none). The ask list needs the pump again at either.
	 */
	bool asks_blocked;
	uint64_t likely_due;
	/*
	 * DAD guests asked while maybe still tentative: asked again. By the
	 * k-links, free while a target is not learned (no keep-alive yet).
	 */
	struct list reask;
	/* Learned targets to ask again when idle, by the k-links too. */
	struct list idle;
	struct tokenbucket idle_tb;
	struct tokenbucket ask_tb, ka_tb;
	struct held_pkt *held_pkts;	/* a ring of max_held, FIFO by until */
	uint32_t held_head, held_n;
	struct local_addr *locals;
	uint32_t nlocals, locals_cap;
	struct engine_prefix *targets;	/* -t: served on every master */
	uint32_t ntargets;
	struct engine_route *routes;	/* the main table's, ours left out */
	uint32_t nroutes, routes_cap;
	uint64_t onlink_gen;		/* routes or masters changed */
	/* Checks of the masters out, and answers waiting behind them. */
	struct pending *pend;		/* in the order they came */
	uint32_t npend, pend_cap;
	uint32_t check_seq;		/* the last check's number */
	uint32_t route_writes;		/* route actions taken, ever */
	unsigned int *scratch;		/* the masters a check asks about */
	uint32_t scratch_cap;
	bool episode[ENGINE_NOTICE_KINDS];
	uint64_t lim_start;
	unsigned int lim_printed;
	unsigned long lim_suppressed;
};

static const char *const limit_option[ENGINE_NOTICE_KINDS] = {
	[ENGINE_LIMIT_RATE] = "--rate",
	[ENGINE_LIMIT_INFLIGHT] = "--max-inflight",
	[ENGINE_LIMIT_QUEUE] = "--max-queue",
	[ENGINE_LIMIT_LEARNED] = "--max-learned",
	[ENGINE_LIMIT_KEEPALIVE] = "--keepalive-rate",
	[ENGINE_LIMIT_HELD] = "--queue-max",
};

static const char *const refusal_names[ENGINE_REFUSALS] = {
	[ENGINE_REFUSAL_LOCAL] = "local",
	[ENGINE_REFUSAL_MASTER] = "master",
	[ENGINE_REFUSAL_SCOPE] = "scope",
	[ENGINE_REFUSAL_BINDING] = "binding",
	[ENGINE_REFUSAL_OCCUPIED] = "occupied",
};

const char *engine_refusal_name(enum engine_refusal r)
{
	return (unsigned int)r < ENGINE_REFUSALS ? refusal_names[r] : "?";
}

void engine_options_default(struct engine_options *o)
{
	memset(o, 0, sizeof(*o));
	o->holddown_ns = ENGINE_DEFAULT_HOLDDOWN_MS * NSEC_PER_MSEC;
	o->ask_rate = ENGINE_DEFAULT_ASK_RATE;
	o->ask_burst = ENGINE_DEFAULT_ASK_BURST;
	o->max_inflight = ENGINE_DEFAULT_MAX_INFLIGHT;
	o->max_queue = ENGINE_DEFAULT_MAX_QUEUE;
	o->max_learned = ENGINE_DEFAULT_MAX_LEARNED;
	o->keepalive_rate = ENGINE_DEFAULT_KEEPALIVE_RATE;
	o->keepalive_burst = ENGINE_DEFAULT_KEEPALIVE_BURST;
	o->verify_ns = ENGINE_DEFAULT_VERIFY_MS * NSEC_PER_MSEC;
	o->guest_delay_ns = ENGINE_DEFAULT_GUEST_DELAY_MS * NSEC_PER_MSEC;
	o->master_wait_ns = ENGINE_DEFAULT_MASTER_WAIT_MS * NSEC_PER_MSEC;
	o->claim_wait_ns = ENGINE_DEFAULT_CLAIM_WAIT_MS * NSEC_PER_MSEC;
	o->likely_wait_ns = ENGINE_DEFAULT_LIKELY_WAIT_MS * NSEC_PER_MSEC;
	o->stale_ns = 3 * NSEC_PER_SEC;
}

/* ---- keyed hash: SipHash-1-3 of (target, group) ---- */

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND							\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t key_hash(const struct engine *e, uint16_t group,
			 const struct in6_addr *t)
{
	uint64_t k0 = e->o.hash_key[0], k1 = e->o.hash_key[1];
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m[3];

	memcpy(&m[0], &t->s6_addr[0], 8);
	memcpy(&m[1], &t->s6_addr[8], 8);
	m[2] = (uint64_t)18 << 56 | group;	/* length byte, then the tail */
	for (int i = 0; i < 3; i++) {
		v3 ^= m[i];
		SIPROUND;
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- records: a pool, a chained hash, intrusive FIFO lists ---- */

static uint32_t *bucket_of(struct engine *e, uint16_t group,
			   const struct in6_addr *t)
{
	if (!e->hashed_valid || e->hashed_group != group ||
	    memcmp(&e->hashed_t, t, sizeof(*t)) != 0) {
		e->hashed = key_hash(e, group, t);
		e->hashed_t = *t;
		e->hashed_group = group;
		e->hashed_valid = true;
	}
	return &e->buckets[e->hashed & (e->nbuckets - 1)];
}

static uint32_t lookup(struct engine *e, uint32_t gi, const struct in6_addr *t)
{
	uint32_t i = *bucket_of(e, e->groups[gi].num, t);

	while (i != NIL && (e->recs[i].gi != gi ||
			    memcmp(&e->recs[i].target, t, sizeof(*t)) != 0))
		i = e->recs[i].hnext;
	return i;
}

static int rehash(struct engine *e, uint32_t nbuckets)
{
	uint32_t *b = calloc(nbuckets, sizeof(*b));

	if (!b)
		return -1;
	free(e->buckets);
	e->buckets = b;
	e->nbuckets = nbuckets;
	for (uint32_t i = 1; i < e->pool_used; i++) {
		struct rec *r = &e->recs[i];
		uint32_t *head;

		if (!r->used)
			continue;
		head = bucket_of(e, e->groups[r->gi].num, &r->target);
		r->hnext = *head;
		*head = i;
	}
	return 0;
}

static uint32_t rec_new(struct engine *e, uint32_t gi, const struct in6_addr *t)
{
	uint32_t i, *head;

	if (e->c.records + 1 > e->nbuckets && e->nbuckets < (1u << 31) &&
	    rehash(e, e->nbuckets * 2) == -1)
		return NIL;
	if (e->free_head != NIL) {
		i = e->free_head;
		e->free_head = e->recs[i].hnext;
	} else {
		if (e->pool_used == e->pool_size) {
			uint32_t n = e->pool_size * 2;
			struct rec *p = realloc(e->recs, (size_t)n * sizeof(*p));

			if (!p)
				return NIL;
			e->recs = p;
			e->pool_size = n;
			e->c.record_slots = n;
		}
		i = e->pool_used++;
	}
	memset(&e->recs[i], 0, sizeof(e->recs[i]));
	e->recs[i].used = true;
	e->recs[i].gi = gi;
	e->recs[i].target = *t;
	head = bucket_of(e, e->groups[gi].num, t);
	e->recs[i].hnext = *head;
	*head = i;
	e->c.records++;
	return i;
}

/*
 * An answer of r's is kept for its masters' window or for its masters'
 * check: found, as far as waiting goes, though not taken yet.
 */
static bool answer_pending(const struct rec *r)
{
	return r->waiting || r->check_out || r->in_mwait;
}

/* Free a record that is neither in flight nor learned. */
static void rec_maybe_free(struct engine *e, uint32_t i)
{
	struct rec *r = &e->recs[i];
	uint32_t *p;

	if (r->res != RES_NONE || r->slave != 0 || answer_pending(r))
		return;
	p = bucket_of(e, e->groups[r->gi].num, &r->target);
	while (*p != i)
		p = &e->recs[*p].hnext;
	*p = r->hnext;
	r->used = false;
	r->hnext = e->free_head;
	e->free_head = i;
	e->c.records--;
}

/*
 * Three sets of links per record, for lists a record can be on at once:
 * its resolution's (wait, ask, held, delayed), the keep-alive ones
 * (ka_todo, ka_wait, reask, idle), and the masters' window (mwait).
 */
enum links { LINKS_RES, LINKS_KA, LINKS_MASTERS };

static uint32_t *prev_of(struct engine *e, uint32_t i, enum links k)
{
	struct rec *r = &e->recs[i];

	return k == LINKS_KA ? &r->kprev : k == LINKS_MASTERS ? &r->mprev :
	       &r->rprev;
}

static uint32_t *next_of(struct engine *e, uint32_t i, enum links k)
{
	struct rec *r = &e->recs[i];

	return k == LINKS_KA ? &r->knext : k == LINKS_MASTERS ? &r->mnext :
	       &r->rnext;
}

static void list_push(struct engine *e, struct list *l, uint32_t i,
		      enum links k)
{
	*prev_of(e, i, k) = l->tail;
	*next_of(e, i, k) = NIL;
	if (l->tail != NIL)
		*next_of(e, l->tail, k) = i;
	else
		l->head = i;
	l->tail = i;
}

static void list_remove(struct engine *e, struct list *l, uint32_t i,
			enum links k)
{
	uint32_t prev = *prev_of(e, i, k), next = *next_of(e, i, k);

	if (prev != NIL)
		*next_of(e, prev, k) = next;
	else
		l->head = next;
	if (next != NIL)
		*prev_of(e, next, k) = prev;
	else
		l->tail = prev;
}

/* Put i after `at` (NIL: first). */
static void list_insert_after(struct engine *e, struct list *l, uint32_t at,
			      uint32_t i, enum links k)
{
	uint32_t next = at == NIL ? l->head : *next_of(e, at, k);

	*prev_of(e, i, k) = at;
	*next_of(e, i, k) = next;
	if (at != NIL)
		*next_of(e, at, k) = i;
	else
		l->head = i;
	if (next != NIL)
		*prev_of(e, next, k) = i;
	else
		l->tail = i;
}

/*
 * Put i in l, kept in the order of one time of each record (key: the
 * offset of a uint64_t in struct rec), found from the tail, where most go.
 */
static void list_insert_by(struct engine *e, struct list *l, uint32_t i,
			   enum links k, size_t key)
{
	uint64_t t, at_t;
	uint32_t at = l->tail;

	memcpy(&t, (const char *)&e->recs[i] + key, sizeof(t));
	for (; at != NIL; at = *prev_of(e, at, k)) {
		memcpy(&at_t, (const char *)&e->recs[at] + key, sizeof(at_t));
		if (at_t <= t)
			break;
	}
	list_insert_after(e, l, at, i, k);
}

/* ---- groups and addresses ---- */

static int find_group(const struct engine *e, uint16_t num)
{
	for (uint32_t gi = 0; gi < e->ngroups; gi++)
		if (e->groups[gi].num == num)
			return (int)gi;
	return -1;
}

static long pos_in(const unsigned int *a, uint32_t n, unsigned int ifindex)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == ifindex)
			return i;
	return -1;
}

static bool is_master(const struct engine_group *g, unsigned int ifindex)
{
	return pos_in(g->masters, g->nmasters, ifindex) >= 0;
}

/* Whether the kernel answers and forwards for a proxy entry on master. */
static bool forwards(const struct engine *e, unsigned int master)
{
	return e->fwd_all && pos_in(e->fwd_on, e->nfwd_on, master) >= 0;
}

static void take_asker(const struct asker *k, void *data);

/* The upstream on master that asked for target: answered by us. */
static void answer_upstream(struct engine *e, const struct engine_group *g,
			    const struct in6_addr *t, unsigned int master)
{
	if (e->eg.answer_upstream && forwards(e, master)) {
		e->ntaken = 0;
		askers_take(&e->askers, master, t, e->now, take_asker, e);
		e->eg.answer_upstream(e->eg.ctx, g->num, t, master, e->taken,
				      e->ntaken);
	}
}

/* The upstream that asked for target is answered first, then the entry. */
static void proxy_add(struct engine *e, const struct engine_group *g,
		      const struct in6_addr *t, unsigned int master)
{
	answer_upstream(e, g, t, master);
	e->eg.proxy_add(e->eg.ctx, g->num, t, master);
}

/* Whether t is p's len-bit prefix with every host bit zero. */
static bool subnet_anycast(const struct in6_addr *p, uint8_t len,
			   const struct in6_addr *t)
{
	unsigned int k = len / 8, rest = len % 8;

	if (memcmp(t->s6_addr, p->s6_addr, k) != 0)
		return false;
	if (rest) {
		uint8_t net = (uint8_t)(0xff00u >> rest);

		if (((t->s6_addr[k] ^ p->s6_addr[k]) & net) ||
		    (t->s6_addr[k] & (uint8_t)~net))
			return false;
		k++;
	}
	for (; k < 16; k++)
		if (t->s6_addr[k])
			return false;
	return true;
}

/*
 * An address of the host: one of its own, or the subnet-router anycast
 * address of one of their prefixes (the prefix, host bits zero: RFC 4291
 * 2.6.1), which the kernel of a forwarding host answers for itself. No
 * slave may have either. (A /127 or /128 has none: RFC 6164.)
 */
static bool is_local(const struct engine *e, const struct in6_addr *a)
{
	for (uint32_t i = 0; i < e->nlocals; i++) {
		const struct local_addr *l = &e->locals[i];

		if (memcmp(&l->addr, a, sizeof(*a)) == 0 ||
		    (l->prefixlen && l->prefixlen < 127 &&
		     subnet_anycast(&l->addr, l->prefixlen, a)))
			return true;
	}
	return false;
}

static int addr_cmp(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a->s6_addr, b->s6_addr, sizeof(a->s6_addr));
}

static bool binding_names(const struct engine_binding *b, const char *name)
{
	size_t n = strnlen(b->ifname, sizeof(b->ifname));

	if (!name[0])
		return false;
	return b->prefix ? strncmp(name, b->ifname, n) == 0
			 : strncmp(name, b->ifname, ENGINE_IFNAME_MAX) == 0;
}

static bool binding_holds(const struct engine_binding *b,
			  const struct in6_addr *t)
{
	return addr_cmp(&b->lo, t) <= 0 && addr_cmp(t, &b->hi) <= 0;
}

static const char *slave_name(const struct engine_group *g, unsigned int slave)
{
	long pos = pos_in(g->slaves, g->nslaves, slave);

	return pos < 0 ? "" : g->sl[pos].name;
}

static struct slave_state *slave_state(struct engine_group *g,
				       unsigned int slave)
{
	long pos = pos_in(g->slaves, g->nslaves, slave);

	return pos < 0 ? NULL : &g->sl[pos];
}

/* A guest's resolution is over: done, refused, or taken over by an NS. */
static void guest_done(struct engine *e, struct rec *r)
{
	struct slave_state *st;

	if (!r->guest)
		return;
	r->guest = false;
	st = slave_state(&e->groups[r->gi], r->asker);
	if (st && st->guests)
		st->guests--;
}

/*
 * One slave's guests may have this many resolutions at once, signed to
 * done, or asked for by their NS (guests with the prefix on-link): a fair
 * share of --max-queue, so that a flood from one slave leaves room (and
 * asks) for the guests of every other, and for the host's own targets.
 */
#define GUEST_SHARE_MIN 64

static uint32_t guest_share(const struct engine *e, const struct engine_group *g)
{
	uint32_t share = e->o.max_queue / (g->nslaves ? g->nslaves : 1);

	return share < GUEST_SHARE_MIN ? GUEST_SHARE_MIN : share;
}

/*
 * Whether the operator's bindings let target live behind slave: not when
 * a binding holds it for other slaves only, nor when the slave is bound
 * and this address is not among its own. No bindings: anywhere.
 */
static bool bound_elsewhere(const struct engine_group *g, unsigned int slave,
			    const struct in6_addr *t)
{
	const char *name = slave_name(g, slave);
	bool held = false, named = false;

	for (uint32_t k = 0; k < g->nbinds; k++) {
		bool mine = binding_names(&g->binds[k], name);

		if (binding_holds(&g->binds[k], t)) {
			if (mine)
				return false;
			held = true;
		}
		named |= mine;
	}
	return held || named;
}

/* Whether a binding holds t and names slave: the operator put it there. */
static bool bound_to(const struct engine_group *g, unsigned int slave,
		     const struct in6_addr *t)
{
	const char *name = slave_name(g, slave);

	for (uint32_t k = 0; k < g->nbinds; k++)
		if (binding_holds(&g->binds[k], t) &&
		    binding_names(&g->binds[k], name))
			return true;
	return false;
}

/* Whether t lies inside the len-bit prefix of p. */
static bool prefix_holds(const struct in6_addr *p, uint8_t len,
			 const struct in6_addr *t)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(t->s6_addr, p->s6_addr, full) != 0)
		return false;
	return rest == 0 ||
	       ((t->s6_addr[full] ^ p->s6_addr[full]) & (0xff00u >> rest)) == 0;
}

static bool route_holds(const struct engine_route *rt, const struct in6_addr *t)
{
	return prefix_holds(&rt->dst, rt->len, t);
}

/* Whether t lies inside the prefix of an address of the host on ifindex. */
static bool on_link_of(const struct engine *e, unsigned int ifindex,
		       const struct in6_addr *t)
{
	for (uint32_t i = 0; i < e->nlocals; i++)
		if (e->locals[i].ifindex == ifindex &&
		    prefix_holds(&e->locals[i].addr, e->locals[i].prefixlen, t))
			return true;
	return false;
}

bool engine_serves(const struct engine *e, uint16_t group,
		   unsigned int master, const struct in6_addr *t)
{
	int gi;

	if (IN6_IS_ADDR_MULTICAST(t) || IN6_IS_ADDR_LINKLOCAL(t) ||
	    IN6_IS_ADDR_LOOPBACK(t) || IN6_IS_ADDR_UNSPECIFIED(t) ||
	    IN6_IS_ADDR_V4MAPPED(t) || is_local(e, t))
		return false;
	for (uint32_t i = 0; i < e->ntargets; i++)
		if (prefix_holds(&e->targets[i].addr, e->targets[i].len, t))
			return true;
	if (master)
		return on_link_of(e, master, t);
	gi = find_group(e, group);
	for (uint32_t m = 0; gi >= 0 && m < e->groups[gi].nmasters; m++)
		if (on_link_of(e, e->groups[gi].masters[m], t))
			return true;
	return false;
}

/*
 * The device the host resolves t on-link on, as the kernel's lookup in
 * the main table would pick (longest prefix, then lowest metric); 0 when
 * that route has a gateway or is not unicast, or there is none.
 */
static unsigned int onlink_dev(const struct engine *e, const struct in6_addr *t)
{
	const struct engine_route *best = NULL;

	for (uint32_t k = 0; k < e->nroutes; k++) {
		const struct engine_route *rt = &e->routes[k];

		if (!route_holds(rt, t))
			continue;
		if (!best || rt->len > best->len ||
		    (rt->len == best->len && rt->metric < best->metric))
			best = rt;
	}
	return best && best->onlink ? best->ifindex : 0;
}

/*
 * Whether slave may have target: ENGINE_REFUSALS when it may, else why
 * not. Never an address of the host; only one the host resolves on-link
 * on a master (or on this slave's own route); only where bindings allow.
 */
static enum engine_refusal may_have(const struct engine *e,
				    const struct engine_group *g,
				    unsigned int slave, const struct in6_addr *t)
{
	unsigned int dev;

	if (is_local(e, t))
		return ENGINE_REFUSAL_LOCAL;
	if (e->o.scope && (!(dev = onlink_dev(e, t)) ||
			   (!is_master(g, dev) && dev != slave)))
		return ENGINE_REFUSAL_SCOPE;
	if (bound_elsewhere(g, slave, t))
		return ENGINE_REFUSAL_BINDING;
	return ENGINE_REFUSALS;
}

/* Grow *a (of *cap elements of size sz) to hold n; no compile-time caps. */
static int grow(void **a, uint32_t *cap, uint32_t n, size_t sz)
{
	uint32_t c = *cap ? *cap : 4;
	void *p;

	if (n <= *cap)
		return 0;
	while (c < n)
		c *= 2;
	p = realloc(*a, (size_t)c * sz);
	if (!p)
		return -1;
	*a = p;
	*cap = c;
	return 0;
}

/* ---- the NS the daemon answers itself (askers.h) ---- */

/* Time only moves forward: the askers' age is read against the latest. */
static void engine_clock(struct engine *e, uint64_t now)
{
	if (now > e->now)
		e->now = now;
}

/* One asker for the egress: into e->taken (dropped when out of memory). */
static void take_asker(const struct asker *k, void *data)
{
	struct engine *e = data;
	struct engine_asker *a;

	if (grow((void **)&e->taken, &e->taken_cap, e->ntaken + 1,
		 sizeof(*e->taken)) == -1)
		return;
	a = &e->taken[e->ntaken++];
	a->src = k->src;
	memcpy(a->mac, k->mac, sizeof(a->mac));
	a->ifindex = k->master;
}

/* The guests that asked for target on other slaves than lives_on: answered. */
static void give_guests(struct engine *e, uint16_t group,
			const struct in6_addr *target, unsigned int lives_on)
{
	if (!e->eg.answer_guests)
		return;
	e->ntaken = 0;
	askers_take_guests(&e->askers, target, lives_on, e->now, take_asker, e);
	e->eg.answer_guests(e->eg.ctx, group, target, lives_on, e->taken,
			    e->ntaken);
}

void engine_asker(struct engine *e, unsigned int ifindex,
		  const struct in6_addr *target, const struct in6_addr *src,
		  const uint8_t mac[6], bool guest, uint64_t now)
{
	engine_clock(e, now);
	if (!e->o.proxy_ndp)
		return;
	if (guest)
		askers_note_guest(&e->askers, ifindex, target, src, mac, now);
	else
		askers_note(&e->askers, ifindex, target, src, mac, now);
}

/* ---- notices ---- */

static void say(struct engine *e, enum engine_notice_kind kind, uint32_t gi,
		const struct in6_addr *t, unsigned int slave,
		unsigned int other, const char *reason)
{
	struct engine_notice n = {
		.kind = kind,
		.group = e->groups ? e->groups[gi].num : 0,
		.slave = slave,
		.other = other,
		.option = limit_option[kind],
		.reason = reason,
	};

	if (!e->eg.notice)
		return;
	if (t)
		n.target = *t;
	e->eg.notice(e->eg.ctx, &n);
}

static void say_limited(struct engine *e, enum engine_notice_kind kind,
			uint32_t gi, const struct in6_addr *t,
			unsigned int slave, unsigned int other, uint64_t now)
{
	struct engine_notice n = {
		.kind = kind,
		.group = e->groups[gi].num,
		.target = *t,
		.slave = slave,
		.other = other,
	};

	if (now - e->lim_start >= NOTICE_LIMIT_INTERVAL) {
		e->lim_start = now;
		e->lim_printed = 0;
	}
	if (e->lim_printed >= NOTICE_LIMIT_BURST) {
		e->lim_suppressed++;
		return;
	}
	e->lim_printed++;
	n.suppressed = e->lim_suppressed;
	e->lim_suppressed = 0;
	if (e->eg.notice)
		e->eg.notice(e->eg.ctx, &n);
}

static const enum engine_notice_kind refusal_notice[ENGINE_REFUSALS] = {
	[ENGINE_REFUSAL_LOCAL] = ENGINE_REFUSED_LOCAL,
	[ENGINE_REFUSAL_MASTER] = ENGINE_REFUSED_MASTER,
	[ENGINE_REFUSAL_SCOPE] = ENGINE_REFUSED_SCOPE,
	[ENGINE_REFUSAL_BINDING] = ENGINE_REFUSED_BINDING,
	[ENGINE_REFUSAL_OCCUPIED] = ENGINE_CLAIM_REFUSED,
};

/* Slaves a resolution asked: its cursor, less the master it came by. */
static unsigned int slaves_asked(const struct engine *e, const struct rec *r)
{
	const struct engine_group *g = &e->groups[r->gi];
	unsigned int n = 0;

	if (r->only)
		return 1;
	for (uint32_t k = 0; k < r->cursor && k < g->nslaves; k++)
		n += g->slaves[k] != r->from && g->slaves[k] != r->likely;
	return n + r->likely_asked;
}

/* A claim not taken: counted, and said (rate-limited: guests cause it). */
static void refuse(struct engine *e, enum engine_refusal why, uint32_t gi,
		   const struct in6_addr *t, unsigned int slave,
		   unsigned int other, uint64_t now)
{
	e->c.refused[why]++;
	say_limited(e, refusal_notice[why], gi, t, slave, other, now);
}

/* A limit bites: said once per episode, an episode ends when it stops. */
static void limit_bites(struct engine *e, enum engine_notice_kind kind,
			uint32_t gi, const struct in6_addr *t)
{
	if (e->episode[kind])
		return;
	e->episode[kind] = true;
	say(e, kind, gi, t, 0, 0, NULL);
}

static void limit_over(struct engine *e, enum engine_notice_kind kind)
{
	e->episode[kind] = false;
}

/* ---- learning ---- */

enum proxies_do { PROXIES_ANSWER, PROXIES_ADD, PROXIES_DEL };

/*
 * On each master but the one it lives on (a mesh interface needs no
 * proxy): answer the upstream that asked for it, add or delete the entry.
 */
static void proxies(struct engine *e, uint32_t i, enum proxies_do what)
{
	struct rec *r = &e->recs[i];
	struct engine_group *g = &e->groups[r->gi];

	if (!e->o.proxy_ndp)
		return;
	for (uint32_t m = 0; m < g->nmasters; m++) {
		if (g->masters[m] == r->slave)
			continue;
		if (what == PROXIES_ANSWER)
			answer_upstream(e, g, &r->target, g->masters[m]);
		else if (what == PROXIES_ADD)
			e->eg.proxy_add(e->eg.ctx, g->num, &r->target,
					g->masters[m]);
		else
			e->eg.proxy_del(e->eg.ctx, g->num, &r->target, g->masters[m]);
	}
}

static void reask_cancel(struct engine *e, uint32_t i)
{
	struct rec *r = &e->recs[i];

	if (r->in_reask)
		list_remove(e, &e->reask, i, LINKS_KA);
	r->in_reask = false;
	r->reasks = 0;
}

static void idle_cancel(struct engine *e, uint32_t i)
{
	struct rec *r = &e->recs[i];

	if (r->in_idle)
		list_remove(e, &e->idle, i, LINKS_KA);
	r->in_idle = false;
}

/* Into the idle list at `at`, kept in order (mostly at its tail). */
static void idle_at(struct engine *e, uint32_t i, uint64_t at)
{
	idle_cancel(e, i);
	reask_cancel(e, i);	/* the k-links are the idle list's now */
	e->recs[i].idle_at = at;
	list_insert_by(e, &e->idle, i, LINKS_KA, offsetof(struct rec, idle_at));
	e->recs[i].in_idle = true;
}

/* It answered, or the kernel confirmed it: asked again once it idles. */
static void confirmed(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];

	r->confirmed_at = now;
	r->idle_misses = 0;
	if (r->slave && r->ka == KA_NONE && e->o.idle_verify_ns)
		idle_at(e, i, now + e->o.idle_verify_ns);
}

static void ka_cancel(struct engine *e, uint32_t i)
{
	struct rec *r = &e->recs[i];

	if (r->ka == KA_NONE)
		return;
	list_remove(e, r->ka_asked ? &e->ka_wait : &e->ka_todo, i, LINKS_KA);
	r->ka = KA_NONE;
	r->ka_asked = false;
	r->ka_deferred = false;
	r->claimant = 0;
}

/* Ask the learned location again (its own budget); decide at ka_until. */
static void ka_start(struct engine *e, uint32_t i, enum ka kind,
		     unsigned int claimant)
{
	struct rec *r = &e->recs[i];

	if (r->ka == KA_CHALLENGE)
		return;		/* the first claim is being checked */
	/* The k-links are the keep-alive's now (a DAD guest's re-asks end). */
	idle_cancel(e, i);
	reask_cancel(e, i);
	if (r->ka == KA_NONE)
		list_push(e, &e->ka_todo, i, LINKS_KA);
	if (kind == KA_CHALLENGE) {
		r->claimant = claimant;
		r->ka = KA_CHALLENGE;
	} else if (r->ka == KA_NONE) {
		r->ka = KA_VERIFY;
	}
}

/* Routed: the route is in the kernel already (adopted), no route_add. */
/* ---- held packets ---- */

static void release(struct engine *e, struct held_pkt *h, bool reroute)
{
	if (reroute)
		e->c.held_rerouted++;
	else
		e->c.held_unchanged++;
	if (h->rec != NIL && e->recs[h->rec].nheld)
		e->recs[h->rec].nheld--;
	h->rec = NIL;
	e->eg.release(e->eg.ctx, h->group, h->id, reroute);
}

/*
 * A packet held since then waits queue_wait from now, and never beyond
 * ENGINE_HOLD_MAX_MS from since in all.
 */
static uint64_t held_until(const struct engine *e, uint64_t since, uint64_t now)
{
	uint64_t cap = since + ENGINE_HOLD_MAX_MS * NSEC_PER_MSEC;

	return now + e->o.queue_wait_ns < cap ? now + e->o.queue_wait_ns : cap;
}

/*
 * Into the held queue, kept in deadline order so that its head is always
 * the first due: a packet put back with its 1 s cap as deadline can be due
 * before some held after it. Those are few (held within the last
 * queue_wait), and only they move.
 */
static void held_push(struct engine *e, const struct held_pkt *p)
{
	uint32_t max = e->o.max_held, at = e->held_n;

	while (at > 0 &&
	       e->held_pkts[(e->held_head + at - 1) % max].until > p->until) {
		e->held_pkts[(e->held_head + at) % max] =
			e->held_pkts[(e->held_head + at - 1) % max];
		at--;
	}
	e->held_pkts[(e->held_head + at) % max] = *p;
	e->held_n++;
}

/* Every packet held for record i goes on. */
static void release_rec(struct engine *e, uint32_t i, bool reroute)
{
	for (uint32_t k = 0; k < e->held_n; k++) {
		struct held_pkt *h = &e->held_pkts[(e->held_head + k) % e->o.max_held];

		if (h->rec == i)
			release(e, h, reroute);
	}
}

/* The target needs no holding any more: its packets skip the queue. */
static void located(struct engine *e, uint32_t i, enum engine_located where)
{
	if (e->o.max_held && e->eg.located)
		e->eg.located(e->eg.ctx, e->groups[e->recs[i].gi].num,
			      &e->recs[i].target, where);
}

/* Where it lives is known now: guests that asked for it get their answer. */
static void answer_guests(struct engine *e, uint32_t i, unsigned int lives_on)
{
	if (e->o.proxy_ndp)
		give_guests(e, e->groups[e->recs[i].gi].num, &e->recs[i].target,
			    lives_on);
}

/* Found on master: its packets go on by the master, now and for a while. */
static void on_master_found(struct engine *e, uint32_t i, unsigned int m)
{
	struct rec *r = &e->recs[i];

	if (r->res == RES_NONE || r->on_master)
		return;
	r->on_master = m;
	answer_guests(e, i, 0);
	if (e->o.max_held) {
		release_rec(e, i, false);
		located(e, i, ENGINE_LOCATED_MASTER);
	}
}

static void expire_held_pkts(struct engine *e, uint64_t now)
{
	while (e->held_n) {
		struct held_pkt *h = &e->held_pkts[e->held_head];

		if (h->rec != NIL && h->until > now)
			break;
		if (h->rec != NIL) {
			uint32_t i = h->rec;
			uint8_t res = e->recs[i].res;
			uint64_t until = held_until(e, h->since, now);

			/*
			 * Still being asked, or its answer not taken yet:
			 * waits on (until its cap), in deadline order.
			 */
			if ((res == RES_ASKING || res == RES_QUEUED ||
			     answer_pending(&e->recs[i])) && now < until) {
				struct held_pkt again = *h;

				again.until = until;
				e->held_head = (e->held_head + 1) % e->o.max_held;
				e->held_n--;
				held_push(e, &again);
				continue;
			}
			release(e, h, false);
			/* Nothing answered: the kernel asks on the master now. */
			if (!e->recs[i].nowhere_said) {
				e->recs[i].nowhere_said = true;
				located(e, i, ENGINE_LOCATED_NOWHERE);
			}
		}
		e->held_head = (e->held_head + 1) % e->o.max_held;
		e->held_n--;
	}
}

/*
 * A slave may hold any number of the learned targets while fewer than
 * half of max_learned are taken; past that, no more than its share (an
 * equal part for each of its group's slaves). A guest that answers for
 * thousands of addresses (the upstream's NS for a scanned prefix, its
 * own signs) cannot take the room every other slave's guests need, and
 * a big bridge is not held back on a host with room to spare.
 */
static uint32_t learned_share(const struct engine *e,
			      const struct engine_group *g)
{
	return e->o.max_learned / (g->nslaves ? g->nslaves : 1);
}

/* A target learned behind slave now: counted in its share. */
static void share_take(struct engine_group *g, unsigned int slave)
{
	struct slave_state *st = slave_state(g, slave);

	if (st)
		st->learned++;
}

/* A target learned behind slave no longer: its room is free again. */
static void share_free(struct engine_group *g, unsigned int slave)
{
	struct slave_state *st = slave_state(g, slave);

	if (st && st->learned) {
		st->learned--;
		st->share_said = false;
	}
}

static bool learn_at(struct engine *e, uint32_t i, unsigned int slave,
		     bool routed, const uint8_t *mac)
{
	struct rec *r = &e->recs[i];
	struct engine_group *g = &e->groups[r->gi];
	struct slave_state *st = slave_state(g, slave);

	if (e->c.learned_now >= e->o.max_learned) {
		e->c.learned_full++;
		limit_bites(e, ENGINE_LIMIT_LEARNED, r->gi, &r->target);
		return false;
	}
	if (st && e->c.learned_now >= e->o.max_learned / 2 &&
	    st->learned >= learned_share(e, g)) {
		e->c.learned_full++;
		if (!st->share_said)
			say(e, ENGINE_LIMIT_LEARNED, r->gi, &r->target, slave,
			    learned_share(e, g), NULL);
		st->share_said = true;
		return false;
	}
	/* The kernel's refusal, if any, comes later: engine_route_failed(). */
	if (!routed) {
		e->route_writes++;
		e->eg.route_add(e->eg.ctx, e->groups[r->gi].num, &r->target,
				slave, mac);
		r->route_why = ROUTE_LEARNED;
	}
	r->slave = slave;
	e->c.learned_now++;
	share_take(g, slave);
	proxies(e, i, PROXIES_ANSWER);
	return true;
}

static void learn(struct engine *e, uint32_t i, unsigned int slave,
		  const uint8_t *mac)
{
	reask_cancel(e, i);
	if (!learn_at(e, i, slave, false, mac))
		return;
	e->c.learned++;
	/*
	 * Those waiting first, each answer right after the route: the proxy
	 * entries (a kernel write each, for later NS) and the notice (a log
	 * line written) after.
	 */
	answer_guests(e, i, slave);
	proxies(e, i, PROXIES_ADD);
	if (e->o.max_held) {
		release_rec(e, i, true);
		located(e, i, ENGINE_LOCATED_SLAVE);
	}
	say(e, ENGINE_LEARNED, e->recs[i].gi, &e->recs[i].target, slave, 0, NULL);
}

static void unlearn(struct engine *e, uint32_t i, const char *why)
{
	struct rec *r = &e->recs[i];
	unsigned int old = r->slave;
	struct in6_addr t = r->target;
	uint32_t gi = r->gi;

	ka_cancel(e, i);
	idle_cancel(e, i);
	proxies(e, i, PROXIES_DEL);
	e->route_writes++;
	e->eg.route_del(e->eg.ctx, e->groups[gi].num, &r->target, old);
	r->slave = 0;
	r->wanted = false;
	e->c.learned_now--;
	share_free(&e->groups[gi], old);
	e->c.forgotten++;
	limit_over(e, ENGINE_LIMIT_LEARNED);
	rec_maybe_free(e, i);
	say(e, ENGINE_FORGOTTEN, gi, &t, old, 0, why);
}

/* The claimant wins: the learned location did not answer again. */
static void move(struct engine *e, uint32_t i)
{
	struct rec *r = &e->recs[i];
	struct engine_group *g = &e->groups[r->gi];
	unsigned int from = r->slave, to = r->claimant;

	ka_cancel(e, i);
	e->route_writes++;
	e->eg.route_move(e->eg.ctx, g->num, &r->target, from, to);
	r->route_why = ROUTE_MOVED;
	if (e->o.proxy_ndp && is_master(g, from))
		proxy_add(e, g, &r->target, from);
	if (e->o.proxy_ndp && is_master(g, to))
		e->eg.proxy_del(e->eg.ctx, g->num, &r->target, to);
	r->slave = to;
	share_free(g, from);
	share_take(g, to);
	e->c.moved++;
	e->c.confirms++;
	e->eg.confirm(e->eg.ctx, g->num, to, &r->target, NULL);
	say(e, ENGINE_MOVED, r->gi, &r->target, to, from, NULL);
}

/* The learned location answered: alive, and any claim is refused. */
static void location_answers(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];

	r->wanted = false;
	if (r->ka == KA_CHALLENGE)
		refuse(e, ENGINE_REFUSAL_OCCUPIED, r->gi, &r->target,
		       r->claimant, r->slave, now);
	ka_cancel(e, i);
	confirmed(e, i, now);
}

static void resolve(struct engine *e, uint32_t gi, unsigned int from,
		    unsigned int first, const struct in6_addr *t, uint64_t now);

static void location_failed(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];
	struct in6_addr t = r->target;
	bool wanted = r->wanted;
	uint32_t gi = r->gi;

	if (r->ka == KA_CHALLENGE) {
		/* Still allowed there? Bindings and routes may have changed. */
		enum engine_refusal why = may_have(e, &e->groups[gi],
						   r->claimant, &t);

		if (why == ENGINE_REFUSALS) {
			move(e, i);
			return;
		}
		refuse(e, why, gi, &t, r->claimant, r->slave, now);
	}
	unlearn(e, i, "did not answer when asked again");
	/* The host wants it: found again wherever it went. */
	if (wanted)
		resolve(e, gi, 0, 0, &t, now);
}

/* Another slave says it has a learned target: checked where it is. */
static void claim(struct engine *e, uint32_t i, unsigned int slave,
		  uint64_t now)
{
	struct rec *r = &e->recs[i];
	enum engine_refusal why = may_have(e, &e->groups[r->gi], slave,
					   &r->target);

	if (why != ENGINE_REFUSALS) {
		refuse(e, why, r->gi, &r->target, slave, r->slave, now);
		return;
	}
	e->c.claims++;
	ka_start(e, i, KA_CHALLENGE, slave);
}

/* ---- questions to the kernel: check_masters, engine_masters_checked ---- */

#define UNCHECKED (~0u)		/* the masters not checked yet: ask them */

static int pend_push(struct engine *e, const struct pending *p)
{
	if (grow((void **)&e->pend, &e->pend_cap, e->npend + 1,
		 sizeof(*e->pend)) == -1)
		return -1;
	e->pend[e->npend++] = *p;
	return 0;
}

/* An answer's link-layer address kept while it waits, and given back. */
static void pend_set_mac(struct pending *p, const uint8_t *mac)
{
	p->has_mac = mac != NULL;
	if (mac)
		memcpy(p->mac, mac, sizeof(p->mac));
}

static const uint8_t *pend_mac(const struct pending *p)
{
	return p->has_mac ? p->mac : NULL;
}

static void pend_take(struct engine *e, uint32_t k, struct pending *out)
{
	*out = e->pend[k];
	memmove(&e->pend[k], &e->pend[k + 1],
		(size_t)(e->npend - k - 1) * sizeof(*e->pend));
	e->npend--;
}

/* A master where the engine saw target answer while in flight, or 0. */
static unsigned int known_on_master(struct engine *e, uint32_t gi,
				    const struct in6_addr *t)
{
	uint32_t i = lookup(e, gi, t);

	return i != NIL ? e->recs[i].on_master : 0;
}

/*
 * Whether target answers (as far as the kernel knows) on a master of p's
 * group other than p's slave. False with *master set when the engine
 * knows (or there is nothing to ask: 0); true when the masters are being
 * checked: p waits, and goes on in engine_masters_checked(). A check that
 * cannot be asked counts as none (0), as a failed look-up did.
 */
static bool masters_check(struct engine *e, struct pending *p,
			  unsigned int *master)
{
	struct engine_group *g = &e->groups[p->gi];
	uint32_t n = 0;

	*master = known_on_master(e, p->gi, &p->target);
	if (*master || !e->eg.check_masters ||
	    grow((void **)&e->scratch, &e->scratch_cap, g->nmasters,
		 sizeof(*e->scratch)) == -1)
		return false;
	for (uint32_t m = 0; m < g->nmasters; m++)
		if (g->masters[m] != p->slave)
			e->scratch[n++] = g->masters[m];
	if (!n)
		return false;
	if (++e->check_seq == 0)
		e->check_seq = 1;	/* 0 is an answer waiting behind one */
	p->check = e->check_seq;
	if (pend_push(e, p) == -1)
		return false;
	if (e->eg.check_masters(e->eg.ctx, p->check, g->num, &p->target,
				e->scratch, n) == -1) {
		e->npend--;
		return false;
	}
	if (p->kind == PEND_ANSWER)
		e->recs[lookup(e, p->gi, &p->target)].check_out = true;
	return true;
}

/*
 * A slave's answer inside its resolution's masters' window: kept, in the
 * order it came, until the window ends (expire_mwait()), as answers behind
 * a check are. Without memory to keep it, it is dropped, not taken: the
 * target's next NS finds it again.
 */
static void wait_masters(struct engine *e, uint32_t i, unsigned int slave,
			 const uint8_t *mac)
{
	struct rec *r = &e->recs[i];
	struct pending p = { .kind = PEND_ANSWER, .gi = r->gi,
			     .round = r->round, .slave = slave,
			     .target = r->target };

	pend_set_mac(&p, mac);
	if (pend_push(e, &p) == -1)
		return;
	r->waiting++;
	e->c.answers_waited++;
	/* The likely slave's: the others are not asked for it (likely_waits). */
	if (slave == r->likely && r->likely_until)
		r->likely_until = LIKELY_FOUND;
	if (r->in_mwait)
		return;
	list_insert_by(e, &e->mwait, i, LINKS_MASTERS,
		       offsetof(struct rec, masters_until));
	r->in_mwait = true;
}

/* An answer to one of this resolution's asks (mac: its NA's, or NULL). */
static void take_answer(struct engine *e, uint32_t i, unsigned int slave,
			const uint8_t *mac, uint64_t now, unsigned int checked)
{
	struct rec *r = &e->recs[i];
	struct engine_group *g = &e->groups[r->gi];
	enum engine_refusal why;
	unsigned int master = 0;
	struct in6_addr t;
	bool learned = false;

	if (r->slave == slave && r->ka != KA_NONE) {
		location_answers(e, i, now);
		return;
	}
	if (r->answered) {
		if (e->o.learn_routes && r->slave && r->slave != slave &&
		    r->answered != slave)
			claim(e, i, slave, now);
		else
			e->c.answers_duplicate++;
		return;
	}
	/* Refused, it does not end the resolution: another slave may answer. */
	why = may_have(e, g, slave, &r->target);
	if (why != ENGINE_REFUSALS) {
		refuse(e, why, r->gi, &r->target, slave, 0, now);
		return;
	}
	/*
	 * A guest answers at once, a neighbor on the masters' link after a
	 * round trip there: the first answer must not win a route, a proxy
	 * entry or the held packets by that. Where the operator bound the
	 * address to this slave, nothing to wait for; without routes, the
	 * confirm alone moves nothing of the host's.
	 */
	if (checked == UNCHECKED && e->o.learn_routes &&
	    now < r->masters_until && !bound_to(g, slave, &r->target)) {
		wait_masters(e, i, slave, mac);
		return;
	}
	if (checked == UNCHECKED && !e->o.learn_routes) {
		/*
		 * Nothing of the host's moves: its route stays on the master,
		 * whatever the kernel's view there, which is not asked.
		 */
		master = known_on_master(e, r->gi, &r->target);
	} else if (checked == UNCHECKED) {
		struct pending p = { .kind = PEND_ANSWER, .gi = r->gi,
				     .round = r->round, .slave = slave,
				     .target = r->target };

		pend_set_mac(&p, mac);
		if (masters_check(e, &p, &master))
			return;		/* taken when its masters are checked */
	} else {
		master = r->on_master ? r->on_master : checked;
	}
	if (master) {
		refuse(e, ENGINE_REFUSAL_MASTER, r->gi, &r->target, slave,
		       master, now);
		if (e->o.max_held) {
			release_rec(e, i, false);
			located(e, i, ENGINE_LOCATED_MASTER);
		}
		return;
	}
	e->c.answers++;
	r->answered = slave;
	if (e->o.learn_routes && r->slave && r->slave != slave) {
		/* No confirm: a kernel entry there waits for the verdict. */
		claim(e, i, slave, now);
		return;
	}
	/*
	 * Learned first, confirmed after: the route, and the answers to the
	 * upstream and the guests that wait for the target, go out before
	 * the confirm. A route learned from an NA came with the neighbor
	 * entry its confirm would write; an echo's send (no NA) has the
	 * kernel resolve the target in line, the slowest of them all.
	 */
	t = r->target;
	if (e->o.learn_routes && !r->slave) {
		learn(e, i, slave, mac);
		learned = e->recs[i].slave != 0;
	}
	if (!learned || !mac) {
		e->c.confirms++;
		e->eg.confirm(e->eg.ctx, g->num, slave, &t, mac);
	}
	if (learned)
		confirmed(e, i, now);
}

/* ---- the work loop ---- */

/* A held resolution is over: its answers no longer count. */
/* DAD guests not answered yet: their slave asked again, a few times. */
static void pump_reasks(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->reask.head) != NIL && e->recs[i].reask_at <= now) {
		struct rec *r = &e->recs[i];

		if (r->res != RES_HELD || r->answered || answer_pending(r) ||
		    !r->only) {
			reask_cancel(e, i);
			continue;
		}
		if (!tokenbucket_take(&e->ask_tb, now))
			return;		/* the ask bucket's time is in the deadline */
		list_remove(e, &e->reask, i, LINKS_KA);
		r->in_reask = false;
		r->reasks--;
		e->c.asks++;
		e->c.guest_reasks++;
		e->eg.ask(e->eg.ctx, e->groups[r->gi].num, r->only, &r->target);
		if (r->reasks) {
			r->reask_at = now + ENGINE_GUEST_REASK_MS * NSEC_PER_MSEC;
			r->in_reask = true;
			list_push(e, &e->reask, i, LINKS_KA);
		}
	}
}

static void unlearn(struct engine *e, uint32_t i, const char *why);

/*
 * Learned targets nothing confirmed for a while: asked from their own
 * budget; one that misses ENGINE_IDLE_MISSES asks in a row vanished.
 */
static void pump_idle(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->idle.head) != NIL && e->recs[i].idle_at <= now) {
		struct rec *r = &e->recs[i];

		if (r->idle_misses >= ENGINE_IDLE_MISSES) {
			e->c.vanished++;
			unlearn(e, i, "it vanished: no answer to " ENGINE_STR(ENGINE_IDLE_MISSES)
				      " asks since the kernel let it go");
			continue;
		}
		if (!tokenbucket_take(&e->idle_tb, now)) {
			e->c.idle_deferred++;
			return;		/* the bucket's time is in the deadline */
		}
		r->idle_misses++;
		e->c.idle_asks++;
		e->eg.ask(e->eg.ctx, e->groups[r->gi].num, r->slave, &r->target);
		idle_at(e, i, now + NSEC_PER_SEC);
	}
}

static void finish(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];

	reask_cancel(e, i);
	if (e->o.max_held)
		release_rec(e, i, false);	/* not found: by the master */
	list_remove(e, &e->held, i, LINKS_RES);
	if (!r->answered)
		e->c.unanswered++;
	guest_done(e, r);
	/* The host wanted it, and nothing answered anywhere: said (limited). */
	if (!r->answered && !r->on_master && !r->only && !r->slave &&
	    r->cursor)
		say_limited(e, ENGINE_UNANSWERED, r->gi, &r->target, 0,
			    slaves_asked(e, r), now);
	r->res = RES_NONE;
	r->round++;
	r->answered = 0;
	r->on_master = 0;
	r->deferred = false;
	r->cursor = 0;
	r->from = 0;
	r->likely = 0;
	r->likely_asked = false;
	r->likely_until = 0;
	r->likely_now = false;
	r->only = 0;
	e->c.inflight--;
}

static void expire_held(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->held.head) != NIL && e->recs[i].held_until <= now) {
		finish(e, i, now);
		rec_maybe_free(e, i);
	}
}

/*
 * The kernel gave up on it (no NS for it within its own window) and no
 * packet waits for it: nobody needs the answer any more.
 */
static bool stale(const struct engine *e, uint32_t i, uint64_t now)
{
	const struct rec *r = &e->recs[i];

	return e->o.stale_ns && !r->nheld && !r->only && !r->slave &&
	       now - r->last_ns >= e->o.stale_ns;
}

/* Out of the wait or ask list (already removed), its work undone. */
static void drop_rec(struct engine *e, uint32_t i, bool expired)
{
	struct rec *r = &e->recs[i];

	if (r->res == RES_ASKING)
		e->c.inflight--;
	guest_done(e, r);
	if (expired)
		e->c.targets_expired++;
	else
		e->c.targets_refused++;
	r->res = RES_NONE;
	r->round++;
	r->cursor = 0;
	r->from = 0;
	r->likely = 0;
	r->likely_asked = false;
	r->likely_until = 0;
	r->likely_now = false;
	r->deferred = false;
	rec_maybe_free(e, i);
}

static void promote(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->wait.head) != NIL && e->c.inflight < e->o.max_inflight) {
		list_remove(e, &e->wait, i, LINKS_RES);
		e->c.queued--;
		if (stale(e, i, now)) {
			drop_rec(e, i, true);
			continue;
		}
		e->recs[i].res = RES_ASKING;
		e->c.inflight++;
		list_push(e, &e->ask, i, LINKS_RES);
	}
	if (e->wait.head == NIL) {
		limit_over(e, ENGINE_LIMIT_INFLIGHT);
		limit_over(e, ENGINE_LIMIT_QUEUE);
	}
}

/* The likely slave, before the others: still one, not asked yet. */
static bool ask_likely(const struct engine_group *g, const struct rec *r)
{
	return r->likely && !r->likely_asked && r->likely != r->from &&
	       (!r->only || r->likely == r->only) &&
	       pos_in(g->slaves, g->nslaves, r->likely) >= 0;
}

static void earliest(uint64_t *d, uint64_t t)
{
	if (t == 0)
		t = 1;		/* 0 means "none" to the caller */
	if (*d == 0 || t < *d)
		*d = t;
}

/* A slave of r's group still to be asked after the likely one. */
static bool others_to_ask(const struct engine_group *g, const struct rec *r)
{
	for (uint32_t k = r->cursor; k < g->nslaves; k++) {
		unsigned int s = g->slaves[k];

		if (s != r->from && s != r->likely && (!r->only || s == r->only))
			return true;
	}
	return false;
}

/*
 * Whether r's other slaves still wait for the likely one's answer. Its
 * answer taken, they are never asked; its time up, they are asked now.
 */
static bool likely_waits(struct rec *r, uint64_t now)
{
	if (!r->likely_until || r->likely_until == LIKELY_FOUND)
		return false;
	if (r->answered) {
		r->likely_until = LIKELY_FOUND;
		return false;
	}
	if (now < r->likely_until)
		return true;
	r->likely_until = 0;
	return false;
}

/*
 * Asks in FIFO order of targets: the head is finished before the next,
 * except one whose likely slave was asked alone and has a little time to
 * answer (likely_until): the targets after it go on meanwhile.
 */
static void pump_asks(struct engine *e, uint64_t now)
{
	uint32_t i, next;

	e->asks_blocked = false;
	e->likely_due = 0;
	for (i = e->ask.head; i != NIL; i = next) {
		struct rec *r = &e->recs[i];
		struct engine_group *g = &e->groups[r->gi];

		next = r->rnext;
		if (stale(e, i, now)) {
			list_remove(e, &e->ask, i, LINKS_RES);
			drop_rec(e, i, true);
			continue;
		}
		if (likely_waits(r, now)) {
			earliest(&e->likely_due, r->likely_until);
			continue;
		}
		while (r->likely_until != LIKELY_FOUND &&
		       (ask_likely(g, r) || r->cursor < g->nslaves)) {
			bool likely = ask_likely(g, r);
			unsigned int s = likely ? r->likely : g->slaves[r->cursor];

			/*
			 * Mesh: not where it came from; a guest: its slave
			 * only; the likely one was asked first.
			 */
			if (!likely && (s == r->from || s == r->likely ||
					(r->only && s != r->only))) {
				r->cursor++;
				continue;
			}
			if (!tokenbucket_take(&e->ask_tb, now)) {
				if (!r->deferred)
					e->c.targets_deferred++;
				r->deferred = true;
				e->asks_blocked = true;
				limit_bites(e, ENGINE_LIMIT_RATE, r->gi, &r->target);
				return;
			}
			if (likely)
				r->likely_asked = true;
			else
				r->cursor++;
			e->c.asks++;
			e->eg.ask(e->eg.ctx, g->num, s, &r->target);
			if (likely && e->o.likely_wait_ns && !r->likely_now &&
			    others_to_ask(g, r)) {
				r->likely_until = now + e->o.likely_wait_ns;
				break;
			}
		}
		if (r->likely_until && r->likely_until != LIKELY_FOUND) {
			earliest(&e->likely_due, r->likely_until);
			continue;
		}
		/* Every slave asked, or the likely one answered: held now. */
		list_remove(e, &e->ask, i, LINKS_RES);
		r->res = RES_HELD;
		r->held_until = now + e->o.holddown_ns;
		list_push(e, &e->held, i, LINKS_RES);
		/* A DAD guest may still be tentative: asked again soon. */
		if (r->reasks && !r->answered && !r->in_reask) {
			r->reask_at = now + ENGINE_GUEST_REASK_MS * NSEC_PER_MSEC;
			r->in_reask = true;
			list_push(e, &e->reask, i, LINKS_KA);
		}
	}
	limit_over(e, ENGINE_LIMIT_RATE);
}

static void expire_keepalive(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->ka_wait.head) != NIL && e->recs[i].ka_until <= now)
		location_failed(e, i, now);
}

static void pump_keepalive(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->ka_todo.head) != NIL) {
		struct rec *r = &e->recs[i];

		if (!tokenbucket_take(&e->ka_tb, now)) {
			if (!r->ka_deferred)
				e->c.keepalive_deferred++;
			r->ka_deferred = true;
			limit_bites(e, ENGINE_LIMIT_KEEPALIVE, r->gi, &r->target);
			return;
		}
		list_remove(e, &e->ka_todo, i, LINKS_KA);
		r->ka_asked = true;
		r->ka_until = now + e->o.verify_ns;
		list_push(e, &e->ka_wait, i, LINKS_KA);
		e->c.keepalive_asks++;
		e->eg.ask(e->eg.ctx, e->groups[r->gi].num, r->slave, &r->target);
	}
	limit_over(e, ENGINE_LIMIT_KEEPALIVE);
}

static void expire_delayed(struct engine *e, uint64_t now);

static void expire_mwait(struct engine *e, uint64_t now);

static void run(struct engine *e, uint64_t now)
{
	expire_mwait(e, now);
	expire_held(e, now);
	expire_delayed(e, now);
	if (e->o.max_held)
		expire_held_pkts(e, now);
	promote(e, now);
	pump_asks(e, now);
	pump_reasks(e, now);
	pump_idle(e, now);
	expire_keepalive(e, now);
	pump_keepalive(e, now);
}

/*
 * After a flood the pool is many times what is left in it: the records
 * still used move down to a pool sized to them, every index that names
 * one (list links, hash chains, held packets) renamed. Only between
 * events, where no caller holds an index.
 */
#define POOL_MIN 64

static void compact(struct engine *e)
{
	uint32_t size = POOL_MIN, j = 1, *map, *buckets;
	struct list *lists[] = { &e->wait, &e->ask, &e->held, &e->delayed,
				 &e->ka_todo, &e->ka_wait, &e->reask, &e->idle,
				 &e->mwait };
	struct rec *v;

	if (e->pool_size <= 4 * POOL_MIN || e->c.records * 8 > e->pool_size)
		return;
	while (size < e->c.records * 2 + 1)
		size *= 2;
	map = calloc(e->pool_used, sizeof(*map));
	v = calloc(size, sizeof(*v));
	buckets = calloc(size, sizeof(*buckets));
	if (!map || !v || !buckets) {
		free(map);
		free(v);
		free(buckets);
		return;		/* kept as it is: nothing lost */
	}
	for (uint32_t i = 1; i < e->pool_used; i++)
		if (e->recs[i].used) {
			map[i] = j;
			v[j++] = e->recs[i];
		}
	for (uint32_t i = 1; i < j; i++) {
		v[i].rprev = map[v[i].rprev];
		v[i].rnext = map[v[i].rnext];
		v[i].kprev = map[v[i].kprev];
		v[i].knext = map[v[i].knext];
		v[i].mprev = map[v[i].mprev];
		v[i].mnext = map[v[i].mnext];
	}
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		lists[k]->head = map[lists[k]->head];
		lists[k]->tail = map[lists[k]->tail];
	}
	for (uint32_t k = 0; k < e->held_n; k++) {
		struct held_pkt *h = &e->held_pkts[(e->held_head + k) % e->o.max_held];

		if (h->rec != NIL)
			h->rec = map[h->rec];
	}
	free(map);
	free(e->recs);
	e->recs = v;
	e->pool_size = size;
	e->pool_used = j;
	e->free_head = NIL;
	e->c.record_slots = size;
	/* The hash, sized down too: every chain built anew. */
	free(e->buckets);
	e->buckets = buckets;
	e->nbuckets = size;
	for (uint32_t i = 1; i < e->pool_used; i++) {
		uint32_t *head = bucket_of(e, e->groups[e->recs[i].gi].num,
					   &e->recs[i].target);

		e->recs[i].hnext = *head;
		*head = i;
	}
}

void engine_tick(struct engine *e, uint64_t now)
{
	engine_clock(e, now);
	run(e, now);
	compact(e);
}

/* When the bucket next holds a whole token. */
static uint64_t token_time(const struct tokenbucket *tb)
{
	if (tb->tokens_ns >= NSEC_PER_SEC)
		return tb->last;
	return tb->last + (NSEC_PER_SEC - tb->tokens_ns + tb->rate - 1) / tb->rate;
}

uint64_t engine_next_deadline(const struct engine *e)
{
	uint64_t d = 0;

	if (e->held.head != NIL) {
		uint64_t t = e->recs[e->held.head].held_until;

		/* Nothing waits for it: merged with the ones that end soon. */
		if (e->wait.head == NIL && !e->o.max_held)
			t += ENGINE_HELD_SLACK_MS * NSEC_PER_MSEC;
		earliest(&d, t);
	}
	if (e->delayed.head != NIL)
		earliest(&d, e->recs[e->delayed.head].due);
	if (e->mwait.head != NIL)
		earliest(&d, e->recs[e->mwait.head].masters_until);
	if (e->held_n)
		earliest(&d, e->held_pkts[e->held_head].until);
	if (e->ka_wait.head != NIL)
		earliest(&d, e->recs[e->ka_wait.head].ka_until);
	/* (Only likely slaves' waits in it: none of its asks is due.) */
	if (e->ask.head != NIL && (e->asks_blocked || !e->likely_due))
		earliest(&d, token_time(&e->ask_tb));
	if (e->likely_due)
		earliest(&d, e->likely_due);
	if (e->ka_todo.head != NIL)
		earliest(&d, token_time(&e->ka_tb));
	if (e->idle.head != NIL) {
		uint64_t t = e->recs[e->idle.head].idle_at;

		earliest(&d, t > token_time(&e->idle_tb) ? t : token_time(&e->idle_tb));
	}
	if (e->reask.head != NIL) {
		uint64_t t = e->recs[e->reask.head].reask_at;

		earliest(&d, t > token_time(&e->ask_tb) ? t : token_time(&e->ask_tb));
	}
	return d;
}

/* ---- events ---- */

/*
 * Record i starts a resolution: asked now if there is room in flight, else
 * queued (first come, first asked), else refused. from: the master its NS
 * came through (not asked); only: a guest's slave, the one asked.
 */
static void admit(struct engine *e, uint32_t i, unsigned int from,
		  unsigned int only)
{
	struct rec *r = &e->recs[i];

	r->from = from;
	r->only = only;
	r->nowhere_said = false;
	/*
	 * Freshest first: the kernel gives up on a target 3 s after its
	 * first NS, so under a flood the newest are the ones still worth
	 * it. At the head of the ask list, taking the place in flight of
	 * the oldest one not asked anywhere yet (back to the queue); if
	 * there is none, at the head of the queue.
	 */
	if (e->c.inflight >= e->o.max_inflight && e->ask.tail != NIL &&
	    e->recs[e->ask.tail].cursor == 0 && !e->recs[e->ask.tail].only &&
	    !e->recs[e->ask.tail].likely_asked) {
		uint32_t old = e->ask.tail;

		list_remove(e, &e->ask, old, LINKS_RES);
		e->recs[old].res = RES_QUEUED;
		e->c.inflight--;
		e->c.queued++;
		/* Still fresher than any that waits already. */
		list_insert_after(e, &e->wait, NIL, old, LINKS_RES);
		limit_bites(e, ENGINE_LIMIT_INFLIGHT, r->gi, &r->target);
	}
	if (e->c.inflight < e->o.max_inflight) {
		r->res = RES_ASKING;
		e->c.inflight++;
		list_insert_after(e, &e->ask, NIL, i, LINKS_RES);
		return;
	}
	r->res = RES_QUEUED;
	e->c.queued++;
	e->c.targets_queued++;
	list_insert_after(e, &e->wait, NIL, i, LINKS_RES);
	limit_bites(e, ENGINE_LIMIT_INFLIGHT, r->gi, &r->target);
}

/* Room to queue one more, or the target is refused (counted, said once). */
static bool may_queue(struct engine *e, uint32_t gi, const struct in6_addr *t,
		      uint64_t now)
{
	uint32_t old;

	if (e->c.inflight < e->o.max_inflight || e->c.queued < e->o.max_queue)
		return true;
	/*
	 * Full: the stalest waiting target makes room (dropped and counted,
	 * as the newest was before), unless packets wait for it.
	 */
	old = e->wait.tail;
	limit_bites(e, ENGINE_LIMIT_QUEUE, gi, t);
	if (old != NIL && !e->recs[old].nheld) {
		list_remove(e, &e->wait, old, LINKS_RES);
		e->c.queued--;
		drop_rec(e, old, stale(e, old, now));
		return true;
	}
	e->c.targets_refused++;
	return false;
}

/*
 * Asked for again (the kernel's NS, a held packet): still wanted, so ahead
 * of the older ones that are not.
 */
static void freshen(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];

	r->last_ns = now;
	if (r->res == RES_ASKING && e->ask.head != i) {
		list_remove(e, &e->ask, i, LINKS_RES);
		list_insert_after(e, &e->ask, NIL, i, LINKS_RES);
	} else if (r->res == RES_QUEUED && e->wait.head != i) {
		list_remove(e, &e->wait, i, LINKS_RES);
		list_insert_after(e, &e->wait, NIL, i, LINKS_RES);
	}
}

/* Into the delayed list, kept in order of due (mostly at its tail). */
static void delay_until(struct engine *e, uint32_t i, uint64_t due)
{
	e->recs[i].due = due;
	list_insert_by(e, &e->delayed, i, LINKS_RES, offsetof(struct rec, due));
}

/*
 * A guest's claim is checked on the masters of its group: each is asked
 * (paced like every ask), and an answer there refuses the claim. true
 * when every master was asked; false when the ask bucket ran dry.
 */
static bool ask_masters(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];
	struct engine_group *g = &e->groups[r->gi];

	while (r->mcursor < g->nmasters) {
		unsigned int m = g->masters[r->mcursor];

		/* Mesh: the claiming interface is a master too. */
		if (m != r->only) {
			if (!tokenbucket_take(&e->ask_tb, now)) {
				limit_bites(e, ENGINE_LIMIT_RATE, r->gi, &r->target);
				return false;
			}
			e->c.master_asks++;
			e->eg.ask(e->eg.ctx, g->num, m, &r->target);
		}
		r->mcursor++;
	}
	r->masters_at = now;
	return true;
}

/* Its masters asked from the first, for a resolution that starts. */
static bool ask_masters_anew(struct engine *e, uint32_t i, uint64_t now)
{
	e->recs[i].mcursor = 0;
	e->recs[i].masters_at = 0;
	return ask_masters(e, i, now);
}

/* Whether a master other than the guest's own interface was asked. */
static bool masters_to_wait_for(const struct engine *e, const struct rec *r)
{
	const struct engine_group *g = &e->groups[r->gi];

	for (uint32_t m = 0; m < g->nmasters; m++)
		if (g->masters[m] != r->only)
			return true;
	return false;
}

static void undelay(struct engine *e, uint32_t i)
{
	list_remove(e, &e->delayed, i, LINKS_RES);
	e->recs[i].res = RES_NONE;
	e->c.guests_waiting--;
}

/*
 * from: the master its NS came through, not asked; first: a slave asked
 * before the others (a guest's NS: its own), 0 for none.
 */
static void resolve(struct engine *e, uint32_t gi, unsigned int from,
		    unsigned int first, const struct in6_addr *t, uint64_t now)
{
	uint32_t i = lookup(e, gi, t);
	unsigned int likely = 0;

	if (i != NIL && e->recs[i].res == RES_DELAYED) {
		undelay(e, i);	/* every slave is asked now, its own too */
		guest_done(e, &e->recs[i]);
		likely = e->recs[i].asker;
	}
	/*
	 * A guest's sign had its slave asked alone, and it stayed silent (a
	 * guest that moved, or a sign from a spoofed source): this NS is no
	 * retransmission of that. Every slave is asked now, not once the
	 * hold-down is over: a sign must not keep an address from the host
	 * or the upstream for seconds.
	 */
	if (i != NIL && e->recs[i].res == RES_HELD && e->recs[i].only &&
	    !e->recs[i].answered && !answer_pending(&e->recs[i]))
		finish(e, i, now);
	if (i != NIL && e->recs[i].res != RES_NONE) {
		e->c.ns_free++;		/* a retransmission: already handled */
		freshen(e, i, now);
		return;
	}
	e->c.ns++;
	if (!may_queue(e, gi, t, now))
		return;
	if (i == NIL && (i = rec_new(e, gi, t)) == NIL) {
		e->c.targets_refused++;	/* out of memory: as if full */
		return;
	}
	e->recs[i].last_ns = now;
	e->recs[i].likely = likely ? likely : first;
	e->recs[i].likely_asked = false;
	e->recs[i].likely_until = 0;
	e->recs[i].likely_now = !likely && first;
	/* Its masters are asked now: the host's NS, or ours right after. */
	e->recs[i].masters_until = now + e->o.claim_wait_ns;
	admit(e, i, from, 0);
	run(e, now);
}

/*
 * Resolve t; when that starts a resolution, ask the masters too: the
 * host's own NS did not go out on them first (a held packet, a guest's
 * NS). The record, or NIL when refused.
 */
static uint32_t resolve_with_masters(struct engine *e, uint32_t gi,
				     unsigned int from, unsigned int first,
				     const struct in6_addr *t, uint64_t now)
{
	uint32_t i = lookup(e, gi, t);
	bool fresh = i == NIL || e->recs[i].res == RES_NONE;

	resolve(e, gi, from, first, t, now);
	i = lookup(e, gi, t);
	if (fresh && i != NIL && e->recs[i].res != RES_NONE)
		ask_masters_anew(e, i, now);
	return i;
}

/* Guests whose address is usable by now: ask their slave. */
static void expire_delayed(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->delayed.head) != NIL && e->recs[i].due <= now) {
		struct rec *r = &e->recs[i];
		unsigned int slave = r->only;

		/* Its masters could not all be asked at its sign: now. */
		if (!r->masters_at) {
			list_remove(e, &e->delayed, i, LINKS_RES);
			if (ask_masters(e, i, now))
				delay_until(e, i, now + e->o.master_wait_ns);
			else
				delay_until(e, i, token_time(&e->ask_tb) > now ?
					    token_time(&e->ask_tb) : now + 1);
			continue;
		}
		undelay(e, i);
		if (!may_queue(e, r->gi, &r->target, now)) {
			guest_done(e, r);
			rec_maybe_free(e, i);
			continue;
		}
		admit(e, i, 0, slave);
	}
}

void engine_ns_out(struct engine *e, uint16_t group, unsigned int master,
		   const struct in6_addr *target, uint64_t now)
{
	engine_clock(e, now);
	int gi = find_group(e, group);

	run(e, now);
	if (gi < 0) {
		e->c.ns_no_group++;
		return;
	}
	resolve(e, (uint32_t)gi, master, 0, target, now);
}

void engine_ns_in(struct engine *e, uint16_t group, unsigned int master,
		  const struct in6_addr *target, bool eligible, uint64_t now)
{
	engine_clock(e, now);
	int gi = find_group(e, group);
	uint32_t i;

	run(e, now);
	if (gi < 0) {
		e->c.ns_no_group++;
		return;
	}
	if (!e->o.proxy_ndp || !eligible || is_local(e, target)) {
		e->c.ns_upstream_ignored++;
		return;
	}
	i = lookup(e, (uint32_t)gi, target);
	if (i != NIL && e->recs[i].slave) {
		e->c.ns_upstream_known++;	/* the proxy entry answers */
		return;
	}
	/*
	 * A neighbor on the master's link answers the upstream, not the
	 * host: the masters are asked with our own NS, that one included.
	 */
	resolve_with_masters(e, (uint32_t)gi, master, 0, target, now);
}

void engine_held(struct engine *e, uint16_t group, unsigned int master,
		 const struct in6_addr *target, uint32_t packet_id,
		 uint64_t now)
{
	engine_clock(e, now);
	struct held_pkt h = { held_until(e, now, now), now, packet_id, NIL, group };
	int gi = find_group(e, group);
	uint32_t i;

	run(e, now);
	if (!e->o.max_held)
		return;
	if (gi < 0 || e->held_n == e->o.max_held) {
		if (gi >= 0) {
			e->c.held_full++;
			limit_bites(e, ENGINE_LIMIT_HELD, (uint32_t)gi, target);
		}
		e->c.held_unchanged++;
		e->eg.release(e->eg.ctx, group, packet_id, false);
		return;
	}
	limit_over(e, ENGINE_LIMIT_HELD);
	i = lookup(e, (uint32_t)gi, target);
	/* Learned meanwhile: the route is there now. */
	if (i != NIL && e->recs[i].slave) {
		e->c.held++;
		e->c.held_rerouted++;
		e->eg.release(e->eg.ctx, group, packet_id, true);
		located(e, i, ENGINE_LOCATED_SLAVE);
		return;
	}
	/*
	 * Held before the host's own NS went out: the masters are asked
	 * too, so that a neighbor on the master's link (the upstream
	 * router) ends the wait with its answer, not with queue_wait.
	 */
	i = resolve_with_masters(e, (uint32_t)gi, master, 0, target, now);
	if (i == NIL || e->recs[i].res == RES_NONE || e->recs[i].on_master) {
		/* Refused (queue full), or it lives on the master: goes on. */
		e->c.held_unchanged++;
		e->eg.release(e->eg.ctx, group, packet_id, false);
		return;
	}
	e->c.held++;
	e->recs[i].nheld++;
	h.rec = i;
	held_push(e, &h);
}

void engine_release_held(struct engine *e)
{
	for (uint32_t k = 0; k < e->held_n; k++) {
		struct held_pkt *h = &e->held_pkts[(e->held_head + k) % e->o.max_held];

		if (h->rec != NIL)
			release(e, h, false);
	}
	e->held_n = 0;
}

/*
 * A resolution asked every slave master_wait ago or more, and none
 * answered: an answer now would be late. (Sooner, the sign may be the
 * guest's own answer to our ask, passing by.)
 */
static bool unanswered_since(const struct engine *e, const struct rec *r,
			     uint64_t now)
{
	return !r->answered && !answer_pending(r) &&
	       now + e->o.holddown_ns >= r->held_until + e->o.master_wait_ns;
}

/* A sign of target on slave, in group gi (engine_guest()). */
static void guest_sign(struct engine *e, int gi, unsigned int slave,
		       const struct in6_addr *target,
		       enum engine_guest_sign sign, uint64_t now)
{
	enum engine_refusal why;
	struct slave_state *st;
	struct engine_group *g;
	uint64_t due;
	uint32_t i;
	struct rec *r;

	if (gi < 0 || !e->o.learn_routes || is_local(e, target)) {
		e->c.guests_ignored++;
		return;
	}
	g = &e->groups[gi];
	if (pos_in(g->slaves, g->nslaves, slave) < 0) {
		e->c.guests_ignored++;
		return;
	}
	st = slave_state(g, slave);
	/* Not asked at all for what it may not have: nothing to learn. */
	why = may_have(e, g, slave, target);
	if (why != ENGINE_REFUSALS) {
		st->signs_refused++;
		refuse(e, why, (uint32_t)gi, target, slave, 0, now);
		return;
	}
	i = lookup(e, (uint32_t)gi, target);
	/*
	 * A resolution whose asks are done but that did not ask this slave
	 * (a guest's, for another), got its answer elsewhere, or none (the
	 * address came up here after the ask, or the first answer was
	 * refused): it ends here, and this slave is asked. A guest that
	 * moved, or one that claims another's address: the answer decides.
	 */
	if (i != NIL && e->recs[i].res == RES_HELD &&
	    e->recs[i].answered != slave && e->recs[i].only != slave &&
	    (e->recs[i].answered || unanswered_since(e, &e->recs[i], now)))
		finish(e, i, now);
	/* Learned there already, or being resolved: nothing to add. */
	if (i != NIL && (e->recs[i].slave == slave || e->recs[i].res != RES_NONE)) {
		e->c.guests_known++;
		return;
	}
	if (e->c.guests_waiting >= e->o.max_queue) {
		e->c.targets_refused++;
		st->signs_refused++;
		limit_bites(e, ENGINE_LIMIT_QUEUE, (uint32_t)gi, target);
		return;
	}
	/* Its slave's share is full: the others' guests keep theirs. */
	if (st->guests >= guest_share(e, g)) {
		e->c.guests_over_share++;
		st->signs_refused++;
		return;
	}
	if (i == NIL && (i = rec_new(e, (uint32_t)gi, target)) == NIL) {
		e->c.targets_refused++;
		return;
	}
	e->c.guests++;
	st->signs++;
	st->guests++;
	r = &e->recs[i];
	r->guest = true;
	r->asker = slave;
	r->only = slave;
	r->res = RES_DELAYED;
	e->c.guests_waiting++;
	/*
	 * A DAD NS says the address is tentative: it answers nothing until
	 * DAD is over. A packet from the address says it is in use now. Its
	 * masters are asked at once, and given master_wait to answer.
	 */
	due = now + (sign == ENGINE_GUEST_DAD ? e->o.guest_delay_ns : 0);
	/* (The k-links it is asked again by are a learned one's keep-alive.) */
	r->reasks = sign == ENGINE_GUEST_DAD && !r->slave ? ENGINE_GUEST_REASKS : 0;
	if (ask_masters_anew(e, i, now) && masters_to_wait_for(e, r) &&
	    due < now + e->o.master_wait_ns)
		due = now + e->o.master_wait_ns;
	delay_until(e, i, due);
	/* Learned behind another slave: asked there at once (a move?). */
	if (r->slave && r->slave != slave)
		ka_start(e, i, KA_VERIFY, 0);
}

void engine_guest(struct engine *e, uint16_t group, unsigned int slave,
		  const struct in6_addr *target, enum engine_guest_sign sign,
		  uint64_t now)
{
	engine_clock(e, now);
	run(e, now);
	guest_sign(e, find_group(e, group), slave, target, sign, now);
	run(e, now);
}

/*
 * Target answered on master m of group gi (an interface that is not a
 * slave there too): it lives on the master's link. While it is in flight,
 * or its masters were asked of late, no slave's claim is taken: a guest
 * waiting to be asked is refused, a learned one is taken back.
 */
static bool master_answers(struct engine *e, uint32_t gi, unsigned int m,
			   const struct in6_addr *target, uint64_t now)
{
	uint32_t i = lookup(e, gi, target);
	struct rec *r;

	if (i == NIL)
		return false;
	r = &e->recs[i];
	if (r->res == RES_NONE &&
	    (!r->masters_at || now - r->masters_at >= e->o.holddown_ns))
		return false;
	if (r->res == RES_DELAYED) {
		undelay(e, i);
		guest_done(e, r);
		refuse(e, ENGINE_REFUSAL_MASTER, gi, target, r->only, m, now);
		if (!r->slave)
			rec_maybe_free(e, i);
		return true;
	}
	/* Its route goes first: the guests' answers and held packets follow. */
	if (r->slave) {
		refuse(e, ENGINE_REFUSAL_MASTER, gi, target, r->slave, m, now);
		unlearn(e, i, "it answers on a master");
	}
	on_master_found(e, i, m);
	return true;
}

/* A guest's NS in group gi; checked: its masters' check's answer. */
static void guest_ns(struct engine *e, uint32_t gi, unsigned int slave,
		     const struct in6_addr *target, uint64_t now,
		     unsigned int checked)
{
	struct engine_group *g = &e->groups[gi];
	struct slave_state *st;
	unsigned int dev, master;
	bool fresh;
	uint32_t i;

	dev = onlink_dev(e, target);
	i = lookup(e, (uint32_t)gi, target);
	/*
	 * Never for an address that lives on the asking slave (its own
	 * answer comes from there), nor one outside the master's link.
	 */
	if (pos_in(g->slaves, g->nslaves, slave) < 0 ||
	    (i != NIL && e->recs[i].slave == slave) ||
	    (!is_local(e, target) && (!dev || !is_master(g, dev)))) {
		e->c.guest_ns_ignored++;
		return;
	}
	/* The host's own, behind another slave, or on a master: now. */
	if (is_local(e, target) || (i != NIL && e->recs[i].slave) ||
	    (i != NIL && e->recs[i].on_master)) {
		e->c.guest_ns_answered++;
		give_guests(e, g->num, target, i != NIL ? e->recs[i].slave : 0);
		return;
	}
	if (checked == UNCHECKED) {
		struct pending p = { .kind = PEND_GUEST_NS, .gi = gi,
				     .slave = slave, .target = *target };

		if (masters_check(e, &p, &master))
			return;		/* goes on when they are checked */
	} else {
		master = checked;
	}
	if (master) {
		e->c.guest_ns_answered++;
		give_guests(e, g->num, target, 0);
		return;
	}
	/*
	 * Found as any target is: the slaves and the masters asked. Its
	 * own slave first: on a bridge the target may be its neighbor
	 * there, whose answer must come before any other slave's (never
	 * asking there let a guest elsewhere that claims the address win).
	 * A resolution it starts counts in its slave's share, as a sign
	 * does: one slave's flood of NS cannot take the engine from the
	 * others' guests, nor from the host's own targets.
	 */
	st = slave_state(g, slave);
	fresh = i == NIL || e->recs[i].res == RES_NONE ||
		e->recs[i].res == RES_DELAYED;
	if (fresh && st->guests >= guest_share(e, g)) {
		e->c.guest_ns_over_share++;
		return;
	}
	i = resolve_with_masters(e, gi, 0, slave, target, now);
	if (fresh && i != NIL && e->recs[i].res != RES_NONE && !e->recs[i].guest) {
		e->recs[i].guest = true;
		e->recs[i].asker = slave;
		st->guests++;
	}
}

void engine_guest_ns(struct engine *e, uint16_t group, unsigned int slave,
		     const struct in6_addr *target, uint64_t now)
{
	engine_clock(e, now);
	int gi = find_group(e, group);

	run(e, now);
	e->c.guest_ns++;
	if (gi < 0 || !e->o.proxy_ndp) {
		e->c.guest_ns_ignored++;
		return;
	}
	guest_ns(e, (uint32_t)gi, slave, target, now, UNCHECKED);
}

/*
 * An answer from slave (pos in gi's slaves) for record i. One that comes
 * while an earlier answer's masters are checked waits behind it (unless
 * it is that one, taken after it: waited), so that answers are taken in
 * the order they came.
 */
static bool answer_rec(struct engine *e, uint32_t gi, uint32_t i,
		       unsigned int slave, const uint8_t *mac, long pos,
		       bool waited, uint64_t now)
{
	struct rec *r = &e->recs[i];

	if (!waited && (r->check_out || r->waiting)) {
		struct pending p = { .kind = PEND_ANSWER, .gi = gi,
				     .round = r->round, .slave = slave,
				     .target = r->target };

		pend_set_mac(&p, mac);
		/* No memory to wait: taken now, out of order. */
		if (pend_push(e, &p) == 0) {
			r->waiting++;
			return true;
		}
	}
	if (r->slave == slave && r->ka != KA_NONE && r->ka_asked) {
		location_answers(e, i, now);
		return true;
	}
	if (r->slave == slave && r->in_idle && r->idle_misses) {
		confirmed(e, i, now);	/* still there */
		return true;
	}
	if ((r->res == RES_ASKING || r->res == RES_HELD) &&
	    (slave == r->likely ? r->likely_asked : (uint32_t)pos < r->cursor) &&
	    slave != r->from && (!r->only || slave == r->only)) {
		take_answer(e, i, slave, mac, now, UNCHECKED);
		return true;
	}
	return false;
}

void engine_answer(struct engine *e, unsigned int slave,
		   const struct in6_addr *target, const uint8_t *mac,
		   uint64_t now)
{
	engine_clock(e, now);
	bool taken = false;

	run(e, now);	/* a resolution whose window ended takes no answer */
	for (uint32_t gi = 0; gi < e->ngroups; gi++) {
		struct engine_group *g = &e->groups[gi];
		long pos = pos_in(g->slaves, g->nslaves, slave);
		uint32_t i;

		if (pos < 0 && is_master(g, slave)) {
			taken |= master_answers(e, gi, slave, target, now);
			continue;
		}
		if (pos < 0 || (i = lookup(e, gi, target)) == NIL)
			continue;
		taken |= answer_rec(e, gi, i, slave, mac, pos, false, now);
	}
	if (!taken)
		e->c.answers_unasked++;
	run(e, now);
}

void engine_neigh(struct engine *e, unsigned int ifindex,
		  const struct in6_addr *target, enum engine_neigh_state state,
		  bool fresh, uint64_t now)
{
	engine_clock(e, now);
	run(e, now);
	for (uint32_t gi = 0; gi < e->ngroups; gi++) {
		struct engine_group *g = &e->groups[gi];
		uint32_t i = lookup(e, gi, target);
		struct rec *r;

		if (i == NIL)
			continue;
		r = &e->recs[i];
		if (r->slave && ifindex == r->slave) {
			if (state == ENGINE_NEIGH_USABLE) {
				if (fresh && r->ka != KA_NONE)
					location_answers(e, i, now);
				else if (fresh)
					confirmed(e, i, now);
				continue;
			}
			if (state == ENGINE_NEIGH_FAILED &&
			    r->ka == KA_CHALLENGE) {
				location_failed(e, i, now);
				continue;
			}
			/* Gone or failed says little: ask before forgetting. */
			if (r->ka == KA_NONE)
				ka_start(e, i, KA_VERIFY, 0);
			/*
			 * The host talks to it and it stopped answering: it
			 * may have moved without a word. Should its location
			 * stay silent too, every slave is asked at once.
			 */
			if (state == ENGINE_NEIGH_PROBE ||
			    state == ENGINE_NEIGH_FAILED)
				r->wanted = true;
			continue;
		}
		if (state != ENGINE_NEIGH_USABLE)
			continue;
		if (is_master(g, ifindex) && ifindex != r->answered) {
			/* Fresh: the host asked on the master and got an answer. */
			if (fresh && r->slave) {
				e->c.refused[ENGINE_REFUSAL_MASTER]++;
				unlearn(e, i, "it answers on a master");
			}
			/*
			 * Still learned behind a slave (anyone makes a stale
			 * entry with one packet): it is not found on the
			 * master, and its guests are not told so.
			 */
			if (!r->slave)
				on_master_found(e, i, ifindex);
			continue;
		}
		if (fresh && r->slave && e->o.learn_routes &&
		    pos_in(g->slaves, g->nslaves, ifindex) >= 0)
			claim(e, i, ifindex, now);
	}
	run(e, now);
}

/*
 * A route an earlier run left (engine_adopt()); checked: its masters'
 * check's answer, or UNCHECKED when it is not asked yet. in_place: no
 * route was written since it was found in the kernel. Otherwise a route
 * of ours for the target may have replaced it, and removing that one
 * removed it: it is written again (the same route replaces itself).
 */
static int adopt(struct engine *e, uint16_t group, unsigned int slave,
		 const struct in6_addr *target, uint64_t now,
		 unsigned int checked, bool in_place)
{
	int gi = find_group(e, group);
	struct pending p = { .kind = PEND_ADOPT, .gi = gi < 0 ? 0 : (uint32_t)gi,
			     .slave = slave, .route_writes = e->route_writes,
			     .target = *target };
	enum engine_refusal why;
	uint32_t i = NIL;
	bool taken = false;

	if (!e->o.learn_routes || gi < 0 ||
	    pos_in(e->groups[gi].slaves, e->groups[gi].nslaves, slave) < 0) {
		/* Not (or no longer) a slave of ours: as a purge would. */
	} else if ((why = may_have(e, &e->groups[gi], slave, target)) !=
		   ENGINE_REFUSALS) {
		refuse(e, why, (uint32_t)gi, target, slave, 0, now);
	} else if (checked == UNCHECKED && masters_check(e, &p, &checked)) {
		return 1;	/* goes on when they are checked */
	} else if (checked || (checked = known_on_master(e, (uint32_t)gi,
							 target))) {
		refuse(e, ENGINE_REFUSAL_MASTER, (uint32_t)gi, target, slave,
		       checked, now);
	} else if ((i = lookup(e, (uint32_t)gi, target)) != NIL &&
		   e->recs[i].slave) {
		/* Known already: kept where it is, proven by its answers. */
		if (e->recs[i].slave == slave)
			return 0;
	} else if (i == NIL && (i = rec_new(e, (uint32_t)gi, target)) == NIL) {
		errno = ENOMEM;
	} else if (learn_at(e, i, slave, in_place, NULL)) {
		proxies(e, i, PROXIES_ADD);
		taken = true;
	} else {
		rec_maybe_free(e, i);
	}
	if (!taken) {
		e->c.adopt_refused++;
		/* Learned there meanwhile (its check came late): ours now. */
		if (gi >= 0 && i == NIL)
			i = lookup(e, (uint32_t)gi, target);
		if (e->eg.route_del && (i == NIL || e->recs[i].slave != slave)) {
			e->route_writes++;
			e->eg.route_del(e->eg.ctx, group, target, slave);
		}
		run(e, now);
		return -1;
	}
	e->c.adopted++;
	say(e, ENGINE_ADOPTED, (uint32_t)gi, target, slave, 0,
	    "its route was left by an earlier run");
	/* Trusted only until it is asked: verified from the keep-alive budget. */
	ka_start(e, i, KA_VERIFY, 0);
	run(e, now);
	return 0;
}

int engine_adopt(struct engine *e, uint16_t group, unsigned int slave,
		 const struct in6_addr *target, uint64_t now)
{
	engine_clock(e, now);
	run(e, now);
	return adopt(e, group, slave, target, now, UNCHECKED, true);
}

/* Answers that waited behind record i's check, taken in order. */
static void take_waiting(struct engine *e, uint32_t i, uint64_t now)
{
	struct rec *r = &e->recs[i];
	/*
	 * Those waiting now, once each: one that comes inside a masters'
	 * window of a later resolution waits again (wait_masters()), for
	 * expire_mwait() to take.
	 */
	uint32_t n = r->waiting;
	struct pending p;

	while (!r->check_out && r->waiting && n--) {
		uint32_t gi = r->gi, k = 0;
		long pos;

		while (k < e->npend &&
		       (e->pend[k].check || e->pend[k].gi != gi ||
			addr_cmp(&e->pend[k].target, &r->target) != 0))
			k++;
		if (k == e->npend) {
			r->waiting = 0;		/* cannot be: none to take */
			break;
		}
		pend_take(e, k, &p);
		r->waiting--;
		pos = pos_in(e->groups[gi].slaves, e->groups[gi].nslaves, p.slave);
		if (pos >= 0 && p.round == r->round)
			answer_rec(e, gi, i, p.slave, pend_mac(&p), pos, true,
				   now);
		r = &e->recs[i];
	}
}

/* Masters' windows that ended: the answers kept in them, taken in order. */
static void expire_mwait(struct engine *e, uint64_t now)
{
	uint32_t i;

	while ((i = e->mwait.head) != NIL && e->recs[i].masters_until <= now) {
		list_remove(e, &e->mwait, i, LINKS_MASTERS);
		e->recs[i].in_mwait = false;
		take_waiting(e, i, now);
		rec_maybe_free(e, i);
	}
}

void engine_masters_checked(struct engine *e, uint32_t check,
			    unsigned int master, uint64_t now)
{
	engine_clock(e, now);
	struct engine_group *g;
	struct pending p;
	struct rec *r;
	uint32_t k = 0, i;

	/*
	 * First: a resolution whose window ended takes no answer, and the
	 * masters' windows that ended move entries of e->pend.
	 */
	run(e, now);
	while (k < e->npend && (!check || e->pend[k].check != check))
		k++;
	if (k == e->npend)
		return;
	pend_take(e, k, &p);
	g = &e->groups[p.gi];
	switch (p.kind) {
	case PEND_ANSWER:
		/* Kept while checked: not freed, not compacted away. */
		if ((i = lookup(e, p.gi, &p.target)) == NIL)
			break;
		r = &e->recs[i];
		r->check_out = false;
		if (r->round == p.round &&
		    (r->res == RES_ASKING || r->res == RES_HELD) &&
		    pos_in(g->slaves, g->nslaves, p.slave) >= 0)
			take_answer(e, i, p.slave, pend_mac(&p), now, master);
		take_waiting(e, i, now);
		rec_maybe_free(e, i);
		break;
	case PEND_GUEST_NS:
		guest_ns(e, p.gi, p.slave, &p.target, now, master);
		break;
	case PEND_ADOPT:
		adopt(e, g->num, p.slave, &p.target, now, master,
		      p.route_writes == e->route_writes);
		break;
	}
	run(e, now);
}

void engine_adopt_neighbor(struct engine *e, const struct in6_addr *target,
			   const unsigned int *ifindex, size_t n, uint64_t now)
{
	engine_clock(e, now);
	run(e, now);
	for (uint32_t gi = 0; gi < e->ngroups; gi++) {
		const struct engine_group *g = &e->groups[gi];
		unsigned int one = 0;
		bool two = false;

		if (!engine_serves(e, g->num, 0, target))
			continue;
		for (size_t k = 0; k < n && !two; k++) {
			/* On a master (a mesh) it is reachable as it is. */
			if (pos_in(g->slaves, g->nslaves, ifindex[k]) < 0 ||
			    is_master(g, ifindex[k]))
				continue;
			two = one && one != ifindex[k];
			one = ifindex[k];
		}
		if (two)
			say(e, ENGINE_ADOPT_AMBIGUOUS, gi, target, 0, 0, NULL);
		else if (one)
			guest_sign(e, (int)gi, one, target, ENGINE_GUEST_SOURCE,
				   now);
	}
	run(e, now);
}

enum engine_route_gone engine_route_gone(struct engine *e, uint16_t group,
					 unsigned int slave,
					 const struct in6_addr *target,
					 uint64_t now)
{
	engine_clock(e, now);
	static const uint64_t window = ENGINE_ROUTE_RESTORE_WINDOW_S * NSEC_PER_SEC;
	int gi = find_group(e, group);
	uint32_t i;
	struct rec *r;

	if (!e->o.learn_routes || gi < 0 ||
	    (i = lookup(e, (uint32_t)gi, target)) == NIL ||
	    e->recs[i].slave != slave)
		return ENGINE_ROUTE_GONE_NOT_OURS;
	r = &e->recs[i];
	if (!r->restored_since || now - r->restored_since >= window) {
		r->restored_since = now;
		r->restores = 0;
	}
	if (r->restores >= ENGINE_ROUTE_RESTORES) {
		e->c.routes_given_up++;
		unlearn(e, i, "its route was deleted from outside again after "
			      ENGINE_STR(ENGINE_ROUTE_RESTORES) " restores within "
			      ENGINE_STR(ENGINE_ROUTE_RESTORE_WINDOW_S)
			      " s: not restored any more; its next NS learns it anew");
		run(e, now);
		return ENGINE_ROUTE_GONE_GIVEN_UP;
	}
	e->route_writes++;
	e->eg.route_add(e->eg.ctx, group, target, slave, NULL);
	r->route_why = ROUTE_RESTORED;
	r->restores++;
	e->c.routes_restored++;
	say(e, ENGINE_ROUTE_RESTORED, (uint32_t)gi, target, slave, r->restores,
	    NULL);
	return ENGINE_ROUTE_GONE_RESTORED;
}

void engine_route_failed(struct engine *e, uint16_t group,
			 const struct in6_addr *target, unsigned int slave,
			 uint64_t now)
{
	int gi = find_group(e, group);
	uint32_t i;

	engine_clock(e, now);
	/* Moved or forgotten since it was asked for: nothing to undo. */
	if (!e->o.learn_routes || gi < 0 ||
	    (i = lookup(e, (uint32_t)gi, target)) == NIL ||
	    e->recs[i].slave != slave)
		return;
	e->c.route_failed++;
	unlearn(e, i, route_failed_why[e->recs[i].route_why]);
	run(e, now);
}

unsigned int engine_learned_slave(struct engine *e, uint16_t group,
				  const struct in6_addr *target)
{
	int gi = find_group(e, group);
	uint32_t i;

	if (gi < 0 || (i = lookup(e, (uint32_t)gi, target)) == NIL)
		return 0;
	return e->recs[i].slave;
}

int engine_learned_list(const struct engine *e, uint16_t group,
			struct engine_learned **out, size_t *n)
{
	int gi = find_group(e, group);
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (uint32_t i = 1; gi >= 0 && i < e->pool_used; i++) {
		const struct rec *r = &e->recs[i];

		if (!r->used || r->gi != (uint32_t)gi || !r->slave)
			continue;
		if (*n == cap) {
			size_t c = cap ? cap * 2 : 64;
			struct engine_learned *grown = realloc(*out, c * sizeof(**out));

			if (!grown) {
				free(*out);
				*out = NULL;
				*n = 0;
				errno = ENOMEM;
				return -1;
			}
			*out = grown;
			cap = c;
		}
		(*out)[*n].target = r->target;
		(*out)[(*n)++].slave = r->slave;
	}
	return 0;
}

static int group_get(struct engine *e, uint16_t num)
{
	int gi = find_group(e, num);
	struct engine_group *g;

	if (gi >= 0)
		return gi;
	g = realloc(e->groups, (e->ngroups + 1) * sizeof(*g));
	if (!g)
		return -1;
	e->groups = g;
	memset(&g[e->ngroups], 0, sizeof(*g));
	g[e->ngroups].num = num;
	return (int)e->ngroups++;
}

static void slave_removed(struct engine *e, uint32_t gi, unsigned int ifindex,
			  uint32_t pos)
{
	for (uint32_t i = 1; i < e->pool_used; i++) {
		struct rec *r = &e->recs[i];

		if (!r->used || r->gi != gi)
			continue;
		/* Slaves after it moved down by one: so do the cursors. */
		if ((r->res == RES_ASKING || r->res == RES_HELD) && r->cursor > pos)
			r->cursor--;
		if (r->answered == ifindex)
			r->answered = 0;
		if (r->ka == KA_CHALLENGE && r->claimant == ifindex)
			ka_cancel(e, i);
		/*
		 * A guest's resolution asks its slave alone: with the slave
		 * gone, there is nobody left to ask, now or again.
		 */
		if (r->only == ifindex) {
			reask_cancel(e, i);
			if (r->res == RES_DELAYED) {
				undelay(e, i);
				guest_done(e, r);
				rec_maybe_free(e, i);
			}
		}
		if (r->slave == ifindex)
			unlearn(e, i, "its slave left the group");
	}
}

static int member_add(unsigned int **a, uint32_t *n, uint32_t *cap,
		      unsigned int ifindex)
{
	if (grow((void **)a, cap, *n + 1, sizeof(**a)) == -1)
		return -1;
	(*a)[(*n)++] = ifindex;
	return 0;
}

int engine_slave(struct engine *e, uint16_t group, unsigned int ifindex,
		 const char *name, bool present, uint64_t now)
{
	engine_clock(e, now);
	int gi = present ? group_get(e, group) : find_group(e, group);
	struct engine_group *g;
	long pos;

	if (gi < 0)
		return present ? -1 : 0;
	g = &e->groups[gi];
	pos = pos_in(g->slaves, g->nslaves, ifindex);
	if (present && pos < 0) {
		if (grow((void **)&g->sl, &g->sl_cap, g->nslaves + 1,
			 sizeof(*g->sl)) == -1 ||
		    member_add(&g->slaves, &g->nslaves, &g->slaves_cap,
			       ifindex) == -1)
			return -1;
		pos = g->nslaves - 1;
		memset(&g->sl[pos], 0, sizeof(g->sl[pos]));
	} else if (!present && pos >= 0) {
		uint32_t after = g->nslaves - (uint32_t)pos - 1;

		memmove(&g->slaves[pos], &g->slaves[pos + 1],
			after * sizeof(*g->slaves));
		memmove(&g->sl[pos], &g->sl[pos + 1], after * sizeof(*g->sl));
		g->nslaves--;
		slave_removed(e, (uint32_t)gi, ifindex, (uint32_t)pos);
	}
	if (present && name) {
		strncpy(g->sl[pos].name, name, ENGINE_IFNAME_MAX - 1);
		g->sl[pos].name[ENGINE_IFNAME_MAX - 1] = '\0';
	}
	run(e, now);
	return 0;
}

int engine_bindings(struct engine *e, uint16_t group,
		    const struct engine_binding *b, size_t n, uint64_t now)
{
	engine_clock(e, now);
	int gi = n ? group_get(e, group) : find_group(e, group);
	struct engine_binding *copy = NULL;
	struct engine_group *g;

	if (gi < 0)
		return n ? -1 : 0;
	if (n > UINT32_MAX / sizeof(*copy)) {
		errno = ENOMEM;
		return -1;
	}
	if (n && !(copy = malloc(n * sizeof(*copy))))
		return -1;
	if (n)
		memcpy(copy, b, n * sizeof(*copy));
	g = &e->groups[gi];
	free(g->binds);
	g->binds = copy;
	g->nbinds = (uint32_t)n;
	/* What the new bindings forbid where it is goes. */
	for (uint32_t i = 1; i < e->pool_used; i++) {
		struct rec *r = &e->recs[i];

		if (r->used && r->gi == (uint32_t)gi && r->slave &&
		    bound_elsewhere(g, r->slave, &r->target)) {
			e->c.refused[ENGINE_REFUSAL_BINDING]++;
			unlearn(e, i, "a binding puts it behind another slave");
		}
	}
	run(e, now);
	return 0;
}

static bool master_anywhere(const struct engine *e, unsigned int ifindex)
{
	for (uint32_t gi = 0; gi < e->ngroups; gi++)
		if (is_master(&e->groups[gi], ifindex))
			return true;
	return false;
}

void engine_forwarding(struct engine *e, unsigned int ifindex, bool on)
{
	long pos;

	if (!ifindex) {
		e->fwd_all = on;
		return;
	}
	pos = pos_in(e->fwd_on, e->nfwd_on, ifindex);
	if (!on && pos >= 0)
		e->fwd_on[pos] = e->fwd_on[--e->nfwd_on];
	/* Unknown is off: without room, it stays off. */
	else if (on && pos < 0 && master_anywhere(e, ifindex))
		(void)member_add(&e->fwd_on, &e->nfwd_on, &e->fwd_on_cap,
				 ifindex);
}

int engine_master(struct engine *e, uint16_t group, unsigned int ifindex,
		  bool present, uint64_t now)
{
	engine_clock(e, now);
	int gi = present ? group_get(e, group) : find_group(e, group);
	struct engine_group *g;
	long pos;

	if (gi < 0)
		return present ? -1 : 0;
	g = &e->groups[gi];
	pos = pos_in(g->masters, g->nmasters, ifindex);
	if (present == (pos >= 0))
		return 0;
	if (present) {
		if (member_add(&g->masters, &g->nmasters, &g->masters_cap,
			       ifindex) == -1)
			return -1;
	} else {
		g->masters[pos] = g->masters[--g->nmasters];
		if (!master_anywhere(e, ifindex))
			engine_forwarding(e, ifindex, false);
	}
	e->onlink_gen++;
	/* Proxies follow the masters: every learned target of the group. */
	for (uint32_t i = 1; e->o.proxy_ndp && i < e->pool_used; i++) {
		struct rec *r = &e->recs[i];

		if (!r->used || r->gi != (uint32_t)gi || !r->slave ||
		    r->slave == ifindex)
			continue;
		if (present)
			proxy_add(e, g, &r->target, ifindex);
		else
			e->eg.proxy_del(e->eg.ctx, g->num, &r->target, ifindex);
	}
	run(e, now);
	return 0;
}

/* Learned targets the group may no longer have where they are go. */
static void recheck_learned(struct engine *e, const char *why)
{
	for (uint32_t i = 1; i < e->pool_used; i++) {
		struct rec *r = &e->recs[i];
		enum engine_refusal no;

		if (!r->used || !r->slave)
			continue;
		no = may_have(e, &e->groups[r->gi], r->slave, &r->target);
		if (no == ENGINE_REFUSALS)
			continue;
		e->c.refused[no]++;
		unlearn(e, i, why);
	}
}

int engine_route(struct engine *e, const struct engine_route *rt,
		 bool present, uint64_t now)
{
	engine_clock(e, now);
	struct engine_route k = *rt;
	uint32_t i;

	if (k.len > 128)
		k.len = 128;
	/* Bits past the prefix say nothing: cleared, so equal routes match. */
	for (unsigned int b = k.len; b < 128; b++)
		k.dst.s6_addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	for (i = 0; i < e->nroutes; i++) {
		const struct engine_route *o = &e->routes[i];

		if (o->len == k.len && o->metric == k.metric &&
		    o->ifindex == k.ifindex &&
		    memcmp(&o->dst, &k.dst, sizeof(k.dst)) == 0)
			break;
	}
	if (!present) {
		if (i == e->nroutes)
			return 0;
		e->routes[i] = e->routes[--e->nroutes];
	} else if (i < e->nroutes) {
		e->routes[i] = k;
	} else {
		if (grow((void **)&e->routes, &e->routes_cap, e->nroutes + 1,
			 sizeof(*e->routes)) == -1)
			return -1;
		e->routes[e->nroutes++] = k;
	}
	e->onlink_gen++;
	if (e->o.scope)
		recheck_learned(e, "the host's routes no longer put it on-link on a master");
	run(e, now);
	return 0;
}

int engine_onlink_routes(const struct engine *e, uint16_t group,
			 struct engine_route **out, size_t *n)
{
	int gi = find_group(e, group);

	*out = NULL;
	*n = 0;
	for (uint32_t k = 0; gi >= 0 && k < e->nroutes; k++) {
		const struct engine_route *rt = &e->routes[k];
		struct engine_route *grown;

		if (!rt->onlink || !is_master(&e->groups[gi], rt->ifindex))
			continue;
		grown = realloc(*out, (*n + 1) * sizeof(**out));
		if (!grown) {
			free(*out);
			*out = NULL;
			*n = 0;
			errno = ENOMEM;
			return -1;
		}
		*out = grown;
		(*out)[(*n)++] = *rt;
	}
	return 0;
}

uint64_t engine_onlink_gen(const struct engine *e)
{
	return e->onlink_gen;
}

int engine_local_addr(struct engine *e, unsigned int ifindex,
		      const struct in6_addr *addr, uint8_t prefixlen,
		      bool present)
{
	uint32_t i;

	for (i = 0; i < e->nlocals; i++)
		if (e->locals[i].ifindex == ifindex &&
		    memcmp(&e->locals[i].addr, addr, sizeof(*addr)) == 0)
			break;
	if (!present) {
		if (i < e->nlocals)
			e->locals[i] = e->locals[--e->nlocals];
		return 0;
	}
	if (prefixlen > 128)
		prefixlen = 128;
	/* The same again (its lifetimes renewed, by every RA): nothing new. */
	if (i < e->nlocals && e->locals[i].prefixlen == prefixlen)
		return 0;
	if (i == e->nlocals) {
		if (grow((void **)&e->locals, &e->locals_cap, e->nlocals + 1,
			 sizeof(*e->locals)) == -1)
			return -1;
		e->locals[e->nlocals].ifindex = ifindex;
		e->locals[e->nlocals].addr = *addr;
		e->nlocals++;
	}
	e->locals[i].prefixlen = prefixlen;
	/* Never behind a slave: one learned there goes (and its anycast). */
	for (uint32_t k = 1; k < e->pool_used; k++) {
		if (!e->recs[k].used || !e->recs[k].slave ||
		    !is_local(e, &e->recs[k].target))
			continue;
		e->c.refused[ENGINE_REFUSAL_LOCAL]++;
		unlearn(e, k, "it is an address of the host now");
	}
	return 0;
}

int engine_targets(struct engine *e, const struct engine_prefix *p, size_t n)
{
	struct engine_prefix *copy = NULL;

	if (n > UINT32_MAX) {
		errno = ENOMEM;
		return -1;
	}
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(copy, p, n * sizeof(*copy));
	}
	free(e->targets);
	e->targets = copy;
	e->ntargets = (uint32_t)n;
	return 0;
}

const struct engine_counters *engine_counters(const struct engine *e)
{
	return &e->c;
}

int engine_slave_signs(const struct engine *e, uint16_t group,
		       unsigned int slave, struct engine_slave_signs *out)
{
	int gi = find_group(e, group);
	long pos;

	if (gi < 0 ||
	    (pos = pos_in(e->groups[gi].slaves, e->groups[gi].nslaves, slave)) < 0)
		return -1;
	out->taken = e->groups[gi].sl[pos].signs;
	out->refused = e->groups[gi].sl[pos].signs_refused;
	return 0;
}

uint64_t engine_refusals(const struct engine_counters *c)
{
	uint64_t n = 0;

	for (int r = 0; r < ENGINE_REFUSALS; r++)
		n += c->refused[r];
	return n;
}

struct engine *engine_init(const struct engine_options *opts,
			   const struct engine_egress *egress, uint64_t now)
{
	struct engine *e;

	/* Zero would stop all work for good: a caller's bug, not an option. */
	if (!opts->ask_rate || !opts->ask_burst || !opts->max_inflight ||
	    !opts->keepalive_rate || !opts->keepalive_burst ||
	    !egress->ask || !egress->confirm ||
	    ((opts->learn_routes || opts->proxy_ndp) &&
	     (!egress->route_add || !egress->route_move || !egress->route_del)) ||
	    (opts->proxy_ndp && (!egress->proxy_add || !egress->proxy_del)) ||
	    (opts->max_held && (!egress->release || !opts->queue_wait_ns))) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->o = *opts;
	e->eg = *egress;
	/* Proxy entries only make sense for targets with a route. */
	e->o.learn_routes = opts->learn_routes || opts->proxy_ndp;
	e->pool_size = POOL_MIN;
	e->c.record_slots = POOL_MIN;
	e->pool_used = 1;	/* record 0 is NIL */
	e->recs = calloc(e->pool_size, sizeof(*e->recs));
	e->nbuckets = 64;
	e->buckets = calloc(e->nbuckets, sizeof(*e->buckets));
	if (opts->max_held)
		e->held_pkts = calloc(opts->max_held, sizeof(*e->held_pkts));
	if (!e->recs || !e->buckets || (opts->max_held && !e->held_pkts)) {
		engine_free(e);
		errno = ENOMEM;
		return NULL;
	}
	tokenbucket_init(&e->ask_tb, opts->ask_rate, opts->ask_burst, now);
	tokenbucket_init(&e->ka_tb, opts->keepalive_rate, opts->keepalive_burst,
			 now);
	tokenbucket_init(&e->idle_tb, ENGINE_IDLE_RATE, ENGINE_IDLE_RATE, now);
	e->lim_start = now;
	e->now = now;
	askers_init(&e->askers, opts->max_inflight > UINT_MAX - opts->max_queue ?
				UINT_MAX : opts->max_inflight + opts->max_queue);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (uint32_t gi = 0; gi < e->ngroups; gi++) {
		free(e->groups[gi].slaves);
		free(e->groups[gi].masters);
		free(e->groups[gi].sl);
		free(e->groups[gi].binds);
	}
	free(e->groups);
	free(e->fwd_on);
	free(e->recs);
	free(e->buckets);
	free(e->locals);
	free(e->targets);
	free(e->routes);
	free(e->held_pkts);
	free(e->pend);
	free(e->scratch);
	askers_free(&e->askers);
	free(e->taken);
	free(e);
}
