/*
 * The relay: groups, their slaves and masters as interfaces. Owns what
 * the engine's asks and confirms go out of (the echo socket and egress
 * route per slave, the packet socket for the daemon's own NS), and
 * reports which slaves can be asked and which masters are there (struct
 * slaves_events) without calling the engine. It decides nothing about
 * targets: the engine does (engine.h).
 */
#ifndef NS_MONITOR_SLAVES_H
#define NS_MONITOR_SLAVES_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "engine.h"
#include "membership.h"
#include "netmon.h"
#include "rtnl.h"
#include "stats.h"

/*
 * A member's entry in the relay's index by ifindex (struct slaves'
 * index): what asks, confirms, answers and log lines look a slave or
 * master up by, for each packet, without a scan over all members of all
 * groups (hundreds of slaves per group).
 */
struct member_key {
	struct member_key *next;	/* in the same bucket */
	unsigned int ifindex;		/* 0: not indexed */
	unsigned int gi;		/* its group: groups[gi] */
	bool master;
};

/*
 * What the relay needs to send out of a slave, beside its name. The name
 * stays here, though the membership says which slaves a group has: the
 * membership holds names and patterns as given, and is pure, while a
 * slave is followed here by name (a named slave that is not there yet is
 * looked for, and counted, by its name; a pattern's slaves are the
 * interfaces that match it now, as the link events bring them). Each
 * slave is allocated on its own so that the index can point at it.
 */
struct slave {
	char name[IF_NAMESIZE];
	struct member_key key;		/* key.ifindex: 0, not present (yet) */
	int fd;				/* echo socket, -1 when absent */
	struct in6_addr ll;		/* source of our NS and echoes */
	uint8_t mac[6];			/* source link-layer address option */
	bool has_ll;
	bool has_mac;			/* Ethernet: asked with our own NS */
	bool ll_warned;			/* said once that it has none */
	bool absent_warned;		/* said once that it is missing */
	bool up;			/* administratively up and running */
	bool down_said;			/* "is down" logged, "is up" due */
	bool routed;			/* egress route installed */
	/*
	 * Reported ready (r->ev.slave), by key.ifindex: the events are
	 * changes, so what was said must be kept to say its end. The ifindex
	 * never changes while this is set (slave_release() comes first).
	 */
	bool ready;
	uint64_t next_refresh;		/* when to look for it again */
	unsigned long asks_sent;	/* our own NS */
	unsigned long probes_sent;	/* echo requests */
	unsigned long probes_failed;
	unsigned long probes_firewalled;	/* of those: EPERM, the output hook */
	unsigned long probes_absent;	/* not sent: interface missing */
};

struct master {
	char name[IF_NAMESIZE];
	/* key.ifindex: the ifindex reported present (r->ev.master), or 0. */
	struct member_key key;
	/*
	 * What asking it with our own NS takes (a guest's claim is checked
	 * on the masters too): looked up at its first ask, again after a
	 * change of its link or link-local address.
	 */
	struct in6_addr ll;
	uint8_t mac[6];
	bool looked, has_ll, has_mac;
	unsigned long asks_sent;
	unsigned long asks_unsent;	/* no Ethernet or link-local address */
};

struct slaves_group {
	uint16_t num;
	uint32_t fwmark;		/* egress mark, also the table id */
	bool rule_installed;
	bool firewall_warned;		/* said that the firewall drops echoes */
	/* The members present by name: what asking them takes. */
	struct slave **slaves;		/* grown as members come */
	unsigned int nslaves;
	struct master **masters;
	unsigned int nmasters;
	struct group_counters counters;
};

/*
 * What the relay reports, its results as events (they go to the engine):
 * a slave ready to be asked or no longer (name: its name, when present),
 * a master present or gone. Each returns 0, or -1 when the member was not
 * taken (the relay then holds it as not known). Either may be NULL:
 * nothing is reported.
 */
struct slaves_events {
	void *ctx;
	int (*slave)(void *ctx, uint16_t group, unsigned int ifindex,
		     const char *name, bool present, uint64_t now);
	int (*master)(void *ctx, uint16_t group, unsigned int ifindex,
		      bool present, uint64_t now);
};

struct slaves {
	const struct config *cfg;
	const struct membership *members;	/* who is which (control) */
	struct rtnl rtnl;
	struct slaves_group *groups;		/* ngroups of them */
	unsigned int ngroups;
	/* Slaves present and masters reported, by ifindex: a hash table. */
	struct member_key **index;		/* nbuckets, a power of 2 */
	unsigned int nbuckets;
	unsigned int nindexed;
	struct slaves_events ev;		/* cleared while tearing down */
	int askfd;			/* packet socket: our own NS */
	unsigned long asked;		/* NS sent out of slaves, all */
	unsigned long told;		/* NAs sent to guests, all */
	uint16_t echo_id;
	uint16_t echo_seq;
	/*
	 * Set by slaves_log_start(): slaves that come and go are logged one
	 * by one from then on; before, at -v only (a summary says the rest).
	 */
	bool started;
};

