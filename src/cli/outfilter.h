/*
 * Does the host's firewall drop ns-monitor's echo requests in the output
 * hook? The asks (NS written whole through a packet socket) never pass
 * there; the echo requests (the confirm out of the slave where a target
 * answered, and the ask of a slave without Ethernet or link-local
 * addressing) do, carrying meta mark BASE+G, and a drop there makes
 * sendmsg() fail with EPERM.
 *
 * A heuristic over the nf_tables ruleset, as --check reads it: every base
 * chain on the output hook of an ip6 or inet table (any priority; a drop
 * in any one of them is final, an accept in another does not help), its
 * rules in order, and its policy.
 */
#ifndef NS_MONITOR_OUTFILTER_H
#define NS_MONITOR_OUTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One rule, as far as it matters here. */
enum outfilter_action {
	OUTFILTER_CONTINUE,	/* no verdict, or a jump/goto (not followed) */
	OUTFILTER_ACCEPT,
	OUTFILTER_DROP,		/* drop or reject */
};

struct outfilter_rule {
	enum outfilter_action action;
	bool unconditional;	/* matches every packet: no match expression */
	bool matches_mark;	/* looks at meta mark (nft, or -m mark) */
	bool mark_exact;	/* ...for equality with `mark` alone; else
				   some marks, not known which (a set, a mask) */
	uint32_t mark;
};

struct outfilter_chain {
	char family[8];		/* "ip6", "inet" */
	char table[64];
	char name[64];
	int priority;
	bool policy_drop;
	const struct outfilter_rule *rules;
	size_t nrules;
};

enum outfilter_verdict {
	OUTFILTER_PASSES,	/* nothing drops them here */
	OUTFILTER_ALLOWED,	/* a rule accepts by mark before any drop */
	OUTFILTER_DROPS,	/* policy drop, or an unconditional drop/reject */
};

/*
 * Pure: the chain's verdict on an echo request of ours, which carries
 * `mark` (BASE+G: each group's is judged alone). `why` says which
 * drop ("policy drop", "rule 7: an unconditional drop or reject").
 * Conditional drops are not counted (they may not match an echo request),
 * and an accept that does not look at the mark does not count as allowing
 * the probes (it may not match them): the warning says so.
 */
enum outfilter_verdict outfilter_judge(const struct outfilter_chain *c,
				       uint32_t mark, char *why, size_t whylen);

/*
 * Pure: the nft rule to add (before the drops) for marks BASE+G of the
 * groups: "meta mark 0x6e730087 accept", or "meta mark { ..., ... } accept".
 */
int outfilter_accept_rule(char *buf, size_t size, uint32_t fwmark_base,
			  const uint16_t *groups, unsigned int ngroups);

/* For each output-hook base chain of an ip6 or inet table, but ours. */
typedef void (*outfilter_cb)(const struct outfilter_chain *c, void *data);

/*
 * Read the ruleset through nf_tables netlink (libnftnl) and call cb for
 * each such chain, its rules in order. 0, or -1 with errno.
 */
int outfilter_scan(outfilter_cb cb, void *data);

#endif
