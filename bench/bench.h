/*
 * Shared by the benchmark tools: the target layout, the NS listener filter
 * of the comparison methods, clocks.
 *
 * Targets. Target i is 2001:db8:1:0:aa:IIII:II00:1: its index sits in bits
 * 24..47 of the interface identifier and its low 24 bits are always 000001,
 * so every target has the same solicited-node group ff02::1:ff00:1. A flood
 * of distinct targets then makes one multicast neighbor entry, not one per
 * target: the neighbor table is shared by the whole host. All targets are
 * in 2001:db8:1:0:aa::/80.
 */
#ifndef NS_BENCH_H
#define NS_BENCH_H

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BENCH_TARGET_MAX 0xffffffu

static inline void bench_target(uint32_t i, struct in6_addr *t)
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
					  0x00, 0x00, 0x00, 0xaa, 0, 0, 0,
					  0x00, 0x00, 0x01 };

	memcpy(t, base, sizeof(base));
	t->s6_addr[10] = (uint8_t)(i >> 16);
	t->s6_addr[11] = (uint8_t)(i >> 8);
	t->s6_addr[12] = (uint8_t)i;
}

/* Whether t lies in 2001:db8:1:0:aa::/80, the benchmark's targets. */
static inline int bench_is_target(const uint8_t *t)
{
	static const uint8_t base[10] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
					  0x00, 0x00, 0x00, 0xaa };

	return memcmp(t, base, sizeof(base)) == 0;
}

static inline uint64_t bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Classic BPF for an ETH_P_ALL packet socket on Ethernet (veth): ICMPv6
 * without extension headers whose type is 135 (NS), or 128 (echo request)
 * when `echo` is set; with `outgoing_only`, only packets this host sends
 * (PACKET_OUTGOING). Accepts 128 bytes: headers and the NS target.
 */
#define BENCH_BPF_LEN 12

static inline void bench_bpf(struct sock_filter *f, int outgoing_only, int echo)
{
	struct sock_filter prog[BENCH_BPF_LEN] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 1, 0),
		/* 2 */ BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0),	/* patched below */
		/* 3 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
		/* 5 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 4),
		/* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, echo ? 128 : 135, 0, 1),
		/* 10 */ BPF_STMT(BPF_RET | BPF_K, 128),
		/* 11 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};

	/* Not outgoing: drop (jump to 11), or go on with the checks (to 3). */
	prog[2].k = outgoing_only ? 8 : 0;
	memcpy(f, prog, sizeof(prog));
}

/* The NS target (or echo destination) of a frame the filter accepted. */
static inline const uint8_t *bench_frame_target(const uint8_t *frame,
						unsigned int len, int *type)
{
	if (len < 14 + 40 + 8 + 16)
		return NULL;
	*type = frame[14 + 40];
	if (*type == 135)
		return frame + 14 + 40 + 8;
	if (*type == 128)
		return frame + 14 + 24;	/* IPv6 destination */
	return NULL;
}

#endif
