/*
 * Unit tests for stats_write() and stats_write_file(): the Prometheus text
 * format, on a relay and a learn table filled in by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>	/* its struct group and slaves.h's names must not clash */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answer.h"
#include "control.h"
#include "engine.h"
#include "intake.h"
#include "learn.h"
#include "metrics.h"
#include "netmon.h"
#include "nftwatch.h"
#include "slaves.h"
#include "rtnl.h"
#include "stats.h"

#define MAX_METRICS 96
#define NAME_LEN 128

/* The two event sockets, with only what is exported from them set. */
struct overruns {
	struct netmon netmon;
	struct nftwatch nftwatch;
};

struct fixture {
	struct intake in;
	struct intake_group ig[2];
	struct answer_counters a;
	struct slaves *r;
	struct learn *l;
	struct engine_counters e;
	struct overruns o;
	struct control control;
	struct config cfg;		/* the control plane's groups */
	uint16_t groups[2];
	struct group_state gs[2];
	char dir[64];
};

/* The engine's counters, exported along with the learn table's. */
static const struct engine_counters *engine_c;
/* The intake and answer counters every write takes. */
static const struct intake *the_intake;
static const struct answer_counters *the_answers;
/* The neighbor table as the daemon read it for a write; NULL: unread. */
static const struct rtnl_neigh_table *the_ntable;
/* The control plane, for its restores. */
static const struct control *the_control;

static struct stats_sources sources(const struct slaves *r,
				    const struct learn *l,
				    const struct engine_counters *e,
				    const struct overruns *o)
{
	return (struct stats_sources){
		.slaves = r, .intake = the_intake, .learn = l, .engine = e,
		.answers = the_answers,
		.netmon = o ? &o->netmon : NULL,
		.nftwatch = o ? &o->nftwatch : NULL,
		.control = the_control,
		.neigh_table = the_ntable,
	};
}

static int write_file(const char *path, bool follow_link,
		      const struct slaves *r, const struct learn *l,
		      const struct engine_counters *e,
		      const struct overruns *o)
{
	struct stats_sources src = sources(r, l, e, o);

	return stats_write_file(path, follow_link, &src);
}

