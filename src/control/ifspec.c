/* Interface names and patterns, and ifname sets' elements into them (pure). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "ifspec.h"

bool ifspec_match(const struct ifspec *s, const char *ifname)
{
	size_t n = strnlen(s->name, IF_NAMESIZE);

	if (s->prefix)
		return strncmp(ifname, s->name, n) == 0;
	return strncmp(ifname, s->name, IF_NAMESIZE) == 0;
}

bool ifspec_covers(const struct ifspec *a, const struct ifspec *b)
{
	size_t n = strnlen(a->name, IF_NAMESIZE);

	if (!a->prefix)
		return !b->prefix && strncmp(a->name, b->name, IF_NAMESIZE) == 0;
	/* b's names all start with b->name, which starts with a->name. */
	return strncmp(b->name, a->name, n) == 0;
}

bool ifspec_equal(const struct ifspec *a, const struct ifspec *b)
{
	return a->prefix == b->prefix &&
	       strncmp(a->name, b->name, IF_NAMESIZE) == 0;
}

const char *ifspec_format(const struct ifspec *s, char buf[IFSPEC_TEXT])
{
	size_t n = strnlen(s->name, IF_NAMESIZE - 1);

	memcpy(buf, s->name, n);
	if (s->prefix)
		buf[n++] = '*';
	buf[n] = '\0';
	return buf;
}

/*
 * A prefix follows the rules of a name, except that "." and ".." are fine:
 * ".x" is a valid name.
 */
static bool prefix_valid(const char *p, size_t len)
{
	if (len == 0 || len >= IF_NAMESIZE)
		return false;
	if (len <= 2 && strspn(p, ".") >= len)
		return true;
	return ifname_valid(p, len);
}

const char *ifspec_parse(const char *text, size_t len, struct ifspec *out)
{
	const char *star = memchr(text, '*', len);

	memset(out, 0, sizeof(*out));
	if (!star) {
		if (!ifname_valid(text, len))
			return "not an interface name (1-15 characters; no whitespace, '/', ':', quotes or backslash; not \".\" or \"..\")";
		memcpy(out->name, text, len);
		return NULL;
	}
	if (star != text + len - 1)
		return "a pattern has one '*', at its end (\"veth*\")";
	if (len == 1)
		return "a pattern needs a prefix before its '*' (\"veth*\", not \"*\")";
	if (!prefix_valid(text, len - 1))
		return "not an interface name pattern (a prefix of 1-15 characters, then '*'; no whitespace, '/', ':', quotes or backslash)";
	memcpy(out->name, text, len - 1);
	out->prefix = true;
	return NULL;
}

int ifspec_add(struct ifspec **v, unsigned int *n, const struct ifspec *s)
{
	for (unsigned int i = 0; i < *n; i++)
		if (ifspec_equal(&(*v)[i], s))
			return 0;
	if (grow_room((void **)v, *n, sizeof(**v)) == -1)
		return -1;
	(*v)[(*n)++] = *s;
	return 0;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct ifset_elem *a = pa, *b = pb;
	int c = memcmp(a->key, b->key, IF_NAMESIZE);

	if (c)
		return c;
	/* Adjacent ranges ("a*", "b*"): the end of one, then the next start. */
	return (int)b->interval_end - (int)a->interval_end;
}

static void report_invalid(struct ifset_report *rep, enum ifname_key why,
			   const uint8_t *start, const uint8_t *end)
{
	size_t used;

	if (rep->invalid++ != 0)
		return;
	rep->first_reason = why;
	ifname_key_printable(start, IF_NAMESIZE, rep->first_invalid,
			     sizeof(rep->first_invalid));
	if (!end)
		return;
	used = strlen(rep->first_invalid);
	if (used + 2 >= sizeof(rep->first_invalid))
		return;
	rep->first_invalid[used++] = '-';
	ifname_key_printable(end, IF_NAMESIZE, rep->first_invalid + used,
			     sizeof(rep->first_invalid) - used);
}

/* [start, end) as a spec: one name, or a prefix pattern, or neither. */
static enum ifname_key range_spec(const uint8_t start[IF_NAMESIZE],
				  const uint8_t end[IF_NAMESIZE],
				  struct ifspec *out)
{
	uint8_t next[IF_NAMESIZE];
	size_t n = strnlen((const char *)start, IF_NAMESIZE);
	int i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return IFNAME_KEY_RANGE;
	if (n >= IF_NAMESIZE)
		return IFNAME_KEY_UNTERMINATED;
	for (size_t j = n; j < IF_NAMESIZE; j++)
		if (start[j] != 0)
			return IFNAME_KEY_PADDING;
	/* One name: the end is the start plus one, as a 128-bit number. */
	memcpy(next, start, IF_NAMESIZE);
	for (i = IF_NAMESIZE - 1; i >= 0 && ++next[i] == 0; i--)
		;
	if (memcmp(next, end, IF_NAMESIZE) == 0) {
		if (!ifname_valid((const char *)start, n))
			return IFNAME_KEY_CHARS;
		memcpy(out->name, start, n);
		return IFNAME_KEY_OK;
	}
	/* "veth*": the end is the prefix with its last byte plus one. */
	memcpy(next, start, IF_NAMESIZE);
	if (next[n - 1] == 0xff || ++next[n - 1] == 0 ||
	    memcmp(next, end, IF_NAMESIZE) != 0)
		return IFNAME_KEY_RANGE;
	if (!prefix_valid((const char *)start, n))
		return IFNAME_KEY_CHARS;
	memcpy(out->name, start, n);
	out->prefix = true;
	return IFNAME_KEY_OK;
}

static int add_range(const uint8_t *start, const uint8_t *end,
		     struct ifspec **v, unsigned int *nv,
		     struct ifset_report *rep)
{
	struct ifspec s;
	enum ifname_key why = range_spec(start, end, &s);

	if (why != IFNAME_KEY_OK) {
		report_invalid(rep, why, start, end);
		return 0;
	}
	return ifspec_add(v, nv, &s);
}

int ifset_decode(struct ifset_elem *e, size_t n, bool interval,
		 struct ifspec **v, unsigned int *nv, struct ifset_report *rep)
{
	size_t i;

	if (!interval) {
		for (i = 0; i < n; i++) {
			struct ifspec s = { .prefix = false };
			enum ifname_key why;

			if (e[i].interval_end)
				continue;
			why = ifname_from_key(e[i].key, e[i].len, s.name);
			if (why != IFNAME_KEY_OK)
				report_invalid(rep, why, e[i].key, NULL);
			else if (ifspec_add(v, nv, &s) == -1)
				return -1;
		}
		return 0;
	}
	if (n == 0)
		return 0;	/* an empty set: qsort() wants an array */
	qsort(e, n, sizeof(*e), key_cmp);
	for (i = 0; i < n; i++) {
		if (e[i].end_len) {
			/* The whole range in one element (NFTA_SET_ELEM_KEY_END). */
			if (add_range(e[i].key, e[i].key_end, v, nv, rep) == -1)
				return -1;
			continue;
		}
		/*
		 * An end with no start before it bounds a gap: nft puts one
		 * at the all-zero key below the first range. Not a member.
		 */
		if (e[i].interval_end)
			continue;
		if (i + 1 == n) {
			report_invalid(rep, IFNAME_KEY_OPEN, e[i].key, NULL);
			continue;
		}
		/* Its end, or the start of an adjacent range (the same key). */
		if (add_range(e[i].key, e[i + 1].key, v, nv, rep) == -1)
			return -1;
		if (e[i + 1].interval_end)
			i++;
	}
	return 0;
}
