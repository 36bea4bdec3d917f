/* Unit tests for cli_parse(): defaults, options, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "paths.h"

#define MAX_ARGS 48
#define ARG_LEN 1024	/* room for long -t lists */

/*
 * getopt permutes argv, so it must be writable; cfg->pidfile points into
 * it, so it lives as long as the test's config.
 */
struct args {
	int argc;
	char *argv[MAX_ARGS + 1];
	char store[MAX_ARGS][ARG_LEN];
};

struct result {
	struct args a;
	struct config cfg;
	char err[256];
	enum cli_result res;
};

/* Parse "ns-monitor" followed by the NULL-terminated arguments. */
static enum cli_result parse(struct result *r, ...)
	__attribute__((sentinel));

/* The interface lists of the last parse, freed by the next one. */
static struct config last_cfg;

static enum cli_result parse(struct result *r, ...)
{
	const char *s = "ns-monitor";
	va_list ap;

	config_free(&last_cfg);
	memset(r, 0, sizeof(*r));
	memset(r->err, 'x', sizeof(r->err) - 1);	/* must be overwritten */
	va_start(ap, r);
	while (s) {
		assert_true(r->a.argc < MAX_ARGS);
		assert_true(strlen(s) < ARG_LEN);
		strcpy(r->a.store[r->a.argc], s);
		r->a.argv[r->a.argc] = r->a.store[r->a.argc];
		r->a.argc++;
		s = va_arg(ap, const char *);
	}
	va_end(ap);
	r->a.argv[r->a.argc] = NULL;
	r->res = cli_parse(r->a.argc, r->a.argv, &r->cfg, r->err,
			   sizeof(r->err));
	last_cfg = r->cfg;
	return r->res;
}

/* An error with a non-empty reason that mentions `word`. */
static void expect_error(const struct result *r, const char *word)
{
	assert_int_equal(r->res, CLI_ERROR);
	assert_true(r->err[0] != '\0');
	assert_true(strlen(r->err) < sizeof(r->err) - 1);
	assert_null(strchr(r->err, '\n'));	/* one line */
	if (word && !strstr(r->err, word))
		fail_msg("err '%s' does not mention '%s'", r->err, word);
}

static void test_minimal_defaults(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "eth1", NULL), CLI_RUN);
	assert_string_equal(r.err, "");
	assert_int_equal(r.cfg.nmasters, 1);
	assert_string_equal(r.cfg.masters[0].name, "eth0");
	assert_int_equal(r.cfg.nslaves, 1);
	assert_string_equal(r.cfg.slaves[0].name, "eth1");
	assert_int_equal(r.cfg.ngroups, 1);
	assert_int_equal(r.cfg.groups[0], DEFAULT_GROUP);
	assert_int_equal(r.cfg.groups[0], 135);
	assert_int_equal(r.cfg.holddown_ms, DEFAULT_HOLDDOWN_MS);
	assert_int_equal(r.cfg.rate, DEFAULT_RATE);
	assert_int_equal(r.cfg.burst, DEFAULT_BURST);
	assert_int_equal(r.cfg.fwmark_base, EGRESS_BASE);
	assert_false(r.cfg.dry_run);
	assert_false(r.cfg.daemonize);
	assert_false(r.cfg.link_local);
	assert_int_equal(r.cfg.verbose, 0);
	assert_non_null(r.cfg.pidfile);
	assert_string_equal(r.cfg.pidfile, DEFAULT_PIDFILE);
}

static void test_config_defaults(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	assert_int_equal(cfg.nmasters, 0);
	assert_int_equal(cfg.nslaves, 0);
	assert_int_equal(cfg.ngroups, 0);
	assert_int_equal(cfg.holddown_ms, 3000);
	assert_int_equal(cfg.rate, 5000);
	assert_int_equal(cfg.burst, 1000);
	assert_int_equal(cfg.max_inflight, 4096);
	assert_int_equal(cfg.max_queue, 16384);
	assert_int_equal(cfg.max_learned, 16384);
	assert_int_equal(cfg.keepalive_rate, 200);
	assert_int_equal(cfg.fwmark_base, 0x6e730000u);
	assert_string_equal(cfg.pidfile, "/run/ns-monitor/ns-monitor.pid");
}

static void test_slave_lists(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "a,b", "-s", "c", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.nslaves, 3);
	assert_string_equal(r.cfg.slaves[0].name, "a");
	assert_string_equal(r.cfg.slaves[1].name, "b");
	assert_string_equal(r.cfg.slaves[2].name, "c");

	/* Several masters too. */
	assert_int_equal(parse(&r, "-m", "m0,m1", "-m", "m2", "-s", "s", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.nmasters, 3);
	assert_string_equal(r.cfg.masters[2].name, "m2");
}

static void test_duplicates_collapsed(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth0", "-m", "eth0",
			       "-s", "a,b,a", "-s", "b", "-s", "ab",
			       "-g", "7", "-g", "7", NULL), CLI_RUN);
	assert_int_equal(r.cfg.nmasters, 1);
	assert_int_equal(r.cfg.nslaves, 3);
	assert_string_equal(r.cfg.slaves[0].name, "a");
	assert_string_equal(r.cfg.slaves[1].name, "b");
	assert_string_equal(r.cfg.slaves[2].name, "ab");	/* prefix, not dup */
	assert_int_equal(r.cfg.ngroups, 1);
	assert_int_equal(r.cfg.groups[0], 7);
}

