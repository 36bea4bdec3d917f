/*
 * What the unit tests that drive a real engine through intake share
 * (test_intake.c, test_learn_adopt.c): one group with a master and two
 * slaves, the host's 2001:db8::1/64 on the master, addresses in it, and
 * the egress actions neither looks at. Included after cmocka.h.
 */
#ifndef NS_MONITOR_TEST_ENGINE_RIG_H
#define NS_MONITOR_TEST_ENGINE_RIG_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"

#define SEC 1000000000ull
#define T0 (1000 * SEC)
#define GROUP 135
#define MASTER 10u
#define SLAVE1 101u
#define SLAVE2 102u

/* 2001:db8::<n>, inside the master's 2001:db8::/64 */
static inline struct in6_addr addr(uint8_t n)
{
	struct in6_addr a;

	memset(&a, 0, sizeof(a));
	a.s6_addr[0] = 0x20;
	a.s6_addr[1] = 0x01;
	a.s6_addr[2] = 0x0d;
	a.s6_addr[3] = 0xb8;
	a.s6_addr[15] = n;
	return a;
}

static inline void fk_proxy(void *ctx, uint16_t group,
			    const struct in6_addr *t, unsigned int master)
{
	(void)ctx;
	(void)group;
	(void)t;
	(void)master;
}

/* Route actions neither test looks at. */
static inline void fk_route_add_none(void *ctx, uint16_t group,
				     const struct in6_addr *t,
				     unsigned int slave, const uint8_t *mac)
{
	(void)ctx;
	(void)group;
	(void)t;
	(void)slave;
	(void)mac;
}

static inline void fk_route_none(void *ctx, uint16_t group,
				 const struct in6_addr *t, unsigned int slave)
{
	(void)ctx;
	(void)group;
	(void)t;
	(void)slave;
}

static inline void fk_route_move(void *ctx, uint16_t group,
				 const struct in6_addr *t, unsigned int from,
				 unsigned int to)
{
	(void)ctx;
	(void)group;
	(void)t;
	(void)from;
	(void)to;
}

/*
 * An engine with options o and egress eg, at T0, on GROUP: master MASTER
 * with the host's 2001:db8::1/64 (its prefix on-link), slaves SLAVE1
 * ("s1") and SLAVE2 ("s2").
 */
static inline struct engine *rig_engine(const struct engine_options *o,
					const struct engine_egress *eg)
{
	struct engine *e = engine_init(o, eg, T0);
	struct in6_addr host = addr(1);

	assert_non_null(e);
	assert_int_equal(engine_master(e, GROUP, MASTER, true, T0), 0);
	assert_int_equal(engine_slave(e, GROUP, SLAVE1, "s1", true, T0), 0);
	assert_int_equal(engine_slave(e, GROUP, SLAVE2, "s2", true, T0), 0);
	assert_int_equal(engine_local_addr(e, MASTER, &host, 64, true), 0);
	return e;
}

#endif
