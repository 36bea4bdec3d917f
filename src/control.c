/* The control plane: nftables objects per group, followed live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "log.h"
#include "nftctl.h"

static void group_spec(const struct control *c, unsigned int i,
		       const char **masters, const char **slaves,
		       struct nft_group_spec *spec)
{
	const struct group_state *gs = &c->groups[i];

	for (unsigned int j = 0; j < gs->nmasters; j++)
		masters[j] = gs->masters[j];
	for (unsigned int j = 0; j < gs->nslaves; j++)
		slaves[j] = gs->slaves[j];
	memset(spec, 0, sizeof(*spec));
	spec->group = c->cfg->groups[i];
	spec->masters = masters;
	spec->nmasters = gs->nmasters;
	spec->slaves = slaves;
	spec->nslaves = gs->nslaves;
	spec->targets = c->cfg->targets;
	spec->ntargets = c->cfg->ntargets;
	spec->upstream = c->cfg->proxy_ndp;
}

static void explain_nft_error(const char *what, const char *err)
{
	if (strstr(err, "not supported"))
		log_warnx("%s: %s: this kernel lacks nf_tables; load it (modprobe nf_tables)",
			  what, err);
	else if (strstr(err, "Operation not permitted"))
		log_warnx("%s: %s: run ns-monitor as root or with CAP_NET_ADMIN",
			  what, err);
	else
		log_warnx("%s: %s", what, err);
}

/* Standalone: (re)create group i's objects from what we last knew. */
static int load_group(struct control *c, unsigned int i)
{
	const char *masters[CONFIG_MAX_IFACES], *slaves[CONFIG_MAX_IFACES];
	struct nft_group_spec spec;
	char err[256];

	group_spec(c, i, masters, slaves, &spec);
	if (nftctl_load_group(&spec, err, sizeof(err)) == -1) {
		explain_nft_error("loading the nftables rules", err);
		return -1;
	}
	c->groups[i].loaded = true;
	return 0;
}

/* Managed mode with --rules: load the file, then put back the members. */
static int load_rules_file(struct control *c)
{
	const char *masters[CONFIG_MAX_IFACES], *slaves[CONFIG_MAX_IFACES];
	struct nft_group_spec spec;
	char err[512];

	if (nftctl_load_file(c->cfg->rules, err, sizeof(err)) == -1) {
		explain_nft_error("loading the rules file", err);
		return -1;
	}
	for (unsigned int i = 0; i < c->cfg->ngroups; i++) {
		group_spec(c, i, masters, slaves, &spec);
		if (nftctl_add_elements(&spec, err, sizeof(err)) == -1)
			explain_nft_error("restoring the set members", err);
	}
	return 0;
}

/*
 * Read set `which` ("masters" or "slaves") of group i into names, and say
 * what it holds that the daemon does not use: a key that is not ifname
 * (once per change; nothing is read), elements that are not interface
 * names (rate-limited; skipped), more members than it takes (once per
 * change). The numbers go to the stats file. Returns how many names, or -1.
 */
static int read_ifset(struct control *c, unsigned int i, enum stats_set set,
		      char names[][IF_NAMESIZE])
{
	const char *which = set == STATS_SET_MASTERS ? "masters" : "slaves";
	struct set_report *rep = &c->groups[i].sets[set];
	unsigned int g = c->cfg->groups[i];
	struct group *grp = relay_find_group(c->relay, (uint16_t)g);
	struct nftwatch_ifset info;
	char name[32], tbuf[48];

	snprintf(name, sizeof(name), "%s_%u", which, g);
	if (nftwatch_read_ifset_info(&c->watch, name, names, CONFIG_MAX_IFACES,
				     &info) == -1)
		return -1;
	if (info.wrong_type) {
		if (rep->warned_type != info.key_type + 1)
			log_warnx("group %u: set %s has type %s, it must be type ifname: nothing in it is used; make it again (nft delete set inet " NFT_TABLE " %s, then load the rules again)",
				  g, name,
				  nftwatch_key_type_name(info.key_type, tbuf, sizeof(tbuf)),
				  name);
		rep->warned_type = info.key_type + 1;
	} else {
		rep->warned_type = 0;
	}
	if (info.invalid)
		log_warnx_limited(&c->invalid_warn,
				  "group %u: set %s: %u element(s) skipped, not interface names: \"%s\" is %s",
				  g, name, info.invalid, info.first_invalid,
				  ifname_key_reason(info.first_reason));
	if (info.members > info.n) {
		if (rep->warned_members != info.members)
			log_warnx("group %u: set %s holds %u interfaces; ns-monitor takes only %u (a compile-time limit), the other %u are not used",
				  g, name, info.members, info.n,
				  info.members - info.n);
		rep->warned_members = info.members;
	} else {
		if (rep->warned_members && !info.wrong_type)
			log_info("group %u: set %s holds %u interfaces, all used",
				 g, name, info.members);
		rep->warned_members = 0;
	}
	if (grp) {
		grp->counters.set_invalid[set] = info.invalid;
		grp->counters.set_unused[set] = info.members - info.n;
		grp->counters.set_wrong_type[set] = info.wrong_type;
	}
	return (int)info.n;
}

