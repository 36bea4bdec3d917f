/* The forward-hook heuristic: Docker's ip6tables layout, jumps, patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fwdfilter.h"

#define ANY { FWD_IF_ANY, { "", false } }
#define EQ(n) { FWD_IF_EQ, { n, false } }
#define NE(n) { FWD_IF_NE, { n, false } }
#define EQP(n) { FWD_IF_EQ, { n, true } }
#define RULE(act, i, o, other, tgt) { act, i, o, other, tgt }
#define CHAIN(name, base, policy, r) \
	{ "ip6", "filter", name, base, 0, policy, r, sizeof(r) / sizeof(r[0]) }

static const struct ifspec m0 = { "m0", false };
static const struct ifspec docker0 = { "docker0", false };
static const struct ifspec br_any = { "br-", true };
static const struct ifspec br_one = { "br-1a2b3c", false };

/* Docker 20.10's FORWARD and its chains for docker0, as ip6tables-nft loads them. */
static const struct fwdfilter_rule forward[] = {
	RULE(FWD_JUMP, ANY, ANY, false, "DOCKER-USER"),
	RULE(FWD_JUMP, ANY, ANY, false, "DOCKER-ISOLATION-STAGE-1"),
	RULE(FWD_ACCEPT, ANY, EQ("docker0"), true, ""),	/* ctstate RELATED,ESTABLISHED */
	RULE(FWD_JUMP, ANY, EQ("docker0"), false, "DOCKER"),
	RULE(FWD_ACCEPT, EQ("docker0"), NE("docker0"), false, ""),
	RULE(FWD_ACCEPT, EQ("docker0"), EQ("docker0"), false, ""),
};
static const struct fwdfilter_rule docker[] = {
	RULE(FWD_ACCEPT, NE("docker0"), EQ("docker0"), true, ""),	/* -d ... --dport 80 */
};
static const struct fwdfilter_rule stage1[] = {
	RULE(FWD_JUMP, EQ("docker0"), NE("docker0"), false, "DOCKER-ISOLATION-STAGE-2"),
	RULE(FWD_RETURN, ANY, ANY, false, ""),
};
static const struct fwdfilter_rule stage2[] = {
	RULE(FWD_DROP, ANY, EQ("docker0"), false, ""),
	RULE(FWD_RETURN, ANY, ANY, false, ""),
};
static const struct fwdfilter_rule user_return[] = {
	RULE(FWD_RETURN, ANY, ANY, false, ""),
};
static const struct fwdfilter_rule user_accept[] = {
	RULE(FWD_ACCEPT, EQ("m0"), EQ("docker0"), false, ""),
	RULE(FWD_RETURN, ANY, ANY, false, ""),
};

static void test_docker_policy_drop(void **state)
{
	struct fwdfilter_chain t[] = {
		CHAIN("FORWARD", true, true, forward),
		CHAIN("DOCKER", false, false, docker),
		CHAIN("DOCKER-ISOLATION-STAGE-1", false, false, stage1),
		CHAIN("DOCKER-ISOLATION-STAGE-2", false, false, stage2),
		CHAIN("DOCKER-USER", false, false, user_return),
	};
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(t, 5, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_DROPS);
	assert_string_equal(why, "it has policy drop");
	/* The other way, container to upstream, Docker accepts. */
	assert_int_equal(fwdfilter_judge(t, 5, 0, &docker0, &m0, why, sizeof(why)),
			 FWD_ALLOWED);
}

static void test_docker_user_accept(void **state)
{
	struct fwdfilter_chain t[] = {
		CHAIN("FORWARD", true, true, forward),
		CHAIN("DOCKER", false, false, docker),
		CHAIN("DOCKER-ISOLATION-STAGE-1", false, false, stage1),
		CHAIN("DOCKER-ISOLATION-STAGE-2", false, false, stage2),
		CHAIN("DOCKER-USER", false, false, user_accept),
	};
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(t, 5, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_ALLOWED);
	/* Another master is not let through by it. */
	struct ifspec m1 = { "m1", false };
	assert_int_equal(fwdfilter_judge(t, 5, 0, &m1, &docker0, why, sizeof(why)),
			 FWD_DROPS);
}

static void test_inserted_accept_and_patterns(void **state)
{
	static const struct fwdfilter_rule rules[] = {
		RULE(FWD_ACCEPT, EQ("m0"), EQP("br-"), false, ""),	/* -i m0 -o br-+ */
		RULE(FWD_DROP, ANY, ANY, false, ""),
	};
	struct fwdfilter_chain t[] = { CHAIN("FORWARD", true, false, rules) };
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &br_one, why, sizeof(why)),
			 FWD_ALLOWED);
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &br_any, why, sizeof(why)),
			 FWD_ALLOWED);
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_DROPS);
	assert_non_null(strstr(why, "rule 2"));
}

/* An accept for one bridge does not cover a slave pattern of many. */
static void test_pattern_partly_covered(void **state)
{
	static const struct fwdfilter_rule rules[] = {
		RULE(FWD_ACCEPT, EQ("m0"), EQ("br-1a2b3c"), false, ""),
	};
	struct fwdfilter_chain t[] = { CHAIN("FORWARD", true, true, rules) };
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &br_any, why, sizeof(why)),
			 FWD_DROPS);
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &br_one, why, sizeof(why)),
			 FWD_ALLOWED);
}

