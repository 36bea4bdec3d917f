/*
 * netmon_dump() when dumps keep losing messages: bounded tries, said once,
 * dumped again at the next read. The socket is a link-time seam: this file
 * defines the nlsock functions netmon.c uses (and the two log calls), so
 * the archive's nlsock.o and log.o are not linked in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "netmon.h"
#include "nlsock.h"

static unsigned int sends;	/* dump requests sent */
static unsigned int waits_failing;	/* answers lost (ENOBUFS) before one ends */
static unsigned int grows;
static unsigned int warnings;
static int fake_fd = -1;

int nlsock_open(struct nlsock *s, int protocol, unsigned int groups,
		bool nonblock)
{
	(void)protocol;
	(void)groups;
	(void)nonblock;
	memset(s, 0, sizeof(*s));
	s->seq = 100;
	return 0;
}

void nlsock_close(struct nlsock *s)
{
	s->nl = NULL;
}

int nlsock_fd(const struct nlsock *s)
{
	(void)s;
	return fake_fd;
}

unsigned int nlsock_next_seq(struct nlsock *s)
{
	return ++s->seq;
}

int nlsock_grow_rcvbuf(struct nlsock *s, int max)
{
	(void)s;
	grows++;
	return max;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf,
			  size_t len)
{
	(void)nl;
	(void)buf;
	sends++;
	return (ssize_t)len;
}

int nlsock_wait(struct nlsock *s, const struct nlsock_wait *w, int timeout_ms)
{
	(void)s;
	(void)timeout_ms;
	assert_true(w->events);
	assert_true(w->overrun_fails);
	if (waits_failing > 0) {
		waits_failing--;
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

void log_warn(const char *fmt, ...)
{
	(void)fmt;
	warnings++;
}

void log_warnx(const char *fmt, ...)
{
	(void)fmt;
	warnings++;
}

static void on_event(const struct netmon_event *ev, void *data)
{
	(void)ev;
	(void)data;
}

static void reset(unsigned int failing)
{
	sends = grows = warnings = 0;
	waits_failing = failing;
}

/* Overrun twice, then whole: three tries, the buffer grown twice. */
static void test_dump_retried(void **state)
{
	struct netmon m;

	(void)state;
	assert_int_equal(netmon_open(&m, false, on_event, NULL), 0);
	reset(2);
	assert_int_equal(netmon_dump(&m), 0);
	assert_int_equal(sends, 3 + 1);	/* links: 3 tries; addresses: 1 */
	assert_int_equal(grows, 2);
	assert_int_equal(m.overruns, 2);
	assert_false(m.dump_pending);
	assert_int_equal(warnings, 0);
}

/* Overrun for ever: a bounded number of tries, ENOBUFS, said once. */
static void test_dump_bounded(void **state)
{
	struct netmon m;

	(void)state;
	assert_int_equal(netmon_open(&m, true, on_event, NULL), 0);
	reset(1000);
	assert_int_equal(netmon_dump(&m), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(sends, NETMON_DUMP_TRIES);
	assert_int_equal(m.overruns, NETMON_DUMP_TRIES);
	assert_true(m.dump_pending);
	assert_int_equal(warnings, 1);

	/* Again: bounded again, and not said again. */
	reset(1000);
	assert_int_equal(netmon_dump(&m), -1);
	assert_int_equal(sends, NETMON_DUMP_TRIES);
	assert_int_equal(warnings, 0);
}

/* A dump that gave up is done at the next read, with no new overrun. */
static void test_pending_dump_at_next_read(void **state)
{
	int sv[2];
	struct netmon m;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	fake_fd = sv[0];
	assert_int_equal(netmon_open(&m, true, on_event, NULL), 0);
	reset(1000);
	assert_int_equal(netmon_dump(&m), -1);
	assert_true(m.dump_pending);

	reset(0);
	netmon_read(&m);	/* nothing to read: EAGAIN at once */
	/* links, addresses, routes, neighbors, forwarding settings */
	assert_int_equal(sends, 5);
	assert_false(m.dump_pending);

	reset(0);
	netmon_read(&m);
	assert_int_equal(sends, 0);
	fake_fd = -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_retried),
		cmocka_unit_test(test_dump_bounded),
		cmocka_unit_test(test_pending_dump_at_next_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
