/* IPv6 sysctls of an interface, read through /proc. */
#ifndef NS_MONITOR_IPV6CONF_H
#define NS_MONITOR_IPV6CONF_H

/*
 * net.ipv6.conf.<ifname>.<key> ("all" for all): its first digit, or -1
 * when it cannot be read. There is no netlink way to read these.
 */
int ipv6conf_read(const char *ifname, const char *key);

#endif
