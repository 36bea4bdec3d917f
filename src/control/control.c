/* The control plane: nftables objects per group, followed live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "control.h"
#include "log.h"
#include "metrics.h"
#include "nftctl.h"
#include "hold_xt.h"

/* Group i's members (the membership has every group control has). */
static const struct membership_group *members_of(const struct control *c,
						 unsigned int i)
{
	return membership_group(c->members, c->cfg->groups[i]);
}

static void group_spec(const struct control *c, unsigned int i,
		       struct nft_group_spec *spec)
{
	const struct membership_group *mg = members_of(c, i);

	memset(spec, 0, sizeof(*spec));
	spec->group = c->cfg->groups[i];
	spec->masters = membership_specs(mg, MEMBER_MASTER, &spec->nmasters);
	spec->slaves = membership_specs(mg, MEMBER_SLAVE, &spec->nslaves);
	spec->binds = membership_binds(mg, &spec->nbinds);
	spec->targets = c->cfg->targets;
	spec->ntargets = c->cfg->ntargets;
	spec->upstream = c->cfg->proxy_ndp;
	spec->guests = c->cfg->learn_routes;
	spec->queue = c->cfg->queue;
}

const char *control_nft_advice(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return "run ns-monitor as root or with CAP_NET_ADMIN";
	/* nfnetlink's answer for a subsystem that is not there. */
	case EINVAL:
	case EOPNOTSUPP:
	case EPROTONOSUPPORT:
		return "this kernel lacks nf_tables; load it (modprobe nf_tables)";
	default:
		return NULL;
	}
}

/*
 * nft's message is quoted as it is, never read for its meaning: why
 * nf_tables refused is asked of nf_tables itself, by a read of our table
 * through libnftnl, whose errno says it (an absent table is an answer).
 */
static void explain_nft_error(struct control *c, const char *what,
			      const char *err)
{
	const char *advice = NULL;
	uint64_t handle;

	if (nftwatch_table_handle(&c->watch, &handle) == -1)
		advice = control_nft_advice(errno);
	if (advice)
		log_warnx("%s: %s: %s", what, err, advice);
	else
		log_warnx("%s: %s", what, err);
}

/*
 * The table as we made it (a load of ours): its members are what we last
 * knew, nothing vanished. Every group, as --rules puts back all of them.
 */
static void note_own_table(struct control *c)
{
	uint64_t h;

	if (nftwatch_table_handle(&c->watch, &h) == -1)
		return;
	for (unsigned int i = 0; i < c->cfg->ngroups; i++)
		c->groups[i].table_handle = h;
}

/* Standalone: (re)create group i's objects from what we last knew. */
static int load_group(struct control *c, unsigned int i)
{
	struct nft_group_spec spec;
	char err[256];

	group_spec(c, i, &spec);
	if (nftctl_load_group(&c->watch, &spec, err, sizeof(err)) == 0) {
		c->groups[i].loaded = true;
		note_own_table(c);
		return 0;
	}
	if (!spec.queue) {
		explain_nft_error(c, "loading the nftables rules", err);
		return -1;
	}
	/*
	 * A kernel without nft's queue statement (CONFIG_NFT_QUEUE) refuses
	 * the hold chain's verdict: the rest loads without it, and the
	 * verdict is the xtables NFQUEUE target. Whatever failed first, a
	 * failure now says what.
	 */
	spec.queue_xt = true;
	if (nftctl_load_group(&c->watch, &spec, err, sizeof(err)) == -1) {
		explain_nft_error(c, "loading the nftables rules", err);
		return -1;
	}
	c->groups[i].loaded = true;
	if (hold_xt_add(spec.group, err, sizeof(err)) == -1) {
		log_warnx("--queue: neither nft's queue statement (kernel module nft_queue) nor %s works on this kernel (nft_compat, xt_NFQUEUE): run without --queue",
			  err);
		return -1;
	}
	if (!c->queue_xt_said) {
		log_info("--queue: this kernel lacks nft's queue statement; queueing with the xtables NFQUEUE target (nft will call table inet " NFT_TABLE " managed by iptables-nft)");
		c->queue_xt_said = true;
	}
	note_own_table(c);
	return 0;
}

/*
 * Managed --queue: the hold objects are ours to add where the operator's
 * table lacks them (the shipped file has them commented out, so that it
 * loads on a kernel without nft_queue), with nft's queue statement or the
 * xtables NFQUEUE target, and ours to remove at exit. A table that has
 * them (uncommented) is left as it is.
 */
