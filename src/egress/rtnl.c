/* rtnetlink requests over libmnl: policy rules, routes, addresses. */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "nlsock.h"
#include "rtnl.h"

int rtnl_open(struct rtnl *r)
{
	return nlsock_open(&r->sock, NETLINK_ROUTE, 0, false);
}

void rtnl_close(struct rtnl *r)
{
	nlsock_close(&r->sock);
}

/* Send a request and run cb over the answer until the ack or dump end. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		     void *data)
{
	nlh->nlmsg_seq = nlsock_next_seq(&r->sock);
	/*
	 * NLM_F_DUMP shares bits with NLM_F_EXCL and NLM_F_REPLACE: ask by
	 * type. A dump ends with NLMSG_DONE; anything else, a single get
	 * included, with the ack asked for here.
	 */
	if ((nlh->nlmsg_type != RTM_GETROUTE && nlh->nlmsg_type != RTM_GETADDR &&
	     nlh->nlmsg_type != RTM_GETNEIGH) ||
	    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	return nlsock_talk(&r->sock, nlh, cb, data);
}

static struct nlmsghdr *rule_msg(char *buf, uint16_t type, uint16_t flags,
				 uint32_t fwmark, uint32_t table, uint32_t pref)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET6;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_FWMARK, fwmark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	if (pref)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, pref);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_NS_MONITOR);
	return nlh;
}

int rtnl_rule(struct rtnl *r, enum rtnl_op op, uint32_t fwmark, uint32_t table,
	      uint32_t pref)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (op == RTNL_ADD)
		nlh = rule_msg(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
			       fwmark, table, pref);
	else
		nlh = rule_msg(buf, RTM_DELRULE, 0, fwmark, table, pref);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_purge_rules(struct rtnl *r, uint32_t fwmark, uint32_t table)
{
	int n;

	/* Each delete removes one match; a bound keeps a bug from spinning. */
	for (n = 0; n < 256; n++)
		if (rtnl_rule(r, RTNL_DEL, fwmark, table, 0) == -1)
			break;
	if (n < 256 && errno != ENOENT)
		return -1;
	return n;
}

static struct nlmsghdr *route_msg(char *buf, uint16_t type, uint16_t flags,
				  uint32_t table)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_NS_MONITOR;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

int rtnl_default_route(struct rtnl *r, enum rtnl_op op, unsigned int ifindex,
		       uint32_t table, uint32_t metric)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (op == RTNL_ADD)
		nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
				table);
	else
		nlh = route_msg(buf, RTM_DELROUTE, 0, table);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return rtnl_talk(r, nlh, NULL, NULL);
}

struct nlmsghdr *rtnl_host_route_msg(char *buf, enum rtnl_op op,
				     const struct in6_addr *addr,
				     unsigned int ifindex, uint32_t metric)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (op == RTNL_ADD)
		nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
				RT_TABLE_MAIN);
	else
		nlh = route_msg(buf, RTM_DELROUTE, 0, RT_TABLE_MAIN);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, sizeof(*addr), addr);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	nlh->nlmsg_flags |= NLM_F_ACK;
	return nlh;
}

static struct nlmsghdr *neigh_msg(char *buf, uint16_t type,
				  const struct in6_addr *addr,
				  unsigned int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put(nlh, NDA_DST, sizeof(*addr), addr);
	return nlh;
}

struct nlmsghdr *rtnl_proxy_msg(char *buf, enum rtnl_op op,
				const struct in6_addr *addr, unsigned int ifindex)
{
	struct nlmsghdr *nlh = neigh_msg(buf, op == RTNL_ADD ? RTM_NEWNEIGH :
						 RTM_DELNEIGH, addr, ifindex);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (op == RTNL_ADD)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_flags |= NLM_F_ACK;
	ndm->ndm_flags = NTF_PROXY;
	ndm->ndm_state = NUD_PERMANENT;
	mnl_attr_put_u8(nlh, NDA_PROTOCOL, RTPROT_NS_MONITOR);
	return nlh;
}

