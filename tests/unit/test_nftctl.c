/*
 * Unit tests for the pure parts of nftctl: nftctl_prefix_range() and
 * nftctl_group_commands(). Nothing here talks to the kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nftctl.h"

#define MANY_TARGETS 64

#define RANGE_LEN 69	/* "0x" 32 "-0x" 32 */
#define CANARY 32
#define CANARY_BYTE 0xa5
#define ALL_RANGE "0x00000000000000000000000000000000-" \
		  "0xffffffffffffffffffffffffffffffff"

static struct prefix6 prefix(const char *addr, uint8_t len)
{
	struct prefix6 p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(inet_pton(AF_INET6, addr, &p.addr), 1);
	p.len = len;
	return p;
}

static void expect_range(const char *addr, uint8_t len, const char *want)
{
	struct prefix6 p = prefix(addr, len);
	char buf[RANGE_LEN + 1 + CANARY];

	assert_int_equal(strlen(want), RANGE_LEN);
	memset(buf, CANARY_BYTE, sizeof(buf));
	nftctl_prefix_range(&p, buf, RANGE_LEN + 1);
	assert_string_equal(buf, want);
	for (size_t i = RANGE_LEN + 1; i < sizeof(buf); i++)
		assert_int_equal((uint8_t)buf[i], CANARY_BYTE);
}

static void test_range_64(void **state)
{
	(void)state;
	expect_range("2001:db8:1::", 64,
		     "0x20010db8000100000000000000000000-"
		     "0x20010db800010000ffffffffffffffff");
}

static void test_range_all(void **state)
{
	(void)state;
	expect_range("::", 0, ALL_RANGE);
}

static void test_range_128(void **state)
{
	(void)state;
	expect_range("2001:db8::1", 128,
		     "0x20010db8000000000000000000000001-"
		     "0x20010db8000000000000000000000001");
	expect_range("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128,
		     "0xffffffffffffffffffffffffffffffff-"
		     "0xffffffffffffffffffffffffffffffff");
}

static void test_range_1(void **state)
{
	(void)state;
	expect_range("8000::", 1,
		     "0x80000000000000000000000000000000-"
		     "0xffffffffffffffffffffffffffffffff");
	expect_range("::", 1,
		     "0x00000000000000000000000000000000-"
		     "0x7fffffffffffffffffffffffffffffff");
}

static void test_range_127(void **state)
{
	(void)state;
	expect_range("2001:db8::2", 127,
		     "0x20010db8000000000000000000000002-"
		     "0x20010db8000000000000000000000003");
}

static void test_range_unaligned(void **state)
{
	(void)state;
	/* /61: five bits of byte 7 are kept, three vary. */
	expect_range("2001:db8:0:8::", 61,
		     "0x20010db8000000080000000000000000-"
		     "0x20010db80000000fffffffffffffffff");
	/* /33: one bit of byte 4. */
	expect_range("2001:db8:8000::", 33,
		     "0x20010db8800000000000000000000000-"
		     "0x20010db8ffffffffffffffffffffffff");
	/* /7: inside the first byte. */
	expect_range("fc00::", 7,
		     "0xfc000000000000000000000000000000-"
		     "0xfdffffffffffffffffffffffffffffff");
	/* /120: the last byte varies entirely; /125 its low three bits. */
	expect_range("2001:db8::100", 120,
		     "0x20010db8000000000000000000000100-"
		     "0x20010db80000000000000000000001ff");
	expect_range("2001:db8::a8", 125,
		     "0x20010db80000000000000000000000a8-"
		     "0x20010db80000000000000000000000af");
}

static void test_range_small_buffer(void **state)
{
	struct prefix6 p = prefix("2001:db8:1::", 64);
	char buf[RANGE_LEN + 1 + CANARY];

	(void)state;
	/* Never past size, and terminated whenever there is room. */
	for (size_t size = 0; size <= RANGE_LEN + 1; size++) {
		memset(buf, CANARY_BYTE, sizeof(buf));
		nftctl_prefix_range(&p, buf, size);
		for (size_t i = size; i < sizeof(buf); i++)
			assert_int_equal((uint8_t)buf[i], CANARY_BYTE);
		if (size > 0)
			assert_non_null(memchr(buf, '\0', size));
	}
}

