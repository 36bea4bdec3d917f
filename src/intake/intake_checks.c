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
	if (n > INTAKE_CHECK_INLINE) {
		c.many = malloc(n * sizeof(*c.many));
		if (!c.many)
			return -1;
		memcpy(c.many, masters, n * sizeof(*masters));
	} else if (n) {
		memcpy(c.few, masters, n * sizeof(*masters));
	}
	q->v[q->n++] = c;
	return 0;
}

void intake_check_done(struct intake_check *c)
{
	free(c->many);
	c->many = NULL;
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
		intake_check_done(&q->v[i]);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
