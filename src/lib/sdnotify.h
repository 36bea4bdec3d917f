/*
 * The service manager's notification protocol (sd_notify(3), spoken
 * directly: no libsystemd). Under systemd with Type=notify, NOTIFY_SOCKET
 * names a datagram socket: a path, or an abstract name when it starts
 * with '@'. The daemon sends "READY=1" once set up, "WATCHDOG=1" every
 * half of WATCHDOG_USEC from its event loop (when the watchdog is meant
 * for it: WATCHDOG_PID unset or its own pid), and "STOPPING=1" at exit.
 * Without NOTIFY_SOCKET every send is a no-op.
 *
 * The parsers are pure (strings in, an address or a number out) so that
 * the unit tests need no environment and no socket.
 */
#ifndef NS_MONITOR_SDNOTIFY_H
#define NS_MONITOR_SDNOTIFY_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/*
 * NOTIFY_SOCKET's value as an address: "/path" (absolute) or "@name" (an
 * abstract socket, the '@' becoming the leading NUL byte). 0, or -1 with
 * errno EINVAL (empty, relative, "@" alone, another scheme such as
 * "vsock:") or ENAMETOOLONG (does not fit in sun_path).
 */
int sdnotify_parse_socket(const char *value, struct sockaddr_un *sa,
			  socklen_t *len);

/*
 * The watchdog's timeout for process `self`, from WATCHDOG_USEC and
 * WATCHDOG_PID (either may be NULL: unset). 1 with *usec set when it is
 * on and ours; 0 when it is off (no WATCHDOG_USEC) or meant for another
 * process (WATCHDOG_PID set, not self); -1 with errno EINVAL when a value
 * is not a plain decimal number, or the timeout is 0 or out of range.
 */
int sdnotify_parse_watchdog(const char *usec, const char *pid, pid_t self,
			    uint64_t *usec_out);

struct sdnotify {
	int fd;			/* -1: no service manager to tell */
	struct sockaddr_un addr;
	socklen_t addrlen;
	uint64_t watchdog_usec;	/* 0: no watchdog */
};

/*
 * Read NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the pid checked is
 * the caller's: before --daemon's fork, the launcher's, which hands its
 * role to the daemon with MAINPID=). Never fails: what cannot be used is
 * logged and left off.
 */
void sdnotify_init(struct sdnotify *n);

/*
 * Send one state ("READY=1", several lines allowed). 0, also when there is
 * no service manager; -1 with errno when the datagram did not go (logged,
 * rate-limited). Never blocks.
 */
int sdnotify_send(struct sdnotify *n, const char *state);

/* How often to send "WATCHDOG=1", in ns (half the timeout); 0: never. */
uint64_t sdnotify_watchdog_interval_ns(const struct sdnotify *n);

void sdnotify_close(struct sdnotify *n);

#endif
