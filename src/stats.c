/* Counters out: the Prometheus text format and a log summary. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "relay.h"
#include "stats.h"

static void header(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP ns_monitor_%s %s\n# TYPE ns_monitor_%s %s\n",
		name, help, name, type);
}

static void counter(FILE *out, const char *name, const char *help,
		    unsigned long v)
{
	header(out, name, "counter", help);
	fprintf(out, "ns_monitor_%s %lu\n", name, v);
}

/* One sample per group; expr picks the counter from g. */
#define PER_GROUP(out, r, metric, labels, expr)				\
	for (unsigned int i_ = 0; i_ < (r)->ngroups; i_++) {		\
		const struct group *g = &(r)->groups[i_];		\
		fprintf(out, "ns_monitor_" metric "{group=\"%u\"" labels "} %lu\n", \
			g->num, (unsigned long)(expr));			\
	}

/* One sample per slave of every group; expr picks it from s. */
#define PER_SLAVE(out, r, metric, labels, expr)				\
	for (unsigned int i_ = 0; i_ < (r)->ngroups; i_++) {		\
		const struct group *g = &(r)->groups[i_];		\
		for (unsigned int j_ = 0; j_ < g->nslaves; j_++) {	\
			const struct slave *s = &g->slaves[j_];		\
			fprintf(out, "ns_monitor_" metric			\
				"{group=\"%u\",slave=\"%s\"" labels "} %lu\n", \
				g->num, s->name, (unsigned long)(expr)); \
		}							\
	}

void stats_write(FILE *out, const struct relay *r, const struct learn *l,
		 const struct netlink_overruns *o)
{
	const struct counters *c = &r->counters;

	counter(out, "nflog_messages_total",
		"NFLOG packet messages received.", c->nflog_messages);
	counter(out, "nflog_overruns_total",
		"Times the NFLOG socket overflowed (ENOBUFS).", c->nflog_overruns);
	counter(out, "nflog_lost_total",
		"NFLOG messages the kernel could not deliver (sequence gaps).",
		c->nflog_lost);
	header(out, "nflog_lost_pending", "gauge",
	       "Groups that lost NFLOG messages in an overrun not counted yet: the kernel tells how many only with the group's next message.");
	fprintf(out, "ns_monitor_nflog_lost_pending %lu\n", c->nflog_lost_pending);
	counter(out, "nflog_malformed_total",
		"NFLOG messages that could not be parsed.", c->nflog_malformed);
	counter(out, "nflog_foreign_total",
		"NFLOG messages for no group of ours or without a device.",
		c->ns_not_ours);

	header(out, "ns_valid_total", "counter",
	       "Valid Neighbor Solicitations received.");
	PER_GROUP(out, r, "ns_valid_total", "", g->counters.ns_valid);

	header(out, "ns_ignored_total", "counter",
	       "Logged packets ignored, by reason.");
	for (int v = 1; v < NS_VERDICT_MAX; v++)
		for (unsigned int i = 0; i < r->ngroups; i++)
			fprintf(out, "ns_monitor_ns_ignored_total{group=\"%u\",reason=\"%s\"} %lu\n",
				r->groups[i].num, ns_verdict_name((enum ns_verdict)v),
				r->groups[i].counters.ns_ignored[v]);
	PER_GROUP(out, r, "ns_ignored_total", ",reason=\"upstream\"",
		  g->counters.upstream_ignored);

	header(out, "upstream_ns_relayed_total", "counter",
	       "Neighbor Solicitations from the upstream probed for (--proxy-ndp).");
	PER_GROUP(out, r, "upstream_ns_relayed_total", "",
		  g->counters.upstream_relayed);

	header(out, "probes_suppressed_total", "counter",
	       "Probes not sent by policy, by reason.");
	PER_GROUP(out, r, "probes_suppressed_total", ",reason=\"holddown\"",
		  g->counters.suppressed_holddown);
	PER_GROUP(out, r, "probes_suppressed_total", ",reason=\"rate\"",
		  g->counters.suppressed_rate);
	PER_GROUP(out, r, "probes_suppressed_total", ",reason=\"dry_run\"",
		  g->counters.probes_dry_run);

	header(out, "probes_total", "counter", "Echo requests sent, per slave.");
	PER_SLAVE(out, r, "probes_total", "", s->probes_sent);
	header(out, "probe_failures_total", "counter",
	       "Echo requests the kernel refused, per slave.");
	PER_SLAVE(out, r, "probe_failures_total", "", s->probes_failed);
	header(out, "probes_not_sent_total", "counter",
	       "Echo requests not sent because the slave was down or missing.");
	PER_SLAVE(out, r, "probes_not_sent_total", ",reason=\"down\"", s->probes_down);
	PER_SLAVE(out, r, "probes_not_sent_total", ",reason=\"absent\"",
		  s->probes_absent);

	if (l) {
		counter(out, "learned_total", "Targets learned behind a slave.",
			l->c.learned);
		counter(out, "learned_moves_total", "Learned targets that moved.",
			l->c.moved);
		counter(out, "routes_added_total", "Host routes installed.",
			l->c.routes_added);
		counter(out, "routes_removed_total", "Host routes removed.",
			l->c.routes_removed);
		counter(out, "proxies_added_total", "Proxy NDP entries installed.",
			l->c.proxies_added);
		counter(out, "proxies_removed_total", "Proxy NDP entries removed.",
			l->c.proxies_removed);
		counter(out, "reprobes_total",
			"Learned targets asked again after their entry went.",
			l->c.reprobes);
		counter(out, "learn_table_full_total",
			"Targets not learned because the table was full.",
			l->c.table_full);
	}
	header(out, "netlink_overruns_total", "counter",
	       "Times a netlink event socket overflowed (state re-read).");
	fprintf(out, "ns_monitor_netlink_overruns_total{socket=\"rtnetlink\"} %lu\n",
		o ? o->rtnetlink : 0);
	fprintf(out, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} %lu\n",
		o ? o->nftables : 0);
}