/* ---- nftctl_group_commands ---- */

static const struct ifspec two_masters[] = { { "eth0", false }, { "br-lan", false } };
static const struct ifspec three_slaves[] = { { "eth1", false }, { "eth2", false },
					      { "vnet", true } };

static struct nft_group_spec basic_spec(void)
{
	struct nft_group_spec s;

	memset(&s, 0, sizeof(s));
	s.group = 135;
	s.masters = two_masters;
	s.nmasters = 2;
	s.slaves = three_slaves;
	s.nslaves = 3;
	return s;
}

/* Commands into a large buffer; the length returned is the string's. */
static char *commands(const struct nft_group_spec *spec)
{
	size_t size = 64 * 1024;
	char *buf = malloc(size);
	int n;

	assert_non_null(buf);
	n = nftctl_group_commands(buf, size, spec);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_int_equal(buf[n - 1], '\n');
	return buf;
}

/* Where line (a whole line) starts in buf; fails if it is not there. */
static const char *find_line(const char *buf, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = buf; *p; p = strchr(p, '\n') + 1) {
		if (strncmp(p, line, len) == 0 && p[len] == '\n')
			return p;
		if (!strchr(p, '\n'))
			break;
	}
	fail_msg("no line '%s' in:\n%s", line, buf);
	return NULL;
}

static void test_commands_basic(void **state)
{
	struct nft_group_spec spec = basic_spec();
	char *buf = commands(&spec);
	const char *table, *masters, *slaves, *targets, *el_m, *el_s, *el_t;
	const char *chain, *rule;

	(void)state;
	table = find_line(buf, "add table inet ns_monitor");
	masters = find_line(buf, "add set inet ns_monitor masters_135 { type ifname; flags interval; }");
	slaves = find_line(buf, "add set inet ns_monitor slaves_135 { type ifname; flags interval; }");
	targets = find_line(buf, "add set inet ns_monitor targets_135 "
			    "{ typeof @th,64,128; flags interval; }");
	el_m = find_line(buf, "add element inet ns_monitor masters_135 "
			 "{ \"eth0\", \"br-lan\" }");
	el_s = find_line(buf, "add element inet ns_monitor slaves_135 "
			 "{ \"eth1\", \"eth2\", \"vnet*\" }");
	/* No targets: every target, as the one element ::/0. */
	el_t = find_line(buf, "add element inet ns_monitor targets_135 { "
			 ALL_RANGE " }");
	chain = find_line(buf, "add chain inet ns_monitor output_135 "
			  "{ type filter hook output priority -200; policy accept; }");
	rule = strstr(buf, "add rule inet ns_monitor output_135 ");
	assert_non_null(rule);
	assert_true(rule == buf || rule[-1] == '\n');

	/* The pieces of the rule. */
	assert_non_null(strstr(rule, "oifname @masters_135 "));
	assert_non_null(strstr(rule, "icmpv6 type nd-neighbor-solicit"));
	assert_non_null(strstr(rule, "@th,64,128 @targets_135"));
	assert_non_null(strstr(rule, "log group 135 snaplen 128\n"));
	assert_non_null(strstr(rule, "ip6 saddr != ::"));

	/* Each object exists before it is used. */
	assert_true(table < masters && masters < el_m);
	assert_true(table < slaves && slaves < el_s);
	assert_true(table < targets && targets < el_t);
	assert_true(table < chain && chain < rule);
	assert_true(masters < rule && targets < rule);

	/* No upstream: no input chain, no prerouting hook. */
	assert_null(strstr(buf, "input_135"));
	assert_null(strstr(buf, "prerouting"));
	free(buf);
}

