/*
 * Watching the ns_monitor table through nf_tables netlink (libnftnl over
 * libmnl): change events, and reads of the interface sets and chains.
 */
#ifndef NS_MONITOR_NFTWATCH_H
#define NS_MONITOR_NFTWATCH_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ifname.h"

struct mnl_socket;
struct nlmsghdr;

struct nftwatch {
	struct mnl_socket *events;	/* NFNLGRP_NFTABLES multicast */
	struct mnl_socket *query;	/* request/answer */
	unsigned int query_portid;
	unsigned int seq;
	bool touched;			/* our table changed since the last commit */
	unsigned long overruns;
};

int nftwatch_open(struct nftwatch *w);
void nftwatch_close(struct nftwatch *w);
int nftwatch_fd(const struct nftwatch *w);

/* What one event message means to us (pure: parses with libnftnl). */
enum nftwatch_event {
	NFTWATCH_OTHER,		/* not about our table */
	NFTWATCH_OURS,		/* an object in inet ns_monitor changed */
	NFTWATCH_COMMIT,	/* a transaction ended (NEWGEN) */
};

enum nftwatch_event nftwatch_classify(const struct nlmsghdr *nlh);

/*
 * Drain the event socket. Returns true when a transaction that touched our
 * table has committed, or events were lost (then the caller re-reads all).
 */
bool nftwatch_read(struct nftwatch *w);

/*
 * Read the interface names in set `name` of inet ns_monitor. Returns how
 * many (at most max), or -1 with errno ENOENT when the set or the table is
 * missing. A set of another type reads as empty.
 */
int nftwatch_read_ifset(struct nftwatch *w, const char *name,
			char names[][IF_NAMESIZE], unsigned int max);

#define NFTWATCH_TYPE_IFNAME 41	/* nftables' datatype number of ifname */

/* What a read of an interface set found besides the names. */
struct nftwatch_ifset {
	unsigned int n;			/* names stored, at most max */
	unsigned int members;		/* valid names in the set: may be > max */
	unsigned int invalid;		/* elements skipped: not names */
	enum ifname_key first_reason;	/* ...why the first one was */
	char first_invalid[4 * IF_NAMESIZE + 1];	/* ...and it, printable */
	bool wrong_type;		/* key is not ifname: nothing read */
	uint32_t key_type;
	uint32_t key_len;
};

/* The same, with info filled in. 0, or -1 with errno (ENOENT: missing). */
int nftwatch_read_ifset_info(struct nftwatch *w, const char *name,
			     char names[][IF_NAMESIZE], unsigned int max,
			     struct nftwatch_ifset *info);

/* "ipv6_addr" for a set key's datatype number (buf for unknown ones). */
const char *nftwatch_key_type_name(uint32_t type, char *buf, size_t size);

/* 1 if chain `name` exists in inet ns_monitor, 0 if not, -1 on error. */
int nftwatch_chain_exists(struct nftwatch *w, const char *name);

/*
 * 1 if a rule of chain `chain` in inet ns_monitor logs to NFLOG group
 * `group` (a log expression with that group), 0 if none does (a flushed
 * chain), -1 on error (errno ENOENT: no such chain or table).
 */
int nftwatch_chain_logs_group(struct nftwatch *w, const char *chain,
			      uint16_t group);

#endif
