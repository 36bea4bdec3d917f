/* askers.c: the upstream's NS remembered until the target's proxy entry is in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "askers.h"

#define SEC 1000000000ull
#define MAX 256			/* the bound the tests give */

static struct askers a;
static struct asker got[MAX];
static unsigned int ngot;

static struct in6_addr addr(const char *s)
{
	struct in6_addr x;

	assert_int_equal(inet_pton(AF_INET6, s, &x), 1);
	return x;
}

static void collect(const struct asker *k, void *data)
{
	(void)data;
	got[ngot++] = *k;
}

static unsigned int take(unsigned int master, const char *target, uint64_t now)
{
	struct in6_addr t = addr(target);

	ngot = 0;
	return askers_take(&a, master, &t, now, collect, NULL);
}

static void note(unsigned int master, const char *target, const char *src,
		 uint8_t mac0, uint64_t now)
{
	struct in6_addr t = addr(target), s = addr(src);
	uint8_t mac[6] = { mac0, 1, 2, 3, 4, 5 };

	askers_note(&a, master, &t, &s, mac, now);
}

static int reset(void **state)
{
	(void)state;
	askers_init(&a, MAX);
	return 0;
}

static int release(void **state)
{
	(void)state;
	askers_free(&a);
	return 0;
}

static void answered_once_with_what_it_said(void **state)
{
	struct in6_addr src = addr("2001:db8:1::2");

	(void)state;
	note(3, "2001:db8:1::100", "2001:db8:1::2", 0x02, 5 * SEC);
	assert_int_equal(take(3, "2001:db8:1::100", 5 * SEC + 1000), 1);
	assert_memory_equal(&got[0].src, &src, sizeof(src));
	assert_int_equal(got[0].mac[0], 0x02);
	assert_int_equal(got[0].master, 3);
	/* Taken: not answered twice. */
	assert_int_equal(take(3, "2001:db8:1::100", 5 * SEC + 2000), 0);
	assert_int_equal(a.noted, 1);
	assert_int_equal(a.answered, 1);
}

static void only_that_target_on_that_master(void **state)
{
	(void)state;
	note(3, "2001:db8:1::100", "2001:db8:1::2", 1, SEC);
	note(4, "2001:db8:1::100", "2001:db8:1::2", 1, SEC);
	note(3, "2001:db8:1::101", "2001:db8:1::2", 1, SEC);
	assert_int_equal(take(3, "2001:db8:1::100", SEC), 1);
	assert_int_equal(take(3, "2001:db8:1::100", SEC), 0);
	assert_int_equal(take(4, "2001:db8:1::100", SEC), 1);
	assert_int_equal(take(3, "2001:db8:1::101", SEC), 1);
}

/* Two upstream neighbors asking for one target: both answered. */
static void every_solicitor(void **state)
{
	(void)state;
	note(3, "2001:db8:1::100", "2001:db8:1::2", 1, SEC);
	note(3, "2001:db8:1::100", "2001:db8:1::3", 2, SEC);
	assert_int_equal(take(3, "2001:db8:1::100", SEC), 2);
}

/* A retransmission refreshes its NS, and the newest MAC wins. */
static void retransmission_takes_no_slot(void **state)
{
	(void)state;
	note(3, "2001:db8:1::100", "2001:db8:1::2", 1, SEC);
	note(3, "2001:db8:1::100", "2001:db8:1::2", 7, 2 * SEC);
	assert_int_equal(a.noted, 1);
	/* Alive 3 s after the retransmission, not after the first. */
	assert_int_equal(take(3, "2001:db8:1::100", 4 * SEC), 1);
	assert_int_equal(got[0].mac[0], 7);
}

/* The upstream gave up 3 s after its last NS: not answered then. */
static void too_old_is_not_answered(void **state)
{
	(void)state;
	note(3, "2001:db8:1::100", "2001:db8:1::2", 1, SEC);
	assert_int_equal(take(3, "2001:db8:1::100", SEC + ASKER_TTL_NS), 0);
	assert_int_equal(a.answered, 0);
}

/* Bounded: the oldest is forgotten first, the newest kept. */
static void full_ring_forgets_the_oldest(void **state)
{
	char t[64];

	(void)state;
	for (unsigned int i = 0; i <= MAX; i++) {
		snprintf(t, sizeof(t), "2001:db8:1::%x", 0x1000 + i);
		note(3, t, "2001:db8:1::2", 1, SEC + i);
	}
	assert_int_equal(a.forgotten, 1);
	assert_int_equal(take(3, "2001:db8:1::1000", 2 * SEC), 0);
	assert_int_equal(take(3, "2001:db8:1::1001", 2 * SEC), 1);
	snprintf(t, sizeof(t), "2001:db8:1::%x", 0x1000 + MAX);
	assert_int_equal(take(3, t, 2 * SEC), 1);
}

/* No compile-time cap: a burst of 5000 targets is remembered whole. */
static void a_burst_beyond_256(void **state)
{
	char t[64];

	(void)state;
	askers_free(&a);
	askers_init(&a, 8192);
	for (unsigned int i = 0; i < 5000; i++) {
		snprintf(t, sizeof(t), "2001:db8:1::%x", 0x1000 + i);
		note(3, t, "2001:db8:1::2", 1, SEC + i);
	}
	assert_int_equal(a.noted, 5000);
	assert_int_equal(a.forgotten, 0);
	for (unsigned int i = 0; i < 5000; i += 499) {
		snprintf(t, sizeof(t), "2001:db8:1::%x", 0x1000 + i);
		assert_int_equal(take(3, t, 2 * SEC), 1);
	}
}

/* Answered and too old ones leave their slot to the next NS. */
static void slots_used_again(void **state)
{
	char t[64];

	(void)state;
	askers_free(&a);
	askers_init(&a, 4);
	for (unsigned int i = 0; i < 4; i++) {
		snprintf(t, sizeof(t), "2001:db8:1::%x", 0x1000 + i);
		note(3, t, "2001:db8:1::2", 1, SEC);
	}
	assert_int_equal(take(3, "2001:db8:1::1000", SEC), 1);
	note(3, "2001:db8:1::2000", "2001:db8:1::2", 1, SEC);
	assert_int_equal(a.forgotten, 0);
	/* Later than the upstream waits: all free again. */
	for (unsigned int i = 0; i < 4; i++) {
		snprintf(t, sizeof(t), "2001:db8:1::%x", 0x3000 + i);
		note(3, t, "2001:db8:1::2", 1, SEC + ASKER_TTL_NS);
	}
	assert_int_equal(a.forgotten, 0);
	assert_int_equal(a.n, 4);
	assert_int_equal(take(3, "2001:db8:1::3003", SEC + ASKER_TTL_NS), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(answered_once_with_what_it_said, reset, release),
		cmocka_unit_test_setup_teardown(only_that_target_on_that_master, reset, release),
		cmocka_unit_test_setup_teardown(every_solicitor, reset, release),
		cmocka_unit_test_setup_teardown(retransmission_takes_no_slot, reset, release),
		cmocka_unit_test_setup_teardown(too_old_is_not_answered, reset, release),
		cmocka_unit_test_setup_teardown(full_ring_forgets_the_oldest, reset, release),
		cmocka_unit_test_setup_teardown(a_burst_beyond_256, reset, release),
		cmocka_unit_test_setup_teardown(slots_used_again, reset, release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
