/*
 * The engine's questions about the kernel (engine_egress.check_masters:
 * has one of these masters a usable neighbor entry for target?), posted
 * here by the egress as the engine asks them, and answered by intake
 * (intake_kernel_checks()) as an event, engine_masters_checked(), once
 * the engine call that asked has returned: the engine never queries the
 * kernel, and the egress never calls the engine. First in, first out.
 */
#ifndef NS_MONITOR_INTAKE_CHECKS_H
#define NS_MONITOR_INTAKE_CHECKS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Masters kept in the check itself: no allocation for the usual few. */
#define INTAKE_CHECK_INLINE 4

struct intake_check {
	uint32_t id;			/* the engine's check number */
	struct in6_addr target;
	size_t n;			/* masters */
	unsigned int few[INTAKE_CHECK_INLINE];	/* n <= INTAKE_CHECK_INLINE */
	unsigned int *many;		/* else malloc'd */
};

struct intake_checks {
	struct intake_check *v;
	size_t head, n, cap;		/* v[head..n) wait */
};

/* Queue one: 0, or -1 with errno ENOMEM (the engine goes on without). */
int intake_checks_post(struct intake_checks *q, uint32_t id,
		       const struct in6_addr *target,
		       const unsigned int *masters, size_t n);

/*
 * The oldest into *out, false if none; the caller ends it with
 * intake_check_done().
 */
bool intake_checks_next(struct intake_checks *q, struct intake_check *out);

/* The masters of a check, c->n of them. */
static inline const unsigned int *intake_check_masters(const struct intake_check *c)
{
	return c->n <= INTAKE_CHECK_INLINE ? c->few : c->many;
}

/* A check taken by intake_checks_next() is done: its memory freed. */
void intake_check_done(struct intake_check *c);

/* Every one still queued dropped, the memory freed. */
void intake_checks_free(struct intake_checks *q);

#endif
