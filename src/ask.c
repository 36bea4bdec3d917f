/* TEMPORARY stub, replaced by the nd branch. */
#include <errno.h>
#include "ask.h"
int ask_open(void) { return -2; }
int ask_send(int fd, unsigned int ifindex, const uint8_t lladdr[6],
	     const struct in6_addr *src, const struct in6_addr *target)
{ (void)fd; (void)ifindex; (void)lladdr; (void)src; (void)target; errno = ENOSYS; return -1; }
