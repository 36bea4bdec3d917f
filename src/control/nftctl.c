/*
 * nftables control: our objects written through libnftables, what exists
 * read through libnftnl (nftwatch.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "binding.h"
#include "hostaddr.h"
#include "nftctl.h"
#include "nftwatch.h"

/*
 * A libnftables context parses with caches of several hundred kilobytes;
 * once freed, give that memory back rather than keep it resident for the
 * life of the daemon.
 */
static void release_heap(void)
{
	malloc_trim(0);
}

struct strbuf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sb->size - sb->len) {
		sb->overflow = true;
		return;
	}
	sb->len += (size_t)n;
}

/* "veth*" is a pattern to nft as well: a range, in a set with flags interval. */
static void sb_elements(struct strbuf *sb, const char *set, uint16_t group,
			const struct ifspec *specs, unsigned int n)
{
	char text[IFSPEC_TEXT];

	if (n == 0)
		return;
	sb_printf(sb, "add element inet " NFT_TABLE " %s_%u { ", set, group);
	for (unsigned int i = 0; i < n; i++)
		sb_printf(sb, "%s\"%s\"", i ? ", " : "",
			  ifspec_format(&specs[i], text));
	sb_printf(sb, " }\n");
}

/* bindings_G's elements: "tap0" . 2001:db8:1::100/128, or a range. */
static void sb_bindings(struct strbuf *sb, uint16_t group,
			const struct engine_binding *b, unsigned int n)
{
	char text[BINDING_NFT_TEXT];

	if (n == 0)
		return;
	sb_printf(sb, "add element inet " NFT_TABLE " bindings_%u { ", group);
	for (unsigned int i = 0; i < n; i++)
		sb_printf(sb, "%s%s", i ? ", " : "",
			  binding_nft_element(&b[i], text));
	sb_printf(sb, " }\n");
}

/* Per element at most ", \"" + 16 + "\"": 20 bytes; the rest is fixed text. */
size_t nftctl_commands_size(const struct nft_group_spec *spec)
{
	return 16384 + ((size_t)spec->nmasters + spec->nslaves) * 24 +
	       (size_t)spec->ntargets * 96 +
	       (size_t)spec->nbinds * (BINDING_NFT_TEXT + 2);
}

void nftctl_prefix_range(const struct prefix6 *p, char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	uint8_t last[16];

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = p->len >= 8 * (i + 1) ? 8 :
				    p->len > 8 * i ? p->len - 8 * i : 0;

		last[i] = p->addr.s6_addr[i] | (uint8_t)(0xffu >> keep);
	}
	sb_printf(&sb, "0x");
	for (unsigned int i = 0; i < 16; i++)
		sb_printf(&sb, "%02x", p->addr.s6_addr[i]);
	sb_printf(&sb, "-0x");
	for (unsigned int i = 0; i < 16; i++)
		sb_printf(&sb, "%02x", last[i]);
}

/*
 * targets_G always exists and the rule always consults it: "every target"
 * is the element ::/0, so an operator narrows it with a flush and an add,
 * never by changing the rule.
 */
static void sb_targets(struct strbuf *sb, const struct nft_group_spec *spec)
{
	static const struct prefix6 everything;
	char range[80];
	unsigned int n = spec->ntargets ? spec->ntargets : 1;

	sb_printf(sb, "add element inet " NFT_TABLE " targets_%u { ", spec->group);
	for (unsigned int i = 0; i < n; i++) {
		nftctl_prefix_range(spec->ntargets ? &spec->targets[i] : &everything,
				    range, sizeof(range));
		sb_printf(sb, "%s%s", i ? ", " : "", range);
	}
	sb_printf(sb, " }\n");
}

