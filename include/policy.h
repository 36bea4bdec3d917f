/*
 * Relay policy: the per-target hold-down and the global token bucket. Pure:
 * every function takes the current time, so tests drive a fake clock.
 * Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef NS_MONITOR_POLICY_H
#define NS_MONITOR_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Hold-down: a fixed-size, set-associative table of (key, target) pairs,
 * the key a group number or an interface index. A pair seen less than
 * `window` ago is held down; otherwise it is (re)armed.
 * When a set is full the entry that expires first is evicted, so memory never
 * grows and a flood of distinct targets only shortens what is remembered.
 */
#define HOLDDOWN_WAYS 4

struct holddown_entry {
	struct in6_addr target;
	uint64_t expires;	/* 0: free */
	uint32_t key;
};

struct holddown {
	struct holddown_entry *entries;	/* nsets * HOLDDOWN_WAYS */
	uint32_t nsets;			/* power of two */
	uint64_t window;
	uint64_t seed;			/* keyed hash against crafted collisions */
	uint64_t evictions;
};

int holddown_init(struct holddown *hd, uint32_t capacity, uint64_t window_ns,
		  uint64_t seed);
void holddown_free(struct holddown *hd);

/* True if the key was seen within the window (suppress); else arms it. */
bool holddown_hit(struct holddown *hd, uint32_t key,
		  const struct in6_addr *target, uint64_t now);

/* True if the key was armed less than a window ago (does not arm it). */
bool holddown_contains(const struct holddown *hd, uint32_t key,
		       const struct in6_addr *target, uint64_t now);

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
