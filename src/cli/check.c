/* --check: validate the arguments and the system, say what to fix. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "binding.h"
#include "check.h"
#include "collide.h"
#include "fwdfilter.h"
#include "nflog.h"
#include "nftctl.h"
#include "nftwatch.h"
#include "outfilter.h"
#include "paths.h"
#include "rtnl.h"
#include "sockowner.h"

#define CAP_NET_ADMIN_BIT 12
#define CAP_NET_RAW_BIT 13

struct report {
	FILE *out;
	int problems;
};

static void problem(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct report *r, const char *fmt, ...)
{
	va_list ap;

	fputs("problem: ", r->out);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->problems++;
}

static void ok(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warning(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Worth changing, but ns-monitor works without: not a problem. */
static void warning(struct report *r, const char *fmt, ...)
{
	va_list ap;

	fputs("warning: ", r->out);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
}

static void ok(struct report *r, const char *fmt, ...)
{
	va_list ap;

	fputs("ok: ", r->out);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
}

/* Effective capabilities from /proc/self/status; 0 if unreadable. */
static unsigned long long effective_caps(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long caps = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/*
 * A pattern is fine with no interface yet: VMs and containers come later,
 * and so is a slave named that is not there (a warning); a master that is
 * not there is a problem. Returns how many interfaces the specs stand for now.
 */
static unsigned int check_interfaces(struct report *r, const char *what,
				     const struct ifspec *specs, unsigned int n)
{
	bool slaves = strcmp(what, "slave") == 0;
	struct if_nameindex *all = NULL;
	char text[IFSPEC_TEXT];
	unsigned int total = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int matches = 0;

		if (!specs[i].prefix) {
			if (if_nametoindex(specs[i].name)) {
				ok(r, "%s %s exists", what, specs[i].name);
				total++;
			} else if (slaves)
				/* VMs and containers come and go: not an error. */
				warning(r, "%s %s does not exist (yet): ns-monitor takes it when it appears; check the name if it should be there",
					what, specs[i].name);
			else
				problem(r, "%s %s does not exist: check the name (ns-monitor waits for it to appear)",
					what, specs[i].name);
			continue;
		}
		if (!all)
			all = if_nameindex();
		for (struct if_nameindex *p = all; p && p->if_index; p++)
			matches += ifspec_match(&specs[i], p->if_name);
		ok(r, "%s pattern %s matches %u interface(s) now", what,
		   ifspec_format(&specs[i], text), matches);
		total += matches;
	}
	if (all)
		if_freenameindex(all);
	return total;
}

/*
 * Read set WHICH_G; a problem for a key that is not ifname and for elements
 * that are neither interface names nor patterns. n or -1.
 */
static int check_ifset(struct report *r, struct nftwatch *w, unsigned int g,
		       const char *which, struct ifspec **specs)
{
	struct nftwatch_ifset info;
	char name[32], tbuf[48];
	unsigned int n = 0;

	snprintf(name, sizeof(name), "%s_%u", which, g);
	if (nftwatch_read_ifset_info(w, name, specs, &n, &info) == -1)
		return -1;
	if (info.wrong_type)
		problem(r, "group %u: set %s has type %s, it must be type ifname: make it again (nft delete set inet ns_monitor %s, then load the rules again)",
			g, name, nftwatch_key_type_name(info.key_type, tbuf, sizeof(tbuf)),
			name);
	if (info.invalid)
		problem(r, "group %u: set %s: %u element(s) are neither interface names nor patterns (\"veth*\") and are skipped: \"%s\" is %s",
			g, name, info.invalid, info.first_invalid,
			ifname_key_reason(info.first_reason));
	return (int)n;
}

/*
 * Group g's bindings, one line each; a binding that names no slave of the
 * group keeps its addresses from being learned anywhere: worth a warning.
 */
