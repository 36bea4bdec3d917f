/*
 * Unit tests for the --rules reload back-off, the vanished members and the
 * advice on nf_tables errors (pure).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "control.h"

static void test_backoff_doubles_to_the_cap(void **state)
{
	(void)state;
	assert_int_equal(control_backoff(0), 1);
	assert_int_equal(control_backoff(1), 2);
	assert_int_equal(control_backoff(2), 4);
	assert_int_equal(control_backoff(16), 32);
	assert_int_equal(control_backoff(32), RELOAD_DELAY_MAX);
	assert_int_equal(control_backoff(RELOAD_DELAY_MAX), RELOAD_DELAY_MAX);
	assert_int_equal(control_backoff(~0u), RELOAD_DELAY_MAX);	/* no overflow */
}

/* A failing reload every time: bounded attempts in a minute, not thousands. */
static void test_backoff_attempts_per_minute(void **state)
{
	unsigned int delay = 0, t = 0, attempts = 0;

	(void)state;
	while (t < 60) {
		attempts++;
		delay = control_backoff(delay);
		t += delay;
	}
	assert_int_equal(attempts, 6);	/* at 0, 1, 3, 7, 15, 31 s */
}

static struct ifspec spec(const char *text)
{
	struct ifspec s;

	assert_null(ifspec_parse(text, strlen(text), &s));
	return s;
}

/* A reload made the table anew: what the sets lost, as nft writes it. */
static void test_vanished(void **state)
{
	struct ifspec old[3], now[2];
	char buf[64];

	(void)state;
	old[0] = spec("docker0");
	old[1] = spec("veth*");
	old[2] = spec("br-vms");
	/* Everything gone. */
	assert_int_equal(control_vanished(old, 3, NULL, 0, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "\"docker0\", \"veth*\", \"br-vms\"");
	/* Some kept (the file's elements): only the others are named. */
	now[0] = spec("veth*");
	now[1] = spec("eth9");
	assert_int_equal(control_vanished(old, 3, now, 2, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "\"docker0\", \"br-vms\"");
	/* A name is not the pattern that starts with it. */
	now[0] = spec("veth");
	assert_int_equal(control_vanished(old + 1, 1, now, 1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "\"veth*\"");
	/* Nothing lost. */
	assert_int_equal(control_vanished(old, 1, old, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(control_vanished(NULL, 0, NULL, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* Many lost members: all counted, the list cut with "...", never overrun. */
static void test_vanished_cut(void **state)
{
	struct ifspec old[100];
	char name[16], buf[40];
	unsigned int n;

	(void)state;
	for (unsigned int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "veth%u", i);
		old[i] = spec(name);
	}
	memset(buf, 'x', sizeof(buf));
	n = control_vanished(old, 100, NULL, 0, buf, sizeof(buf));
	assert_int_equal(n, 100);
	assert_true(strlen(buf) < sizeof(buf));
	assert_true(strncmp(buf, "\"veth0\", \"veth1\"", 16) == 0);
	assert_string_equal(buf + strlen(buf) - 3, "...");
	/* No room at all: counted still. */
	assert_int_equal(control_vanished(old, 100, NULL, 0, buf, 0), 100);
	assert_int_equal(control_vanished(old, 100, NULL, 0, buf, 1), 100);
	assert_string_equal(buf, "");
}

/* Why nf_tables refused, from its errno: never from nft's wording. */
static void test_nft_advice(void **state)
{
	(void)state;
	assert_string_equal(control_nft_advice(EPERM),
			    "run ns-monitor as root or with CAP_NET_ADMIN");
	assert_string_equal(control_nft_advice(EACCES),
			    "run ns-monitor as root or with CAP_NET_ADMIN");
	assert_string_equal(control_nft_advice(EINVAL),
			    "this kernel lacks nf_tables; load it (modprobe nf_tables)");
	assert_string_equal(control_nft_advice(EOPNOTSUPP),
			    "this kernel lacks nf_tables; load it (modprobe nf_tables)");
	assert_string_equal(control_nft_advice(EPROTONOSUPPORT),
			    "this kernel lacks nf_tables; load it (modprobe nf_tables)");
	/* nf_tables answered (no table yet), or an errno with no advice. */
	assert_null(control_nft_advice(ENOENT));
	assert_null(control_nft_advice(ENOMEM));
	assert_null(control_nft_advice(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_to_the_cap),
		cmocka_unit_test(test_backoff_attempts_per_minute),
		cmocka_unit_test(test_vanished),
		cmocka_unit_test(test_vanished_cut),
		cmocka_unit_test(test_nft_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
