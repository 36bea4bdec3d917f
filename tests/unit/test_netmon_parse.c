/* Unit tests for netmon_parse() on crafted rtnetlink messages (libmnl). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include "netmon.h"

#define BUF_SIZE 4096

/* Netlink buffers must be 4-byte aligned. */
union nlbuf {
	struct nlmsghdr align;
	uint8_t b[BUF_SIZE];
};

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/*
 * Parse a copy of the message in a heap buffer of exactly nlmsg_len bytes,
 * so that ASan sees any read past the message. ev starts as garbage.
 */
static enum netmon_kind parse(const struct nlmsghdr *nlh,
			      struct netmon_event *ev)
{
	struct nlmsghdr *copy;
	enum netmon_kind kind;

	assert_true(nlh->nlmsg_len >= sizeof(struct nlmsghdr));
	copy = malloc(nlh->nlmsg_len);
	assert_non_null(copy);
	memcpy(copy, nlh, nlh->nlmsg_len);
	memset(ev, 0xa5, sizeof(*ev));
	kind = netmon_parse(copy, ev);
	free(copy);
	return kind;
}

/* Ignored: the result says so, and ev says nothing either. */
static void expect_none(const struct nlmsghdr *nlh)
{
	struct netmon_event ev;

	assert_int_equal(parse(nlh, &ev), NETMON_NONE);
	assert_int_equal(ev.kind, NETMON_NONE);
}

static struct nlmsghdr *put_link(void *buf, uint16_t type, int ifindex,
				 unsigned int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = 0xffffffffu;
	return nlh;
}

static struct nlmsghdr *put_addr(void *buf, uint16_t type, uint8_t family,
				 uint8_t prefixlen, uint8_t flags,
				 uint8_t scope, uint32_t ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_flags = flags;
	ifa->ifa_scope = scope;
	ifa->ifa_index = ifindex;
	return nlh;
}

static struct nlmsghdr *put_neigh(void *buf, uint16_t type, uint8_t family,
				  int ifindex, uint16_t nud, uint8_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = nud;
	ndm->ndm_flags = flags;
	ndm->ndm_type = RTN_UNICAST;
	return nlh;
}

/* ---- links ---- */

static void test_link_up_running(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 7, IFF_UP | IFF_RUNNING | IFF_BROADCAST);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.kind, NETMON_LINK);
	assert_false(ev.deleted);
	assert_int_equal(ev.ifindex, 7);
	assert_string_equal(ev.link.name, "eth1");
	assert_true(ev.link.up);
	assert_int_equal(ev.link.addr_len, sizeof(mac));
	assert_memory_equal(ev.link.addr, mac, sizeof(mac));
}

/* What nd_send.c needs of a slave: an Ethernet type and its MAC. */
static void test_link_ether_address(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_type = ARPHRD_ETHER;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "vnet0");
	/* The broadcast address comes first: not taken for the MAC. */
	mnl_attr_put(nlh, IFLA_BROADCAST, sizeof(bcast), bcast);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.type, ARPHRD_ETHER);
	assert_int_equal(ev.link.addr_len, 6);
	assert_memory_equal(ev.link.addr, mac, sizeof(mac));
	assert_string_equal(ev.link.name, "vnet0");
	assert_true(ev.link.up);
}

