/*
 * Unit tests for bindings: the elements of bindings_G (type ifname .
 * ipv6_addr, flags interval) as the kernel returned them for nft 1.0.6's
 * elements, decoded into struct engine_binding; and the text for --check,
 * the logs and nft.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "cli.h"

static struct in6_addr addr(const char *text)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

/*
 * One element as the kernel returns it: the name part of key and key_end
 * (16 bytes each), then the addresses. A name is the range from it to
 * itself; "tap*" is "tap" and zeros to "tap" and 0xff.
 */
static struct bindset_elem elem(const char *name, const char *lo,
				const char *hi)
{
	struct bindset_elem e;
	size_t n = strlen(name);
	struct in6_addr l = addr(lo), h = addr(hi);

	memset(&e, 0, sizeof(e));
	e.len = e.end_len = BINDING_KEY_LEN;
	if (n && name[n - 1] == '*') {
		memcpy(e.key, name, n - 1);
		memcpy(e.key_end, name, n - 1);
		memset(e.key_end + n - 1, 0xff, IF_NAMESIZE - (n - 1));
	} else {
		memcpy(e.key, name, n);
		memcpy(e.key_end, name, n);
	}
	memcpy(e.key + IF_NAMESIZE, &l, 16);
	memcpy(e.key_end + IF_NAMESIZE, &h, 16);
	return e;
}

static void expect_binding(const struct engine_binding *b, const char *name,
			   bool prefix, const char *lo, const char *hi)
{
	struct in6_addr l = addr(lo), h = addr(hi);

	assert_string_equal(b->ifname, name);
	assert_int_equal(b->prefix, prefix);
	assert_memory_equal(&b->lo, &l, 16);
	assert_memory_equal(&b->hi, &h, 16);
}

static enum binding_elem decode_one(const struct bindset_elem *e,
				    struct engine_binding *b)
{
	return binding_from_elem(e->key, e->len, e->end_len ? e->key_end : NULL,
				 e->end_len, b);
}

static void test_exact_name_single_address(void **state)
{
	struct bindset_elem e = elem("tap0", "2001:db8:1::100", "2001:db8:1::100");
	struct engine_binding b;
	char text[BINDING_TEXT], nft[BINDING_NFT_TEXT];

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	expect_binding(&b, "tap0", false, "2001:db8:1::100", "2001:db8:1::100");
	assert_string_equal(binding_format(&b, text),
			    "tap0 = 2001:db8:1::100/128");
	assert_string_equal(binding_nft_element(&b, nft),
			    "\"tap0\" . 2001:db8:1::100/128");
}

static void test_pattern_prefix(void **state)
{
	struct bindset_elem e = elem("vnet*", "2001:db8:1::",
				     "2001:db8:1:0:ffff:ffff:ffff:ffff");
	struct engine_binding b;
	char text[BINDING_TEXT], nft[BINDING_NFT_TEXT];

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	expect_binding(&b, "vnet", true, "2001:db8:1::",
		       "2001:db8:1:0:ffff:ffff:ffff:ffff");
	assert_string_equal(binding_format(&b, text), "vnet* = 2001:db8:1::/64");
	assert_string_equal(binding_nft_element(&b, nft),
			    "\"vnet*\" . 2001:db8:1::/64");
}

/* Docker's /80 behind every user-defined network's bridge. */
static void test_pattern_80(void **state)
{
	struct bindset_elem e = elem("br-*", "2001:db8:1:0:d0c::",
				     "2001:db8:1:0:d0c:ffff:ffff:ffff");
	struct engine_binding b;
	char text[BINDING_TEXT];

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	assert_string_equal(binding_format(&b, text),
			    "br-* = 2001:db8:1:0:d0c::/80");
}

static void test_range(void **state)
{
	struct bindset_elem e = elem("tap2", "2001:db8:1::200", "2001:db8:1::300");
	struct engine_binding b;
	char text[BINDING_TEXT], nft[BINDING_NFT_TEXT];
	unsigned int len;

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	expect_binding(&b, "tap2", false, "2001:db8:1::200", "2001:db8:1::300");
	assert_false(binding_prefix_len(&b, &len));
	assert_string_equal(binding_format(&b, text),
			    "tap2 = 2001:db8:1::200-2001:db8:1::300");
	assert_string_equal(binding_nft_element(&b, nft),
			    "\"tap2\" . 2001:db8:1::200-2001:db8:1::300");
	/* A range that is a prefix after all is written as one (nft does). */
	e = elem("tap1", "2001:db8:1::200", "2001:db8:1::2ff");
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	assert_string_equal(binding_format(&b, text), "tap1 = 2001:db8:1::200/120");
}

