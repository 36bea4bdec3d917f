/*
 * odhcpd's egress for a probe (odhcpd ndp.c, ping6()): a temporary
 * TARGET/128 route on the slave in the main table, metric 128, added before
 * the echo request and deleted after it, each waiting for the kernel's ack.
 * Shared by bench/egress.c (per-probe cost) and bench/odhcpd.c (the method
 * end to end).
 */
#ifndef NS_BENCH_ODHCPD_ROUTE_H
#define NS_BENCH_ODHCPD_ROUTE_H

#include <netinet/in.h>

#include "rtnl.h"

struct nlmsghdr;

#define ODHCPD_PING_METRIC 128	/* odhcpd ping6(): netlink_setup_route(.., 128, ..) */
#define ODHCPD_LEARN_METRIC 1024	/* odhcpd setup_route(): learned neighbors */

/* Send one request with NLM_F_ACK and wait for the ack: 0, or -1 with errno. */
int bench_nl_ack(struct rtnl *r, struct nlmsghdr *nlh);

/* odhcpd's netlink_setup_route(addr, 128, ifindex, NULL, metric, add). */
int odhcpd_route128(struct rtnl *r, int add, const struct in6_addr *dst,
		    unsigned int ifindex, unsigned int metric);

#endif