int nftctl_group_commands(char *buf, size_t size,
			  const struct nft_group_spec *spec)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	unsigned int g = spec->group;

	sb_printf(&sb, "add table inet " NFT_TABLE "\n");
	sb_printf(&sb, "add set inet " NFT_TABLE " masters_%u "
		  "{ type ifname; flags interval; }\n", g);
	sb_printf(&sb, "add set inet " NFT_TABLE " slaves_%u "
		  "{ type ifname; flags interval; }\n", g);
	sb_printf(&sb, "add set inet " NFT_TABLE " targets_%u "
		  "{ typeof @th,64,128; flags interval; }\n", g);
	/*
	 * Which slave may have which addresses (--bind): read by the
	 * daemon, no rule uses it. Intervals on both parts: a pattern
	 * ("tap*") and a prefix or range.
	 */
	sb_printf(&sb, "add set inet " NFT_TABLE " bindings_%u "
		  "{ type ifname . ipv6_addr; flags interval; }\n", g);
	sb_elements(&sb, "masters", spec->group, spec->masters, spec->nmasters);
	sb_elements(&sb, "slaves", spec->group, spec->slaves, spec->nslaves);
	sb_targets(&sb, spec);
	sb_bindings(&sb, spec->group, spec->binds, spec->nbinds);
	/*
	 * Priority -200: before the usual filter chains, so the host's NS is
	 * seen even if a firewall drops it. Only NS for address resolution
	 * (to a solicited-node group, not unicast NUD) and not DAD (source ::).
	 */
	sb_printf(&sb, "add chain inet " NFT_TABLE " output_%u "
		  "{ type filter hook output priority -200; policy accept; }\n", g);
	sb_printf(&sb, "add rule inet " NFT_TABLE " output_%u "
		  "oifname @masters_%u icmpv6 type nd-neighbor-solicit "
		  "ip6 saddr != :: ip6 daddr ff02::1:ff00:0/104 "
		  "@th,64,128 @targets_%u "
		  "limit rate %u/second burst %u packets counter "
		  "log group %u snaplen %u\n",
		  g, g, g, NFT_LIMIT_RATE, NFT_LIMIT_BURST, g, NFT_SNAPLEN);
	/*
	 * With proxy NDP: the upstream's NS arriving on a master. Prerouting,
	 * not input: an NS to a solicited-node group we have not joined is
	 * dropped before the input hook.
	 */
	if (spec->upstream) {
		sb_printf(&sb, "add chain inet " NFT_TABLE " input_%u "
			  "{ type filter hook prerouting priority -200; policy accept; }\n", g);
		sb_printf(&sb, "add rule inet " NFT_TABLE " input_%u "
			  "iifname @masters_%u icmpv6 type nd-neighbor-solicit "
			  "ip6 saddr != :: ip6 daddr ff02::1:ff00:0/104 "
			  "@th,64,128 @targets_%u "
			  "limit rate %u/second burst %u packets counter "
			  "log group %u snaplen %u\n",
			  g, g, g, NFT_LIMIT_RATE, NFT_LIMIT_BURST, g, NFT_SNAPLEN);
		/*
		 * And the guests' own NS on a slave (not DAD): a guest with
		 * the master's whole prefix on-link asks for the router, or
		 * for a guest behind another slave; limited per slave.
		 */
		sb_printf(&sb, "add set inet " NFT_TABLE " guests_ns_rate_%u "
			  "{ type ifname; size %u; flags dynamic,timeout; timeout %us; }\n",
			  g, NFT_GUEST_RATE_SIZE, NFT_GUEST_SEEN_TIMEOUT);
		sb_printf(&sb, "add rule inet " NFT_TABLE " input_%u "
			  "iifname @slaves_%u icmpv6 type nd-neighbor-solicit "
			  "ip6 saddr != :: ip6 daddr ff02::1:ff00:0/104 "
			  "@th,64,128 @targets_%u "
			  "update @guests_ns_rate_%u { iifname limit rate %u/second burst %u packets } "
			  "counter log prefix \"" NFT_GUEST_NS_PREFIX "\" group %u snaplen %u\n",
			  g, g, g, g, NFT_GUEST_NS_RATE, NFT_GUEST_NS_BURST, g,
			  NFT_SNAPLEN);
	}
	/*
	 * With learning: a new guest's signs on a slave, so that it is found
	 * before the host needs it. Its duplicate address detection (an NS
	 * from ::), and the first packet from an address in targets_G, once
	 * per NFT_GUEST_SEEN_TIMEOUT (guests_seen_G remembers it). Each kind
	 * is limited per slave (nftctl.h says why these rates), and the limit
	 * comes before the add: one slave cannot fill guests_seen_G. The log
	 * comes before the add too: should the set be full all the same
	 * (many slaves flooding at once), a sign is still logged within its
	 * slave's limit, only not remembered.
	 */
	if (spec->guests) {
		sb_printf(&sb, "add set inet " NFT_TABLE " guests_seen_%u "
			  "{ type ifname . ipv6_addr; size %u; flags dynamic,timeout; timeout %us; }\n",
			  g, NFT_GUEST_SEEN_SIZE, NFT_GUEST_SEEN_TIMEOUT);
		sb_printf(&sb, "add set inet " NFT_TABLE " guests_dad_rate_%u "
			  "{ type ifname; size %u; flags dynamic,timeout; timeout %us; }\n",
			  g, NFT_GUEST_RATE_SIZE, NFT_GUEST_SEEN_TIMEOUT);
		sb_printf(&sb, "add set inet " NFT_TABLE " guests_addr_rate_%u "
			  "{ type ifname; size %u; flags dynamic,timeout; timeout %us; }\n",
			  g, NFT_GUEST_RATE_SIZE, NFT_GUEST_SEEN_TIMEOUT);
		sb_printf(&sb, "add chain inet " NFT_TABLE " guests_%u "
			  "{ type filter hook prerouting priority -200; policy accept; }\n", g);
		sb_printf(&sb, "add rule inet " NFT_TABLE " guests_%u "
			  "iifname @slaves_%u icmpv6 type nd-neighbor-solicit "
			  "ip6 saddr :: @th,64,128 @targets_%u "
			  "update @guests_dad_rate_%u { iifname limit rate %u/second burst %u packets } "
			  "counter log prefix \"" NFT_GUEST_PREFIX "\" group %u snaplen %u\n",
			  g, g, g, g, NFT_GUEST_DAD_RATE, NFT_GUEST_DAD_BURST, g,
			  NFT_SNAPLEN);
		sb_printf(&sb, "add rule inet " NFT_TABLE " guests_%u "
			  "iifname @slaves_%u iifname . ip6 saddr != @guests_seen_%u "
			  "@nh,64,128 @targets_%u "
			  "update @guests_addr_rate_%u { iifname limit rate %u/second burst %u packets } "
			  "counter log prefix \"" NFT_GUEST_PREFIX "\" group %u snaplen %u "
			  "add @guests_seen_%u { iifname . ip6 saddr }\n",
			  g, g, g, g, g, NFT_GUEST_ADDR_RATE, NFT_GUEST_ADDR_BURST, g,
			  NFT_SNAPLEN, g);
	}
	if (spec->queue && !sb.overflow) {
		int n = nftctl_queue_commands(sb.buf + sb.len, sb.size - sb.len,
					      spec->group, !spec->queue_xt);

		if (n < 0)
			sb.overflow = true;
		else
			sb.len += (size_t)n;
	}
	if (sb.overflow)
		return -1;
	return (int)sb.len;
}

