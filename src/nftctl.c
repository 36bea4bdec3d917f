/* nftables control through libnftables. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "nftctl.h"

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

/* Per element at most ", \"" + 16 + "\"": 20 bytes; the rest is fixed text. */
size_t nftctl_commands_size(const struct nft_group_spec *spec)
{
	return 16384 + ((size_t)spec->nmasters + spec->nslaves) * 24 +
	       (size_t)spec->ntargets * 96;
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
	sb_elements(&sb, "masters", spec->group, spec->masters, spec->nmasters);
	sb_elements(&sb, "slaves", spec->group, spec->slaves, spec->nslaves);
	sb_targets(&sb, spec);
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
	}
	/*
	 * With learning: a new guest's signs on a slave, so that it is found
	 * before the host needs it. Its duplicate address detection (an NS
	 * from ::), and the first packet from an address in targets_G, once
	 * per NFT_GUEST_SEEN_TIMEOUT (guests_seen_G remembers it).
	 */
	if (spec->guests) {
		sb_printf(&sb, "add set inet " NFT_TABLE " guests_seen_%u "
			  "{ type ifname . ipv6_addr; size 65536; flags dynamic,timeout; timeout %us; }\n",
			  g, NFT_GUEST_SEEN_TIMEOUT);
		sb_printf(&sb, "add chain inet " NFT_TABLE " guests_%u "
			  "{ type filter hook prerouting priority -200; policy accept; }\n", g);
		sb_printf(&sb, "add rule inet " NFT_TABLE " guests_%u "
			  "iifname @slaves_%u icmpv6 type nd-neighbor-solicit "
			  "ip6 saddr :: @th,64,128 @targets_%u "
			  "limit rate %u/second burst %u packets counter "
			  "log prefix \"" NFT_GUEST_PREFIX "\" group %u snaplen %u\n",
			  g, g, g, NFT_LIMIT_RATE, NFT_LIMIT_BURST, g, NFT_SNAPLEN);
		sb_printf(&sb, "add rule inet " NFT_TABLE " guests_%u "
			  "iifname @slaves_%u iifname . ip6 saddr != @guests_seen_%u "
			  "@nh,64,128 @targets_%u add @guests_seen_%u { iifname . ip6 saddr } "
			  "limit rate %u/second burst %u packets counter "
			  "log prefix \"" NFT_GUEST_PREFIX "\" group %u snaplen %u\n",
			  g, g, g, g, g, NFT_LIMIT_RATE, NFT_LIMIT_BURST, g,
			  NFT_SNAPLEN);
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

int nftctl_queue_commands(char *buf, size_t size, uint16_t group,
			  bool verdict)
{
	struct strbuf sb = { buf, size, 0, size == 0 };
	unsigned int g = group;

	sb_printf(&sb, "add set inet " NFT_TABLE " located_%u "
		  "{ type ipv6_addr; flags timeout; }\n", g);
	/*
	 * Both hooks go to one chain with the verdict alone: where the
	 * kernel lacks nft's queue statement, that one rule is the xtables
	 * NFQUEUE target instead (queue_xt.c), the rest is the same.
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
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_%u "
		  "oifname @masters_%u meta nfproto ipv6 @nh,192,128 @targets_%u "
		  "ip6 daddr != @located_%u counter goto hold_queue_%u\n",
		  g, g, g, g, g);
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
	sb_printf(&sb, "add rule inet " NFT_TABLE " hold_fwd_%u "
		  "iifname @slaves_%u meta nfproto ipv6 fib daddr type != local "
		  "@nh,192,128 @targets_%u ip6 daddr != @located_%u "
		  "counter goto hold_queue_%u\n", g, g, g, g, g);
	if (sb.overflow)
		return -1;
	return (int)sb.len;
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
 * copy nft's error text (first line) into err.
 */
static int nft_exec_mode(const char *cmds, const char *path, bool dry_run,
			 char *out, size_t outlen, char *err, size_t errlen)
{
	struct nft_ctx *nft;
	int rc;

	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(err, errlen, "cannot create an nftables context");
		return -1;
	}
	nft_ctx_set_dry_run(nft, dry_run);
	/*
	 * The only listing is of our table, to see which objects exist: set
	 * elements (thousands of slaves) would only push them out of the
	 * buffer.
	 */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_TERSE);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = path ? nft_run_cmd_from_filename(nft, path) :
		    nft_run_cmd_from_buffer(nft, cmds);
	if (rc != 0 && err && errlen) {
		const char *e = nft_error_line(nft_ctx_get_error_buffer(nft));

		snprintf(err, errlen, "%s%s%.*s", path ? path : "", path ? ": " : "",
			 (int)strcspn(e, "\n"), e);
	}
	if (rc == 0 && out && outlen)
		snprintf(out, outlen, "%s", nft_ctx_get_output_buffer(nft));
	nft_ctx_free(nft);
	release_heap();
	return rc == 0 ? 0 : -1;
}

static int nft_exec(const char *cmds, const char *path, char *out,
		    size_t outlen, char *err, size_t errlen)
{
	return nft_exec_mode(cmds, path, false, out, outlen, err, errlen);
}

static int nft_run(const char *cmds, char *out, size_t outlen, char *err,
		   size_t errlen)
{
	return nft_exec(cmds, NULL, out, outlen, err, errlen);
}