/* Read group i: 1 if its chain and sets are there, 0 if not, -1 on error. */
static int read_group(struct control *c, unsigned int i)
{
	struct group_state *gs = &c->groups[i];
	unsigned int g = c->cfg->groups[i];
	char name[32];
	int n, m;

	snprintf(name, sizeof(name), "output_%u", g);
	n = nftwatch_chain_exists(&c->watch, name);
	if (n != 1)
		return n;
	/* One at a time: a successful read may clear errno (an ACK sets 0). */
	n = read_ifset(c, i, STATS_SET_SLAVES, gs->slaves);
	if (n == -1)
		return errno == ENOENT ? 0 : -1;
	m = read_ifset(c, i, STATS_SET_MASTERS, gs->masters);
	if (m == -1)
		return errno == ENOENT ? 0 : -1;
	gs->nslaves = (unsigned int)n;
	gs->nmasters = (unsigned int)m;
	return 1;
}

void control_reconcile(struct control *c)
{
	bool reloaded = false;

	for (unsigned int i = 0; i < c->cfg->ngroups; i++) {
		struct group_state *gs = &c->groups[i];
		unsigned int g = c->cfg->groups[i];
		int rc = read_group(c, i);

		if (rc == 0 && c->cfg->standalone) {
			log_warnx("group %u: the nftables rules are gone (firewall reload?); loading them again",
				  g);
			if (load_group(c, i) == 0) {
				c->restores++;
				rc = read_group(c, i);
			}
		} else if (rc == 0 && c->cfg->rules && !reloaded) {
			log_warnx("group %u: the nftables rules are gone (firewall reload?); loading %s again",
				  g, c->cfg->rules);
			reloaded = true;
			if (load_rules_file(c) == 0) {
				c->restores++;
				rc = read_group(c, i);
			}
		}
		if (rc == -1) {
			log_warn("group %u: reading the nftables sets", g);
			continue;
		}
		if (rc == 0) {
			if (!gs->warned_missing)
				log_warnx("group %u: table inet " NFT_TABLE " has no chain output_%u or set slaves_%u: nothing is relayed until it is loaded (nft -f /etc/ns-monitor/ns-monitor.nft, or run with --rules FILE)",
					  g, g, g);
			gs->present = false;
			gs->warned_missing = true;
			continue;
		}
		if (!gs->present)
			log_info("group %u: rules present, %u master(s), %u slave(s)",
				 g, gs->nmasters, gs->nslaves);
		gs->present = true;
		gs->warned_missing = false;
		relay_set_masters(c->relay, (uint16_t)g,
				  (const char (*)[IF_NAMESIZE])gs->masters,
				  gs->nmasters);
		relay_set_slaves(c->relay, (uint16_t)g,
				 (const char (*)[IF_NAMESIZE])gs->slaves,
				 gs->nslaves, monotonic_ns());
	}
}

int control_init(struct control *c, const struct config *cfg,
		 struct relay *relay)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->relay = relay;
	c->invalid_warn = (struct log_limit)LOG_LIMIT_INIT(60, 5);
	c->groups = calloc(cfg->ngroups, sizeof(*c->groups));
	if (!c->groups) {
		log_warn("control set-up");
		return -1;
	}
	if (nftwatch_open(&c->watch) == -1) {
		log_warn("nf_tables netlink socket");
		free(c->groups);
		c->groups = NULL;
		return -1;
	}
	if (cfg->standalone) {
		for (unsigned int i = 0; i < cfg->ngroups; i++) {
			struct group_state *gs = &c->groups[i];

			memcpy(gs->masters, cfg->masters, sizeof(gs->masters));
			gs->nmasters = cfg->nmasters;
			memcpy(gs->slaves, cfg->slaves, sizeof(gs->slaves));
			gs->nslaves = cfg->nslaves;
			if (load_group(c, i) == -1) {
				control_fini(c);
				return -1;
			}
		}
	} else if (cfg->rules) {
		/* Only if a group is missing: a running firewall keeps its sets. */
		for (unsigned int i = 0; i < cfg->ngroups; i++)
			if (read_group(c, i) == 0) {
				if (load_rules_file(c) == -1) {
					control_fini(c);
					return -1;
				}
				break;
			}
	}
	control_reconcile(c);
	return 0;
}

void control_fini(struct control *c)
{
	char err[256];

	for (unsigned int i = 0; c->groups && i < c->cfg->ngroups; i++) {
		if (!c->groups[i].loaded)
			continue;
		if (nftctl_remove_group(c->cfg->groups[i], err, sizeof(err)) == -1)
			log_warnx("removing the nftables objects of group %u: %s",
				  c->cfg->groups[i], err);
		c->groups[i].loaded = false;
	}
	nftwatch_close(&c->watch);
	free(c->groups);
	c->groups = NULL;
}

int control_fd(const struct control *c)
{
	return nftwatch_fd(&c->watch);
}

void control_on_event(struct control *c)
{
	if (nftwatch_read(&c->watch))
		control_reconcile(c);
}
