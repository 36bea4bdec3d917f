/* TEMPORARY stub, replaced by the nd branch. */
#ifndef NS_MONITOR_ASK_H
#define NS_MONITOR_ASK_H
#include <netinet/in.h>
#include <stdint.h>
int ask_open(void);
int ask_send(int fd, unsigned int ifindex, const uint8_t lladdr[6],
	     const struct in6_addr *src, const struct in6_addr *target);
#endif
