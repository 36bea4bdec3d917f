/* Logging: stderr in the foreground, syslog as a daemon. */
#ifndef NS_MONITOR_LOG_H
#define NS_MONITOR_LOG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

void log_init(bool to_syslog, int verbose);
void log_to_syslog(void);

/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool log_debug_enabled(void);

/*
 * An interface's name for a log line, in buf: its name, or its index as a
 * number when it has none (0, or gone already).
 */
const char *log_ifname(unsigned int ifindex, char buf[IF_NAMESIZE]);

/*
 * Per-packet warnings go through a limiter so that a hostile sender cannot
 * flood the log: at most `burst` messages per `interval_s` seconds per
 * limiter; the number suppressed is reported with the next one let through.
 */
struct log_limit {
	uint64_t window_start_ns;
	unsigned int interval_s;
	unsigned int burst;
	unsigned int printed;
	unsigned long suppressed;
};

#define LOG_LIMIT_INIT(interval, n) { 0, (interval), (n), 0, 0 }

void log_warnx_limited(struct log_limit *lim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
