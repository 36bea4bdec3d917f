/*
 * Unit tests for interface specs: names and "veth*" patterns, matching,
 * parsing, and the elements of an nftables ifname set decoded into specs,
 * with the element lists the kernel (6.18, nft 1.0.6) returned for them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifspec.h"

static struct ifspec spec(const char *text)
{
	struct ifspec s;

	assert_null(ifspec_parse(text, strlen(text), &s));
	return s;
}

static void test_match(void **state)
{
	struct ifspec veth = spec("veth*"), eth0 = spec("eth0"), a = spec("a*");

	(void)state;
	assert_true(veth.prefix);
	assert_string_equal(veth.name, "veth");
	assert_true(ifspec_match(&veth, "veth0"));
	assert_true(ifspec_match(&veth, "vethabcdefghijk"));
	assert_true(ifspec_match(&veth, "veth"));	/* "*" may be empty */
	assert_false(ifspec_match(&veth, "vet"));
	assert_false(ifspec_match(&veth, "xveth0"));
	assert_false(eth0.prefix);
	assert_true(ifspec_match(&eth0, "eth0"));
	assert_false(ifspec_match(&eth0, "eth01"));
	assert_false(ifspec_match(&eth0, "eth"));
	assert_true(ifspec_match(&a, "a"));
	assert_true(ifspec_match(&a, "abc"));
	assert_false(ifspec_match(&a, "ba"));
}

static void test_covers(void **state)
{
	struct ifspec veth = spec("veth*"), veth1 = spec("veth1"),
		      vet = spec("vet*"), vethx = spec("vethx*"), eth = spec("eth0");

	(void)state;
	assert_true(ifspec_covers(&veth, &veth1));
	assert_true(ifspec_covers(&vet, &veth));
	assert_true(ifspec_covers(&veth, &vethx));
	assert_true(ifspec_covers(&veth, &veth));
	assert_false(ifspec_covers(&veth, &vet));
	assert_false(ifspec_covers(&veth1, &veth));
	assert_false(ifspec_covers(&veth, &eth));
	assert_true(ifspec_covers(&eth, &eth));
	assert_true(ifspec_equal(&veth, &veth));
	assert_false(ifspec_equal(&veth, &vet));
}

static void test_format(void **state)
{
	char buf[IFSPEC_TEXT];
	struct ifspec longest = spec("abcdefghijklmno*");

	(void)state;
	assert_string_equal(ifspec_format(&longest, buf), "abcdefghijklmno*");
	longest = spec("abcdefghijklmno");
	assert_string_equal(ifspec_format(&longest, buf), "abcdefghijklmno");
	longest = spec("br-*");
	assert_string_equal(ifspec_format(&longest, buf), "br-*");
}

static void test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"*", "a*b", "a**", "*a", "ve*th*", "", "abcdefghijklmnop",
		"abcdefghijklmnop*", "a b*", "a/b*", "a:*", "a\"*", ".", "..",
	};
	struct ifspec s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!ifspec_parse(bad[i], strlen(bad[i]), &s))
			fail_msg("'%s' accepted", bad[i]);
	/* A prefix may be "." (".x" is a name); len counts, not the NUL. */
	assert_null(ifspec_parse(".*", 2, &s));
	assert_null(ifspec_parse("eth0,eth1", 4, &s));
	assert_string_equal(s.name, "eth0");
}

static void test_add_grows_and_dedups(void **state)
{
	struct ifspec *v = NULL, s;
	unsigned int n = 0;
	char name[IF_NAMESIZE];

	(void)state;
	for (unsigned int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "v%u", i);
		s = spec(name);
		assert_int_equal(ifspec_add(&v, &n, &s), 0);
	}
	s = spec("v4999");
	assert_int_equal(ifspec_add(&v, &n, &s), 0);	/* already there */
	s = spec("v4999*");
	assert_int_equal(ifspec_add(&v, &n, &s), 0);	/* not the same */
	assert_int_equal(n, 5001);
	assert_string_equal(v[0].name, "v0");
	assert_string_equal(v[4999].name, "v4999");
	assert_true(v[5000].prefix);
	free(v);
}

