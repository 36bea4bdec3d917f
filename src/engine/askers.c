/* The NS waiting for the daemon's answer, kept by the engine (askers.h). */
#include <stdlib.h>
#include <string.h>

#include "askers.h"

static bool waiting(const struct asker *k, uint64_t now)
{
	return k->at && now - k->at < ASKER_TTL_NS;
}

void askers_init(struct askers *a, unsigned int max)
{
	memset(a, 0, sizeof(*a));
	a->max = max ? max : 1;
}

void askers_free(struct askers *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* Room for one more slot, doubling: memory follows use, up to max. */
static int grow(struct askers *a)
{
	unsigned int c = a->cap ? a->cap * 2 : 16;
	struct asker *v;

	if (a->n < a->cap)
		return 0;
	if (c > a->max || c < a->cap)
		c = a->max;
	v = realloc(a->v, (size_t)c * sizeof(*v));
	if (!v)
		return -1;
	a->v = v;
	a->cap = c;
	return 0;
}

/*
 * A slot for a new NS: one that is free (answered, or too old), else a
 * new one while under max, else the oldest's.
 */
static struct asker *slot(struct askers *a, uint64_t now)
{
	struct asker *oldest = NULL;

	for (unsigned int i = 0; i < a->n; i++) {
		struct asker *k = &a->v[i];

		if (!waiting(k, now))
			return k;
		if (!oldest || k->at < oldest->at)
			oldest = k;
	}
	if (a->n < a->max && grow(a) == 0)
		return &a->v[a->n++];
	if (oldest)
		a->forgotten++;
	return oldest;
}

/* None waiting any more: the slots' memory goes back. */
static void release_if_idle(struct askers *a, uint64_t now)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (waiting(&a->v[i], now))
			return;
	askers_free(a);
}

static void note(struct askers *a, unsigned int master,
		 const struct in6_addr *target, const struct in6_addr *src,
		 const uint8_t mac[6], uint64_t now, bool guest)
{
	struct asker *k;

	/* A retransmission refreshes its NS rather than taking a slot. */
	for (unsigned int i = 0; i < a->n; i++) {
		k = &a->v[i];
		if (waiting(k, now) && k->master == master && k->guest == guest &&
		    IN6_ARE_ADDR_EQUAL(&k->target, target) &&
		    IN6_ARE_ADDR_EQUAL(&k->src, src)) {
			memcpy(k->mac, mac, sizeof(k->mac));
			k->at = now;
			return;
		}
	}
	k = slot(a, now);
	if (!k)
		return;		/* out of memory with none to push out */
	*k = (struct asker){ .target = *target, .src = *src,
			     .master = master, .at = now ? now : 1,
			     .guest = guest };
	memcpy(k->mac, mac, sizeof(k->mac));
	a->noted++;
}

void askers_note(struct askers *a, unsigned int master,
		 const struct in6_addr *target, const struct in6_addr *src,
		 const uint8_t mac[6], uint64_t now)
{
	note(a, master, target, src, mac, now, false);
}

void askers_note_guest(struct askers *a, unsigned int slave,
		       const struct in6_addr *target, const struct in6_addr *src,
		       const uint8_t mac[6], uint64_t now)
{
	note(a, slave, target, src, mac, now, true);
}

/*
 * The NS for target, a guest's (guest) or on master, still waiting: cb
 * for each not asked on skip, and all of them forgotten.
 */
static unsigned int take(struct askers *a, bool guest, unsigned int master,
			 unsigned int skip, const struct in6_addr *target,
			 uint64_t now, asker_cb cb, void *data)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->n; i++) {
		struct asker *k = &a->v[i];

		if (!k->at || k->guest != guest || (!guest && k->master != master) ||
		    !IN6_ARE_ADDR_EQUAL(&k->target, target))
			continue;
		if (waiting(k, now) && k->master != skip) {
			cb(k, data);
			n++;
			a->answered++;
		}
		k->at = 0;
	}
	release_if_idle(a, now);
	return n;
}

unsigned int askers_take_guests(struct askers *a, const struct in6_addr *target,
				unsigned int lives_on, uint64_t now,
				asker_cb cb, void *data)
{
	return take(a, true, 0, lives_on, target, now, cb, data);
}

/* An ifindex is never 0: no master's NS is skipped. */
unsigned int askers_take(struct askers *a, unsigned int master,
			 const struct in6_addr *target, uint64_t now,
			 asker_cb cb, void *data)
{
	return take(a, false, master, 0, target, now, cb, data);
}
