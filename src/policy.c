/* Relay policy: per-target hold-down and a global token bucket. */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define NSEC_PER_SEC 1000000000ull

static uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser: cheap, and all input bits reach all outputs. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint32_t holddown_set(const struct holddown *hd, uint32_t key,
			     const struct in6_addr *t)
{
	uint64_t a, b;

	memcpy(&a, &t->s6_addr[0], 8);
	memcpy(&b, &t->s6_addr[8], 8);
	return (uint32_t)(mix64(mix64(a ^ hd->seed) ^ b ^ ((uint64_t)key << 32)) &
			  (hd->nsets - 1));
}

int holddown_init(struct holddown *hd, uint32_t capacity, uint64_t window_ns,
		  uint64_t seed)
{
	uint32_t nsets = 1;

	while (nsets * HOLDDOWN_WAYS < capacity && nsets < (1u << 24))
		nsets <<= 1;
	memset(hd, 0, sizeof(*hd));
	hd->entries = calloc((size_t)nsets * HOLDDOWN_WAYS, sizeof(*hd->entries));
	if (!hd->entries)
		return -1;
	hd->nsets = nsets;
	hd->window = window_ns;
	hd->seed = seed;
	return 0;
}

void holddown_free(struct holddown *hd)
{
	free(hd->entries);
	hd->entries = NULL;
}

bool holddown_contains(const struct holddown *hd, uint32_t key,
		       const struct in6_addr *target, uint64_t now)
{
	const struct holddown_entry *set;

	set = &hd->entries[(size_t)holddown_set(hd, key, target) * HOLDDOWN_WAYS];
	for (unsigned int i = 0; i < HOLDDOWN_WAYS; i++)
		if (set[i].expires > now && set[i].key == key &&
		    memcmp(&set[i].target, target, sizeof(*target)) == 0)
			return true;
	return false;
}

bool holddown_hit(struct holddown *hd, uint32_t key,
		  const struct in6_addr *target, uint64_t now)
{
	struct holddown_entry *set, *victim;

	if (holddown_contains(hd, key, target, now))
		return true;
	/* A free or expired way, else the one expiring first. */
	set = &hd->entries[(size_t)holddown_set(hd, key, target) * HOLDDOWN_WAYS];
	victim = &set[0];
	for (unsigned int i = 1; i < HOLDDOWN_WAYS; i++)
		if (set[i].expires < victim->expires)
			victim = &set[i];
	if (victim->expires > now)
		hd->evictions++;
	victim->target = *target;
	victim->key = key;
	victim->expires = now + hd->window;
	return false;
}

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
