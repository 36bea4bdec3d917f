/* Unit tests for the table of route and proxy requests awaiting acks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>

#include "rtnl_pending.h"

/* What the callback was told, in order. */
struct seen {
	struct rtnl_req r[2 * RTNL_PENDING_MAX];
	int err[2 * RTNL_PENDING_MAX];
	bool superseded[2 * RTNL_PENDING_MAX];
	unsigned int n;
};

static void on_outcome(const struct rtnl_req *r, int err, bool superseded,
		       void *data)
{
	struct seen *s = data;

	assert_true(s->n < 2 * RTNL_PENDING_MAX);
	s->r[s->n] = *r;
	s->err[s->n] = err;
	s->superseded[s->n] = superseded;
	s->n++;
}

static struct rtnl_req req(uint32_t seq, enum rtnl_req_kind kind, uint8_t last)
{
	struct rtnl_req r = { .seq = seq, .kind = (uint8_t)kind, .group = 7,
			      .ifindex = 3 };

	r.addr.s6_addr[0] = 0x20;
	r.addr.s6_addr[15] = last;
	return r;
}

/* An ack (err 0) or error message for seq, appended at buf + *len. */
static void put_ack(char *buf, size_t *len, uint32_t seq, int err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + *len);
	struct nlmsgerr *e = NLMSG_DATA(nlh);

	memset(nlh, 0, NLMSG_SPACE(sizeof(*e)));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = seq;
	e->error = -err;
	e->msg.nlmsg_seq = seq;
	*len += NLMSG_SPACE(sizeof(*e));
}

/* Acks in order answer their requests; an error says which one failed. */
static void test_acks_in_order(void **state)
{
	struct rtnl_pending p;
	struct seen s = { .n = 0 };
	struct rtnl_req r;
	char buf[1024];
	size_t len = 0;

	(void)state;
	rtnl_pending_init(&p);
	r = req(100, RTNL_REQ_ROUTE_ADD, 1);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	r = req(101, RTNL_REQ_PROXY_ADD, 1);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	r = req(102, RTNL_REQ_ROUTE_ADD, 2);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	assert_int_equal(rtnl_pending_count(&p), 3);
	put_ack(buf, &len, 100, 0);
	put_ack(buf, &len, 101, 0);
	put_ack(buf, &len, 102, ENODEV);
	assert_int_equal(rtnl_pending_scan(&p, buf, len, on_outcome, &s), 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.r[0].seq, 100);
	assert_int_equal(s.err[0], 0);
	assert_int_equal(s.r[1].kind, RTNL_REQ_PROXY_ADD);
	assert_int_equal(s.r[2].seq, 102);
	assert_int_equal(s.err[2], ENODEV);
	assert_int_equal(s.r[2].addr.s6_addr[15], 2);
	assert_int_equal(s.r[2].group, 7);
	assert_int_equal(s.r[2].ifindex, 3);
	assert_false(s.superseded[2]);
	assert_int_equal(rtnl_pending_count(&p), 0);
	assert_int_equal(p.lost, 0);
}

