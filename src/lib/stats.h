/*
 * Counters of what the daemon saw and did, and their export: a log line
 * (SIGUSR1) and the Prometheus text format (--stats-file).
 */
#ifndef NS_MONITOR_STATS_H
#define NS_MONITOR_STATS_H

#include <stdbool.h>
#include <stdio.h>

#include "ns_parse.h"

/* The two interface sets of a group, for the gauges below. */
enum stats_set { STATS_SET_MASTERS, STATS_SET_SLAVES, STATS_SETS };

/* Per relay group. */
struct group_counters {
	unsigned long probes_dry_run;
};

struct slaves;
struct learn;
struct intake;
struct engine;
struct engine_counters;
struct answer_counters;
struct rtnl_neigh_table;
struct netmon;
struct nftwatch;
struct control;

/*
 * What the counters are read from; any part may be NULL (not running, or
 * a test that fills in only some).
 */
struct stats_sources {
	const struct slaves *slaves;
	const struct intake *intake;
	const struct learn *learn;
	const struct engine_counters *engine;
	const struct engine *engine_state;	/* per-slave guest signs */
	const struct answer_counters *answers;
	const struct netmon *netmon;		/* its overruns */
	const struct nftwatch *nftwatch;	/* ...and this one's */
	const struct control *control;
	/* The host-wide neighbor table, read for this write; NULL: unread. */
	const struct rtnl_neigh_table *neigh_table;
};

/* Write every counter in the Prometheus text format. */
void stats_write(FILE *out, const struct stats_sources *src);

/*
 * The same, atomically and safely in a directory someone else may own: into
 * a new file of a random name beside PATH (O_EXCL, O_NOFOLLOW, mode 0644
 * whatever the umask), synced, then renamed over PATH. A PATH that is a
 * symbolic link is refused (-1, errno ELOOP) unless follow_link, then the
 * file the link leads to is replaced. Nothing is left behind on failure.
 */
int stats_write_file(const char *path, bool follow_link,
		     const struct stats_sources *src);

/*
 * At start: 0 if PATH can be the stats file, -1 with a one-line reason in
 * err if not (a link without follow_link, a directory name, too long).
 */
int stats_check_path(const char *path, bool follow_link, char *err,
		     size_t errlen);

/* A summary in the log (SIGUSR1, exit). */
void stats_log(const struct stats_sources *src);

#endif
