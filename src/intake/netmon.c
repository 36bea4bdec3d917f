/*
 * rtnetlink events: links, IPv6 addresses, neighbors, host routes and
 * IPv6 forwarding.
 */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "metrics.h"
#include "netmon.h"
#include "nlmsg.h"
#include "nlsock.h"

#define NETMON_BUF_SIZE 32768
#define NETMON_RCVBUF_MAX (8 * 1024 * 1024)
#define NETMON_DUMP_TIMEOUT_MS 10000
#define NETMON_BACKOFF_MS 10	/* doubled on each try of a dump */

struct attr_table {
	const struct nlattr **tb;
	int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_table *t = data;
	int type = mnl_attr_get_type(attr);

	/* Unknown attributes are skipped, as the kernel adds new ones. */
	if (type > t->max)
		return MNL_CB_OK;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static bool attr_len_ok(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len;
}

static enum netmon_kind parse_link(const struct nlmsghdr *nlh,
				   struct netmon_event *ev)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	struct attr_table t = { tb, IFLA_MAX };
	const struct ifinfomsg *ifi;
	size_t len;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return NETMON_NONE;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &t) < 0 || !tb[IFLA_IFNAME])
		return NETMON_NONE;
	len = mnl_attr_get_payload_len(tb[IFLA_IFNAME]);
	/* The payload is NUL terminated; do not rely on it. */
	if (len >= IF_NAMESIZE)
		len = IF_NAMESIZE - 1;
	memcpy(ev->link.name, mnl_attr_get_payload(tb[IFLA_IFNAME]), len);
	ev->link.name[len] = '\0';
	if (ev->link.name[0] == '\0')
		return NETMON_NONE;
	ev->ifindex = (unsigned int)ifi->ifi_index;
	ev->link.type = ifi->ifi_type;
	len = tb[IFLA_ADDRESS] ? mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) : 0;
	/* A cut address would be another host's: none rather than that. */
	if (len > 0 && len <= NETMON_LLADDR_MAX) {
		memcpy(ev->link.addr, mnl_attr_get_payload(tb[IFLA_ADDRESS]), len);
		ev->link.addr_len = (uint8_t)len;
	}
	ev->link.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	ev->deleted = nlh->nlmsg_type == RTM_DELLINK;
	return ev->kind = NETMON_LINK;
}

static enum netmon_kind parse_addr(const struct nlmsghdr *nlh,
				   struct netmon_event *ev)
{
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	struct attr_table t = { tb, IFA_MAX };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return NETMON_NONE;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET6 ||
	    mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &t) < 0)
		return NETMON_NONE;
	/* IFA_LOCAL is the address itself on point-to-point links. */
	a = attr_len_ok(tb[IFA_LOCAL], 16) ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!attr_len_ok(a, 16))
		return NETMON_NONE;
	memcpy(&ev->addr.addr, mnl_attr_get_payload(a), 16);
	ev->addr.prefixlen = ifa->ifa_prefixlen;
	ev->addr.scope = ifa->ifa_scope;
	ev->addr.flags = attr_len_ok(tb[IFA_FLAGS], 4) ?
		mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	ev->ifindex = ifa->ifa_index;
	ev->deleted = nlh->nlmsg_type == RTM_DELADDR;
	return ev->kind = NETMON_ADDR;
}

static enum netmon_kind parse_neigh(const struct nlmsghdr *nlh,
				    struct netmon_event *ev)
{
	const struct nlattr *tb[NDA_MAX + 1] = { NULL };
	struct attr_table t = { tb, NDA_MAX };
	const struct ndmsg *ndm;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return NETMON_NONE;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_INET6 ||
	    mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, &t) < 0 ||
	    !attr_len_ok(tb[NDA_DST], 16))
		return NETMON_NONE;
	memcpy(&ev->neigh.dst, mnl_attr_get_payload(tb[NDA_DST]), 16);
	ev->neigh.state = ndm->ndm_state;
	ev->neigh.flags = ndm->ndm_flags;
	ev->neigh.has_lladdr = tb[NDA_LLADDR] != NULL;
	ev->ifindex = (unsigned int)ndm->ndm_ifindex;
	ev->deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	return ev->kind = NETMON_NEIGH;
}