static void list_bindings(struct report *r, unsigned int g,
			  const struct engine_binding *b, unsigned int n,
			  const struct ifspec *slaves, unsigned int nslaves)
{
	char text[BINDING_TEXT];

	if (n == 0) {
		ok(r, "group %u: no bindings: an address may be learned behind any slave",
		   g);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct ifspec s;
		bool named = false;

		binding_ifspec(&b[i], &s);
		for (unsigned int j = 0; j < nslaves && !named; j++)
			named = ifspec_covers(&s, &slaves[j]) ||
				ifspec_covers(&slaves[j], &s);
		ok(r, "group %u: binding %s", g, binding_format(&b[i], text));
		if (!named)
			warning(r, "group %u: binding %s names no slave of the group: its addresses are learned behind no slave",
				g, text);
	}
}

/* bindings_G: optional (older rules files have none). */
static void check_bindset(struct report *r, struct nftwatch *w, unsigned int g,
			  const struct ifspec *slaves, unsigned int nslaves)
{
	struct engine_binding *b = NULL;
	struct nftwatch_bindset info;
	char name[32], tbuf[48];
	unsigned int n = 0;

	snprintf(name, sizeof(name), "bindings_%u", g);
	if (nftwatch_read_bindings(w, name, &b, &n, &info) == -1) {
		if (errno == ENOENT)
			ok(r, "group %u: no set %s (rules from before bindings): no addresses are bound to slaves",
			   g, name);
		else
			problem(r, "group %u: reading set %s: %s", g, name,
				strerror(errno));
		free(b);
		return;
	}
	if (info.wrong_type)
		problem(r, "group %u: set %s has type %s, it must be type ifname . ipv6_addr with flags interval: make it again (nft delete set inet ns_monitor %s, then load the rules again)",
			g, name, nftwatch_key_type_name(info.key_type, tbuf, sizeof(tbuf)),
			name);
	if (info.rep.invalid)
		problem(r, "group %u: set %s: %u element(s) are no bindings and are skipped: \"%s\" is %s",
			g, name, info.rep.invalid, info.rep.first_invalid,
			binding_elem_reason(info.rep.first_reason));
	if (!info.wrong_type)
		list_bindings(r, g, b, n, slaves, nslaves);
	free(b);
}

/*
 * A rules file of an older ns-monitor, loaded twice, added its rules
 * twice: each NS is then logged, and relayed, once per copy.
 */
static void check_duplicates(struct report *r, struct nftwatch *w,
			     unsigned int g)
{
	static const char *const chains[] = {
		"output", "guests", "input", "hold", "hold_fwd", "hold_queue",
	};
	char name[32];

	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		int n;

		snprintf(name, sizeof(name), "%s_%u", chains[i], g);
		if (nftwatch_chain_exists(w, name) != 1)
			continue;
		n = nftwatch_chain_duplicate_rules(w, name);
		if (n > 0)
			problem(r, "group %u: chain %s holds %d duplicated rule(s): each packet is logged once per copy; flush it and load the rules again (nft flush chain inet ns_monitor %s; nft -f /etc/ns-monitor/ns-monitor.nft)",
				g, name, n, name);
	}
}

/* Whether an interface that masters name has an on-link prefix (a global address). */
static bool masters_have_prefix(const struct ifspec *masters, unsigned int n)
{
	struct ifaddrs *ifa, *p;
	bool found = false;

	if (getifaddrs(&ifa) == -1)
		return true;	/* cannot tell: no false alarm */
	for (p = ifa; p && !found; p = p->ifa_next) {
		const struct sockaddr_in6 *a = (const void *)p->ifa_addr;
		const struct sockaddr_in6 *m = (const void *)p->ifa_netmask;
		unsigned int len = 0;

		if (!a || a->sin6_family != AF_INET6 || !m ||
		    IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) ||
		    IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			continue;
		for (int b = 0; b < 16; b++)
			len += (unsigned int)__builtin_popcount(m->sin6_addr.s6_addr[b]);
		for (unsigned int k = 0; len < 128 && k < n && !found; k++)
			found = ifspec_match(&masters[k], p->ifa_name);
	}
	freeifaddrs(ifa);
	return found;
}

/*
 * --queue: which verdict holds the packets (the table's own chains, or
 * those ns-monitor adds: nft's queue statement, or the xtables target),
 * and whether anything can be held at all (only packets for the masters'
 * on-link prefixes are).
 */