static void test_link_no_address(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct netmon_event ev;

	(void)state;
	/* A tun or wireguard device: no link layer, no IFLA_ADDRESS. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 10, IFF_UP | IFF_RUNNING);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_type = ARPHRD_NONE;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wg0");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.type, ARPHRD_NONE);
	assert_int_equal(ev.link.addr_len, 0);

	/* An empty attribute is no address either. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 10, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tun0");
	mnl_attr_put(nlh, IFLA_ADDRESS, 0, NULL);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.addr_len, 0);
}

static void test_link_address_lengths(void **state)
{
	uint8_t big[NETMON_LLADDR_MAX + 1];
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct netmon_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i + 1);
	/* Infiniband: 20 bytes, kept whole. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 11, IFF_UP | IFF_RUNNING);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_type = ARPHRD_INFINIBAND;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ib0");
	mnl_attr_put(nlh, IFLA_ADDRESS, 20, big);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.type, ARPHRD_INFINIBAND);
	assert_int_equal(ev.link.addr_len, 20);
	assert_memory_equal(ev.link.addr, big, 20);

	/* The longest kept, last in the message (ASan sees the end). */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 11, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	mnl_attr_put(nlh, IFLA_ADDRESS, NETMON_LLADDR_MAX, big);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.addr_len, NETMON_LLADDR_MAX);
	assert_memory_equal(ev.link.addr, big, NETMON_LLADDR_MAX);

	/* One byte longer: no address rather than a cut one. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 11, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(big), big);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.link.addr_len, 0);
	assert_string_equal(ev.link.name, "x0");
	assert_true(ev.link.up);
}

static void test_link_up_not_running(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	/* Administratively up, no carrier. */
	nlh = put_link(u.b, RTM_NEWLINK, 8, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.ifindex, 8);
	assert_string_equal(ev.link.name, "veth0");
	assert_false(ev.link.up);
	assert_false(ev.deleted);

	/* Running but administratively down is not up either. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 8, IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_false(ev.link.up);

	/* No flags at all. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 8, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_false(ev.link.up);
}

static void test_link_deleted(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_DELLINK, 12, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "dummy3");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(ev.kind, NETMON_LINK);
	assert_true(ev.deleted);
	assert_int_equal(ev.ifindex, 12);
	assert_string_equal(ev.link.name, "dummy3");
}

static void test_link_name_longest(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	/* 15 characters and the NUL: exactly IFNAMSIZ, kept whole. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 3, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "abcdefghijklmno");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_string_equal(ev.link.name, "abcdefghijklmno");
}

static void test_link_name_no_nul(void **state)
{
	static const char sixteen[16] = "abcdefghijklmnop";	/* no NUL */
	static const char forty[40] = "0123456789012345678901234567890123456789";
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	/*
	 * 16 bytes without a NUL, last in the message: truncated to 15 and
	 * terminated; parse() gives an exact-size buffer, so ASan catches any
	 * read beyond the attribute.
	 */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	mnl_attr_put(nlh, IFLA_IFNAME, sizeof(sixteen), sixteen);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_int_equal(strlen(ev.link.name), IF_NAMESIZE - 1);
	assert_string_equal(ev.link.name, "abcdefghijklmno");
	assert_true(ev.link.up);	/* the union's neighbour is intact */
	assert_int_equal(ev.ifindex, 5);

	/* Much longer, still truncated. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, 0);
	mnl_attr_put(nlh, IFLA_IFNAME, sizeof(forty), forty);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_string_equal(ev.link.name, "012345678901234");
	assert_false(ev.link.up);

	/* Short and unterminated, with an odd length (padding follows). */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, 0);
	mnl_attr_put(nlh, IFLA_IFNAME, 3, "xyz");
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_string_equal(ev.link.name, "xyz");
}

static void test_link_empty_name(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;

	(void)state;
	/* "" with its NUL. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "");
	expect_none(nlh);

	/* No payload at all. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	mnl_attr_put(nlh, IFLA_IFNAME, 0, NULL);
	expect_none(nlh);

	/* A NUL first, then characters. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "\0abc");
	expect_none(nlh);

	/* No IFLA_IFNAME. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	expect_none(nlh);

	/* Nothing after the ifinfomsg. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_DELLINK, 5, 0);
	expect_none(nlh);
}

static void test_link_short(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING);
	/* Header and part of an ifinfomsg: parse() copies only that much. */
	nlh->nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) +
				    sizeof(struct ifinfomsg) - 1);
	expect_none(nlh);
	nlh->nlmsg_len = sizeof(struct nlmsghdr) + 4;
	expect_none(nlh);
	nlh->nlmsg_len = sizeof(struct nlmsghdr);
	expect_none(nlh);
	nlh->nlmsg_type = RTM_DELLINK;
	expect_none(nlh);
}

static void test_link_unknown_attributes(void **state)
{
	static const uint8_t junk[7] = { 1, 2, 3, 4, 5, 6, 7 };
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING);
	/* Types the kernel may add after IFLA_MAX, around the name. */
	mnl_attr_put(nlh, IFLA_MAX + 1, sizeof(junk), junk);
	mnl_attr_put_u32(nlh, IFLA_MAX + 50, 0xdeadbeef);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	mnl_attr_put(nlh, 0x3fff, sizeof(junk), junk);	/* the largest type */
	mnl_attr_put(nlh, IFLA_MAX + 2, 0, NULL);
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_string_equal(ev.link.name, "br0");
	assert_int_equal(ev.ifindex, 9);
	assert_true(ev.link.up);
}

