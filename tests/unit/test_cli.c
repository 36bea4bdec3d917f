/* Unit tests for cli_parse(): defaults, options, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "config.h"

#define MAX_ARGS 32
#define ARG_LEN 64

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

static enum cli_result parse(struct result *r, ...)
{
	const char *s = "ns-monitor";
	va_list ap;

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
	assert_string_equal(r.cfg.masters[0], "eth0");
	assert_int_equal(r.cfg.nslaves, 1);
	assert_string_equal(r.cfg.slaves[0], "eth1");
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
	assert_int_equal(cfg.rate, 100);
	assert_int_equal(cfg.burst, 50);
	assert_int_equal(cfg.fwmark_base, 0x6e730000u);
	assert_string_equal(cfg.pidfile, "/run/ns-monitor.pid");
}

static void test_slave_lists(void **state)
{
	struct result r;

	(void)state;
	assert_int_equal(parse(&r, "-m", "eth0", "-s", "a,b", "-s", "c", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.nslaves, 3);
	assert_string_equal(r.cfg.slaves[0], "a");
	assert_string_equal(r.cfg.slaves[1], "b");
	assert_string_equal(r.cfg.slaves[2], "c");

	/* Several masters too. */
	assert_int_equal(parse(&r, "-m", "m0,m1", "-m", "m2", "-s", "s", NULL),
			 CLI_RUN);
	assert_int_equal(r.cfg.nmasters, 3);
	assert_string_equal(r.cfg.masters[2], "m2");
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
	assert_string_equal(r.cfg.slaves[0], "a");
	assert_string_equal(r.cfg.slaves[1], "b");
	assert_string_equal(r.cfg.slaves[2], "ab");	/* prefix, not dup */
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
			       "--fwmark", "0x10", "--dry-run", "--link-local",
			       "--daemon", "--pidfile", "/run/x.pid",
			       "-v", "-v", NULL), CLI_RUN);
	assert_string_equal(r.err, "");
	assert_int_equal(r.cfg.nmasters, 1);
	assert_string_equal(r.cfg.masters[0], "br0");
	assert_int_equal(r.cfg.nslaves, 2);
	assert_string_equal(r.cfg.slaves[0], "s0");
	assert_string_equal(r.cfg.slaves[1], "s1");
	assert_int_equal(r.cfg.ngroups, 1);
	assert_int_equal(r.cfg.groups[0], 7);
	assert_int_equal(r.cfg.holddown_ms, 500);
	assert_int_equal(r.cfg.rate, 20);
	assert_int_equal(r.cfg.burst, 3);
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
	assert_string_equal(r.cfg.masters[0], "eth0");
	assert_int_equal(r.cfg.nslaves, 2);
	assert_string_equal(r.cfg.slaves[1], "eth2");
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
	assert_string_equal(r.cfg.masters[0], "abcdefghijklmno");
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
	parse(&r, "-m", "a", "-s", "b", "--holddown", "3600001", NULL);
	expect_error(&r, "holddown");
	parse(&r, "-m", "a", "-s", "b", "--holddown", "-5", NULL);
	expect_error(&r, "holddown");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "0", NULL);
	expect_error(&r, "fwmark");
	parse(&r, "-m", "a", "-s", "b", "--fwmark", "0xffff0001", NULL);
	expect_error(&r, "fwmark");
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
	assert_string_equal(r.cfg.masters[0], "c");
	assert_int_equal(r.cfg.groups[0], DEFAULT_GROUP);

	/* An error does not leak state into the next run either. */
	parse(&r, "-m", "a", "-s", "b", "-x", "--dry-run", NULL);
	expect_error(&r, "-x");
	assert_int_equal(parse(&r, "-m", "a", "-s", "b", NULL), CLI_RUN);
	assert_false(r.cfg.dry_run);
	assert_int_equal(r.cfg.nslaves, 1);
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
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_stray_argument),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_relative_pidfile),
		cmocka_unit_test(test_two_groups),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_reparse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