static void test_commands_exact(void **state)
{
	static const struct ifspec m[] = { { "m0", false } };
	static const struct ifspec s[] = { { "s0", false } };
	struct nft_group_spec spec;
	char *buf;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.group = 7;
	spec.masters = m;
	spec.nmasters = 1;
	spec.slaves = s;
	spec.nslaves = 1;
	buf = commands(&spec);
	assert_string_equal(buf,
		"add table inet ns_monitor\n"
		"add set inet ns_monitor masters_7 { type ifname; flags interval; }\n"
		"add set inet ns_monitor slaves_7 { type ifname; flags interval; }\n"
		"add set inet ns_monitor targets_7 { typeof @th,64,128; flags interval; }\n"
		"add set inet ns_monitor bindings_7 { type ifname . ipv6_addr; flags interval; }\n"
		"add element inet ns_monitor masters_7 { \"m0\" }\n"
		"add element inet ns_monitor slaves_7 { \"s0\" }\n"
		"add element inet ns_monitor targets_7 { " ALL_RANGE " }\n"
		"add chain inet ns_monitor output_7 { type filter hook output "
		"priority -200; policy accept; }\n"
		"add rule inet ns_monitor output_7 oifname @masters_7 "
		"icmpv6 type nd-neighbor-solicit ip6 saddr != :: "
		"ip6 daddr ff02::1:ff00:0/104 @th,64,128 @targets_7 "
		"limit rate 1000/second burst 1000 packets counter "
		"log group 7 snaplen 128\n");
	free(buf);
}

/* --bind: bindings_G's elements, after the set, in nft's own forms. */
static void test_commands_bindings(void **state)
{
	struct nft_group_spec spec = basic_spec();
	struct engine_binding b[3];
	const char *set, *el;
	char *buf;

	(void)state;
	memset(b, 0, sizeof(b));
	strcpy(b[0].ifname, "tap0");
	inet_pton(AF_INET6, "2001:db8:1::100", &b[0].lo);
	b[0].hi = b[0].lo;
	strcpy(b[1].ifname, "br-");
	b[1].prefix = true;
	inet_pton(AF_INET6, "2001:db8:1:0:d0c::", &b[1].lo);
	inet_pton(AF_INET6, "2001:db8:1:0:d0c:ffff:ffff:ffff", &b[1].hi);
	strcpy(b[2].ifname, "tap2");
	inet_pton(AF_INET6, "2001:db8:1::200", &b[2].lo);
	inet_pton(AF_INET6, "2001:db8:1::300", &b[2].hi);
	spec.binds = b;
	spec.nbinds = 3;
	buf = commands(&spec);
	set = find_line(buf, "add set inet ns_monitor bindings_135 "
			"{ type ifname . ipv6_addr; flags interval; }");
	el = find_line(buf, "add element inet ns_monitor bindings_135 { "
		       "\"tap0\" . 2001:db8:1::100/128, "
		       "\"br-*\" . 2001:db8:1:0:d0c::/80, "
		       "\"tap2\" . 2001:db8:1::200-2001:db8:1::300 }");
	assert_true(set < el);
	free(buf);
	/* None: the set, empty. */
	spec.nbinds = 0;
	buf = commands(&spec);
	find_line(buf, "add set inet ns_monitor bindings_135 "
		  "{ type ifname . ipv6_addr; flags interval; }");
	assert_null(strstr(buf, "add element inet ns_monitor bindings_135"));
	free(buf);
}

/* nftctl_commands_size() holds the longest bindings there are. */
static void test_commands_many_bindings(void **state)
{
	struct nft_group_spec spec = basic_spec();
	struct engine_binding *b = calloc(1000, sizeof(*b));
	size_t size;
	char *buf;
	int n;

	(void)state;
	assert_non_null(b);
	for (unsigned int i = 0; i < 1000; i++) {
		snprintf(b[i].ifname, sizeof(b[i].ifname), "abcdefghijk%04u", i);
		b[i].prefix = i % 2;
		inet_pton(AF_INET6, "1111:2222:3333:4444:5555:6666:7777:8888", &b[i].lo);
		inet_pton(AF_INET6, "1111:2222:3333:4444:5555:6666:7777:9999", &b[i].hi);
	}
	spec.binds = b;
	spec.nbinds = 1000;
	size = nftctl_commands_size(&spec);
	buf = malloc(size);
	assert_non_null(buf);
	n = nftctl_group_commands(buf, size, &spec);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\"abcdefghijk0999*\" . "
			       "1111:2222:3333:4444:5555:6666:7777:8888-"
			       "1111:2222:3333:4444:5555:6666:7777:9999 }\n"));
	free(buf);
	free(b);
}