static void test_link_malformed_attribute(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct nlattr *bad;
	struct netmon_event ev;

	(void)state;
	/* An attribute claiming more than the message holds, after the name. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth2");
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	bad->nla_len = 200;
	assert_int_equal(parse(nlh, &ev), NETMON_LINK);
	assert_string_equal(ev.link.name, "eth2");

	/* The same before the name: the walk stops, the name is not seen. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth2");
	bad->nla_len = 200;
	expect_none(nlh);

	/* A length below the attribute header. */
	bad->nla_len = 2;
	expect_none(nlh);

	/* The name attribute itself overruns the message. */
	memset(&u, 0, sizeof(u));
	nlh = put_link(u.b, RTM_NEWLINK, 9, IFF_UP | IFF_RUNNING);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth2");
	bad->nla_len = 64;
	expect_none(nlh);
}

/* ---- addresses ---- */

static void test_addr_address(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr a = addr6("2001:db8:1::10");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, IFA_F_PERMANENT,
		       RT_SCOPE_UNIVERSE, 4);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_int_equal(ev.kind, NETMON_ADDR);
	assert_false(ev.deleted);
	assert_int_equal(ev.ifindex, 4);
	assert_memory_equal(&ev.addr.addr, &a, sizeof(a));
	assert_int_equal(ev.addr.prefixlen, 64);
	assert_int_equal(ev.addr.scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(ev.addr.flags, IFA_F_PERMANENT);

	/* Link-local, tentative, and deleted. */
	a = addr6("fe80::1");
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_DELADDR, AF_INET6, 128, IFA_F_TENTATIVE,
		       RT_SCOPE_LINK, 11);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_true(ev.deleted);
	assert_int_equal(ev.ifindex, 11);
	assert_memory_equal(&ev.addr.addr, &a, sizeof(a));
	assert_int_equal(ev.addr.prefixlen, 128);
	assert_int_equal(ev.addr.scope, RT_SCOPE_LINK);
	assert_int_equal(ev.addr.flags, IFA_F_TENTATIVE);
}

static void test_addr_local_wins(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr peer = addr6("2001:db8::2");
	struct in6_addr local = addr6("2001:db8::1");

	(void)state;
	/* Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL is ours. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 128, 0, RT_SCOPE_UNIVERSE, 6);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(peer), &peer);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(local), &local);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_memory_equal(&ev.addr.addr, &local, sizeof(local));

	/* Whatever the order. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 128, 0, RT_SCOPE_UNIVERSE, 6);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(local), &local);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(peer), &peer);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_memory_equal(&ev.addr.addr, &local, sizeof(local));

	/* IFA_LOCAL alone. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 128, 0, RT_SCOPE_UNIVERSE, 6);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(local), &local);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_memory_equal(&ev.addr.addr, &local, sizeof(local));

	/* A short IFA_LOCAL does not win over a good IFA_ADDRESS. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 128, 0, RT_SCOPE_UNIVERSE, 6);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(peer), &peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_memory_equal(&ev.addr.addr, &peer, sizeof(peer));
}

static void test_addr_flags_attribute(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr a = addr6("2001:db8::abcd");
	uint16_t half = 0x0200;

	(void)state;
	/* IFA_FLAGS has the flags that do not fit in the u8 ifa_flags. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, IFA_F_TENTATIVE,
		       RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	mnl_attr_put_u32(nlh, IFA_FLAGS,
			 IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_int_equal(ev.addr.flags,
			 IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR);

	/* Zero in IFA_FLAGS overrides too. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, IFA_F_TENTATIVE,
		       RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put_u32(nlh, IFA_FLAGS, 0);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_int_equal(ev.addr.flags, 0);

	/* Too short to be a u32: ifa_flags stands. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, IFA_F_DADFAILED,
		       RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_FLAGS, sizeof(half), &half);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_int_equal(ev.addr.flags, IFA_F_DADFAILED);
}

static void test_addr_ignored(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct in6_addr a = addr6("2001:db8::1");
	uint32_t v4 = htonl(0xc0000201);

	(void)state;
	/* IPv4 addresses are not followed. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET, 24, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(v4), &v4);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(v4), &v4);
	expect_none(nlh);
	/* Even with an address of IPv6 size. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET, 24, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	expect_none(nlh);

	/* An IFA_ADDRESS shorter than 16 bytes. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 15, &a);
	expect_none(nlh);
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(v4), &v4);
	expect_none(nlh);
	/* ...and with a short IFA_LOCAL as well. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_DELADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 8, &a);
	mnl_attr_put(nlh, IFA_LOCAL, 8, &a);
	expect_none(nlh);

	/* No address at all. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 2);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT);
	expect_none(nlh);

	/* Shorter than an ifaddrmsg. */
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 2);
	nlh->nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) +
				    sizeof(struct ifaddrmsg) - 1);
	expect_none(nlh);
}