/* ND's own messages: they never wait in the queue. */
#define HOLD_ND_RETURN							\
	"icmpv6 type { nd-router-solicit, nd-router-advert, "		\
	"nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } return"

int nftctl_queue_commands(char *buf, size_t size, uint16_t group,
			  bool verdict)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	unsigned int g = group;

	sb_printf(&sb, "add set inet " NFT_TABLE " located_%u "
		  "{ type ipv6_addr; flags timeout; }\n", g);
	/*
	 * The masters' on-link prefixes, as the daemon reads them from the
	 * main table: only a packet for one of those can wait for a
	 * resolution (never one for the internet, or multicast).
	 */
	sb_printf(&sb, "add set inet " NFT_TABLE " onlink_%u "
		  "{ type ipv6_addr; flags interval; }\n", g);
	/*
	 * Both hooks go to one chain with the verdict alone: where the
	 * kernel lacks nft's queue statement, that one rule is the xtables
	 * NFQUEUE target instead (hold_xt.c), the rest is the same.
	 * bypass: with nobody bound the packet goes on (fail open).
	 */
	sb_printf(&sb, "add chain inet " NFT_TABLE " hold_queue_%u\n", g);
	if (verdict)
		sb_printf(&sb, "add rule inet " NFT_TABLE " hold_queue_%u "
			  "queue num %u bypass\n", g, g);
	/*
	 * The host's own packets. A filter chain is enough: a verdict's
	 * changed mark makes nf_reinject() look the route up again
	 * (nf_ip6_reroute(), in the output hook only) whatever the chain's
	 * type, and a route chain would compare addresses and mark around
	 * every packet that passes. The destination is read as raw bits
	 * (@nh,192,128) to match targets_G's type.
	 */
	sb_printf(&sb, "add chain inet " NFT_TABLE " hold_%u "
		  "{ type filter hook output priority -150; policy accept; }\n", g);
	/* Neighbor Discovery itself never waits (a unicast NUD probe). */
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_%u " HOLD_ND_RETURN "\n", g);
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_%u "
		  "oifname @masters_%u ip6 daddr @onlink_%u @nh,192,128 @targets_%u "
		  "ip6 daddr != @located_%u counter goto hold_queue_%u\n",
		  g, g, g, g, g, g);
	/*
	 * Packets the host forwards from a guest (to a target behind another
	 * slave, or on the master's link): held before the routing decision,
	 * so that a released packet is routed afresh, by the route learned
	 * meanwhile. Not those for the host itself (fib ... local). (fib's
	 * oifname is a string, masters_G holds interface names: no lookup
	 * of one in the other.)
	 */
	sb_printf(&sb, "add chain inet " NFT_TABLE " hold_fwd_%u "
		  "{ type filter hook prerouting priority -150; policy accept; }\n", g);
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_fwd_%u " HOLD_ND_RETURN "\n", g);
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_fwd_%u "
		  "iifname @slaves_%u ip6 daddr @onlink_%u fib daddr type != local "
		  "@nh,192,128 @targets_%u ip6 daddr != @located_%u "
		  "counter goto hold_queue_%u\n", g, g, g, g, g, g);
	if (sb.overflow)
		return -1;
	return (int)sb.len;
}