static void check_queue_path(struct report *r, struct nftwatch *w,
			     unsigned int g, const struct ifspec *masters,
			     unsigned int nmasters)
{
	char name[32];

	snprintf(name, sizeof(name), "hold_queue_%u", g);
	if (nftwatch_chain_exists(w, name) == 1)
		ok(r, "group %u: --queue: the table's own hold chains hold the packets", g);
	else if (nftctl_queue_statement_works())
		ok(r, "group %u: --queue: ns-monitor adds the hold chains at start, with nft's queue statement", g);
	else
		ok(r, "group %u: --queue: ns-monitor adds the hold chains at start, with the xtables NFQUEUE target (this kernel lacks nft's queue statement, module nft_queue)", g);
	if (nmasters && !masters_have_prefix(masters, nmasters))
		problem(r, "group %u: --queue would hold nothing: no master has a global address, so no on-link prefix to hold packets for", g);
}

/* net.ipv6.conf.IFNAME.forwarding: 1, 0, or -1 if unreadable. */
static int forwarding_of(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	FILE *f;
	int on = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
		 ifname);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = -1;
		fclose(f);
	}
	return on;
}

static int forwarding_on(void)
{
	return forwarding_of("all");
}

/*
 * Proxy NDP needs the master's own forwarding too: without it the kernel
 * does not answer the upstream's NS for a proxy entry (ndisc_recv_ns()
 * reads the interface's, test_proxy_ndp.sh), so nothing behind a slave, a
 * guest with the prefix on-link included, gets the upstream's answers.
 * Said only when "all" is 1 (else check_forwarding() says so, and setting
 * "all" sets every interface's); only the masters there now are read.
 */
static void check_master_forwarding(struct report *r,
				    const struct ifspec *masters, unsigned int n)
{
	struct if_nameindex *all;

	if (forwarding_on() != 1)
		return;
	all = if_nameindex();
	for (struct if_nameindex *p = all; p && p->if_index; p++) {
		bool master = false;

		for (unsigned int i = 0; i < n && !master; i++)
			master = ifspec_match(&masters[i], p->if_name);
		if (master && forwarding_of(p->if_name) == 0)
			warning(r,
				"--proxy-ndp: master %s has IPv6 forwarding off, so the kernel does not answer the upstream's NS for proxied targets there (guests behind the slaves, those with the master's prefix on-link too, get no answers from the upstream): sysctl -w net.ipv6.conf.%s.forwarding=1",
				p->if_name, p->if_name);
	}
	if (all)
		if_freenameindex(all);
}

struct fwd_report {
	struct report *r;
	unsigned int group;
	const struct ifspec *masters, *slaves;
	unsigned int nmasters, nslaves;
	unsigned int chains, drops;
};

static void fwd_chain_seen(const struct fwdfilter_chain *chains, size_t n,
			   size_t base, void *data)
{
	struct fwd_report *o = data;
	const struct fwdfilter_chain *c = &chains[base];
	struct fwdfilter_finding f;
	char advice[512], m[IFSPEC_TEXT], s[IFSPEC_TEXT], more[48] = "";

	o->chains++;
	if (!fwdfilter_judge_pairs(chains, n, base, o->masters, o->nmasters,
				   o->slaves, o->nslaves, &f))
		return;
	o->drops++;
	fwdfilter_advice(chains, n, base, &f, advice, sizeof(advice));
	if (f.pairs > 1)
		snprintf(more, sizeof(more), " (and %u more master/slave pair(s))",
			 f.pairs - 1);
	problem(o->r, "group %u: firewall: chain %s of table %s %s (hook forward, priority %d) drops packets forwarded from %s to %s%s (%s): the upstream cannot reach the guests behind it, though they are learned and proxied; add before its drops: %s. With Docker, \"ip6tables\": false in /etc/docker/daemon.json is simpler (see the README)",
		o->group, c->name, c->family, c->table, c->priority,
		ifspec_format(f.master, m), ifspec_format(f.slave, s), more,
		f.why, advice);
}

/*
 * The upstream's packets to a proxied guest are forwarded from a master
 * to a slave: a forward-hook chain that drops them (Docker's FORWARD
 * policy DROP) defeats --proxy-ndp without a word (fwdfilter.h).
 */
