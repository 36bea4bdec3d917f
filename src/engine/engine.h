/*
 * The resolution engine: decides, per target, which slave to ask when, what
 * was learned where, and when to forget it. Pure: no sockets, no clock, no
 * globals. Every entry point takes the time (CLOCK_MONOTONIC nanoseconds,
 * never decreasing, never 0), and actions go out through the egress given
 * at init, so a unit test drives it with a fake clock and a fake egress.
 *
 * Why a per-target state and not a hold-down plus a token bucket: a probe
 * dropped by the bucket was lost, and the hold-down armed on arrival then
 * suppressed the kernel's retransmitted NS too, so that slave was never
 * asked. Here limits defer work and never lose it:
 *
 *  - A target in flight is QUEUED (waiting for --max-inflight), ASKING (in
 *    the FIFO of targets with asks due, slaves asked in the group's order,
 *    one cursor per target) or HELD (every slave asked; answers still count
 *    until the hold-down ends). Asks are paced by one token bucket; the head
 *    of the FIFO is finished before the next target asks at all.
 *  - The hold-down starts once every slave was asked, and any NS for a
 *    target in flight (QUEUED, ASKING, HELD) costs nothing.
 *  - Learned targets are kept alive by their own bucket: a flood of new
 *    targets cannot starve them.
 *
 * Memory grows with use and is bounded by the options: at most
 * max_inflight + max_queue targets in flight, max_learned learned.
 */
#ifndef NS_MONITOR_ENGINE_H
#define NS_MONITOR_ENGINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "token_bucket.h"

/*
 * Defaults. The shipped nft rule logs at most 1000 NS/s (burst 1000); a
 * resolution costs one ask per slave. 5000 asks/s with a burst of 1000
 * serves the kernel's full rate of new targets for hosts of up to five
 * slaves, 50 targets across 200 slaves in 1.8 s, and costs about 2% of a
 * core (an ask is one packet written by a packet socket).
 */
#define ENGINE_DEFAULT_HOLDDOWN_MS 3000u	/* > the kernel's 3 NS, 1 s apart */
#define ENGINE_DEFAULT_ASK_RATE 5000u	/* asks per second */
#define ENGINE_DEFAULT_ASK_BURST 1000u	/* the nft rule's burst */
/* 1000 NS/s held 3 s, plus a burst of 1000: the kernel rule cannot exceed it. */
#define ENGINE_DEFAULT_MAX_INFLIGHT 4096u
/* Every one of 10,000 neighbors contacted at once still gets its turn. */
#define ENGINE_DEFAULT_MAX_QUEUE 16384u
#define ENGINE_DEFAULT_MAX_LEARNED 16384u	/* 10,000 neighbors and room */
/* 10,000 learned entries garbage-collected within a minute: 170/s. */
#define ENGINE_DEFAULT_KEEPALIVE_RATE 200u
#define ENGINE_DEFAULT_KEEPALIVE_BURST 200
/*
 * A held packet waits queue_wait after its target's asks are all out: one
 * whose target is still being asked (many slaves, many targets at once,
 * the ask bucket dry) waits on, at most this long in all (the kernel
 * would give up on the master after 3 s; TCP tries again after 1 s).
 */
#define ENGINE_HOLD_MAX_MS 1000
/*
 * A hold-down that ends with nothing waiting on it (no target queued for
 * its place in flight, no held packet) is over for any event at once, but
 * the timer wakes for it at most this much later, together with the ones
 * that end meanwhile: one wake-up for many targets, not one each. What it
 * delays is bookkeeping (the unanswered notice, the counters, the memory).
 */
#define ENGINE_HELD_SLACK_MS 250
/*
 * How long a learned location has to answer when asked again (its entry
 * went, or another slave claims it): our NS is answered within
 * milliseconds, and a guest that moved is followed this soon.
 */
#define ENGINE_DEFAULT_VERIFY_MS 1000
/*
 * How long after a guest's DAD NS its address answers: DAD sends one NS
 * and waits RetransTimer (1 s by default) for an objection. The slave is
 * asked then, and again every ENGINE_GUEST_REASK_MS while the address
 * is still tentative (it answers nothing), ENGINE_GUEST_REASKS times: a
 * guest whose timer runs a little late is found 50 ms later, not at the
 * host's first NS.
 */
