/*
 * The ruleset read through nf_tables netlink with libnftnl, for the
 * modules that judge it (outfilter_read.c, fwdfilter_read.c): the chains
 * of the ip6 and inet tables but ours, then one chain's rules. What a
 * rule does is the caller's to make out of its expressions.
 */
#ifndef NS_MONITOR_NFTREAD_H
#define NS_MONITOR_NFTREAD_H

#include <stdbool.h>
#include <stdint.h>

struct nlsock;
struct nftnl_rule;

/* A chain as the dump gives it; the strings live for the callback only. */
struct nftread_chain {
	const char *family;	/* "ip6", "inet" */
	const char *table, *name;
	bool hooked;		/* a base chain, on hook */
	uint32_t hook;		/* NF_INET_* */
	int priority;
	bool policy_drop;
};

/* -1: out of memory (the read goes on, and then fails with ENOMEM). */
typedef int (*nftread_chain_cb)(const struct nftread_chain *c, void *data);
typedef int (*nftread_rule_cb)(struct nftnl_rule *r, void *data);

/* Every chain of an ip6 or inet table but ours: 0, or -1 with errno. */
int nftread_chains(struct nlsock *nl, nftread_chain_cb cb, void *data);

/* The rules of one chain (family "ip6" or "inet"): 0, or -1 with errno. */
int nftread_rules(struct nlsock *nl, const char *family, const char *table,
		  const char *chain, nftread_rule_cb cb, void *data);

#endif
