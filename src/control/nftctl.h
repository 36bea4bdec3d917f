/*
 * nftables control: the table `inet ns_monitor` and, per relay group G,
 * the sets masters_G, slaves_G, targets_G and bindings_G and the chain
 * output_G (and the optional ones), written through libnftables; what
 * exists is read through libnftnl (nftwatch.h), never from nft's text
 * output.
 */
#ifndef NS_MONITOR_NFTCTL_H
#define NS_MONITOR_NFTCTL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

struct nftwatch;

#define NFT_TABLE "ns_monitor"
#define NFT_SNAPLEN 128		/* an NS with its options fits */
/* A new guest's address logged once per this many seconds at most. */
#define NFT_GUEST_SEEN_TIMEOUT 60
#define NFT_GUEST_SEEN_SIZE 65536	/* guests_seen_G's entries */
/*
 * What the guests_G chain logs is limited per slave, in the kernel: a
 * dynamic set keyed by the slave's name holds each slave's own token
 * bucket, so one slave's flood never uses another's budget (guests are
 * other people's containers and VMs).
 *
 * DAD NS (guests_dad_rate_G): 100 a second, a burst of 500. A container
 * or VM coming up runs DAD for its link-local address and one or two
 * global ones: a bridge where 150 containers start at once fits in the
 * burst, and 30 more a second after it. A DAD NS over the limit is not
 * logged, but the guest's first packet from that address still is.
 *
 * A new address's first packet (guests_addr_rate_G): 50 a second, a
 * burst of 500, counted BEFORE the address goes into guests_seen_G, so
 * one slave adds at most 500 + 50 x 60 = 3,500 entries a minute (the
 * timeout), 5% of the set's 65,536, however fast it floods. A packet
 * over the limit is not remembered either: the guest's next packet tries
 * again, so a limit that bites delays a guest, it does not lose it.
 * 50 a second is also the steady pace of a slave with 3,000 guest
 * addresses in use, each logged again once a minute.
 *
 * An idle slave's bucket goes after the timeout; it was full again long
 * before (the burst refills in 10 s at most).
 */
#define NFT_GUEST_DAD_RATE 100
#define NFT_GUEST_DAD_BURST 500
#define NFT_GUEST_ADDR_RATE 50
#define NFT_GUEST_ADDR_BURST 500
#define NFT_GUEST_RATE_SIZE 65536	/* slaves with a bucket at once */
/* The log prefix of the guests_G chain: a new guest's sign, not an NS to relay. */
#define NFT_GUEST_PREFIX "guest"
/* A guest's NS (with --proxy-ndp): for an address that may live elsewhere. */
#define NFT_GUEST_NS_PREFIX "gns"
/* Guests' NS logged per slave: a bridge of containers resolving at once. */
#define NFT_GUEST_NS_RATE 100
#define NFT_GUEST_NS_BURST 200
#define NFT_LIMIT_RATE 1000	/* NS per second logged, kernel side */
#define NFT_LIMIT_BURST 1000

struct nft_group_spec {
	uint16_t group;
	const struct ifspec *masters;	/* names or patterns ("veth*") */
	unsigned int nmasters;
	const struct ifspec *slaves;
	unsigned int nslaves;
	const struct prefix6 *targets;	/* none: every target */
	unsigned int ntargets;
	const struct engine_binding *binds;	/* bindings_G's elements */
	unsigned int nbinds;
	bool upstream;			/* also log the upstream's NS (proxy NDP) */
	bool guests;			/* and a new guest's signs (learning) */
	bool queue;			/* and the hold chains (--queue) */
	bool queue_xt;			/* its verdict: by hold_xt_add() */
};

/* "0x<first>-0x<last>": a prefix as an element of targets_G (pure). */
void nftctl_prefix_range(const struct prefix6 *p, char *buf, size_t size);

/*
 * Write the nft commands that create group G's objects (pure). Returns the
 * length written, or -1 if buf is too small (nftctl_commands_size() is
 * enough).
 */
int nftctl_group_commands(char *buf, size_t size,
			  const struct nft_group_spec *spec);