static void test_addr_unknown_attributes(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr a = addr6("2001:db8::5");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_addr(u.b, RTM_NEWADDR, AF_INET6, 48, 0, RT_SCOPE_UNIVERSE, 3);
	mnl_attr_put_u32(nlh, IFA_MAX + 1, 1);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_MAX + 100, sizeof(a), &a);
	assert_int_equal(parse(nlh, &ev), NETMON_ADDR);
	assert_memory_equal(&ev.addr.addr, &a, sizeof(a));
	assert_int_equal(ev.addr.prefixlen, 48);
}

/* ---- neighbors ---- */

static void test_neigh_reachable(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:2::77");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 15, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, NDA_PROBES, 1);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_int_equal(ev.kind, NETMON_NEIGH);
	assert_false(ev.deleted);
	assert_int_equal(ev.ifindex, 15);
	assert_memory_equal(&ev.neigh.dst, &dst, sizeof(dst));
	assert_int_equal(ev.neigh.state, NUD_REACHABLE);
	assert_int_equal(ev.neigh.flags, 0);
	assert_true(ev.neigh.has_lladdr);
}

static void test_neigh_proxy_flags(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:2::78");

	(void)state;
	/* A proxy entry: no link-layer address. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_NONE, NTF_PROXY);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_int_equal(ev.neigh.flags, NTF_PROXY);
	assert_int_equal(ev.neigh.state, NUD_NONE);
	assert_false(ev.neigh.has_lladdr);
	assert_int_equal(ev.ifindex, 2);

	/* Several flags, and a state above the low byte. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_PERMANENT,
			NTF_PROXY | NTF_ROUTER);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_int_equal(ev.neigh.flags, NTF_PROXY | NTF_ROUTER);
	assert_int_equal(ev.neigh.state, NUD_PERMANENT);
	assert_true(ev.neigh.has_lladdr);

	/* FAILED, without a link-layer address. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_FAILED, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_int_equal(ev.neigh.state, NUD_FAILED);
	assert_false(ev.neigh.has_lladdr);
}

static void test_neigh_deleted(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:2::79");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_DELNEIGH, AF_INET6, 21, NUD_STALE, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_true(ev.deleted);
	assert_int_equal(ev.ifindex, 21);
	assert_memory_equal(&ev.neigh.dst, &dst, sizeof(dst));
	assert_int_equal(ev.neigh.state, NUD_STALE);
}

static void test_neigh_ignored(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct in6_addr dst = addr6("2001:db8:2::80");
	uint32_t v4 = htonl(0xc0000202);

	(void)state;
	/* No NDA_DST. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	expect_none(nlh);
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_DELNEIGH, AF_INET6, 2, NUD_REACHABLE, 0);
	expect_none(nlh);

	/* NDA_DST too short. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(v4), &v4);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	expect_none(nlh);

	/* IPv4 (ARP) entries. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET, 2, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(v4), &v4);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	expect_none(nlh);
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET, 2, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	expect_none(nlh);
	/* Bridge FDB entries (AF_BRIDGE) too. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_BRIDGE, 2, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	expect_none(nlh);

	/* Shorter than an ndmsg. */
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 2, NUD_REACHABLE, 0);
	nlh->nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) +
				    sizeof(struct ndmsg) - 1);
	expect_none(nlh);
}

