/* The host's own addresses and their prefixes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostaddr.h"

bool prefix6_contains(const struct prefix6 *p, const struct in6_addr *a)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(a->s6_addr, p->addr.s6_addr, full) != 0)
		return false;
	return rest == 0 ||
	       ((a->s6_addr[full] ^ p->addr.s6_addr[full]) & (0xff00u >> rest)) == 0;
}

static long find(const struct hostaddrs *h, unsigned int ifindex,
		 const struct in6_addr *addr)
{
	for (unsigned int i = 0; i < h->n; i++)
		if (h->v[i].ifindex == ifindex &&
		    memcmp(&h->v[i].addr, addr, sizeof(*addr)) == 0)
			return i;
	return -1;
}

int hostaddr_set(struct hostaddrs *h, unsigned int ifindex,
		 const struct in6_addr *addr, uint8_t prefixlen, bool present)
{
	long i = find(h, ifindex, addr);

	if (!present) {
		if (i >= 0)
			h->v[i] = h->v[--h->n];
		return 0;
	}
	if (i < 0) {
		if (h->n == h->cap) {
			unsigned int cap = h->cap ? h->cap * 2 : 16;
			struct host_addr *v = reallocarray(h->v, cap, sizeof(*v));

			if (!v)
				return -1;
			h->v = v;
			h->cap = cap;
		}
		i = h->n++;
	}
	h->v[i].ifindex = ifindex;
	h->v[i].addr = *addr;
	h->v[i].prefixlen = prefixlen > 128 ? 128 : prefixlen;
	return 0;
}

void hostaddr_drop_ifindex(struct hostaddrs *h, unsigned int ifindex,
			   void (*cb)(const struct host_addr *a, void *data),
			   void *data)
{
	for (unsigned int i = 0; i < h->n;) {
		if (h->v[i].ifindex != ifindex) {
			i++;
			continue;
		}
		if (cb)
			cb(&h->v[i], data);
		h->v[i] = h->v[--h->n];
	}
}

bool hostaddr_has(const struct hostaddrs *h, unsigned int ifindex,
		  const struct in6_addr *a)
{
	return find(h, ifindex, a) >= 0;
}

void hostaddr_free(struct hostaddrs *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

const struct in6_addr *hostaddr_on_ifindex(const struct hostaddrs *h,
					   unsigned int ifindex)
{
	for (unsigned int i = 0; i < h->n; i++)
		if (h->v[i].ifindex == ifindex)
			return &h->v[i].addr;
	return NULL;
}
