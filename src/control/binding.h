/*
 * Bindings (pure): addresses the operator binds to slaves, as --bind
 * IF=PREFIX gives them and as the elements of the set bindings_G (type
 * ifname . ipv6_addr, flags interval) hold them, into struct
 * engine_binding; and back into text for --check, the logs and nft.
 */
#ifndef NS_MONITOR_BINDING_H
#define NS_MONITOR_BINDING_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "ifspec.h"

/*
 * The set's key: an interface name (16 bytes) then an IPv6 address (16
 * bytes), each field of a concatenation padded to 4 bytes (it is already).
 * nftables' datatype of "ifname . ipv6_addr": 6 bits per part.
 */
#define BINDING_KEY_LEN (IF_NAMESIZE + 16)
#define BINDING_KEY_TYPE ((41u << 6) | 8u)

/* The binding of every address of prefix p to the interfaces of spec. */
void binding_from_prefix(const struct ifspec *spec, const struct prefix6 *p,
			 struct engine_binding *out);

/* The interfaces it names, as a spec ("tap0", "vnet*"). */
void binding_ifspec(const struct engine_binding *b, struct ifspec *out);

/* True, with *len, when lo..hi is exactly one prefix. */
bool binding_prefix_len(const struct engine_binding *b, unsigned int *len);

bool binding_equal(const struct engine_binding *a,
		   const struct engine_binding *b);

/*
 * Append b to *v (n of them, grown as needed) unless an equal one is
 * there. 0, or -1 with errno ENOMEM.
 */
int binding_add(struct engine_binding **v, unsigned int *n,
		const struct engine_binding *b);

/* "tap0 = 2001:db8:1::100/128", "vnet* = 2001:db8:1::200-2001:db8:1::2ff". */
#define BINDING_TEXT (IFSPEC_TEXT + 3 + 2 * INET6_ADDRSTRLEN + 4)
const char *binding_format(const struct engine_binding *b,
			   char buf[BINDING_TEXT]);

/* The element as nft takes it: "tap0" . 2001:db8:1::100/128, or lo-hi. */
#define BINDING_NFT_TEXT (IFSPEC_TEXT + 2 + 3 + 2 * INET6_ADDRSTRLEN + 4)
const char *binding_nft_element(const struct engine_binding *b,
				char buf[BINDING_NFT_TEXT]);

/* Why an element of bindings_G is not a binding. */
enum binding_elem {
	BINDING_ELEM_OK,
	BINDING_ELEM_LENGTH,	/* the key is not 32 bytes: another type */
	BINDING_ELEM_NAME,	/* the name part is no name (nor pattern) */
	BINDING_ELEM_NAME_RANGE,	/* a range of names no "tap*" makes */
	BINDING_ELEM_ADDR_RANGE,	/* the last address before the first */
	BINDING_ELEM_MAX,
};

const char *binding_elem_reason(enum binding_elem why);

/*
 * One element as the kernel returns it: key, and in an interval set the
 * inclusive end of each field's range (NFTA_SET_ELEM_KEY_END; end_len 0
 * without). A name is the range from it to itself; a pattern "tap*" is
 * "tap" padded with zeros to "tap" padded with 0xff. Without an end the
 * key is one name and one address.
 */
enum binding_elem binding_from_elem(const uint8_t *key, uint32_t len,
				    const uint8_t *key_end, uint32_t end_len,
				    struct engine_binding *out);

/* One element of bindings_G, as read. */
struct bindset_elem {
	uint8_t key[BINDING_KEY_LEN];
	uint32_t len;
	uint8_t key_end[BINDING_KEY_LEN];
	uint32_t end_len;		/* 0: no end */
	bool interval_end;		/* NFT_SET_ELEM_INTERVAL_END: no member */
};

/* What a set held besides bindings. */
struct bindset_report {
	unsigned int invalid;			/* elements skipped */
	enum binding_elem first_reason;		/* ...why the first one was */
	char first_invalid[4 * BINDING_KEY_LEN * 2 + 4];	/* ...it, printable */
};

/*
 * The elements of bindings_G into bindings appended to *v. Elements that
 * are not bindings are skipped and counted in rep. 0, or -1 with errno
 * ENOMEM.
 */
int bindset_decode(const struct bindset_elem *e, size_t n,
		   struct engine_binding **v, unsigned int *nv,
		   struct bindset_report *rep);

#endif
