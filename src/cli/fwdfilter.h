/*
 * Does the host's firewall drop what the upstream forwards to a guest?
 * With --proxy-ndp the upstream's packets for a learned target come in on
 * a master and leave by a slave: they pass every forward-hook base chain
 * of the ip6 and inet tables. Docker with "ip6tables": true sets the
 * FORWARD policy of table ip6 filter (ip6tables-nft) to DROP, and only
 * its own chains' accepts for published ports, or replies, let anything
 * through to the containers.
 *
 * A heuristic over the nf_tables ruleset, as outfilter.h's: each rule is
 * reduced to its interface matches (iifname, oifname, iif, oif, and
 * ip6tables' -i/-o), whether it matches anything else, and its verdict.
 * Jumps and gotos into chains of the same table are followed when they
 * are taken for every packet of the direction.
 */
#ifndef NS_MONITOR_FWDFILTER_H
#define NS_MONITOR_FWDFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "ifspec.h"

enum fwdfilter_action {
	FWD_CONTINUE,		/* no verdict (counter, log, a set mark...) */
	FWD_ACCEPT,
	FWD_DROP,		/* drop or reject */
	FWD_JUMP,
	FWD_GOTO,
	FWD_RETURN,
};

enum fwdfilter_ifop {
	FWD_IF_ANY,		/* no match on this interface */
	FWD_IF_EQ,		/* iifname "eth0", -i br-+ */
	FWD_IF_NE,		/* ! -o docker0 */
};

struct fwdfilter_ifmatch {
	enum fwdfilter_ifop op;
	struct ifspec spec;
};

struct fwdfilter_rule {
	enum fwdfilter_action action;
	struct fwdfilter_ifmatch iif, oif;
	bool other;		/* matches on anything else: some packets only */
	char target[64];	/* FWD_JUMP, FWD_GOTO: the chain */
};

struct fwdfilter_chain {
	char family[8];		/* "ip6", "inet" */
	char table[64];
	char name[64];
	bool base;		/* a base chain on the forward hook */
	int priority;
	bool policy_drop;
	const struct fwdfilter_rule *rules;
	size_t nrules;
};

enum fwdfilter_verdict {
	FWD_PASSES,		/* nothing drops the direction here */
	FWD_ALLOWED,		/* an accept for the direction before any drop */
	FWD_DROPS,		/* policy drop, or a drop/reject for every packet */
};

/*
 * Pure: base chain chains[base]'s verdict on packets forwarded from
 * master to slave (names or patterns; a pattern counts only where a rule
 * covers every name of it). chains holds every chain of the base chain's
 * table, for jumps. `why` says which drop: "it has policy drop", "its
 * rule 3 drops...", "chain DOCKER-ISOLATION-STAGE-2's rule 1 drops...".
 * A drop or accept that matches something more than the interfaces is
 * not counted: it may or may not take the upstream's packets.
 */
enum fwdfilter_verdict fwdfilter_judge(const struct fwdfilter_chain *chains,
				       size_t nchains, size_t base,
				       const struct ifspec *master,
				       const struct ifspec *slave,
				       char *why, size_t whylen);

/*
 * Pure: the accept to add, for nft ("iifname \"eth0\" oifname \"br-*\"
 * accept") and for ip6tables ("-i eth0 -o br-+ -j ACCEPT").
 */
void fwdfilter_accept_rule(const struct ifspec *master,
			   const struct ifspec *slave,
			   char *nft, size_t nftlen, char *ipt, size_t iptlen);

/* The first master->slave pair a base chain drops, and how many it drops. */
struct fwdfilter_finding {
	const struct ifspec *master, *slave;
	unsigned int pairs;
	char why[160];
};

/*
 * Pure: judge every pair of masters and slaves in base chain
 * chains[base]; true if one is dropped (f says which and why).
 */
bool fwdfilter_judge_pairs(const struct fwdfilter_chain *chains,
			   size_t nchains, size_t base,
			   const struct ifspec *masters, unsigned int nmasters,
			   const struct ifspec *slaves, unsigned int nslaves,
			   struct fwdfilter_finding *f);

/*
 * Pure: what to add, in nft's words and, for an ip6 table (ip6tables-nft
 * makes those), in ip6tables' (into DOCKER-USER when the table has it:
 * Docker puts its jump first in FORWARD, and keeps the chain's rules).
 */
void fwdfilter_advice(const struct fwdfilter_chain *chains, size_t nchains,
		      size_t base, const struct fwdfilter_finding *f,
		      char *buf, size_t len);

/* For each forward-hook base chain of an ip6 or inet table. */
typedef void (*fwdfilter_cb)(const struct fwdfilter_chain *chains,
			     size_t nchains, size_t base, void *data);

/*
 * Read the ruleset through nf_tables netlink (libnftnl) and call cb for
 * each forward-hook base chain, with every chain of its table. 0, or -1
 * with errno.
 */
int fwdfilter_scan(fwdfilter_cb cb, void *data);

#endif
