/* Command line parsing. Pure: argv in, struct config or a reason out. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "cli.h"
#include "config.h"
#include "grow.h"
#include "ifname.h"
#include "version.h"

enum {
	OPT_HOLDDOWN = 256,
	OPT_RATE,
	OPT_BURST,
	OPT_FWMARK,
	OPT_DRY_RUN,
	OPT_LINK_LOCAL,
	OPT_PIDFILE,
	OPT_RULES,
	OPT_RESTORE_MEMBERS,
	OPT_CHECK,
	OPT_LEARN_ROUTES,
	OPT_PROXY_NDP,
	OPT_KEEP_ROUTES,
	OPT_ROUTE_METRIC,
	OPT_STATS_FILE,
	OPT_STATS_INTERVAL,
	OPT_STATS_FOLLOW_LINK,
	OPT_USER,
	OPT_MAX_INFLIGHT,
	OPT_MAX_QUEUE,
	OPT_MAX_LEARNED,
	OPT_KEEPALIVE_RATE,
	OPT_QUEUE,
	OPT_QUEUE_WAIT,
	OPT_QUEUE_MAX,
	OPT_BIND,
};

static const struct option long_options[] = {
	{ "master",	required_argument, NULL, 'm' },
	{ "slaves",	required_argument, NULL, 's' },
	{ "group",	required_argument, NULL, 'g' },
	{ "targets",	required_argument, NULL, 't' },
	{ "bind",	required_argument, NULL, OPT_BIND },
	{ "rules",	required_argument, NULL, OPT_RULES },
	{ "restore-members", no_argument,  NULL, OPT_RESTORE_MEMBERS },
	{ "check",	no_argument,	   NULL, OPT_CHECK },
	{ "learn-routes", no_argument,	   NULL, OPT_LEARN_ROUTES },
	{ "proxy-ndp",	no_argument,	   NULL, OPT_PROXY_NDP },
	{ "keep-routes", no_argument,	   NULL, OPT_KEEP_ROUTES },
	{ "route-metric", required_argument, NULL, OPT_ROUTE_METRIC },
	{ "stats-file",	required_argument, NULL, OPT_STATS_FILE },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "stats-follow-link", no_argument, NULL, OPT_STATS_FOLLOW_LINK },
	{ "user",	required_argument, NULL, OPT_USER },
	{ "holddown",	required_argument, NULL, OPT_HOLDDOWN },
	{ "rate",	required_argument, NULL, OPT_RATE },
	{ "burst",	required_argument, NULL, OPT_BURST },
	{ "max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT },
	{ "max-queue",	required_argument, NULL, OPT_MAX_QUEUE },
	{ "max-learned", required_argument, NULL, OPT_MAX_LEARNED },
	{ "keepalive-rate", required_argument, NULL, OPT_KEEPALIVE_RATE },
	{ "queue",	no_argument,	   NULL, OPT_QUEUE },
	{ "queue-wait",	required_argument, NULL, OPT_QUEUE_WAIT },
	{ "queue-max",	required_argument, NULL, OPT_QUEUE_MAX },
	{ "fwmark",	required_argument, NULL, OPT_FWMARK },
	{ "link-local",	no_argument,	   NULL, OPT_LINK_LOCAL },
	{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
	{ "daemon",	no_argument,	   NULL, 'd' },
	{ "pidfile",	required_argument, NULL, OPT_PIDFILE },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The synopsis: the two ways to run it, first in --help and in errors. */
static const char synopsis[] =
"Usage: ns-monitor -m MASTER -s SLAVE[,SLAVE...] [-g GROUP] [options]\n"
"       ns-monitor -g GROUP [-g GROUP...] [--rules FILE] [options]\n";