static int nft_run(const char *cmds, char *err, size_t errlen);

/* Whether r's prefix lies within outer's. */
static bool route_inside(const struct engine_route *outer,
			 const struct engine_route *r)
{
	struct prefix6 p = { outer->dst, outer->len };

	return r->len >= outer->len && prefix6_contains(&p, &r->dst);
}

int nftctl_onlink_commands(char *buf, size_t size, uint16_t group,
			   const struct engine_route *v, size_t n)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	bool any = false;

	sb_printf(&sb, "flush set inet " NFT_TABLE " onlink_%u\n", group);
	for (size_t i = 0; i < n; i++) {
		char a[INET6_ADDRSTRLEN];
		bool skip = false;

		/* Inside another (or the same as an earlier one): covered. */
		for (size_t j = 0; j < n && !skip; j++)
			skip = j != i && route_inside(&v[j], &v[i]) &&
			       (v[j].len != v[i].len || j < i);
		if (skip)
			continue;
		inet_ntop(AF_INET6, &v[i].dst, a, sizeof(a));
		if (!any)
			sb_printf(&sb, "add element inet " NFT_TABLE " onlink_%u { ",
				  group);
		else
			sb_printf(&sb, ", ");
		sb_printf(&sb, "%s/%u", a, v[i].len);
		any = true;
	}
	if (any)
		sb_printf(&sb, " }\n");
	if (sb.overflow)
		return -1;
	return (int)sb.len;
}

