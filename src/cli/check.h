/* --check: validate the arguments and the system, say what to fix. */
#ifndef NS_MONITOR_CHECK_H
#define NS_MONITOR_CHECK_H

#include <stdio.h>
#include <sys/types.h>

#include "config.h"

/*
 * The kernel's IPv6 neighbor table is one for the whole machine, every
 * namespace included: gc_thresh3 entries at most, and above gc_thresh2
 * entries older than 5 s are collected. What this configuration needs of
 * it: an entry for each guest's link-local and global address behind
 * every slave (2 per slave), on top of what is in use now.
 */
struct neigh_sizing {
	unsigned long thresh2, thresh3;
	unsigned long in_use;		/* entries now, all namespaces */
	unsigned long slaves;		/* in all groups, existing now */
};

enum neigh_verdict {
	NEIGH_OK,
	NEIGH_GC_PRESSURE,	/* needed > gc_thresh2: entries collected early */
	NEIGH_TOO_SMALL,	/* needed > gc_thresh3: new entries fail */
};

/* The verdict, the entries needed, and values to raise the thresholds to. */
enum neigh_verdict neigh_sizing_check(const struct neigh_sizing *s,
				      unsigned long *needed,
				      unsigned long *thresh2,
				      unsigned long *thresh3);

/*
 * Print findings to out; returns the number of problems found. uid/gid:
 * who the daemon runs as after set-up (--user, or root), for the files it
 * writes then.
 */
int check_run(const struct config *cfg, uid_t uid, gid_t gid, FILE *out);

#endif
