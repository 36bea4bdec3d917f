/*
 * Counters of what the daemon saw and did, and their export: a log line
 * (SIGUSR1) and the Prometheus text format (--stats-file).
 */
#ifndef NS_MONITOR_STATS_H
#define NS_MONITOR_STATS_H

#include <stdbool.h>
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

/* The two interface sets of a group, for the gauges below. */
enum stats_set { STATS_SET_MASTERS, STATS_SET_SLAVES, STATS_SETS };

/* Per relay group. */
struct group_counters {
	unsigned long ns_valid;
	unsigned long ns_ignored[NS_VERDICT_MAX];
	unsigned long upstream_relayed;	/* NS from the upstream, probed for */
	unsigned long upstream_ignored;	/* ...not for us, or no --proxy-ndp */
	unsigned long probes_dry_run;
	/* Gauges of what the last read of masters_G and slaves_G left out. */
	unsigned long set_invalid[STATS_SETS];	/* elements not names */
	unsigned long set_unused[STATS_SETS];	/* members beyond the limit */
	unsigned long set_wrong_type[STATS_SETS];	/* 1: not type ifname */
};

struct relay;
struct learn;
struct engine_counters;
struct netlink_overruns {
	unsigned long rtnetlink;
	unsigned long nftables;
};

/* Write every counter in the Prometheus text format. */
void stats_write(FILE *out, const struct relay *r, const struct learn *l,
		 const struct engine_counters *e,
		 const struct netlink_overruns *o);

/* A label value as the text format wants it: \\, \" and \n escaped. */
void stats_escape_label(FILE *out, const char *value);

/*
 * The same, atomically and safely in a directory someone else may own: into
 * a new file of a random name beside PATH (O_EXCL, O_NOFOLLOW, mode 0644
 * whatever the umask), synced, then renamed over PATH. A PATH that is a
 * symbolic link is refused (-1, errno ELOOP) unless follow_link, then the
 * file the link leads to is replaced. Nothing is left behind on failure.
 */
int stats_write_file(const char *path, bool follow_link,
		     const struct relay *r, const struct learn *l,
		     const struct engine_counters *e,
		     const struct netlink_overruns *o);

/*
 * At start: 0 if PATH can be the stats file, -1 with a one-line reason in
 * err if not (a link without follow_link, a directory name, too long).
 */
int stats_check_path(const char *path, bool follow_link, char *err,
		     size_t errlen);

/* A summary in the log (SIGUSR1, exit). */
void stats_log(const struct relay *r, const struct learn *l,
	       const struct engine_counters *e);

#endif
