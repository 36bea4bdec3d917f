/*
 * Asking a slave for a target with an NS of our own (nd.c), written with
 * its Ethernet header by one packet socket for all slaves. The kernel takes
 * the destination MAC from the address we give, so no neighbor entry is
 * looked up or made on this host, whatever the number of slaves; and the
 * packet leaves below IPv6, so our own nft output rule does not log it
 * again. Only for Ethernet slaves (ARPHRD_ETHER).
 */
#ifndef NS_MONITOR_ND_SEND_H
#define NS_MONITOR_ND_SEND_H

#include <netinet/in.h>
#include <stdint.h>

/*
 * The packet socket (SOCK_DGRAM, protocol 0: it receives nothing, and
 * needs CAP_NET_RAW). Non-blocking. -1 with errno.
 */
int nd_send_open(void);

/*
 * Solicit target on ifindex from src (the slave's link-local address) and
 * lladdr (the slave's MAC), to target's solicited-node group. 0, or -1 with
 * errno (EAGAIN or ENOBUFS when the device queue is full: ask again later).
 */
int nd_send_ask(int fd, unsigned int ifindex, const uint8_t lladdr[6],
	     const struct in6_addr *src, const struct in6_addr *target);

/*
 * Advertise target at lladdr (a master's MAC) to an upstream neighbor that
 * solicited it: an NA from src (an address of the master) to dst (the
 * solicitor) sent to its MAC to_mac on ifindex. 0, or -1 with errno.
 */
int nd_send_advert(int fd, unsigned int ifindex, const uint8_t to_mac[6],
		  const struct in6_addr *src, const struct in6_addr *dst,
		  const struct in6_addr *target, const uint8_t lladdr[6]);

#endif
