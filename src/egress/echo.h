/* Probes: ICMPv6 echo requests that make the kernel resolve a target. */
#ifndef NS_MONITOR_ECHO_H
#define NS_MONITOR_ECHO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_ECHO_LEN 8	/* type, code, checksum, identifier, sequence */

/*
 * Build an echo request into buf (pure). The checksum is left 0: the kernel
 * fills it in for raw ICMPv6 sockets (RFC 3542 3.1). Returns the length, or 0
 * if buf is too small.
 */
size_t echo_build(uint8_t *buf, size_t size, uint16_t id, uint16_t seq);

/* Whether an ICMPv6 message (from its type on) is a reply to our echo. */
bool echo_is_reply(const uint8_t *buf, size_t len, uint16_t id);

/*
 * One raw ICMPv6 socket per slave: bound to the slave's device, carrying the
 * egress fwmark, never reading anything (ICMP6_FILTER blocks all types).
 * Returns the fd, or -1 with errno set.
 */
int echo_socket_open(const char *ifname, uint32_t fwmark);

/*
 * Send one echo request for target out of the socket's slave. src, when not
 * NULL, is the slave's link-local address, set as the source through
 * IPV6_PKTINFO. Returns 0 or -1 with errno set.
 */
int echo_send(int fd, unsigned int ifindex, const struct in6_addr *src,
	       const struct in6_addr *target, uint16_t id, uint16_t seq);

/*
 * The address the kernel would send from to target out of ifname (with
 * the egress mark): never a tentative one. For a slave whose link-local
 * address is still tentative, an answer sent to it is delivered; one sent
 * to a tentative address is not. 0, or -1 with errno set (EADDRNOTAVAIL:
 * none, or only a link-local one, which an answer arriving on another
 * interface would not reach).
 */
int echo_source(const char *ifname, uint32_t fwmark,
		 const struct in6_addr *target, struct in6_addr *out);

#endif