static void add_hold_objects(struct control *c, unsigned int i)
{
	struct group_state *gs = &c->groups[i];
	uint16_t g = c->cfg->groups[i];
	char buf[4096], name[32], err[256];
	bool xt = false;

	if (!c->cfg->queue || c->cfg->standalone)
		return;
	snprintf(name, sizeof(name), "hold_queue_%u", g);
	if (nftwatch_chain_exists(&c->watch, name) != 0)
		return;		/* there (ours or the operator's), or unknown */
	if (nftctl_queue_commands(buf, sizeof(buf), g, true) < 0)
		return;
	if (nftctl_run(buf, err, sizeof(err)) == -1) {
		/* No nft_queue: the same objects, the verdict by xtables. */
		xt = true;
		if (nftctl_queue_commands(buf, sizeof(buf), g, false) < 0 ||
		    nftctl_run(buf, err, sizeof(err)) == -1 ||
		    hold_xt_add(g, err, sizeof(err)) == -1) {
			if (!gs->hold_failed)
				log_warnx("group %u: --queue: adding the hold chains: %s: nothing is held",
					  g, err);
			gs->hold_failed = true;
			if (nftctl_hold_delete_commands(buf, sizeof(buf), g) > 0)
				nftctl_run(buf, err, sizeof(err));
			return;
		}
	}
	gs->hold_added = true;
	gs->hold_failed = false;
	log_info("group %u: --queue: added the hold chains to table inet " NFT_TABLE " (%s)",
		 g, xt ? "the xtables NFQUEUE target: this kernel lacks nft's queue statement" :
			 "nft's queue statement");
	c->hold_adds++;	/* onlink_G is new: to be filled */
}

static void remove_hold_objects(struct control *c, unsigned int i)
{
	char buf[512], err[256];

	if (!c->groups[i].hold_added)
		return;
	c->groups[i].hold_added = false;
	if (nftctl_hold_delete_commands(buf, sizeof(buf), c->cfg->groups[i]) > 0 &&
	    nftctl_run(buf, err, sizeof(err)) == -1)
		log_warnx("group %u: removing the hold chains: %s",
			  c->cfg->groups[i], err);
}

/* Managed mode with --rules: load the file, then put back the members. */
static int load_rules_file(struct control *c)
{
	struct nft_group_spec spec;
	char err[512];

	if (nftctl_load_file(c->cfg->rules, err, sizeof(err)) == -1) {
		explain_nft_error(c, "loading the rules file", err);
		return -1;
	}
	for (unsigned int i = 0; i < c->cfg->ngroups; i++) {
		char name[32];

		group_spec(c, i, &spec);
		/* An older file has no bindings_G: adding to it would fail all. */
		snprintf(name, sizeof(name), "bindings_%u", spec.group);
		if (spec.nbinds && nftwatch_set_exists(&c->watch, name) != 1)
			spec.nbinds = 0;
		if (nftctl_add_elements(&spec, err, sizeof(err)) == -1)
			explain_nft_error(c, "restoring the set members", err);
	}
	note_own_table(c);
	return 0;
}

/*
 * Read set `which` ("masters" or "slaves") of group i into *specs (names
 * and patterns, grown as needed), and say what it holds that the daemon
 * does not use: a key that is not ifname (once per change; nothing is
 * read), elements that are neither names nor patterns such as "veth*"
 * (rate-limited; skipped). The numbers go to the stats file. Returns how
 * many specs, or -1.
 */
static int read_ifset(struct control *c, unsigned int i, enum stats_set set,
		      struct ifspec **specs)
{
	const char *which = set == STATS_SET_MASTERS ? "masters" : "slaves";
	struct set_report *rep = &c->groups[i].sets[set];
	unsigned int g = c->cfg->groups[i];
	struct nftwatch_ifset info;
	char name[32], tbuf[48];
	unsigned int n = 0;

	snprintf(name, sizeof(name), "%s_%u", which, g);
	if (nftwatch_read_ifset_info(&c->watch, name, specs, &n, &info) == -1)
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
				  "group %u: set %s: %u element(s) skipped, not interface names or patterns such as \"veth*\": \"%s\" is %s",
				  g, name, info.invalid, info.first_invalid,
				  ifname_key_reason(info.first_reason));
	rep->invalid = info.invalid;
	rep->wrong_type = info.wrong_type;
	return (int)n;
}