static void test_long_options(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "--master", "br0", "--slaves", "s0,s1",
			       "--group", "7", "--holddown", "500",
			       "--rate", "20", "--burst", "3",
			       "--max-inflight", "9", "--max-queue", "0",
			       "--max-learned", "11", "--keepalive-rate", "13",
			       "--queue", "--queue-wait", "250", "--queue-max", "64",
			       "--fwmark", "0x10", "--dry-run", "--link-local",
			       "--daemon", "--pidfile", "/run/x.pid",
			       "-v", "-v", NULL), CLI_RUN);
	assert_string_equal(r.err, "");
	assert_int_equal(r.cfg.nmasters, 1);
	assert_string_equal(r.cfg.masters[0].name, "br0");
	assert_int_equal(r.cfg.nslaves, 2);
	assert_string_equal(r.cfg.slaves[0].name, "s0");
	assert_string_equal(r.cfg.slaves[1].name, "s1");
	assert_int_equal(r.cfg.ngroups, 1);
	assert_int_equal(r.cfg.groups[0], 7);
	assert_int_equal(r.cfg.holddown_ms, 500);
	assert_int_equal(r.cfg.rate, 20);
	assert_int_equal(r.cfg.burst, 3);
	assert_int_equal(r.cfg.max_inflight, 9);
	assert_int_equal(r.cfg.max_queue, 0);
	assert_int_equal(r.cfg.max_learned, 11);
	assert_int_equal(r.cfg.keepalive_rate, 13);
	assert_true(r.cfg.queue);
	assert_true(r.cfg.learn_routes);	/* --queue implies it */
	assert_int_equal(r.cfg.queue_wait_ms, 250);
	assert_int_equal(r.cfg.queue_max, 64);
	assert_int_equal(r.cfg.fwmark_base, 0x10);
	assert_true(r.cfg.dry_run);
	assert_true(r.cfg.link_local);
	assert_true(r.cfg.daemonize);
	assert_string_equal(r.cfg.pidfile, "/run/x.pid");
	assert_int_equal(r.cfg.verbose, 2);
}

static void test_option_forms(void **state)
{
	struct result r;

	(void)state;
	/* --opt=value, attached short values, clustered flags, --verbose. */
	assert_int_equal(parse(&r, "--master=eth0", "-seth1,eth2", "-g42",
			       "--holddown=0", "-dvv", "--verbose", NULL),
			 CLI_RUN);
	assert_string_equal(r.cfg.masters[0].name, "eth0");
	assert_int_equal(r.cfg.nslaves, 2);
	assert_string_equal(r.cfg.slaves[1].name, "eth2");
	assert_int_equal(r.cfg.groups[0], 42);
	assert_int_equal(r.cfg.holddown_ms, 0);
	assert_true(r.cfg.daemonize);
	assert_int_equal(r.cfg.verbose, 3);

	/* Options after a name are still options (getopt permutes). */
	assert_int_equal(parse(&r, "-s", "eth1", "-m", "eth0", "--dry-run",
			       NULL), CLI_RUN);
	assert_true(r.cfg.dry_run);
}

static void test_limits_accepted(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-g", "0", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.groups[0], 0);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-g", "65535",
			       "--holddown", "3600000", "--rate", "1000000",
			       "--burst", "1", "--fwmark", "0xffff0000", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.groups[0], 65535);
	assert_int_equal(r.cfg.holddown_ms, 3600000);
	assert_int_equal(r.cfg.rate, 1000000);
	assert_int_equal(r.cfg.burst, 1);
	assert_int_equal(r.cfg.fwmark_base, 0xffff0000u);
	/* Hex works for any number. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-g", "0x87", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.groups[0], 135);
	/* 15 characters is the longest interface name. */
	assert_int_equal(parse(&r, "-m", "abcdefghijklmno", "-s", "b", NULL),
			 CLI_RUN);
	assert_string_equal(r.cfg.masters[0].name, "abcdefghijklmno");
}

static void test_no_master(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-s", "eth1", NULL);
	expect_error(&r, "master");
	parse(&r, NULL);
	expect_error(&r, NULL);
}

static void test_no_slave(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "eth0", NULL);
	expect_error(&r, "slave");
}

static void test_bad_group(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "-g", "65536", NULL);
	expect_error(&r, "65536");
	parse(&r, "-m", "a", "-s", "b", "-g", "-1", NULL);
	expect_error(&r, "-1");
	parse(&r, "-m", "a", "-s", "b", "-g", "abc", NULL);
	expect_error(&r, "abc");
	parse(&r, "-m", "a", "-s", "b", "-g", "", NULL);
	expect_error(&r, "group");
	parse(&r, "-m", "a", "-s", "b", "-g", "12x", NULL);
	expect_error(&r, "12x");
	parse(&r, "-m", "a", "-s", "b", "-g", " 1", NULL);
	expect_error(&r, "group");
	parse(&r, "-m", "a", "-s", "b", "-g", "+1", NULL);
	expect_error(&r, "group");
	parse(&r, "-m", "a", "-s", "b", "-g", "99999999999999999999999", NULL);
	expect_error(&r, "group");
}

static void test_bad_numbers(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "--rate", "0", NULL);
	expect_error(&r, "rate");
	parse(&r, "-m", "a", "-s", "b", "--rate", "1000001", NULL);
	expect_error(&r, "rate");
	parse(&r, "-m", "a", "-s", "b", "--burst", "0", NULL);
	expect_error(&r, "burst");
	parse(&r, "-m", "a", "-s", "b", "--max-inflight", "0", NULL);
	expect_error(&r, "max-inflight");
	parse(&r, "-m", "a", "-s", "b", "--max-queue", "1000001", NULL);
	expect_error(&r, "max-queue");
	parse(&r, "-m", "a", "-s", "b", "--max-learned", "0", NULL);
	expect_error(&r, "max-learned");
	parse(&r, "-m", "a", "-s", "b", "--keepalive-rate", "x", NULL);
	expect_error(&r, "keepalive-rate");
	parse(&r, "-m", "a", "-s", "b", "--queue-wait", "0", NULL);
	expect_error(&r, "queue-wait");
	parse(&r, "-m", "a", "-s", "b", "--queue-max", "65537", NULL);
	expect_error(&r, "queue-max");
	parse(&r, "-m", "a", "-s", "b", "--holddown", "3600001", NULL);
	expect_error(&r, "holddown");
	parse(&r, "-m", "a", "-s", "b", "--holddown", "-5", NULL);
	expect_error(&r, "holddown");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "0", NULL);
	expect_error(&r, "fwmark");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "0xffff0001", NULL);
	expect_error(&r, "fwmark");
}

