/* Counters out: the Prometheus text format and a log summary. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "engine.h"
#include "intake.h"
#include "learn.h"
#include "log.h"
#include "relay.h"
#include "rtnl.h"
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
		const __typeof__((r)->groups[0]) *g = &(r)->groups[i_]; \
		fprintf(out, "ns_monitor_" metric "{group=\"%u\"" labels "} %lu\n", \
			g->num, (unsigned long)(expr));			\
	}

void stats_escape_label(FILE *out, const char *value)
{
	/* The text format's three escapes; anything else is taken as is. */
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

/*
 * One sample per slave of every group; expr picks it from s. Slave names
 * come from nftables sets, so they are escaped: a name must not be able to
 * end its label and forge another sample.
 */
#define PER_SLAVE(out, r, metric, labels, expr)				\
	for (unsigned int i_ = 0; i_ < (r)->ngroups; i_++) {		\
		const __typeof__((r)->groups[0]) *g = &(r)->groups[i_]; \
		for (unsigned int j_ = 0; j_ < g->nslaves; j_++) {	\
			const struct relay_slave *s = &g->slaves[j_];		\
			fprintf(out, "ns_monitor_" metric			\
				"{group=\"%u\",slave=\"", g->num);		\
			stats_escape_label(out, s->name);		\
			fprintf(out, "\"" labels "} %lu\n",		\
				(unsigned long)(expr));			\
		}							\
	}

static const char *const set_names[STATS_SETS] = {
	[STATS_SET_MASTERS] = "masters",
	[STATS_SET_SLAVES] = "slaves",
};

static void gauge(FILE *out, const char *name, const char *help,
		  unsigned long v)
{
	header(out, name, "gauge", help);
	fprintf(out, "ns_monitor_%s %lu\n", name, v);
}

/* The resolution engine's counters (engine.h says what each one is). */
static void engine_stats(FILE *out, const struct engine_counters *e)
{
	counter(out, "resolutions_total",
		"Targets whose resolution started: every slave of the group asked.",
		e->ns);
	counter(out, "solicitations_absorbed_total",
		"Neighbor Solicitations for a target being resolved already: nothing more asked.",
		e->ns_free);
	counter(out, "targets_deferred_total",
		"Targets whose asks waited for the rate limit (--rate, --burst).",
		e->targets_deferred);
	counter(out, "targets_queued_total",
		"Targets that waited for room in flight (--max-inflight).",
		e->targets_queued);
	counter(out, "targets_refused_total",
		"Targets dropped because the queue was full (--max-queue).",
		e->targets_refused);
	counter(out, "engine_asks_total", "Asks sent, all slaves.", e->asks);
	counter(out, "confirms_total",
		"Echo requests out of the one slave where a target answered.",
		e->confirms);
	counter(out, "unanswered_total",
		"Resolutions that ended without an answer from any slave.",
		e->unanswered);
	header(out, "answers_total", "counter",
	       "Answers from a slave, by what was made of them.");
	fprintf(out, "ns_monitor_answers_total{kind=\"taken\"} %lu\n",
		(unsigned long)e->answers);
	fprintf(out, "ns_monitor_answers_total{kind=\"unasked\"} %lu\n",
		(unsigned long)e->answers_unasked);
	fprintf(out, "ns_monitor_answers_total{kind=\"duplicate\"} %lu\n",
		(unsigned long)e->answers_duplicate);
	counter(out, "learned_total", "Targets learned behind a slave.",
		e->learned);
	counter(out, "adopted_total",
		"Targets adopted at start from what the kernel knew (a route left by an earlier run, a usable neighbor entry on a slave), each asked again.",
		e->adopted);
	counter(out, "routes_restored_total",
		"Learned routes deleted from outside and added again.",
		e->routes_restored);
	counter(out, "routes_given_up_total",
		"Learned targets forgotten because their route kept being deleted from outside.",
		e->routes_given_up);
	counter(out, "learned_moves_total", "Learned targets that moved.",
		e->moved);
	counter(out, "forgotten_total", "Learned targets forgotten.",
		e->forgotten);
	counter(out, "reprobes_total",
		"Learned targets asked again (entry gone, or a claim to check).",
		e->keepalive_asks);
	counter(out, "reprobes_deferred_total",
		"Re-asks of learned targets put off by the keep-alive rate.",
		e->keepalive_deferred);
	counter(out, "claims_refused_total",
		"Answers behind a slave not routed there: an address of the host, one that answers on a master, or one that still answers where it was learned.",
		e->claims_refused + e->refused_local + e->refused_master);
	counter(out, "learn_table_full_total",
		"Targets answered but not routed: --max-learned reached.",
		e->learned_full);
	counter(out, "route_failures_total",
		"Routes the kernel refused to add or move.", e->route_failed);
	header(out, "held_packets_total", "counter",
	       "Packets held for a target being resolved (--queue), by how they went on: rerouted by the new route, or unchanged by the master; full: not held, --queue-max reached.");
	fprintf(out, "ns_monitor_held_packets_total{outcome=\"rerouted\"} %lu\n",
		(unsigned long)e->held_rerouted);
	fprintf(out, "ns_monitor_held_packets_total{outcome=\"unchanged\"} %lu\n",
		(unsigned long)e->held_unchanged);
	fprintf(out, "ns_monitor_held_packets_total{outcome=\"full\"} %lu\n",
		(unsigned long)e->held_full);
	gauge(out, "targets_in_flight", "Targets being resolved now.",
	      e->inflight);
	gauge(out, "targets_waiting", "Targets queued for room in flight.",
	      e->queued);
	gauge(out, "targets_learned", "Targets routed behind a slave now.",
	      e->learned_now);
	gauge(out, "engine_records", "Targets the engine holds state for.",
	      e->records);
}