void cli_usage(FILE *out)
{
	fputs(synopsis, out);
	fprintf(out,
"For each target the host solicits on a master interface, ask the slave\n"
"interfaces with a Neighbor Solicitation of its own, and write the\n"
"kernel's neighbor entry for it on the one that answers, from that\n"
"answer. That alone does not make the host reach it (its route still\n"
"says the master): it is enough where something else routes the\n"
"target, or to warm neighbor caches. --learn-routes adds the route\n"
"that makes the host reach it (the service's default).\n"
"\n"
"Standalone mode (-m, -s): ns-monitor loads its nftables objects itself.\n"
"  -m, --master IF[,IF]   interface whose outgoing NS are relayed (repeatable)\n"
"  -s, --slaves IF[,IF]   interfaces probed for the target (repeatable)\n"
"                         IF may be a pattern: 'veth*' is every interface\n"
"                         whose name starts with veth (one '*', at the end)\n"
"  -t, --targets P[,P]    only relay targets inside these prefixes\n"
"                         (unicast: not IPv4-mapped, multicast, ...)\n"
"  -g, --group N          NFLOG group, 0-65535 (default %u)\n"
"      --bind IF=PREFIX   addresses in PREFIX are learned only behind IF\n"
"                         (a name or pattern), and a slave bound so may\n"
"                         claim only its own (repeatable; for the group;\n"
"                         an address alone is a /128)\n"
"Managed mode (no -m): the table inet ns_monitor is loaded beforehand\n"
"(ns-monitor.nft); the sets masters_N and slaves_N say what to relay\n"
"(names, or patterns such as \"vnet*\" in sets with flags interval),\n"
"and the set bindings_N which slave may have which addresses.\n"
"  -g, --group N          serve group N (repeatable)\n"
"      --rules FILE       load FILE again if the table or the group's rule\n"
"                         disappears (checked at start: it must define\n"
"                         output_N, masters_N and slaves_N)\n"
"      --restore-members  when the table is created anew (a firewall\n"
"                         reload) and masters_N, slaves_N or bindings_N\n"
"                         comes back empty, add what it held again (an\n"
"                         emptied set in the same table is left empty)\n"
"Both:\n"
"      --learn-routes     once a target answers behind a slave, route it\n"
"                         there: TARGET/128 dev SLAVE proto ns-monitor;\n"
"                         without it the host does not reach the target\n"
"      --route-metric N   those routes of group G get metric N+G, which\n"
"                         marks them as G's (default N=%u)\n"
"      --proxy-ndp        also answer for it on the masters (proxy NDP), and\n"
"                         relay the upstream's NS for it; implies\n"
"                         --learn-routes\n"
"      --keep-routes      leave learned routes and proxy entries at exit\n"
"      --queue            hold the host's packets to a target not located\n"
"                         yet (NFQUEUE GROUP) until it is: the first one\n"
"                         leaves by the right slave; implies --learn-routes\n"
"      --queue-wait MS    ...MS milliseconds once every slave was asked,\n"
"                         1 s at most, then by the master (default %u)\n"
"      --queue-max N      ...at most N packets at once (default %u)\n"
"      --holddown MS      once every slave was asked for a target, ask\n"
"                         again no sooner than MS milliseconds (default %u)\n"
"      --rate N           at most N asks per second in all, each one\n"
"                         NS out of one slave; more wait (default %u)\n"
"      --burst N          ...with bursts of up to N asks (default %u)\n"
"      --max-inflight N   targets being resolved at once; more wait in\n"
"                         a queue (default %u)\n"
"      --max-queue N      targets waiting; beyond, the stalest is\n"
"                         dropped and counted (default %u)\n"
"      --max-learned N    learned routes at most (default %u); past half,\n"
"                         a slave gets its share of them\n"
"      --keepalive-rate N learned targets asked again per second, a\n"
"                         budget of their own (default %u)\n"
"      --fwmark BASE      egress fwmark and routing table of group G are\n"
"                         BASE+G (default 0x%x); a free table, not\n"
"                         0 or 253-255\n"
"      --link-local       relay link-local targets too\n"
"      --stats-file PATH  write the counters there in the Prometheus text\n"
"                         format (node_exporter textfile collector)\n"
"      --stats-interval S ...every S seconds (default %u)\n"
"      --stats-follow-link\n"
"                         the stats file may be a symbolic link: replace the\n"
"                         file it leads to (refused otherwise)\n"
"      --user NAME        run as NAME after set-up, keeping only\n"
"                         CAP_NET_ADMIN and CAP_NET_RAW\n"
"      --dry-run          log each probe it would send, send nothing\n"
"      --check            check the arguments and the system, then exit\n"
"  -d, --daemon           run in the background, log to syslog; returns\n"
"                         once the pidfile is written and it is ready\n"
"      --pidfile PATH     only with --daemon (default %s)\n"
"  -v, --verbose          log each NS and probe\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Exit status: 0 clean exit, 1 set-up failure (or --check found a\n"
"problem), 2 bad arguments.\n",
		DEFAULT_GROUP, DEFAULT_ROUTE_METRIC, DEFAULT_QUEUE_WAIT_MS,
		DEFAULT_QUEUE_MAX, DEFAULT_HOLDDOWN_MS, DEFAULT_RATE, DEFAULT_BURST,
		DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUE, DEFAULT_MAX_LEARNED,
		DEFAULT_KEEPALIVE_RATE, EGRESS_BASE, DEFAULT_STATS_INTERVAL, DEFAULT_PIDFILE);
}

