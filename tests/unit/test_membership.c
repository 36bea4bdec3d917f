/*
 * Unit tests for group membership: each group's masters and slaves, kept
 * once, as names and patterns, and its bindings; what is copied at init,
 * what is taken over later, and the look-ups the other parts read it
 * through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "membership.h"

static struct ifspec spec(const char *text)
{
	struct ifspec s;

	assert_null(ifspec_parse(text, strlen(text), &s));
	return s;
}

/* A malloc'd array of the specs given as text, for membership_take(). */
static struct ifspec *specs(unsigned int n, const char *const *text)
{
	struct ifspec *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	for (unsigned int i = 0; i < n; i++)
		v[i] = spec(text[i]);
	return v;
}

static void test_init_copies_each_group(void **state)
{
	const uint16_t nums[] = { 7, 3 };
	struct ifspec m[] = { spec("eth0") };
	struct ifspec s[] = { spec("veth*"), spec("tap1") };
	const struct membership_group *g7, *g3;
	const struct ifspec *got;
	struct membership mb;
	unsigned int n;

	(void)state;
	assert_int_equal(membership_init(&mb, nums, 2, m, 1, s, 2), 0);
	/* Copied: what the command line holds may change or go. */
	memset(m, 0, sizeof(m));
	memset(s, 0, sizeof(s));
	g7 = membership_group(&mb, 7);
	g3 = membership_group(&mb, 3);
	assert_non_null(g7);
	assert_non_null(g3);
	assert_ptr_not_equal(g7, g3);
	assert_int_equal(g7->num, 7);
	assert_int_equal(g3->num, 3);
	assert_null(membership_group(&mb, 5));
	got = membership_specs(g3, MEMBER_MASTER, &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "eth0");
	assert_false(got[0].prefix);
	got = membership_specs(g7, MEMBER_SLAVE, &n);
	assert_int_equal(n, 2);
	assert_string_equal(got[0].name, "veth");
	assert_true(got[0].prefix);
	assert_string_equal(got[1].name, "tap1");
	/* Each group has a copy of its own. */
	assert_ptr_not_equal(got, membership_specs(g3, MEMBER_SLAVE, &n));
	membership_fini(&mb);
	assert_int_equal(mb.ngroups, 0);
	assert_null(membership_group(&mb, 7));
	membership_fini(&mb);	/* twice is harmless */
}

static void test_init_empty(void **state)
{
	const uint16_t nums[] = { 1 };
	struct membership mb;
	unsigned int n = 99;

	(void)state;
	/* Managed mode: the sets fill it later. */
	assert_int_equal(membership_init(&mb, nums, 1, NULL, 0, NULL, 0), 0);
	assert_null(membership_specs(membership_group(&mb, 1), MEMBER_MASTER,
				     &n));
	assert_int_equal(n, 0);
	assert_false(membership_by_pattern(membership_group(&mb, 1),
					   MEMBER_SLAVE, "eth0"));
	membership_fini(&mb);
	assert_int_equal(membership_init(&mb, NULL, 0, NULL, 0, NULL, 0), 0);
	assert_null(membership_group(&mb, 0));
	membership_fini(&mb);
}

static void test_take_replaces_one_role(void **state)
{
	const uint16_t nums[] = { 2, 4 };
	const char *const masters[] = { "br0", "bond*" };
	const char *const slaves[] = { "vm1" };
	struct ifspec m0[] = { spec("eth0") };
	const struct membership_group *g;
	const struct ifspec *got;
	struct membership mb;
	unsigned int n;

	(void)state;
	assert_int_equal(membership_init(&mb, nums, 2, m0, 1, NULL, 0), 0);
	membership_take(&mb, 4, MEMBER_MASTER, specs(2, masters), 2);
	g = membership_group(&mb, 4);
	got = membership_specs(g, MEMBER_MASTER, &n);
	assert_int_equal(n, 2);
	assert_string_equal(got[0].name, "br0");
	assert_string_equal(got[1].name, "bond");
	/* The slaves, and the other group, stay as they were. */
	assert_null(membership_specs(g, MEMBER_SLAVE, &n));
	assert_int_equal(n, 0);
	got = membership_specs(membership_group(&mb, 2), MEMBER_MASTER, &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "eth0");
	membership_take(&mb, 4, MEMBER_SLAVE, specs(1, slaves), 1);
	got = membership_specs(g, MEMBER_SLAVE, &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "vm1");
	/* Emptied: a set with no members. */
	membership_take(&mb, 4, MEMBER_MASTER, NULL, 0);
	assert_null(membership_specs(g, MEMBER_MASTER, &n));
	assert_int_equal(n, 0);
	/* Not one of ours: freed, nothing changes (ASan sees a leak). */
	membership_take(&mb, 9, MEMBER_SLAVE, specs(1, slaves), 1);
	assert_null(membership_group(&mb, 9));
	membership_fini(&mb);
}