static void test_neigh_unknown_attributes(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:2::81");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_neigh(u.b, RTM_NEWNEIGH, AF_INET6, 4, NUD_DELAY, 0);
	mnl_attr_put_u32(nlh, NDA_MAX + 1, 7);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	mnl_attr_put(nlh, NDA_MAX + 9, sizeof(dst), &dst);
	assert_int_equal(parse(nlh, &ev), NETMON_NEIGH);
	assert_memory_equal(&ev.neigh.dst, &dst, sizeof(dst));
	assert_int_equal(ev.neigh.state, NUD_DELAY);
	assert_false(ev.neigh.has_lladdr);
}

/* ---- routes ---- */

static struct nlmsghdr *put_route(void *buf, uint16_t type, uint8_t family,
				  uint8_t dst_len, uint8_t protocol)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_protocol = protocol;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	return nlh;
}

static void test_route_host_deleted(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:1::100");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_DELROUTE, AF_INET6, 128, 135);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1159);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_MAX + 3, 1);	/* unknown: skipped */
	assert_int_equal(parse(nlh, &ev), NETMON_ROUTE);
	assert_int_equal(ev.kind, NETMON_ROUTE);
	assert_true(ev.deleted);
	assert_int_equal(ev.ifindex, 7);
	assert_memory_equal(&ev.route.dst, &dst, sizeof(dst));
	assert_int_equal(ev.route.table, RT_TABLE_MAIN);
	assert_int_equal(ev.route.metric, 1159);
	assert_int_equal(ev.route.protocol, 135);

	/* Added; a table above 255 is only in RTA_TABLE; no metric: 0. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_NEWROUTE, AF_INET6, 128, 4);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(parse(nlh, &ev), NETMON_ROUTE);
	assert_false(ev.deleted);
	assert_int_equal(ev.route.table, 1000);
	assert_int_equal(ev.route.metric, 0);
	assert_int_equal(ev.route.protocol, 4);
}

static void test_route_ignored(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	uint32_t v4 = htonl(0xc0000202);

	(void)state;
	/* IPv4. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_DELROUTE, AF_INET, 32, 135);
	mnl_attr_put(nlh, RTA_DST, sizeof(v4), &v4);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	expect_none(nlh);
	/* A prefix length but no destination. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_DELROUTE, AF_INET6, 128, 135);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	expect_none(nlh);
	/* A destination too short. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_DELROUTE, AF_INET6, 128, 135);
	mnl_attr_put(nlh, RTA_DST, sizeof(v4), &v4);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	expect_none(nlh);
	/* Shorter than an rtmsg. */
	nlh->nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) +
				    sizeof(struct rtmsg) - 1);
	expect_none(nlh);
}

/* Any IPv6 route: the scope of what a guest may claim. */
static void test_route_prefix(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct netmon_event ev;
	struct in6_addr dst = addr6("2001:db8:1::"), gw = addr6("fe80::1");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_NEWROUTE, AF_INET6, 64, 135);
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	assert_int_equal(netmon_parse(nlh, &ev), NETMON_ROUTE);
	assert_int_equal(ev.route.dst_len, 64);
	assert_memory_equal(&ev.route.dst, &dst, 16);
	assert_int_equal(ev.ifindex, 7);
	assert_false(ev.route.gateway);
	assert_false(ev.deleted);
	/* The default route: no RTA_DST, a gateway. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_NEWROUTE, AF_INET6, 0, 135);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	assert_int_equal(netmon_parse(nlh, &ev), NETMON_ROUTE);
	assert_int_equal(ev.route.dst_len, 0);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&ev.route.dst));
	assert_true(ev.route.gateway);
	/* No device (blackhole, multipath): ifindex 0. */
	memset(&u, 0, sizeof(u));
	nlh = put_route(u.b, RTM_DELROUTE, AF_INET6, 128, 135);
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	assert_int_equal(netmon_parse(nlh, &ev), NETMON_ROUTE);
	assert_int_equal(ev.ifindex, 0);
	assert_true(ev.deleted);
}

/* ---- netconf ---- */