/*
 * Read group i's bindings_G into *b, and say what is wrong with it: a set
 * that is missing (a rules file from before bindings: no bindings, said
 * once), a key that is not ifname . ipv6_addr (once per change; nothing
 * is read), elements that are no bindings (rate-limited; skipped).
 * Returns how many, or -1 (errno).
 */
static int read_bindings(struct control *c, unsigned int i,
			 struct engine_binding **b)
{
	struct group_state *gs = &c->groups[i];
	unsigned int g = c->cfg->groups[i];
	struct nftwatch_bindset info;
	char name[32], tbuf[48];
	unsigned int n = 0;

	snprintf(name, sizeof(name), "bindings_%u", g);
	if (nftwatch_read_bindings(&c->watch, name, b, &n, &info) == -1) {
		if (errno != ENOENT)
			return -1;
		if (!gs->binds_said_missing)
			log_info("group %u: no set bindings_%u (rules from before bindings): no addresses are bound to slaves; to bind some, add the set (see ns-monitor.nft) and its elements",
				 g, g);
		gs->binds_said_missing = true;
		gs->binds_present = false;
		return 0;
	}
	gs->binds_said_missing = false;
	gs->binds_present = true;
	if (info.wrong_type) {
		if (gs->binds_warned_type != info.key_type + 1)
			log_warnx("group %u: set %s has type %s, it must be type ifname . ipv6_addr with flags interval: no bindings are used; ns-monitor --check says how to fix it",
				  g, name,
				  nftwatch_key_type_name(info.key_type, tbuf, sizeof(tbuf)));
		gs->binds_warned_type = info.key_type + 1;
	} else {
		gs->binds_warned_type = 0;
	}
	if (info.rep.invalid)
		log_warnx_limited(&c->binds_warn,
				  "group %u: set %s: %u element(s) skipped, not an interface name or pattern and addresses: \"%s\" is %s",
				  g, name, info.rep.invalid, info.rep.first_invalid,
				  binding_elem_reason(info.rep.first_reason));
	return (int)n;
}

/*
 * Append item to the list in buf (len used so far), ", " between items;
 * room for ", ..." is kept, so a list that does not fit says it goes on,
 * and *cut stops it there.
 */
static void list_append(char *buf, size_t size, size_t *len, bool *cut,
			const char *item)
{
	int w;

	if (*cut || !size)
		return;
	w = snprintf(buf + *len, size - *len, "%s%s", *len ? ", " : "", item);
	if (w < 0 || (size_t)w + 6 > size - *len) {
		buf[*len] = '\0';
		snprintf(buf + *len, size - *len, "%s...", *len ? ", " : "");
		*cut = true;
		return;
	}
	*len += (size_t)w;
}

/*
 * The bindings of old[] that are not in new[] (pure), written into buf as
 * nft writes them, cut with "..." if buf is too small. Returns how many.
 */
static unsigned int bindings_vanished(const struct engine_binding *old,
				      unsigned int nold,
				      const struct engine_binding *new,
				      unsigned int nnew, char *buf, size_t size)
{
	char text[BINDING_NFT_TEXT];
	unsigned int n = 0;
	size_t len = 0;
	bool cut = false;

	if (size)
		buf[0] = '\0';
	for (unsigned int i = 0; i < nold; i++) {
		bool kept = false;

		for (unsigned int j = 0; j < nnew && !kept; j++)
			kept = binding_equal(&old[i], &new[j]);
		if (kept)
			continue;
		n++;
		list_append(buf, size, &len, &cut,
			    binding_nft_element(&old[i], text));
	}
	return n;
}

unsigned int control_vanished(const struct ifspec *old, unsigned int nold,
			      const struct ifspec *new, unsigned int nnew,
			      char *buf, size_t size)
{
	char text[IFSPEC_TEXT], quoted[IFSPEC_TEXT + 2];
	unsigned int n = 0;
	size_t len = 0;
	bool cut = false;

	if (size)
		buf[0] = '\0';
	for (unsigned int i = 0; i < nold; i++) {
		bool kept = false;

		for (unsigned int j = 0; j < nnew && !kept; j++)
			kept = ifspec_equal(&old[i], &new[j]);
		if (kept)
			continue;
		n++;
		snprintf(quoted, sizeof(quoted), "\"%s\"",
			 ifspec_format(&old[i], text));
		list_append(buf, size, &len, &cut, quoted);
	}
	return n;
}

static int copy_specs(struct ifspec **dst, unsigned int *n,
		      const struct ifspec *src, unsigned int nsrc);

