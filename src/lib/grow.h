/*
 * Arrays that grow as elements come: room for one more, the capacity
 * implied by the count (8, then doubling), so no capacity is stored.
 */
#ifndef NS_MONITOR_GROW_H
#define NS_MONITOR_GROW_H

#include <stddef.h>

/*
 * Room in *v (n elements of size bytes) for element n. 0, or -1 with
 * errno ENOMEM (*v unchanged). Elements removed since are fine: the
 * block is never smaller than the count implies.
 */
int grow_room(void **v, unsigned int n, size_t size);

#endif