static void check_forward_filter(struct report *r, const struct config *cfg,
				 unsigned int g,
				 const struct ifspec *masters, unsigned int nmasters,
				 const struct ifspec *slaves, unsigned int nslaves)
{
	struct fwd_report o = { r, g, masters, slaves, nmasters, nslaves, 0, 0 };

	if (!cfg->proxy_ndp && forwarding_on() != 1)
		return;
	if (!nmasters || !nslaves)
		return;
	if (fwdfilter_scan(fwd_chain_seen, &o) == -1) {
		warning(r, "firewall: cannot read the nftables ruleset to look for drops in the forward hook: %s",
			strerror(errno));
		return;
	}
	if (o.drops == 0)
		ok(r, "group %u: firewall: none of %u forward-hook chain(s) of ip6 and inet tables drops packets from the masters to the slaves (checked: policies, drop and reject rules and accepts that match only interfaces, jumps followed)",
		   g, o.chains);
}

static void collision_seen(const char *text, void *data)
{
	warning(data, "%s: Docker hands out its network's addresses: give it a /80 inside the master's prefix that holds neither the router's nor the host's address (README: Docker)",
		text);
}

/* A slave with an address of the master's link (Docker's whole-/64 network). */
static void check_collisions(struct report *r,
			     const struct ifspec *masters, unsigned int nmasters,
			     const struct ifspec *slaves, unsigned int nslaves)
{
	int n = collide_scan(masters, nmasters, slaves, nslaves,
			     collision_seen, r);

	if (n == 0)
		ok(r, "no slave holds an address, or an on-link prefix with one, in use on a master's link");
}