#define ENGINE_DEFAULT_GUEST_DELAY_MS 1000
#define ENGINE_GUEST_REASK_MS 50
#define ENGINE_GUEST_REASKS 4
/*
 * A guest's claim is checked on the masters too: they are asked at its
 * sign, and its slave no sooner than this after (a neighbor on the
 * master's link answers an NS within a few milliseconds; one that
 * answers later still takes the address back, see engine_answer()).
 */
#define ENGINE_DEFAULT_MASTER_WAIT_MS 50
/*
 * Any resolution's masters are asked as it begins (by the host's own NS,
 * or by ours), and with learn_routes a slave's answer is taken no sooner
 * than this after: a guest answers within microseconds, a neighbor on the
 * master's link after a round trip there, and the first answer must not
 * win the race. An address bound to the slave that answers needs no wait.
 */
#define ENGINE_DEFAULT_CLAIM_WAIT_MS ENGINE_DEFAULT_MASTER_WAIT_MS
/*
 * An NS for a guest's new address asks the slave its sign came from
 * alone first (engine.c's `likely`): the others only once it has not
 * answered for this long. A guest answers an NS within microseconds on
 * a veth and within a millisecond or so through a VM's queues; the
 * other slaves' tenants are not asked about an address that is found,
 * and its answer is not kept waiting behind one ask per slave.
 */
#define ENGINE_DEFAULT_LIKELY_WAIT_MS 5

/*
 * A learned route deleted from outside is added again at most this many
 * times within ENGINE_ROUTE_RESTORE_WINDOW_S; one more deletion in that
 * window means someone wants it gone: the target is forgotten instead.
 */
/*
 * A learned target the kernel let go of (no confirmation for this long:
 * its entry went stale, or was collected) is asked again from a budget of
 * its own (ENGINE_IDLE_RATE a second), and forgotten, route and proxy
 * removed, after ENGINE_IDLE_MISSES asks a second apart with no answer: a
 * container that vanished without a word goes within 35 s.
 */
#define ENGINE_IDLE_VERIFY_S 30
#define ENGINE_IDLE_MISSES 3
#define ENGINE_IDLE_RATE 50
#define ENGINE_ROUTE_RESTORES 3
#define ENGINE_ROUTE_RESTORE_WINDOW_S 60

struct engine_options {
	uint64_t holddown_ns;
	uint32_t ask_rate, ask_burst;
	uint32_t max_inflight;
	uint32_t max_queue;
	uint32_t max_learned;
	uint32_t keepalive_rate, keepalive_burst;
	uint64_t verify_ns;
	uint64_t guest_delay_ns;	/* DAD NS seen: ask its slave then */
	uint64_t master_wait_ns;	/* masters asked: the slave no sooner */
	uint64_t claim_wait_ns;		/* ...its answer taken no sooner */
	uint64_t likely_wait_ns;	/* the likely slave alone, this long */
	/*
	 * How long the kernel keeps asking for a target itself (the master's
	 * mcast_solicit x retrans_time, 3 x 1 s by default): a target not
	 * asked for since, with no packet held, has been given up on by the
	 * kernel and leaves the queue. 0: never.
	 */
	uint64_t stale_ns;
	/* ENGINE_IDLE_VERIFY_S in ns, or 0: learned targets are not asked idle. */
	uint64_t idle_verify_ns;
	/*
	 * Packets held for targets being resolved (NFQUEUE): at most
	 * max_held, each at most queue_wait_ns. 0: none are taken.
	 */
	uint32_t max_held;
	uint64_t queue_wait_ns;
	bool learn_routes;	/* route_add/move/del for what answers */
	bool scope;		/* claims only in scope (engine_route) */
	bool proxy_ndp;		/* and proxy_add/del on the masters; ns_in */
	uint64_t hash_key[2];	/* random: crafted targets cannot collide */
};

void engine_options_default(struct engine_options *o);