/* A proxy entry added or removed, waiting for its ack (the purge). */
static int rtnl_proxy(struct rtnl *r, enum rtnl_op op,
		      const struct in6_addr *addr, unsigned int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return rtnl_talk(r, rtnl_proxy_msg(buf, op, addr, ifindex), NULL, NULL);
}

#define PURGE_MAX 256

struct proxy_purge_ctx {
	unsigned int n;
	struct {
		struct in6_addr dst;
		unsigned int ifindex;
	} entries[PURGE_MAX];
};

static int neigh_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NDA_MAX) < 0)
		return MNL_CB_OK;
	if (type == NDA_DST &&
	    mnl_attr_validate2(attr, MNL_TYPE_BINARY, sizeof(struct in6_addr)) < 0)
		return MNL_CB_OK;
	if (type == NDA_PROTOCOL && mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int proxy_collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct proxy_purge_ctx *ctx = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { NULL };

	if (ndm->ndm_family != AF_INET6 || !(ndm->ndm_flags & NTF_PROXY))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb);
	if (!tb[NDA_DST] || !tb[NDA_PROTOCOL] ||
	    mnl_attr_get_u8(tb[NDA_PROTOCOL]) != RTPROT_NS_MONITOR ||
	    ctx->n >= PURGE_MAX)
		return MNL_CB_OK;
	memcpy(&ctx->entries[ctx->n].dst, mnl_attr_get_payload(tb[NDA_DST]),
	       sizeof(struct in6_addr));
	ctx->entries[ctx->n].ifindex = (unsigned int)ndm->ndm_ifindex;
	ctx->n++;
	return MNL_CB_OK;
}

int rtnl_purge_proxies(struct rtnl *r, rtnl_addr_filter keep, void *keep_data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct proxy_purge_ctx ctx;
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	int removed = 0;
	unsigned int kept;

	/* Bounded per pass; a second pass catches any beyond the first. */
	for (int pass = 0; pass < 16; pass++) {
		memset(&ctx, 0, sizeof(ctx));
		kept = 0;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = AF_INET6;
		ndm->ndm_flags = NTF_PROXY;
		if (rtnl_talk(r, nlh, proxy_collect_cb, &ctx) == -1)
			return -1;
		for (unsigned int i = 0; i < ctx.n; i++) {
			if (keep && keep(r, &ctx.entries[i].dst, keep_data)) {
				kept++;
				continue;
			}
			if (rtnl_proxy(r, RTNL_DEL, &ctx.entries[i].dst,
				       ctx.entries[i].ifindex) == 0)
				removed++;
		}
		/* Only kept ones left: another pass would find them again. */
		if (ctx.n < PURGE_MAX || kept == ctx.n)
			break;
	}
	return removed;
}

struct purge_ctx {
	uint32_t table;
	const uint32_t *metric;		/* only routes with this metric, if set */
	unsigned int n;
	struct {
		struct in6_addr dst;
		uint8_t dst_len;
		uint32_t oif;
		uint32_t metric;
	} routes[PURGE_MAX];
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_TABLE:
	case RTA_OIF:
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case RTA_DST:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY,
				       sizeof(struct in6_addr)) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int purge_collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct purge_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	uint32_t table;

	if (rtm->rtm_family != AF_INET6 || rtm->rtm_protocol != RTPROT_NS_MONITOR)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != ctx->table || ctx->n >= PURGE_MAX)
		return MNL_CB_OK;
	memset(&ctx->routes[ctx->n], 0, sizeof(ctx->routes[0]));
	if (tb[RTA_DST])
		memcpy(&ctx->routes[ctx->n].dst, mnl_attr_get_payload(tb[RTA_DST]),
		       sizeof(struct in6_addr));
	ctx->routes[ctx->n].dst_len = rtm->rtm_dst_len;
	ctx->routes[ctx->n].oif = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	ctx->routes[ctx->n].metric =
		tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	if (ctx->metric && ctx->routes[ctx->n].metric != *ctx->metric)
		return MNL_CB_OK;
	ctx->n++;
	return MNL_CB_OK;
}