/*
 * Set up groups, egress rules and routes, sockets for the members that
 * members names (read there, never copied); what becomes ready is
 * reported through ev (copied). -1 on failure.
 */
int slaves_init(struct slaves *r, const struct config *cfg,
	       const struct membership *members,
	       const struct slaves_events *ev, uint64_t now);

/*
 * Remove every rule and route slaves_init added; close sockets. Nothing is
 * reported from here on.
 */
void slaves_fini(struct slaves *r);

/*
 * Group `num`'s slaves in the membership changed: make them exactly what
 * it names, a name or each interface a pattern matches (now, and as
 * interfaces come and go). Slaves that stay keep their sockets, those
 * that go are released (route removed), new ones are set up.
 */
void slaves_set_slaves(struct slaves *r, uint16_t num, uint64_t now);

/* The group's masters, the same way. */
void slaves_set_masters(struct slaves *r, uint16_t num, uint64_t now);

struct slaves_group *slaves_find_group(struct slaves *r, uint16_t num);

/* Slaves the engine can ask now: present, up, with socket and route. */
unsigned int slaves_slaves_ready(const struct slaves_group *g);

/*
 * Once at start: one line per group (its slaves and masters, and how many
 * bindings the membership holds), where each slave had a line of its own
 * before (those stay for -v).
 */
void slaves_log_start(struct slaves *r);

/*
 * The engine's egress for asks and confirms (engine.h). An ask on a master
 * checks a guest's claim there: our own NS from the master's link-local
 * address, whose answer the raw answer socket reads like a slave's.
 */
void slaves_ask(struct slaves *r, uint16_t group, unsigned int ifindex,
	       const struct in6_addr *target);
void slaves_confirm(struct slaves *r, uint16_t group, unsigned int ifindex,
		   const struct in6_addr *target);

/*
 * Answer the upstream's NS for target on master ourselves (engine_asker()): an NA
 * from src (an address of the master) to `to` at to_mac, with the master's
 * MAC (looked up once, again after a change of its link). 0, or -1 with
 * errno.
 */
/*
 * Answer a guest's NS for target on slave (ifindex) ourselves: an NA from
 * the slave's link-local address, with the slave's MAC, to `to` at to_mac.
 * 0, or -1 with errno (EAFNOSUPPORT: no Ethernet or link-local there).
 */
int slaves_advertise_guest(struct slaves *r, unsigned int slave,
			  const struct in6_addr *to, const uint8_t to_mac[6],
			  const struct in6_addr *target);

int slaves_advertise(struct slaves *r, unsigned int master,
		    const struct in6_addr *src, const struct in6_addr *to,
		    const uint8_t to_mac[6], const struct in6_addr *target);

/*
 * The name of a slave or master (ifindex) as the relay keeps it, up to date
 * with its link events: no look-up on a path taken for each answer. Another
 * interface's is looked up (log_ifname()).
 */
const char *slaves_ifname(const struct slaves *r, unsigned int ifindex,
			 char buf[IF_NAMESIZE]);

/* How many NS were sent out of slaves, and NAs to guests, so far. */
static inline unsigned long slaves_asked(const struct slaves *r)
{
	return r->asked;
}

static inline unsigned long slaves_told(const struct slaves *r)
{
	return r->told;
}

/* Whether ifindex is one of group's masters. */
bool slaves_has_master(const struct slaves *r, uint16_t group,
		       unsigned int ifindex);

/* The identifier of our echo requests: their replies carry it. */
uint16_t slaves_echo_id(const struct slaves *r);

/* Link and address events: follow slaves that come, go, rename, go down. */
void slaves_on_link(struct slaves *r, const struct netmon_event *ev,
		   uint64_t now);
void slaves_on_addr(struct slaves *r, const struct netmon_event *ev);

struct metrics;

/*
 * A slave's guest signs, taken and refused (the engine counts them): 0, or
 * -1 when it has none for that slave.
 */
typedef int (*slaves_signs_fn)(const void *ctx, uint16_t group,
			      unsigned int slave, uint64_t *taken,
			      uint64_t *refused);

/*
 * The relay's counters and gauges, per group and slave, into m (signs,
 * when not NULL, gives each slave's guest signs); and logged.
 */
void slaves_metrics(const struct slaves *r, struct metrics *m,
		   slaves_signs_fn signs, const void *signs_ctx);
void slaves_log_counters(const struct slaves *r);

#endif