/* What the caller may want to log. Limits are said once per episode. */
enum engine_notice_kind {
	ENGINE_LIMIT_RATE,	/* asks deferred (--rate, --burst) */
	ENGINE_LIMIT_INFLIGHT,	/* new targets queued (--max-inflight) */
	ENGINE_LIMIT_QUEUE,	/* new targets refused (--max-queue) */
	ENGINE_LIMIT_LEARNED,	/* found but not routed (--max-learned);
				   slave: its share was full (other: the
				   share), said once until one of its goes */
	ENGINE_LIMIT_KEEPALIVE,	/* re-asks deferred (--keepalive-rate) */
	ENGINE_LIMIT_HELD,	/* packets not held (--queue-max) */
	ENGINE_LEARNED,		/* slave: where target was found */
	ENGINE_MOVED,		/* other: old location, slave: new one */
	ENGINE_FORGOTTEN,	/* slave: old location; reason says why */
	ENGINE_ADOPTED,		/* slave: where the kernel had it; reason: how */
	ENGINE_ROUTE_RESTORED,	/* slave: route deleted from outside, added
				   again; other: how many times in the window */
	ENGINE_ADOPT_AMBIGUOUS,	/* target not adopted: the kernel has it
				   usable behind two slaves */
	/* Rate-limited: an attacker can cause these. */
	ENGINE_CLAIM_REFUSED,	/* slave claimed target, other answered */
	ENGINE_REFUSED_LOCAL,	/* slave answered for an address of ours */
	ENGINE_REFUSED_MASTER,	/* slave answered for one found on a master
				   (other: that master, 0 if not known) */
	ENGINE_REFUSED_SCOPE,	/* slave claimed one the host does not
				   resolve on-link on a master */
	ENGINE_REFUSED_BINDING,	/* slave claimed one bound elsewhere, or
				   not among those bound to it */
	ENGINE_UNANSWERED,	/* the host's NS for target: no slave
				   answered (other: how many were asked) */
	ENGINE_NOTICE_KINDS
};

struct engine_notice {
	enum engine_notice_kind kind;
	uint16_t group;
	struct in6_addr target;
	unsigned int slave;
	unsigned int other;
	const char *option;	/* limits: the option that raises it */
	const char *reason;	/* ENGINE_FORGOTTEN, ENGINE_ADOPTED */
	unsigned long suppressed;	/* rate-limited kinds: since the last */
};

/*
 * Actions. check_masters returns -1 when it cannot take the question; the
 * others return nothing: route_add and route_move are asked for and the
 * engine believes the route is there at once (the kernel makes it while
 * it takes the request), and a refusal comes back later as an event,
 * engine_route_failed().
 * ask: solicit target on one slave without creating a kernel neighbor
 * entry (the daemon's own NS, or an echo in small groups). confirm: the
 * kernel's neighbor entry for target on the one slave that answered, so
 * that the host reaches it there and nowhere else; mac is the link-layer
 * address its NA carried (the entry is written with it: a solicited NA is
 * what confirms reachability), NULL for none (an echo request out of that
 * slave, whose send has the kernel resolve the target itself). An action
 * must not call into the engine: the egress holds no engine handle, and
 * tests/egress_purity.sh fails when an egress object names an engine_*
 * function. What the egress finds out comes back as an event, a route the
 * kernel refused included. A question about the kernel (check_masters) is
 * an action too: intake answers it with engine_masters_checked(). What the
 * engine decides from kernel settings comes to it as events too
 * (engine_forwarding: whom answer_upstream answers), never read per action.
 */
/* How a resolution with held packets ended (engine_egress.located). */
enum engine_located {
	ENGINE_LOCATED_SLAVE,		/* learned behind a slave */
	ENGINE_LOCATED_MASTER,		/* it answers on a master */
	ENGINE_LOCATED_NOWHERE,		/* nothing answered in time */
};

/*
 * An NS the daemon answers itself (--proxy-ndp, engine_asker()): who
 * asked, from which link-layer address, on which interface.
 */
struct engine_asker {
	struct in6_addr src;
	uint8_t mac[6];
	unsigned int ifindex;	/* a master (the upstream), or a guest's slave */
};