/* One element: key bytes (zero padded) and whether it ends an interval. */
static struct ifset_elem el(const void *key, size_t len, bool end)
{
	struct ifset_elem e;

	memset(&e, 0, sizeof(e));
	memcpy(e.key, key, len);
	e.len = IF_NAMESIZE;
	e.interval_end = end;
	return e;
}

#define S(str) el(str, sizeof(str) - 1, false)
#define E(str) el(str, sizeof(str) - 1, true)

/* The 16-byte key of one name plus one: its 16th byte 1. */
static struct ifset_elem name_end(const char *name)
{
	struct ifset_elem e = el(name, strlen(name), true);

	e.key[IF_NAMESIZE - 1] = 1;
	return e;
}

static void decode(struct ifset_elem *e, size_t n, bool interval,
		   const char *const *want, size_t nwant, unsigned int invalid,
		   struct ifset_report *rep)
{
	struct ifspec *v = NULL;
	unsigned int nv = 0;
	char buf[IFSPEC_TEXT];

	memset(rep, 0, sizeof(*rep));
	assert_int_equal(ifset_decode(e, n, interval, &v, &nv, rep), 0);
	assert_int_equal(rep->invalid, invalid);
	if (nv != nwant)
		fail_msg("%u specs, %zu wanted (first: %s)", nv, nwant,
			 nv ? ifspec_format(&v[0], buf) : "-");
	for (size_t i = 0; i < nwant; i++) {
		bool found = false;

		for (unsigned int j = 0; j < nv; j++)
			found = found || strcmp(ifspec_format(&v[j], buf), want[i]) == 0;
		if (!found)
			fail_msg("%s not decoded", want[i]);
	}
	free(v);
}

/*
 * What the kernel returned for { "a*", "br-*", "eth1", "veth*" } in a
 * `flags interval` set, in its dump order (descending keys), including
 * the all-zero interval end nft puts below the first range.
 */
static void test_decode_kernel_dump(void **state)
{
	struct ifset_elem e[] = {
		E("veti"), S("veth"),
		name_end("eth1"), S("eth1"),
		E("br."), S("br-"),
		E("b"), S("a"),
		E(""),
	};
	static const char *const want[] = { "a*", "br-*", "eth1", "veth*" };
	struct ifset_report rep;

	(void)state;
	decode(e, sizeof(e) / sizeof(e[0]), true, want, 4, 0, &rep);
}

/*
 * { "a*", "b*", "c*", "x0", "x1", "~*" }: adjacent ranges keep both the
 * end of one and the start of the next, with the same key.
 */
static void test_decode_adjacent(void **state)
{
	struct ifset_elem e[] = {
		E("\x7f"), S("~"),
		name_end("x1"), S("x1"),
		name_end("x0"), S("x0"),
		E("d"), S("c"), E("c"), S("b"), E("b"), S("a"),
		E(""),
	};
	static const char *const want[] = { "a*", "b*", "c*", "x0", "x1", "~*" };
	struct ifset_report rep;

	(void)state;
	decode(e, sizeof(e) / sizeof(e[0]), true, want, 6, 0, &rep);
	/* Any order: the decoder sorts. */
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]) / 2; i++) {
		struct ifset_elem t = e[i];

		e[i] = e[sizeof(e) / sizeof(e[0]) - 1 - i];
		e[sizeof(e) / sizeof(e[0]) - 1 - i] = t;
	}
	decode(e, sizeof(e) / sizeof(e[0]), true, want, 6, 0, &rep);
}

/* An adjacent range whose end element was left out: the next start ends it. */
static void test_decode_end_omitted(void **state)
{
	struct ifset_elem e[] = { S("a"), S("b"), E("c") };
	static const char *const want[] = { "a*", "b*" };
	struct ifset_report rep;

	(void)state;
	decode(e, 3, true, want, 2, 0, &rep);
}