static int purge_routes(struct rtnl *r, uint32_t table, const uint32_t *metric)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct purge_ctx ctx;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int removed = 0;

	/* Bounded per pass; further passes catch any beyond the first. */
	for (int pass = 0; pass < 16; pass++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.table = table;
		ctx.metric = metric;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET6;
		if (rtnl_talk(r, nlh, purge_collect_cb, &ctx) == -1)
			return -1;

		for (unsigned int i = 0; i < ctx.n; i++) {
			nlh = route_msg(buf, RTM_DELROUTE, 0, table);
			rtm = mnl_nlmsg_get_payload(nlh);
			rtm->rtm_dst_len = ctx.routes[i].dst_len;
			if (ctx.routes[i].dst_len)
				mnl_attr_put(nlh, RTA_DST, sizeof(struct in6_addr),
					     &ctx.routes[i].dst);
			if (ctx.routes[i].oif)
				mnl_attr_put_u32(nlh, RTA_OIF, ctx.routes[i].oif);
			mnl_attr_put_u32(nlh, RTA_PRIORITY, ctx.routes[i].metric);
			if (rtnl_talk(r, nlh, NULL, NULL) == 0)
				removed++;
		}
		if (ctx.n < PURGE_MAX)
			break;
	}
	return removed;
}

int rtnl_purge_table(struct rtnl *r, uint32_t table)
{
	return purge_routes(r, table, NULL);
}

int rtnl_purge_routes(struct rtnl *r, uint32_t table, uint32_t metric)
{
	return purge_routes(r, table, &metric);
}

struct entries_ctx {
	uint32_t table, metric;
	struct rtnl_entry *v;
	size_t n, cap;
	bool nomem;
};

static struct rtnl_entry *entry_new(struct entries_ctx *ctx)
{
	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 64;
		struct rtnl_entry *v = realloc(ctx->v, cap * sizeof(*v));

		if (!v) {
			ctx->nomem = true;
			return NULL;
		}
		ctx->v = v;
		ctx->cap = cap;
	}
	memset(&ctx->v[ctx->n], 0, sizeof(ctx->v[0]));
	return &ctx->v[ctx->n++];
}

static int host_routes_cb(const struct nlmsghdr *nlh, void *data)
{
	struct entries_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	struct rtnl_entry *e;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    rtm->rtm_family != AF_INET6 || rtm->rtm_protocol != RTPROT_NS_MONITOR ||
	    rtm->rtm_dst_len != 128)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != ctx->table || !tb[RTA_DST] || !tb[RTA_OIF] ||
	    !tb[RTA_PRIORITY] || mnl_attr_get_u32(tb[RTA_PRIORITY]) != ctx->metric)
		return MNL_CB_OK;
	if (!(e = entry_new(ctx)))
		return MNL_CB_OK;
	memcpy(&e->dst, mnl_attr_get_payload(tb[RTA_DST]), sizeof(e->dst));
	e->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
	return MNL_CB_OK;
}

static int neighbors_cb(const struct nlmsghdr *nlh, void *data)
{
	struct entries_ctx *ctx = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { NULL };
	struct rtnl_entry *e;

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm) ||
	    ndm->ndm_family != AF_INET6 || (ndm->ndm_flags & NTF_PROXY) ||
	    ndm->ndm_ifindex <= 0)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb);
	if (!tb[NDA_DST] || !tb[NDA_LLADDR] || !(e = entry_new(ctx)))
		return MNL_CB_OK;
	memcpy(&e->dst, mnl_attr_get_payload(tb[NDA_DST]), sizeof(e->dst));
	e->ifindex = (unsigned int)ndm->ndm_ifindex;
	e->state = ndm->ndm_state;
	return MNL_CB_OK;
}