/* IPv6 forwarding of a device, or of "all" (ifindex 0); "default" is not. */
static enum netmon_kind parse_netconf(const struct nlmsghdr *nlh,
				      struct netmon_event *ev)
{
	const struct nlattr *tb[NETCONFA_MAX + 1] = { NULL };
	struct attr_table t = { tb, NETCONFA_MAX };
	const struct netconfmsg *ncm;
	int32_t ifindex;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ncm)))
		return NETMON_NONE;
	ncm = mnl_nlmsg_get_payload(nlh);
	if (ncm->ncm_family != AF_INET6 ||
	    mnl_attr_parse(nlh, sizeof(*ncm), attr_cb, &t) < 0 ||
	    !attr_len_ok(tb[NETCONFA_IFINDEX], 4) ||
	    !attr_len_ok(tb[NETCONFA_FORWARDING], 4))
		return NETMON_NONE;
	ifindex = (int32_t)mnl_attr_get_u32(tb[NETCONFA_IFINDEX]);
	if (ifindex == NETCONFA_IFINDEX_ALL)
		ev->ifindex = 0;
	else if (ifindex > 0)
		ev->ifindex = (unsigned int)ifindex;
	else
		return NETMON_NONE;
	ev->netconf.forwarding = mnl_attr_get_u32(tb[NETCONFA_FORWARDING]) != 0;
	return ev->kind = NETMON_NETCONF;
}

/*
 * IPv6 routes: learned routes are /128s of ours; the others say what the
 * host resolves on-link where (a default route has no RTA_DST).
 */
static enum netmon_kind parse_route(const struct nlmsghdr *nlh,
				    struct netmon_event *ev)
{
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	struct attr_table t = { tb, RTA_MAX };
	const struct rtmsg *rtm;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return NETMON_NONE;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET6 || rtm->rtm_dst_len > 128 ||
	    mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &t) < 0 ||
	    (tb[RTA_DST] && !attr_len_ok(tb[RTA_DST], 16)) ||
	    (rtm->rtm_dst_len && !tb[RTA_DST]) ||
	    (tb[RTA_OIF] && !attr_len_ok(tb[RTA_OIF], 4)))
		return NETMON_NONE;
	if (tb[RTA_DST])
		memcpy(&ev->route.dst, mnl_attr_get_payload(tb[RTA_DST]), 16);
	ev->route.dst_len = rtm->rtm_dst_len;
	ev->route.type = rtm->rtm_type;
	ev->route.gateway = tb[RTA_GATEWAY] || tb[RTA_VIA] || tb[RTA_MULTIPATH];
	ev->ifindex = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	/* rtm_table holds only 8 bits; RTA_TABLE the whole number. */
	ev->route.table = attr_len_ok(tb[RTA_TABLE], 4) ?
		mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	ev->route.metric = attr_len_ok(tb[RTA_PRIORITY], 4) ?
		mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	ev->route.protocol = rtm->rtm_protocol;
	ev->deleted = nlh->nlmsg_type == RTM_DELROUTE;
	return ev->kind = NETMON_ROUTE;
}

enum netmon_kind netmon_parse(const struct nlmsghdr *nlh,
			      struct netmon_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return parse_link(nlh, ev);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return parse_addr(nlh, ev);
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return parse_neigh(nlh, ev);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return parse_route(nlh, ev);
	case RTM_NEWNETCONF:
		return parse_netconf(nlh, ev);
	}
	return NETMON_NONE;
}

int netmon_open(struct netmon *m, bool neighbors, netmon_cb cb, void *data)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_IPV6_IFADDR |
			      (neighbors ? RTMGRP_NEIGH | RTMGRP_IPV6_ROUTE |
			       1u << (RTNLGRP_IPV6_NETCONF - 1) : 0);

	memset(m, 0, sizeof(*m));
	m->neighbors = neighbors;
	m->cb = cb;
	m->data = data;
	return nlsock_open(&m->sock, NETLINK_ROUTE, groups, true);
}

void netmon_close(struct netmon *m)
{
	nlsock_close(&m->sock);
}

int netmon_fd(const struct netmon *m)
{
	return nlsock_fd(&m->sock);
}