static void set_slave(struct slaves_group *g, const char *name, unsigned long sent,
		      unsigned long failed, unsigned long absent)
{
	struct slave *s;

	g->slaves = realloc(g->slaves, (g->nslaves + 1) * sizeof(*g->slaves));
	assert_non_null(g->slaves);
	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	g->slaves[g->nslaves++] = s;

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->fd = -1;
	s->probes_sent = sent;
	s->probes_failed = failed;
	s->probes_absent = absent;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct slaves_group *g;

	if (!f)
		return -1;
	f->r = calloc(1, sizeof(*f->r));
	f->l = calloc(1, sizeof(*f->l));
	if (!f->r || !f->l)
		return -1;
	f->r->groups = calloc(2, sizeof(*f->r->groups));
	if (!f->r->groups)
		return -1;

	f->in.groups = f->ig;
	f->in.ngroups = 2;
	f->in.c.nflog_messages = 42;
	f->in.c.nflog_malformed = 2;
	f->in.c.nflog_overruns = 1;
	f->in.c.nflog_lost = 17;
	f->in.c.ns_not_ours = 4;
	f->ig[0].num = 135;
	f->ig[0].ns_valid = 40;
	f->ig[0].ns_ignored[NS_HOP_LIMIT] = 5;
	f->ig[0].ns_ignored[NS_TARGET_LINKLOCAL] = 9;
	f->ig[0].upstream_relayed = 6;
	f->ig[0].upstream_ignored = 8;
	f->ig[1].num = 7;
	f->ig[1].ns_valid = 1;
	f->a.nas = 3;
	f->a.unsolicited = 2;
	the_intake = &f->in;
	the_answers = &f->a;

	g = &f->r->groups[f->r->ngroups++];
	g->num = 135;
	g->counters.probes_dry_run = 0;
	set_slave(g, "eth1", 7, 1, 0);
	set_slave(g, "veth-a.10", 13, 0, 12);

	g = &f->r->groups[f->r->ngroups++];
	g->num = 7;
	g->counters.probes_dry_run = 99;
	set_slave(g, "wg0", 4294967295ul, 0, 0);

	f->e.learned = 21;
	f->e.moved = 2;
	f->l->c.routes_added = 23;
	f->l->c.routes_removed = 19;
	f->l->c.proxies_added = 31;
	f->l->c.proxies_removed = 29;
	f->e.keepalive_asks = 37;
	f->e.keepalive_deferred = 38;
	f->e.refused[ENGINE_REFUSAL_OCCUPIED] = 30;
	f->e.refused[ENGINE_REFUSAL_LOCAL] = 4;
	f->e.refused[ENGINE_REFUSAL_MASTER] = 5;
	f->e.learned_full = 1;
	f->e.inflight = 12;

	engine_c = &f->e;
	f->o.netmon.overruns = 2;
	f->o.nftwatch.overruns = 3;
	f->control.restores = 4;
	f->groups[0] = 135;
	f->groups[1] = 7;
	f->cfg.groups = f->groups;
	f->cfg.ngroups = 2;
	f->control.cfg = &f->cfg;
	f->control.groups = f->gs;
	the_control = &f->control;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->dir[0]) {
		DIR *d = opendir(f->dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char p[512];

			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
				unlink(p);
			}
		}
		if (d)
			closedir(d);
		rmdir(f->dir);
	}
	/* What the next test without a fixture must not read. */
	the_intake = NULL;
	the_answers = NULL;
	the_ntable = NULL;
	the_control = NULL;
	engine_c = NULL;
	for (unsigned int i = 0; i < f->r->ngroups; i++) {
		for (unsigned int j = 0; j < f->r->groups[i].nslaves; j++)
			free(f->r->groups[i].slaves[j]);
		free(f->r->groups[i].slaves);
	}
	free(f->r->groups);
	free(f->r);
	free(f->l);
	free(f);
	return 0;
}

/* stats_write() into a string (to free). */
static char *write_string(const struct slaves *r, const struct learn *l,
			  const struct overruns *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	{
		struct stats_sources src = sources(r, l, l ? engine_c : NULL, o);

		stats_write(out, &src);
	}
	assert_int_equal(fclose(out), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* The whole of line in text. */
static int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; *p; p++) {
		if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	return 0;
}

static void expect_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line '%s' in:\n%s", line, text);
}

struct metric {
	char name[NAME_LEN];
	int help, type, samples;
	int closed;	/* another metric came after it */
};

static struct metric *find_metric(struct metric *m, int *n, const char *name,
				  size_t len)
{
	for (int i = 0; i < *n; i++)
		if (strlen(m[i].name) == len && !strncmp(m[i].name, name, len))
			return &m[i];
	assert_true(*n < MAX_METRICS);
	assert_true(len < NAME_LEN);
	memset(&m[*n], 0, sizeof(m[*n]));
	memcpy(m[*n].name, name, len);
	return &m[(*n)++];
}

/*
 * Every line is a HELP, a TYPE or a sample of the text format; each metric
 * has one HELP and one TYPE before its samples, all in one block; no sample
 * is given twice. Returns how many samples there were.
 */
/* A label value: no bare quote, backslash or newline; escapes of those. */
#define LABEL_RE "([^\"\\\\\n]|\\\\[\\\\\"n])*"