static int dump_entries(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
			struct entries_ctx *ctx, struct rtnl_entry **out,
			size_t *n)
{
	if (rtnl_talk(r, nlh, cb, ctx) == -1 || ctx->nomem) {
		int saved = ctx->nomem ? ENOMEM : errno;

		free(ctx->v);
		errno = saved;
		return -1;
	}
	*out = ctx->v;
	*n = ctx->n;
	return 0;
}

int rtnl_host_routes(struct rtnl *r, uint32_t table, uint32_t metric,
		     struct rtnl_entry **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct entries_ctx ctx = { .table = table, .metric = metric };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	return dump_entries(r, nlh, host_routes_cb, &ctx, out, n);
}

int rtnl_neighbors(struct rtnl *r, struct rtnl_entry **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct entries_ctx ctx = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	return dump_entries(r, nlh, neighbors_cb, &ctx, out, n);
}

struct foreign_ctx {
	uint32_t table;
	int n;
	uint8_t protocol;	/* of the first one found */
};

static int foreign_collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct foreign_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	uint32_t table;

	if (rtm->rtm_family != AF_INET6 || rtm->rtm_protocol == RTPROT_NS_MONITOR)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != ctx->table)
		return MNL_CB_OK;
	if (ctx->n++ == 0)
		ctx->protocol = rtm->rtm_protocol;
	return MNL_CB_OK;
}

int rtnl_table_foreign_routes(struct rtnl *r, uint32_t table, uint8_t *protocol)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct foreign_ctx ctx = { table, 0, 0 };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	if (rtnl_talk(r, nlh, foreign_collect_cb, &ctx) == -1)
		return -1;
	if (protocol)
		*protocol = ctx.protocol;
	return ctx.n;
}

struct ll_ctx {
	unsigned int ifindex;
	uint32_t banned;	/* IFA_F_* an address must not have */
	int found;
	struct in6_addr addr;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFA_ADDRESS &&
	    mnl_attr_validate2(attr, MNL_TYPE_BINARY, sizeof(struct in6_addr)) < 0)
		return MNL_CB_OK;
	if (type == IFA_FLAGS && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int ll_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ll_ctx *ctx = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	uint32_t flags;

	if (ctx->found || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_index != ctx->ifindex || ifa->ifa_scope != RT_SCOPE_LINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	if (!tb[IFA_ADDRESS])
		return MNL_CB_OK;
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (flags & ctx->banned)
		return MNL_CB_OK;
	memcpy(&ctx->addr, mnl_attr_get_payload(tb[IFA_ADDRESS]), sizeof(ctx->addr));
	ctx->found = 1;
	return MNL_CB_OK;
}

static int link_local(struct rtnl *r, unsigned int ifindex, uint32_t banned,
		      struct in6_addr *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ll_ctx ctx = { .ifindex = ifindex, .banned = banned };
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (rtnl_talk(r, nlh, ll_cb, &ctx) == -1)
		return -1;
	if (!ctx.found) {
		errno = ENOENT;
		return -1;
	}
	*out = ctx.addr;
	return 0;
}

int rtnl_link_local(struct rtnl *r, unsigned int ifindex, struct in6_addr *out)
{
	return link_local(r, ifindex, IFA_F_TENTATIVE | IFA_F_DADFAILED, out);
}

int rtnl_link_local_tentative(struct rtnl *r, unsigned int ifindex,
			      struct in6_addr *out)
{
	return link_local(r, ifindex, IFA_F_DADFAILED, out);
}

struct neigh_ctx {
	int state;
};

static int neigh_state_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_ctx *ctx = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { NULL };

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb);
	/* An entry without a link-layer address has not been answered. */
	ctx->state = tb[NDA_LLADDR] ? ndm->ndm_state : NUD_NONE;
	return MNL_CB_OK;
}

