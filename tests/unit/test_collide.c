/* A slave's addresses against the master's link: Docker's whole-/64 network. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "collide.h"

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static void test_docker_layouts(void **state)
{
	struct in6_addr used[2], mp = A("2001:db8:1::"), a;
	size_t which = 99;

	(void)state;
	used[0] = A("2001:db8:1::10");	/* the host's on m0 */
	used[1] = A("2001:db8:1::1");	/* the upstream router */
	/* --subnet 2001:db8:1::/64: the router's address on the bridge. */
	a = A("2001:db8:1::1");
	assert_int_equal(collide_judge(&a, 64, &mp, 64, used, 2, &which), COLLIDE_SAME);
	assert_int_equal(which, 1);
	/* Another address of the whole /64. */
	a = A("2001:db8:1::5");
	assert_int_equal(collide_judge(&a, 64, &mp, 64, used, 2, &which), COLLIDE_WHOLE);
	/* A /72 that holds the host's address. */
	a = A("2001:db8:1::ff");
	assert_int_equal(collide_judge(&a, 72, &mp, 64, used, 2, &which), COLLIDE_HOLDS);
	assert_int_equal(which, 0);
	/* The README's /80: safe. */
	a = A("2001:db8:1:0:d0c::1");
	assert_int_equal(collide_judge(&a, 80, &mp, 64, used, 2, &which), COLLIDE_NONE);
	/* Another prefix altogether, and a /128. */
	a = A("2001:db8:2::1");
	assert_int_equal(collide_judge(&a, 64, &mp, 64, used, 2, &which), COLLIDE_NONE);
	a = A("2001:db8:1::100");
	assert_int_equal(collide_judge(&a, 128, &mp, 64, used, 2, &which), COLLIDE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
