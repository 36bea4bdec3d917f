/*
 * bench/nscap: reaction latency from kernel timestamps.
 *
 *   nscap -m MASTER -s SLAVE[,SLAVE...] -o OUT.json [-l LAT.txt] [-r RAW.txt]
 *         [-T SECONDS]
 *
 * One packet socket (ETH_P_ALL, TPACKET_V2 ring) in the router's namespace
 * sees every interface; a classic BPF filter keeps ICMPv6 NS and echo
 * requests. Each frame carries the kernel's timestamp (one clock for all
 * interfaces), taken where tcpdump would see it: for an outgoing frame when
 * it is handed to the device, for an incoming one when it is received.
 *
 *   t0(X)  the first NS for target X on the master, either direction (the
 *          host's own NS going out, or one arriving from the upstream)
 *   t1(X)  the first packet for X leaving a slave: an NS for X (the kernel
 *          resolving X there) or an echo request to X
 *   tall(X) the time by which every slave has sent its first packet for X
 *
 * Reaction latency is t1 - t0. Every NS on the master counts: one that got
 * no reaction before the capture stopped counts as infinitely late, so a
 * percentile that falls among those is reported as null ("not within the
 * window").
 *
 * The ring is read only at the end: reading it while the run goes on would
 * take CPU from what is measured (on two CPUs, processing a block of a few
 * thousand frames cost the measured process milliseconds). It holds 262,144
 * frames, in the order the kernel wrote them; frames beyond are counted as
 * drops.
 *
 * Prints "ready" on stdout once the ring is live; stops on SIGINT,
 * SIGTERM or after SECONDS (default 60), reads the ring, writes OUT.json
 * and, with -l, the first-slave latencies in microseconds, one per line;
 * with -r, one line per NS in the order they were sent: its time (ns since
 * the first), its first-slave and all-slaves latencies in ns (-1: none).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define MAX_SLAVES 8
#define HASH_BITS 18
#define HASH_SIZE (1u << HASH_BITS)
#define MAX_ENTRIES (HASH_SIZE / 2)
#define BLOCK_SIZE (1u << 20)
#define BLOCK_NR 64
#define FRAME_SIZE 256		/* header, sockaddr_ll, 128 bytes of frame */
#define FRAME_NR (BLOCK_SIZE / FRAME_SIZE * BLOCK_NR)	/* 262,144 */

struct entry {
	uint8_t target[16];
	uint64_t t0;			/* ns since the epoch, 0: not seen */
	uint64_t t_slave[MAX_SLAVES];
	uint8_t used;
};