/* The NFLOG intake's counters. */
static void intake_stats(FILE *out, const struct intake *in)
{
	const struct intake_counters *c = &in->c;

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

	header(out, "solicitations_valid_total", "counter",
	       "Valid Neighbor Solicitations received.");
	PER_GROUP(out, in, "solicitations_valid_total", "", g->ns_valid);

	header(out, "solicitations_ignored_total", "counter",
	       "Logged packets ignored, by reason.");
	for (int v = 1; v < NS_VERDICT_MAX; v++)
		for (unsigned int i = 0; i < in->ngroups; i++)
			fprintf(out, "ns_monitor_solicitations_ignored_total{group=\"%u\",reason=\"%s\"} %lu\n",
				in->groups[i].num, ns_verdict_name((enum ns_verdict)v),
				in->groups[i].ns_ignored[v]);
	PER_GROUP(out, in, "solicitations_ignored_total", ",reason=\"upstream\"",
		  g->upstream_ignored);

	header(out, "upstream_solicitations_relayed_total", "counter",
	       "Neighbor Solicitations from the upstream handed to the engine (--proxy-ndp).");
	PER_GROUP(out, in, "upstream_solicitations_relayed_total", "", g->upstream_relayed);

	header(out, "guest_signs_total", "counter",
	       "A new guest's signs logged on a slave (its DAD NS, or a packet from its address), by whether they were one.");
	PER_GROUP(out, in, "guest_signs_total", ",kind=\"taken\"", g->guest_signs);
	PER_GROUP(out, in, "guest_signs_total", ",kind=\"ignored\"",
		  g->guest_ignored);
}

static void answer_stats(FILE *out, const struct answer_counters *a)
{
	header(out, "answer_packets_total", "counter",
	       "Packets read on the answer socket, by kind: echo replies to our echo requests, solicited NAs, and NAs dropped as malformed or unsolicited.");
	fprintf(out, "ns_monitor_answer_packets_total{kind=\"echo_reply\"} %lu\n",
		(unsigned long)a->echo_replies);
	fprintf(out, "ns_monitor_answer_packets_total{kind=\"na\"} %lu\n",
		(unsigned long)a->nas);
	fprintf(out, "ns_monitor_answer_packets_total{kind=\"malformed\"} %lu\n",
		(unsigned long)a->malformed);
	fprintf(out, "ns_monitor_answer_packets_total{kind=\"unsolicited\"} %lu\n",
		(unsigned long)a->unsolicited);
}