struct engine_egress {
	void *ctx;
	void (*ask)(void *ctx, uint16_t group, unsigned int slave,
		    const struct in6_addr *target);
	void (*confirm)(void *ctx, uint16_t group, unsigned int slave,
			const struct in6_addr *target, const uint8_t *mac);
	/*
	 * mac: the link-layer address target's answer carried (its NA's
	 * target option), NULL for none: the kernel's neighbor entry on
	 * slave is made with the route, so that the first packet routed
	 * there needs no resolution of its own.
	 */
	void (*route_add)(void *ctx, uint16_t group,
			  const struct in6_addr *target, unsigned int slave,
			  const uint8_t *mac);
	void (*route_move)(void *ctx, uint16_t group,
			   const struct in6_addr *target, unsigned int from,
			   unsigned int to);
	void (*route_del)(void *ctx, uint16_t group,
			  const struct in6_addr *target, unsigned int slave);
	void (*proxy_add)(void *ctx, uint16_t group,
			  const struct in6_addr *target, unsigned int master);
	void (*proxy_del)(void *ctx, uint16_t group,
			  const struct in6_addr *target, unsigned int master);
	/*
	 * Optional (--proxy-ndp): the upstream's NS for target on master,
	 * made before its proxy entry, answered now rather than at its next
	 * try a second later. Called before proxy_add, and only while the
	 * master and "all" forward (engine_forwarding): the kernel would
	 * neither answer for target nor forward to it otherwise. askers[0..n)
	 * are the NS still waiting (engine_asker()), each answered once;
	 * n may be 0.
	 */
	void (*answer_upstream)(void *ctx, uint16_t group,
				const struct in6_addr *target,
				unsigned int master,
				const struct engine_asker *askers, size_t n);
	/*
	 * Optional: does the kernel hold a usable entry for target on one of
	 * masters[0..n) (ifindexes)? Asked before an answer behind a slave
	 * (or an adoption, or a guest's NS) is taken, since a master's entry
	 * may predate anything the engine saw (made long before this NS).
	 * The answer comes back later, as an event: engine_masters_checked()
	 * with the same check number, from whoever reads the kernel (never
	 * from inside this call). Each check is to be answered once; until
	 * then the engine holds what it was doing. -1 when the question
	 * cannot be taken (no memory): the engine goes on as if no master
	 * had the entry, as after a failed look-up.
	 */
	int (*check_masters)(void *ctx, uint32_t check, uint16_t group,
			     const struct in6_addr *target,
			     const unsigned int *masters, size_t n);
	/*
	 * With max_held: a held packet goes on, routed again (its target was
	 * learned behind a slave: the new route takes it) or unchanged (by
	 * the master, as it would have). located: target's resolution is
	 * over, its packets need no holding for a while (where says how
	 * long is worth it: the kernel knows a found one for minutes, and
	 * gives up on an unanswered one within seconds).
	 */
	void (*release)(void *ctx, uint16_t group, uint32_t packet_id,
			bool reroute);
	void (*located)(void *ctx, uint16_t group,
			const struct in6_addr *target,
			enum engine_located where);
	void (*notice)(void *ctx, const struct engine_notice *n);
	/*
	 * Optional (--proxy-ndp): target was found where it lives, behind
	 * slave lives_on (0: on a master's link, or the host's own): the
	 * guests that asked for it on other slaves, askers[0..n) (each on
	 * its slave, never lives_on; n may be 0), get their answer.
	 */
	void (*answer_guests)(void *ctx, uint16_t group,
			      const struct in6_addr *target,
			      unsigned int lives_on,
			      const struct engine_asker *askers, size_t n);
};

/* Why a slave's claim on an address (an answer, a sign) was not taken. */
enum engine_refusal {
	ENGINE_REFUSAL_LOCAL,		/* an address of the host */
	ENGINE_REFUSAL_MASTER,		/* it answers on a master */
	ENGINE_REFUSAL_SCOPE,		/* not on-link on a master (or on
					   another slave's own route) */
	ENGINE_REFUSAL_BINDING,		/* bound to other slaves, or the
					   slave is bound to other addresses */
	ENGINE_REFUSAL_OCCUPIED,	/* it still answers where learned */
	ENGINE_REFUSALS
};

/* "local", "master", "scope", "binding", "occupied". */
const char *engine_refusal_name(enum engine_refusal r);