/* What group i's sets held when they were last read whole. */
struct members {
	struct ifspec *masters, *slaves;
	unsigned int nmasters, nslaves;
	struct engine_binding *binds;
	unsigned int nbinds;
};

static void members_free(struct members *m)
{
	free(m->masters);
	free(m->slaves);
	free(m->binds);
	memset(m, 0, sizeof(*m));
}

static int copy_binds(struct engine_binding **dst, unsigned int *n,
		      const struct engine_binding *src, unsigned int nsrc)
{
	*n = 0;
	for (unsigned int i = 0; i < nsrc; i++)
		if (binding_add(dst, n, &src[i]) == -1)
			return -1;
	return 0;
}

/*
 * The table was made anew under us (its handle changed) and group i's
 * sets are read again: say which members vanished, and with
 * --restore-members (or in standalone mode, where the sets are ours) add
 * them back to a set that came back empty. A set that still holds
 * something is the file's choice, and left as it is. Returns 1 if members
 * were added (read the group again), 0 if not.
 */
/* "a", "a and b", "a, b and c": the names of the sets refilled. */
static void join_names(char *buf, size_t size, const char *const *names,
		       unsigned int n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s",
				 i == 0 ? "" : i + 1 == n ? " and " : ", ",
				 names[i]);

		if (w < 0)
			return;
		len += (size_t)w;
	}
}

static int members_vanished(struct control *c, unsigned int i,
			    const struct members *old)
{
	struct group_state *gs = &c->groups[i];
	const struct membership_group *mg = members_of(c, i);
	unsigned int g = c->cfg->groups[i];
	bool restore = c->cfg->restore_members || c->cfg->standalone;
	char lost_m[512], lost_s[512], lost_b[1024], lost[2200], err[256];
	char mname[24], sname[24], bname[24], to[80];
	const char *refilled[3];
	unsigned int nm, ns, nb, nrefilled = 0, nmasters, nslaves;
	const struct ifspec *masters, *slaves;
	struct nft_group_spec spec;
	size_t len = 0;
	bool kept;

	masters = membership_specs(mg, MEMBER_MASTER, &nmasters);
	slaves = membership_specs(mg, MEMBER_SLAVE, &nslaves);
	nm = control_vanished(old->masters, old->nmasters, masters, nmasters,
			      lost_m, sizeof(lost_m));
	ns = control_vanished(old->slaves, old->nslaves, slaves, nslaves,
			      lost_s, sizeof(lost_s));
	nb = bindings_vanished(old->binds, old->nbinds, gs->fresh,
			       gs->nfresh, lost_b, sizeof(lost_b));
	if (!nm && !ns && !nb)
		return 0;
	snprintf(mname, sizeof(mname), "masters_%u", g);
	snprintf(sname, sizeof(sname), "slaves_%u", g);
	snprintf(bname, sizeof(bname), "bindings_%u", g);
	lost[0] = '\0';
	if (nm)
		len += (size_t)snprintf(lost, sizeof(lost), "%s lost %s", mname,
					lost_m);
	if (ns && len < sizeof(lost))
		len += (size_t)snprintf(lost + len, sizeof(lost) - len,
					"%s%s lost %s", len ? "; " : "", sname,
					lost_s);
	if (nb && len < sizeof(lost))
		snprintf(lost + len, sizeof(lost) - len, "%s%s lost %s",
			 len ? "; " : "", bname, lost_b);
	memset(&spec, 0, sizeof(spec));
	spec.group = (uint16_t)g;
	if (restore && nm && nmasters == 0) {
		spec.masters = old->masters;
		spec.nmasters = old->nmasters;
		refilled[nrefilled++] = mname;
	}
	if (restore && ns && nslaves == 0) {
		spec.slaves = old->slaves;
		spec.nslaves = old->nslaves;
		refilled[nrefilled++] = sname;
	}
	/* A file from before bindings has no set to put them back into. */
	if (restore && nb && gs->nfresh == 0 && gs->binds_present) {
		spec.binds = old->binds;
		spec.nbinds = old->nbinds;
		refilled[nrefilled++] = bname;
	}
	if (!nrefilled) {
		/* The members lost make the first line long: the advice is another. */
		log_warnx("group %u: table inet " NFT_TABLE " was created anew (firewall reload?); set members gone: %s",
			  g, lost);
		log_warnx("group %u: those members are not relayed; to keep them, put them in the rules file (elements = { ... })%s",
			  g, restore ? " (only an empty set is refilled)" :
			  ", or run with --restore-members");
		return 0;
	}
	if (nftctl_add_elements(&spec, err, sizeof(err)) == -1) {
		explain_nft_error(c, "adding the vanished set members again", err);
		return 0;
	}
	kept = (nm && !spec.nmasters) || (ns && !spec.nslaves) ||
	       (nb && !spec.nbinds);
	join_names(to, sizeof(to), refilled, nrefilled);
	log_warnx("group %u: table " NFT_TABLE " was created anew (firewall reload?); set members gone: %s; added them again to %s, which came back empty%s",
		  g, lost, to, kept ? " (a set with members of its own is left)" : "");
	return 1;
}