static struct entry *table;
static unsigned int nentries, overflow;
static volatile sig_atomic_t stop;
static unsigned int master_idx, slave_idx[MAX_SLAVES], nslaves;
static unsigned long master_ns, slave_pkts, other_pkts;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t hash16(const uint8_t *t)
{
	uint64_t a, b;

	memcpy(&a, t, 8);
	memcpy(&b, t + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(a >> (64 - HASH_BITS));
}

static struct entry *lookup(const uint8_t *t)
{
	uint32_t h = hash16(t);

	for (uint32_t i = 0; i < HASH_SIZE; i++) {
		struct entry *e = &table[(h + i) & (HASH_SIZE - 1)];

		if (!e->used) {
			if (nentries >= MAX_ENTRIES) {
				overflow++;
				return NULL;
			}
			e->used = 1;
			memcpy(e->target, t, 16);
			nentries++;
			return e;
		}
		if (memcmp(e->target, t, 16) == 0)
			return e;
	}
	return NULL;
}

static void frame(const struct tpacket2_hdr *h)
{
	const struct sockaddr_ll *sll =
		(const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	const uint8_t *data = (const uint8_t *)h + h->tp_mac;
	uint64_t ts = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
	const uint8_t *t;
	struct entry *e;
	int type;

	t = bench_frame_target(data, h->tp_snaplen, &type);
	if (!t || !bench_is_target(t)) {
		other_pkts++;
		return;
	}
	if ((unsigned int)sll->sll_ifindex == master_idx) {
		if (type != 135)
			return;
		master_ns++;
		e = lookup(t);
		if (e && !e->t0)
			e->t0 = ts;
		return;
	}
	if (sll->sll_pkttype != PACKET_OUTGOING)
		return;
	for (unsigned int i = 0; i < nslaves; i++) {
		if ((unsigned int)sll->sll_ifindex != slave_idx[i])
			continue;
		slave_pkts++;
		e = lookup(t);
		if (e && !e->t_slave[i])
			e->t_slave[i] = ts;
		return;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank over n values, of which the last `missing` are infinite. */
static void print_pct(FILE *f, const char *name, const uint64_t *v, size_t n,
		      size_t total, double p)
{
	size_t k = (size_t)(p * (double)total + 0.999999);

	if (k < 1)
		k = 1;
	if (total == 0 || k > n)
		fprintf(f, "\"%s\":null,", name);
	else
		fprintf(f, "\"%s\":%.1f,", name, v[k - 1] / 1000.0);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *latfile = NULL, *rawfile = NULL;
	char *slaves = NULL;
	unsigned long seconds = 60;
	struct tpacket_req req;
	struct sock_filter code[BENCH_BPF_LEN];
	struct sock_fprog prog = { BENCH_BPF_LEN, code };
	struct tpacket_stats st;
	socklen_t stlen = sizeof(st);
	int fd, opt, v = TPACKET_V2;
	uint8_t *ring;
	uint64_t deadline;
	unsigned long drops = 0;

	while ((opt = getopt(argc, argv, "m:s:o:l:r:T:h")) != -1) {
		switch (opt) {
		case 'm': master_idx = if_nametoindex(optarg); break;
		case 's': slaves = optarg; break;
		case 'o': out = optarg; break;
		case 'l': latfile = optarg; break;
		case 'r': rawfile = optarg; break;
		case 'T': seconds = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: nscap -m MASTER -s SLAVE[,SLAVE...] -o OUT.json "
				"[-l LAT.txt] [-r RAW.txt] [-T SECONDS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!master_idx || !slaves || !out || seconds == 0 || seconds > 600) {
		fprintf(stderr, "nscap: need -m (an existing interface), -s and -o\n");
		return 2;
	}
	for (char *s = strtok(slaves, ","); s; s = strtok(NULL, ",")) {
		if (nslaves == MAX_SLAVES || !(slave_idx[nslaves] = if_nametoindex(s))) {
			fprintf(stderr, "nscap: slave %s: no such interface (or too many)\n", s);
			return 2;
		}
		nslaves++;
	}
	table = calloc(HASH_SIZE, sizeof(*table));
	if (!table)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd == -1) {
		perror("nscap: packet socket");
		return 1;
	}
	bench_bpf(code, 0, 1);
	memset(&req, 0, sizeof(req));
	req.tp_block_size = BLOCK_SIZE;
	req.tp_block_nr = BLOCK_NR;
	req.tp_frame_size = FRAME_SIZE;
	req.tp_frame_nr = FRAME_NR;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) == -1 ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) == -1) {
		perror("nscap: filter / TPACKET_V2 ring");
		return 1;
	}
	ring = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_NR, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_LOCKED, fd, 0);
	if (ring == MAP_FAILED)
		ring = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_NR, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		perror("nscap: mmap");
		return 1;
	}
	/* Frames that matched before the filter was attached: none (bound after). */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror("nscap: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	deadline = bench_mono_ns() + (uint64_t)seconds * 1000000000ull;
	while (!stop && bench_mono_ns() < deadline) {
		struct timespec ts = { 0, 20 * 1000000 };

		nanosleep(&ts, NULL);	/* a signal cuts it short */
	}
	for (uint32_t i = 0; i < FRAME_NR; i++) {
		struct tpacket2_hdr *h = (void *)(ring + (size_t)i * FRAME_SIZE);

		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		frame(h);
	}
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen) == 0)
		drops = st.tp_drops;

	/* Latencies: to the first slave, and to all slaves. */
	uint64_t *first = calloc(MAX_ENTRIES, sizeof(uint64_t));
	uint64_t *all = calloc(MAX_ENTRIES, sizeof(uint64_t));
	struct raw { uint64_t t0; int64_t first, all; } *raw = calloc(MAX_ENTRIES, sizeof(*raw));
	size_t total = 0, nfirst = 0, nall = 0, negative = 0, slave_only = 0;

	if (!first || !all || !raw)
		return 1;
	for (uint32_t i = 0; i < HASH_SIZE; i++) {
		const struct entry *e = &table[i];
		uint64_t lo = UINT64_MAX, hi = 0;
		unsigned int seen = 0;

		if (!e->used)
			continue;
		if (!e->t0) {
			slave_only++;
			continue;
		}
		raw[total].t0 = e->t0;
		raw[total].first = raw[total].all = -1;
		total++;
		for (unsigned int j = 0; j < nslaves; j++) {
			if (!e->t_slave[j])
				continue;
			seen++;
			if (e->t_slave[j] < lo)
				lo = e->t_slave[j];
			if (e->t_slave[j] > hi)
				hi = e->t_slave[j];
		}
		if (!seen)
			continue;
		if (lo < e->t0) {
			negative++;
			lo = e->t0;
		}
		first[nfirst++] = lo - e->t0;
		raw[total - 1].first = (int64_t)(lo - e->t0);
		if (seen == nslaves) {
			all[nall++] = (hi < e->t0 ? e->t0 : hi) - e->t0;
			raw[total - 1].all = (int64_t)all[nall - 1];
		}
	}
	qsort(first, nfirst, sizeof(uint64_t), cmp_u64);
	qsort(all, nall, sizeof(uint64_t), cmp_u64);

	FILE *f = fopen(out, "w");

	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "{\"ns_on_master\":%zu,\"ns_frames_on_master\":%lu,\"reacted\":%zu,"
		"\"reacted_all_slaves\":%zu,", total, master_ns, nfirst, nall);
	print_pct(f, "p50_us", first, nfirst, total, 0.50);
	print_pct(f, "p99_us", first, nfirst, total, 0.99);
	if (nfirst == total && total)
		fprintf(f, "\"max_us\":%.1f,", first[nfirst - 1] / 1000.0);
	else
		fprintf(f, "\"max_us\":null,");
	fprintf(f, "\"min_us\":%.1f,", nfirst ? first[0] / 1000.0 : 0.0);
	print_pct(f, "all_p50_us", all, nall, total, 0.50);
	print_pct(f, "all_p99_us", all, nall, total, 0.99);
	fprintf(f, "\"slave_frames\":%lu,\"slave_only_targets\":%zu,\"negative\":%zu,"
		"\"ring_drops\":%lu,\"table_overflow\":%u}\n", slave_pkts, slave_only,
		negative, drops, overflow);
	fclose(f);
	if (latfile) {
		f = fopen(latfile, "w");
		if (!f) {
			perror(latfile);
			return 1;
		}
		for (size_t i = 0; i < nfirst; i++)
			fprintf(f, "%.3f\n", first[i] / 1000.0);
		fclose(f);
	}
	if (rawfile) {
		f = fopen(rawfile, "w");
		if (!f) {
			perror(rawfile);
			return 1;
		}
		qsort(raw, total, sizeof(*raw), cmp_u64);	/* by t0, the first field */
		for (size_t i = 0; i < total; i++)
			fprintf(f, "%" PRIu64 " %" PRId64 " %" PRId64 "\n",
				raw[i].t0 - raw[0].t0, raw[i].first, raw[i].all);
		fclose(f);
	}
	return 0;
}
