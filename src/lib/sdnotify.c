/* The service manager's notification protocol, without libsystemd. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

/* A plain decimal number: digits only, no sign, no blanks, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int sdnotify_parse_socket(const char *value, struct sockaddr_un *sa,
			  socklen_t *len)
{
	size_t n;

	if (!value || (value[0] != '/' && value[0] != '@') ||
	    (value[0] == '@' && value[1] == '\0')) {
		errno = EINVAL;
		return -1;
	}
	n = strlen(value);
	/* A path keeps its NUL inside sun_path; an abstract name needs none. */
	if (n + (value[0] == '/') > sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, value, n);
	if (value[0] == '@') {
		sa->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int sdnotify_parse_watchdog(const char *usec, const char *pid, pid_t self,
			    uint64_t *usec_out)
{
	uint64_t u, p;

	if (!usec)
		return 0;
	/* In ns it must fit in 64 bits: the loop counts in ns. */
	if (parse_u64(usec, &u) == -1 || u == 0 || u > UINT64_MAX / 1000) {
		errno = EINVAL;
		return -1;
	}
	if (pid) {
		if (parse_u64(pid, &p) == -1 || p == 0 || p > INT_MAX) {
			errno = EINVAL;
			return -1;
		}
		if ((pid_t)p != self)
			return 0;
	}
	*usec_out = u;
	return 1;
}

void sdnotify_init(struct sdnotify *n)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	int on;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (!sock)
		return;
	if (sdnotify_parse_socket(sock, &n->addr, &n->addrlen) == -1) {
		log_warn("NOTIFY_SOCKET=%s: not a socket path or @name; the service manager will not hear from us",
			 sock);
		return;
	}
	/* Not connected: a datagram each time finds a re-executed manager. */
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd == -1) {
		log_warn("NOTIFY_SOCKET: socket");
		return;
	}
	on = sdnotify_parse_watchdog(usec, getenv("WATCHDOG_PID"), getpid(),
				     &n->watchdog_usec);
	if (on == -1)
		log_warnx("WATCHDOG_USEC=%s, WATCHDOG_PID=%s: not usable; no watchdog",
			  usec, getenv("WATCHDOG_PID") ? getenv("WATCHDOG_PID") : "");
	else if (on == 1)
		log_debug("watchdog: telling the service manager every %llu ms",
			  (unsigned long long)(n->watchdog_usec / 2000));
}

int sdnotify_send(struct sdnotify *n, const char *state)
{
	static struct log_limit limit = LOG_LIMIT_INIT(600, 1);
	size_t len = strlen(state);
	ssize_t sent;
	int saved;

	if (n->fd == -1)
		return 0;
	sent = sendto(n->fd, state, len, MSG_NOSIGNAL | MSG_DONTWAIT,
		      (const struct sockaddr *)&n->addr, n->addrlen);
	if (sent == (ssize_t)len)
		return 0;
	saved = sent >= 0 ? EMSGSIZE : errno;
	log_warnx_limited(&limit, "telling the service manager %.*s: %s",
			  (int)strcspn(state, "\n"), state, strerror(saved));
	errno = saved;
	return -1;
}

uint64_t sdnotify_watchdog_interval_ns(const struct sdnotify *n)
{
	if (n->fd == -1)
		return 0;
	return n->watchdog_usec * 1000 / 2;
}

void sdnotify_close(struct sdnotify *n)
{
	if (n->fd != -1)
		close(n->fd);
	n->fd = -1;
}