/* BASE+G onto a reserved routing table: refused, naming the table. */
static void test_fwmark_reserved_tables(void **state)
{
	struct result r;

	(void)state;
	/* Standalone: the default group 135 is the one served. */
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "118", NULL);	/* 253 */
	expect_error(&r, "table 253");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "119", NULL);	/* 254 */
	expect_error(&r, "table 254");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "120", NULL);	/* 255 */
	expect_error(&r, "table 255");
	parse(&r, "-m", "a", "-s", "b", "-g", "0", "--fwmark", "255", NULL);
	expect_error(&r, "--fwmark");
	parse(&r, "-m", "a", "-s", "b", "-g", "1", "--fwmark", "254", NULL);
	expect_error(&r, "table 255");
	/* Either order of -g and --fwmark. */
	parse(&r, "--fwmark", "0xfd", "-m", "a", "-s", "b", "-g", "0", NULL);
	expect_error(&r, "table 253");
	/* Managed: any served group counts, not only the first. */
	parse(&r, "-g", "1", "-g", "2", "--fwmark", "251", NULL);	/* 252, 253 */
	expect_error(&r, "group 2");
	/* Just beside the reserved tables: fine. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--fwmark", "117", NULL),
			 CLI_RUN);	/* 252 */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--fwmark", "121", NULL),
			 CLI_RUN);	/* 256 */
	assert_int_equal(parse(&r, "-g", "0", "--fwmark", "1", NULL), CLI_RUN);
	assert_int_equal(parse(&r, "-g", "65535", "--fwmark", "0xffff0000",
			       NULL), CLI_RUN);	/* 0xffffffff */
}

static void test_unknown_options(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "--bogus", NULL);
	expect_error(&r, "--bogus");
	parse(&r, "-m", "a", "-s", "b", "-x", NULL);
	expect_error(&r, "-x");
	/* Unknown flag inside a cluster. */
	parse(&r, "-m", "a", "-s", "b", "-vq", NULL);
	expect_error(&r, "-q");
}

static void test_missing_argument(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "-g", NULL);
	expect_error(&r, "-g");
	parse(&r, "-m", "a", "-s", "b", "--rate", NULL);
	expect_error(&r, "--rate");
	parse(&r, "-s", "b", "-m", NULL);
	expect_error(&r, "-m");
}

static void test_stray_argument(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "stray", NULL);
	expect_error(&r, "stray");
	parse(&r, "stray", "-m", "a", "-s", "b", NULL);
	expect_error(&r, "stray");
	/* After "--" everything is positional. */
	parse(&r, "-m", "a", "-s", "b", "--", "-v", NULL);
	expect_error(&r, "-v");
}

static void test_bad_names(void **state)
{
	struct result r;

	(void)state;
	/* 16 characters: no room for the NUL in IFNAMSIZ. */
	parse(&r, "-m", "abcdefghijklmnop", "-s", "b", NULL);
	expect_error(&r, "abcdefghijklmnop");
	parse(&r, "-m", "a", "-s", "b,abcdefghijklmnop", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "a\"b", "-s", "b", NULL);
	expect_error(&r, "master");
	parse(&r, "-m", "a", "-s", "x/y", NULL);
	expect_error(&r, "x/y");
	parse(&r, "-m", "a", "-s", "a,,b", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "a", "-s", "a,", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "a", "-s", ",a", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "", "-s", "b", NULL);
	expect_error(&r, "master");
	parse(&r, "-m", "a b", "-s", "b", NULL);
	expect_error(&r, "master");
	parse(&r, "-m", "a", "-s", "b:1", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "a", "-s", "b\\c", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "a", "-s", "it's", NULL);
	expect_error(&r, "slave");
	parse(&r, "-m", "..", "-s", "b", NULL);
	expect_error(&r, "master");
	parse(&r, "-m", ".", "-s", "b", NULL);
	expect_error(&r, "master");
}

static void test_relative_pidfile(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "--pidfile", "run/x.pid", NULL);
	expect_error(&r, "run/x.pid");
	parse(&r, "-m", "a", "-s", "b", "--pidfile", "", NULL);
	expect_error(&r, "pidfile");
}

static void test_two_groups(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "-g", "1", "-g", "2", NULL);
	expect_error(&r, "group");
}

static void test_help_version(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-h", NULL), CLI_HELP);
	assert_int_equal(parse(&r, "--help", NULL), CLI_HELP);
	/* Help wins even with an otherwise incomplete command line. */
	assert_int_equal(parse(&r, "-m", "a", "-h", NULL), CLI_HELP);
	assert_int_equal(parse(&r, "-V", NULL), CLI_VERSION);
	assert_int_equal(parse(&r, "--version", NULL), CLI_VERSION);
}

static void test_reparse(void **state)
{
	struct result r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-v", NULL),
				 CLI_RUN);
		assert_int_equal(r.cfg.verbose, 1);
		parse(&r, "-m", "a", "-s", "b", "--rate", "0", NULL);
		expect_error(&r, "rate");
	}

	/* Stop in the middle of a cluster: "v" is left pending in getopt. */
	assert_int_equal(parse(&r, "-hv", NULL), CLI_HELP);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", NULL), CLI_RUN);
	assert_int_equal(r.cfg.verbose, 0);

	/* Stop half way through argv, then parse a shorter one. */
	assert_int_equal(parse(&r, "-V", "-m", "a", "-s", "b", "-g", "9", NULL),
			 CLI_VERSION);
	assert_int_equal(parse(&r, "-m", "c", "-s", "d", NULL), CLI_RUN);
	assert_string_equal(r.cfg.masters[0].name, "c");
	assert_int_equal(r.cfg.groups[0], DEFAULT_GROUP);

	/* An error does not leak state into the next run either. */
	parse(&r, "-m", "a", "-s", "b", "-x", "--dry-run", NULL);
	expect_error(&r, "-x");
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", NULL), CLI_RUN);
	assert_false(r.cfg.dry_run);
	assert_int_equal(r.cfg.nslaves, 1);
}

/* ---- options added with managed mode, learning and statistics ---- */