void cli_error(FILE *out, const char *err)
{
	/* The synopsis, not the whole help: the reason stays in sight. */
	fprintf(out, "ns-monitor: %s\n%sTry 'ns-monitor --help' for more information.\n",
		err, synopsis);
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->holddown_ms = DEFAULT_HOLDDOWN_MS;
	cfg->rate = DEFAULT_RATE;
	cfg->burst = DEFAULT_BURST;
	cfg->max_inflight = DEFAULT_MAX_INFLIGHT;
	cfg->max_queue = DEFAULT_MAX_QUEUE;
	cfg->max_learned = DEFAULT_MAX_LEARNED;
	cfg->keepalive_rate = DEFAULT_KEEPALIVE_RATE;
	cfg->queue_wait_ms = DEFAULT_QUEUE_WAIT_MS;
	cfg->queue_max = DEFAULT_QUEUE_MAX;
	cfg->fwmark_base = EGRESS_BASE;
	cfg->pidfile = DEFAULT_PIDFILE;
	cfg->route_metric = DEFAULT_ROUTE_METRIC;
	cfg->stats_interval = DEFAULT_STATS_INTERVAL;
}

void config_free(struct config *cfg)
{
	free(cfg->masters);
	free(cfg->slaves);
	free(cfg->groups);
	free(cfg->targets);
	free(cfg->binds);
	cfg->binds = NULL;
	cfg->nbinds = 0;
	cfg->masters = cfg->slaves = NULL;
	cfg->nmasters = cfg->nslaves = 0;
	cfg->groups = NULL;
	cfg->targets = NULL;
	cfg->ngroups = cfg->ntargets = 0;
}


static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Decimal or 0x-hex, no sign, no trailing characters, within [min, max]. */
static int parse_u32(const char *s, unsigned long min, unsigned long max,
		     uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	/* Base 0 would read "0135" as octal: only decimal or 0x-hex. */
	v = strtoul(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_prefix6(const char *s, struct prefix6 *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint32_t len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET6, addr, &out->addr) != 1 ||
	    parse_u32(slash + 1, 0, 128, &len) == -1)
		return -1;
	out->len = (uint8_t)len;
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8 :
				    len > 8 * i ? len - 8 * i : 0;

		out->addr.s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return 0;
}

static bool prefix_inside(const struct prefix6 *p, const char *net,
			  unsigned int len)
{
	struct in6_addr a;

	if (p->len < len || inet_pton(AF_INET6, net, &a) != 1)
		return false;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int byte = i / 8, bit = 0x80u >> (i % 8);

		if ((p->addr.s6_addr[byte] & bit) != (a.s6_addr[byte] & bit))
			return false;
	}
	return true;
}

/*
 * Why a target prefix cannot hold a neighbor worth relaying, or NULL. The
 * kernel never resolves IPv4-mapped, IPv4-compatible (with :: and ::1) or
 * multicast addresses with an NS, and link-local targets are relayed only
 * with --link-local: such a -t is a mistake, not a filter.
 */
const char *target_prefix_problem(const struct prefix6 *p, bool link_local)
{
	if (prefix_inside(p, "::ffff:0:0", 96))
		return "an IPv4-mapped range (::ffff:0:0/96)";
	if (prefix_inside(p, "::", 96))
		return "inside ::/96 (unspecified, loopback, IPv4-compatible)";
	if (prefix_inside(p, "ff00::", 8))
		return "multicast (ff00::/8)";
	if (!link_local && prefix_inside(p, "fe80::", 10))
		return "link-local (fe80::/10) without --link-local";
	return NULL;
}