static void drop_fresh(struct group_state *gs)
{
	free(gs->fresh);
	gs->fresh = NULL;
	gs->nfresh = 0;
}

static bool binding_in(const struct engine_binding *b,
		       const struct engine_binding *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (binding_equal(b, &v[i]))
			return true;
	return false;
}

/* Those of a[] not in b[], each said: "added" or "removed". */
static void say_bindings(const struct control *c, unsigned int num,
			 const struct engine_binding *a, unsigned int na,
			 const struct engine_binding *b, unsigned int nb,
			 const char *what)
{
	char text[BINDING_TEXT];

	for (unsigned int i = 0; i < na; i++) {
		if (binding_in(&a[i], b, nb))
			continue;
		if (c->started)
			log_info("group %u: binding %s %s", num,
				 binding_format(&a[i], text), what);
		else
			log_debug("group %u: binding %s %s", num,
				  binding_format(&a[i], text), what);
	}
}

void control_tell_bindings(struct control *c, unsigned int i, uint64_t now)
{
	struct group_state *gs = &c->groups[i];
	uint16_t g = c->cfg->groups[i];
	const struct engine_binding *had = NULL;
	unsigned int nhad = 0;
	bool same;

	/* Nothing told yet: the engine has none. */
	if (gs->binds_told)
		had = membership_binds(members_of(c, i), &nhad);
	same = gs->nfresh == nhad;
	for (unsigned int j = 0; same && j < gs->nfresh; j++)
		same = binding_in(&gs->fresh[j], had, nhad);
	if (!same) {
		if (c->ev.bindings &&
		    c->ev.bindings(c->ev.ctx, g, gs->fresh, gs->nfresh,
				   now) == -1) {
			log_warn("group %u: the bindings", g);
			drop_fresh(gs);
			return;
		}
		say_bindings(c, g, had, nhad, gs->fresh, gs->nfresh, "removed");
		say_bindings(c, g, gs->fresh, gs->nfresh, had, nhad, "added");
	}
	membership_take_binds(c->members, g, gs->fresh, gs->nfresh);
	gs->fresh = NULL;
	gs->nfresh = 0;
	gs->binds_told = true;
}

/* Read group i: 1 if its chain and sets are there, 0 if not, -1 on error. */
static int read_group(struct control *c, unsigned int i)
{
	struct group_state *gs = &c->groups[i];
	struct ifspec *slaves = NULL, *masters = NULL;
	struct engine_binding *binds = NULL;
	unsigned int g = c->cfg->groups[i];
	char name[32];
	int n, m, b = 0, rc = 1;

	snprintf(name, sizeof(name), "output_%u", g);
	n = nftwatch_chain_exists(&c->watch, name);
	if (n != 1)
		return n;
	/*
	 * One at a time: a successful read may clear errno (an ACK sets 0).
	 * Into new arrays: what was last seen stays whole until both are read.
	 */
	n = read_ifset(c, i, STATS_SET_SLAVES, &slaves);
	m = n == -1 ? -1 : read_ifset(c, i, STATS_SET_MASTERS, &masters);
	if (n == -1 || m == -1) {
		rc = errno == ENOENT ? 0 : -1;
		free(slaves);
		free(masters);
		return rc;
	}
	/* Optional: a missing bindings_G reads as none. */
	b = read_bindings(c, i, &binds);
	if (b == -1) {
		free(slaves);
		free(masters);
		free(binds);
		return -1;
	}
	membership_take(c->members, (uint16_t)g, MEMBER_SLAVE, slaves,
			(unsigned int)n);
	membership_take(c->members, (uint16_t)g, MEMBER_MASTER, masters,
			(unsigned int)m);
	/* The engine is told at the end of the reconcile (control_tell_bindings). */
	drop_fresh(gs);
	gs->fresh = binds;
	gs->nfresh = (unsigned int)b;
	return 1;
}

