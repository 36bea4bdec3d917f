/*
 * Interface names (pure): what ns-monitor accepts from the command line and
 * from the elements of an nftables ifname set.
 */
#ifndef NS_MONITOR_IFNAME_H
#define NS_MONITOR_IFNAME_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The kernel's rules (under IFNAMSIZ, not "." or "..", no '/', ':' or
 * whitespace) and, since names go into nft commands inside double quotes,
 * no quotes or backslashes either; printable ASCII only.
 */
bool ifname_valid(const char *name, size_t len);

/* Why a set element's key is not an interface name. */
enum ifname_key {
	IFNAME_KEY_OK,
	IFNAME_KEY_EMPTY,
	IFNAME_KEY_UNTERMINATED,	/* no NUL within IFNAMSIZ bytes */
	IFNAME_KEY_PADDING,		/* bytes after the NUL: binary data */
	IFNAME_KEY_CHARS,		/* refused by ifname_valid() */
	IFNAME_KEY_RANGE,		/* an interval that no pattern makes */
	IFNAME_KEY_OPEN,		/* an interval start without its end */
	IFNAME_KEY_MAX,
};

/* A key of an ifname set (zero padded) into out, if it is a valid name. */
enum ifname_key ifname_from_key(const void *key, size_t len,
				char out[IF_NAMESIZE]);

const char *ifname_key_reason(enum ifname_key why);

/* The key as text for a log line: printable ASCII as is, the rest \xNN. */
void ifname_key_printable(const void *key, size_t len, char *buf, size_t size);

#endif