struct nlmsghdr *rtnl_neigh_msg(char *buf, const struct in6_addr *addr,
				const uint8_t mac[6], unsigned int ifindex)
{
	struct nlmsghdr *nlh = neigh_msg(buf, RTM_NEWNEIGH, addr, ifindex);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_ACK;
	ndm->ndm_state = NUD_REACHABLE;
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put_u8(nlh, NDA_PROTOCOL, RTPROT_NS_MONITOR);
	return nlh;
}

int rtnl_neigh_state(struct rtnl *r, unsigned int ifindex,
		     const struct in6_addr *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct neigh_ctx ctx = { NUD_NONE };

	if (rtnl_talk(r, neigh_msg(buf, RTM_GETNEIGH, addr, ifindex),
		      neigh_state_cb, &ctx) == -1)
		return errno == ENOENT ? NUD_NONE : -1;
	return ctx.state;
}

struct route_get_ctx {
	struct rtnl_route *out;
	bool found;
};

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_get_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	ctx->out->protocol = rtm->rtm_protocol;
	ctx->out->dst_len = rtm->rtm_dst_len;
	ctx->out->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
			  rtm->rtm_table;
	ctx->out->oif = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	ctx->out->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	ctx->found = true;
	return MNL_CB_OK;
}

int rtnl_route_get(struct rtnl *r, const struct in6_addr *dst,
		   struct rtnl_route *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* cppcheck-suppress ctuuninitvar ; out is only written (memset below) */
	struct route_get_ctx ctx = { out, false };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	/* The route that matches, as it is in the table, not a cached clone. */
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, sizeof(*dst), dst);
	memset(out, 0, sizeof(*out));
	if (rtnl_talk(r, nlh, route_get_cb, &ctx) == -1)
		return -1;
	if (!ctx.found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

struct ntable_ctx {
	struct rtnl_neigh_table *out;
	bool found;
};

static int ntable_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NDTA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int ntable_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ntable_ctx *ctx = data;
	const struct nlattr *tb[NDTA_MAX + 1] = { NULL };
	const struct ndtmsg *ndtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGHTBL || ndtm->ndtm_family != AF_INET6 ||
	    mnl_attr_parse(nlh, sizeof(*ndtm), ntable_attr_cb, tb) != MNL_CB_OK)
		return MNL_CB_OK;
	/* The table's own message, not one of its per-device parameter sets. */
	if (!tb[NDTA_NAME] || !tb[NDTA_THRESH2] || !tb[NDTA_THRESH3] ||
	    !tb[NDTA_CONFIG] ||
	    mnl_attr_validate(tb[NDTA_THRESH2], MNL_TYPE_U32) < 0 ||
	    mnl_attr_validate(tb[NDTA_THRESH3], MNL_TYPE_U32) < 0 ||
	    mnl_attr_get_payload_len(tb[NDTA_CONFIG]) < sizeof(struct ndt_config))
		return MNL_CB_OK;
	{
		struct ndt_config conf;

		memcpy(&conf, mnl_attr_get_payload(tb[NDTA_CONFIG]), sizeof(conf));
		ctx->out->thresh2 = mnl_attr_get_u32(tb[NDTA_THRESH2]);
		ctx->out->thresh3 = mnl_attr_get_u32(tb[NDTA_THRESH3]);
		ctx->out->entries = conf.ndtc_entries;
		ctx->found = true;
	}
	return MNL_CB_OK;
}

int rtnl_neigh_table(struct rtnl *r, struct rtnl_neigh_table *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* cppcheck-suppress ctuuninitvar ; out is only written, never read */
	struct ntable_ctx ctx = { out, false };
	struct nlmsghdr *nlh;
	struct ndtmsg *ndtm;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGHTBL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndtm));
	ndtm->ndtm_family = AF_INET6;
	if (rtnl_talk(r, nlh, ntable_cb, &ctx) == -1)
		return -1;
	if (!ctx.found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}