int nftctl_set_onlink(uint16_t group, const struct engine_route *v, size_t n,
		      char *err, size_t errlen)
{
	size_t size = 64 + 48 * n;
	char *buf = malloc(size);
	int rc;

	if (!buf) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	rc = nftctl_onlink_commands(buf, size, group, v, n) < 0 ? -1 :
	     nft_run(buf, err, errlen);
	free(buf);
	return rc;
}

/*
 * The line of nft's error text that says what is wrong: an error in an
 * included file (a --rules file checked through "include") comes after
 * "In file included from <cmdline>:3:1-26:" lines that say only where
 * the include was; the parser's message ("FILE:LINE:COL: Error: syntax
 * error, ...") is the first line with "Error:".
 */
static const char *nft_error_line(const char *e)
{
	for (const char *line = e; *line; ) {
		size_t len = strcspn(line, "\n");
		const char *hit = memmem(line, len, "Error:", 6);

		if (hit)
			return line;
		line += len;
		if (*line)
			line++;
	}
	return e;
}

/*
 * Run commands from a buffer, or from a file when `path` is set; on failure
 * copy nft's error text (first line) into err. Nothing is read back from
 * nft's output: what exists is read through libnftnl (nftwatch.c).
 */
static int nft_exec_mode(const char *cmds, const char *path, bool dry_run,
			 char *err, size_t errlen)
{
	struct nft_ctx *nft;
	int rc;

	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(err, errlen, "cannot create an nftables context");
		return -1;
	}
	nft_ctx_set_dry_run(nft, dry_run);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = path ? nft_run_cmd_from_filename(nft, path) :
		    nft_run_cmd_from_buffer(nft, cmds);
	if (rc != 0 && err && errlen) {
		const char *e = nft_error_line(nft_ctx_get_error_buffer(nft));

		snprintf(err, errlen, "%s%s%.*s", path ? path : "", path ? ": " : "",
			 (int)strcspn(e, "\n"), e);
	}
	nft_ctx_free(nft);
	release_heap();
	return rc == 0 ? 0 : -1;
}

static int nft_run(const char *cmds, char *err, size_t errlen)
{
	return nft_exec_mode(cmds, NULL, false, err, errlen);
}

int nftctl_run(const char *cmds, char *err, size_t errlen)
{
	return nft_run(cmds, err, errlen);
}

int nftctl_queue_statement_works(void)
{
	char err[256];

	return nft_exec_mode("add table inet " NFT_TABLE "_probe\n"
			     "add chain inet " NFT_TABLE "_probe q\n"
			     "add rule inet " NFT_TABLE "_probe q queue num 0 bypass\n",
			     NULL, true, err, sizeof(err)) == 0;
}

int nftctl_hold_delete_commands(char *buf, size_t size, uint16_t group)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	unsigned int g = group;

	sb_printf(&sb,
		  "delete chain inet " NFT_TABLE " hold_%u\n"
		  "delete chain inet " NFT_TABLE " hold_fwd_%u\n"
		  "delete chain inet " NFT_TABLE " hold_queue_%u\n"
		  "delete set inet " NFT_TABLE " located_%u\n"
		  "delete set inet " NFT_TABLE " onlink_%u\n", g, g, g, g, g);
	if (sb.overflow)
		return -1;
	return (int)sb.len;
}

/*
 * Group G's objects in an order that one transaction can delete them in:
 * the chains before the sets their rules use, hold_G and hold_fwd_G before
 * hold_queue_G, which they jump to.
 */