/* Returns the slaves the group's set stands for now. */
static unsigned int check_group_sets(struct report *r, struct nftwatch *w,
				     const struct config *cfg, unsigned int g)
{
	unsigned int nslaves = 0, nmasters = 0;
	struct ifspec *masters = NULL, *slaves = NULL;
	const char *rules = cfg->rules;
	bool proxy_ndp = cfg->proxy_ndp, learn = cfg->learn_routes,
	     queue = cfg->queue;
	char name[32];
	int n, input;

	snprintf(name, sizeof(name), "output_%u", g);
	n = nftwatch_chain_exists(w, name);
	if (n != 1 && rules) {
		ok(r, "group %u: no chain output_%u yet; it will be loaded from %s",
		   g, g, rules);
		return 0;
	}
	if (n != 1) {
		problem(r, "group %u: chain output_%u of table inet ns_monitor is missing: load the rules (nft -f /etc/ns-monitor/ns-monitor.nft) or run with --rules FILE",
			g, g);
		return 0;
	}
	if (nftwatch_chain_logs_group(w, name, (uint16_t)g) == 0)
		problem(r, "group %u: chain output_%u has no rule logging to group %u (flushed?): load the rules again (nft -f /etc/ns-monitor/ns-monitor.nft)",
			g, g, g);
	check_duplicates(r, w, g);
	n = check_ifset(r, w, g, "masters", &masters);
	if (n == -1) {
		problem(r, "group %u: set masters_%u is missing: load the rules again", g, g);
		goto out;
	}
	nmasters = (unsigned int)n;
	if (n == 0)
		problem(r, "group %u: set masters_%u is empty, nothing is relayed: nft add element inet ns_monitor masters_%u { \"IF\" }",
			g, g, g);
	check_interfaces(r, "master", masters, (unsigned int)n);
	n = check_ifset(r, w, g, "slaves", &slaves);
	if (n == -1) {
		problem(r, "group %u: set slaves_%u is missing: load the rules again", g, g);
		goto out;
	}
	if (n == 0)
		problem(r, "group %u: set slaves_%u is empty, nothing is probed: nft add element inet ns_monitor slaves_%u { \"IF\" }",
			g, g, g);
	nslaves = check_interfaces(r, "slave", slaves, (unsigned int)n);
	ok(r, "group %u: table inet ns_monitor has chain output_%u and its sets", g, g);
	check_forward_filter(r, cfg, g, masters, nmasters, slaves, (unsigned int)n);
	check_collisions(r, masters, nmasters, slaves, (unsigned int)n);
	check_bindset(r, w, g, slaves, (unsigned int)n);
	/*
	 * Without it the upstream's NS never reach the daemon: only targets
	 * the host itself asked for get proxied, and a host behind a slave
	 * that never talked stays unreachable from the upstream.
	 */
	if (queue)
		check_queue_path(r, w, g, masters, nmasters);
	snprintf(name, sizeof(name), "input_%u", g);
	input = proxy_ndp ? nftwatch_chain_exists(w, name) : 0;
	if (proxy_ndp && input != 1)
		warning(r, "group %u: --proxy-ndp, but table inet ns_monitor has no chain input_%u: the upstream's NS are not relayed, so a target that never talked is not found for it; uncomment chain input_%u in the rules file (%s; its declaration and flush line too) and load it again",
			g, g, g, rules ? rules : "/etc/ns-monitor/ns-monitor.nft");
	/*
	 * A chain input_G from before guests with the prefix on-link: it
	 * logs the upstream's NS only, and the guests' NS go unanswered.
	 */
	if (input == 1) {
		char rate[40];

		snprintf(rate, sizeof(rate), "guests_ns_rate_%u", g);
		if (nftwatch_set_exists(w, rate) == 0)
			warning(r,
				"group %u: chain input_%u does not log the guests' NS (no set %s: rules of an older ns-monitor), so guests with the master's prefix on-link get no answer for the upstream, the host or guests behind other slaves; uncomment set %s in the rules file (%s) beside chain input_%u and load it again",
				g, g, rate, rate,
				rules ? rules : "/etc/ns-monitor/ns-monitor.nft",
				g);
	}
	if (proxy_ndp)
		check_master_forwarding(r, masters, nmasters);
	/*
	 * Rules from before the per-slave limits: one guest's flood then
	 * fills guests_seen_G, or takes the limit all slaves share, and the
	 * other slaves' new guests go unseen.
	 */
	snprintf(name, sizeof(name), "guests_%u", g);
	if (learn && nftwatch_chain_exists(w, name) == 1) {
		char dad[40], addr[40];

		snprintf(dad, sizeof(dad), "guests_dad_rate_%u", g);
		snprintf(addr, sizeof(addr), "guests_addr_rate_%u", g);
		if (nftwatch_set_exists(w, dad) == 0 ||
		    nftwatch_set_exists(w, addr) == 0)
			warning(r, "group %u: chain guests_%u has no per-slave limits (no set %s or %s: rules of an older ns-monitor): one guest's flood can hide the other slaves' new guests; load the rules again (nft -f /etc/ns-monitor/ns-monitor.nft)",
				g, g, dad, addr);
	}
out:
	free(masters);
	free(slaves);
	return nslaves;
}

enum neigh_verdict neigh_sizing_check(const struct neigh_sizing *s,
				      unsigned long *needed,
				      unsigned long *thresh2,
				      unsigned long *thresh3)
{
	unsigned long want = 1024;

	*needed = s->in_use + 2 * s->slaves;
	/* Twice what is needed, so collection has room to work. */
	while (want < 2 * *needed && want < (1ul << 30))
		want *= 2;
	*thresh3 = want > s->thresh3 ? want : s->thresh3;
	*thresh2 = *thresh3 / 2 > s->thresh2 ? *thresh3 / 2 : s->thresh2;
	if (*needed > s->thresh3)
		return NEIGH_TOO_SMALL;
	if (*needed > s->thresh2)
		return NEIGH_GC_PRESSURE;
	return NEIGH_OK;
}