int stats_write_file(const char *path, const struct relay *r,
		     const struct learn *l, const struct netlink_overruns *o)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	stats_write(f, r, l, o);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) == EOF)
		rc = -1;
	/* A reader sees the old file or the new one, never half of one. */
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
	}
	return rc;
}

void stats_log(const struct relay *r, const struct learn *l)
{
	const struct counters *c = &r->counters;

	log_info("nflog: messages %lu, overruns %lu, lost %lu, malformed %lu, foreign %lu",
		 c->nflog_messages, c->nflog_overruns, c->nflog_lost,
		 c->nflog_malformed, c->ns_not_ours);
	for (unsigned int i = 0; i < r->ngroups; i++) {
		const struct group *g = &r->groups[i];
		const struct group_counters *gc = &g->counters;
		unsigned long ignored = gc->upstream_ignored;

		for (int v = 0; v < NS_VERDICT_MAX; v++)
			ignored += gc->ns_ignored[v];
		log_info("group %u: NS valid %lu, ignored %lu; suppressed: hold-down %lu, rate %lu, dry-run %lu",
			 g->num, gc->ns_valid, ignored, gc->suppressed_holddown,
			 gc->suppressed_rate, gc->probes_dry_run);
		for (unsigned int j = 0; j < g->nslaves; j++) {
			const struct slave *s = &g->slaves[j];

			log_info("group %u: slave %s: probes sent %lu, failed %lu, not sent (down %lu, absent %lu)",
				 g->num, s->name, s->probes_sent, s->probes_failed,
				 s->probes_down, s->probes_absent);
		}
	}
	if (l && l->cfg && l->cfg->learn_routes)
		log_info("learned %lu, moved %lu; routes added %lu, removed %lu; proxies added %lu, removed %lu",
			 l->c.learned, l->c.moved, l->c.routes_added,
			 l->c.routes_removed, l->c.proxies_added,
			 l->c.proxies_removed);
}