struct engine_counters {
	/* events */
	uint64_t ns;			/* NS accepted for resolution */
	uint64_t ns_free;		/* target in flight already: no asks */
	uint64_t ns_no_group;		/* group without slaves or masters */
	uint64_t ns_upstream_ignored;	/* ns_in: not eligible, or no --proxy-ndp */
	uint64_t ns_upstream_known;	/* ns_in: learned already */
	uint64_t guests;		/* a guest's sign: its slave asked */
	uint64_t guests_known;		/* ...learned there, or in flight */
	uint64_t guests_ignored;	/* not a slave, ours, no learning */
	uint64_t guests_over_share;	/* its slave's fair share was full */
	uint64_t guest_ns;		/* guests' NS for targets elsewhere */
	uint64_t guest_ns_answered;	/* ...known: answered at once */
	uint64_t guest_ns_ignored;	/* ...out of scope, or lives there */
	uint64_t guest_ns_over_share;	/* ...its slave's share full */
	uint64_t guest_reasks;		/* a DAD guest asked again: tentative */
	uint64_t held;			/* packets held for a resolution */
	uint64_t held_rerouted;		/* ...released by the new route */
	uint64_t held_unchanged;	/* ...released to the master */
	uint64_t held_full;		/* not held: max_held reached */
	/* limits */
	uint64_t targets_deferred;	/* waited for the ask bucket */
	uint64_t targets_queued;	/* waited for max_inflight */
	uint64_t targets_refused;	/* queue full: dropped, counted */
	uint64_t targets_expired;	/* given up on by the kernel: left */
	uint64_t keepalive_deferred;	/* waited for the keepalive bucket */
	uint64_t learned_full;		/* found, not routed: max_learned */
	/* actions */
	uint64_t asks;
	uint64_t keepalive_asks;
	uint64_t idle_asks;		/* learned, idle: is it still there? */
	uint64_t idle_deferred;		/* ...waited for their own budget */
	uint64_t vanished;		/* ...no answer: forgotten */
	uint64_t master_asks;		/* a guest's claim checked on a master */
	uint64_t confirms;
	uint64_t unanswered;		/* hold-down ended without an answer */
	/* answers and learning */
	uint64_t answers;		/* accepted: the first per resolution */
	uint64_t answers_unasked;	/* from a slave not asked: ignored */
	uint64_t answers_duplicate;	/* more from the same resolution */
	uint64_t answers_waited;	/* kept for their masters' window */
	uint64_t refused[ENGINE_REFUSALS];	/* claims not taken, by why */
	uint64_t learned;
	uint64_t moved;
	uint64_t forgotten;
	uint64_t claims;		/* another slave claimed a learned one */
	uint64_t route_failed;		/* route_add/route_move refused */
	uint64_t adopted;		/* taken from the kernel at start */
	uint64_t adopt_refused;		/* not taken (and a route removed) */
	uint64_t routes_restored;	/* deleted from outside, added again */
	uint64_t routes_given_up;	/* deleted too often: target forgotten */
	/* gauges */
	uint64_t inflight;		/* ASKING + HELD */
	uint64_t queued;
	uint64_t guests_waiting;	/* signs waiting for their due time */
	uint64_t learned_now;
	uint64_t records;		/* memory: one per target known */
	uint64_t record_slots;		/* ...and the pool they live in */
};

struct engine;

/* NULL with errno ENOMEM. The egress is copied. */
struct engine *engine_init(const struct engine_options *opts,
			   const struct engine_egress *egress, uint64_t now);
/* Frees memory only: the routes and proxies stay for the egress to purge. */
void engine_free(struct engine *e);

/*
 * Group membership. A group comes into being with its first member. An
 * interface may be both master and slave (a mesh). An interface that goes
 * down or away is removed by the caller (the kernel dropped its routes) and
 * added again when it is back; targets learned behind a removed slave are
 * forgotten, targets in flight go on with the remaining slaves.
 */
int engine_slave(struct engine *e, uint16_t group, unsigned int ifindex,
		 const char *name, bool present, uint64_t now);
int engine_master(struct engine *e, uint16_t group, unsigned int ifindex,
		  bool present, uint64_t now);

/*
 * Bindings: the operator's word on where addresses live (--bind IF=PREFIX,
 * the set bindings_G). An address inside a binding is learned only behind
 * a slave whose name the binding names, and a slave that some binding
 * names may have only the addresses bound to it. Interfaces are named, not
 * numbered, so that a binding holds for a tap that comes back with
 * another ifindex; engine_slave() gives each slave's name.
 */
#define ENGINE_IFNAME_MAX 16		/* IFNAMSIZ, with the NUL */

struct engine_binding {
	char ifname[ENGINE_IFNAME_MAX];	/* the name, or a pattern's prefix */
	bool prefix;			/* "tap*": every name that starts so */
	struct in6_addr lo, hi;		/* the addresses bound, inclusive */
};

/*
 * Make group's bindings exactly b[0..n) (copied). Learned targets that
 * the new bindings forbid where they are are forgotten (route removed).
 * 0, or -1 with errno ENOMEM (the old bindings stay).
 */
