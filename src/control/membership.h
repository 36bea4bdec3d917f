/*
 * Group membership, kept once: for each group, which interfaces are its
 * masters and which its slaves, as names and patterns ("veth*"), and the
 * addresses bound to slaves (--bind, bindings_G). Control is its only
 * writer (the command line in standalone mode, masters_G, slaves_G and
 * bindings_G in managed mode); the relay reads it through a const pointer
 * given at init, and the engine is told by events which members are
 * there and which bindings hold. Pure: no kernel, no interface look-ups.
 */
#ifndef NS_MONITOR_MEMBERSHIP_H
#define NS_MONITOR_MEMBERSHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "ifspec.h"

enum member_role { MEMBER_MASTER, MEMBER_SLAVE, MEMBER_ROLES };

struct membership_group {
	uint16_t num;
	struct ifspec *specs[MEMBER_ROLES];	/* names and patterns (malloc'd) */
	unsigned int nspecs[MEMBER_ROLES];
	struct engine_binding *binds;		/* bindings (malloc'd) */
	unsigned int nbinds;
};

struct membership {
	struct membership_group *groups;	/* ngroups of them, as given */
	unsigned int ngroups;
};

/*
 * One entry per group of nums[0..n), each with masters and slaves as given
 * (copied; either may be NULL with a count of 0). 0, or -1 with errno.
 */
int membership_init(struct membership *m, const uint16_t *nums,
		    unsigned int n, const struct ifspec *masters,
		    unsigned int nmasters, const struct ifspec *slaves,
		    unsigned int nslaves);
void membership_fini(struct membership *m);

/* Group num, or NULL: the one look-up every part uses. */
const struct membership_group *membership_group(const struct membership *m,
						uint16_t num);

/*
 * Make group num's members of role exactly specs[0..n), taken over
 * (malloc'd, freed here, also when group num is not ours).
 */
void membership_take(struct membership *m, uint16_t num,
		     enum member_role role, struct ifspec *specs,
		     unsigned int n);

/* The group's members of role as given, *n of them. */
const struct ifspec *membership_specs(const struct membership_group *g,
				      enum member_role role, unsigned int *n);

/*
 * Make group num's bindings exactly b[0..n), taken over (malloc'd, freed
 * here, also when group num is not ours).
 */
void membership_take_binds(struct membership *m, uint16_t num,
			   struct engine_binding *b, unsigned int n);

/* The group's bindings, *n of them. */
const struct engine_binding *membership_binds(const struct membership_group *g,
					      unsigned int *n);

/* Whether a pattern (not only a name) of role brings ifname in. */
bool membership_by_pattern(const struct membership_group *g,
			   enum member_role role, const char *ifname);

#endif