static int dispatch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct netmon *m = data;
	struct netmon_event ev;

	if (netmon_parse(nlh, &ev) != NETMON_NONE)
		m->cb(&ev, m->data);
	return MNL_CB_OK;
}

static const char *dump_name(uint16_t type)
{
	return type == RTM_GETLINK ? "links" : type == RTM_GETADDR ?
	       "addresses" : type == RTM_GETROUTE ? "routes" :
	       type == RTM_GETNETCONF ? "forwarding settings" : "neighbors";
}

static int dump_one(struct netmon *m, uint16_t type, size_t hdrlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* Events interleave with the dump; both go to the callback. */
	struct nlsock_wait w = {
		.cb = dispatch_cb, .data = m, .events = true,
		.overrun_fails = true,
	};

	for (int try = 1;; try++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtgenmsg *g;

		nlh->nlmsg_type = type;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = nlsock_next_seq(&m->sock);
		g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
		g->rtgen_family = type == RTM_GETLINK ? AF_UNSPEC : AF_INET6;
		if (mnl_socket_sendto(m->sock.nl, nlh, nlh->nlmsg_len) < 0)
			return -1;
		w.first_seq = w.last_seq = nlh->nlmsg_seq;
		if (nlsock_wait(&m->sock, &w, NETMON_DUMP_TIMEOUT_MS) == 0)
			return 0;
		if (errno != ENOBUFS)
			return -1;
		/* Events were lost mid-dump: start this one over. */
		m->overruns++;
		nlsock_grow_rcvbuf(&m->sock, NETMON_RCVBUF_MAX);
		if (try == NETMON_DUMP_TRIES)
			break;
		/* A storm of events overran it: let the storm pass a little. */
		poll(NULL, 0, NETMON_BACKOFF_MS << (try - 1));
	}
	if (!m->dump_gave_up_said)
		log_warnx("rtnetlink: the dump of %s lost messages %d times in a row; it is read again at the next event",
			  dump_name(type), NETMON_DUMP_TRIES);
	m->dump_gave_up_said = true;
	errno = ENOBUFS;
	return -1;
}

int netmon_dump(struct netmon *m)
{
	int rc = 0;

	if (dump_one(m, RTM_GETLINK, sizeof(struct ifinfomsg)) == -1 ||
	    dump_one(m, RTM_GETADDR, sizeof(struct ifaddrmsg)) == -1 ||
	    (m->neighbors &&
	     (dump_one(m, RTM_GETROUTE, sizeof(struct rtmsg)) == -1 ||
	      dump_one(m, RTM_GETNEIGH, sizeof(struct ndmsg)) == -1 ||
	      dump_one(m, RTM_GETNETCONF, sizeof(struct netconfmsg)) == -1)))
		rc = -1;
	/* Only overruns: another error would come back at every event. */
	m->dump_pending = rc == -1 && errno == ENOBUFS;
	return rc;
}

bool netmon_read(struct netmon *m)
{
	static char buf[NETMON_BUF_SIZE];
	unsigned long overruns = m->overruns;
	bool lost = false;

	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(netmon_fd(m), buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		size_t left;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				m->overruns++;
				lost = true;
				continue;
			}
			break;
		}
		for (left = (size_t)n; nlmsg_fits(nlh, left);
		     nlh = nlmsg_after(nlh, &left))
			dispatch_cb(nlh, m);
	}
	if (lost) {
		log_warnx("rtnetlink overrun (%lu so far): growing the buffer and reading the state again",
			  m->overruns);
		nlsock_grow_rcvbuf(&m->sock, NETMON_RCVBUF_MAX);
	}
	if ((lost || m->dump_pending) && netmon_dump(m) == -1)
		log_warn("rtnetlink dump");
	/* Its re-dump may have lost some too. */
	return m->overruns != overruns;
}

/* One sample of netlink_overruns_total, beside the other event socket's. */
void netmon_metrics(const struct netmon *w, struct metrics *m)
{
	metrics_family(m, "netlink_overruns_total", METRIC_COUNTER,
		       "Times a netlink event socket overflowed (state re-read).");
	metrics_sample(m, "netlink_overruns_total", w->overruns,
		       "socket=\"rtnetlink\"");
}