int engine_bindings(struct engine *e, uint16_t group,
		    const struct engine_binding *b, size_t n, uint64_t now);

/*
 * The host's main routing table, ns-monitor's own routes left out: what
 * decides which addresses a slave may claim at all (with opts.scope). An
 * address is in scope only where the longest route that holds it (the
 * lowest metric among equals) is on-link (no gateway, unicast) on a master
 * of the group, or on the claiming slave itself (Docker's /80 on its
 * bridge). Anything else (the default route, a route via a router, another
 * slave's own prefix) is refused, counted as ENGINE_REFUSAL_SCOPE.
 */
struct engine_route {
	struct in6_addr dst;
	uint8_t len;			/* prefix length */
	unsigned int ifindex;		/* its device, 0: none (multipath) */
	uint32_t metric;
	bool onlink;			/* unicast, no gateway */
};

/*
 * Add (present) or remove a route. Learned targets the change leaves out
 * of scope are forgotten. 0, or -1 with errno ENOMEM.
 */
int engine_route(struct engine *e, const struct engine_route *rt,
		 bool present, uint64_t now);

/*
 * The on-link routes of group's masters (in *out, malloc'd, the caller
 * frees it; NULL when none), *n of them: only a packet for one of those
 * can wait for a resolution (--queue). 0, or -1 with errno ENOMEM.
 */
int engine_onlink_routes(const struct engine *e, uint16_t group,
			 struct engine_route **out, size_t *n);

/* A number that changes whenever those may have (routes, or masters). */
uint64_t engine_onlink_gen(const struct engine *e);

/*
 * The host's own addresses: never learned behind a slave, nor the
 * subnet-router anycast address of their prefixes (one learned there when
 * the host takes it is forgotten, route removed). prefixlen: its
 * on-link prefix on ifindex, which engine_serves() takes as ours (the
 * same address again updates it).
 */
int engine_local_addr(struct engine *e, unsigned int ifindex,
		      const struct in6_addr *addr, uint8_t prefixlen,
		      bool present);

/* A prefix: addr (host bits clear), len bits. */
struct engine_prefix {
	struct in6_addr addr;
	uint8_t len;
};

/*
 * The operator's prefixes (-t), served on every master: p[0..n), copied.
 * 0, or -1 with errno ENOMEM (the old ones stay).
 */
int engine_targets(struct engine *e, const struct engine_prefix *p, size_t n);

/*
 * The one rule for the addresses ns-monitor serves: global unicast (not
 * multicast, link-local, loopback, unspecified or IPv4-mapped), not the
 * host's, and inside a prefix of engine_targets() or the on-link prefix
 * of one of the host's addresses on master (0: on any master of group).
 * The upstream's NS is taken only for those (engine_ns_in's eligible),
 * the kernel's neighbor entries are adopted only for those.
 */
bool engine_serves(const struct engine *e, uint16_t group,
		   unsigned int master, const struct in6_addr *target);

/* The host's own NS for target, logged on master. */
void engine_ns_out(struct engine *e, uint16_t group, unsigned int master,
		   const struct in6_addr *target, uint64_t now);
/*
 * The upstream's NS for target arriving on master (--proxy-ndp). The
 * caller says whether target is eligible: engine_serves() (and
 * --proxy-ndp), asked first since only an eligible one's asker is
 * reported (engine_asker()).
 */
void engine_ns_in(struct engine *e, uint16_t group, unsigned int master,
		  const struct in6_addr *target, bool eligible, uint64_t now);

/*
 * An NS the daemon may answer itself (--proxy-ndp; src with its
 * link-layer address mac): the upstream's for an eligible target on
 * master (guest false, reported before engine_ns_in), or a guest's on
 * its slave (guest true, before engine_guest_ns). The engine keeps it,
 * one per asker and target, for the upstream's 3 tries (ASKER_TTL_NS);
 * at most max_inflight + max_queue at once, the oldest pushed out beyond
 * (it simply asks again). It goes to the egress with answer_upstream or
 * answer_guests. Ignored without proxy_ndp.
 */
void engine_asker(struct engine *e, unsigned int ifindex,
		  const struct in6_addr *target, const struct in6_addr *src,
		  const uint8_t mac[6], bool guest, uint64_t now);

