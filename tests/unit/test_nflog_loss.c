/* NFLOG loss accounting: counted at the overrun, reconciled with the gaps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "intake.h"

static void setup_intake(struct intake *r, struct intake_group *g,
			 unsigned int n)
{
	memset(r, 0, sizeof(*r));
	memset(g, 0, n * sizeof(*g));
	r->groups = g;
	r->ngroups = n;
	for (unsigned int i = 0; i < n; i++)
		g[i].num = (uint16_t)(135 + i);
}

/* Issue 9 item 10: before, nothing was counted until the next message. */
static void test_overrun_counts_at_once(void **state)
{
	struct intake r;
	struct intake_group g[1];

	(void)state;
	setup_intake(&r, g, 1);
	intake_seq(&r, &g[0], 0);
	intake_seq(&r, &g[0], 1);
	assert_int_equal(r.c.nflog_lost, 0);
	intake_overrun(&r);
	assert_int_equal(r.c.nflog_lost, 1);
	assert_int_equal(r.c.nflog_lost_pending, 1);
	/* The next message shows 5 lost: 4 more, not 5 (no double count). */
	intake_seq(&r, &g[0], 7);
	assert_int_equal(r.c.nflog_lost, 5);
	assert_int_equal(r.c.nflog_lost_pending, 0);
	assert_int_equal(r.c.nflog_lost_credit, 0);
	intake_seq(&r, &g[0], 8);
	assert_int_equal(r.c.nflog_lost, 5);
}

/* Two groups: the loss belonged to the second; the first shows no gap. */
static void test_two_groups(void **state)
{
	struct intake r;
	struct intake_group g[2];

	(void)state;
	setup_intake(&r, g, 2);
	intake_seq(&r, &g[0], 0);
	intake_seq(&r, &g[1], 0);
	intake_overrun(&r);
	intake_overrun(&r);	/* a second one before any message */
	assert_int_equal(r.c.nflog_lost, 2);
	assert_int_equal(r.c.nflog_lost_pending, 2);
	intake_seq(&r, &g[0], 1);	/* no gap here */
	assert_int_equal(r.c.nflog_lost, 2);
	assert_int_equal(r.c.nflog_lost_pending, 1);
	intake_seq(&r, &g[1], 4);	/* 3 lost: one more than counted */
	assert_int_equal(r.c.nflog_lost, 3);
	assert_int_equal(r.c.nflog_lost_pending, 0);
	assert_int_equal(r.c.nflog_lost_credit, 0);
}

/* Gaps without an overrun seen (a sequence wrap included) count as before. */
static void test_plain_gap(void **state)
{
	struct intake r;
	struct intake_group g[1];

	(void)state;
	setup_intake(&r, g, 1);
	g[0].next_seq = 0xfffffffeu;
	intake_seq(&r, &g[0], 1);
	assert_int_equal(r.c.nflog_lost, 3);
	assert_int_equal(r.c.nflog_lost_pending, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrun_counts_at_once),
		cmocka_unit_test(test_two_groups),
		cmocka_unit_test(test_plain_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
