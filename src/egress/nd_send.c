/* Our NS out of a slave through a packet socket: no neighbor entry involved. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>

#include "nd_send.h"
#include "nd.h"
#include "trace.h"

int nd_send_open(void)
{
	/*
	 * Protocol 0: bound to no protocol, the socket is sent no packet,
	 * so it never needs reading and costs nothing when traffic flows.
	 */
	return socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* SOCK_DGRAM: the kernel writes the Ethernet header, to this MAC. */
static int send_frame(int fd, unsigned int ifindex, const uint8_t mac[6],
		      const uint8_t *pkt, size_t len)
{
	struct sockaddr_ll to;
	ssize_t n;

	if (len == 0 || ifindex == 0 || ifindex > INT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_IPV6);
	to.sll_ifindex = (int)ifindex;
	to.sll_halen = 6;
	memcpy(to.sll_addr, mac, 6);
	TRACE("nd send");
	do
		n = sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to));
	while (n == -1 && errno == EINTR);
	TRACE("nd sent");
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int nd_send_ask(int fd, unsigned int ifindex, const uint8_t lladdr[6],
	     const struct in6_addr *src, const struct in6_addr *target)
{
	uint8_t pkt[ND_NS_LEN], mac[6];
	struct in6_addr group;
	size_t len = nd_build_ns(pkt, sizeof(pkt), src, lladdr, target);

	nd_solicited_node(target, &group);
	nd_multicast_mac(&group, mac);
	return send_frame(fd, ifindex, mac, pkt, len);
}

int nd_send_advert(int fd, unsigned int ifindex, const uint8_t to_mac[6],
		  const struct in6_addr *src, const struct in6_addr *dst,
		  const struct in6_addr *target, const uint8_t lladdr[6])
{
	uint8_t pkt[ND_NA_LEN];
	/*
	 * As the kernel answers for a proxy entry: solicited, not
	 * overriding (the target's own answer would win), not a router.
	 */
	size_t len = nd_build_na(pkt, sizeof(pkt), src, dst, target, lladdr,
				 ND_NA_SOLICITED);

	return send_frame(fd, ifindex, to_mac, pkt, len);
}
