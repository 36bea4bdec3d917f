/* The token bucket. */
#include <stdlib.h>
#include <string.h>

#include "token_bucket.h"

#define NSEC_PER_SEC 1000000000ull

/*
 * One token is NSEC_PER_SEC units and refill adds elapsed_ns * rate units:
 * integer only, no drift, exact for any rate.
 */
void tokenbucket_init(struct tokenbucket *tb, uint64_t rate, uint64_t burst,
		      uint64_t now)
{
	tb->rate = rate ? rate : 1;
	tb->burst = burst ? burst : 1;
	tb->tokens_ns = tb->burst * NSEC_PER_SEC;
	tb->last = now;
}

bool tokenbucket_take(struct tokenbucket *tb, uint64_t now)
{
	uint64_t cap = tb->burst * NSEC_PER_SEC;

	if (now > tb->last) {
		uint64_t elapsed = now - tb->last;

		/* Cap the elapsed time first so the product cannot overflow. */
		if (elapsed > cap / tb->rate + 1)
			tb->tokens_ns = cap;
		else {
			tb->tokens_ns += elapsed * tb->rate;
			if (tb->tokens_ns > cap)
				tb->tokens_ns = cap;
		}
		tb->last = now;
	}
	if (tb->tokens_ns < NSEC_PER_SEC)
		return false;
	tb->tokens_ns -= NSEC_PER_SEC;
	return true;
}