static void test_everything(void **state)
{
	struct bindset_elem e = elem("eth0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	struct engine_binding b;
	char text[BINDING_TEXT];

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	assert_string_equal(binding_format(&b, text), "eth0 = ::/0");
}

/* A set without flags interval: the key alone, one name, one address. */
static void test_no_end(void **state)
{
	struct bindset_elem e = elem("tap0", "2001:db8:1::100", "2001:db8:1::100");
	struct engine_binding b;

	(void)state;
	assert_int_equal(binding_from_elem(e.key, e.len, NULL, 0, &b),
			 BINDING_ELEM_OK);
	expect_binding(&b, "tap0", false, "2001:db8:1::100", "2001:db8:1::100");
}

static void test_longest_name(void **state)
{
	struct bindset_elem e = elem("abcdefghijklmno", "2001:db8::1", "2001:db8::1");
	struct bindset_elem p = elem("abcdefghijklmn*", "2001:db8::1", "2001:db8::1");
	struct engine_binding b;

	(void)state;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_OK);
	assert_string_equal(b.ifname, "abcdefghijklmno");
	assert_int_equal(decode_one(&p, &b), BINDING_ELEM_OK);
	assert_string_equal(b.ifname, "abcdefghijklmn");
	assert_true(b.prefix);
}

static void test_bad_elements(void **state)
{
	struct bindset_elem e;
	struct engine_binding b;

	(void)state;
	/* Another key length: not this type. */
	e = elem("tap0", "2001:db8::1", "2001:db8::1");
	assert_int_equal(binding_from_elem(e.key, 16, e.key_end, 16, &b),
			 BINDING_ELEM_LENGTH);
	assert_int_equal(binding_from_elem(e.key, e.len, e.key_end, 16, &b),
			 BINDING_ELEM_LENGTH);
	/* The last address before the first. */
	e = elem("tap0", "2001:db8::2", "2001:db8::1");
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_ADDR_RANGE);
	/* An empty name. */
	e = elem("", "2001:db8::1", "2001:db8::1");
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME);
	/* A name without its NUL within 16 bytes. */
	e = elem("tap0", "2001:db8::1", "2001:db8::1");
	memset(e.key, 'a', IF_NAMESIZE);
	memset(e.key_end, 'a', IF_NAMESIZE);
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME);
	/* Bytes after the NUL. */
	e = elem("tap0", "2001:db8::1", "2001:db8::1");
	e.key[10] = e.key_end[10] = 1;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME);
	/* A character no name has. */
	e = elem("ta p", "2001:db8::1", "2001:db8::1");
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME);
	/* A '*' in an exact name ("tap\*" escaped for nft). */
	e = elem("tap0", "2001:db8::1", "2001:db8::1");
	e.key[3] = e.key_end[3] = '*';
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME);
	/* From one name to another: no pattern. */
	e = elem("tap0", "2001:db8::1", "2001:db8::1");
	e.key_end[3] = '9';
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME_RANGE);
	/* A pattern's end that is not all 0xff. */
	e = elem("tap*", "2001:db8::1", "2001:db8::1");
	e.key_end[IF_NAMESIZE - 1] = 0xfe;
	assert_int_equal(decode_one(&e, &b), BINDING_ELEM_NAME_RANGE);
	assert_non_null(strstr(binding_elem_reason(BINDING_ELEM_NAME_RANGE),
				"tap*"));
}