static void test_new_defaults(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", NULL), CLI_RUN);
	assert_true(r.cfg.standalone);
	assert_int_equal(r.cfg.ntargets, 0);
	assert_null(r.cfg.rules);
	assert_false(r.cfg.check);
	assert_false(r.cfg.learn_routes);
	assert_false(r.cfg.proxy_ndp);
	assert_false(r.cfg.keep_routes);
	assert_int_equal(r.cfg.route_metric, DEFAULT_ROUTE_METRIC);
	assert_int_equal(r.cfg.route_metric, 1024);
	assert_null(r.cfg.stats_file);
	assert_int_equal(r.cfg.stats_interval, DEFAULT_STATS_INTERVAL);
	assert_int_equal(r.cfg.stats_interval, 15);
	assert_null(r.cfg.user);
}

/* cfg->targets[i] is addr/len. */
static void expect_target(const struct config *cfg, unsigned int i,
			  const char *addr, unsigned int len)
{
	struct in6_addr a;

	assert_true(i < cfg->ntargets);
	assert_int_equal(inet_pton(AF_INET6, addr, &a), 1);
	assert_memory_equal(&cfg->targets[i].addr, &a, sizeof(a));
	assert_int_equal(cfg->targets[i].len, len);
}

static void test_targets(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b",
			       "-t", "2001:db8:1::/64,2001:db8:2::1/48",
			       "--targets", "fd00::/8", "-t2001:db8::5/128",
			       "--targets=::/0", NULL), CLI_RUN);
	assert_int_equal(r.cfg.ntargets, 5);
	expect_target(&r.cfg, 0, "2001:db8:1::", 64);
	expect_target(&r.cfg, 1, "2001:db8:2::", 48);	/* host bits cleared */
	expect_target(&r.cfg, 2, "fd00::", 8);
	expect_target(&r.cfg, 3, "2001:db8::5", 128);
	expect_target(&r.cfg, 4, "::", 0);
}

static void test_bad_targets(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/129", NULL);
	expect_error(&r, "2001:db8::/129");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::", NULL);
	expect_error(&r, "2001:db8::");
	parse(&r, "-m", "a", "-s", "b", "-t", "192.0.2.0/24", NULL);
	expect_error(&r, "192.0.2.0/24");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/64,bogus", NULL);
	expect_error(&r, "'bogus'");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/64,", NULL);
	expect_error(&r, "target");
	parse(&r, "-m", "a", "-s", "b", "-t", ",2001:db8::/64", NULL);
	expect_error(&r, "target");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/64,,fd00::/8", NULL);
	expect_error(&r, "target");
	parse(&r, "-m", "a", "-s", "b", "-t", "", NULL);
	expect_error(&r, "target");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/-1", NULL);
	expect_error(&r, "target");
	/* Longer than any prefix: refused whole, named in the message. */
	parse(&r, "-m", "a", "-s", "b", "-t",
	      "2001:0db8:0000:0000:0000:0000:0000:0000:0000:0000:0001/64", NULL);
	expect_error(&r, "2001:0db8:0000:0000:0000:0000:0000:0000:0000:0000:0001/64");
	parse(&r, "-m", "a", "-s", "b", "-t", NULL);
	expect_error(&r, "-t");
}

/* n comma-separated distinct prefixes 2001:<i>::/32 into buf. */
static void target_list(char *buf, size_t size, unsigned int first,
			unsigned int n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = first; i < first + n; i++) {
		int w = snprintf(buf + len, size - len, "%s2001:%x::/32",
				 i > first ? "," : "", i);

		assert_true(w > 0 && (size_t)w < size - len);
		len += (size_t)w;
	}
}

/* No fixed number of target prefixes: 181 over four -t. */
static void test_many_targets(void **state)
{
	struct result r;
	char a[ARG_LEN], b[ARG_LEN], c[ARG_LEN], one[ARG_LEN];

	(void)state;
	target_list(a, sizeof(a), 0, 60);
	target_list(b, sizeof(b), 60, 60);
	target_list(c, sizeof(c), 120, 60);
	target_list(one, sizeof(one), 300, 1);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", a, "-t", b,
			       "-t", c, "-t", one, NULL), CLI_RUN);
	assert_int_equal(r.cfg.ntargets, 181);
	expect_target(&r.cfg, 179, "2001:b3::", 32);
	expect_target(&r.cfg, 180, "2001:12c::", 32);
}

static void test_rules(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-g", "135", "--rules",
			       "/etc/ns-monitor/ns-monitor.nft", NULL), CLI_RUN);
	assert_false(r.cfg.standalone);
	assert_non_null(r.cfg.rules);
	assert_string_equal(r.cfg.rules, "/etc/ns-monitor/ns-monitor.nft");
	/* A relative path is the operator's business. */
	assert_int_equal(parse(&r, "--rules=x.nft", "-g", "1", NULL), CLI_RUN);
	assert_string_equal(r.cfg.rules, "x.nft");

	/* Standalone mode loads its own objects. */
	parse(&r, "-m", "a", "-s", "b", "--rules", "/etc/x.nft", NULL);
	expect_error(&r, "--rules");
	parse(&r, "-m", "a", "-s", "b", "-g", "135", "--rules", "/etc/x.nft", NULL);
	expect_error(&r, "managed");
	parse(&r, "-g", "135", "--rules", "", NULL);
	expect_error(&r, "--rules");
	parse(&r, "-g", "135", "--rules", NULL);
	expect_error(&r, "--rules");
}

static void test_check(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--check", NULL),
			 CLI_RUN);
	assert_true(r.cfg.check);
	assert_int_equal(parse(&r, "--check", "-g", "135", NULL), CLI_RUN);
	assert_true(r.cfg.check);
	/* --check does not excuse bad arguments. */
	parse(&r, "--check", NULL);
	expect_error(&r, NULL);
	parse(&r, "--check=yes", "-g", "1", NULL);
	expect_error(&r, "--check");
}

