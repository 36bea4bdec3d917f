/* The engine's questions about the kernel, queued until intake answers. */
#include <stdlib.h>
#include <string.h>

#include "intake_checks.h"

int intake_checks_post(struct intake_checks *q, uint32_t id,
		       const struct in6_addr *target,
		       const unsigned int *masters, size_t n)
{
	struct intake_check c = { .id = id, .target = *target, .n = n };

	if (q->head == q->n)
		q->head = q->n = 0;	/* all answered: start over */
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct intake_check *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	c.masters = malloc((n ? n : 1) * sizeof(*c.masters));
	if (!c.masters)
		return -1;
	if (n)
		memcpy(c.masters, masters, n * sizeof(*masters));
	q->v[q->n++] = c;
	return 0;
}

bool intake_checks_next(struct intake_checks *q, struct intake_check *out)
{
	if (q->head == q->n)
		return false;
	*out = q->v[q->head++];
	return true;
}

void intake_checks_free(struct intake_checks *q)
{
	for (size_t i = q->head; i < q->n; i++)
		free(q->v[i].masters);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
