/* Interface names from the command line and from nftables sets (pure). */
#include <stdio.h>
#include <string.h>

#include "ifname.h"

bool ifname_valid(const char *name, size_t len)
{
	if (len == 0 || len >= IF_NAMESIZE)
		return false;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == '"' ||
		    c == '\\' || c == '\'')
			return false;
	}
	return true;
}

enum ifname_key ifname_from_key(const void *key, size_t len,
				char out[IF_NAMESIZE])
{
	const unsigned char *k = key;
	const unsigned char *nul = memchr(k, '\0', len);
	size_t n;

	out[0] = '\0';
	/* A key shorter than IFNAMSIZ may end without its NUL. */
	n = nul ? (size_t)(nul - k) : len;
	if (n == 0)
		return IFNAME_KEY_EMPTY;
	if (n >= IF_NAMESIZE)
		return IFNAME_KEY_UNTERMINATED;
	for (size_t i = n; i < len; i++)
		if (k[i] != '\0')
			return IFNAME_KEY_PADDING;
	if (!ifname_valid((const char *)k, n))
		return IFNAME_KEY_CHARS;
	memcpy(out, k, n);
	out[n] = '\0';
	return IFNAME_KEY_OK;
}

const char *ifname_key_reason(enum ifname_key why)
{
	static const char *const reasons[IFNAME_KEY_MAX] = {
		[IFNAME_KEY_OK] = "a valid name",
		[IFNAME_KEY_EMPTY] = "empty",
		[IFNAME_KEY_UNTERMINATED] = "longer than 15 characters",
		[IFNAME_KEY_PADDING] = "binary data, not a name",
		[IFNAME_KEY_CHARS] = "characters an interface name cannot have (whitespace, '/', ':', quotes, backslash, non-ASCII) or \".\" or \"..\"",
		[IFNAME_KEY_RANGE] = "a range of names that is neither one name nor a pattern such as \"veth*\"",
		[IFNAME_KEY_OPEN] = "a range without an end",
	};

	return why < IFNAME_KEY_MAX ? reasons[why] : "invalid";
}

void ifname_key_printable(const void *key, size_t len, char *buf, size_t size)
{
	const unsigned char *k = key;
	size_t used = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	/* Trailing padding says nothing. */
	while (len > 0 && k[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++) {
		char one[5];
		size_t n;

		if (k[i] >= 0x21 && k[i] < 0x7f && k[i] != '\\' && k[i] != '"')
			n = (size_t)snprintf(one, sizeof(one), "%c", k[i]);
		else
			n = (size_t)snprintf(one, sizeof(one), "\\x%02x", k[i]);
		if (used + n >= size)
			break;
		memcpy(buf + used, one, n + 1);
		used += n;
	}
}
