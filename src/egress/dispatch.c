/* The engine's egress: actions to the slaves and learning, notices to the log. */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "dispatch.h"
#include "fwdwatch.h"
#include "hold.h"
#include "hostaddr.h"
#include "intake_checks.h"
#include "learn.h"
#include "log.h"
#include "slaves.h"


static void send_ask(struct dispatch *x, const struct idle_ask *a)
{
	slaves_ask(x->slaves, a->group, a->master, &a->target);
}

/* An ask on a master waits for idle time; one on a slave leaves now. */
static void eg_ask(void *ctx, uint16_t group, unsigned int ifindex,
		   const struct in6_addr *target)
{
	struct dispatch *x = ctx;
	struct idle_ask a, oldest;

	if (!slaves_has_master(x->slaves, group, ifindex)) {
		slaves_ask(x->slaves, group, ifindex, target);
		return;
	}
	a = (struct idle_ask){ .since = monotonic_ns(), .group = group,
			       .master = ifindex, .target = *target };
	if (idle_asks_push(&x->idle, &a, &oldest))
		send_ask(x, &oldest);
}

bool dispatch_idle_work(const struct dispatch *x)
{
	return idle_asks_any(&x->idle);
}

void dispatch_idle(struct dispatch *x)
{
	struct idle_ask a;

	while (idle_asks_take(&x->idle, &a))
		send_ask(x, &a);
}

void dispatch_overdue(struct dispatch *x, uint64_t now)
{
	struct idle_ask a;

	while (idle_asks_take_overdue(&x->idle, now, &a))
		send_ask(x, &a);
}

static void eg_confirm(void *ctx, uint16_t group, unsigned int slave,
		       const struct in6_addr *target, const uint8_t *mac)
{
	struct dispatch *x = ctx;

	if (mac)
		learn_neigh_add(x->learn, group, target, slave, mac);
	else
		slaves_confirm(x->slaves, group, slave, target);
}

static void eg_route_add(void *ctx, uint16_t group,
			 const struct in6_addr *target, unsigned int slave,
			 const uint8_t *mac)
{
	struct dispatch *x = ctx;

	learn_route_add(x->learn, group, target, slave, mac);
}

static void eg_route_move(void *ctx, uint16_t group,
			  const struct in6_addr *target, unsigned int from,
			  unsigned int to)
{
	struct dispatch *x = ctx;

	learn_route_move(x->learn, group, target, from, to);
}

static void eg_route_del(void *ctx, uint16_t group,
			 const struct in6_addr *target, unsigned int slave)
{
	struct dispatch *x = ctx;

	learn_route_del(x->learn, group, target, slave);
}

/* One NS the engine kept for target, answered from src on its master. */
static void answer_asker(struct dispatch *x, const struct in6_addr *src,
			 const struct in6_addr *target,
			 const struct engine_asker *k)
{
	static struct log_limit fail_limit = LOG_LIMIT_INIT(600, 1);
	char t[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, target, t, sizeof(t));
	inet_ntop(AF_INET6, &k->src, to, sizeof(to));
	if (slaves_advertise(x->slaves, k->ifindex, src, &k->src, k->mac,
			    target) == -1) {
		log_warnx_limited(&fail_limit, "answering %s's NS for %s: %s (it will be answered when it asks again)",
				  to, t, strerror(errno));
		return;
	}
	if (log_debug_enabled())
		log_debug("answered %s's NS for %s", to, t);
}

static void eg_proxy_add(void *ctx, uint16_t group,
			 const struct in6_addr *target, unsigned int master)
{
	struct dispatch *x = ctx;
	char name[IF_NAMESIZE];

	learn_proxy(x->learn, group, target, master,
		    slaves_ifname(x->slaves, master, name), true);
}

/*
 * The kernel answers only the upstream's NS that come after the entry;
 * the one that asked for target is answered now, not at its next try a
 * second later. From an address of the master's.
 */
static void eg_answer_upstream(void *ctx, uint16_t group,
			       const struct in6_addr *target,
			       unsigned int master,
			       const struct engine_asker *askers, size_t n)
{
	struct dispatch *x = ctx;
	const struct in6_addr *src;

	(void)group;
	if (!n)
		return;
	src = x->addrs ? hostaddr_on_ifindex(x->addrs, master) : NULL;
	if (!src)
		return;
	for (size_t i = 0; i < n; i++)
		answer_asker(x, src, target, &askers[i]);
}

/* A guest's NS for target, answered on its slave (guests with the /64 on-link). */
static void answer_guest(struct dispatch *x, const struct in6_addr *target,
			 const struct engine_asker *k)
{
	static struct log_limit fail_limit = LOG_LIMIT_INIT(600, 1);
	char t[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, target, t, sizeof(t));
	inet_ntop(AF_INET6, &k->src, to, sizeof(to));
	if (slaves_advertise_guest(x->slaves, k->ifindex, &k->src, k->mac,
				  target) == -1) {
		log_warnx_limited(&fail_limit, "answering guest %s's NS for %s: %s",
				  to, t, strerror(errno));
		return;
	}
	if (log_debug_enabled())
		log_debug("answered guest %s's NS for %s", to, t);
}