/*
 * Group i as the kernel has it: GROUP_OK, GROUP_MISSING (no chain or sets),
 * GROUP_NO_RULE (the chain is there but nothing in it logs to group G: a
 * "flush chain" or "flush table" leaves it so), or GROUP_ERROR.
 */
enum group_health { GROUP_ERROR = -1, GROUP_MISSING, GROUP_OK, GROUP_NO_RULE };

static enum group_health group_health(struct control *c, unsigned int i)
{
	unsigned int g = c->cfg->groups[i];
	char name[32];
	int rc = read_group(c, i);

	if (rc != 1)
		return rc == 0 ? GROUP_MISSING : GROUP_ERROR;
	snprintf(name, sizeof(name), "output_%u", g);
	rc = nftwatch_chain_logs_group(&c->watch, name, (uint16_t)g);
	if (rc == -1)
		return errno == ENOENT ? GROUP_MISSING : GROUP_ERROR;
	return rc == 1 ? GROUP_OK : GROUP_NO_RULE;
}

unsigned int control_backoff(unsigned int prev)
{
	if (prev == 0)
		return 1;
	return prev >= RELOAD_DELAY_MAX / 2 ? RELOAD_DELAY_MAX : prev * 2;
}

/* Say why a reload of the --rules file did not repair group g. */
static void explain_reload_failure(struct control *c, unsigned int g)
{
	const char *file = c->cfg->rules;
	char why[512];

	if (nftctl_check_file(file, why, sizeof(why)) == -1)
		log_warnx("group %u: %s does not load (%s): fix it; trying again in %u s",
			  g, file, why, c->reload_delay);
	else if (nftctl_file_lacks(file, (uint16_t)g, why, sizeof(why)) == 1)
		log_warnx("group %u: %s defines no %s: add group %u's objects to it (see ns-monitor.nft); trying again in %u s",
			  g, file, why, g, c->reload_delay);
	else
		log_warnx("group %u: loading %s did not bring back chain output_%u with its rule logging to group %u; trying again in %u s",
			  g, file, g, g, c->reload_delay);
}

/*
 * Managed mode with --rules: load the file again, unless an earlier reload
 * that did not repair the group is still backing off (1 s, doubling to 60 s).
 * Without the back-off, a file that lacks the group makes every reload's own
 * events ask for the next one, dozens of times a second.
 */
static enum group_health reload_rules(struct control *c, unsigned int i,
				      enum group_health rc)
{
	unsigned int g = c->cfg->groups[i];
	uint64_t now = monotonic_ns();

	if (c->reload_after && now < c->reload_after)
		return rc;	/* control_on_timer() comes back then */
	if (rc == GROUP_MISSING)
		log_warnx("group %u: the nftables rules are gone (firewall reload?); loading %s again",
			  g, c->cfg->rules);
	else
		log_warnx("group %u: chain output_%u has no rule logging to group %u (nft flush chain or flush table?); loading %s again",
			  g, g, g, c->cfg->rules);
	if (load_rules_file(c) == 0) {
		c->restores++;
		rc = group_health(c, i);
	}
	if (rc == GROUP_OK) {
		c->reload_delay = 0;
		c->reload_after = 0;
		return rc;
	}
	c->reload_delay = control_backoff(c->reload_delay);
	c->reload_after = now + (uint64_t)c->reload_delay * 1000000000ull;
	explain_reload_failure(c, g);
	return rc;
}