static void test_commands_targets(void **state)
{
	struct nft_group_spec spec = basic_spec();
	struct prefix6 t[2];
	char *buf;

	(void)state;
	t[0] = prefix("2001:db8:1::", 64);
	t[1] = prefix("2001:db8:0:8::", 61);
	spec.targets = t;
	spec.ntargets = 2;
	buf = commands(&spec);
	find_line(buf, "add element inet ns_monitor targets_135 { "
		  "0x20010db8000100000000000000000000-"
		  "0x20010db800010000ffffffffffffffff, "
		  "0x20010db8000000080000000000000000-"
		  "0x20010db80000000fffffffffffffffff }");
	/* Only those: not every target as well. */
	assert_null(strstr(buf, ALL_RANGE));
	assert_non_null(strstr(buf, "@th,64,128 @targets_135"));
	free(buf);
}

static void test_commands_upstream(void **state)
{
	struct nft_group_spec spec = basic_spec();
	const char *out_rule, *in_chain, *in_rule;
	char *buf;

	(void)state;
	spec.upstream = true;
	buf = commands(&spec);
	find_line(buf, "add chain inet ns_monitor output_135 "
		  "{ type filter hook output priority -200; policy accept; }");
	in_chain = find_line(buf, "add chain inet ns_monitor input_135 "
			     "{ type filter hook prerouting priority -200; "
			     "policy accept; }");
	out_rule = strstr(buf, "add rule inet ns_monitor output_135 ");
	in_rule = strstr(buf, "add rule inet ns_monitor input_135 ");
	assert_non_null(out_rule);
	assert_non_null(in_rule);
	assert_true(in_chain < in_rule);
	/* Arriving on a master, to the same group and targets. */
	assert_non_null(strstr(in_rule, "iifname @masters_135 "));
	assert_non_null(strstr(in_rule, "icmpv6 type nd-neighbor-solicit"));
	assert_non_null(strstr(in_rule, "@th,64,128 @targets_135"));
	assert_non_null(strstr(in_rule, "log group 135 snaplen 128\n"));
	assert_null(strstr(in_rule, "oifname"));
	free(buf);
}

static void test_commands_no_interfaces(void **state)
{
	struct nft_group_spec spec;
	char *buf;

	(void)state;
	/* Managed-style: sets exist, empty; no empty element list. */
	memset(&spec, 0, sizeof(spec));
	spec.group = 0;
	buf = commands(&spec);
	find_line(buf, "add set inet ns_monitor masters_0 { type ifname; flags interval; }");
	find_line(buf, "add set inet ns_monitor slaves_0 { type ifname; flags interval; }");
	assert_null(strstr(buf, "masters_0 { }"));
	assert_null(strstr(buf, "add element inet ns_monitor masters_"));
	assert_null(strstr(buf, "add element inet ns_monitor slaves_"));
	find_line(buf, "add element inet ns_monitor targets_0 { " ALL_RANGE " }");
	assert_non_null(strstr(buf, "log group 0 snaplen 128\n"));
	free(buf);
}

static void test_commands_group_numbers(void **state)
{
	struct nft_group_spec spec = basic_spec();
	char *buf;

	(void)state;
	spec.group = 65535;
	buf = commands(&spec);
	find_line(buf, "add set inet ns_monitor masters_65535 { type ifname; flags interval; }");
	find_line(buf, "add set inet ns_monitor targets_65535 "
		  "{ typeof @th,64,128; flags interval; }");
	assert_non_null(strstr(buf, "oifname @masters_65535 "));
	assert_non_null(strstr(buf, "@th,64,128 @targets_65535 "));
	assert_non_null(strstr(buf, "log group 65535 snaplen 128\n"));
	assert_null(strstr(buf, "_135"));
	free(buf);
}