static const struct {
	enum nftctl_kind kind;
	const char *name;
} group_objects[] = {
	{ NFTCTL_CHAIN, "output" },
	{ NFTCTL_CHAIN, "input" },
	{ NFTCTL_CHAIN, "hold" },
	{ NFTCTL_CHAIN, "hold_fwd" },
	{ NFTCTL_CHAIN, "hold_queue" },
	{ NFTCTL_CHAIN, "guests" },
	{ NFTCTL_SET, "masters" },
	{ NFTCTL_SET, "slaves" },
	{ NFTCTL_SET, "targets" },
	{ NFTCTL_SET, "bindings" },
	{ NFTCTL_SET, "guests_seen" },
	{ NFTCTL_SET, "guests_dad_rate" },
	{ NFTCTL_SET, "guests_addr_rate" },
	{ NFTCTL_SET, "guests_ns_rate" },
	{ NFTCTL_SET, "located" },
	{ NFTCTL_SET, "onlink" },
};

int nftctl_delete_commands(char *buf, size_t size, uint16_t group,
			   nftctl_exists_fn exists, void *data)
{
	struct strbuf sb = { buf, size, 0, size == 0 };

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(group_objects) / sizeof(group_objects[0]); i++) {
		const char *kind = group_objects[i].kind == NFTCTL_CHAIN ?
				   "chain" : "set";
		char name[32];
		int rc;

		snprintf(name, sizeof(name), "%s_%u", group_objects[i].name,
			 (unsigned int)group);
		rc = exists(data, group_objects[i].kind, name);
		if (rc == -1)
			return -1;
		if (rc == 1)
			sb_printf(&sb, "delete %s inet " NFT_TABLE " %s\n", kind,
				  name);
	}
	if (sb.overflow) {
		errno = ENOSPC;
		return -1;
	}
	return (int)sb.len;
}

static int object_exists(void *data, enum nftctl_kind kind, const char *name)
{
	struct nftwatch *w = data;

	return kind == NFTCTL_CHAIN ? nftwatch_chain_exists(w, name) :
				      nftwatch_set_exists(w, name);
}

/*
 * The deletes for whatever of group G's objects exist (none without the
 * table), or -1 with the reason in err.
 */
static int group_deletes(struct nftwatch *w, uint16_t group, char *buf,
			 size_t size, char *err, size_t errlen)
{
	uint32_t use;
	int n;

	if (nftwatch_table_use(w, &use) == -1) {
		if (errno == ENOENT) {
			if (size)
				buf[0] = '\0';
			return 0;
		}
		snprintf(err, errlen, "reading table inet " NFT_TABLE ": %s",
			 strerror(errno));
		return -1;
	}
	n = nftctl_delete_commands(buf, size, group, object_exists, w);
	if (n == -1)
		snprintf(err, errlen, "reading table inet " NFT_TABLE "'s chains and sets: %s",
			 strerror(errno));
	return n;
}

int nftctl_load_group(struct nftwatch *w, const struct nft_group_spec *spec,
		      char *err, size_t errlen)
{
	size_t size = nftctl_commands_size(spec);
	char *cmds = malloc(size);
	int n, m, rc;

	if (!cmds) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* One transaction: leftovers go and the new objects come together. */
	n = group_deletes(w, spec->group, cmds, size, err, errlen);
	if (n == -1) {
		free(cmds);
		return -1;
	}
	m = nftctl_group_commands(cmds + n, size - (size_t)n, spec);
	if (m < 0) {
		snprintf(err, errlen, "the nft commands do not fit in %zu bytes",
			 size);
		free(cmds);
		return -1;
	}
	rc = nft_run(cmds, err, errlen);
	free(cmds);
	return rc;
}

int nftctl_add_elements(const struct nft_group_spec *spec, char *err,
			size_t errlen)
{
	size_t size = nftctl_commands_size(spec);
	char *cmds = malloc(size);
	struct strbuf sb = { cmds, size, 0, false };
	int rc = 0;

	if (!cmds) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sb_elements(&sb, "masters", spec->group, spec->masters, spec->nmasters);
	sb_elements(&sb, "slaves", spec->group, spec->slaves, spec->nslaves);
	sb_bindings(&sb, spec->group, spec->binds, spec->nbinds);
	if (sb.overflow) {
		snprintf(err, errlen, "the nft commands do not fit in %zu bytes",
			 size);
		rc = -1;
	} else if (sb.len) {
		rc = nft_run(cmds, err, errlen);
	}
	free(cmds);
	return rc;
}