static int add_targets(struct config *cfg, const char *arg, char *err,
		       size_t errlen)
{
	char one[INET6_ADDRSTRLEN + 8];
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (grow_room((void **)&cfg->targets, cfg->ntargets,
			      sizeof(*cfg->targets)) == -1) {
			set_err(err, errlen, "out of memory for target prefixes");
			return -1;
		}
		if (len < sizeof(one)) {
			memcpy(one, p, len);
			one[len] = '\0';
		}
		if (len >= sizeof(one) ||
		    parse_prefix6(one, &cfg->targets[cfg->ntargets]) == -1) {
			set_err(err, errlen,
				"target '%.*s' is not an IPv6 prefix like 2001:db8::/64",
				(int)len, p);
			return -1;
		}
		cfg->ntargets++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/*
 * --bind IF=PREFIX: IF a name or pattern, PREFIX an IPv6 prefix, or an
 * address alone (a /128). Split at the last '=': a name may hold one, an
 * address never does.
 */
static int add_binding(struct config *cfg, const char *arg, char *err,
		       size_t errlen)
{
	const char *eq = strrchr(arg, '='), *prefix;
	char text[INET6_ADDRSTRLEN + 8];
	struct engine_binding b;
	struct prefix6 p;
	struct ifspec s;
	const char *why;

	if (!eq) {
		set_err(err, errlen,
			"--bind '%s' is not IF=PREFIX, such as tap0=2001:db8:1::100/128",
			arg);
		return -1;
	}
	why = ifspec_parse(arg, (size_t)(eq - arg), &s);
	if (why) {
		set_err(err, errlen, "--bind '%s': invalid interface name '%.*s': %s",
			arg, (int)(eq - arg), arg, why);
		return -1;
	}
	prefix = eq + 1;
	if (!strchr(prefix, '/') &&
	    (size_t)snprintf(text, sizeof(text), "%s/128", prefix) < sizeof(text))
		prefix = text;
	if (parse_prefix6(prefix, &p) == -1) {
		set_err(err, errlen,
			"--bind '%s': '%s' is not an IPv6 prefix like 2001:db8:1::/64 (or an address)",
			arg, eq + 1);
		return -1;
	}
	/* No NS is sent for these: binding them is a mistake, not a rule. */
	why = target_prefix_problem(&p, true);
	if (why) {
		set_err(err, errlen,
			"--bind '%s': %s is %s: no neighbor lives there; give a unicast prefix",
			arg, eq + 1, why);
		return -1;
	}
	binding_from_prefix(&s, &p, &b);
	if (binding_add(&cfg->binds, &cfg->nbinds, &b) == -1) {
		set_err(err, errlen, "out of memory for the bindings");
		return -1;
	}
	return 0;
}

static int add_ifspec(struct ifspec **list, unsigned int *n,
		      const char *text, size_t len, const char *what,
		      char *err, size_t errlen)
{
	struct ifspec s;
	const char *why = ifspec_parse(text, len, &s);

	if (why) {
		set_err(err, errlen, "invalid %s interface name '%.*s': %s", what,
			(int)len, text, why);
		return -1;
	}
	/* Given twice: once is enough (ifspec_add keeps one). */
	if (ifspec_add(list, n, &s) == -1) {
		set_err(err, errlen, "out of memory for the %s interfaces", what);
		return -1;
	}
	return 0;
}

static int add_iflist(struct ifspec **list, unsigned int *n,
		      const char *arg, const char *what, char *err,
		      size_t errlen)
{
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (add_ifspec(list, n, p, len, what, err, errlen) == -1)
			return -1;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/*
 * Group G's egress routes go into table BASE+G, and ns-monitor purges what
 * it finds there: a BASE that lands a served group on a table the kernel
 * reserves (0 unspec, 253 default, 254 main, 255 local) would put a default
 * route into the host's own tables or delete its routes. Checked once the
 * groups are known (standalone adds the default group after the loop).
 */
static int reserved_table_check(const struct config *cfg, char *err,
				size_t errlen)
{
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		uint64_t table = (uint64_t)cfg->fwmark_base + cfg->groups[i];

		if (table == 0 || (table >= 253 && table <= 255)) {
			set_err(err, errlen,
				"fwmark 0x%x puts group %u into routing table %u, which the kernel reserves (0, 253 default, 254 main, 255 local): choose another --fwmark",
				cfg->fwmark_base, cfg->groups[i], (unsigned int)table);
			return -1;
		}
	}
	return 0;
}

/* Options that set a number: one line each, the range in the message. */
struct number_option {
	int opt;
	const char *what;		/* as the message names it */
	size_t field;			/* a uint32_t in struct config */
	unsigned long min, max;
	const char *range;
};

#define FIELD(f) offsetof(struct config, f)

static const struct number_option number_options[] = {
	/* Plus the group number, the metric must stay within 32 bits. */
	{ OPT_ROUTE_METRIC, "route metric", FIELD(route_metric), 0, 0xffff0000ul,
	  "a number in 0-4294901760" },
	{ OPT_HOLDDOWN, "holddown", FIELD(holddown_ms), 0, 3600000,
	  "a number of milliseconds in 0-3600000" },
	{ OPT_RATE, "rate", FIELD(rate), 1, 1000000, "a number in 1-1000000" },
	{ OPT_BURST, "burst", FIELD(burst), 1, 1000000, "a number in 1-1000000" },
	{ OPT_QUEUE_WAIT, "queue-wait", FIELD(queue_wait_ms), 1, 10000,
	  "a number of milliseconds in 1-10000" },
	{ OPT_QUEUE_MAX, "queue-max", FIELD(queue_max), 1, 65536,
	  "a number in 1-65536" },
	{ OPT_MAX_INFLIGHT, "max-inflight", FIELD(max_inflight), 1, 1000000,
	  "a number in 1-1000000" },
	{ OPT_MAX_QUEUE, "max-queue", FIELD(max_queue), 0, 1000000,
	  "a number in 0-1000000" },
	{ OPT_MAX_LEARNED, "max-learned", FIELD(max_learned), 1, 1000000,
	  "a number in 1-1000000" },
	{ OPT_KEEPALIVE_RATE, "keepalive-rate", FIELD(keepalive_rate), 1, 1000000,
	  "a number in 1-1000000" },
	{ OPT_FWMARK, "fwmark", FIELD(fwmark_base), 1, 0xffff0000ul,
	  "a number in 1-0xffff0000" },
	{ OPT_STATS_INTERVAL, "stats interval", FIELD(stats_interval), 1, 86400,
	  "a number of seconds in 1-86400" },
};

/* Options that turn something on; some imply --learn-routes. */
struct flag_option {
	int opt;
	size_t field;			/* a bool in struct config */
	bool learns;			/* the route is what it works with */
};

static const struct flag_option flag_options[] = {
	{ OPT_RESTORE_MEMBERS, FIELD(restore_members), false },
	{ OPT_CHECK, FIELD(check), false },
	{ OPT_LEARN_ROUTES, FIELD(learn_routes), true },
	{ OPT_PROXY_NDP, FIELD(proxy_ndp), true },
	{ OPT_KEEP_ROUTES, FIELD(keep_routes), false },
	{ OPT_QUEUE, FIELD(queue), true },
	{ OPT_STATS_FOLLOW_LINK, FIELD(stats_follow_link), false },
	{ OPT_LINK_LOCAL, FIELD(link_local), false },
	{ OPT_DRY_RUN, FIELD(dry_run), false },
	{ 'd', FIELD(daemonize), false },
};

/* Options that take a file or user name. */
struct name_option {
	int opt;
	size_t field;			/* a const char * in struct config */
	bool absolute;			/* a path from /, named by `what` */
	const char *what;		/* else the message when empty */
};

static const struct name_option name_options[] = {
	{ OPT_RULES, FIELD(rules), false, "--rules needs a file name" },
	{ OPT_USER, FIELD(user), false, "--user needs a user name" },
	{ OPT_STATS_FILE, FIELD(stats_file), true, "stats file" },
	{ OPT_PIDFILE, FIELD(pidfile), true, "pidfile" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A table option: 1 taken, 0 not a table option, -1 refused (err set). */
static int table_option(int c, struct config *cfg, char *err, size_t errlen)
{
	char *base = (char *)cfg;

	for (size_t i = 0; i < N(number_options); i++) {
		const struct number_option *o = &number_options[i];

		if (o->opt != c)
			continue;
		if (parse_u32(optarg, o->min, o->max,
			      (uint32_t *)(base + o->field)) == -1) {
			set_err(err, errlen, "%s '%s' is not %s", o->what,
				optarg, o->range);
			return -1;
		}
		return 1;
	}
	for (size_t i = 0; i < N(flag_options); i++) {
		if (flag_options[i].opt != c)
			continue;
		*(bool *)(base + flag_options[i].field) = true;
		if (flag_options[i].learns)
			cfg->learn_routes = true;
		return 1;
	}
	for (size_t i = 0; i < N(name_options); i++) {
		const struct name_option *o = &name_options[i];

		if (o->opt != c)
			continue;
		if (o->absolute && optarg[0] != '/') {
			set_err(err, errlen, "%s '%s' is not an absolute path",
				o->what, optarg);
			return -1;
		}
		if (!o->absolute && optarg[0] == '\0') {
			set_err(err, errlen, "%s", o->what);
			return -1;
		}
		*(const char **)(base + o->field) = optarg;
		if (c == OPT_PIDFILE)
			cfg->pidfile_given = true;
		return 1;
	}
	return 0;
}

static int add_group_num(struct config *cfg, uint32_t v, char *err,
			 size_t errlen)
{
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		if (cfg->groups[i] == v)
			return 0;
	if (grow_room((void **)&cfg->groups, cfg->ngroups, sizeof(*cfg->groups)) == -1) {
		set_err(err, errlen, "out of memory for groups");
		return -1;
	}
	cfg->groups[cfg->ngroups++] = (uint16_t)v;
	return 0;
}

static int add_group(struct config *cfg, const char *arg, char *err,
		     size_t errlen)
{
	uint32_t v;

	if (parse_u32(arg, 0, 65535, &v) == -1) {
		set_err(err, errlen, "group '%s' is not a number in 0-65535", arg);
		return -1;
	}
	return add_group_num(cfg, v, err, errlen);
}

static enum cli_result unknown_option(char **argv, char *err, size_t errlen)
{
	/*
	 * For a long option given a value it takes none (--dry-run=1)
	 * glibc puts the option's own value in optopt; only a real short
	 * option is named by it.
	 */
	if (optopt > 0 && optopt < 256 && optopt != '?' &&
	    !strchr("msgtdvhV", optopt))
		set_err(err, errlen, "unknown option '-%c'", optopt);
	else
		set_err(err, errlen, "unknown option or unexpected value '%s'",
			argv[optind - 1]);
	return CLI_ERROR;
}

/* -m and -s: what standalone mode needs, and what it refuses. */
static int check_standalone(struct config *cfg, char *err, size_t errlen)
{
	if (cfg->nmasters == 0) {
		set_err(err, errlen, "no master interface given (-m IF)");
		return -1;
	}
	if (cfg->nslaves == 0) {
		set_err(err, errlen, "no slave interface given (-s IF[,IF...])");
		return -1;
	}
	if (cfg->ngroups > 1) {
		set_err(err, errlen, "give one group (-g) with -m and -s");
		return -1;
	}
	if (cfg->rules) {
		set_err(err, errlen,
			"--rules is for managed mode (without -m and -s)");
		return -1;
	}
	if (cfg->restore_members) {
		set_err(err, errlen,
			"--restore-members is for managed mode (without -m and -s): standalone mode always restores its own sets");
		return -1;
	}
	if (cfg->ngroups == 0 &&
	    add_group_num(cfg, DEFAULT_GROUP, err, errlen) == -1)
		return -1;
	/*
	 * A master may also be a slave (a mesh: its NS go to the other
	 * slaves), but a master's NS are never probed back out of it, so
	 * with no other slave nothing would ever be probed.
	 */
	if (config_slaves_all_masters(cfg)) {
		char m[IFSPEC_TEXT], sl[IFSPEC_TEXT];

		set_err(err, errlen,
			"every slave is also a master (-m %s -s %s): a master's own NS are never probed out of it, so nothing would be relayed; give a slave that is not a master",
			ifspec_format(&cfg->masters[0], m),
			ifspec_format(&cfg->slaves[0], sl));
		return -1;
	}
	for (unsigned int i = 0; i < cfg->ntargets; i++) {
		const char *why = target_prefix_problem(&cfg->targets[i],
							cfg->link_local);
		char a[INET6_ADDRSTRLEN];

		if (!why)
			continue;
		inet_ntop(AF_INET6, &cfg->targets[i].addr, a, sizeof(a));
		set_err(err, errlen,
			"target prefix %s/%u is %s: no NS is ever sent for it; give a global unicast prefix",
			a, cfg->targets[i].len, why);
		return -1;
	}
	return 0;
}

/* -g alone: the sets of the rules file say the rest. */
static int check_managed(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->ngroups == 0) {
		set_err(err, errlen,
			"nothing to do: give -m IF -s IF (standalone) or -g GROUP (managed mode)");
		return -1;
	}
	if (cfg->ntargets) {
		set_err(err, errlen,
			"-t is for standalone mode; in managed mode fill the set targets_N");
		return -1;
	}
	/* Each group has its own set: one --bind for all would be a guess. */
	if (cfg->nbinds) {
		set_err(err, errlen,
			"--bind is for standalone mode; in managed mode fill the set bindings_N of each group (nft add element inet ns_monitor bindings_N { \"IF\" . PREFIX })");
		return -1;
	}
	return 0;
}

enum cli_result cli_parse(int argc, char **argv, struct config *cfg, char *err,
			  size_t errlen)
{
	int c, taken;

	config_defaults(cfg);
	err[0] = '\0';
	optind = 0;	/* glibc: full re-initialisation, so tests can re-parse */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:s:g:t:dvhV", long_options,
				NULL)) != -1) {
		taken = table_option(c, cfg, err, errlen);
		if (taken == -1)
			return CLI_ERROR;
		if (taken)
			continue;
		switch (c) {
		case 'm':
			if (add_iflist(&cfg->masters, &cfg->nmasters, optarg,
				       "master", err, errlen) == -1)
				return CLI_ERROR;
			break;
		case 's':
			if (add_iflist(&cfg->slaves, &cfg->nslaves, optarg,
				       "slave", err, errlen) == -1)
				return CLI_ERROR;
			break;
		case 'g':
			if (add_group(cfg, optarg, err, errlen) == -1)
				return CLI_ERROR;
			break;
		case 't':
			if (add_targets(cfg, optarg, err, errlen) == -1)
				return CLI_ERROR;
			break;
		case OPT_BIND:
			if (add_binding(cfg, optarg, err, errlen) == -1)
				return CLI_ERROR;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			return CLI_HELP;
		case 'V':
			return CLI_VERSION;
		case ':':
			set_err(err, errlen, "option '%s' needs an argument",
				argv[optind - 1]);
			return CLI_ERROR;
		default:
			return unknown_option(argv, err, errlen);
		}
	}
	if (optind < argc) {
		set_err(err, errlen, "unexpected argument '%s'", argv[optind]);
		return CLI_ERROR;
	}
	if (cfg->stats_follow_link && !cfg->stats_file) {
		set_err(err, errlen, "--stats-follow-link needs --stats-file PATH");
		return CLI_ERROR;
	}
	cfg->standalone = cfg->nmasters > 0 || cfg->nslaves > 0;
	if ((cfg->standalone ? check_standalone(cfg, err, errlen) :
			       check_managed(cfg, err, errlen)) == -1)
		return CLI_ERROR;
	if (reserved_table_check(cfg, err, errlen) == -1)
		return CLI_ERROR;
	/*
	 * In the foreground the service manager (systemd Type=simple) or the
	 * shell knows the pid; a pidfile only means something for -d, which
	 * alone writes and removes it.
	 */
	if (cfg->pidfile_given && !cfg->daemonize) {
		set_err(err, errlen,
			"--pidfile is written only with --daemon (-d); in the foreground leave it out");
		return CLI_ERROR;
	}
	return CLI_RUN;
}

bool config_slaves_all_masters(const struct config *cfg)
{
	for (unsigned int i = 0; i < cfg->nslaves; i++) {
		bool master = false;

		for (unsigned int j = 0; j < cfg->nmasters; j++)
			master = master || ifspec_equal(&cfg->masters[j],
							&cfg->slaves[i]);
		if (!master)
			return false;
	}
	return cfg->nslaves > 0;
}

bool config_slave_is_master(const struct config *cfg, const char **name)
{
	for (unsigned int i = 0; i < cfg->nslaves; i++)
		for (unsigned int j = 0; j < cfg->nmasters; j++)
			if (ifspec_equal(&cfg->slaves[i], &cfg->masters[j])) {
				*name = cfg->slaves[i].name;
				return true;
			}
	return false;
}
