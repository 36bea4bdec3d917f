/* Unit tests for nlsock_answer_scan() on crafted netlink buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/rtnetlink.h>

#include "nlsock.h"

#define BUF_SIZE 4096
#define SEQ 1000u
#define NFLOG_PACKET ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)

/* Netlink buffers must be 4-byte aligned. */
struct buf {
	union {
		struct nlmsghdr align;
		uint8_t b[BUF_SIZE];
	} u;
	size_t len;
};

static struct nlmsghdr *put(struct buf *b, uint16_t type, uint16_t flags,
			    uint32_t seq, size_t payload)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(b->u.b + b->len);

	assert_true(b->len + mnl_nlmsg_size(payload) + 4 <= BUF_SIZE);
	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, payload);
	b->len += nlh->nlmsg_len;
	return nlh;
}

static void put_error(struct buf *b, uint32_t seq, int error)
{
	struct nlmsghdr *nlh = put(b, NLMSG_ERROR, 0, seq, sizeof(struct nlmsgerr));
	struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	err->error = error;
	err->msg.nlmsg_seq = seq;
}

static void put_data(struct buf *b, uint32_t seq, uint16_t flags)
{
	put(b, RTM_NEWLINK, flags, seq, 16);
}

/* Scan a heap copy of exactly the buffer's length, so ASan sees overreads. */
static int scan(const struct buf *b, const struct nlsock_wait *w)
{
	void *copy = malloc(b->len ? b->len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, b->u.b, b->len);
	errno = 0;
	rc = nlsock_answer_scan(copy, b->len, w);
	free(copy);
	return rc;
}

static unsigned int seen;

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	seen++;
	return MNL_CB_OK;
}

static int fail_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

static int stop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	seen++;
	return MNL_CB_STOP;
}

static const struct nlsock_wait one = { .first_seq = SEQ, .last_seq = SEQ };

static void test_ack_zero(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ, 0);
	assert_int_equal(scan(&b, &one), 1);
}

static void test_ack_error(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ, -EPERM);
	assert_int_equal(scan(&b, &one), -1);
	assert_int_equal(errno, EPERM);
}

/* A positive error (none the kernel sends) must not read as success. */
static void test_ack_positive_error(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ, EEXIST);
	assert_int_equal(scan(&b, &one), -1);
	assert_int_equal(errno, EEXIST);
}

/* Acks of other requests, and errors for them, are not ours. */
static void test_other_sequence(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ - 1, -ENOENT);
	put_error(&b, SEQ + 1, 0);
	assert_int_equal(scan(&b, &one), 0);
	put_error(&b, SEQ, -EBUSY);
	assert_int_equal(scan(&b, &one), -1);
	assert_int_equal(errno, EBUSY);
}

/* Packets queued before the ack (a bound NFLOG group) are skipped. */
static void test_data_before_ack(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put(&b, NFLOG_PACKET, 0, 0, 64);
	put(&b, NFLOG_PACKET, 0, 0, 40);
	put_error(&b, SEQ, 0);
	assert_int_equal(scan(&b, &one), 1);
}

/* An error message too short for its header: a clear error, no read past. */
static void test_truncated_error(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put(&b, NLMSG_ERROR, 0, SEQ, sizeof(int));
	assert_int_equal(scan(&b, &one), -1);
	assert_int_equal(errno, EBADMSG);
}

/* The ack cut short by the buffer's end: not there yet, and not read. */
static void test_truncated_buffer(void **state)
{
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ, 0);
	b.len -= 4;
	assert_int_equal(scan(&b, &one), 0);
	b.len = sizeof(struct nlmsghdr) - 1;
	assert_int_equal(scan(&b, &one), 0);
	b.len = 0;
	assert_int_equal(scan(&b, &one), 0);
}

