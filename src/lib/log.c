/* Logging: stderr in the foreground, syslog as a daemon. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "log.h"

static bool use_syslog;
static int verbosity;

void log_init(bool to_syslog, int verbose)
{
	verbosity = verbose;
	if (to_syslog)
		log_to_syslog();
}

void log_to_syslog(void)
{
	if (use_syslog)
		return;
	openlog("ns-monitor", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = true;
}

static void vlog(int pri, const char *fmt, va_list ap, int errnum)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_syslog) {
		if (errnum)
			syslog(pri, "%s: %s", msg, strerror(errnum));
		else
			syslog(pri, "%s", msg);
		return;
	}
	if (errnum)
		fprintf(stderr, "ns-monitor: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "ns-monitor: %s\n", msg);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

bool log_debug_enabled(void)
{
	return verbosity > 0;
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity <= 0)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void log_warnx_limited(struct log_limit *lim, const char *fmt, ...)
{
	uint64_t now = monotonic_ns();
	va_list ap;

	if (lim->window_start_ns == 0 ||
	    now - lim->window_start_ns >= (uint64_t)lim->interval_s * 1000000000ull) {
		if (lim->suppressed)
			log_warnx("%lu similar warnings suppressed", lim->suppressed);
		lim->window_start_ns = now;
		lim->printed = 0;
		lim->suppressed = 0;
	}
	if (lim->printed >= lim->burst) {
		lim->suppressed++;
		return;
	}
	lim->printed++;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

const char *log_ifname(unsigned int ifindex, char buf[IF_NAMESIZE])
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}
