/* The one clock: CLOCK_MONOTONIC in nanoseconds, never 0. */
#ifndef NS_MONITOR_CLOCK_H
#define NS_MONITOR_CLOCK_H

#include <stdint.h>

uint64_t monotonic_ns(void);

#endif
