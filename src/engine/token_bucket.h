/*
 * The token bucket the engine paces its asks with. Pure: every function
 * takes the current time, so tests drive a fake clock. Times are
 * CLOCK_MONOTONIC nanoseconds.
 */
#ifndef NS_MONITOR_TOKEN_BUCKET_H
#define NS_MONITOR_TOKEN_BUCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* Token bucket: `rate` tokens per second, at most `burst` saved up. */
struct tokenbucket {
	uint64_t rate;		/* tokens per second, > 0 */
	uint64_t burst;		/* > 0 */
	uint64_t tokens_ns;	/* tokens times 1e9 */
	uint64_t last;
};

void tokenbucket_init(struct tokenbucket *tb, uint64_t rate, uint64_t burst,
		      uint64_t now);
bool tokenbucket_take(struct tokenbucket *tb, uint64_t now);

#endif