/* A length past the buffer (or that wraps) stops the walk. */
static void test_huge_length(void **state)
{
	struct buf b = { .len = 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = put(&b, RTM_NEWLINK, 0, SEQ, 16);
	put_error(&b, SEQ, 0);
	nlh->nlmsg_len = 0xfffffffcu;
	assert_int_equal(scan(&b, &one), 0);
	nlh->nlmsg_len = 0x80000000u;
	assert_int_equal(scan(&b, &one), 0);
}

/* A dump: data to the callback, then NLMSG_DONE ends it. */
static void test_dump_done(void **state)
{
	struct buf b = { .len = 0 };
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ,
				 .cb = count_cb };

	(void)state;
	seen = 0;
	put_data(&b, SEQ, NLM_F_MULTI);
	put_data(&b, SEQ, NLM_F_MULTI);
	assert_int_equal(scan(&b, &w), 0);
	assert_int_equal(seen, 2);
	put(&b, NLMSG_DONE, NLM_F_MULTI, SEQ, sizeof(int));
	seen = 0;
	assert_int_equal(scan(&b, &w), 1);
	assert_int_equal(seen, 2);
}

/* Data of another sequence goes to the callback only with `events`. */
static void test_events(void **state)
{
	struct buf b = { .len = 0 };
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ,
				 .cb = count_cb };

	(void)state;
	put_data(&b, 0, 0);
	put_data(&b, 4242, 0);	/* an event caused by someone's request */
	put_data(&b, SEQ, NLM_F_MULTI);
	put(&b, NLMSG_DONE, NLM_F_MULTI, 4242, sizeof(int));
	seen = 0;
	assert_int_equal(scan(&b, &w), 0);
	assert_int_equal(seen, 1);
	w.events = true;
	seen = 0;
	assert_int_equal(scan(&b, &w), 0);
	assert_int_equal(seen, 3);
}

static void test_callback_error(void **state)
{
	struct buf b = { .len = 0 };
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ,
				 .cb = fail_cb };

	(void)state;
	put_data(&b, SEQ, 0);
	put_error(&b, SEQ, 0);
	assert_int_equal(scan(&b, &w), -1);
	assert_int_equal(errno, ENOMEM);
}

static void test_callback_stop(void **state)
{
	struct buf b = { .len = 0 };
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ,
				 .cb = stop_cb };

	(void)state;
	put_data(&b, SEQ, 0);
	put_data(&b, SEQ, 0);
	seen = 0;
	assert_int_equal(scan(&b, &w), 1);
	assert_int_equal(seen, 1);
}

/* A dump the kernel marks interrupted is not whole: an error, but for an event socket. */
static void test_dump_interrupted(void **state)
{
	struct buf b = { .len = 0 };
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ,
				 .cb = count_cb };

	(void)state;
	put_data(&b, SEQ, NLM_F_MULTI | NLM_F_DUMP_INTR);
	put(&b, NLMSG_DONE, NLM_F_MULTI, SEQ, sizeof(int));
	assert_int_equal(scan(&b, &w), -1);
	assert_int_equal(errno, EINTR);
	/* A socket that hears the events gets the changes as events. */
	w.events = true;
	seen = 0;
	assert_int_equal(scan(&b, &w), 1);
	assert_int_equal(seen, 1);
}

/* A batch: an error on any of its messages, the begin one included. */
static void test_batch_range(void **state)
{
	struct nlsock_wait w = { .first_seq = SEQ, .last_seq = SEQ + 2 };
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, SEQ, -EPERM);
	assert_int_equal(scan(&b, &w), -1);
	assert_int_equal(errno, EPERM);
	b.len = 0;
	put_error(&b, SEQ + 1, 0);
	assert_int_equal(scan(&b, &w), 1);
	b.len = 0;
	put_error(&b, SEQ + 3, -EPERM);
	assert_int_equal(scan(&b, &w), 0);
}

/* A range across the wrap of the 32-bit sequence number. */
static void test_sequence_wrap(void **state)
{
	struct nlsock_wait w = { .first_seq = 0xffffffffu, .last_seq = 1 };
	struct buf b = { .len = 0 };

	(void)state;
	put_error(&b, 0x7fffffffu, -EPERM);
	assert_int_equal(scan(&b, &w), 0);
	put_error(&b, 0, -ENOENT);
	assert_int_equal(scan(&b, &w), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack_zero),
		cmocka_unit_test(test_ack_error),
		cmocka_unit_test(test_ack_positive_error),
		cmocka_unit_test(test_other_sequence),
		cmocka_unit_test(test_data_before_ack),
		cmocka_unit_test(test_truncated_error),
		cmocka_unit_test(test_truncated_buffer),
		cmocka_unit_test(test_huge_length),
		cmocka_unit_test(test_dump_done),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_dump_interrupted),
		cmocka_unit_test(test_batch_range),
		cmocka_unit_test(test_sequence_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