/*
 * With --queue: the set located_G, and two chains that send packets for a
 * target in targets_G, leaving by a master, not located yet, to chain
 * hold_queue_G: hold_G for the host's own (output), hold_fwd_G for those
 * it forwards (prerouting). hold_queue_G sends them to NFQUEUE queue G,
 * with nft's queue statement when `verdict` is set (else the caller adds
 * the verdict: hold_xt_add()). Pure; after nftctl_group_commands().
 * Returns the length written, or -1 if buf is too small (2048 is enough).
 */
int nftctl_queue_commands(char *buf, size_t size, uint16_t group,
			  bool verdict);

/*
 * The commands that make onlink_G hold exactly the prefixes of routes
 * v[0..n) (their union: a prefix inside another is left out, as an
 * interval set refuses overlaps). Pure. Returns the length written, or -1
 * if buf is too small (64 + 48 per route is enough).
 */
int nftctl_onlink_commands(char *buf, size_t size, uint16_t group,
			   const struct engine_route *v, size_t n);

/* Run them. 0, or -1 with nft's message in err. */
int nftctl_set_onlink(uint16_t group, const struct engine_route *v, size_t n,
		      char *err, size_t errlen);

/*
 * The commands that delete group G's --queue objects (chains hold_G,
 * hold_fwd_G, hold_queue_G, sets located_G and onlink_G), in an order one
 * transaction accepts. Pure; -1 if buf is too small (512 is enough).
 */
int nftctl_hold_delete_commands(char *buf, size_t size, uint16_t group);

/*
 * Whether this kernel has nft's queue statement (module nft_queue): a
 * dry run of one rule in a table of its own, nothing is changed. 1, 0.
 */
int nftctl_queue_statement_works(void);

/* Run nft commands. 0, or -1 with nft's message in err. */
int nftctl_run(const char *cmds, char *err, size_t errlen);

/* A buffer size that holds spec's commands, whatever its interfaces. */
size_t nftctl_commands_size(const struct nft_group_spec *spec);

enum nftctl_kind { NFTCTL_CHAIN, NFTCTL_SET };

/* Does object `name` of that kind exist in our table? 1, 0, or -1 (errno). */
typedef int (*nftctl_exists_fn)(void *data, enum nftctl_kind kind,
				const char *name);

/*
 * Write the nft commands that delete those of group G's objects that
 * `exists` finds, in an order one transaction accepts: the chains before
 * the sets their rules use, hold_G and hold_fwd_G before hold_queue_G
 * (pure but for the callback). Returns the length written, or -1 with
 * errno: the callback's, or ENOSPC if buf is too small (1024 is enough).
 */
int nftctl_delete_commands(char *buf, size_t size, uint16_t group,
			   nftctl_exists_fn exists, void *data);

/*
 * Replace group G's objects by what spec says: chains and sets left by a
 * killed run (found through w) are deleted first, in the same transaction;
 * other groups' objects are left alone. On failure err holds nft's
 * message, or what could not be read.
 */
int nftctl_load_group(struct nftwatch *w, const struct nft_group_spec *spec,
		      char *err, size_t errlen);

/*
 * Add interfaces to masters_G and slaves_G, and bindings to bindings_G
 * (restoring after a reload).
 */
int nftctl_add_elements(const struct nft_group_spec *spec, char *err,
			size_t errlen);

/* Load an nft file (managed mode's --rules). */
int nftctl_load_file(const char *path, char *err, size_t errlen);

/*
 * Would loading the --rules file work once our table is gone (a dry run,
 * nothing changes)? 0 if so; -1 with nft's message in err if not.
 */
int nftctl_check_file(const char *path, char *err, size_t errlen);

/*
 * Does that reload bring back group G's chain output_G and sets masters_G
 * and slaves_G (a dry run)? 0 if it does; 1 with the first missing object
 * named in `what` ("chain output_135"); -1 if the check cannot be made
 * (reason in `what`). Call it after nftctl_check_file() succeeded.
 */
int nftctl_file_lacks(const char *path, uint16_t group, char *what,
		      size_t whatlen);

/*
 * Remove group G's objects, and the table if nothing else is in it (no
 * chain, set or other object of anyone's: the kernel's count, read
 * through w).
 */
int nftctl_remove_group(struct nftwatch *w, uint16_t group, char *err,
			size_t errlen);

#endif