/*
 * Learning: the guests chain's two rules, each limited per slave by a set
 * keyed by the slave's name, the limit before the add to guests_seen_G
 * (one slave cannot fill it) and the log before it (a full set still
 * logs). The sets exist before the chain that uses them.
 */
static void test_commands_guests(void **state)
{
	struct nft_group_spec spec = basic_spec();
	const char *seen, *dad, *addr, *chain, *dad_rule, *addr_rule;
	char *buf;

	(void)state;
	spec.group = 7;
	spec.guests = true;
	buf = commands(&spec);
	seen = find_line(buf, "add set inet ns_monitor guests_seen_7 "
			 "{ type ifname . ipv6_addr; size 65536; "
			 "flags dynamic,timeout; timeout 60s; }");
	dad = find_line(buf, "add set inet ns_monitor guests_dad_rate_7 "
			"{ type ifname; size 65536; flags dynamic,timeout; timeout 60s; }");
	addr = find_line(buf, "add set inet ns_monitor guests_addr_rate_7 "
			 "{ type ifname; size 65536; flags dynamic,timeout; timeout 60s; }");
	chain = find_line(buf, "add chain inet ns_monitor guests_7 "
			  "{ type filter hook prerouting priority -200; policy accept; }");
	dad_rule = find_line(buf, "add rule inet ns_monitor guests_7 "
		"iifname @slaves_7 icmpv6 type nd-neighbor-solicit ip6 saddr :: "
		"@th,64,128 @targets_7 "
		"update @guests_dad_rate_7 { iifname limit rate 100/second burst 500 packets } "
		"counter log prefix \"guest\" group 7 snaplen 128");
	addr_rule = find_line(buf, "add rule inet ns_monitor guests_7 "
		"iifname @slaves_7 iifname . ip6 saddr != @guests_seen_7 "
		"@nh,64,128 @targets_7 "
		"update @guests_addr_rate_7 { iifname limit rate 50/second burst 500 packets } "
		"counter log prefix \"guest\" group 7 snaplen 128 "
		"add @guests_seen_7 { iifname . ip6 saddr }");
	assert_true(seen < chain && dad < chain && addr < chain);
	assert_true(chain < dad_rule && dad_rule < addr_rule);
	/* Every limit in the chain is a slave's own: inside { iifname ... }. */
	for (const char *r = chain; (r = strstr(r, "add rule inet ns_monitor guests_7 ")); r++) {
		const char *end = strchr(r, '\n');
		const char *lim = strstr(r, "limit rate");

		assert_non_null(lim);
		assert_true(lim < end);
		assert_memory_equal(lim - strlen(" { iifname "), " { iifname ",
				    strlen(" { iifname "));
	}
	free(buf);
	/* Without learning: none of it. */
	spec.guests = false;
	buf = commands(&spec);
	assert_null(strstr(buf, "guests_"));
	free(buf);
}

/* size bytes handed over, CANARY more behind them that must stay intact. */
static int commands_into(const struct nft_group_spec *spec, size_t size,
			 char **out)
{
	char *buf = malloc(size + CANARY);
	int n;

	assert_non_null(buf);
	memset(buf, CANARY_BYTE, size + CANARY);
	n = nftctl_group_commands(buf, size, spec);
	for (size_t i = size; i < size + CANARY; i++)
		if ((uint8_t)buf[i] != CANARY_BYTE)
			fail_msg("size %zu: byte %zu written", size, i);
	*out = buf;
	return n;
}

static void check_too_small(const struct nft_group_spec *spec)
{
	char *full = commands(spec);
	size_t len = strlen(full);
	char *buf;
	int n;

	/* The sizes named, then every size short of len + 1. */
	n = commands_into(spec, 0, &buf);
	assert_int_equal(n, -1);
	assert_int_equal((uint8_t)buf[0], CANARY_BYTE);	/* untouched */
	free(buf);
	assert_int_equal(commands_into(spec, 10, &buf), -1);
	free(buf);
	assert_int_equal(commands_into(spec, len - 1, &buf), -1);
	free(buf);
	for (size_t size = 0; size <= len; size++) {
		assert_int_equal(commands_into(spec, size, &buf), -1);
		if (size > 0)
			assert_non_null(memchr(buf, '\0', size));
		free(buf);
	}
	/* Exactly enough: the text and its NUL. */
	n = commands_into(spec, len + 1, &buf);
	assert_int_equal(n, (int)len);
	assert_string_equal(buf, full);
	free(buf);
	free(full);
}

