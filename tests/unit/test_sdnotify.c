/* Unit tests for the service manager's protocol: NOTIFY_SOCKET, WATCHDOG_*. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

static void test_socket_path(void **state)
{
	struct sockaddr_un sa;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(sdnotify_parse_socket("/run/systemd/notify", &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	/* The path and its NUL. */
	assert_int_equal(len, SUN_OFF + strlen("/run/systemd/notify") + 1);
}

static void test_socket_abstract(void **state)
{
	struct sockaddr_un sa;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(sdnotify_parse_socket("@ns/notify", &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	/* A leading NUL, then the name, and no NUL counted after it. */
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "ns/notify", 9);
	assert_int_equal(len, SUN_OFF + 1 + 9);
}

static void test_socket_refused(void **state)
{
	static const char *const bad[] = {
		"", "relative/path", "notify", "@", "vsock:2:1234", " /run/x",
	};
	struct sockaddr_un sa;
	socklen_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(sdnotify_parse_socket(bad[i], &sa, &len), -1);
		assert_int_equal(errno, EINVAL);
	}
	errno = 0;
	assert_int_equal(sdnotify_parse_socket(NULL, &sa, &len), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_socket_length(void **state)
{
	struct sockaddr_un sa;
	char v[sizeof(sa.sun_path) + 2];
	socklen_t len = 0;

	(void)state;
	/* A path fills sun_path with its NUL: 107 characters. */
	memset(v, 'a', sizeof(v));
	v[0] = '/';
	v[sizeof(sa.sun_path) - 1] = '\0';
	assert_int_equal(sdnotify_parse_socket(v, &sa, &len), 0);
	assert_int_equal(len, sizeof(sa));
	v[sizeof(sa.sun_path) - 1] = 'a';
	v[sizeof(sa.sun_path)] = '\0';
	errno = 0;
	assert_int_equal(sdnotify_parse_socket(v, &sa, &len), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* An abstract name needs no NUL: 108 bytes with its leading one. */
	v[0] = '@';
	assert_int_equal(sdnotify_parse_socket(v, &sa, &len), 0);
	assert_int_equal(len, sizeof(sa));
	assert_int_equal(sa.sun_path[0], '\0');
	assert_int_equal(sa.sun_path[sizeof(sa.sun_path) - 1], 'a');
	v[sizeof(sa.sun_path)] = 'a';
	v[sizeof(sa.sun_path) + 1] = '\0';
	errno = 0;
	assert_int_equal(sdnotify_parse_socket(v, &sa, &len), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void test_watchdog_on(void **state)
{
	uint64_t usec = 0;

	(void)state;
	assert_int_equal(sdnotify_parse_watchdog("400000", NULL, 42, &usec), 1);
	assert_int_equal(usec, 400000);
	usec = 0;
	assert_int_equal(sdnotify_parse_watchdog("10000000", "42", 42, &usec), 1);
	assert_int_equal(usec, 10000000);
	assert_int_equal(sdnotify_parse_watchdog("1", NULL, 42, &usec), 1);
	assert_int_equal(usec, 1);
	/* The largest that still counts in ns. */
	assert_int_equal(sdnotify_parse_watchdog("18446744073709551", NULL, 42,
						 &usec), 1);
	assert_int_equal(usec, 18446744073709551ull);
}

static void test_watchdog_off(void **state)
{
	uint64_t usec = 7;

	(void)state;
	/* Unset: off, whatever WATCHDOG_PID says. */
	assert_int_equal(sdnotify_parse_watchdog(NULL, NULL, 42, &usec), 0);
	assert_int_equal(sdnotify_parse_watchdog(NULL, "42", 42, &usec), 0);
	/* Another process's watchdog (--daemon's launcher, a parent's). */
	assert_int_equal(sdnotify_parse_watchdog("400000", "41", 42, &usec), 0);
	assert_int_equal(sdnotify_parse_watchdog("400000", "1", 42, &usec), 0);
	assert_int_equal(usec, 7);
}

static void test_watchdog_refused(void **state)
{
	static const char *const bad_usec[] = {
		"", "0", "-1", "+5", " 5", "5 ", "5s", "0x10", "1.5",
		"18446744073709552",		/* UINT64_MAX / 1000 + 1 */
		"18446744073709551615",		/* UINT64_MAX: infinity */
		"18446744073709551616",		/* past 64 bits */
	};
	static const char *const bad_pid[] = {
		"", "0", "-42", "42x", "2147483648", "99999999999999999999",
	};
	uint64_t usec = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_usec) / sizeof(bad_usec[0]); i++) {
		errno = 0;
		assert_int_equal(sdnotify_parse_watchdog(bad_usec[i], NULL, 42,
							 &usec), -1);
		assert_int_equal(errno, EINVAL);
	}
	for (size_t i = 0; i < sizeof(bad_pid) / sizeof(bad_pid[0]); i++) {
		errno = 0;
		assert_int_equal(sdnotify_parse_watchdog("400000", bad_pid[i], 42,
							 &usec), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(usec, 7);
}

/* From the environment: nothing set, nothing sent, no heartbeat. */
static void test_init_without_manager(void **state)
{
	struct sdnotify n;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "400000", 1);
	sdnotify_init(&n);
	assert_int_equal(n.fd, -1);
	assert_int_equal(sdnotify_watchdog_interval_ns(&n), 0);
	assert_int_equal(sdnotify_send(&n, "READY=1"), 0);
	sdnotify_close(&n);
	unsetenv("WATCHDOG_USEC");
}

/* Over a real socket: the datagram is the state, byte for byte. */
static void test_init_and_send(void **state)
{
	char name[64], env[80], buf[64];
	struct sockaddr_un sa;
	socklen_t len;
	struct sdnotify n;
	ssize_t got;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@ns-monitor-test-%ld", (long)getpid());
	assert_int_equal(sdnotify_parse_socket(name, &sa, &len), 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);

	setenv("NOTIFY_SOCKET", name, 1);
	setenv("WATCHDOG_USEC", "400000", 1);
	snprintf(env, sizeof(env), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", env, 1);
	sdnotify_init(&n);
	assert_true(n.fd != -1);
	assert_int_equal(n.watchdog_usec, 400000);
	assert_int_equal(sdnotify_watchdog_interval_ns(&n), 200000000ull);

	assert_int_equal(sdnotify_send(&n, "READY=1\nMAINPID=7"), 0);
	got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(got, strlen("READY=1\nMAINPID=7"));
	assert_memory_equal(buf, "READY=1\nMAINPID=7", (size_t)got);
	sdnotify_close(&n);
	assert_int_equal(n.fd, -1);

	/* The watchdog of another pid: notifications still go, no heartbeat. */
	setenv("WATCHDOG_PID", "1", 1);
	sdnotify_init(&n);
	assert_true(n.fd != -1);
	assert_int_equal(sdnotify_watchdog_interval_ns(&n), 0);
	sdnotify_close(&n);

	/* Nobody listening any more: an error, not a block or a signal. */
	close(fd);
	sdnotify_init(&n);
	assert_int_equal(sdnotify_send(&n, "STOPPING=1"), -1);
	assert_int_equal(errno, ECONNREFUSED);
	sdnotify_close(&n);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_socket_abstract),
		cmocka_unit_test(test_socket_refused),
		cmocka_unit_test(test_socket_length),
		cmocka_unit_test(test_watchdog_on),
		cmocka_unit_test(test_watchdog_off),
		cmocka_unit_test(test_watchdog_refused),
		cmocka_unit_test(test_init_without_manager),
		cmocka_unit_test(test_init_and_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
