/* The upstream's NS waiting for an answer (askers.h). */
#include <string.h>

#include "askers.h"

static bool waiting(const struct asker *k, uint64_t now)
{
	return k->at && now - k->at < ASKER_TTL_NS;
}

static void note(struct askers *a, unsigned int master,
		 const struct in6_addr *target, const struct in6_addr *src,
		 const uint8_t mac[6], uint64_t now, bool guest)
{
	struct asker *k;

	/* A retransmission refreshes its NS rather than taking a slot. */
	for (unsigned int i = 0; i < ASKERS_MAX; i++) {
		k = &a->v[i];
		if (waiting(k, now) && k->master == master && k->guest == guest &&
		    IN6_ARE_ADDR_EQUAL(&k->target, target) &&
		    IN6_ARE_ADDR_EQUAL(&k->src, src)) {
			memcpy(k->mac, mac, sizeof(k->mac));
			k->at = now;
			return;
		}
	}
	k = &a->v[a->next];
	a->next = (a->next + 1) % ASKERS_MAX;
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

unsigned int askers_take_guests(struct askers *a, const struct in6_addr *target,
				unsigned int lives_on, uint64_t now,
				asker_cb cb, void *data)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ASKERS_MAX; i++) {
		struct asker *k = &a->v[i];

		if (!k->at || !k->guest ||
		    !IN6_ARE_ADDR_EQUAL(&k->target, target))
			continue;
		if (waiting(k, now) && k->master != lives_on) {
			cb(k, data);
			n++;
			a->answered++;
		}
		k->at = 0;
	}
	return n;
}

unsigned int askers_take(struct askers *a, unsigned int master,
			 const struct in6_addr *target, uint64_t now,
			 asker_cb cb, void *data)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ASKERS_MAX; i++) {
		struct asker *k = &a->v[i];

		if (!k->at || k->master != master || k->guest ||
		    !IN6_ARE_ADDR_EQUAL(&k->target, target))
			continue;
		if (waiting(k, now)) {
			cb(k, data);
			n++;
			a->answered++;
		}
		k->at = 0;
	}
	return n;
}