static void test_decode_refused_ranges(void **state)
{
	/* "veth0"-"veth9" was never a pattern: skipped, said, counted. */
	struct ifset_elem r1[] = { S("veth0"), E("veth9"), S("eth0"), name_end("eth0") };
	/* A start with nothing after it. */
	struct ifset_elem r2[] = { S("eth0"), name_end("eth0"), S("zz") };
	/* Not names: a start with bytes after its NUL, the empty prefix. */
	struct ifset_elem r3[] = { S("a\0b"), E("a\0c"), S(""), E("\x01") };
	/* A pattern of a character no name has, and a 15-byte name + 1. */
	struct ifset_elem r4[] = { S("a b"), E("a c"),
				   S("abcdefghijklmno"), name_end("abcdefghijklmno") };
	static const char *const eth0[] = { "eth0" };
	static const char *const longest[] = { "abcdefghijklmno" };
	struct ifset_report rep;

	(void)state;
	decode(r1, 4, true, eth0, 1, 1, &rep);
	assert_int_equal(rep.first_reason, IFNAME_KEY_RANGE);
	assert_string_equal(rep.first_invalid, "veth0-veth9");
	decode(r2, 3, true, eth0, 1, 1, &rep);
	assert_int_equal(rep.first_reason, IFNAME_KEY_OPEN);
	assert_string_equal(rep.first_invalid, "zz");
	decode(r3, 4, true, NULL, 0, 2, &rep);
	decode(r4, 4, true, longest, 1, 1, &rep);
	assert_int_equal(rep.first_reason, IFNAME_KEY_CHARS);
}

/* A range in one element (NFTA_SET_ELEM_KEY_END), as pipapo sets have it. */
static void test_decode_key_end(void **state)
{
	struct ifset_elem e[] = { S("tap"), S("vnet0") };
	static const char *const want[] = { "tap*", "vnet0" };
	struct ifset_report rep;

	(void)state;
	memcpy(e[0].key_end, "taq", 3);
	e[0].end_len = IF_NAMESIZE;
	memcpy(e[1].key_end, "vnet0", 5);
	e[1].key_end[IF_NAMESIZE - 1] = 1;
	e[1].end_len = IF_NAMESIZE;
	decode(e, 2, true, want, 2, 0, &rep);
}

/* Without `flags interval` every element is one name, as before. */
static void test_decode_plain_set(void **state)
{
	struct ifset_elem e[] = { S("eth0"), S("veth1"), S("a b"), S("eth0") };
	static const char *const want[] = { "eth0", "veth1" };
	struct ifset_report rep;

	(void)state;
	decode(e, 4, false, want, 2, 1, &rep);
	assert_int_equal(rep.first_reason, IFNAME_KEY_CHARS);
}

/* 300 names in an interval set, as 600 elements: all of them. */
static void test_decode_many(void **state)
{
	struct ifset_elem *e = calloc(600, sizeof(*e));
	struct ifspec *v = NULL;
	unsigned int nv = 0;
	struct ifset_report rep = { 0 };
	char name[IF_NAMESIZE];

	(void)state;
	assert_non_null(e);
	for (unsigned int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		e[2 * i] = el(name, strlen(name), false);
		e[2 * i + 1] = name_end(name);
	}
	assert_int_equal(ifset_decode(e, 600, true, &v, &nv, &rep), 0);
	assert_int_equal(nv, 300);
	assert_int_equal(rep.invalid, 0);
	free(v);
	free(e);
}

/* An empty set, as an empty interval set dumps: no elements, no array. */
static void test_decode_empty(void **state)
{
	struct ifspec *v = NULL;
	unsigned int nv = 0;
	struct ifset_report rep = { 0 };

	(void)state;
	assert_int_equal(ifset_decode(NULL, 0, true, &v, &nv, &rep), 0);
	assert_int_equal(ifset_decode(NULL, 0, false, &v, &nv, &rep), 0);
	assert_int_equal(nv, 0);
	assert_int_equal(rep.invalid, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_decode_empty),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_add_grows_and_dedups),
		cmocka_unit_test(test_decode_kernel_dump),
		cmocka_unit_test(test_decode_adjacent),
		cmocka_unit_test(test_decode_end_omitted),
		cmocka_unit_test(test_decode_refused_ranges),
		cmocka_unit_test(test_decode_key_end),
		cmocka_unit_test(test_decode_plain_set),
		cmocka_unit_test(test_decode_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