static void test_managed_mode(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-g", "135", "-g", "136", NULL), CLI_RUN);
	assert_false(r.cfg.standalone);
	assert_int_equal(r.cfg.ngroups, 2);
	assert_int_equal(r.cfg.groups[0], 135);
	assert_int_equal(r.cfg.groups[1], 136);
	assert_int_equal(r.cfg.nmasters, 0);
	assert_int_equal(r.cfg.nslaves, 0);

	/* One group is managed mode too, and repeats collapse. */
	assert_int_equal(parse(&r, "-g", "7", "--group=7", NULL), CLI_RUN);
	assert_false(r.cfg.standalone);
	assert_int_equal(r.cfg.ngroups, 1);

	/* No fixed number of groups. */
	assert_int_equal(parse(&r, "-g1", "-g2", "-g3", "-g4", "-g5", "-g6",
			       "-g7", "-g8", "-g9", "-g10", "-g11", "-g12",
			       "-g13", "-g14", "-g15", "-g16", "-g17", "-g18",
			       NULL), CLI_RUN);
	assert_int_equal(r.cfg.ngroups, 18);
	assert_int_equal(r.cfg.groups[17], 18);

	/* Every other option works in managed mode. */
	assert_int_equal(parse(&r, "-g", "135", "--learn-routes", "--dry-run",
			       "--holddown", "10", "--stats-file", "/run/x.prom",
			       "--user", "nsmon", NULL), CLI_RUN);
	assert_false(r.cfg.standalone);
	assert_true(r.cfg.learn_routes);
	assert_true(r.cfg.dry_run);
}

/* Issue 12: members put back when a reload recreates the table. */
static void test_restore_members(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-g", "135", NULL), CLI_RUN);
	assert_false(r.cfg.restore_members);
	assert_int_equal(parse(&r, "-g", "135", "--restore-members", NULL),
			 CLI_RUN);
	assert_true(r.cfg.restore_members);
	assert_int_equal(parse(&r, "--restore-members", "-g", "135", "--rules",
			       "/etc/ns-monitor/ns-monitor.nft", NULL), CLI_RUN);
	assert_true(r.cfg.restore_members);
	assert_non_null(r.cfg.rules);
	/* Standalone mode restores its own sets anyway. */
	parse(&r, "-m", "a", "-s", "b", "--restore-members", NULL);
	expect_error(&r, "--restore-members is for managed mode");
	/* A flag: no value. */
	parse(&r, "-g", "135", "--restore-members=yes", NULL);
	expect_error(&r, "restore-members");
}

/* b is the binding of ifname (a pattern if prefix) to lo..hi. */
static void expect_bind(const struct engine_binding *b, const char *ifname,
			bool prefix, const char *lo, const char *hi)
{
	struct in6_addr l, h;

	assert_int_equal(inet_pton(AF_INET6, lo, &l), 1);
	assert_int_equal(inet_pton(AF_INET6, hi, &h), 1);
	assert_string_equal(b->ifname, ifname);
	assert_int_equal(b->prefix, prefix);
	assert_memory_equal(&b->lo, &l, sizeof(l));
	assert_memory_equal(&b->hi, &h, sizeof(h));
}

static void test_bind(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "tap*,docker0",
			       "--bind", "tap0=2001:db8:1::100/128",
			       "--bind", "br-*=2001:db8:1:0:d0c::/80",
			       "--bind=docker0=2001:db8:1::7",
			       "--bind", "tap1=2001:db8:1::1ff/120",
			       "--bind", "tap0=2001:db8:1::100/128",	/* again */
			       "--bind", "a=b=2001:db8::/64",
			       "--bind", "eth1=::/0", NULL), CLI_RUN);
	assert_int_equal(r.cfg.nbinds, 6);
	expect_bind(&r.cfg.binds[0], "tap0", false, "2001:db8:1::100",
		    "2001:db8:1::100");
	expect_bind(&r.cfg.binds[1], "br-", true, "2001:db8:1:0:d0c::",
		    "2001:db8:1:0:d0c:ffff:ffff:ffff");
	/* An address alone is a /128. */
	expect_bind(&r.cfg.binds[2], "docker0", false, "2001:db8:1::7",
		    "2001:db8:1::7");
	/* Host bits are cleared, as for -t. */
	expect_bind(&r.cfg.binds[3], "tap1", false, "2001:db8:1::100",
		    "2001:db8:1::1ff");
	/* The last '=' splits: a name may hold one, an address never. */
	expect_bind(&r.cfg.binds[4], "a=b", false, "2001:db8::",
		    "2001:db8::ffff:ffff:ffff:ffff");
	expect_bind(&r.cfg.binds[5], "eth1", false, "::",
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* None: none. */
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "eth1", NULL), CLI_RUN);
	assert_int_equal(r.cfg.nbinds, 0);
	assert_null(r.cfg.binds);
	/* With -g: the group's. */
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "eth1", "-g", "200",
			       "--bind", "eth1=2001:db8::1", NULL), CLI_RUN);
	assert_int_equal(r.cfg.nbinds, 1);
	assert_int_equal(r.cfg.groups[0], 200);
}