static int check_format(const char *text)
{
	static const char sample_re[] =
		"^ns_monitor_[a-z0-9_]+"
		"(\\{[a-z_]+=\"" LABEL_RE "\"(,[a-z_]+=\"" LABEL_RE "\")*\\})?"
		" [0-9]+$";
	static const char comment_re[] =
		"^# (HELP ns_monitor_[a-z0-9_]+ [^\n]+|TYPE ns_monitor_[a-z0-9_]+ (counter|gauge))$";
	struct metric m[MAX_METRICS];
	struct metric *cur = NULL;
	regex_t sample, comment;
	char *copy = strdup(text), *save = NULL;
	char **seen = NULL;
	int n = 0, nsamples = 0;

	assert_non_null(copy);
	assert_int_equal(regcomp(&sample, sample_re, REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&comment, comment_re, REG_EXTENDED | REG_NOSUB), 0);
	assert_true(text[0] != '\0');
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_null(strstr(text, "\n\n"));

	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct metric *mt;
		const char *name;
		size_t len;

		if (line[0] == '#') {
			if (regexec(&comment, line, 0, NULL, 0) != 0)
				fail_msg("bad comment line '%s'", line);
			name = line + 7;	/* "# HELP " / "# TYPE " */
			len = strcspn(name, " ");
		} else {
			if (regexec(&sample, line, 0, NULL, 0) != 0)
				fail_msg("bad sample line '%s'", line);
			name = line;
			len = strcspn(name, "{ ");
		}
		mt = find_metric(m, &n, name, len);
		if (mt != cur) {
			if (cur)
				cur->closed = 1;
			if (mt->closed)
				fail_msg("metric %s comes back at '%s'", mt->name, line);
			cur = mt;
		}
		if (!strncmp(line, "# HELP ", 7)) {
			if (mt->help++ || mt->type || mt->samples)
				fail_msg("HELP of %s twice or late", mt->name);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			if (mt->type++ || mt->samples)
				fail_msg("TYPE of %s twice or late", mt->name);
		} else {
			/* Up to the value: a label value may hold a space. */
			size_t key = (size_t)(strrchr(line, ' ') - line);

			if (!mt->help || !mt->type)
				fail_msg("sample '%s' before HELP and TYPE", line);
			mt->samples++;
			for (int i = 0; i < nsamples; i++)
				if (!strncmp(seen[i], line, key) &&
				    seen[i][key] == ' ')
					fail_msg("sample '%s' twice", line);
			seen = realloc(seen, (size_t)(nsamples + 1) * sizeof(*seen));
			assert_non_null(seen);
			seen[nsamples++] = line;
		}
	}
	for (int i = 0; i < n; i++)
		if (m[i].help != 1 || m[i].type != 1)
			fail_msg("metric %s: %d HELP, %d TYPE", m[i].name,
				 m[i].help, m[i].type);
	free(seen);
	regfree(&sample);
	regfree(&comment);
	free(copy);
	return nsamples;
}

static void test_format(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, &f->o);

	assert_true(check_format(text) > 20);
	free(text);
}