/* The relay's counters: per group and per slave. */
static void relay_stats(FILE *out, const struct relay *r)
{
	header(out, "probes_suppressed_total", "counter",
	       "Asks not sent by policy, by reason.");
	PER_GROUP(out, r, "probes_suppressed_total", ",reason=\"dry_run\"",
		  g->counters.probes_dry_run);

	header(out, "asks_total", "counter",
	       "Neighbor Solicitations of our own sent, per slave.");
	PER_SLAVE(out, r, "asks_total", "", s->asks_sent);
	header(out, "probes_total", "counter",
	       "Echo requests sent, per slave: asks where a slave cannot take our own NS, and confirmations where a target answered.");
	PER_SLAVE(out, r, "probes_total", "", s->probes_sent);
	header(out, "probe_failures_total", "counter",
	       "Asks and echo requests the kernel refused, per slave.");
	PER_SLAVE(out, r, "probe_failures_total", "", s->probes_failed);
	header(out, "probes_firewalled_total", "counter",
	       "Echo requests the host's firewall dropped in its output chain (EPERM), per slave; also in probe_failures_total.");
	PER_SLAVE(out, r, "probes_firewalled_total", "", s->probes_firewalled);
	header(out, "probes_not_sent_total", "counter",
	       "Asks not sent because the slave was down or missing.");
	PER_SLAVE(out, r, "probes_not_sent_total", ",reason=\"down\"", s->probes_down);
	PER_SLAVE(out, r, "probes_not_sent_total", ",reason=\"absent\"",
		  s->probes_absent);

	header(out, "slaves", "gauge",
	       "Slave interfaces of the group now, by state: ready to be asked, or waiting (missing, down, or not set up yet).");
	PER_GROUP(out, r, "slaves", ",state=\"ready\"", relay_slaves_ready(g));
	PER_GROUP(out, r, "slaves", ",state=\"waiting\"",
		  g->nslaves - relay_slaves_ready(g));
	header(out, "masters", "gauge",
	       "Master interfaces of the group now (present or not).");
	PER_GROUP(out, r, "masters", "", g->nmasters);

	header(out, "set_members_ignored", "gauge",
	       "Members of masters_G and slaves_G not used: not interface names or patterns (reason over_limit stays 0: the sets have no size limit any more).");
	for (unsigned int i = 0; i < r->ngroups; i++)
		for (int s = 0; s < STATS_SETS; s++) {
			const struct group_counters *gc = &r->groups[i].counters;

			fprintf(out, "ns_monitor_set_members_ignored{group=\"%u\",set=\"%s\",reason=\"invalid\"} %lu\n",
				r->groups[i].num, set_names[s], gc->set_invalid[s]);
			fprintf(out, "ns_monitor_set_members_ignored{group=\"%u\",set=\"%s\",reason=\"over_limit\"} %lu\n",
				r->groups[i].num, set_names[s], gc->set_unused[s]);
		}
	header(out, "set_wrong_type", "gauge",
	       "1 if masters_G or slaves_G is not of type ifname: nothing in it is used.");
	for (unsigned int i = 0; i < r->ngroups; i++)
		for (int s = 0; s < STATS_SETS; s++)
			fprintf(out, "ns_monitor_set_wrong_type{group=\"%u\",set=\"%s\"} %lu\n",
				r->groups[i].num, set_names[s],
				r->groups[i].counters.set_wrong_type[s]);
}