void control_reconcile(struct control *c)
{
	bool reloaded = false, all_ok = true;
	uint64_t handle = 0;
	int handle_rc = nftwatch_table_handle(&c->watch, &handle);

	for (unsigned int i = 0; i < c->cfg->ngroups; i++) {
		struct group_state *gs = &c->groups[i];
		const struct membership_group *mg = members_of(c, i);
		unsigned int g = c->cfg->groups[i], nmasters, nslaves, nbinds;
		const struct ifspec *masters, *slaves;
		const struct engine_binding *binds;
		unsigned long restores = c->restores;
		struct members old = { NULL, NULL, 0, 0, NULL, 0 };
		bool recreated = handle_rc == 0 && gs->table_handle &&
				 handle != gs->table_handle;
		enum group_health rc;

		/* What the sets held before the table was made anew. */
		masters = membership_specs(mg, MEMBER_MASTER, &nmasters);
		slaves = membership_specs(mg, MEMBER_SLAVE, &nslaves);
		binds = membership_binds(mg, &nbinds);
		if (recreated &&
		    (copy_specs(&old.masters, &old.nmasters, masters,
				nmasters) == -1 ||
		     copy_specs(&old.slaves, &old.nslaves, slaves,
				nslaves) == -1 ||
		     copy_binds(&old.binds, &old.nbinds, binds,
				nbinds) == -1)) {
			log_warn("group %u: keeping the set members seen last", g);
			members_free(&old);
			recreated = false;
		}
		rc = group_health(c, i);

		if ((rc == GROUP_MISSING || rc == GROUP_NO_RULE) &&
		    c->cfg->standalone) {
			if (rc == GROUP_MISSING)
				log_warnx("group %u: the nftables rules are gone (firewall reload?); loading them again",
					  g);
			else
				log_warnx("group %u: chain output_%u has no rule logging to group %u (nft flush chain or flush table?); loading the group's objects again",
					  g, g, g);
			if (load_group(c, i) == 0) {
				c->restores++;
				rc = group_health(c, i);
			}
		} else if ((rc == GROUP_MISSING || rc == GROUP_NO_RULE) &&
			   c->cfg->rules && !reloaded) {
			reloaded = true;
			rc = reload_rules(c, i, rc);
		}
		/* Loaded by us: what it holds is what we knew. */
		if (c->restores != restores)
			recreated = false;
		if (rc == GROUP_OK && recreated &&
		    members_vanished(c, i, &old) == 1)
			rc = group_health(c, i);
		members_free(&old);
		if (rc == GROUP_OK && c->restores == restores && handle_rc == 0)
			gs->table_handle = handle;
		if (rc != GROUP_OK) {
			all_ok = false;
			drop_fresh(gs);		/* not told: read again next time */
		}
		if (rc == GROUP_ERROR) {
			log_warn("group %u: reading the nftables sets", g);
			continue;
		}
		if (rc == GROUP_MISSING) {
			if (!gs->warned_missing)
				log_warnx("group %u: table inet " NFT_TABLE " has no chain output_%u or set slaves_%u: nothing is relayed until it is loaded (nft -f /etc/ns-monitor/ns-monitor.nft, or run with --rules FILE)",
					  g, g, g);
			gs->present = false;
			gs->warned_missing = true;
			continue;
		}
		if (rc == GROUP_NO_RULE) {
			if (!gs->warned_no_rule)
				log_warnx("group %u: chain output_%u has no rule logging to group %u (flushed?): nothing is relayed until the rules are loaded again (or run with --rules FILE)",
					  g, g, g);
			gs->present = false;
			gs->warned_no_rule = true;
			continue;
		}
		(void)membership_specs(mg, MEMBER_MASTER, &nmasters);
		(void)membership_specs(mg, MEMBER_SLAVE, &nslaves);
		if (!gs->present)
			log_info("group %u: rules present, %u master(s), %u slave(s)",
				 g, nmasters, nslaves);
		/* Empty sets relay nothing: said once each time they become so. */
		if ((!gs->present || gs->had_members) &&
		    (!nmasters || !nslaves))
			log_warnx("group %u: set %s_%u is empty: nothing is relayed until it has a member (nft add element inet " NFT_TABLE " %s_%u { \"IF\" })",
				  g, !nmasters ? "masters" : "slaves", g,
				  !nmasters ? "masters" : "slaves", g);
		gs->had_members = nmasters && nslaves;
		gs->present = true;
		gs->warned_missing = false;
		gs->warned_no_rule = false;
		add_hold_objects(c, i);
		/* First: a slave never runs a moment without its bindings. */
		control_tell_bindings(c, i, monotonic_ns());
		slaves_set_masters(c->slaves, (uint16_t)g, monotonic_ns());
		slaves_set_slaves(c->slaves, (uint16_t)g, monotonic_ns());
	}
	/* Repaired, by a reload or by hand: the next failure starts at 1 s. */
	if (all_ok) {
		c->reload_delay = 0;
		c->reload_after = 0;
	}
}

uint64_t control_next_deadline(const struct control *c)
{
	return c->reload_after;
}

void control_on_timer(struct control *c, uint64_t now)
{
	if (c->reload_after && c->reload_after <= now)
		control_reconcile(c);
}

/*
 * --rules at start: refuse a file that does not load, or that would not
 * bring back a served group's objects, rather than find out at the first
 * firewall reload.
 */
