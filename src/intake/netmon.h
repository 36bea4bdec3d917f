/*
 * One rtnetlink socket for link, address, neighbor and host route events
 * (libmnl), with
 * a dump at start and after any overrun, so what we know never drifts from
 * what the kernel has.
 */
#ifndef NS_MONITOR_NETMON_H
#define NS_MONITOR_NETMON_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "nlsock.h"

struct nlmsghdr;

/* The longest hardware address kept (the kernel's MAX_ADDR_LEN). */
#define NETMON_LLADDR_MAX 32

enum netmon_kind {
	NETMON_NONE,
	NETMON_LINK,
	NETMON_ADDR,
	NETMON_NEIGH,
	NETMON_ROUTE,	/* IPv6 routes: ours (/128), and the scope */
	NETMON_NETCONF,	/* IPv6 forwarding; ifindex 0: "all" */
};

struct netmon_event {
	enum netmon_kind kind;
	bool deleted;
	unsigned int ifindex;
	union {
		struct {
			char name[IF_NAMESIZE];
			bool up;	/* administratively up and running */
			/*
			 * ARPHRD_*: only ARPHRD_ETHER slaves can be asked
			 * with our NS (nd_send.c); tun or wireguard have no
			 * link-layer address and get an echo.
			 */
			uint16_t type;
			/* IFLA_ADDRESS; addr_len 0: none, or too long */
			uint8_t addr_len;
			uint8_t addr[NETMON_LLADDR_MAX];
		} link;
		struct {
			struct in6_addr addr;
			uint8_t prefixlen;
			uint8_t scope;
			uint32_t flags;	/* IFA_F_* */
		} addr;
		struct {
			struct in6_addr dst;
			uint16_t state;	/* NUD_* */
			uint8_t flags;	/* NTF_* */
			bool has_lladdr;
		} neigh;
		struct {		/* ifindex: its device (RTA_OIF), 0: none */
			struct in6_addr dst;
			uint8_t dst_len;
			uint8_t type;		/* RTN_* */
			bool gateway;		/* RTA_GATEWAY, RTA_VIA, multipath */
			uint32_t table;
			uint32_t metric;	/* RTA_PRIORITY */
			uint8_t protocol;	/* RTPROT_* */
		} route;
		struct {
			bool forwarding;	/* NETCONFA_FORWARDING */
		} netconf;
	};
};

/*
 * Parse one message (pure). NETMON_NONE for anything we do not follow. The
 * buffer must hold the message up to its aligned length (nlmsg_fits()), as
 * libmnl walks attributes that far.
 */
enum netmon_kind netmon_parse(const struct nlmsghdr *nlh,
			      struct netmon_event *ev);

typedef void (*netmon_cb)(const struct netmon_event *ev, void *data);

struct netmon {
	struct nlsock sock;
	netmon_cb cb;
	void *data;
	unsigned long overruns;
	bool neighbors;		/* neighbor and route events too (learning) */
	bool dump_pending;	/* a dump gave up on overruns: read it again */
	bool dump_gave_up_said;	/* ...which was logged once */
};

/*
 * Links and addresses always; neighbors, IPv6 routes and IPv6 forwarding
 * (netconf) only when asked (learning): each probe makes several neighbor events, not worth a
 * wake-up otherwise. Routes are dumped for the scope of what a guest may
 * claim; learning reads its own routes when it needs them.
 */
int netmon_open(struct netmon *m, bool neighbors, netmon_cb cb, void *data);
void netmon_close(struct netmon *m);
int netmon_fd(const struct netmon *m);

/*
 * Dump links, then addresses, then (if followed) IPv6 routes, neighbors
 * and forwarding settings. A dump that
 * loses messages (ENOBUFS) starts over with a larger buffer, after a short
 * back-off, at most NETMON_DUMP_TRIES times; then -1 with errno ENOBUFS,
 * and the next netmon_read() dumps again.
 */
#define NETMON_DUMP_TRIES 4
int netmon_dump(struct netmon *m);

/*
 * Drain pending events; after an overrun, grow the buffer and re-dump.
 * true when events were lost (an overrun, here or in that dump): what no
 * dump says, such as routes deleted meanwhile, is the caller's to check.
 */
bool netmon_read(struct netmon *m);

struct metrics;

/* Its overruns, one sample of netlink_overruns_total. */
void netmon_metrics(const struct netmon *w, struct metrics *m);

#endif