static void test_values(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, &f->o);

	expect_line(text, "# TYPE ns_monitor_nflog_messages_total counter");
	expect_line(text, "ns_monitor_nflog_messages_total 42");
	expect_line(text, "ns_monitor_nflog_overruns_total 1");
	expect_line(text, "ns_monitor_nflog_lost_total 17");
	expect_line(text, "ns_monitor_nflog_malformed_total 2");
	expect_line(text, "ns_monitor_nflog_foreign_total 4");

	expect_line(text, "ns_monitor_solicitations_valid_total{group=\"135\"} 40");
	expect_line(text, "ns_monitor_solicitations_valid_total{group=\"7\"} 1");
	expect_line(text, "ns_monitor_solicitations_ignored_total{group=\"135\",reason=\"hop_limit\"} 5");
	expect_line(text, "ns_monitor_solicitations_ignored_total{group=\"135\",reason=\"target_link_local\"} 9");
	expect_line(text, "ns_monitor_solicitations_ignored_total{group=\"135\",reason=\"short\"} 0");
	expect_line(text, "ns_monitor_solicitations_ignored_total{group=\"7\",reason=\"hop_limit\"} 0");
	expect_line(text, "ns_monitor_solicitations_ignored_total{group=\"135\",reason=\"upstream\"} 8");
	/* NS_OK is not a reason to ignore anything. */
	assert_null(strstr(text, "reason=\"ok\""));
	assert_null(strstr(text, "reason=\"unknown\""));
	expect_line(text, "ns_monitor_upstream_solicitations_relayed_total{group=\"135\"} 6");

	expect_line(text, "ns_monitor_targets_in_flight 12");
	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"135\",reason=\"dry_run\"} 0");
	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"7\",reason=\"dry_run\"} 99");

	expect_line(text, "ns_monitor_probes_total{group=\"135\",slave=\"eth1\"} 7");
	expect_line(text, "ns_monitor_probes_total{group=\"135\",slave=\"veth-a.10\"} 13");
	expect_line(text, "ns_monitor_probes_total{group=\"7\",slave=\"wg0\"} 4294967295");
	expect_line(text, "ns_monitor_probe_failures_total{group=\"135\",slave=\"eth1\"} 1");
	expect_line(text, "ns_monitor_probe_failures_total{group=\"135\",slave=\"veth-a.10\"} 0");
	expect_line(text, "ns_monitor_probes_not_sent_total{group=\"135\",slave=\"eth1\",reason=\"down\"} 0");
	expect_line(text, "ns_monitor_probes_not_sent_total{group=\"135\",slave=\"veth-a.10\",reason=\"absent\"} 12");

	expect_line(text, "ns_monitor_learned_total 21");
	expect_line(text, "ns_monitor_learned_moves_total 2");
	expect_line(text, "ns_monitor_routes_added_total 23");
	expect_line(text, "ns_monitor_routes_removed_total 19");
	expect_line(text, "ns_monitor_proxies_added_total 31");
	expect_line(text, "ns_monitor_proxies_removed_total 29");
	expect_line(text, "ns_monitor_reprobes_total 37");
	expect_line(text, "ns_monitor_reprobes_deferred_total 38");
	expect_line(text, "ns_monitor_claims_refused_total{reason=\"occupied\"} 30");
	expect_line(text, "ns_monitor_claims_refused_total{reason=\"local\"} 4");
	expect_line(text, "ns_monitor_claims_refused_total{reason=\"master\"} 5");
	expect_line(text, "ns_monitor_learn_table_full_total 1");

	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"rtnetlink\"} 2");
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} 3");
	free(text);
}

static void test_every_slave_and_group(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, &f->o);
	static const char *const per_slave[] = {
		"probes_total", "probe_failures_total", "probes_firewalled_total",
	};
	static const char *const names[] = { "eth1", "veth-a.10", "wg0" };
	static const unsigned int groups[] = { 135, 135, 7 };
	char line[256];
	int count = 0;

	/* One sample per slave of every group, nothing for slaves not there. */
	for (size_t i = 0; i < sizeof(per_slave) / sizeof(per_slave[0]); i++)
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			snprintf(line, sizeof(line),
				 "ns_monitor_%s{group=\"%u\",slave=\"%s\"} ",
				 per_slave[i], groups[j], names[j]);
			assert_non_null(strstr(text, line));
		}
	for (const char *p = text; (p = strstr(p, "\nns_monitor_probes_total{")); p++)
		count++;
	assert_int_equal(count, 3);
	assert_null(strstr(text, "slave=\"\""));
	/* Every verdict but NS_OK, for each group, plus "upstream". */
	count = 0;
	for (const char *p = text; (p = strstr(p, "\nns_monitor_solicitations_ignored_total{")); p++)
		count++;
	assert_int_equal(count, 2 * (NS_VERDICT_MAX - 1) + 2);
	free(text);
}