static void test_decode_set(void **state)
{
	struct bindset_elem e[6];
	struct engine_binding *v = NULL;
	struct bindset_report rep;
	unsigned int n = 0;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	e[0] = elem("tap0", "2001:db8:1::100", "2001:db8:1::100");
	e[1] = elem("vnet*", "2001:db8:1::", "2001:db8:1:0:ffff:ffff:ffff:ffff");
	e[2] = elem("tap0", "2001:db8:1::100", "2001:db8:1::100");	/* again */
	e[3] = elem("tap0", "2001:db8::2", "2001:db8::1");		/* bad */
	e[4] = elem("tap9", "2001:db8::9", "2001:db8::9");
	e[4].interval_end = true;
	e[4].end_len = 0;					/* no member */
	e[5] = elem("tap2", "2001:db8:1::200", "2001:db8:1::300");
	assert_int_equal(bindset_decode(e, 6, &v, &n, &rep), 0);
	assert_int_equal(n, 3);
	expect_binding(&v[0], "tap0", false, "2001:db8:1::100", "2001:db8:1::100");
	expect_binding(&v[1], "vnet", true, "2001:db8:1::",
		       "2001:db8:1:0:ffff:ffff:ffff:ffff");
	expect_binding(&v[2], "tap2", false, "2001:db8:1::200", "2001:db8:1::300");
	assert_int_equal(rep.invalid, 1);
	assert_int_equal(rep.first_reason, BINDING_ELEM_ADDR_RANGE);
	assert_non_null(strstr(rep.first_invalid, "tap0"));
	assert_non_null(strchr(rep.first_invalid, '-'));
	free(v);

	/* Empty. */
	v = NULL;
	n = 0;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(bindset_decode(e, 0, &v, &n, &rep), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

/* Many: the array grows past its first 8. */
static void test_decode_many(void **state)
{
	struct bindset_elem *e = calloc(300, sizeof(*e));
	struct engine_binding *v = NULL;
	struct bindset_report rep;
	unsigned int n = 0;

	(void)state;
	assert_non_null(e);
	memset(&rep, 0, sizeof(rep));
	for (unsigned int i = 0; i < 300; i++) {
		char name[16], a[48];

		snprintf(name, sizeof(name), "tap%u", i);
		snprintf(a, sizeof(a), "2001:db8:1::%x", i + 1);
		e[i] = elem(name, a, a);
	}
	assert_int_equal(bindset_decode(e, 300, &v, &n, &rep), 0);
	assert_int_equal(n, 300);
	assert_string_equal(v[299].ifname, "tap299");
	assert_int_equal(rep.invalid, 0);
	free(v);
	free(e);
}

static void test_from_prefix(void **state)
{
	struct ifspec s;
	struct prefix6 p;
	struct engine_binding b;
	unsigned int len = 0;

	(void)state;
	assert_null(ifspec_parse("docker0", 7, &s));
	assert_int_equal(parse_prefix6("2001:db8:1:0:d0c::/80", &p), 0);
	binding_from_prefix(&s, &p, &b);
	expect_binding(&b, "docker0", false, "2001:db8:1:0:d0c::",
		       "2001:db8:1:0:d0c:ffff:ffff:ffff");
	assert_true(binding_prefix_len(&b, &len));
	assert_int_equal(len, 80);
	assert_int_equal(parse_prefix6("2001:db8::/0", &p), 0);
	binding_from_prefix(&s, &p, &b);
	assert_true(binding_prefix_len(&b, &len));
	assert_int_equal(len, 0);
	assert_int_equal(parse_prefix6("2001:db8::7/127", &p), 0);
	binding_from_prefix(&s, &p, &b);
	expect_binding(&b, "docker0", false, "2001:db8::6", "2001:db8::7");
	assert_true(binding_prefix_len(&b, &len));
	assert_int_equal(len, 127);
}

static void test_add_equal(void **state)
{
	struct bindset_elem a = elem("tap0", "2001:db8::1", "2001:db8::1");
	struct bindset_elem p = elem("tap0*", "2001:db8::1", "2001:db8::1");
	struct engine_binding ba, bp, *v = NULL;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(decode_one(&a, &ba), BINDING_ELEM_OK);
	assert_int_equal(decode_one(&p, &bp), BINDING_ELEM_OK);
	assert_false(binding_equal(&ba, &bp));	/* "tap0" is not "tap0*" */
	assert_int_equal(binding_add(&v, &n, &ba), 0);
	assert_int_equal(binding_add(&v, &n, &bp), 0);
	assert_int_equal(binding_add(&v, &n, &ba), 0);
	assert_int_equal(n, 2);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_name_single_address),
		cmocka_unit_test(test_pattern_prefix),
		cmocka_unit_test(test_pattern_80),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_no_end),
		cmocka_unit_test(test_longest_name),
		cmocka_unit_test(test_bad_elements),
		cmocka_unit_test(test_decode_set),
		cmocka_unit_test(test_decode_many),
		cmocka_unit_test(test_from_prefix),
		cmocka_unit_test(test_add_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
