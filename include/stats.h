/* Counters of what the daemon saw and did. */
#ifndef NS_MONITOR_STATS_H
#define NS_MONITOR_STATS_H

#include "ns_parse.h"

struct counters {
	unsigned long nflog_messages;	/* packet messages received */
	unsigned long nflog_malformed;	/* packet messages we could not parse */
	unsigned long nflog_overruns;	/* ENOBUFS: the kernel dropped some */
	unsigned long ns_valid;
	unsigned long ns_ignored[NS_VERDICT_MAX];
	unsigned long ns_not_ours;	/* unknown group, or no device */
	unsigned long ns_upstream;	/* NS from the upstream, relayed */
	unsigned long ns_upstream_ignored; /* ...not for us (or no --proxy-ndp) */
	unsigned long suppressed_holddown;
	unsigned long suppressed_rate;
	unsigned long probes_sent;
	unsigned long probes_failed;
	unsigned long probes_dry_run;
	unsigned long probes_down;	/* not sent: slave down */
};

#endif