static void check_neighbor_table(struct report *r, unsigned long slaves)
{
	struct rtnl_neigh_table t;
	unsigned long needed, want2, want3;
	struct neigh_sizing s;
	struct rtnl nl;
	int rc = -1;

	if (rtnl_open(&nl) == 0) {
		rc = rtnl_neigh_table(&nl, &t);
		rtnl_close(&nl);
	}
	if (rc == -1) {
		warning(r, "cannot read the IPv6 neighbor table's thresholds (ip ntable show name ndisc_cache): %s",
			strerror(errno));
		return;
	}
	s = (struct neigh_sizing){ t.thresh2, t.thresh3, t.entries, slaves };
	switch (neigh_sizing_check(&s, &needed, &want2, &want3)) {
	case NEIGH_OK:
		ok(r, "neighbor table: %u entries in use, about %lu needed with %lu slave(s); gc_thresh2 %u, gc_thresh3 %u",
		   t.entries, needed, slaves, t.thresh2, t.thresh3);
		break;
	case NEIGH_GC_PRESSURE:
		warning(r, "neighbor table: about %lu entries needed (%u in use, 2 per slave for %lu slave(s)) but gc_thresh2 is %u: above it, entries are collected after 5 s; raise it: sysctl -w net.ipv6.neigh.default.gc_thresh2=%lu net.ipv6.neigh.default.gc_thresh3=%lu",
			needed, t.entries, slaves, t.thresh2, want2, want3);
		break;
	case NEIGH_TOO_SMALL:
		problem(r, "neighbor table: about %lu entries needed (%u in use, 2 per slave for %lu slave(s)) but gc_thresh3 is %u, the most the kernel holds for the whole machine: raise it (sysctls of the initial namespace): sysctl -w net.ipv6.neigh.default.gc_thresh2=%lu net.ipv6.neigh.default.gc_thresh3=%lu",
			needed, t.entries, slaves, t.thresh3, want2, want3);
		break;
	}
}

/* Each group's egress table must hold no routes but ours (see slaves.c). */
static void check_egress_tables(struct report *r, const struct config *cfg)
{
	struct rtnl rt;

	if (rtnl_open(&rt) == -1) {
		problem(r, "rtnetlink: %s: run as root", strerror(errno));
		return;
	}
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		uint32_t table = cfg->fwmark_base + cfg->groups[i];
		uint8_t protocol = 0;
		int n = rtnl_table_foreign_routes(&rt, table, &protocol);

		if (n == -1)
			problem(r, "group %u: reading routing table %u: %s",
				cfg->groups[i], table, strerror(errno));
		else if (n > 0)
			problem(r, "group %u: routing table %u already holds %d route(s) that ns-monitor did not make (protocol %u, see ip -6 route show table %u): choose another --fwmark BASE so that BASE+%u is a free table",
				cfg->groups[i], table, n, protocol, table,
				cfg->groups[i]);
		else
			ok(r, "group %u: routing table %u is free for its egress routes",
			   cfg->groups[i], table);
	}
	rtnl_close(&rt);
}

/* --rules: would a reload work, and bring back every group served? */
static void check_rules_file(struct report *r, const struct config *cfg)
{
	char why[512];

	if (access(cfg->rules, R_OK) == -1) {
		problem(r, "rules file %s: %s", cfg->rules, strerror(errno));
		return;
	}
	if (nftctl_check_file(cfg->rules, why, sizeof(why)) == -1) {
		problem(r, "rules file %s does not load: %s: fix it (nft -c -f %s)",
			cfg->rules, why, cfg->rules);
		return;
	}
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		unsigned int g = cfg->groups[i];
		int n = nftctl_file_lacks(cfg->rules, (uint16_t)g, why, sizeof(why));

		if (n == -1)
			problem(r, "rules file %s: %s", cfg->rules, why);
		else if (n == 1)
			problem(r, "group %u: rules file %s defines no %s, so a reload could not restore the group: add its objects to the file (see ns-monitor.nft)",
				g, cfg->rules, why);
		else
			ok(r, "group %u: rules file %s loads and defines its chain and sets",
			   g, cfg->rules);
	}
}

struct outfilter_report {
	struct report *r;
	const struct config *cfg;
	unsigned int drops, allowed, chains;
};