static struct nlmsghdr *put_netconf(void *buf, uint8_t family, int32_t ifindex,
				    int forwarding)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct netconfmsg *ncm;

	nlh->nlmsg_type = RTM_NEWNETCONF;
	ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));
	ncm->ncm_family = family;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (uint32_t)ifindex);
	if (forwarding >= 0)
		mnl_attr_put_u32(nlh, NETCONFA_FORWARDING, (uint32_t)forwarding);
	mnl_attr_put_u32(nlh, NETCONFA_PROXY_NEIGH, 1);
	return nlh;
}

/*
 * IPv6 forwarding of a device or of "all" (ifindex 0). Not "default", not
 * IPv4, not a message without forwarding (a change of proxy_ndp alone).
 */
static void test_netconf(void **state)
{
	union nlbuf u;
	struct netmon_event ev;

	(void)state;
	memset(&u, 0, sizeof(u));
	assert_int_equal(parse(put_netconf(u.b, AF_INET6, 7, 1), &ev),
			 NETMON_NETCONF);
	assert_int_equal(ev.kind, NETMON_NETCONF);
	assert_int_equal(ev.ifindex, 7);
	assert_true(ev.netconf.forwarding);
	assert_false(ev.deleted);
	memset(&u, 0, sizeof(u));
	assert_int_equal(parse(put_netconf(u.b, AF_INET6, NETCONFA_IFINDEX_ALL, 0),
			       &ev), NETMON_NETCONF);
	assert_int_equal(ev.ifindex, 0);
	assert_false(ev.netconf.forwarding);
	memset(&u, 0, sizeof(u));
	expect_none(put_netconf(u.b, AF_INET6, NETCONFA_IFINDEX_DEFAULT, 1));
	memset(&u, 0, sizeof(u));
	expect_none(put_netconf(u.b, AF_INET, 7, 1));
	memset(&u, 0, sizeof(u));
	expect_none(put_netconf(u.b, AF_INET6, 7, -1));
}

/* ---- others ---- */

static void test_other_types(void **state)
{
	union nlbuf u;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct in6_addr dst = addr6("2001:db8::");

	(void)state;
	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 32;
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	nlh->nlmsg_type = RTM_NEWRULE;
	expect_none(nlh);
	nlh->nlmsg_type = RTM_GETLINK;
	expect_none(nlh);
	nlh->nlmsg_type = RTM_GETNEIGH;
	expect_none(nlh);
	nlh->nlmsg_type = NLMSG_DONE;
	expect_none(nlh);
	nlh->nlmsg_type = NLMSG_ERROR;
	expect_none(nlh);
	nlh->nlmsg_type = NLMSG_NOOP;
	expect_none(nlh);

	/* A bare header of another type is not read beyond. */
	nlh->nlmsg_type = RTM_NEWRULE;
	nlh->nlmsg_len = sizeof(struct nlmsghdr);
	expect_none(nlh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_host_deleted),
		cmocka_unit_test(test_route_ignored),
		cmocka_unit_test(test_route_prefix),
		cmocka_unit_test(test_link_up_running),
		cmocka_unit_test(test_link_ether_address),
		cmocka_unit_test(test_link_no_address),
		cmocka_unit_test(test_link_address_lengths),
		cmocka_unit_test(test_link_up_not_running),
		cmocka_unit_test(test_link_deleted),
		cmocka_unit_test(test_link_name_longest),
		cmocka_unit_test(test_link_name_no_nul),
		cmocka_unit_test(test_link_empty_name),
		cmocka_unit_test(test_link_short),
		cmocka_unit_test(test_link_unknown_attributes),
		cmocka_unit_test(test_link_malformed_attribute),
		cmocka_unit_test(test_addr_address),
		cmocka_unit_test(test_addr_local_wins),
		cmocka_unit_test(test_addr_flags_attribute),
		cmocka_unit_test(test_addr_ignored),
		cmocka_unit_test(test_addr_unknown_attributes),
		cmocka_unit_test(test_neigh_reachable),
		cmocka_unit_test(test_neigh_proxy_flags),
		cmocka_unit_test(test_neigh_deleted),
		cmocka_unit_test(test_neigh_ignored),
		cmocka_unit_test(test_neigh_unknown_attributes),
		cmocka_unit_test(test_netconf),
		cmocka_unit_test(test_other_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