static void eg_answer_guests(void *ctx, uint16_t group,
			     const struct in6_addr *target, unsigned int lives_on,
			     const struct engine_asker *askers, size_t n)
{
	struct dispatch *x = ctx;

	(void)group;
	(void)lives_on;
	for (size_t i = 0; i < n; i++)
		answer_guest(x, target, &askers[i]);
}

static void eg_proxy_del(void *ctx, uint16_t group,
			 const struct in6_addr *target, unsigned int master)
{
	struct dispatch *x = ctx;
	char name[IF_NAMESIZE];

	learn_proxy(x->learn, group, target, master,
		    slaves_ifname(x->slaves, master, name), false);
}

/* The engine's question, posted for intake to answer (never from here). */
static int eg_check_masters(void *ctx, uint32_t check, uint16_t group,
			    const struct in6_addr *target,
			    const unsigned int *masters, size_t n)
{
	struct dispatch *x = ctx;

	(void)group;
	return intake_checks_post(x->checks, check, target, masters, n);
}

/*
 * A located target stays out of the queue this long: a found one as long
 * as the kernel keeps a neighbor it uses; one that nothing answered as
 * long as the kernel's own resolution on the master takes (3 NS, 1 s
 * apart), after which a packet is worth holding again.
 */
#define LOCATED_TIMEOUT_MS (10 * 60 * 1000)
#define UNANSWERED_TIMEOUT_MS (3 * 1000)

static struct hold *hold_of(struct dispatch *x, uint16_t group)
{
	for (unsigned int i = 0; x->holds && i < x->cfg->ngroups; i++)
		if (x->cfg->groups[i] == group)
			return &x->holds[i];
	return NULL;
}

static void eg_release(void *ctx, uint16_t group, uint32_t packet_id,
		       bool reroute)
{
	struct hold *h = hold_of(ctx, group);

	if (h)
		hold_verdict(h, packet_id, reroute ? HOLD_TO_SLAVE : HOLD_UNCHANGED);
}

static void eg_located(void *ctx, uint16_t group, const struct in6_addr *target,
		       enum engine_located where)
{
	static struct log_limit set_limit = LOG_LIMIT_INIT(600, 1);
	struct hold *h = hold_of(ctx, group);
	uint32_t ms = where == ENGINE_LOCATED_NOWHERE ? UNANSWERED_TIMEOUT_MS :
						       LOCATED_TIMEOUT_MS;

	if (h && hold_located_add(h, group, target, ms) == -1)
		log_warnx_limited(&set_limit,
				  "group %u: adding to set located_%u: %s (without it, packets to targets found already pass through ns-monitor too: load the --queue rules, see ns-monitor.nft)",
				  group, group, strerror(errno));
}

/* `ip route flush proto ns-monitor` restores thousands of routes at once. */
static struct log_limit restored_limit = LOG_LIMIT_INIT(5, 10);
/* Guests that made entries for each other's addresses: many at start. */
static struct log_limit ambiguous_limit = LOG_LIMIT_INIT(10, 5);