static void outfilter_chain_seen(const struct outfilter_chain *c, void *data)
{
	struct outfilter_report *o = data;
	const struct config *cfg = o->cfg;
	char why[96] = "", ipt[200] = "", rule[256];
	uint16_t *dropped;
	unsigned int ndropped = 0, nallowed = 0;

	o->chains++;
	dropped = calloc(cfg->ngroups, sizeof(*dropped));
	if (!dropped) {
		problem(o->r, "firewall: out of memory");
		return;
	}
	/* Each group's echo requests carry its own mark: judged one by one. */
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		char one[96];

		switch (outfilter_judge(c, cfg->fwmark_base + cfg->groups[i],
					one, sizeof(one))) {
		case OUTFILTER_PASSES:
			break;
		case OUTFILTER_ALLOWED:
			nallowed++;
			break;
		case OUTFILTER_DROPS:
			dropped[ndropped++] = cfg->groups[i];
			snprintf(why, sizeof(why), "%s", one);
			break;
		}
	}
	if (nallowed && !ndropped) {
		o->allowed++;
		ok(o->r, "firewall: chain %s of table %s %s (hook output, priority %d) accepts by meta mark, before any drop",
		   c->name, c->family, c->table, c->priority);
	}
	if (ndropped) {
		char groups[128] = "";
		size_t len = 0;

		o->drops++;
		for (unsigned int i = 0; i < ndropped && len < sizeof(groups); i++)
			len += (size_t)snprintf(groups + len, sizeof(groups) - len,
						"%s%u", i ? ", " : "", dropped[i]);
		outfilter_accept_rule(rule, sizeof(rule), cfg->fwmark_base,
				      dropped, ndropped);
		/* ip6tables-nft's chains are ip6 ones: its own command too. */
		if (strcmp(c->family, "ip6") == 0)
			snprintf(ipt, sizeof(ipt), " (with ip6tables: ip6tables -I %s -m mark --mark 0x%08x -j ACCEPT%s)",
				 c->name, cfg->fwmark_base + dropped[0],
				 ndropped > 1 ? ", and so on for each group" : "");
		problem(o->r, "firewall: chain %s of table %s %s (hook output, priority %d) drops the echo requests of group(s) %s (%s), unless an accept before its drops matches them; they carry the group's mark: add before the drops: nft insert rule %s %s %s %s%s",
			c->name, c->family, c->table, c->priority, groups, why,
			c->family, c->table, c->name, rule, ipt);
	}
	free(dropped);
}

/*
 * The echo requests (confirms, and asks of slaves without Ethernet or a
 * link-local address) pass the output hook: a firewall that drops there
 * makes each one fail with EPERM (outfilter.h).
 */
static void check_output_filter(struct report *r, const struct config *cfg)
{
	struct outfilter_report o = { .r = r, .cfg = cfg };

	if (outfilter_scan(outfilter_chain_seen, &o) == -1) {
		warning(r, "firewall: cannot read the nftables ruleset to look for drops in the output hook: %s",
			strerror(errno));
		return;
	}
	if (o.drops == 0)
		ok(r, "firewall: none of %u output-hook chain(s) of ip6 and inet tables drops ns-monitor's echo requests (checked: each base chain's policy, unconditional drop or reject rules, accept rules that match meta mark; jumps are not followed)",
		   o.chains);
}

/*
 * Proxy NDP needs net.ipv6.conf.all.forwarding: the master's own
 * forwarding makes the kernel answer the upstream's NS, but ip6_forward()
 * reads "all" for the packets that follow (test_proxy_ndp.sh).
 */
static void check_forwarding(struct report *r)
{
	if (forwarding_on() == 1)
		ok(r, "--proxy-ndp: net.ipv6.conf.all.forwarding is 1");
	else
		warning(r,
			"--proxy-ndp: IPv6 forwarding is off, so the upstream cannot reach proxied targets, and guests with the master's prefix on-link reach nothing past the host (their NS are answered, their packets not forwarded): sysctl -w net.ipv6.conf.all.forwarding=1 (a master configured by router advertisements then needs accept_ra=2)");
}

/*
 * A bound group is what a running ns-monitor looks like: say so, with its
 * pid, and go on checking what it serves. Anyone else holding the group
 * (ulogd, tcpdump -i nflog:G) keeps ns-monitor from starting.
 */
