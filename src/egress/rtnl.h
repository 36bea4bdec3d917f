/*
 * rtnetlink requests over libmnl: policy rules, routes, addresses.
 * Functions return 0 or -1 with errno set (the kernel's error for a request).
 */
#ifndef NS_MONITOR_RTNL_H
#define NS_MONITOR_RTNL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* The route and rule protocol number that marks what ns-monitor installs. */
#define RTPROT_NS_MONITOR 135

#include "nlsock.h"

struct rtnl {
	struct nlsock sock;
};

int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);

enum rtnl_op { RTNL_ADD, RTNL_DEL };

/* `from all fwmark MARK lookup TABLE pref PREF proto ns-monitor` (IPv6). */
int rtnl_rule(struct rtnl *r, enum rtnl_op op, uint32_t fwmark, uint32_t table,
	      uint32_t pref);

/* Delete every IPv6 rule with this fwmark and table; returns how many. */
int rtnl_purge_rules(struct rtnl *r, uint32_t fwmark, uint32_t table);

/* `default dev IFINDEX table TABLE metric METRIC proto ns-monitor`. */
int rtnl_default_route(struct rtnl *r, enum rtnl_op op, unsigned int ifindex,
		       uint32_t table, uint32_t metric);

/*
 * Requests built into buf (RTNL_MSG_SIZE bytes at least) for a caller
 * that sends them itself: NLM_F_ACK set, nlmsg_seq 0 (to be set).
 * rtnl_host_route_msg: `ADDR/128 dev IFINDEX metric METRIC proto
 * ns-monitor` in the main table; adding replaces a route of ours to ADDR
 * on another device (a move). rtnl_proxy_msg: `ip -6 neigh add proxy
 * ADDR dev IFINDEX proto ns-monitor`.
 */
#define RTNL_MSG_SIZE 128
struct nlmsghdr *rtnl_host_route_msg(char *buf, enum rtnl_op op,
				     const struct in6_addr *addr,
				     unsigned int ifindex, uint32_t metric);
struct nlmsghdr *rtnl_proxy_msg(char *buf, enum rtnl_op op,
				const struct in6_addr *addr, unsigned int ifindex);
/*
 * `ip -6 neigh add ADDR lladdr MAC dev IFINDEX nud reachable proto
 * ns-monitor`: an ordinary entry, aged and collected by the kernel. It is
 * made, or completes one still resolving; a usable entry with another
 * address is left as it is (no NLM_F_REPLACE: the kernel does not
 * override it).
 */
struct nlmsghdr *rtnl_neigh_msg(char *buf, const struct in6_addr *addr,
				const uint8_t mac[6], unsigned int ifindex);

/* Whether a proxy entry for addr is to be kept (it is someone else's). */
typedef bool (*rtnl_addr_filter)(struct rtnl *r, const struct in6_addr *addr,
				 void *data);

/*
 * Delete every IPv6 proxy neighbor entry of ours that `keep` (if given)
 * does not claim; returns how many.
 */
int rtnl_purge_proxies(struct rtnl *r, rtnl_addr_filter keep, void *keep_data);

/* Delete every IPv6 route of ours in `table`; returns how many. */
int rtnl_purge_table(struct rtnl *r, uint32_t table);

/* The same, only those with this metric. */
int rtnl_purge_routes(struct rtnl *r, uint32_t table, uint32_t metric);

/* A host route of ours, or a neighbor entry, as a dump lists them. */
struct rtnl_entry {
	struct in6_addr dst;
	unsigned int ifindex;	/* the route's device, the entry's interface */
	uint16_t state;		/* neighbor entries: NUD_* */
};

/*
 * Our IPv6 /128 routes in `table` with `metric`; *out is malloc'd (free
 * it), *n long. Collected whole before anything is done with them, so the
 * caller may talk to the kernel on the same socket. -1 on error.
 */
int rtnl_host_routes(struct rtnl *r, uint32_t table, uint32_t metric,
		     struct rtnl_entry **out, size_t *n);

/* The IPv6 neighbor entries (not proxies) with a link-layer address. */
int rtnl_neighbors(struct rtnl *r, struct rtnl_entry **out, size_t *n);

/*
 * The NUD state of addr's neighbor entry on ifindex: NUD_NONE (0) when
 * there is none or it has no link-layer address yet; -1 on error.
 */
int rtnl_neigh_state(struct rtnl *r, unsigned int ifindex,
		     const struct in6_addr *addr);

/* The route the kernel uses for dst, as it stands in its table. */
struct rtnl_route {
	uint32_t table;
	uint32_t oif;
	uint32_t metric;
	uint8_t protocol;
	uint8_t dst_len;
};

int rtnl_route_get(struct rtnl *r, const struct in6_addr *dst,
		   struct rtnl_route *out);

/*
 * How many IPv6 routes in `table` are not ours (protocol other than
 * RTPROT_NS_MONITOR): a table someone else uses. *protocol gets the first
 * one's protocol. -1 on error.
 */
int rtnl_table_foreign_routes(struct rtnl *r, uint32_t table, uint8_t *protocol);

/*
 * The first usable (not tentative, not DAD-failed) link-local address of
 * ifindex. -1 with errno ENOENT when there is none.
 */
int rtnl_link_local(struct rtnl *r, unsigned int ifindex, struct in6_addr *out);

/*
 * The same, tentative or not: one still running DAD, which the kernel
 * drops packets to and sends none from, but which is on the link.
 */
int rtnl_link_local_tentative(struct rtnl *r, unsigned int ifindex,
			      struct in6_addr *out);

/*
 * The IPv6 neighbor table's thresholds and entries in use. One table for
 * the whole machine; read over rtnetlink, since the gc_thresh sysctls
 * exist in the initial namespace only.
 */
struct rtnl_neigh_table {
	uint32_t thresh2, thresh3;
	uint32_t entries;
};

int rtnl_neigh_table(struct rtnl *r, struct rtnl_neigh_table *out);

#endif
