/* Bindings of addresses to slaves: from --bind and from bindings_G (pure). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "grow.h"
#include "ifname.h"

void binding_from_prefix(const struct ifspec *spec, const struct prefix6 *p,
			 struct engine_binding *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->ifname, spec->name, sizeof(out->ifname) - 1);
	out->prefix = spec->prefix;
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = p->len >= 8 * (i + 1) ? 8 :
				    p->len > 8 * i ? p->len - 8 * i : 0;
		uint8_t host = (uint8_t)(0xffu >> keep);

		out->lo.s6_addr[i] = p->addr.s6_addr[i] & (uint8_t)~host;
		out->hi.s6_addr[i] = p->addr.s6_addr[i] | host;
	}
}

void binding_ifspec(const struct engine_binding *b, struct ifspec *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->name, b->ifname, strnlen(b->ifname, IF_NAMESIZE - 1));
	out->prefix = b->prefix;
}

bool binding_prefix_len(const struct engine_binding *b, unsigned int *len)
{
	unsigned int n = 0;
	bool host = false;

	/* lo and hi agree on the first n bits; after, lo is 0 and hi is 1. */
	for (unsigned int i = 0; i < 128; i++) {
		unsigned int byte = i / 8, bit = 0x80u >> (i % 8);
		bool l = b->lo.s6_addr[byte] & bit, h = b->hi.s6_addr[byte] & bit;

		if (!host && l == h) {
			n++;
			continue;
		}
		host = true;
		if (l || !h)
			return false;
	}
	*len = n;
	return true;
}

bool binding_equal(const struct engine_binding *a,
		   const struct engine_binding *b)
{
	return a->prefix == b->prefix &&
	       strncmp(a->ifname, b->ifname, sizeof(a->ifname)) == 0 &&
	       memcmp(&a->lo, &b->lo, sizeof(a->lo)) == 0 &&
	       memcmp(&a->hi, &b->hi, sizeof(a->hi)) == 0;
}

int binding_add(struct engine_binding **v, unsigned int *n,
		const struct engine_binding *b)
{
	for (unsigned int i = 0; i < *n; i++)
		if (binding_equal(&(*v)[i], b))
			return 0;
	if (grow_room((void **)v, *n, sizeof(**v)) == -1)
		return -1;
	(*v)[(*n)++] = *b;
	return 0;
}

/* "2001:db8:1::/64", or "2001:db8:1::200-2001:db8:1::2ff". */
static void format_range(const struct engine_binding *b, char *buf,
			 size_t size)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	unsigned int len;

	inet_ntop(AF_INET6, &b->lo, lo, sizeof(lo));
	if (binding_prefix_len(b, &len)) {
		snprintf(buf, size, "%s/%u", lo, len);
		return;
	}
	inet_ntop(AF_INET6, &b->hi, hi, sizeof(hi));
	snprintf(buf, size, "%s-%s", lo, hi);
}

const char *binding_format(const struct engine_binding *b,
			   char buf[BINDING_TEXT])
{
	char name[IFSPEC_TEXT], range[2 * INET6_ADDRSTRLEN + 4];
	struct ifspec s;

	binding_ifspec(b, &s);
	format_range(b, range, sizeof(range));
	snprintf(buf, BINDING_TEXT, "%s = %s", ifspec_format(&s, name), range);
	return buf;
}

const char *binding_nft_element(const struct engine_binding *b,
				char buf[BINDING_NFT_TEXT])
{
	char name[IFSPEC_TEXT], range[2 * INET6_ADDRSTRLEN + 4];
	struct ifspec s;

	binding_ifspec(b, &s);
	format_range(b, range, sizeof(range));
	snprintf(buf, BINDING_NFT_TEXT, "\"%s\" . %s", ifspec_format(&s, name),
		 range);
	return buf;
}