static void check_nflog_group(struct report *r, unsigned int g)
{
	char comm[32];
	uint32_t portid = 0;
	pid_t pid;
	int bound = nflog_group_bound((uint16_t)g, &portid);

	if (bound == 0) {
		ok(r, "NFLOG group %u is free", g);
		return;
	}
	if (bound == -1) {
		problem(r, "cannot read /proc/net/netfilter/nfnetlink_log: load nfnetlink_log (modprobe nfnetlink_log)");
		return;
	}
	pid = netlink_socket_owner(NETLINK_NETFILTER, portid, comm, sizeof(comm));
	if (pid > 0 && strcmp(comm, "ns-monitor") == 0)
		ok(r, "NFLOG group %u: ns-monitor is running (pid %d); checking what it serves",
		   g, (int)pid);
	else if (pid > 0)
		problem(r, "NFLOG group %u is bound by %s (pid %d), so ns-monitor cannot read it: stop that process or choose another group with -g",
			g, comm[0] ? comm : "another process", (int)pid);
	else
		problem(r, "NFLOG group %u is bound by a process not found here (netlink port id %u, see /proc/net/netfilter/nfnetlink_log): stop it or choose another group with -g",
			g, portid);
}

/* The files written after set-up: what the start refuses (paths.c). */
static void check_paths(struct report *r, const struct config *cfg, uid_t uid,
			gid_t gid)
{
	char why[512];

	if (!cfg->stats_file && !cfg->daemonize)
		return;
	if (paths_check(cfg, uid, gid, !cfg->user, why, sizeof(why)) == -1)
		problem(r, "%s", why);
	else if (cfg->stats_file)
		ok(r, "stats file %s: its directory is writable by uid %u, which the daemon runs as",
		   cfg->stats_file, (unsigned int)uid);
}

int check_run(const struct config *cfg, uid_t uid, gid_t gid, FILE *out)
{
	struct report r = { out, 0 };
	unsigned long long caps = effective_caps();
	unsigned long slaves = 0;
	struct nftwatch w;

	if ((caps >> CAP_NET_ADMIN_BIT & 1) && (caps >> CAP_NET_RAW_BIT & 1))
		ok(&r, "privileges: CAP_NET_ADMIN and CAP_NET_RAW");
	else
		problem(&r, "privileges: CAP_NET_ADMIN and CAP_NET_RAW are needed: run as root");

	for (unsigned int i = 0; i < cfg->ngroups; i++)
		check_nflog_group(&r, cfg->groups[i]);

	check_egress_tables(&r, cfg);

	if (nftwatch_open(&w) == -1) {
		problem(&r, "nf_tables netlink: %s: load nf_tables (modprobe nf_tables)",
			strerror(errno));
	} else {
		/* A missing chain is fine here; any other error means no nf_tables. */
		if (nftwatch_chain_exists(&w, "output_0") == -1)
			problem(&r, "nf_tables: %s: load nf_tables (modprobe nf_tables)",
				strerror(errno));
		else
			ok(&r, "nf_tables is available");
		if (cfg->standalone) {
			check_interfaces(&r, "master", cfg->masters,
					 cfg->nmasters);
			slaves = check_interfaces(&r, "slave", cfg->slaves,
						  cfg->nslaves);
			list_bindings(&r, cfg->groups[0], cfg->binds,
				      cfg->nbinds, cfg->slaves, cfg->nslaves);
			check_forward_filter(&r, cfg, cfg->groups[0],
					     cfg->masters, cfg->nmasters,
					     cfg->slaves, cfg->nslaves);
			check_collisions(&r, cfg->masters, cfg->nmasters,
					 cfg->slaves, cfg->nslaves);
			if (cfg->proxy_ndp)
				check_master_forwarding(&r, cfg->masters,
							cfg->nmasters);
		} else {
			for (unsigned int i = 0; i < cfg->ngroups; i++)
				slaves += check_group_sets(&r, &w, cfg,
							   cfg->groups[i]);
		}
		nftwatch_close(&w);
	}
	check_output_filter(&r, cfg);
	if (cfg->proxy_ndp)
		check_forwarding(&r);
	check_neighbor_table(&r, slaves);
	check_paths(&r, cfg, uid, gid);
	if (!cfg->standalone && cfg->rules)
		check_rules_file(&r, cfg);

	if (r.problems)
		fprintf(out, "%d problem(s) found\n", r.problems);
	else
		fprintf(out, "configuration OK\n");
	return r.problems;
}
