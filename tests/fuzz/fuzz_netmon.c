/*
 * libFuzzer target for netmon_parse(): rtnetlink link, address, neighbor
 * and route messages, as the kernel sends them to the daemon's rtnetlink
 * socket, through libmnl's attribute walk.
 *
 * The first input byte picks how the rest becomes a receive buffer:
 *   mode 0  the rest is the buffer as it is (any number of messages, any
 *           header values), walked as netmon.c walks it (nlmsg_fits);
 *   mode 1  the next byte picks one of the eight message types netmon
 *           follows, the rest is the family header and the attributes,
 *           under a valid nlmsghdr: time goes to the attribute parsing.
 * Every message is an exact-size heap copy up to its aligned length (what
 * netmon_parse() may read, netmon.h), so ASan sees a read past it.
 *
 * What an event promises is checked: its kind follows the message type,
 * the family header's own checks held (IPv6, /128 routes), names are
 * terminated and not empty, a link-layer address fits.
 *
 * Build: tests/fuzz/run.sh, or by hand
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude $(pkg-config --cflags libmnl) tests/fuzz/fuzz_netmon.c \
 *     src/netmon.c src/log.c src/clock.c $(pkg-config --libs libmnl) \
 *     -o build/fuzz/fuzz_netmon
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "fuzz_check.h"
#include "netmon.h"
#include "nlmsg.h"

enum { MODE_RAW, MODE_TYPED, MODE_COUNT };

static const uint16_t followed[] = {
	RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR,
	RTM_NEWNEIGH, RTM_DELNEIGH, RTM_NEWROUTE, RTM_DELROUTE,
	RTM_NEWNETCONF,
};

static volatile uint8_t sink;

/* The kind a message type can give, NETMON_NONE for one not followed. */
static enum netmon_kind kind_of(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return NETMON_LINK;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return NETMON_ADDR;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return NETMON_NEIGH;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return NETMON_ROUTE;
	case RTM_NEWNETCONF:
		return NETMON_NETCONF;
	}
	return NETMON_NONE;
}

static void check_event(const struct nlmsghdr *nlh, enum netmon_kind kind,
			const struct netmon_event *ev)
{
	const void *hdr = mnl_nlmsg_get_payload(nlh);

	CHECK(ev->kind == kind);
	if (kind == NETMON_NONE)
		return;
	CHECK(kind == kind_of(nlh->nlmsg_type));
	/* Only a message with its whole family header gives an event. */
	switch (kind) {
	case NETMON_LINK: {
		const struct ifinfomsg *ifi = hdr;

		CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifi)));
		CHECK(ev->ifindex == (unsigned int)ifi->ifi_index);
		CHECK(memchr(ev->link.name, '\0', IF_NAMESIZE) != NULL);
		CHECK(ev->link.name[0] != '\0');
		CHECK(ev->link.addr_len <= NETMON_LLADDR_MAX);
		CHECK(ev->deleted == (nlh->nlmsg_type == RTM_DELLINK));
		break;
	}
	case NETMON_ADDR: {
		const struct ifaddrmsg *ifa = hdr;

		CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifa)));
		CHECK(ifa->ifa_family == AF_INET6);
		CHECK(ev->ifindex == ifa->ifa_index);
		CHECK(ev->addr.prefixlen == ifa->ifa_prefixlen);
		CHECK(ev->deleted == (nlh->nlmsg_type == RTM_DELADDR));
		break;
	}
	case NETMON_NEIGH: {
		const struct ndmsg *ndm = hdr;

		CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ndm)));
		CHECK(ndm->ndm_family == AF_INET6);
		CHECK(ev->ifindex == (unsigned int)ndm->ndm_ifindex);
		CHECK(ev->neigh.state == ndm->ndm_state);
		CHECK(ev->deleted == (nlh->nlmsg_type == RTM_DELNEIGH));
		break;
	}
	case NETMON_ROUTE: {
		const struct rtmsg *rtm = hdr;

		CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*rtm)));
		CHECK(rtm->rtm_family == AF_INET6);
		CHECK(rtm->rtm_dst_len <= 128);
		CHECK(ev->route.dst_len == rtm->rtm_dst_len);
		CHECK(ev->route.type == rtm->rtm_type);
		CHECK(ev->route.protocol == rtm->rtm_protocol);
		CHECK(ev->deleted == (nlh->nlmsg_type == RTM_DELROUTE));
		break;
	}
	case NETMON_NETCONF: {
		const struct netconfmsg *ncm = hdr;

		CHECK(nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ncm)));
		CHECK(ncm->ncm_family == AF_INET6);
		/* A device's index, or 0 for "all". */
		CHECK(ev->ifindex <= (unsigned int)INT32_MAX);
		break;
	}
	case NETMON_NONE:
		break;
	}
	/* Every byte of the event, so UBSan and ASan see what was set. */
	for (size_t i = 0; i < sizeof(*ev); i++)
		sink ^= ((const uint8_t *)ev)[i];
}

/* Parse one message from an exact-size copy of its aligned length. */
static void parse_copy(const struct nlmsghdr *nlh)
{
	size_t len = nlmsg_aligned_len(nlh);
	struct nlmsghdr *copy = malloc(len);
	struct netmon_event ev;
	enum netmon_kind kind;

	CHECK(copy != NULL);
	memcpy(copy, nlh, len);
	memset(&ev, 0xa5, sizeof(ev));
	kind = netmon_parse(copy, &ev);
	CHECK(kind >= NETMON_NONE && kind <= NETMON_NETCONF);
	check_event(copy, kind, &ev);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	struct nlmsghdr *msg;
	uint8_t *buf;
	size_t len, left;

	if (size < 1)
		return 0;
	if (data[0] % MODE_COUNT == MODE_RAW) {
		/* malloc's alignment is what a netlink buffer needs. */
		len = size - 1;
		buf = malloc(len ? len : 1);
		CHECK(buf != NULL);
		memcpy(buf, data + 1, len);
		left = len;
		for (nlh = (const struct nlmsghdr *)buf; nlmsg_fits(nlh, left);
		     nlh = nlmsg_after(nlh, &left))
			parse_copy(nlh);
		free(buf);
		return 0;
	}
	if (size < 2)
		return 0;
	len = MNL_NLMSG_HDRLEN + (size - 2);
	/* Zeroed padding up to the aligned length, as the kernel sends it. */
	msg = calloc(1, MNL_ALIGN(len));
	CHECK(msg != NULL);
	msg->nlmsg_len = (uint32_t)len;
	msg->nlmsg_type = followed[data[1] % (sizeof(followed) / sizeof(followed[0]))];
	memcpy((uint8_t *)msg + MNL_NLMSG_HDRLEN, data + 2, size - 2);
	parse_copy(msg);
	free(msg);
	return 0;
}
