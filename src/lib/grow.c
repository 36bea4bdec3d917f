/* Arrays that grow as elements come. */
#include <errno.h>
#include <stdlib.h>

#include "grow.h"

int grow_room(void **v, unsigned int n, size_t size)
{
	void *grown;

	/* A new block at 0 and at each power of two from 8. */
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return 0;
	grown = reallocarray(*v, n ? 2 * (size_t)n : 8, size);
	if (!grown) {
		errno = ENOMEM;
		return -1;
	}
	*v = grown;
	return 0;
}