/* A malloc'd array of n bindings "tap<i> = 2001:db8::<i>". */
static struct engine_binding *binds(unsigned int n)
{
	struct engine_binding *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(v[i].ifname, sizeof(v[i].ifname), "tap%u", i);
		v[i].lo.s6_addr[0] = 0x20;
		v[i].lo.s6_addr[15] = (uint8_t)i;
		v[i].hi = v[i].lo;
	}
	return v;
}

static void test_take_binds(void **state)
{
	const uint16_t nums[] = { 2, 4 };
	const struct engine_binding *got;
	const struct membership_group *g;
	struct engine_binding *b;
	struct membership mb;
	unsigned int n = 99;

	(void)state;
	assert_int_equal(membership_init(&mb, nums, 2, NULL, 0, NULL, 0), 0);
	/* None at init: the command line's are control's to give. */
	g = membership_group(&mb, 4);
	assert_null(membership_binds(g, &n));
	assert_int_equal(n, 0);
	b = binds(2);
	membership_take_binds(&mb, 4, b, 2);
	/* Taken over, not copied: the one copy. */
	got = membership_binds(g, &n);
	assert_ptr_equal(got, b);
	assert_int_equal(n, 2);
	assert_string_equal(got[1].ifname, "tap1");
	assert_int_equal(got[1].lo.s6_addr[15], 1);
	/* The other group, and the members, stay as they were. */
	assert_null(membership_binds(membership_group(&mb, 2), &n));
	assert_int_equal(n, 0);
	assert_null(membership_specs(g, MEMBER_SLAVE, &n));
	/* Replaced whole (the old freed: ASan sees a leak or a double free). */
	membership_take_binds(&mb, 4, binds(1), 1);
	got = membership_binds(g, &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].ifname, "tap0");
	/* Emptied: a set with no bindings; a count without array is none. */
	membership_take_binds(&mb, 4, NULL, 3);
	assert_null(membership_binds(g, &n));
	assert_int_equal(n, 0);
	membership_take_binds(&mb, 2, binds(3), 3);
	/* Not one of ours: freed, nothing changes. */
	membership_take_binds(&mb, 9, binds(1), 1);
	assert_null(membership_group(&mb, 9));
	/* What is held at the end is freed by fini. */
	membership_fini(&mb);
	assert_int_equal(mb.ngroups, 0);
}

static void test_by_pattern(void **state)
{
	const uint16_t nums[] = { 1 };
	struct ifspec m[] = { spec("eth0"), spec("br*") };
	struct ifspec s[] = { spec("veth*"), spec("tap1") };
	const struct membership_group *g;
	struct membership mb;

	(void)state;
	assert_int_equal(membership_init(&mb, nums, 1, m, 2, s, 2), 0);
	g = membership_group(&mb, 1);
	assert_true(membership_by_pattern(g, MEMBER_MASTER, "br-lan"));
	assert_false(membership_by_pattern(g, MEMBER_MASTER, "eth01"));
	assert_false(membership_by_pattern(g, MEMBER_MASTER, "veth0"));
	/* A name given is not a pattern: only patterns follow link events. */
	assert_false(membership_by_pattern(g, MEMBER_MASTER, "eth0"));
	assert_true(membership_by_pattern(g, MEMBER_MASTER, "br0"));
	assert_false(membership_by_pattern(g, MEMBER_SLAVE, "tap1"));
	assert_true(membership_by_pattern(g, MEMBER_SLAVE, "veth9"));
	assert_false(membership_by_pattern(g, MEMBER_SLAVE, "br0"));
	membership_fini(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_copies_each_group),
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_take_replaces_one_role),
		cmocka_unit_test(test_take_binds),
		cmocka_unit_test(test_by_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
