/*
 * The configuration (struct config), as cli.c parses it from the command
 * line, and the defaults of its options.
 */
#ifndef NS_MONITOR_CONFIG_H
#define NS_MONITOR_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "ifspec.h"

#define DEFAULT_GROUP 135u
/* The resolution engine's: engine.h says why these. */
#define DEFAULT_HOLDDOWN_MS ENGINE_DEFAULT_HOLDDOWN_MS
#define DEFAULT_RATE ENGINE_DEFAULT_ASK_RATE
#define DEFAULT_BURST ENGINE_DEFAULT_ASK_BURST
#define DEFAULT_MAX_INFLIGHT ENGINE_DEFAULT_MAX_INFLIGHT
#define DEFAULT_MAX_QUEUE ENGINE_DEFAULT_MAX_QUEUE
#define DEFAULT_MAX_LEARNED ENGINE_DEFAULT_MAX_LEARNED
#define DEFAULT_KEEPALIVE_RATE ENGINE_DEFAULT_KEEPALIVE_RATE
/* --queue: a held packet waits this long for its target at most... */
#define DEFAULT_QUEUE_WAIT_MS 100u
/*
 * ...and this many are held at once (the kernel's queue is as long). It is
 * also all that a stopped or hung daemon can keep: the kernel queues to
 * a bound listener whether it reads or not, and only a full queue (fail
 * open) lets the next packet go on. 256 is 2.5 times the 100 first
 * contacts at once of bench/first_contact.sh, while a hung daemon strands
 * no more than 256 packets before the host's traffic flows again.
 */
#define DEFAULT_QUEUE_MAX 256u
#define DEFAULT_ROUTE_METRIC 1024u
#define DEFAULT_STATS_INTERVAL 15u
/*
 * Made at start, owned by the user the daemon runs as (--user), so that
 * it can remove its pidfile and its state files once it is no longer root.
 */
#define RUNTIME_DIR "/run/ns-monitor"
#define DEFAULT_PIDFILE RUNTIME_DIR "/ns-monitor.pid"
#define EGRESS_BASE 0x6e730000u		/* "ns" << 16: fwmark and table base */
#define EGRESS_RULE_PREF 28275		/* before the main table's 32766 */

struct prefix6 {
	struct in6_addr addr;	/* host bits cleared */
	uint8_t len;
};

struct config {
	struct ifspec *masters;	/* -m: names or patterns (malloc'd) */
	unsigned int nmasters;
	struct ifspec *slaves;	/* -s */
	unsigned int nslaves;
	uint16_t *groups;	/* -g, grown as given (malloc'd) */
	unsigned int ngroups;
	struct prefix6 *targets;	/* -t (malloc'd) */
	unsigned int ntargets;
	struct engine_binding *binds;	/* --bind (malloc'd) */
	unsigned int nbinds;

	bool standalone;	/* -m/-s: we own the nft objects of our group */
	const char *rules;	/* managed mode: reload this file if it goes */
	bool restore_members;	/* managed mode: refill sets a recreated
				   table brought back empty */
	bool check;		/* --check: validate, report, exit */

	uint32_t holddown_ms;
	uint32_t rate;
	uint32_t burst;
	uint32_t max_inflight;
	uint32_t max_queue;
	uint32_t max_learned;
	uint32_t keepalive_rate;
	uint32_t fwmark_base;	/* egress fwmark and table for group G: base + G */

	bool learn_routes;	/* install X/128 dev SLAVE once X is found */
	bool proxy_ndp;		/* and a proxy entry on the masters */
	bool keep_routes;	/* leave them at exit */
	bool queue;		/* hold the host's packets to unlocated targets */
	uint32_t queue_wait_ms;
	uint32_t queue_max;
	uint32_t route_metric;

	const char *stats_file;	/* Prometheus text file, written every... */
	uint32_t stats_interval;	/* ...this many seconds */
	bool stats_follow_link;	/* write where a link at stats_file leads */
	const char *user;	/* run as this user after set-up */

	bool dry_run;
	bool daemonize;
	bool link_local;
	int verbose;
	const char *pidfile;
	bool pidfile_given;	/* --pidfile: only meaningful with -d */
};

#endif
