/*
 * Unit tests for interface names: the command line's rules, and keys of
 * nftables ifname set elements (zero padded to IFNAMSIZ, or hostile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ifname.h"
#include "nftwatch.h"

/* A key as nft stores it: the name, zero padded to 16 bytes. */
static enum ifname_key from_name(const char *name, char out[IF_NAMESIZE])
{
	unsigned char key[IF_NAMESIZE] = { 0 };

	memcpy(key, name, strlen(name) < sizeof(key) ? strlen(name) : sizeof(key));
	return ifname_from_key(key, sizeof(key), out);
}

static void test_valid_names(void **state)
{
	static const char *const good[] = {
		"eth0", "s1", "veth-a.10", "br_lan", "wg0@x", "a", "123456789012345",
		"vnet*", "..a", "a.",
	};
	char out[IF_NAMESIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(ifname_valid(good[i], strlen(good[i])));
		assert_int_equal(from_name(good[i], out), IFNAME_KEY_OK);
		assert_string_equal(out, good[i]);
	}
}

static void test_invalid_names(void **state)
{
	static const char *const bad[] = {
		".", "..", "a b", "a\tb", "q\nx", "a/b", "a:b", "q\"x", "x\\y",
		"q'x", "q\"} 9\nx{a=\"b", "\x7f", "caf\xc3\xa9",
	};
	char out[IF_NAMESIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(ifname_valid(bad[i], strlen(bad[i])));
		strcpy(out, "junk");
		assert_int_equal(from_name(bad[i], out), IFNAME_KEY_CHARS);
		assert_string_equal(out, "");
	}
	assert_false(ifname_valid("", 0));
	assert_false(ifname_valid("1234567890123456", 16));
}

static void test_keys(void **state)
{
	/* 2001:db8::1 as an ipv6_addr key: binary, not a name. */
	static const unsigned char v6[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	unsigned char key[IF_NAMESIZE];
	char out[IF_NAMESIZE];

	(void)state;
	memset(key, 0, sizeof(key));
	assert_int_equal(ifname_from_key(key, sizeof(key), out), IFNAME_KEY_EMPTY);
	assert_int_equal(ifname_from_key(key, 0, out), IFNAME_KEY_EMPTY);
	/* 16 characters: no room for the NUL. */
	memset(key, 'a', sizeof(key));
	assert_int_equal(ifname_from_key(key, sizeof(key), out),
			 IFNAME_KEY_UNTERMINATED);
	/* Longer than IFNAMSIZ, terminated late. */
	{
		unsigned char big[20];

		memset(big, 'b', sizeof(big));
		big[17] = '\0';
		assert_int_equal(ifname_from_key(big, sizeof(big), out),
				 IFNAME_KEY_UNTERMINATED);
	}
	/* Bytes after the NUL: binary data. */
	assert_int_equal(ifname_from_key(v6, sizeof(v6), out), IFNAME_KEY_PADDING);
	memset(key, 0, sizeof(key));
	memcpy(key, "s1", 2);
	key[15] = 1;
	assert_int_equal(ifname_from_key(key, sizeof(key), out), IFNAME_KEY_PADDING);
	/* A short key without its NUL is a name of that length. */
	assert_int_equal(ifname_from_key("eth0", 4, out), IFNAME_KEY_OK);
	assert_string_equal(out, "eth0");
	/* 15 characters and the NUL: the longest name. */
	memset(key, 'c', 15);
	key[15] = '\0';
	assert_int_equal(ifname_from_key(key, sizeof(key), out), IFNAME_KEY_OK);
	assert_int_equal(strlen(out), 15);

	for (int why = 0; why <= IFNAME_KEY_MAX; why++)
		assert_non_null(ifname_key_reason((enum ifname_key)why));
}

static void test_printable(void **state)
{
	unsigned char key[IF_NAMESIZE] = { 0 };
	char buf[4 * IF_NAMESIZE + 1];

	(void)state;
	memcpy(key, "q\"} 9\nx{a=\"b", 12);
	ifname_key_printable(key, sizeof(key), buf, sizeof(buf));
	assert_string_equal(buf, "q\\x22}\\x209\\x0ax{a=\\x22b");
	ifname_key_printable("a\\b", 3, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x5cb");
	/* Cut to fit, never a partial escape. */
	memset(key, 0xff, sizeof(key));
	ifname_key_printable(key, sizeof(key), buf, 10);
	assert_string_equal(buf, "\\xff\\xff");
	ifname_key_printable(key, sizeof(key), buf, sizeof(buf));
	assert_int_equal(strlen(buf), 64);
}

static void test_key_type_names(void **state)
{
	char buf[48];

	(void)state;
	assert_string_equal(nftwatch_key_type_name(41, buf, sizeof(buf)), "ifname");
	assert_string_equal(nftwatch_key_type_name(8, buf, sizeof(buf)), "ipv6_addr");
	assert_string_equal(nftwatch_key_type_name(20, buf, sizeof(buf)), "iface_index");
	assert_string_equal(nftwatch_key_type_name(2632, buf, sizeof(buf)),
			    "a concatenation (2632)");
	assert_string_equal(nftwatch_key_type_name(0, buf, sizeof(buf)), "datatype 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_key_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