#define LIST_MAX (64 * 1024)

/*
 * Our table's chains and sets, by name (terse: no set elements), or NULL
 * with *absent set when there is no table. Not `list table`: that prints
 * the rules too, and for a rule with an xtables expression (the NFQUEUE
 * fallback, queue_xt.c) libxtables writes to our stderr. `list chains`
 * and `list sets` cover every inet table: only our table's blocks are kept.
 */
static char *list_table(bool *absent, char *err, size_t errlen)
{
	static const char head[] = "table inet " NFT_TABLE " {\n";
	char *out = malloc(LIST_MAX), *kept, *at;
	size_t len = 0;

	*absent = false;
	if (!out || !(kept = malloc(LIST_MAX))) {
		free(out);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (nft_run("list chains inet; list sets inet", out, LIST_MAX, err,
		    errlen) == -1) {
		free(out);
		free(kept);
		return NULL;
	}
	kept[0] = '\0';
	for (at = out; (at = strstr(at, head)); ) {
		char *end = strstr(at, "\n}\n");
		size_t n = end ? (size_t)(end + 3 - at) : strlen(at);

		if (len + n < LIST_MAX) {
			memcpy(kept + len, at, n);
			len += n;
			kept[len] = '\0';
		}
		at += n;
	}
	free(out);
	if (len == 0) {
		free(kept);
		*absent = true;
		return NULL;
	}
	return kept;
}

static bool listing_has(const char *listing, const char *kind,
			const char *name, unsigned int group)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "\t%s %s_%u {", kind, name, group);
	return strstr(listing, needle) != NULL;
}

/* Append the deletes for whatever of group G's objects the listing shows. */
static void sb_deletes(struct strbuf *sb, const char *listing, unsigned int g)
{
	static const char *const sets[] = { "masters", "slaves", "targets",
					     "guests_seen", "located" };

	if (listing_has(listing, "chain", "output", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " output_%u\n", g);
	if (listing_has(listing, "chain", "input", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " input_%u\n", g);
	/* Before the sets: their rules use them; hold_queue_G after both. */
	if (listing_has(listing, "chain", "hold", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " hold_%u\n", g);
	if (listing_has(listing, "chain", "hold_fwd", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " hold_fwd_%u\n", g);
	if (listing_has(listing, "chain", "hold_queue", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " hold_queue_%u\n", g);
	if (listing_has(listing, "chain", "guests", g))
		sb_printf(sb, "delete chain inet " NFT_TABLE " guests_%u\n", g);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (listing_has(listing, "set", sets[i], g))
			sb_printf(sb, "delete set inet " NFT_TABLE " %s_%u\n",
				  sets[i], g);
}

int nftctl_load_group(const struct nft_group_spec *spec, char *err,
		      size_t errlen)
{
	size_t size = nftctl_commands_size(spec);
	char *cmds = malloc(size);
	struct strbuf sb = { cmds, size, 0, false };
	char *listing;
	bool absent;
	int n, rc;

	if (!cmds) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	listing = list_table(&absent, err, errlen);
	if (!listing && !absent) {
		free(cmds);
		return -1;
	}
	/* One transaction: leftovers go and the new objects come together. */
	if (listing) {
		sb_deletes(&sb, listing, spec->group);
		free(listing);
	}
	n = nftctl_group_commands(cmds + sb.len, size - sb.len, spec);
	if (n < 0 || sb.overflow) {
		snprintf(err, errlen, "the nft commands do not fit in %zu bytes",
			 size);
		free(cmds);
		return -1;
	}
	rc = nft_run(cmds, NULL, 0, err, errlen);
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
	if (sb.overflow) {
		snprintf(err, errlen, "the nft commands do not fit in %zu bytes",
			 size);
		rc = -1;
	} else if (sb.len) {
		rc = nft_run(cmds, NULL, 0, err, errlen);
	}
	free(cmds);
	return rc;
}

int nftctl_load_file(const char *path, char *err, size_t errlen)
{
	return nft_exec(NULL, path, NULL, 0, err, errlen);
}

int nftctl_remove_group(uint16_t group, char *err, size_t errlen)
{
	char cmds[512];
	struct strbuf sb = { cmds, sizeof(cmds), 0, false };
	char *listing;
	bool absent;
	int rc;

	listing = list_table(&absent, err, errlen);
	if (!listing)
		return absent ? 0 : -1;
	sb_deletes(&sb, listing, group);
	free(listing);
	if (sb.len && nft_run(cmds, NULL, 0, err, errlen) == -1)
		return -1;

	listing = list_table(&absent, err, errlen);
	if (!listing)
		return absent ? 0 : -1;
	/* Other groups (another instance, the shipped file) keep the table. */
	rc = 0;
	if (!strstr(listing, "\tchain ") && !strstr(listing, "\tset "))
		rc = nft_run("delete table inet " NFT_TABLE, NULL, 0, err, errlen);
	free(listing);
	return rc;
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
	return nft_exec_mode(cmds, NULL, true, NULL, 0, err, errlen);
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
		if (nft_exec_mode(cmds, NULL, true, NULL, 0, err, sizeof(err)) == -1) {
			snprintf(what, whatlen, "%s %s_%u", objs[i][0], objs[i][1],
				 group);
			return 1;
		}
	}
	return 0;
}
