/* A slave's addresses against those in use on the master's link (collide.h). */
#include <string.h>

#include "collide.h"

static bool in_prefix(const struct in6_addr *a, const struct in6_addr *p,
		      unsigned int plen)
{
	for (unsigned int i = 0; i < 16 && plen; i++) {
		unsigned int bits = plen >= 8 ? 8 : plen;
		uint8_t mask = (uint8_t)(0xff00u >> bits);

		if ((a->s6_addr[i] ^ p->s6_addr[i]) & mask)
			return false;
		plen -= bits;
	}
	return true;
}

enum collide_kind collide_judge(const struct in6_addr *addr, unsigned int plen,
				const struct in6_addr *mprefix, unsigned int mplen,
				const struct in6_addr *used, size_t n, size_t *which)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(addr, &used[i], sizeof(*addr)) == 0) {
			*which = i;
			return COLLIDE_SAME;
		}
	if (plen <= mplen && in_prefix(mprefix, addr, plen))
		return COLLIDE_WHOLE;
	if (plen >= 128)
		return COLLIDE_NONE;
	for (size_t i = 0; i < n; i++)
		if (in_prefix(&used[i], addr, plen)) {
			*which = i;
			return COLLIDE_HOLDS;
		}
	return COLLIDE_NONE;
}
