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
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn.h"
#include "relay.h"
#include "stats.h"

#define MAX_METRICS 64
#define NAME_LEN 128

struct fixture {
	struct relay *r;
	struct learn *l;
	struct netlink_overruns o;
	char dir[64];
};

static void set_slave(struct group *g, const char *name, unsigned long sent,
		      unsigned long failed, unsigned long down,
		      unsigned long absent)
{
	struct slave *s = &g->slaves[g->nslaves++];

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->fd = -1;
	s->probes_sent = sent;
	s->probes_failed = failed;
	s->probes_down = down;
	s->probes_absent = absent;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct group *g;

	if (!f)
		return -1;
	f->r = calloc(1, sizeof(*f->r));
	f->l = calloc(1, sizeof(*f->l));
	if (!f->r || !f->l)
		return -1;
	f->r->groups = calloc(2, sizeof(*f->r->groups));
	if (!f->r->groups)
		return -1;

	f->r->counters.nflog_messages = 42;
	f->r->counters.nflog_malformed = 2;
	f->r->counters.nflog_overruns = 1;
	f->r->counters.nflog_lost = 17;
	f->r->counters.ns_not_ours = 4;

	g = &f->r->groups[f->r->ngroups++];
	g->num = 135;
	g->counters.ns_valid = 40;
	g->counters.ns_ignored[NS_HOP_LIMIT] = 5;
	g->counters.ns_ignored[NS_TARGET_LINKLOCAL] = 9;
	g->counters.upstream_relayed = 6;
	g->counters.upstream_ignored = 8;
	g->counters.suppressed_holddown = 3;
	g->counters.suppressed_rate = 11;
	g->counters.probes_dry_run = 0;
	set_slave(g, "eth1", 7, 1, 2, 0);
	set_slave(g, "veth-a.10", 13, 0, 0, 12);

	g = &f->r->groups[f->r->ngroups++];
	g->num = 7;
	g->counters.ns_valid = 1;
	g->counters.suppressed_holddown = 99;
	set_slave(g, "wg0", 4294967295ul, 0, 0, 0);

	f->l->c.learned = 21;
	f->l->c.moved = 2;
	f->l->c.routes_added = 23;
	f->l->c.routes_removed = 19;
	f->l->c.proxies_added = 31;
	f->l->c.proxies_removed = 29;
	f->l->c.reprobes = 37;
	f->l->c.table_full = 1;

	f->o.rtnetlink = 2;
	f->o.nftables = 3;
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
	free(f->r->groups);
	free(f->r);
	free(f->l);
	free(f);
	return 0;
}

/* stats_write() into a string (to free). */
static char *write_string(const struct relay *r, const struct learn *l,
			  const struct netlink_overruns *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	stats_write(out, r, l, o);
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
static int check_format(const char *text)
{
	static const char sample_re[] =
		"^ns_monitor_[a-z_]+"
		"(\\{[a-z_]+=\"[^\"\\\\\n]*\"(,[a-z_]+=\"[^\"\\\\\n]*\")*\\})?"
		" [0-9]+$";
	static const char comment_re[] =
		"^# (HELP ns_monitor_[a-z_]+ [^\n]+|TYPE ns_monitor_[a-z_]+ (counter|gauge))$";
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
			size_t key = strcspn(line, " ");

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

	expect_line(text, "ns_monitor_ns_valid_total{group=\"135\"} 40");
	expect_line(text, "ns_monitor_ns_valid_total{group=\"7\"} 1");
	expect_line(text, "ns_monitor_ns_ignored_total{group=\"135\",reason=\"hop_limit\"} 5");
	expect_line(text, "ns_monitor_ns_ignored_total{group=\"135\",reason=\"target_link_local\"} 9");
	expect_line(text, "ns_monitor_ns_ignored_total{group=\"135\",reason=\"short\"} 0");
	expect_line(text, "ns_monitor_ns_ignored_total{group=\"7\",reason=\"hop_limit\"} 0");
	expect_line(text, "ns_monitor_ns_ignored_total{group=\"135\",reason=\"upstream\"} 8");
	/* NS_OK is not a reason to ignore anything. */
	assert_null(strstr(text, "reason=\"ok\""));
	assert_null(strstr(text, "reason=\"unknown\""));
	expect_line(text, "ns_monitor_upstream_ns_relayed_total{group=\"135\"} 6");

	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"135\",reason=\"holddown\"} 3");
	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"135\",reason=\"rate\"} 11");
	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"135\",reason=\"dry_run\"} 0");
	expect_line(text, "ns_monitor_probes_suppressed_total{group=\"7\",reason=\"holddown\"} 99");

	expect_line(text, "ns_monitor_probes_total{group=\"135\",slave=\"eth1\"} 7");
	expect_line(text, "ns_monitor_probes_total{group=\"135\",slave=\"veth-a.10\"} 13");
	expect_line(text, "ns_monitor_probes_total{group=\"7\",slave=\"wg0\"} 4294967295");
	expect_line(text, "ns_monitor_probe_failures_total{group=\"135\",slave=\"eth1\"} 1");
	expect_line(text, "ns_monitor_probe_failures_total{group=\"135\",slave=\"veth-a.10\"} 0");
	expect_line(text, "ns_monitor_probes_not_sent_total{group=\"135\",slave=\"eth1\",reason=\"down\"} 2");
	expect_line(text, "ns_monitor_probes_not_sent_total{group=\"135\",slave=\"veth-a.10\",reason=\"absent\"} 12");

	expect_line(text, "ns_monitor_learned_total 21");
	expect_line(text, "ns_monitor_learned_moves_total 2");
	expect_line(text, "ns_monitor_routes_added_total 23");
	expect_line(text, "ns_monitor_routes_removed_total 19");
	expect_line(text, "ns_monitor_proxies_added_total 31");
	expect_line(text, "ns_monitor_proxies_removed_total 29");
	expect_line(text, "ns_monitor_reprobes_total 37");
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
		"probes_total", "probe_failures_total",
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
	for (const char *p = text; (p = strstr(p, "\nns_monitor_ns_ignored_total{")); p++)
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