int nftctl_load_file(const char *path, char *err, size_t errlen)
{
	return nft_exec_mode(NULL, path, false, err, errlen);
}

int nftctl_remove_group(struct nftwatch *w, uint16_t group, char *err,
			size_t errlen)
{
	char cmds[1024];
	uint32_t use;
	int n;

	n = group_deletes(w, group, cmds, sizeof(cmds), err, errlen);
	if (n == -1)
		return -1;
	if (n > 0 && nft_run(cmds, err, errlen) == -1)
		return -1;
	if (nftwatch_table_use(w, &use) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "reading table inet " NFT_TABLE ": %s",
			 strerror(errno));
		return -1;
	}
	/* Other groups (another instance, the shipped file) keep the table. */
	if (use > 0)
		return 0;
	return nft_run("delete table inet " NFT_TABLE, err, errlen);
}

/*
 * What a reload of the --rules file would do, checked without doing it.
 * The file is loaded in a dry run (libnftables' check mode: the kernel
 * validates the whole transaction, then it is aborted, so nothing changes
 * and no event is sent) after deleting our table in the same transaction:
 * that is the situation a reload repairs, with every other table as it is.
 * Commands that need group G's objects follow; the transaction fails if the
 * file did not create them. Only the return codes are used, never nft's
 * wording: a file that fails alone does not load, a file that loads but
 * fails with the references lacks the object.
 */
static int sb_reload_prefix(struct strbuf *sb, const char *given, char *err,
			    size_t errlen)
{
	char path[PATH_MAX];

	/* nft looks for a relative include in its include path, not here. */
	if (!realpath(given, path)) {
		snprintf(err, errlen, "%s: %s", given, strerror(errno));
		return -1;
	}
	if (strpbrk(path, "\"\\\n")) {
		snprintf(err, errlen,
			 "%s: a quote, backslash or newline in the file name cannot be passed to nft: rename the file",
			 path);
		return -1;
	}
	/* "add" first: "delete" alone fails when there is no table. */
	sb_printf(sb, "add table inet " NFT_TABLE "\n"
		  "delete table inet " NFT_TABLE "\n"
		  "include \"%s\"\n", path);
	return 0;
}

int nftctl_check_file(const char *path, char *err, size_t errlen)
{
	char cmds[PATH_MAX + 256];
	struct strbuf sb = { cmds, sizeof(cmds), 0, false };

	if (sb_reload_prefix(&sb, path, err, errlen) == -1)
		return -1;
	if (sb.overflow) {
		snprintf(err, errlen, "%s: file name too long", path);
		return -1;
	}
	return nft_exec_mode(cmds, NULL, true, err, errlen);
}

int nftctl_file_lacks(const char *path, uint16_t group, char *what,
		      size_t whatlen)
{
	static const char *const objs[][2] = {
		{ "chain", "output" }, { "set", "masters" }, { "set", "slaves" },
	};
	char cmds[PATH_MAX + 256], err[256];

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		struct strbuf sb = { cmds, sizeof(cmds), 0, false };

		if (sb_reload_prefix(&sb, path, what, whatlen) == -1)
			return -1;
		sb_printf(&sb, "flush %s inet " NFT_TABLE " %s_%u\n",
			  objs[i][0], objs[i][1], group);
		if (sb.overflow) {
			snprintf(what, whatlen, "%s: file name too long", path);
			return -1;
		}
		if (nft_exec_mode(cmds, NULL, true, err, sizeof(err)) == -1) {
			snprintf(what, whatlen, "%s %s_%u", objs[i][0], objs[i][1],
				 group);
			return 1;
		}
	}
	return 0;
}