static void eg_notice(void *ctx, const struct engine_notice *n)
{
	struct dispatch *x = ctx;
	char a[INET6_ADDRSTRLEN], s[IF_NAMESIZE], o[IF_NAMESIZE];
	char more[48] = "";

	inet_ntop(AF_INET6, &n->target, a, sizeof(a));
	slaves_ifname(x->slaves, n->slave, s);
	slaves_ifname(x->slaves, n->other, o);
	if (n->suppressed)
		snprintf(more, sizeof(more), " (%lu more not logged)",
			 n->suppressed);
	switch (n->kind) {
	case ENGINE_LIMIT_RATE:
		log_warnx("group %u: more asks than %u a second (%s %u, --burst %u): they wait their turn, none is lost; raise %s if this lasts",
			  n->group, x->cfg->rate, n->option, x->cfg->rate,
			  x->cfg->burst, n->option);
		break;
	case ENGINE_LIMIT_INFLIGHT:
		log_warnx("group %u: %u targets being resolved at once (%s): new ones wait in a queue, from %s on",
			  n->group, x->cfg->max_inflight, n->option, a);
		break;
	case ENGINE_LIMIT_QUEUE:
		log_warnx("group %u: %u targets waiting already (%s): NS for new targets are dropped and counted, from %s on",
			  n->group, x->cfg->max_queue, n->option, a);
		break;
	case ENGINE_LIMIT_LEARNED:
		if (n->slave)	/* its share: other = how many that is */
			log_warnx("group %u: slave %s has its share of learned routes, %u (over half of %s %u taken): %s is answered but not routed",
				  n->group, s, n->other, n->option,
				  x->cfg->max_learned, a);
		else
			log_warnx("group %u: %u routes learned already (%s): %s is answered but not routed",
				  n->group, x->cfg->max_learned, n->option, a);
		break;
	case ENGINE_LIMIT_KEEPALIVE:
		log_warnx("group %u: learned targets asked again faster than %u a second (%s): they wait their turn",
			  n->group, x->cfg->keepalive_rate, n->option);
		break;
	case ENGINE_LIMIT_HELD:
		log_warnx("group %u: %u packets held already (%s): more go on by the master without waiting, from one for %s on",
			  n->group, x->cfg->queue_max, n->option, a);
		break;
	case ENGINE_LEARNED:
		log_info("group %u: learned %s behind %s: route added%s",
			 n->group, a, s,
			 x->cfg->proxy_ndp ? ", proxied on the masters" : "");
		if (x->cfg->proxy_ndp)
			fwdwatch_learned(x->fwd, n->group, s, a, monotonic_ns());
		break;
	case ENGINE_MOVED:
		log_info("group %u: %s moved behind %s: route moved from %s",
			 n->group, a, s, o);
		break;
	case ENGINE_FORGOTTEN:
		log_info("group %u: forgot %s behind %s: %s", n->group, a, s,
			 n->reason);
		break;
	case ENGINE_ADOPTED:
		log_info("group %u: adopted %s behind %s (%s): route in place%s, asking it again",
			 n->group, a, s, n->reason,
			 x->cfg->proxy_ndp ? ", proxied on the masters" : "");
		break;
	case ENGINE_ROUTE_RESTORED:
		log_warnx_limited(&restored_limit, "group %u: route %s/128 dev %s was deleted from outside while %s is learned there: added it again (%u of %u times within %u s)",
			  n->group, a, s, a, n->other, ENGINE_ROUTE_RESTORES,
			  ENGINE_ROUTE_RESTORE_WINDOW_S);
		break;
	case ENGINE_ADOPT_AMBIGUOUS:
		log_warnx_limited(&ambiguous_limit, "group %u: not adopting %s: usable behind two slaves; the next NS for it decides",
				  n->group, a);
		break;
	case ENGINE_CLAIM_REFUSED:
		log_warnx("group %u: not routing %s behind %s: it still answers behind %s%s",
			  n->group, a, s, o, more);
		break;
	case ENGINE_REFUSED_LOCAL:
		log_warnx("group %u: not routing %s behind %s: it is an address of this host%s",
			  n->group, a, s, more);
		break;
	case ENGINE_REFUSED_MASTER:
		if (n->other)
			log_warnx("group %u: not routing %s behind %s: it answers on master %s%s",
				  n->group, a, s, o, more);
		else
			log_warnx("group %u: not routing %s behind %s: it answers on a master%s",
				  n->group, a, s, more);
		break;
	case ENGINE_REFUSED_SCOPE:
		log_warnx("group %u: not routing %s behind %s: the host does not resolve it on-link on a master (ip -6 route get says why)%s",
			  n->group, a, s, more);
		break;
	case ENGINE_REFUSED_BINDING:
		log_warnx("group %u: not routing %s behind %s: the bindings put it behind another slave, or bind %s to other addresses%s",
			  n->group, a, s, s, more);
		break;
	case ENGINE_UNANSWERED:
		log_info("group %u: %s was not found: none of the %u slave(s) asked answered%s",
			 n->group, a, n->other, more);
		break;
	case ENGINE_NOTICE_KINDS:
		break;
	}
}

void dispatch_init(struct dispatch *x, struct slaves *slaves, struct learn *learn,
		 const struct config *cfg, struct hold *holds,
		 const struct hostaddrs *addrs, struct intake_checks *checks,
		 struct fwdwatch *fwd)
{
	*x = (struct dispatch){ .slaves = slaves, .learn = learn, .cfg = cfg,
				.holds = holds, .addrs = addrs, .checks = checks,
				.fwd = fwd };	/* no asks kept yet */
}

void dispatch_make(struct engine_egress *eg, struct dispatch *x)
{
	*eg = (struct engine_egress){
		.ctx = x,
		.ask = eg_ask,
		.confirm = eg_confirm,
		.route_add = eg_route_add,
		.route_move = eg_route_move,
		.route_del = eg_route_del,
		.proxy_add = eg_proxy_add,
		.proxy_del = eg_proxy_del,
		.check_masters = eg_check_masters,
		.answer_upstream = eg_answer_upstream,
		.release = eg_release,
		.located = eg_located,
		.notice = eg_notice,
		.answer_guests = eg_answer_guests,
	};
}