/* Conditional drops and accepts count neither way; a drop in a jumped-to chain does. */
static void test_conditions_and_jumps(void **state)
{
	static const struct fwdfilter_rule cond[] = {
		RULE(FWD_DROP, ANY, ANY, true, ""),		/* tcp dport 23 drop */
		RULE(FWD_ACCEPT, ANY, ANY, true, ""),		/* ct state established */
	};
	static const struct fwdfilter_rule jumping[] = {
		RULE(FWD_JUMP, ANY, EQ("docker0"), false, "deny"),
	};
	static const struct fwdfilter_rule deny[] = {
		RULE(FWD_DROP, ANY, ANY, false, ""),
	};
	static const struct fwdfilter_rule go[] = {
		RULE(FWD_GOTO, ANY, ANY, false, "nothing"),
		RULE(FWD_ACCEPT, ANY, ANY, false, ""),
	};
	static const struct fwdfilter_rule nothing[] = {
		RULE(FWD_CONTINUE, ANY, ANY, false, ""),
	};
	struct fwdfilter_chain a[] = { CHAIN("forward", true, false, cond) };
	struct fwdfilter_chain b[] = {
		CHAIN("forward", true, false, jumping),
		CHAIN("deny", false, false, deny),
	};
	struct fwdfilter_chain c[] = {
		CHAIN("forward", true, true, go),
		CHAIN("nothing", false, false, nothing),
	};
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(a, 1, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_PASSES);
	assert_int_equal(fwdfilter_judge(b, 2, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_DROPS);
	assert_non_null(strstr(why, "chain deny"));
	assert_int_equal(fwdfilter_judge(b, 2, 0, &m0, &br_one, why, sizeof(why)),
			 FWD_PASSES);
	/* After a goto that returns, the base chain's policy, not its next rule. */
	assert_int_equal(fwdfilter_judge(c, 2, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_DROPS);
}

static void test_loop_bounded(void **state)
{
	static const struct fwdfilter_rule self[] = {
		RULE(FWD_JUMP, ANY, ANY, false, "forward"),
	};
	struct fwdfilter_chain t[] = { CHAIN("forward", true, false, self) };
	char why[128];

	(void)state;
	assert_int_equal(fwdfilter_judge(t, 1, 0, &m0, &docker0, why, sizeof(why)),
			 FWD_PASSES);
}

static void test_accept_rule_text(void **state)
{
	char nft[96], ipt[96];

	(void)state;
	fwdfilter_accept_rule(&m0, &br_any, nft, sizeof(nft), ipt, sizeof(ipt));
	assert_string_equal(nft, "iifname \"m0\" oifname \"br-*\" accept");
	assert_string_equal(ipt, "-i m0 -o br-+ -j ACCEPT");
	fwdfilter_accept_rule(&m0, &docker0, nft, sizeof(nft), ipt, sizeof(ipt));
	assert_string_equal(ipt, "-i m0 -o docker0 -j ACCEPT");
}

static void test_pairs_and_advice(void **state)
{
	struct fwdfilter_chain t[] = {
		CHAIN("FORWARD", true, true, forward),
		CHAIN("DOCKER", false, false, docker),
		CHAIN("DOCKER-ISOLATION-STAGE-1", false, false, stage1),
		CHAIN("DOCKER-ISOLATION-STAGE-2", false, false, stage2),
		CHAIN("DOCKER-USER", false, false, user_accept),
	};
	const struct ifspec masters[] = { { "m0", false }, { "m1", false } };
	const struct ifspec slaves[] = { { "docker0", false }, { "br-", true } };
	struct fwdfilter_finding f;
	char advice[256];

	(void)state;
	/* m0 -> docker0 is let through by DOCKER-USER; the other three are not. */
	assert_true(fwdfilter_judge_pairs(t, 5, 0, masters, 2, slaves, 2, &f));
	assert_int_equal(f.pairs, 3);
	assert_string_equal(f.master->name, "m0");
	assert_string_equal(f.slave->name, "br-");
	fwdfilter_advice(t, 5, 0, &f, advice, sizeof(advice));
	assert_string_equal(advice,
		"nft insert rule ip6 filter FORWARD iifname \"m0\" oifname \"br-*\" accept, "
		"or with ip6tables: ip6tables -I DOCKER-USER -i m0 -o br-+ -j ACCEPT");
	assert_false(fwdfilter_judge_pairs(t, 5, 0, masters, 1, slaves, 1, &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_policy_drop),
		cmocka_unit_test(test_docker_user_accept),
		cmocka_unit_test(test_inserted_accept_and_patterns),
		cmocka_unit_test(test_pattern_partly_covered),
		cmocka_unit_test(test_conditions_and_jumps),
		cmocka_unit_test(test_loop_bounded),
		cmocka_unit_test(test_accept_rule_text),
		cmocka_unit_test(test_pairs_and_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