static void test_commands_too_small(void **state)
{
	struct nft_group_spec spec = basic_spec();
	struct prefix6 t = prefix("2001:db8:1::", 64);

	(void)state;
	check_too_small(&spec);
	spec.upstream = true;
	check_too_small(&spec);
	spec.targets = &t;
	spec.ntargets = 1;
	check_too_small(&spec);
	spec.guests = true;
	check_too_small(&spec);
}

/* A fake table for nftctl_delete_commands(): which objects exist. */
struct fake_table {
	const char *const *present;	/* "chain output_135", NULL-ended */
	int fail_errno;			/* answer -1 with this, 0: answer */
	unsigned int asked;
};

static int fake_exists(void *data, enum nftctl_kind kind, const char *name)
{
	struct fake_table *t = data;
	char obj[64];

	t->asked++;
	if (t->fail_errno) {
		errno = t->fail_errno;
		return -1;
	}
	snprintf(obj, sizeof(obj), "%s %s",
		 kind == NFTCTL_CHAIN ? "chain" : "set", name);
	for (const char *const *p = t->present; *p; p++)
		if (strcmp(*p, obj) == 0)
			return 1;
	return 0;
}

/* A killed run with every option left all of these: chains first. */
static void test_delete_all_in_order(void **state)
{
	static const char *const all[] = {
		"set located_135", "set guests_addr_rate_135",
		"set guests_dad_rate_135", "set guests_seen_135", "set bindings_135",
		"set targets_135", "set slaves_135", "set masters_135", "chain guests_135",
		"chain hold_queue_135", "chain hold_fwd_135", "chain hold_135",
		"chain input_135", "chain output_135", NULL,
	};
	struct fake_table t = { all, 0, 0 };
	char buf[1024];
	int n;

	(void)state;
	n = nftctl_delete_commands(buf, sizeof(buf), 135, fake_exists, &t);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"delete chain inet ns_monitor output_135\n"
		"delete chain inet ns_monitor input_135\n"
		"delete chain inet ns_monitor hold_135\n"
		"delete chain inet ns_monitor hold_fwd_135\n"
		"delete chain inet ns_monitor hold_queue_135\n"
		"delete chain inet ns_monitor guests_135\n"
		"delete set inet ns_monitor masters_135\n"
		"delete set inet ns_monitor slaves_135\n"
		"delete set inet ns_monitor targets_135\n"
		"delete set inet ns_monitor bindings_135\n"
		"delete set inet ns_monitor guests_seen_135\n"
		"delete set inet ns_monitor guests_dad_rate_135\n"
		"delete set inet ns_monitor guests_addr_rate_135\n"
		"delete set inet ns_monitor located_135\n");
}

/* Only what exists, and only group G's (another group's stay). */
static void test_delete_only_present(void **state)
{
	static const char *const some[] = {
		"chain output_136", "set masters_136", "chain hold_queue_7",
		"set masters_7", "set located_7", NULL,
	};
	struct fake_table t = { some, 0, 0 };
	char buf[1024];
	int n;

	(void)state;
	n = nftctl_delete_commands(buf, sizeof(buf), 7, fake_exists, &t);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"delete chain inet ns_monitor hold_queue_7\n"
		"delete set inet ns_monitor masters_7\n"
		"delete set inet ns_monitor located_7\n");
	t.asked = 0;
	assert_int_equal(nftctl_delete_commands(buf, sizeof(buf), 135, fake_exists, &t), 0);
	assert_string_equal(buf, "");
	assert_int_equal(t.asked, 16);
}