static void test_without_learn(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, NULL, &f->o);

	check_format(text);
	assert_null(strstr(text, "ns_monitor_learned"));
	assert_null(strstr(text, "ns_monitor_learn_"));
	assert_null(strstr(text, "ns_monitor_routes_"));
	assert_null(strstr(text, "ns_monitor_proxies_"));
	assert_null(strstr(text, "ns_monitor_reprobes"));
	/* The rest is still there. */
	expect_line(text, "ns_monitor_nflog_messages_total 42");
	expect_line(text, "ns_monitor_probes_total{group=\"135\",slave=\"eth1\"} 7");
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} 3");
	free(text);
}

/* Without the event sockets, their family is left out, not made up. */
static void test_without_overruns(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, NULL);

	check_format(text);
	assert_null(strstr(text, "netlink_overruns_total"));
	free(text);
}

/* Two parts' samples of one family: one HELP, one TYPE, both samples. */
static void test_family_shared_by_two_parts(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, &f->o);
	const char *help = "# HELP ns_monitor_netlink_overruns_total ";

	check_format(text);
	assert_non_null(strstr(text, help));
	assert_null(strstr(strstr(text, help) + 1, help));
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"rtnetlink\"} 2");
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} 3");
	/* And what the control plane counted, exported now. */
	expect_line(text, "ns_monitor_rules_restored_total 4");
	free(text);
}

static void test_empty_relay(void **state)
{
	struct slaves *r = calloc(1, sizeof(*r));
	char *text;

	(void)state;
	assert_non_null(r);
	/* No groups: headers for the per-group metrics, no samples. */
	{
		static struct intake empty;

		the_intake = &empty;
		the_answers = NULL;
	}
	text = write_string(r, NULL, NULL);
	check_format(text);
	expect_line(text, "ns_monitor_nflog_messages_total 0");
	expect_line(text, "# TYPE ns_monitor_probes_total counter");
	assert_null(strstr(text, "{group="));
	free(text);
	free(r);
}

static void test_large_values(void **state)
{
	struct fixture *f = *state;
	char *text;

	f->in.c.nflog_messages = (unsigned long)-1;
	f->ig[0].ns_ignored[NS_VERDICT_MAX - 1] = (unsigned long)-1;
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	if (sizeof(unsigned long) == 8)
		expect_line(text, "ns_monitor_nflog_messages_total 18446744073709551615");
	free(text);
}

/* The contents of path (to free). */
static char *read_all(const char *path)
{
	FILE *in = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(in);
	assert_int_equal(fseek(in, 0, SEEK_END), 0);
	len = ftell(in);
	assert_true(len >= 0);
	rewind(in);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, in), (size_t)len);
	buf[len] = '\0';
	fclose(in);
	return buf;
}

/* Names in dir besides . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void make_dir(struct fixture *f)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/test_stats.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
}

static void test_write_file(void **state)
{
	struct fixture *f = *state;
	char path[128], tmp[160];
	char *want, *got;
	struct stat st;
	FILE *stale;

	make_dir(f);
	snprintf(path, sizeof(path), "%s/ns-monitor.prom", f->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), 0);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dir_entries(f->dir), 1);

	/* Again, with new values: replaced, not appended to. */
	f->in.c.nflog_messages = 43;
	assert_int_equal(write_file(path, false, f->r, NULL, NULL, NULL), 0);
	want = write_string(f->r, NULL, NULL);
	got = read_all(path);
	assert_string_equal(got, want);
	expect_line(got, "ns_monitor_nflog_messages_total 43");
	assert_false(has_line(got, "ns_monitor_nflog_messages_total 42"));
	free(got);
	free(want);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(dir_entries(f->dir), 1);

	/*
	 * A PATH.tmp left by an older version is not ours to use: it is
	 * neither written through nor removed.
	 */
	stale = fopen(tmp, "w");
	assert_non_null(stale);
	fputs("garbage\n", stale);
	assert_int_equal(fclose(stale), 0);
	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), 0);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = read_all(tmp);
	assert_string_equal(got, "garbage\n");
	free(got);
	assert_int_equal(dir_entries(f->dir), 2);
}

