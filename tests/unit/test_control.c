/*
 * Unit tests for the --rules reload back-off, the vanished members, the
 * advice on nf_tables errors (pure), and how changed bindings reach the
 * engine and the membership.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
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

/* The engine's side of the bindings event: what it was told, or refused. */
struct told {
	unsigned int calls;
	unsigned int n;			/* of the last call */
	char first[ENGINE_IFNAME_MAX];
	bool refuse;			/* as engine_bindings() without memory */
};

static int on_bindings(void *ctx, uint16_t group,
		       const struct engine_binding *b, size_t n, uint64_t now)
{
	struct told *t = ctx;

	(void)now;
	assert_int_equal(group, 135);
	t->calls++;
	if (t->refuse)
		return -1;
	t->n = (unsigned int)n;
	t->first[0] = '\0';
	if (n)
		strcpy(t->first, b[0].ifname);
	return 0;
}

/* bindings_G as a read leaves it: n bindings named "tapN". */
static void read_as(struct control *c, unsigned int n,
		    const char *const *names)
{
	struct engine_binding *v = n ? calloc(n, sizeof(*v)) : NULL;

	for (unsigned int i = 0; i < n; i++) {
		strcpy(v[i].ifname, names[i]);
		/* The address by the name: the same binding in any order. */
		v[i].lo.s6_addr[15] = (uint8_t)names[i][3];
		v[i].hi = v[i].lo;
	}
	c->groups[0].fresh = v;
	c->groups[0].nfresh = n;
}

static void test_tell_bindings(void **state)
{
	static const uint16_t nums[] = { 135 };
	uint16_t grp[] = { 135 };
	static const char *const ab[] = { "tap0", "tap1" }, *const ba[] = {
		"tap1", "tap0" }, *const b[] = { "tap1" };
	struct config cfg = { 0 };
	struct membership mb;
	struct group_state gs = { 0 };
	struct control c = { 0 };
	struct told t = { 0 };
	const struct engine_binding *got;
	unsigned int n;

	(void)state;
	cfg.groups = grp;
	cfg.ngroups = 1;
	assert_int_equal(membership_init(&mb, nums, 1, NULL, 0, NULL, 0), 0);
	c.cfg = &cfg;
	c.members = &mb;
	c.groups = &gs;
	c.ev = (struct control_events){ .ctx = &t, .bindings = on_bindings };

	/* Nothing told yet, nothing read: the engine has none already. */
	read_as(&c, 0, NULL);
	control_tell_bindings(&c, 0, 1);
	assert_int_equal(t.calls, 0);
	assert_true(gs.binds_told);
	/* New ones: told, and kept once, in the membership. */
	read_as(&c, 2, ab);
	control_tell_bindings(&c, 0, 2);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.n, 2);
	got = membership_binds(membership_group(&mb, 135), &n);
	assert_int_equal(n, 2);
	assert_string_equal(got[0].ifname, "tap0");
	assert_null(gs.fresh);
	/* The same set read again, in another order: nothing to tell. */
	read_as(&c, 2, ba);
	control_tell_bindings(&c, 0, 3);
	assert_int_equal(t.calls, 1);
	/* Refused (no memory): the old stay, and the next read tries again. */
	t.refuse = true;
	read_as(&c, 1, b);
	control_tell_bindings(&c, 0, 4);
	assert_int_equal(t.calls, 2);
	got = membership_binds(membership_group(&mb, 135), &n);
	assert_int_equal(n, 2);
	assert_null(gs.fresh);
	t.refuse = false;
	read_as(&c, 1, b);
	control_tell_bindings(&c, 0, 5);
	assert_int_equal(t.calls, 3);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.first, "tap1");
	got = membership_binds(membership_group(&mb, 135), &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].ifname, "tap1");
	/* Emptied: told, and none kept. */
	read_as(&c, 0, NULL);
	control_tell_bindings(&c, 0, 6);
	assert_int_equal(t.calls, 4);
	assert_int_equal(t.n, 0);
	assert_null(membership_binds(membership_group(&mb, 135), &n));
	membership_fini(&mb);
}

/* Standalone: --bind's are in the membership, the engine has none yet. */
static void test_tell_bindings_first(void **state)
{
	static const uint16_t nums[] = { 135 };
	uint16_t grp[] = { 135 };
	static const char *const a[] = { "tap0" };
	struct engine_binding *given = calloc(1, sizeof(*given));
	struct config cfg = { 0 };
	struct membership mb;
	struct group_state gs = { 0 };
	struct control c = { 0 };
	struct told t = { 0 };

	(void)state;
	assert_non_null(given);
	strcpy(given->ifname, "tap0");
	given->lo.s6_addr[15] = 1;
	given->hi = given->lo;
	cfg.groups = grp;
	cfg.ngroups = 1;
	assert_int_equal(membership_init(&mb, nums, 1, NULL, 0, NULL, 0), 0);
	membership_take_binds(&mb, 135, given, 1);
	c.cfg = &cfg;
	c.members = &mb;
	c.groups = &gs;
	c.ev = (struct control_events){ .ctx = &t, .bindings = on_bindings };
	/* Read back as loaded: equal to the membership's, told all the same. */
	read_as(&c, 1, a);
	control_tell_bindings(&c, 0, 1);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.n, 1);
	membership_fini(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_to_the_cap),
		cmocka_unit_test(test_backoff_attempts_per_minute),
		cmocka_unit_test(test_vanished),
		cmocka_unit_test(test_vanished_cut),
		cmocka_unit_test(test_nft_advice),
		cmocka_unit_test(test_tell_bindings),
		cmocka_unit_test(test_tell_bindings_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