/* Not ours (another sequence number, or no error message): left alone. */
static void test_unknown_ignored(void **state)
{
	struct rtnl_pending p;
	struct seen s = { .n = 0 };
	struct rtnl_req r = req(5, RTNL_REQ_ROUTE_DEL, 1);
	char buf[1024];
	size_t len = 0;
	struct nlmsghdr *done;

	(void)state;
	rtnl_pending_init(&p);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	put_ack(buf, &len, 4, 0);
	done = (struct nlmsghdr *)(buf + len);
	memset(done, 0, NLMSG_HDRLEN);
	done->nlmsg_len = NLMSG_HDRLEN;
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_seq = 5;
	len += NLMSG_HDRLEN;
	assert_int_equal(rtnl_pending_scan(&p, buf, len, on_outcome, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(rtnl_pending_count(&p), 1);
	/* A cut message stops the walk without reading past the buffer. */
	len = 0;
	put_ack(buf, &len, 5, 0);
	assert_int_equal(rtnl_pending_scan(&p, buf, len - 4, on_outcome, &s), 0);
	assert_int_equal(rtnl_pending_count(&p), 1);
	assert_int_equal(rtnl_pending_scan(&p, buf, len, on_outcome, &s), 1);
	assert_int_equal(rtnl_pending_count(&p), 0);
}

/*
 * An ack that skips older requests: theirs were lost (an overrun), and
 * they are taken as done, counted.
 */
static void test_lost_acks_taken_as_done(void **state)
{
	struct rtnl_pending p;
	struct seen s = { .n = 0 };

	(void)state;
	rtnl_pending_init(&p);
	for (uint32_t k = 0; k < 4; k++) {
		struct rtnl_req r = req(10 + k, RTNL_REQ_ROUTE_ADD, (uint8_t)k);

		assert_int_equal(rtnl_pending_push(&p, &r), 0);
	}
	assert_int_equal(rtnl_pending_answer(&p, 12, EEXIST, on_outcome, &s), 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.r[0].seq, 10);
	assert_int_equal(s.err[0], 0);
	assert_int_equal(s.r[1].seq, 11);
	assert_int_equal(s.err[1], 0);
	assert_int_equal(s.r[2].seq, 12);
	assert_int_equal(s.err[2], EEXIST);
	assert_int_equal(p.lost, 2);
	/* And what is left once the socket is dry after an overrun. */
	assert_int_equal(rtnl_pending_drop(&p, on_outcome, &s), 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.r[3].seq, 13);
	assert_int_equal(s.err[3], 0);
	assert_int_equal(p.lost, 3);
	assert_int_equal(rtnl_pending_count(&p), 0);
	assert_int_equal(rtnl_pending_drop(&p, on_outcome, &s), 0);
}

/* Bounded: a full table takes no more, and wraps around once emptied. */
static void test_full_and_wrap(void **state)
{
	struct rtnl_pending p;
	struct seen s = { .n = 0 };
	struct rtnl_req r;

	(void)state;
	rtnl_pending_init(&p);
	for (uint32_t k = 0; k < RTNL_PENDING_MAX; k++) {
		r = req(0xfffffff0u + k, RTNL_REQ_PROXY_DEL, (uint8_t)k);
		assert_false(rtnl_pending_full(&p));
		assert_int_equal(rtnl_pending_push(&p, &r), 0);
	}
	assert_true(rtnl_pending_full(&p));
	r = req(1000, RTNL_REQ_PROXY_DEL, 0);
	assert_int_equal(rtnl_pending_push(&p, &r), -1);
	assert_int_equal(rtnl_pending_count(&p), RTNL_PENDING_MAX);
	/* Half answered, sequence numbers wrapping past 0 on the way. */
	assert_int_equal(rtnl_pending_answer(&p, 0xfffffff0u + RTNL_PENDING_MAX / 2 - 1,
					     0, on_outcome, &s), 1);
	assert_int_equal(s.n, RTNL_PENDING_MAX / 2);
	for (uint32_t k = 0; k < RTNL_PENDING_MAX / 2; k++) {
		r = req(2000 + k, RTNL_REQ_ROUTE_ADD, (uint8_t)k);
		assert_int_equal(rtnl_pending_push(&p, &r), 0);
	}
	assert_true(rtnl_pending_full(&p));
	assert_int_equal(rtnl_pending_answer(&p, 2000 + RTNL_PENDING_MAX / 2 - 1,
					     0, on_outcome, &s), 1);
	/* Every ack but the two answered was skipped: lost, taken as done. */
	assert_int_equal(s.n, 3 * RTNL_PENDING_MAX / 2);
	assert_int_equal(p.lost, 3 * RTNL_PENDING_MAX / 2 - 2);
	assert_int_equal(s.r[s.n - 1].seq, 2000 + RTNL_PENDING_MAX / 2 - 1);
	assert_int_equal(rtnl_pending_count(&p), 0);
}

/*
 * A later request for the same object stands: the outcome of an earlier
 * one says so (superseded), for routes and proxies apart.
 */
static void test_superseded(void **state)
{
	struct rtnl_pending p;
	struct seen s = { .n = 0 };
	struct rtnl_req r;

	(void)state;
	rtnl_pending_init(&p);
	r = req(1, RTNL_REQ_ROUTE_ADD, 1);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	r = req(2, RTNL_REQ_PROXY_ADD, 1);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	r = req(3, RTNL_REQ_ROUTE_DEL, 1);
	r.ifindex = 4;
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	r = req(4, RTNL_REQ_ROUTE_ADD, 2);
	assert_int_equal(rtnl_pending_push(&p, &r), 0);
	assert_int_equal(rtnl_pending_answer(&p, 1, ENETUNREACH, on_outcome, &s), 1);
	assert_true(s.superseded[0]);		/* the route delete after it */
	assert_int_equal(rtnl_pending_answer(&p, 2, 0, on_outcome, &s), 1);
	assert_false(s.superseded[1]);		/* no proxy request after it */
	assert_int_equal(rtnl_pending_answer(&p, 3, 0, on_outcome, &s), 1);
	assert_false(s.superseded[2]);		/* another address after it */
	assert_int_equal(rtnl_pending_answer(&p, 4, 0, on_outcome, &s), 1);
	assert_false(s.superseded[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acks_in_order),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_lost_acks_taken_as_done),
		cmocka_unit_test(test_full_and_wrap),
		cmocka_unit_test(test_superseded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