/* A victim file beside the stats file, with known contents. */
static void make_victim(const char *path)
{
	FILE *v = fopen(path, "w");

	assert_non_null(v);
	fputs("precious\n", v);
	assert_int_equal(fclose(v), 0);
}

static void expect_victim(const char *path)
{
	char *got = read_all(path);

	assert_string_equal(got, "precious\n");
	free(got);
}

/* A link planted at the name the old code used is not written through. */
static void test_write_file_tmp_link(void **state)
{
	struct fixture *f = *state;
	char path[128], tmp[160], victim[128];
	char *want, *got;

	make_dir(f);
	snprintf(path, sizeof(path), "%s/ns-monitor.prom", f->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	make_victim(victim);
	assert_int_equal(symlink(victim, tmp), 0);

	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), 0);
	expect_victim(victim);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(dir_entries(f->dir), 3);	/* path, link, victim */
}

/* PATH itself a link: refused, unless follow_link; then the target. */
static void test_write_file_path_link(void **state)
{
	struct fixture *f = *state;
	char path[128], victim[128], err[256], buf[128];
	char *want, *got;
	ssize_t n;

	make_dir(f);
	snprintf(path, sizeof(path), "%s/ns-monitor.prom", f->dir);
	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	make_victim(victim);
	assert_int_equal(symlink(victim, path), 0);

	err[0] = '\0';
	assert_int_equal(stats_check_path(path, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a symbolic link"));
	assert_non_null(strstr(err, "--stats-follow-link"));
	errno = 0;
	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), -1);
	assert_int_equal(errno, ELOOP);
	expect_victim(victim);
	assert_int_equal(dir_entries(f->dir), 2);	/* nothing left behind */

	/* Told to follow: the target is replaced, the link stays. */
	assert_int_equal(stats_check_path(path, true, err, sizeof(err)), 0);
	assert_int_equal(write_file(path, true, f->r, f->l, engine_c, &f->o), 0);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(victim);
	assert_string_equal(got, want);
	free(got);
	n = readlink(path, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, victim);
	assert_int_equal(dir_entries(f->dir), 2);

	/* A relative link that leads nowhere yet: the file is made there. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(symlink("real.prom", path), 0);
	assert_int_equal(write_file(path, true, f->r, f->l, engine_c, &f->o), 0);
	snprintf(victim, sizeof(victim), "%s/real.prom", f->dir);
	got = read_all(victim);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(dir_entries(f->dir), 2);

	/* A loop of links. */
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(symlink("ns-monitor.prom", victim), 0);
	errno = 0;
	assert_int_equal(write_file(path, true, f->r, f->l, engine_c, &f->o), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(stats_check_path(path, true, err, sizeof(err)), -1);
	assert_int_equal(dir_entries(f->dir), 2);
}

static void test_check_path(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(stats_check_path("/nonexistent-dir/x.prom", false, err,
					  sizeof(err)), 0);
	assert_int_equal(stats_check_path("/tmp/", false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "directory"));
}

/* node_exporter reads the file as another user: 0644 under umask 077. */
static void test_write_file_mode(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct stat st;
	mode_t old = umask(077);

	make_dir(f);
	snprintf(path, sizeof(path), "%s/ns-monitor.prom", f->dir);
	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

/* What the sets hold that is not used: gauges per group and set. */
static void test_set_gauges(void **state)
{
	struct fixture *f = *state;
	struct set_report *sets = f->gs[0].sets;
	char *text;

	sets[STATS_SET_SLAVES].invalid = 2;
	sets[STATS_SET_MASTERS].wrong_type = true;
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	expect_line(text, "# TYPE ns_monitor_set_members_ignored gauge");
	expect_line(text, "ns_monitor_set_members_ignored{group=\"135\",set=\"slaves\",reason=\"over_limit\"} 0");
	expect_line(text, "ns_monitor_set_members_ignored{group=\"135\",set=\"slaves\",reason=\"invalid\"} 2");
	expect_line(text, "ns_monitor_set_members_ignored{group=\"135\",set=\"masters\",reason=\"invalid\"} 0");
	expect_line(text, "ns_monitor_set_members_ignored{group=\"7\",set=\"slaves\",reason=\"over_limit\"} 0");
	expect_line(text, "# TYPE ns_monitor_set_wrong_type gauge");
	expect_line(text, "ns_monitor_set_wrong_type{group=\"135\",set=\"masters\"} 1");
	expect_line(text, "ns_monitor_set_wrong_type{group=\"135\",set=\"slaves\"} 0");
	free(text);
}

/* Slaves per group, ready or waiting, and masters per group. */
static void test_interface_gauges(void **state)
{
	struct fixture *f = *state;
	struct slaves_group *g = &f->r->groups[0];
	struct master eth0 = { .name = "eth0", .key.ifindex = 2,
			       .asks_sent = 7 };
	struct master eth9 = { .name = "eth9", .asks_unsent = 3 };
	struct master *masters[2] = { &eth0, &eth9 };
	char *text;

	/* veth-a.10 ready, eth1 waiting */
	g->slaves[1]->key.ifindex = 12;
	g->slaves[1]->ready = true;
	g->masters = masters;
	g->nmasters = 2;
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	expect_line(text, "# TYPE ns_monitor_slaves gauge");
	expect_line(text, "ns_monitor_slaves{group=\"135\",state=\"ready\"} 1");
	expect_line(text, "ns_monitor_slaves{group=\"135\",state=\"waiting\"} 1");
	expect_line(text, "ns_monitor_slaves{group=\"7\",state=\"ready\"} 0");
	expect_line(text, "ns_monitor_slaves{group=\"7\",state=\"waiting\"} 1");
	expect_line(text, "# TYPE ns_monitor_masters gauge");
	expect_line(text, "ns_monitor_masters{group=\"135\"} 2");
	expect_line(text, "ns_monitor_masters{group=\"7\"} 0");
	expect_line(text, "ns_monitor_master_asks_total{group=\"135\",master=\"eth0\",outcome=\"sent\"} 7");
	expect_line(text, "ns_monitor_master_asks_total{group=\"135\",master=\"eth9\",outcome=\"not_sent\"} 3");
	free(text);

	/* Every slave ready: nothing waits. */
	g->slaves[0]->key.ifindex = 11;
	g->slaves[0]->ready = true;
	f->r->groups[1].slaves[0]->key.ifindex = 13;
	f->r->groups[1].slaves[0]->ready = true;
	text = write_string(f->r, f->l, &f->o);
	expect_line(text, "ns_monitor_slaves{group=\"135\",state=\"ready\"} 2");
	expect_line(text, "ns_monitor_slaves{group=\"135\",state=\"waiting\"} 0");
	expect_line(text, "ns_monitor_slaves{group=\"7\",state=\"ready\"} 1");
	expect_line(text, "ns_monitor_slaves{group=\"7\",state=\"waiting\"} 0");
	free(text);
	g->masters = NULL;	/* on this stack, not the fixture's to free */
	g->nmasters = 0;
}

/* What the engine holds now: gauges beside its counters. */
static void test_engine_gauges(void **state)
{
	struct fixture *f = *state;
	char *text;

	f->e.learned_now = 17;
	f->e.inflight = 3;
	f->e.queued = 4;
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	expect_line(text, "# TYPE ns_monitor_targets_learned gauge");
	expect_line(text, "ns_monitor_targets_learned 17");
	expect_line(text, "# TYPE ns_monitor_targets_in_flight gauge");
	expect_line(text, "ns_monitor_targets_in_flight 3");
	expect_line(text, "ns_monitor_targets_waiting 4");
	free(text);
}

/* The host-wide neighbor table: its fill and its limits, when read. */
static void test_neighbor_table_gauges(void **state)
{
	struct fixture *f = *state;
	struct rtnl_neigh_table t = { .thresh2 = 512, .thresh3 = 1024,
				      .entries = 907 };
	char *text;

	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	/* Unread (the dump failed): left out, nothing made up. */
	assert_null(strstr(text, "neighbor_table"));
	free(text);

	the_ntable = &t;
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	expect_line(text, "# TYPE ns_monitor_neighbor_table_entries gauge");
	expect_line(text, "ns_monitor_neighbor_table_entries 907");
	expect_line(text, "# TYPE ns_monitor_neighbor_table_gc_thresh2 gauge");
	expect_line(text, "ns_monitor_neighbor_table_gc_thresh2 512");
	expect_line(text, "# TYPE ns_monitor_neighbor_table_gc_thresh3 gauge");
	expect_line(text, "ns_monitor_neighbor_table_gc_thresh3 1024");
	free(text);

	t.thresh3 = UINT32_MAX;
	text = write_string(f->r, NULL, NULL);
	check_format(text);
	expect_line(text, "ns_monitor_neighbor_table_gc_thresh3 4294967295");
	free(text);
}

/* A slave name cannot end its label and forge a sample. */
static void test_label_escaping(void **state)
{
	struct fixture *f = *state;
	struct slaves_group *g = &f->r->groups[1];
	char *text, *buf = NULL;
	size_t len = 0;
	FILE *out;

	set_slave(g, "q\"} 9\nx{a=\"b", 5, 0, 0);
	set_slave(g, "a\\b", 6, 0, 0);
	text = write_string(f->r, f->l, &f->o);
	check_format(text);
	expect_line(text, "ns_monitor_probes_total{group=\"7\",slave=\"q\\\"} 9\\nx{a=\\\"b\"} 5");
	expect_line(text, "ns_monitor_probes_total{group=\"7\",slave=\"a\\\\b\"} 6");
	assert_null(strstr(text, "\nx{a="));
	free(text);

	out = open_memstream(&buf, &len);
	assert_non_null(out);
	metrics_escape_label(out, "plain-name.10");
	metrics_escape_label(out, "|");
	metrics_escape_label(out, "\\\"\n");
	metrics_escape_label(out, "");
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf, "plain-name.10|\\\\\\\"\\n");
	free(buf);
}

static void test_write_file_fails(void **state)
{
	struct fixture *f = *state;
	char path[128], longpath[4200];

	make_dir(f);
	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/missing/ns-monitor.prom", f->dir);
	errno = 0;
	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dir_entries(f->dir), 0);

	/* PATH is a directory: the rename fails, PATH.tmp does not stay. */
	snprintf(path, sizeof(path), "%s/adir", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(longpath, sizeof(longpath), "%s/adir/x", f->dir);
	assert_int_equal(mkdir(longpath, 0700), 0);	/* not empty */
	assert_int_equal(write_file(path, false, f->r, f->l, engine_c, &f->o), -1);
	assert_int_equal(dir_entries(f->dir), 1);	/* adir only */
	assert_int_equal(rmdir(longpath), 0);
	assert_int_equal(rmdir(path), 0);

	/* A path too long for PATH.tmp. */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[4093] = '\0';
	errno = 0;
	assert_int_equal(write_file(longpath, false, f->r, f->l, engine_c, &f->o), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(dir_entries(f->dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_slave_and_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_without_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_shared_by_two_parts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_overruns, setup,
						teardown),
		cmocka_unit_test(test_empty_relay),
		cmocka_unit_test_setup_teardown(test_large_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_file_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_file_tmp_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_file_path_link, setup,
						teardown),
		cmocka_unit_test(test_check_path),
		cmocka_unit_test_setup_teardown(test_write_file_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_label_escaping, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_gauges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interface_gauges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_engine_gauges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_neighbor_table_gauges, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
