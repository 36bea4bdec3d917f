/* Group membership: each group's masters and slaves, kept once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "membership.h"

static int copy_specs(struct ifspec **dst, unsigned int *ndst,
		      const struct ifspec *src, unsigned int n)
{
	*dst = NULL;
	*ndst = 0;
	if (!n)
		return 0;
	*dst = reallocarray(NULL, n, sizeof(**dst));
	if (!*dst)
		return -1;
	memcpy(*dst, src, n * sizeof(**dst));
	*ndst = n;
	return 0;
}

int membership_init(struct membership *m, const uint16_t *nums,
		    unsigned int n, const struct ifspec *masters,
		    unsigned int nmasters, const struct ifspec *slaves,
		    unsigned int nslaves)
{
	memset(m, 0, sizeof(*m));
	if (n && !(m->groups = calloc(n, sizeof(*m->groups))))
		return -1;
	m->ngroups = n;
	for (unsigned int i = 0; i < n; i++) {
		struct membership_group *g = &m->groups[i];

		g->num = nums[i];
		if (copy_specs(&g->specs[MEMBER_MASTER],
			       &g->nspecs[MEMBER_MASTER], masters,
			       nmasters) == -1 ||
		    copy_specs(&g->specs[MEMBER_SLAVE],
			       &g->nspecs[MEMBER_SLAVE], slaves,
			       nslaves) == -1) {
			membership_fini(m);
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

void membership_fini(struct membership *m)
{
	for (unsigned int i = 0; i < m->ngroups; i++)
		for (unsigned int r = 0; r < MEMBER_ROLES; r++)
			free(m->groups[i].specs[r]);
	for (unsigned int i = 0; i < m->ngroups; i++)
		free(m->groups[i].binds);
	free(m->groups);
	memset(m, 0, sizeof(*m));
}

static long find(const struct membership *m, uint16_t num)
{
	for (unsigned int i = 0; i < m->ngroups; i++)
		if (m->groups[i].num == num)
			return i;
	return -1;
}

const struct membership_group *membership_group(const struct membership *m,
						uint16_t num)
{
	long i = find(m, num);

	return i < 0 ? NULL : &m->groups[i];
}

void membership_take(struct membership *m, uint16_t num,
		     enum member_role role, struct ifspec *specs,
		     unsigned int n)
{
	long i = find(m, num);
	struct membership_group *g;

	if (i < 0) {
		free(specs);
		return;
	}
	g = &m->groups[i];
	free(g->specs[role]);
	g->specs[role] = specs;
	g->nspecs[role] = specs ? n : 0;
}

const struct ifspec *membership_specs(const struct membership_group *g,
				      enum member_role role, unsigned int *n)
{
	*n = g->nspecs[role];
	return g->specs[role];
}

void membership_take_binds(struct membership *m, uint16_t num,
			   struct engine_binding *b, unsigned int n)
{
	long i = find(m, num);
	struct membership_group *g;

	if (i < 0) {
		free(b);
		return;
	}
	g = &m->groups[i];
	free(g->binds);
	g->binds = b;
	g->nbinds = b ? n : 0;
}

const struct engine_binding *membership_binds(const struct membership_group *g,
					      unsigned int *n)
{
	*n = g->nbinds;
	return g->binds;
}

bool membership_by_pattern(const struct membership_group *g,
			   enum member_role role, const char *ifname)
{
	for (unsigned int i = 0; i < g->nspecs[role]; i++)
		if (g->specs[role][i].prefix &&
		    ifspec_match(&g->specs[role][i], ifname))
			return true;
	return false;
}