static void test_bad_bind(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0", NULL);
	expect_error(&r, "IF=PREFIX");
	parse(&r, "-m", "a", "-s", "b", "--bind", "", NULL);
	expect_error(&r, "IF=PREFIX");
	parse(&r, "-m", "a", "-s", "b", "--bind", "=2001:db8::1", NULL);
	expect_error(&r, "interface name");
	parse(&r, "-m", "a", "-s", "b", "--bind", "abcdefghijklmnop=2001:db8::1", NULL);
	expect_error(&r, "interface name 'abcdefghijklmnop'");
	parse(&r, "-m", "a", "-s", "b", "--bind", "t*p=2001:db8::1", NULL);
	expect_error(&r, "'*'");
	parse(&r, "-m", "a", "-s", "b", "--bind", "*=2001:db8::1", NULL);
	expect_error(&r, "prefix before");
	parse(&r, "-m", "a", "-s", "b", "--bind", "ta\"p=2001:db8::1", NULL);
	expect_error(&r, "interface name");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=", NULL);
	expect_error(&r, "not an IPv6 prefix");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=2001:db8::/129", NULL);
	expect_error(&r, "'2001:db8::/129' is not an IPv6 prefix");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=192.0.2.1/32", NULL);
	expect_error(&r, "192.0.2.1/32");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=2001:db8::1/", NULL);
	expect_error(&r, "not an IPv6 prefix");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=2001:db8::zz", NULL);
	expect_error(&r, "not an IPv6 prefix");
	parse(&r, "-m", "a", "-s", "b", "--bind",
	      "tap0=2001:0db8:0000:0000:0000:0000:0000:0000:0000:0000:0001", NULL);
	expect_error(&r, "not an IPv6 prefix");
	/* No neighbor is ever solicited there. */
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=ff02::1:ff00:1", NULL);
	expect_error(&r, "multicast");
	parse(&r, "-m", "a", "-s", "b", "--bind", "tap0=::ffff:0:0/96", NULL);
	expect_error(&r, "IPv4-mapped");
	parse(&r, "-m", "a", "-s", "b", "--bind", NULL);
	expect_error(&r, "--bind");
	/* Managed mode: the sets bindings_N, one per group. */
	parse(&r, "-g", "135", "--bind", "tap0=2001:db8::1", NULL);
	expect_error(&r, "bindings_N");
	parse(&r, "-g", "135", "-g", "136", "--bind", "tap0=2001:db8::1", NULL);
	expect_error(&r, "standalone");
}

static void test_managed_mode_errors(void **state)
{
	struct result r;

	(void)state;
	/* Neither -m nor -g: nothing to do. */
	parse(&r, NULL);
	expect_error(&r, "-g");
	parse(&r, "--dry-run", "-v", NULL);
	expect_error(&r, "nothing to do");
	/* -s makes it standalone, which needs a master. */
	parse(&r, "-s", "eth1", NULL);
	expect_error(&r, "master");
	parse(&r, "-g", "135", "-s", "eth1", NULL);
	expect_error(&r, "master");
	/* -t is standalone only: managed mode has the set targets_N. */
	parse(&r, "-g", "135", "-t", "2001:db8::/32", NULL);
	expect_error(&r, "-t");
	parse(&r, "-g", "135", "-g", "136", "-t", "::/0", NULL);
	expect_error(&r, "targets_");
}

static void test_learning_options(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--learn-routes",
			       NULL), CLI_RUN);
	assert_true(r.cfg.learn_routes);
	assert_false(r.cfg.proxy_ndp);
	assert_false(r.cfg.keep_routes);

	/* --proxy-ndp implies --learn-routes. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--proxy-ndp", NULL),
			 CLI_RUN);
	assert_true(r.cfg.proxy_ndp);
	assert_true(r.cfg.learn_routes);

	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--keep-routes",
			       "--learn-routes", "--proxy-ndp", NULL), CLI_RUN);
	assert_true(r.cfg.keep_routes);
	assert_true(r.cfg.learn_routes);
	assert_true(r.cfg.proxy_ndp);

	/* Flags take no value. */
	parse(&r, "-m", "a", "-s", "b", "--proxy-ndp=1", NULL);
	expect_error(&r, "--proxy-ndp");
	parse(&r, "-m", "a", "-s", "b", "--keep-routes=no", NULL);
	expect_error(&r, "--keep-routes");
}

static void test_route_metric(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--route-metric", "0",
			       NULL), CLI_RUN);
	assert_int_equal(r.cfg.route_metric, 0);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--route-metric",
			       "4294901760", NULL), CLI_RUN);
	assert_int_equal(r.cfg.route_metric, 4294901760u);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b",
			       "--route-metric=0xffff0000", NULL), CLI_RUN);
	assert_int_equal(r.cfg.route_metric, 0xffff0000u);
	assert_int_equal(parse(&r, "-g", "1", "--route-metric", "512", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.route_metric, 512);

	/* The group number is added: the sum must fit in 32 bits. */
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "4294901761", NULL);
	expect_error(&r, "4294901761");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "4294967296", NULL);
	expect_error(&r, "4294967296");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "0x100000000", NULL);
	expect_error(&r, "metric");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "-1", NULL);
	expect_error(&r, "metric");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "", NULL);
	expect_error(&r, "metric");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", "10k", NULL);
	expect_error(&r, "10k");
	parse(&r, "-m", "a", "-s", "b", "--route-metric", NULL);
	expect_error(&r, "--route-metric");
}

static void test_stats_options(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--stats-file",
			       "/var/lib/node_exporter/ns-monitor.prom",
			       "--stats-interval", "1", NULL), CLI_RUN);
	assert_string_equal(r.cfg.stats_file,
			    "/var/lib/node_exporter/ns-monitor.prom");
	assert_int_equal(r.cfg.stats_interval, 1);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b",
			       "--stats-interval=86400", NULL), CLI_RUN);
	assert_int_equal(r.cfg.stats_interval, 86400);
	assert_null(r.cfg.stats_file);

	parse(&r, "-m", "a", "-s", "b", "--stats-file", "ns-monitor.prom", NULL);
	expect_error(&r, "ns-monitor.prom");
	parse(&r, "-m", "a", "-s", "b", "--stats-file", "./x.prom", NULL);
	expect_error(&r, "absolute");
	parse(&r, "-m", "a", "-s", "b", "--stats-file", "", NULL);
	expect_error(&r, "stats file");
	parse(&r, "-m", "a", "-s", "b", "--stats-interval", "0", NULL);
	expect_error(&r, "stats interval");
	parse(&r, "-m", "a", "-s", "b", "--stats-interval", "86401", NULL);
	expect_error(&r, "86401");
	parse(&r, "-m", "a", "-s", "b", "--stats-interval", "-1", NULL);
	expect_error(&r, "stats interval");
	parse(&r, "-m", "a", "-s", "b", "--stats-interval", "1s", NULL);
	expect_error(&r, "1s");
	parse(&r, "-m", "a", "-s", "b", "--stats-file", NULL);
	expect_error(&r, "--stats-file");

	/* A link at PATH is refused unless told; told, it needs a PATH. */
	assert_false(r.cfg.stats_follow_link);
	assert_int_equal(parse(&r, "-g", "135", "--stats-file", "/x.prom",
			       "--stats-follow-link", NULL), CLI_RUN);
	assert_true(r.cfg.stats_follow_link);
	parse(&r, "-g", "135", "--stats-follow-link", NULL);
	expect_error(&r, "--stats-follow-link needs --stats-file");
	parse(&r, "-g", "135", "--stats-file", "/x", "--stats-follow-link=1", NULL);
	expect_error(&r, "--stats-follow-link=1");
}