/* A read that fails stops it with the read's errno; a short buffer: ENOSPC. */
static void test_delete_errors(void **state)
{
	static const char *const all[] = {
		"chain output_65535", "chain input_65535", "chain hold_65535",
		"chain hold_fwd_65535", "chain hold_queue_65535",
		"chain guests_65535", "set masters_65535", "set slaves_65535",
		"set targets_65535", "set guests_seen_65535",
		"set guests_dad_rate_65535", "set guests_addr_rate_65535",
		"set located_65535", NULL,
	};
	struct fake_table t = { all, EPERM, 0 };
	char buf[1024];

	(void)state;
	errno = 0;
	assert_int_equal(nftctl_delete_commands(buf, sizeof(buf), 135, fake_exists, &t), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(t.asked, 1);
	t.fail_errno = 0;
	errno = 0;
	assert_int_equal(nftctl_delete_commands(buf, 60, 65535, fake_exists, &t), -1);
	assert_int_equal(errno, ENOSPC);
	/* Every object of the largest group fits the documented size. */
	assert_true(nftctl_delete_commands(buf, sizeof(buf), 65535, fake_exists, &t) > 0);
	assert_non_null(strstr(buf, "delete chain inet ns_monitor output_65535\n"));
	assert_string_equal(strrchr(buf, ' '), " located_65535\n");
}

/* Issue 10: no fixed number of interfaces; the size helper fits them all. */
static void test_commands_many_interfaces(void **state)
{
	enum { N = 4096 };
	static struct ifspec specs[N];
	static struct prefix6 t[MANY_TARGETS];
	struct nft_group_spec spec;
	size_t size;
	char *buf;
	char last[64];

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		snprintf(specs[i].name, sizeof(specs[i].name), "abcdefghijk%04u", i);
		specs[i].prefix = i % 2;
	}
	for (unsigned int i = 0; i < MANY_TARGETS; i++) {
		t[i] = prefix("2001:db8::", 64);
		t[i].addr.s6_addr[6] = (uint8_t)(i >> 8);
		t[i].addr.s6_addr[7] = (uint8_t)i;
	}
	memset(&spec, 0, sizeof(spec));
	spec.group = 65535;
	spec.masters = specs;
	spec.nmasters = N;
	spec.slaves = specs;
	spec.nslaves = N;
	spec.targets = t;
	spec.ntargets = MANY_TARGETS;
	spec.upstream = true;
	size = nftctl_commands_size(&spec);
	buf = malloc(size);
	assert_non_null(buf);
	assert_true(nftctl_group_commands(buf, size, &spec) > 0);
	snprintf(last, sizeof(last), "\"abcdefghijk%04u*\" }\n", N - 1);
	assert_non_null(strstr(buf, last));
	assert_non_null(strstr(buf, "\"abcdefghijk0000\", \"abcdefghijk0001*\""));
	assert_non_null(strstr(buf, "0x20010db80000003f0000000000000000-"
			       "0x20010db80000003fffffffffffffffff }\n"));
	/* One byte short of the text and its NUL: refused, not cut. */
	size = strlen(buf) + 1;
	free(buf);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(nftctl_group_commands(buf, size - 1, &spec), -1);
	assert_true(nftctl_group_commands(buf, size, &spec) > 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_64),
		cmocka_unit_test(test_range_all),
		cmocka_unit_test(test_range_128),
		cmocka_unit_test(test_range_1),
		cmocka_unit_test(test_range_127),
		cmocka_unit_test(test_range_unaligned),
		cmocka_unit_test(test_range_small_buffer),
		cmocka_unit_test(test_commands_basic),
		cmocka_unit_test(test_commands_exact),
		cmocka_unit_test(test_commands_targets),
		cmocka_unit_test(test_commands_bindings),
		cmocka_unit_test(test_commands_many_bindings),
		cmocka_unit_test(test_commands_upstream),
		cmocka_unit_test(test_commands_no_interfaces),
		cmocka_unit_test(test_commands_group_numbers),
		cmocka_unit_test(test_commands_guests),
		cmocka_unit_test(test_commands_too_small),
		cmocka_unit_test(test_commands_many_interfaces),
		cmocka_unit_test(test_delete_all_in_order),
		cmocka_unit_test(test_delete_only_present),
		cmocka_unit_test(test_delete_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