static void test_without_overruns(void **state)
{
	struct fixture *f = *state;
	char *text = write_string(f->r, f->l, NULL);

	check_format(text);
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"rtnetlink\"} 0");
	expect_line(text, "ns_monitor_netlink_overruns_total{socket=\"nftables\"} 0");
	free(text);
}

static void test_empty_relay(void **state)
{
	struct relay *r = calloc(1, sizeof(*r));
	char *text;

	(void)state;
	assert_non_null(r);
	/* No groups: headers for the per-group metrics, no samples. */
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

	f->r->counters.nflog_messages = (unsigned long)-1;
	f->r->groups[0].counters.ns_ignored[NS_VERDICT_MAX - 1] = (unsigned long)-1;
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

	assert_int_equal(stats_write_file(path, f->r, f->l, &f->o), 0);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dir_entries(f->dir), 1);

	/* Again, with new values: replaced, not appended to. */
	f->r->counters.nflog_messages = 43;
	assert_int_equal(stats_write_file(path, f->r, NULL, NULL), 0);
	want = write_string(f->r, NULL, NULL);
	got = read_all(path);
	assert_string_equal(got, want);
	expect_line(got, "ns_monitor_nflog_messages_total 43");
	assert_false(has_line(got, "ns_monitor_nflog_messages_total 42"));
	free(got);
	free(want);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(dir_entries(f->dir), 1);

	/* A stale PATH.tmp from a killed run is overwritten and renamed. */
	stale = fopen(tmp, "w");
	assert_non_null(stale);
	fputs("garbage that is much longer than nothing\n", stale);
	assert_int_equal(fclose(stale), 0);
	assert_int_equal(stats_write_file(path, f->r, f->l, &f->o), 0);
	want = write_string(f->r, f->l, &f->o);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(dir_entries(f->dir), 1);
}

static void test_write_file_fails(void **state)
{
	struct fixture *f = *state;
	char path[128], longpath[4200];

	make_dir(f);
	/* A directory that does not exist. */
	snprintf(path, sizeof(path), "%s/missing/ns-monitor.prom", f->dir);
	errno = 0;
	assert_int_equal(stats_write_file(path, f->r, f->l, &f->o), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dir_entries(f->dir), 0);

	/* PATH is a directory: the rename fails, PATH.tmp does not stay. */
	snprintf(path, sizeof(path), "%s/adir", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(longpath, sizeof(longpath), "%s/adir/x", f->dir);
	assert_int_equal(mkdir(longpath, 0700), 0);	/* not empty */
	assert_int_equal(stats_write_file(path, f->r, f->l, &f->o), -1);
	assert_int_equal(dir_entries(f->dir), 1);	/* adir only */
	assert_int_equal(rmdir(longpath), 0);
	assert_int_equal(rmdir(path), 0);

	/* A path too long for PATH.tmp. */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[4093] = '\0';
	errno = 0;
	assert_int_equal(stats_write_file(longpath, f->r, f->l, &f->o), -1);
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
		cmocka_unit_test_setup_teardown(test_without_overruns, setup,
						teardown),
		cmocka_unit_test(test_empty_relay),
		cmocka_unit_test_setup_teardown(test_large_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_file_fails, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