void stats_write(FILE *out, const struct stats_sources *src)
{
	const struct learn *l = src->learn;
	const struct netlink_overruns *o = src->overruns;

	if (src->intake)
		intake_stats(out, src->intake);
	if (src->relay)
		relay_stats(out, src->relay);
	if (src->answers)
		answer_stats(out, src->answers);
	if (src->engine)
		engine_stats(out, src->engine);
	if (l) {
		counter(out, "routes_added_total", "Host routes installed.",
			l->c.routes_added);
		counter(out, "routes_removed_total", "Host routes removed.",
			l->c.routes_removed);
		counter(out, "proxies_added_total", "Proxy NDP entries installed.",
			l->c.proxies_added);
		counter(out, "proxies_removed_total", "Proxy NDP entries removed.",
			l->c.proxies_removed);
	}
	if (src->neigh_table) {
		gauge(out, "neighbor_table_entries",
		      "IPv6 neighbor entries in use, all network namespaces of the machine together.",
		      src->neigh_table->entries);
		gauge(out, "neighbor_table_gc_thresh2",
		      "Above this many IPv6 neighbor entries the kernel collects them after 5 s (net.ipv6.neigh.default.gc_thresh2).",
		      src->neigh_table->thresh2);
		gauge(out, "neighbor_table_gc_thresh3",
		      "The most IPv6 neighbor entries the kernel holds: new ones fail beyond (net.ipv6.neigh.default.gc_thresh3).",
		      src->neigh_table->thresh3);
	}
	header(out, "netlink_overruns_total", "counter",
	       "Times a netlink event socket overflowed (state re-read).");
	fprintf(out, "ns_monitor_netlink_overruns_total{socket=\"rtnetlink\"} %lu\n",
		o ? o->rtnetlink : 0);
	fprintf(out, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} %lu\n",
		o ? o->nftables : 0);
}

#define STATS_LINK_HOPS 8	/* links followed with --stats-follow-link */
#define STATS_TMP_TRIES 64

/*
 * Where the file is written: PATH itself, or with follow_link where its
 * links lead. A link at PATH without follow_link is ELOOP. A PATH that does
 * not exist yet is fine: the first write makes it.
 */
