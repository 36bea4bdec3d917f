/*
 * Timestamps at the steps of the hot path, for a bench build only
 * (make TRACE=1): a wake-up, a message read, a packet or a netlink
 * request sent. Each mark is the wall clock (what tcpdump -tt prints, so
 * that the two merge: bench/timeline.py) and a fixed label, kept in
 * memory and written out when the daemon exits, to the file named by
 * NS_MONITOR_TRACE (opened at start, before privileges are dropped).
 * In every other build TRACE() is nothing at all.
 */
#ifndef NS_MONITOR_TRACE_H
#define NS_MONITOR_TRACE_H

#include <stddef.h>

/* Marks kept at most; later ones are dropped (and counted). */
#define TRACE_MARKS 200000

#ifdef NS_MONITOR_TRACE
#define TRACE(label) trace_mark(label)
#define TRACE_START(path) ((void)trace_open(path))
#define TRACE_END() trace_close()
#else
#define TRACE(label) ((void)0)
#define TRACE_START(path) ((void)0)
#define TRACE_END() ((void)0)
#endif

void trace_mark(const char *label);
/* The file the marks go to at trace_close(); -1 when it cannot be opened. */
int trace_open(const char *path);
/* Writes the marks, "SECONDS.MICROSECONDS LABEL" a line, and closes. */
void trace_close(void);
/* Marks kept so far (for the tests). */
size_t trace_count(void);

#endif