static void test_user(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--user", "nobody",
			       NULL), CLI_RUN);
	assert_string_equal(r.cfg.user, "nobody");
	assert_int_equal(parse(&r, "-g", "9", "--user=ns-monitor", NULL),
			 CLI_RUN);
	assert_string_equal(r.cfg.user, "ns-monitor");

	parse(&r, "-m", "a", "-s", "b", "--user", "", NULL);
	expect_error(&r, "user");
	parse(&r, "-m", "a", "-s", "b", "--user=", NULL);
	expect_error(&r, "user");
	parse(&r, "-m", "a", "-s", "b", "--user", NULL);
	expect_error(&r, "--user");
}

static void test_reparse_new_options(void **state)
{
	struct result r;

	(void)state;
	/* Nothing from one parse survives into the next. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "fd00::/8",
			       "--proxy-ndp", "--keep-routes", "--check",
			       "--route-metric", "7", "--stats-file", "/x",
			       "--stats-interval", "60", "--user", "u", NULL),
			 CLI_RUN);
	assert_int_equal(parse(&r, "-g", "1", NULL), CLI_RUN);
	assert_int_equal(r.cfg.ntargets, 0);
	assert_false(r.cfg.proxy_ndp);
	assert_false(r.cfg.learn_routes);
	assert_false(r.cfg.keep_routes);
	assert_false(r.cfg.check);
	assert_int_equal(r.cfg.route_metric, DEFAULT_ROUTE_METRIC);
	assert_null(r.cfg.stats_file);
	assert_int_equal(r.cfg.stats_interval, DEFAULT_STATS_INTERVAL);
	assert_null(r.cfg.user);
	assert_null(r.cfg.rules);
}

/* Issue 10: slaves and masters by pattern, "veth*". */
static void test_patterns(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth*", "-s", "veth*,tap*,vnet0",
			       NULL), CLI_RUN);
	assert_int_equal(r.cfg.nmasters, 1);
	assert_true(r.cfg.masters[0].prefix);
	assert_string_equal(r.cfg.masters[0].name, "eth");
	assert_int_equal(r.cfg.nslaves, 3);
	assert_true(r.cfg.slaves[0].prefix);
	assert_string_equal(r.cfg.slaves[0].name, "veth");
	assert_true(r.cfg.slaves[1].prefix);
	assert_false(r.cfg.slaves[2].prefix);
	assert_string_equal(r.cfg.slaves[2].name, "vnet0");
	/* The longest prefix; "veth*" twice is once; "veth" is another. */
	assert_int_equal(parse(&r, "-m", "abcdefghijklmno*", "-s",
			       "veth*,veth*,veth", NULL), CLI_RUN);
	assert_int_equal(r.cfg.nslaves, 2);
	/* One '*', at the end, after a prefix that fits. */
	parse(&r, "-m", "eth0", "-s", "*", NULL);
	expect_error(&r, "'*'");
	parse(&r, "-m", "eth0", "-s", "ve*th", NULL);
	expect_error(&r, "ve*th");
	parse(&r, "-m", "eth0", "-s", "veth**", NULL);
	expect_error(&r, "veth**");
	parse(&r, "-m", "*eth", "-s", "veth0", NULL);
	expect_error(&r, "*eth");
	parse(&r, "-m", "eth0", "-s", "abcdefghijklmnop*", NULL);
	expect_error(&r, "abcdefghijklmnop*");
	parse(&r, "-m", "eth0", "-s", "a b*", NULL);
	expect_error(&r, "a b*");
	/* The same pattern as master and only slave: nothing to probe. */
	parse(&r, "-m", "eth*", "-s", "eth*", NULL);
	expect_error(&r, "every slave is also a master (-m eth* -s eth*)");
}

/* Issue 10: no fixed number of slaves (it was 64). */
static void test_many_slaves(void **state)
{
	char list[4][ARG_LEN];
	struct result r;

	(void)state;
	for (unsigned int a = 0; a < 4; a++) {
		size_t used = 0;

		for (unsigned int i = 0; i < 100; i++)
			used += (size_t)snprintf(list[a] + used, sizeof(list[a]) - used,
						 "%sv%u", i ? "," : "", a * 100 + i);
	}
	assert_int_equal(parse(&r, "-m", "eth0", "-s", list[0], "-s", list[1],
			       "-s", list[2], "-s", list[3], NULL), CLI_RUN);
	assert_int_equal(r.cfg.nslaves, 400);
	assert_string_equal(r.cfg.slaves[0].name, "v0");
	assert_string_equal(r.cfg.slaves[399].name, "v399");
}

static int free_last(void **state)
{
	(void)state;
	config_free(&last_cfg);
	return 0;
}

/* Issue 9, item 11: each of these was accepted without a word. */
static void test_master_as_slave(void **state)
{
	struct result r;
	const char *name = NULL;

	(void)state;
	/* The only slave is the master: nothing could ever be probed. */
	parse(&r, "-m", "m0", "-s", "m0", NULL);
	expect_error(&r, "every slave is also a master");
	parse(&r, "-m", "m0,m1", "-s", "m1,m0", NULL);
	expect_error(&r, "every slave is also a master");
	/* A mesh: m0 is both, s1 is a slave only. Accepted (SPEC 2.2). */
	assert_int_equal(parse(&r, "-m", "m0", "-s", "m0,s1", NULL), CLI_RUN);
	assert_true(config_slave_is_master(&r.cfg, &name));
	assert_string_equal(name, "m0");
	assert_false(config_slaves_all_masters(&r.cfg));
	assert_int_equal(parse(&r, "-m", "m0", "-s", "s1", NULL), CLI_RUN);
	assert_false(config_slave_is_master(&r.cfg, &name));
	/* Managed mode has no -s: the sets decide. */
	assert_int_equal(parse(&r, "-g", "135", NULL), CLI_RUN);
	assert_false(config_slaves_all_masters(&r.cfg));
}