/*
 * A packet this host sent to target by a master, held (NFQUEUE) until the
 * target is located: the engine resolves it at once and releases the
 * packet through the egress, routed again once the target is learned, or
 * unchanged when it answers on a master, is not found, or the wait ends.
 * Always released, whatever happens: a full engine releases it at once.
 */
void engine_held(struct engine *e, uint16_t group, unsigned int master,
		 const struct in6_addr *target, uint32_t packet_id,
		 uint64_t now);

/* At exit: every held packet goes on unchanged (a closed queue drops them). */
void engine_release_held(struct engine *e);

/*
 * A sign that target lives behind slave, seen on the slave before anyone
 * asked (a new guest): its duplicate address detection (DAD: the address
 * answers only once that is over), or a packet from the address. Only
 * that slave is asked; the answer is taken as any answer is (a claim on a
 * target learned elsewhere is checked there first). With learn_routes only.
 */
enum engine_guest_sign { ENGINE_GUEST_DAD, ENGINE_GUEST_SOURCE };

void engine_guest(struct engine *e, uint16_t group, unsigned int slave,
		  const struct in6_addr *target, enum engine_guest_sign sign,
		  uint64_t now);

/*
 * A guest's NS on slave for target (not DAD): a guest with the master's
 * whole prefix on-link asks for an address that may live elsewhere (on
 * the master's link, behind another slave, or the host's own). With
 * proxy_ndp, and for a target in scope that does not live behind that
 * slave: answered at once when known, else found as any target is (the
 * masters and every slave asked, the asker's own first: on a bridge the
 * target may be its neighbor there), then answered (answer_guests) unless
 * it lives behind the asker's slave.
 */
void engine_guest_ns(struct engine *e, uint16_t group, unsigned int slave,
		     const struct in6_addr *target, uint64_t now);

/*
 * An NA (or echo reply) for target arrived on slave, or on a master: one
 * there refuses every slave's claim on target while it is in flight, and
 * takes a learned target back from its slave (the masters were asked).
 * mac: an NA's target link-layer address, NULL for none (an echo reply):
 * given to route_add if this answer is learned.
 */
void engine_answer(struct engine *e, unsigned int slave,
		   const struct in6_addr *target, const uint8_t *mac,
		   uint64_t now);

/*
 * Kernel neighbor events. fresh: REACHABLE (a confirmation just now), as
 * opposed to STALE and the like, which anyone can cause with one packet.
 */
enum engine_neigh_state {
	ENGINE_NEIGH_USABLE,
	ENGINE_NEIGH_PROBE,	/* the kernel doubts it: unicast probes */
	ENGINE_NEIGH_FAILED,
	ENGINE_NEIGH_DELETED,
};

void engine_neigh(struct engine *e, unsigned int ifindex,
		  const struct in6_addr *target, enum engine_neigh_state state,
		  bool fresh, uint64_t now);

/*
 * IPv6 forwarding (net.ipv6.conf.<if>.forwarding) on a master (ifindex),
 * or on "all" (ifindex 0): read when a master comes, then followed by the
 * kernel's netconf events. Kept for the masters only; unknown is off.
 */
void engine_forwarding(struct engine *e, unsigned int ifindex, bool on);

/*
 * A route of ours to target behind slave that an earlier run left, taken
 * as learned without asking first: it was learned under the same checks,
 * and a restart must not make the first contact with every neighbor pay
 * again. Taken on trust only for a while: the location is asked again at
 * once (from the keep-alive budget) and forgotten, route removed, if it
 * does not answer within verify_ns. Refused as an answer would be (an
 * address of the host, a target usable on a master, a slave not in the
 * group, --max-learned reached, learned elsewhere already), and its route
 * removed. Needs learn_routes.
 * 0 when target is learned behind slave now, -1 when refused, 1 when the
 * masters are being checked (check_masters): the outcome comes with
 * engine_masters_checked(), counted in adopted or adopt_refused; the
 * route is then written again, as the engine may have replaced or
 * removed it meanwhile.
 */
int engine_adopt(struct engine *e, uint16_t group, unsigned int slave,
		 const struct in6_addr *target, uint64_t now);

/*
 * The answer to check_masters' question `check`: master, the first of
 * those asked about with a usable entry for the target, 0 if none has
 * one. The engine then does what it held for it, as it would have had it
 * known at once (answers for that target that came in meanwhile are taken
 * after it, in their order). An answer whose resolution ended meanwhile
 * (its hold-down over, the target dropped) is not taken. A check number
 * not pending is ignored.
 */
