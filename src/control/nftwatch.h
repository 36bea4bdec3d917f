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

#include "binding.h"
#include "ifname.h"
#include "ifspec.h"
#include "nlsock.h"

struct nlmsghdr;

struct nftwatch {
	struct nlsock events;		/* NFNLGRP_NFTABLES multicast */
	struct nlsock query;		/* request/answer */
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

#define NFTWATCH_TYPE_IFNAME 41	/* nftables' datatype number of ifname */

/* What a read of an interface set found besides the specs. */
struct nftwatch_ifset {
	unsigned int invalid;		/* elements skipped: not names/patterns */
	enum ifname_key first_reason;	/* ...why the first one was */
	char first_invalid[8 * IF_NAMESIZE + 4];	/* ...and it, printable */
	bool wrong_type;		/* key is not ifname: nothing read */
	bool interval;			/* flags interval: patterns possible */
	uint32_t key_type;
	uint32_t key_len;
};

/*
 * Read the members of set `name` of inet ns_monitor, names and patterns,
 * into *specs (grown as needed, the caller frees it; *n is set to how
 * many, whatever it was). A set of another type reads as empty, with
 * info->wrong_type. 0, or -1 with errno (ENOENT: the set or table is
 * missing).
 */
int nftwatch_read_ifset_info(struct nftwatch *w, const char *name,
			     struct ifspec **specs, unsigned int *n,
			     struct nftwatch_ifset *info);

/* What a read of bindings_G found besides the bindings. */
struct nftwatch_bindset {
	struct bindset_report rep;	/* elements skipped, the first one */
	bool wrong_type;		/* key is not ifname . ipv6_addr */
	uint32_t key_type;
	uint32_t key_len;
};

/*
 * Read the elements of set `name` (bindings_G) of inet ns_monitor into
 * *b (grown as needed, the caller frees it; *n is set to how many). A set
 * of another type reads as empty, with info->wrong_type. 0, or -1 with
 * errno (ENOENT: the set or table is missing).
 */
int nftwatch_read_bindings(struct nftwatch *w, const char *name,
			   struct engine_binding **b, unsigned int *n,
			   struct nftwatch_bindset *info);

/* "ipv6_addr" for a set key's datatype number (buf for unknown ones). */
const char *nftwatch_key_type_name(uint32_t type, char *buf, size_t size);

/*
 * The handle of table inet ns_monitor: the kernel numbers tables anew each
 * time one is created, so a changed handle means the table was deleted and
 * made again (a firewall reload), even within one transaction. 0, or -1
 * with errno (ENOENT: there is no such table).
 */
int nftwatch_table_handle(struct nftwatch *w, uint64_t *handle);

/*
 * How many objects table inet ns_monitor holds (chains, sets, named or
 * not, stateful objects, flowtables: the kernel's count). 0, or -1 with
 * errno (ENOENT: there is no such table).
 */
int nftwatch_table_use(struct nftwatch *w, uint32_t *use);

/* 1 if chain `name` exists in inet ns_monitor, 0 if not, -1 on error. */
int nftwatch_chain_exists(struct nftwatch *w, const char *name);

/* 1 if set `name` exists in inet ns_monitor, 0 if not, -1 on error. */
int nftwatch_set_exists(struct nftwatch *w, const char *name);

/*
 * 1 if a rule of chain `chain` in inet ns_monitor logs to NFLOG group
 * `group` (a log expression with that group), 0 if none does (a flushed
 * chain), -1 on error (errno ENOENT: no such chain or table).
 */
int nftwatch_chain_logs_group(struct nftwatch *w, const char *chain,
			      uint16_t group);

/*
 * How many rules of chain `chain` in inet ns_monitor repeat an earlier
 * rule of it (the same expressions, counters' values aside): a rules file
 * loaded twice without flushing. n, or -1 on error.
 */
int nftwatch_chain_duplicate_rules(struct nftwatch *w, const char *chain);

struct metrics;

/* Its overruns, one sample of netlink_overruns_total. */
void nftwatch_metrics(const struct nftwatch *w, struct metrics *m);

#endif