static void test_target_not_unicast(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "-t", "::ffff:10.0.0.0/104", NULL);
	expect_error(&r, "IPv4-mapped");
	parse(&r, "-m", "a", "-s", "b", "-t", "2001:db8::/64,::ffff:0:0/96", NULL);
	expect_error(&r, "::ffff:0:0/96");
	parse(&r, "-m", "a", "-s", "b", "-t", "::1/128", NULL);
	expect_error(&r, "loopback");
	parse(&r, "-m", "a", "-s", "b", "-t", "::/128", NULL);
	expect_error(&r, "unspecified");
	parse(&r, "-m", "a", "-s", "b", "-t", "::10.0.0.0/104", NULL);
	expect_error(&r, "IPv4-compatible");
	parse(&r, "-m", "a", "-s", "b", "-t", "ff02::/16", NULL);
	expect_error(&r, "multicast");
	parse(&r, "-m", "a", "-s", "b", "-t", "fe80::/64", NULL);
	expect_error(&r, "--link-local");
	/* With --link-local, in either order, link-local targets are meant. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "fe80::/64",
			       "--link-local", NULL), CLI_RUN);
	/* Wider prefixes that hold global unicast are filters, not mistakes. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "::/0", NULL),
			 CLI_RUN);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "fc00::/7", NULL),
			 CLI_RUN);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "64:ff9b::/96",
			       NULL), CLI_RUN);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-t", "::1:0:0:0/80",
			       NULL), CLI_RUN);
}

static void test_pidfile_needs_daemon(void **state)
{
	struct result r;

	(void)state;
	parse(&r, "-m", "a", "-s", "b", "--pidfile", "/run/x.pid", NULL);
	expect_error(&r, "--daemon");
	parse(&r, "-g", "135", "--pidfile", "/run/x.pid", NULL);
	expect_error(&r, "--daemon");
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--pidfile", "/run/x.pid",
			       "-d", NULL), CLI_RUN);
	assert_string_equal(r.cfg.pidfile, "/run/x.pid");
	/* The default pidfile with -d, none without: both fine. */
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", NULL), CLI_RUN);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "-d", NULL), CLI_RUN);
}

/* --stats-file or --pidfile where the daemon could never write them. */
/* A bad argument: the reason and where the help is, never the usage. */
static void test_error_text(void **state)
{
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cli_error(f, "unknown option or unexpected value '--bogus'");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text,
		"ns-monitor: unknown option or unexpected value '--bogus'\n"
		"Usage: ns-monitor -m MASTER -s SLAVE[,SLAVE...] [-g GROUP] [options]\n"
		"       ns-monitor -g GROUP [-g GROUP...] [--rules FILE] [options]\n"
		"Try 'ns-monitor --help' for more information.\n");
	free(text);

	/* --help: no line about anything but its own option. */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cli_usage(f);
	assert_int_equal(fclose(f), 0);
	assert_null(strstr(text, "adopts"));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_true(lines > 10);
	free(text);
}

static void test_paths(void **state)
{
	char dir[] = "/tmp/ns-monitor-unit.XXXXXX", path[256], err[256];
	struct result r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing/x.prom", dir);
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", "--stats-file", path,
			       NULL), CLI_RUN);
	assert_int_equal(paths_check(&r.cfg, 0, 0, true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing"));
	assert_non_null(strstr(err, "No such file"));
	assert_null(strchr(err, '\n'));

	snprintf(path, sizeof(path), "%s/x.prom", dir);
	parse(&r, "-m", "a", "-s", "b", "--stats-file", path, NULL);
	assert_int_equal(paths_check(&r.cfg, getuid(), getgid(), true, err,
				     sizeof(err)), 0);
	/* Mode 0700, owned by us: not writable by an unrelated --user. */
	assert_int_equal(chmod(dir, 0700), 0);
	if (getuid() != 65534) {
		assert_int_equal(paths_check(&r.cfg, 65534, 65534, false, err,
					     sizeof(err)), -1);
		assert_non_null(strstr(err, "not writable by uid 65534"));
	}
	/* A pidfile in that directory likewise, but only with -d. */
	snprintf(path, sizeof(path), "%s/x.pid", dir);
	parse(&r, "-m", "a", "-s", "b", "-d", "--pidfile", path, NULL);
	assert_int_equal(paths_check(&r.cfg, getuid(), getgid(), true, err,
				     sizeof(err)), 0);
	if (getuid() != 65534)
		assert_int_equal(paths_check(&r.cfg, 65534, 65534, false, err,
					     sizeof(err)), -1);
	/* The runtime directory is made for the run user at start. */
	parse(&r, "-m", "a", "-s", "b", "-d", NULL);
	assert_int_equal(paths_check(&r.cfg, 65534, 65534, false, err,
				     sizeof(err)), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_slave_lists),
		cmocka_unit_test(test_duplicates_collapsed),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_option_forms),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_no_master),
		cmocka_unit_test(test_no_slave),
		cmocka_unit_test(test_bad_group),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_fwmark_reserved_tables),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_stray_argument),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_relative_pidfile),
		cmocka_unit_test(test_two_groups),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_new_defaults),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_bad_targets),
		cmocka_unit_test(test_many_targets),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_managed_mode),
		cmocka_unit_test(test_restore_members),
		cmocka_unit_test(test_managed_mode_errors),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bad_bind),
		cmocka_unit_test(test_learning_options),
		cmocka_unit_test(test_route_metric),
		cmocka_unit_test(test_stats_options),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_reparse_new_options),
		cmocka_unit_test(test_master_as_slave),
		cmocka_unit_test(test_target_not_unicast),
		cmocka_unit_test(test_pidfile_needs_daemon),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_many_slaves),
	};

	return cmocka_run_group_tests(tests, NULL, free_last);
}