static int stats_resolve(const char *path, bool follow_link, char *out,
			 size_t size)
{
	char cur[PATH_MAX], target[PATH_MAX];
	struct stat st;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int hop = 0;; hop++) {
		const char *slash;
		ssize_t n;

		if (lstat(cur, &st) == -1) {
			if (errno != ENOENT)
				return -1;
			break;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (!follow_link || hop == STATS_LINK_HOPS) {
			errno = ELOOP;
			return -1;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n == -1)
			return -1;
		target[n] = '\0';
		slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash) {
			memcpy(cur, target, (size_t)n + 1);
		} else {
			/* Relative: from the link's own directory. */
			size_t dirlen = (size_t)(slash - cur) + 1;

			if (dirlen + (size_t)n >= sizeof(cur)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(cur + dirlen, target, (size_t)n + 1);
		}
	}
	if (snprintf(out, size, "%s", cur) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int stats_check_path(const char *path, bool follow_link, char *err,
		     size_t errlen)
{
	char real[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || path[len - 1] == '/') {
		snprintf(err, errlen, "stats file '%s' names a directory, not a file",
			 path);
		return -1;
	}
	if (stats_resolve(path, follow_link, real, sizeof(real)) == 0)
		return 0;
	if (errno == ELOOP && !follow_link)
		snprintf(err, errlen,
			 "stats file %s is a symbolic link: give the file's real path, or --stats-follow-link if the link and its directory are trusted",
			 path);
	else if (errno == ELOOP || errno == ENAMETOOLONG)
		snprintf(err, errlen, "stats file %s: %s", path, strerror(errno));
	else
		return 0;	/* not ours to judge here: the writes will say */
	return -1;
}

/* A name nobody can guess in time: ".BASE.XXXXXXXXXX", not *.prom. */
static int tmp_name(char *buf, size_t size, const char *base)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[10];
	char suffix[sizeof(rnd) + 1];

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* No entropy yet at early boot: O_EXCL still keeps it safe. */
		struct timespec ts;
		unsigned long x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
		for (size_t i = 0; i < sizeof(rnd); i++, x = x * 6364136223846793005ul + 1)
			rnd[i] = (unsigned char)(x >> 33);
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
	suffix[sizeof(rnd)] = '\0';
	if (snprintf(buf, size, ".%s.%s", base, suffix) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Write into a new file of our own beside PATH, then rename it over PATH. */
static int write_beside(const char *path, const struct stats_sources *src)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dfd, fd = -1, rc = -1, saved;
	FILE *f;

	if (*base == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* Every step relative to one directory: it cannot be swapped midway. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return -1;
	for (int i = 0; i < STATS_TMP_TRIES && fd == -1; i++) {
		if (tmp_name(tmp, sizeof(tmp), base) == -1)
			goto out;
		/* O_EXCL|O_NOFOLLOW: never a file or a link someone put there. */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			goto out;
	}
	if (fd == -1)
		goto out;
	/* node_exporter reads it as another user, whatever our umask. */
	f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		saved = errno;
		close(fd);
		errno = saved;
		goto out_unlink;
	}
	stats_write(f, src);
	rc = fflush(f) == EOF || ferror(f) ? -1 : 0;
	if (rc == 0 && fsync(fileno(f)) == -1)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	/* A reader sees the old file or the new one, never half of one. */
	if (rc == 0 && renameat(dfd, tmp, dfd, base) == 0)
		goto out;
	rc = -1;
out_unlink:
	saved = errno;
	unlinkat(dfd, tmp, 0);
	errno = saved;
out:
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

int stats_write_file(const char *path, bool follow_link,
		     const struct stats_sources *src)
{
	char real[PATH_MAX];

	/* Checked at every write: a link may be planted at any time. */
	if (stats_resolve(path, follow_link, real, sizeof(real)) == -1)
		return -1;
	return write_beside(real, src);
}

void stats_log(const struct stats_sources *src)
{
	const struct intake *in = src->intake;
	const struct relay *r = src->relay;
	const struct learn *l = src->learn;
	const struct engine_counters *e = src->engine;

	if (in) {
		const struct intake_counters *c = &in->c;

		log_info("nflog: messages %lu, overruns %lu, lost %lu, malformed %lu, foreign %lu",
			 c->nflog_messages, c->nflog_overruns, c->nflog_lost,
			 c->nflog_malformed, c->ns_not_ours);
		for (unsigned int i = 0; i < in->ngroups; i++) {
			const struct intake_group *g = &in->groups[i];
			unsigned long ignored = g->upstream_ignored;

			for (int v = 0; v < NS_VERDICT_MAX; v++)
				ignored += g->ns_ignored[v];
			log_info("group %u: NS valid %lu, ignored %lu",
				 g->num, g->ns_valid, ignored);
		}
	}
	for (unsigned int i = 0; r && i < r->ngroups; i++) {
		const struct relay_group *g = &r->groups[i];

		if (g->counters.probes_dry_run)
			log_info("group %u: dry run, asks not sent %lu", g->num,
				 g->counters.probes_dry_run);
		for (unsigned int j = 0; j < g->nslaves; j++) {
			const struct relay_slave *s = &g->slaves[j];

			log_info("group %u: slave %s: asks sent %lu, probes sent %lu, failed %lu, not sent (down %lu, absent %lu)",
				 g->num, s->name, s->asks_sent, s->probes_sent,
				 s->probes_failed, s->probes_down, s->probes_absent);
		}
	}
	if (e) {
		log_info("targets: resolved %lu, NS absorbed %lu, deferred %lu, queued %lu, refused %lu, unanswered %lu; asks %lu, confirms %lu; in flight %lu",
			 (unsigned long)e->ns, (unsigned long)e->ns_free,
			 (unsigned long)e->targets_deferred,
			 (unsigned long)e->targets_queued,
			 (unsigned long)e->targets_refused,
			 (unsigned long)e->unanswered, (unsigned long)e->asks,
			 (unsigned long)e->confirms, (unsigned long)e->inflight);
		if (l && l->cfg && l->cfg->learn_routes)
			log_info("learned %lu, moved %lu, forgotten %lu; routes added %lu, removed %lu; proxies added %lu, removed %lu; claims refused %lu; re-asked %lu (deferred %lu)",
				 (unsigned long)e->learned, (unsigned long)e->moved,
				 (unsigned long)e->forgotten, l->c.routes_added,
				 l->c.routes_removed, l->c.proxies_added,
				 l->c.proxies_removed,
				 (unsigned long)(e->claims_refused + e->refused_local +
						 e->refused_master),
				 (unsigned long)e->keepalive_asks,
				 (unsigned long)e->keepalive_deferred);
	}
}
