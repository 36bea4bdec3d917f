/* Asks on the masters kept until the loop is idle (idle_asks.h). */
#include "idle_asks.h"

bool idle_asks_take(struct idle_asks *a, struct idle_ask *out)
{
	if (!a->n)
		return false;
	*out = a->q[a->head];
	a->head = (a->head + 1) % IDLE_ASKS_MAX;
	a->n--;
	return true;
}

bool idle_asks_take_overdue(struct idle_asks *a, uint64_t now,
			    struct idle_ask *out)
{
	if (!a->n || a->q[a->head].since + IDLE_ASKS_WAIT_NS > now)
		return false;
	return idle_asks_take(a, out);
}

bool idle_asks_push(struct idle_asks *a, const struct idle_ask *ask,
		    struct idle_ask *out)
{
	bool full = a->n == IDLE_ASKS_MAX;

	if (full)
		idle_asks_take(a, out);
	a->q[(a->head + a->n) % IDLE_ASKS_MAX] = *ask;
	a->n++;
	return full;
}
