/*
 * Counters of what the daemon saw and did, and their export: a log line
 * (SIGUSR1) and the Prometheus text format (--stats-file).
 */
#ifndef NS_MONITOR_STATS_H
#define NS_MONITOR_STATS_H

#include <stdio.h>

#include "ns_parse.h"

/* NFLOG intake, for all groups. */
struct counters {
	unsigned long nflog_messages;	/* packet messages received */
	unsigned long nflog_malformed;	/* packet messages we could not parse */
	unsigned long nflog_overruns;	/* ENOBUFS: the kernel dropped some */
	unsigned long nflog_lost;	/* ...how many, from sequence gaps */
	unsigned long nflog_lost_credit; /* counted at ENOBUFS, not yet in a gap */
	unsigned long nflog_lost_pending; /* groups whose gap is not seen yet */
	unsigned long ns_not_ours;	/* unknown group, or no device */
};

/* Per relay group. */
struct group_counters {
	unsigned long ns_valid;
	unsigned long ns_ignored[NS_VERDICT_MAX];
	unsigned long upstream_relayed;	/* NS from the upstream, probed for */
	unsigned long upstream_ignored;	/* ...not for us, or no --proxy-ndp */
	unsigned long suppressed_holddown;
	unsigned long suppressed_rate;
	unsigned long probes_dry_run;
};

struct relay;
struct learn;
struct netlink_overruns {
	unsigned long rtnetlink;
	unsigned long nftables;
};

/* Write every counter in the Prometheus text format. */
void stats_write(FILE *out, const struct relay *r, const struct learn *l,
		 const struct netlink_overruns *o);

/* The same, atomically: into PATH.tmp, then renamed over PATH. */
int stats_write_file(const char *path, const struct relay *r,
		     const struct learn *l, const struct netlink_overruns *o);

/* A summary in the log (SIGUSR1, exit). */
void stats_log(const struct relay *r, const struct learn *l);

#endif
