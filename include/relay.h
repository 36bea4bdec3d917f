/*
 * The relay: groups and their slaves, and what happens to one logged NS
 * (parse, policy, probes). Owns the probe sockets and the egress routes.
 */
#ifndef NS_MONITOR_RELAY_H
#define NS_MONITOR_RELAY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "netmon.h"
#include "nflog.h"
#include "policy.h"
#include "rtnl.h"
#include "stats.h"

struct slave {
	char name[IF_NAMESIZE];
	unsigned int ifindex;		/* 0: not present (yet) */
	int fd;				/* probe socket, -1 when absent */
	struct in6_addr ll;		/* source of our probes */
	bool has_ll;
	bool ll_warned;			/* said once that it has none */
	bool absent_warned;		/* said once that it is missing */
	bool up;			/* administratively up and running */
	bool routed;			/* egress route installed */
	uint64_t next_refresh;		/* when to look for it again */
	unsigned long probes_sent;
	unsigned long probes_failed;
	unsigned long probes_down;	/* not sent: interface down */
	unsigned long probes_absent;	/* not sent: interface missing */
};

struct group {
	uint16_t num;
	uint32_t fwmark;		/* egress mark, also the table id */
	bool rule_installed;
	struct slave slaves[CONFIG_MAX_IFACES];
	unsigned int nslaves;
	char masters[CONFIG_MAX_IFACES][IF_NAMESIZE];
	unsigned int nmasters;
	struct group_counters counters;
	uint32_t next_seq;		/* NFLOG sequence number expected next:
					   our bind made the instance, from 0 */
	bool gap_pending;		/* an overrun since its last message */
};

struct learn;

struct relay {
	const struct config *cfg;
	struct rtnl rtnl;
	struct group *groups;		/* ngroups of them */
	unsigned int ngroups;
	struct holddown holddown;
	struct holddown asked;		/* (slave ifindex, target) we probed */
	struct tokenbucket bucket;	/* probes for new targets */
	struct tokenbucket keepalive;	/* probes for learned ones: their own
					   budget, never starved by a flood */
	struct counters counters;
	struct learn *learn;		/* NULL: no learning */
	uint16_t echo_id;
	uint16_t echo_seq;
};

/* Set up groups, egress rules and routes, probe sockets. -1 on failure. */
int relay_init(struct relay *r, const struct config *cfg, uint64_t now);

/* Remove every rule and route relay_init added; close sockets. */
void relay_fini(struct relay *r);

/*
 * Make group `num`'s slaves exactly what `specs` names: slaves that stay
 * keep their sockets, those that go are released (route removed), new ones
 * are set up. A pattern stands for the interfaces that match it now.
 */
void relay_set_slaves(struct relay *r, uint16_t num,
		      const struct ifspec *specs, unsigned int n, uint64_t now);

/* The group's masters (for learning and proxy entries); patterns as above. */
void relay_set_masters(struct relay *r, uint16_t num,
		       const struct ifspec *specs, unsigned int n);

/*
 * ENOBUFS on the NFLOG socket: the kernel dropped at least one message, of
 * some group. How many shows only in the next message of each group (its
 * sequence number); the kernel offers no way to ask before. So one is
 * counted at once, and taken off the gap that shows up later.
 */
void relay_nflog_overrun(struct relay *r);

/* Account a group's NFLOG sequence number (gaps are lost messages). */
void relay_nflog_seq(struct relay *r, struct group *g, uint32_t seq);

struct group *relay_find_group(struct relay *r, uint16_t num);
struct group *relay_group_of_slave(struct relay *r, unsigned int ifindex);
bool relay_is_master(const struct group *g, unsigned int ifindex);

/*
 * How long an ask counts: an answer may come once the kernel has resolved
 * a stale entry again (delay_first_probe_time 5 s, then a probe).
 */
#define RELAY_ASK_WINDOW_NS (10 * 1000000000ull)

/* Whether we probed target out of this slave in the last ask window. */
bool relay_asked(const struct relay *r, unsigned int ifindex,
		 const struct in6_addr *target, uint64_t now);

enum probe_result {
	PROBE_SENT,
	PROBE_DEFERRED,		/* out of budget: try again later */
	PROBE_UNAVAILABLE,	/* slave missing or down, or the send failed */
};

/* Probe a learned target out of one slave now, from the keep-alive budget. */
enum probe_result relay_probe_one(struct relay *r, struct group *g,
				  unsigned int ifindex,
				  const struct in6_addr *target, uint64_t now);

/* Link and address events: follow slaves that come, go, rename, go down. */
void relay_on_link(struct relay *r, const struct netmon_event *ev,
		   uint64_t now);
void relay_on_addr(struct relay *r, const struct netmon_event *ev);

/* Handle one logged packet. */
void relay_packet(struct relay *r, const struct nflog_packet *pkt,
		  uint64_t now);


uint64_t monotonic_ns(void);

#endif