const char *binding_elem_reason(enum binding_elem why)
{
	static const char *const reasons[BINDING_ELEM_MAX] = {
		[BINDING_ELEM_OK] = "a binding",
		[BINDING_ELEM_LENGTH] = "not an interface name and an IPv6 address (32 bytes)",
		[BINDING_ELEM_NAME] = "not an interface name or a pattern such as \"tap*\"",
		[BINDING_ELEM_NAME_RANGE] = "a range of names that is neither one name nor a pattern such as \"tap*\"",
		[BINDING_ELEM_ADDR_RANGE] = "an address range that ends before it starts",
	};

	return why < BINDING_ELEM_MAX ? reasons[why] : "invalid";
}

/* The name part [start, end], both ends in: one name, or "tap*". */
static enum binding_elem name_range(const uint8_t *start, const uint8_t *end,
				    struct engine_binding *out)
{
	char text[IFSPEC_TEXT];
	size_t n = strnlen((const char *)start, IF_NAMESIZE);
	struct ifspec s;

	if (n == 0 || n >= IF_NAMESIZE)
		return BINDING_ELEM_NAME;
	for (size_t j = n; j < IF_NAMESIZE; j++)
		if (start[j] != 0)
			return BINDING_ELEM_NAME;
	if (memcmp(start, end, IF_NAMESIZE) == 0) {
		/* A name with a '*' in it is not one nft makes: no pattern. */
		if (memchr(start, '*', n) ||
		    ifspec_parse((const char *)start, n, &s))
			return BINDING_ELEM_NAME;
	} else {
		/* "tap*": the same prefix, then 0xff to the end. */
		if (memcmp(start, end, n) != 0)
			return BINDING_ELEM_NAME_RANGE;
		for (size_t j = n; j < IF_NAMESIZE; j++)
			if (end[j] != 0xff)
				return BINDING_ELEM_NAME_RANGE;
		memcpy(text, start, n);
		text[n] = '*';
		if (ifspec_parse(text, n + 1, &s))
			return BINDING_ELEM_NAME;
	}
	memcpy(out->ifname, s.name, sizeof(out->ifname) - 1);
	out->prefix = s.prefix;
	return BINDING_ELEM_OK;
}

enum binding_elem binding_from_elem(const uint8_t *key, uint32_t len,
				    const uint8_t *key_end, uint32_t end_len,
				    struct engine_binding *out)
{
	enum binding_elem why;

	memset(out, 0, sizeof(*out));
	if (len != BINDING_KEY_LEN || (end_len && end_len != BINDING_KEY_LEN))
		return BINDING_ELEM_LENGTH;
	if (!end_len)
		key_end = key;
	why = name_range(key, key_end, out);
	if (why != BINDING_ELEM_OK)
		return why;
	memcpy(&out->lo, key + IF_NAMESIZE, sizeof(out->lo));
	memcpy(&out->hi, key_end + IF_NAMESIZE, sizeof(out->hi));
	if (memcmp(&out->lo, &out->hi, sizeof(out->lo)) > 0)
		return BINDING_ELEM_ADDR_RANGE;
	return BINDING_ELEM_OK;
}

static void report_invalid(struct bindset_report *rep, enum binding_elem why,
			   const struct bindset_elem *e)
{
	size_t used;

	if (rep->invalid++ != 0)
		return;
	rep->first_reason = why;
	ifname_key_printable(e->key, e->len, rep->first_invalid,
			     sizeof(rep->first_invalid));
	if (!e->end_len)
		return;
	used = strlen(rep->first_invalid);
	if (used + 2 >= sizeof(rep->first_invalid))
		return;
	rep->first_invalid[used++] = '-';
	ifname_key_printable(e->key_end, e->end_len, rep->first_invalid + used,
			     sizeof(rep->first_invalid) - used);
}

int bindset_decode(const struct bindset_elem *e, size_t n,
		   struct engine_binding **v, unsigned int *nv,
		   struct bindset_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct engine_binding b;
		enum binding_elem why;

		if (e[i].interval_end && !e[i].end_len)
			continue;
		why = binding_from_elem(e[i].key, e[i].len,
					e[i].end_len ? e[i].key_end : NULL,
					e[i].end_len, &b);
		if (why != BINDING_ELEM_OK)
			report_invalid(rep, why, &e[i]);
		else if (binding_add(v, nv, &b) == -1)
			return -1;
	}
	return 0;
}
