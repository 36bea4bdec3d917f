/*
 * Interface specs (pure): a name or a name pattern ("veth*"), as given on
 * the command line and as the elements of an nftables ifname set, and how
 * the elements the kernel returns for a set become specs.
 */
#ifndef NS_MONITOR_IFSPEC_H
#define NS_MONITOR_IFSPEC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ifname.h"

struct ifspec {
	char name[IF_NAMESIZE];	/* the name, or the prefix of a pattern */
	bool prefix;		/* "veth*": every name that starts with name */
};

/* Does ifname fall under s? */
bool ifspec_match(const struct ifspec *s, const char *ifname);

/* Does every name that falls under b also fall under a? */
bool ifspec_covers(const struct ifspec *a, const struct ifspec *b);

bool ifspec_equal(const struct ifspec *a, const struct ifspec *b);

#define IFSPEC_TEXT (IF_NAMESIZE + 1)	/* "veth*" with its NUL */

/* The spec as nft and the logs write it: "eth0", "veth*". Returns buf. */
const char *ifspec_format(const struct ifspec *s, char buf[IFSPEC_TEXT]);

/*
 * Parse text[0..len) ("eth0", "veth*"): a pattern has one '*', at its end,
 * after a prefix of 1 to 15 characters. NULL, or why not (for a message).
 */
const char *ifspec_parse(const char *text, size_t len, struct ifspec *out);

/*
 * Append s to *v (n specs, grown as needed) unless an equal one is there.
 * 0, or -1 with errno ENOMEM.
 */
int ifspec_add(struct ifspec **v, unsigned int *n, const struct ifspec *s);

/* One element of an ifname set, as the kernel returned it. */
struct ifset_elem {
	uint8_t key[IF_NAMESIZE];
	uint32_t len;			/* bytes in key */
	uint8_t key_end[IF_NAMESIZE];	/* a range in one element... */
	uint32_t end_len;		/* ...0: none */
	bool interval_end;		/* NFT_SET_ELEM_INTERVAL_END */
};

/* What a set held besides specs. */
struct ifset_report {
	unsigned int invalid;		/* elements skipped: not names or patterns */
	enum ifname_key first_reason;	/* ...why the first one was */
	char first_invalid[8 * IF_NAMESIZE + 4];	/* ...and it, printable */
};

/*
 * The elements of an ifname set (in any order; e is sorted in place) into
 * specs appended to *v. In an interval set (`flags interval`) the kernel
 * holds each member as a range, a start element and an interval-end element
 * (exclusive): "veth*" is ["veth", "veti"), an exact "eth1" is ["eth1",
 * "eth1" + 1 as a 128-bit number), i.e. its 16th byte 1. Any other range is
 * skipped and counted in rep. 0, or -1 with errno ENOMEM.
 */
int ifset_decode(struct ifset_elem *e, size_t n, bool interval,
		 struct ifspec **v, unsigned int *nv, struct ifset_report *rep);

#endif
