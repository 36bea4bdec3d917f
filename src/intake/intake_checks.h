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

struct intake_check {
	uint32_t id;			/* the engine's check number */
	struct in6_addr target;
	unsigned int *masters;		/* malloc'd, n of them */
	size_t n;
};

struct intake_checks {
	struct intake_check *v;
	size_t head, n, cap;		/* v[head..n) wait */
};

/* Queue one: 0, or -1 with errno ENOMEM (the engine goes on without). */
int intake_checks_post(struct intake_checks *q, uint32_t id,
		       const struct in6_addr *target,
		       const unsigned int *masters, size_t n);

/* The oldest into *out (its masters are the caller's to free): false if none. */
bool intake_checks_next(struct intake_checks *q, struct intake_check *out);

/* Every one still queued dropped, the memory freed. */
void intake_checks_free(struct intake_checks *q);

#endif
