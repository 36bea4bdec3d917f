/*
 * The NS waiting for the daemon's answer, by target (--proxy-ndp): the
 * upstream's, and guests' for an address elsewhere (askers_note_guest).
 *
 * The kernel answers an NS for a proxy entry only when the NS arrives
 * after the entry: the upstream's first NS for a target not found yet goes
 * unanswered, and its next try comes a second later. So the NS that set a
 * resolution going is remembered here, and answered by the daemon itself
 * the moment the target's proxy entry is in. Part of the engine (intake
 * reports the NS as an event, engine_asker(); the engine hands them to
 * the egress with its answer action). Grown as NS come, up to a bound the
 * options give (the targets that can be in flight at once), the oldest
 * forgotten first beyond it (the upstream then simply asks again). Slots
 * of NS answered or too old are used again, and the memory goes back once
 * none is waiting.
 */
#ifndef NS_MONITOR_ASKERS_H
#define NS_MONITOR_ASKERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* The upstream gives up after 3 NS a second apart (RFC 4861 10). */
#define ASKER_TTL_NS (3ull * 1000000000ull)

struct asker {
	struct in6_addr target;
	struct in6_addr src;		/* the solicitor */
	uint8_t mac[6];			/* ...and its link-layer address */
	unsigned int master;		/* ifindex the NS came in on */
	uint64_t at;			/* when, ns; 0: free */
	bool guest;			/* a guest's NS on a slave (master:
					   that slave) */
};

struct askers {
	struct asker *v;		/* n slots of cap, grown up to max */
	unsigned int n, cap, max;
	unsigned long noted, answered;
	unsigned long forgotten;	/* waiting still, pushed out: max */
};

/* Empty, at most max remembered at once (at least 1). */
void askers_init(struct askers *a, unsigned int max);
/* Every slot forgotten, its memory released; max and counters kept. */
void askers_free(struct askers *a);

/* Remember an NS from src (mac) on master for target; one per src and target. */
void askers_note(struct askers *a, unsigned int master,
		 const struct in6_addr *target, const struct in6_addr *src,
		 const uint8_t mac[6], uint64_t now);

/*
 * A guest's NS on slave for target, for an address elsewhere (the guest
 * has the master's whole prefix on-link): answered by the daemon once the
 * target is found where it lives.
 */
void askers_note_guest(struct askers *a, unsigned int slave,
		       const struct in6_addr *target, const struct in6_addr *src,
		       const uint8_t mac[6], uint64_t now);

typedef void (*asker_cb)(const struct asker *k, void *data);

/*
 * Call cb for each guest's NS for target still waiting, on any slave but
 * lives_on (never answered where it lives), and forget them. How many.
 */
unsigned int askers_take_guests(struct askers *a, const struct in6_addr *target,
				unsigned int lives_on, uint64_t now,
				asker_cb cb, void *data);

/*
 * Call cb for each NS for target on master that is still waiting (younger
 * than ASKER_TTL_NS), and forget them. Returns how many.
 */
unsigned int askers_take(struct askers *a, unsigned int master,
			 const struct in6_addr *target, uint64_t now,
			 asker_cb cb, void *data);

#endif