static int rules_file_check(const struct config *cfg)
{
	char why[512];

	if (nftctl_check_file(cfg->rules, why, sizeof(why)) == -1) {
		log_warnx("--rules %s does not load: %s: fix it (nft -c -f %s shows the problem)",
			  cfg->rules, why, cfg->rules);
		return -1;
	}
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		int n = nftctl_file_lacks(cfg->rules, cfg->groups[i], why,
					  sizeof(why));

		if (n == -1) {
			log_warnx("--rules %s: %s", cfg->rules, why);
			return -1;
		}
		if (n == 1) {
			log_warnx("--rules %s defines no %s: it could not restore group %u after a firewall reload; add the group's objects to it (see ns-monitor.nft)",
				  cfg->rules, why, cfg->groups[i]);
			return -1;
		}
	}
	return 0;
}

static int copy_specs(struct ifspec **dst, unsigned int *n,
		      const struct ifspec *src, unsigned int nsrc)
{
	*n = 0;
	for (unsigned int i = 0; i < nsrc; i++)
		if (ifspec_add(dst, n, &src[i]) == -1)
			return -1;
	return 0;
}

int control_init(struct control *c, const struct config *cfg,
		 struct membership *members, struct slaves *slaves,
		 const struct control_events *ev)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->members = members;
	c->slaves = slaves;
	c->ev = *ev;
	c->invalid_warn = (struct log_limit)LOG_LIMIT_INIT(60, 5);
	c->binds_warn = (struct log_limit)LOG_LIMIT_INIT(60, 5);
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
			struct engine_binding *binds = NULL;
			unsigned int nbinds = 0;

			/* The membership holds -m and -s already; --bind too. */
			if (copy_binds(&binds, &nbinds, cfg->binds,
				       cfg->nbinds) == -1) {
				free(binds);
				log_warn("control set-up");
				control_fini(c);
				return -1;
			}
			membership_take_binds(members, cfg->groups[i], binds,
					      nbinds);
			if (load_group(c, i) == -1) {
				control_fini(c);
				return -1;
			}
		}
	} else if (cfg->rules) {
		if (rules_file_check(cfg) == -1) {
			control_fini(c);
			return -1;
		}
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
		remove_hold_objects(c, i);
		if (!c->groups[i].loaded)
			continue;
		if (nftctl_remove_group(&c->watch, c->cfg->groups[i], err,
					sizeof(err)) == -1)
			log_warnx("removing the nftables objects of group %u: %s",
				  c->cfg->groups[i], err);
		c->groups[i].loaded = false;
	}
	nftwatch_close(&c->watch);
	for (unsigned int i = 0; c->groups && i < c->cfg->ngroups; i++)
		drop_fresh(&c->groups[i]);
	free(c->groups);
	c->groups = NULL;
}

void control_log_start(struct control *c)
{
	c->started = true;
}

unsigned long control_onlink_made(const struct control *c)
{
	return c->restores + c->hold_adds;
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

static const char *const set_names[STATS_SETS] = {
	[STATS_SET_MASTERS] = "masters",
	[STATS_SET_SLAVES] = "slaves",
};

void control_metrics(const struct control *c, struct metrics *m)
{
	unsigned int ngroups = c->groups && c->cfg ? c->cfg->ngroups : 0;

	metrics_family(m, "set_members_ignored", METRIC_GAUGE,
	       "Members of masters_G and slaves_G not used: not interface names or patterns (reason over_limit stays 0: the sets have no size limit any more).");
	for (unsigned int i = 0; i < ngroups; i++)
		for (int s = 0; s < STATS_SETS; s++) {
			const struct set_report *rep = &c->groups[i].sets[s];

			metrics_sample(m, "set_members_ignored", rep->invalid,
				       "group=\"%u\",set=\"%s\",reason=\"invalid\"",
				       c->cfg->groups[i], set_names[s]);
			/* No size limit any more: kept, 0, for dashboards. */
			metrics_sample(m, "set_members_ignored", 0,
				       "group=\"%u\",set=\"%s\",reason=\"over_limit\"",
				       c->cfg->groups[i], set_names[s]);
		}
	metrics_family(m, "set_wrong_type", METRIC_GAUGE,
	       "1 if masters_G or slaves_G is not of type ifname: nothing in it is used.");
	for (unsigned int i = 0; i < ngroups; i++)
		for (int s = 0; s < STATS_SETS; s++)
			metrics_sample(m, "set_wrong_type",
				       c->groups[i].sets[s].wrong_type,
				       "group=\"%u\",set=\"%s\"", c->cfg->groups[i],
				       set_names[s]);
	metrics_counter(m, "rules_restored_total",
			"Times our nftables objects were put back after they vanished (standalone mode, or managed mode with --rules).",
			c->restores);
}