void engine_masters_checked(struct engine *e, uint32_t check,
			    unsigned int master, uint64_t now);

/*
 * The kernel's usable neighbor entries for target at start (REACHABLE,
 * STALE, DELAY or PROBE: a link-layer address it believes), one on each
 * of ifindex[0..n). In each group that serves target (engine_serves() on
 * any master), the one slave of the group with an entry is asked about
 * it, as at a guest's sign (engine_guest(), ENGINE_GUEST_SOURCE): its
 * masters first, then the slave. Never taken on the entry's word: a guest
 * makes a STALE entry for any address on its own slave with one NS from
 * that source, and the masters would not otherwise be asked at all. An
 * interface that is a master of the group too (a mesh) does not count,
 * it reaches target as it is. Behind two slaves nothing is asked
 * (ENGINE_ADOPT_AMBIGUOUS): the next resolution finds out.
 */
void engine_adopt_neighbor(struct engine *e, const struct in6_addr *target,
			   const unsigned int *ifindex, size_t n, uint64_t now);

/*
 * The route of target, learned behind slave, is gone from the kernel
 * although the engine did not remove it (deleted from outside, `ip route
 * del`). The caller has checked that the kernel has no such route now.
 * The engine adds it again (ENGINE_ROUTE_RESTORED notice), at most
 * ENGINE_ROUTE_RESTORES times within ENGINE_ROUTE_RESTORE_WINDOW_S; past
 * that the target is forgotten (its next NS learns it anew), so the
 * engine never fights a deleter in a tight loop; if it cannot be added
 * (engine_route_failed()), the target is forgotten too.
 * Nothing is done when target is not learned behind slave in group (the
 * engine moved or forgot it itself: its own deletion).
 */
enum engine_route_gone {
	ENGINE_ROUTE_GONE_NOT_OURS,	/* not learned there: nothing done */
	ENGINE_ROUTE_GONE_RESTORED,	/* added again */
	ENGINE_ROUTE_GONE_GIVEN_UP,	/* deleted once too often: forgotten */
};

enum engine_route_gone engine_route_gone(struct engine *e, uint16_t group,
					 unsigned int slave,
					 const struct in6_addr *target,
					 uint64_t now);

/*
 * The kernel refused the route_add or route_move that put target behind
 * slave in group (the egress logged the kernel's error). The target is
 * forgotten as when a route fails (route_failed counted, ENGINE_FORGOTTEN
 * saying whether it was learned, moved or restored), its proxies and the
 * route asked for removed; its next NS learns it anew. Nothing is done
 * when target is no longer learned behind slave (moved or forgotten
 * since: a later request stands).
 */
void engine_route_failed(struct engine *e, uint16_t group,
			 const struct in6_addr *target, unsigned int slave,
			 uint64_t now);

/* Where target is learned in group: its slave, 0 if it is not learned. */
unsigned int engine_learned_slave(struct engine *e, uint16_t group,
				  const struct in6_addr *target);

/* One learned target, as engine_learned_list() gives them. */
struct engine_learned {
	struct in6_addr target;
	unsigned int slave;
};

/*
 * The targets learned in group now, in *out (malloc'd, the caller frees
 * it; NULL when none), *n of them. 0, or -1 with errno ENOMEM.
 */
int engine_learned_list(const struct engine *e, uint16_t group,
			struct engine_learned **out, size_t *n);

/* Continue deferred work and expire what is due. */
void engine_tick(struct engine *e, uint64_t now);

/* When engine_tick is next needed; 0 when idle (arm no timer). */
uint64_t engine_next_deadline(const struct engine *e);

const struct engine_counters *engine_counters(const struct engine *e);

/* One slave's guest signs: taken, and refused (a claim, or its share). */
struct engine_slave_signs {
	uint64_t taken, refused;
};

/* 0, or -1 when slave is not one of group's. */
int engine_slave_signs(const struct engine *e, uint16_t group,
		       unsigned int slave, struct engine_slave_signs *out);

/* Every claim refused, whatever the reason. */
uint64_t engine_refusals(const struct engine_counters *c);

struct metrics;

/* The counters, each described, into m (engine_metrics.c); and logged. */
void engine_metrics(const struct engine_counters *e, struct metrics *m);
void engine_log_counters(const struct engine_counters *e);

#endif
