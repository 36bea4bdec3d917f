/*
 * bench/egress: which way should a probe leave a slave when the main table
 * routes its target via the master?
 *
 *   A  ns-monitor: probe socket bound to the slave with SO_MARK M, one rule
 *      `fwmark M lookup T` and `default dev SLAVE table T` set up once; a
 *      probe is one sendmsg() (echo_send).
 *   B  odhcpd (ndp.c ping6): per probe, RTM_NEWROUTE TARGET/128 dev SLAVE in
 *      the main table (wait for the ack), sendmsg() from a socket bound to the
 *      slave without a mark, RTM_DELROUTE (wait for the ack).
 *
 * Run inside a namespace where the main table routes the targets via another
 * interface (bench/egress.sh builds one). Each timed probe goes to a target
 * never used before, 2001:db8:1:0:1::N, so every send creates an INCOMPLETE
 * neighbor and the kernel sends an NS, as a real probe does. The neighbor
 * table is global to the host (gc_thresh3 counts entries of every namespace
 * and cannot be raised from inside one), so every BATCH probes the benchmark
 * deletes the neighbors it created (RTM_DELNEIGH, outside the timed part).
 *
 * A and B alternate batch by batch, the order flipping each batch, so both see
 * the same machine load. Each probe is timed with CLOCK_MONOTONIC; for B the
 * time includes the route add and delete.
 *
 * A listener on RTNLGRP_IPV6_ROUTE (like any routing daemon, odhcpd included)
 * counts route notifications per method: A must cause none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "config.h"
#include "odhcpd_route.h"
#include "echo.h"
#include "rtnl.h"

#define ID_A 0xa0a0	/* echo identifiers: the runner's nft counters match them */
#define ID_B 0xb0b0
#define MAX_PROBES 1000000u
#define MAX_BATCH 1000u

enum { A, B, NMETHODS };

static const char *const method_name[NMETHODS] = {
	"A fwmark rule, 1 sendmsg (ns-monitor)",
	"B /128 add+send+del (odhcpd)",
};

struct method {
	int fd;
	uint16_t id;
	uint32_t *ns;		/* per-probe times of successful probes */
	size_t n;
	uint32_t *round_ns;	/* scratch: this round's times */
	size_t round_n;
	double *round_median;
	unsigned long sent;	/* successful sends, timed + warm-up + verify */
	unsigned long fail_add, fail_send, fail_del;
	int last_errno;
	unsigned long route_events;	/* RTM_NEWROUTE/DELROUTE seen during its batches */
};

static struct rtnl ctl;		/* route and neighbor requests */
static struct mnl_socket *mon;	/* route notifications */
static unsigned long mon_overruns;
static unsigned int slave_idx;
static struct in6_addr slave_ll;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int neigh_del(const struct in6_addr *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	ndm->ndm_ifindex = (int)slave_idx;
	mnl_attr_put(nlh, NDA_DST, sizeof(*dst), dst);
	if (bench_nl_ack(&ctl, nlh) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Count route notifications queued on the listener; nothing else reads it. */
static unsigned long drain_route_events(void)
{
	char buf[65536];
	unsigned long events = 0;
	int i;

	if (!mon)
		return 0;
	for (i = 0; i < 1000000; i++) {
		ssize_t n = recv(mnl_socket_get_fd(mon), buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len;

		if (n == -1) {
			if (errno == ENOBUFS) {
				mon_overruns++;
				continue;
			}
			break;	/* EAGAIN: drained */
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == RTM_NEWROUTE ||
			    nlh->nlmsg_type == RTM_DELROUTE)
				events++;
	}
	return events;
}

static void target_of(uint32_t n, struct in6_addr *t)
{
	inet_pton(AF_INET6, "2001:db8:1:0:1::", t);
	t->s6_addr[12] = (uint8_t)(n >> 24);
	t->s6_addr[13] = (uint8_t)(n >> 16);
	t->s6_addr[14] = (uint8_t)(n >> 8);
	t->s6_addr[15] = (uint8_t)n;
}

/* One probe by method m; returns 0 on success. */
static int probe(int m, struct method *mt, const struct in6_addr *t, uint16_t seq)
{
	if (m == A) {
		if (echo_send(mt->fd, slave_idx, &slave_ll, t, mt->id, seq) == -1) {
			mt->fail_send++;
			mt->last_errno = errno;
			return -1;
		}
		mt->sent++;
		return 0;
	}
	if (odhcpd_route128(&ctl, 1, t, slave_idx, ODHCPD_PING_METRIC) == -1) {
		mt->fail_add++;
		mt->last_errno = errno;
		return -1;
	}
	int rc = echo_send(mt->fd, slave_idx, &slave_ll, t, mt->id, seq);

	if (rc == -1) {
		mt->fail_send++;
		mt->last_errno = errno;
	} else {
		mt->sent++;
	}
	if (odhcpd_route128(&ctl, 0, t, slave_idx, ODHCPD_PING_METRIC) == -1) {
		mt->fail_del++;
		mt->last_errno = errno;
		rc = -1;
	}
	return rc;
}

static uint32_t next_target;

/* count probes by method m to fresh targets, then delete their neighbors. */
static void run_batch(int m, struct method *mt, unsigned int count, int timed)
{
	struct in6_addr targets[MAX_BATCH];
	unsigned int i;

	drain_route_events();	/* nothing before the batch is counted */
	for (i = 0; i < count; i++) {
		uint64_t t0, t1;
		int rc;

		target_of(++next_target, &targets[i]);
		t0 = now_ns();
		rc = probe(m, mt, &targets[i], (uint16_t)next_target);
		t1 = now_ns();
		if (timed && rc == 0) {
			uint64_t d = t1 - t0;

			mt->round_ns[mt->round_n++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		}
	}
	mt->route_events += drain_route_events();
	for (i = 0; i < count; i++)
		if (neigh_del(&targets[i]) == -1) {
			fprintf(stderr, "egress: RTM_DELNEIGH: %s\n", strerror(errno));
			exit(1);
		}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in microseconds. */
static double pct_us(const uint32_t *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)(p * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1] / 1000.0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: egress -s SLAVE [-r ROUNDS] [-n PROBES] [-b BATCH] [-w WARMUP]\n"
		"              [-a REAL_A -B REAL_B [-c COUNT]] [-q]\n"
		"  -s SLAVE   interface the probes must leave by (bound, link-local source)\n"
		"  -r ROUNDS  rounds (5); -n PROBES timed probes per method per round (2000)\n"
		"  -b BATCH   probes per batch between neighbor deletions (128, max %u)\n"
		"  -w WARMUP  untimed probes per method first (256)\n"
		"  -a/-B ADDR existing targets behind SLAVE: after the rounds, COUNT (3)\n"
		"             probes by A to REAL_A and by B to REAL_B (egress check)\n"
		"  -q         no route-notification listener\n", MAX_BATCH);
}

int main(int argc, char **argv)
{
	const char *slave = NULL;
	unsigned int rounds = 5, per_round = 2000, batch = 128, warmup = 256;
	unsigned int verify = 3, r, i;
	struct in6_addr real[NMETHODS];
	int have_real[NMETHODS] = { 0, 0 };
	int quiet = 0, opt, m, status = 0;
	uint32_t mark = EGRESS_BASE + DEFAULT_GROUP;	/* as the daemon would */
	struct method mt[NMETHODS];
	unsigned long setup_events;

	while ((opt = getopt(argc, argv, "s:r:n:b:w:a:B:c:qh")) != -1) {
		switch (opt) {
		case 's': slave = optarg; break;
		case 'r': rounds = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'n': per_round = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'b': batch = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'w': warmup = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'c': verify = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'a':
		case 'B':
			m = opt == 'a' ? A : B;
			if (inet_pton(AF_INET6, optarg, &real[m]) != 1) {
				fprintf(stderr, "egress: bad address %s\n", optarg);
				return 2;
			}
			have_real[m] = 1;
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!slave || !rounds || !per_round || !batch || batch > MAX_BATCH ||
	    (unsigned long)rounds * per_round > MAX_PROBES || verify > 100) {
		usage(stderr);
		return 2;
	}
	slave_idx = if_nametoindex(slave);
	if (!slave_idx) {
		fprintf(stderr, "egress: %s: %s\n", slave, strerror(errno));
		return 1;
	}
	if (rtnl_open(&ctl) == -1 || rtnl_link_local(&ctl, slave_idx, &slave_ll) == -1) {
		fprintf(stderr, "egress: rtnetlink / link-local of %s: %s\n", slave,
			strerror(errno));
		return 1;
	}

	memset(mt, 0, sizeof(mt));
	for (m = 0; m < NMETHODS; m++) {
		mt[m].id = m == A ? ID_A : ID_B;
		mt[m].fd = echo_socket_open(slave, m == A ? mark : 0);
		mt[m].ns = calloc((size_t)rounds * per_round, sizeof(uint32_t));
		mt[m].round_ns = calloc(per_round, sizeof(uint32_t));
		mt[m].round_median = calloc(rounds, sizeof(double));
		if (mt[m].fd == -1 || !mt[m].ns || !mt[m].round_ns || !mt[m].round_median) {
			fprintf(stderr, "egress: probe socket: %s\n", strerror(errno));
			return 1;
		}
	}

	if (!quiet) {
		int rcvbuf = 64 << 20;

		mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
		if (!mon || mnl_socket_bind(mon, RTMGRP_IPV6_ROUTE, MNL_SOCKET_AUTOPID) == -1 ||
		    setsockopt(mnl_socket_get_fd(mon), SOL_SOCKET, SO_RCVBUFFORCE,
			       &rcvbuf, sizeof(rcvbuf)) == -1) {
			fprintf(stderr, "egress: route listener: %s\n", strerror(errno));
			return 1;
		}
	}

	/* The problem exists: unmarked, bound to the slave, no /128: no route. */
	{
		struct in6_addr t;

		target_of(0, &t);
		if (echo_send(mt[B].fd, slave_idx, &slave_ll, &t, ID_B, 0) == 0 ||
		    errno != ENETUNREACH) {
			fprintf(stderr, "egress: precheck: expected ENETUNREACH from an "
				"unmarked socket bound to %s, got %s: the main table must "
				"route 2001:db8:1:0:1::/80 via another interface\n", slave,
				strerror(errno));
			return 1;
		}
		printf("precheck: bound to %s, no mark, no /128 route: sendmsg -> "
		       "ENETUNREACH (main table routes the targets elsewhere)\n", slave);
	}

	/* Method A's one-time setup, exactly the daemon's calls. */
	rtnl_purge_rules(&ctl, mark, mark);
	rtnl_purge_table(&ctl, mark);
	if (rtnl_rule(&ctl, RTNL_ADD, mark, mark, EGRESS_RULE_PREF) == -1 ||
	    rtnl_default_route(&ctl, RTNL_ADD, slave_idx, mark, 1024) == -1) {
		fprintf(stderr, "egress: egress rule/table setup: %s\n", strerror(errno));
		return 1;
	}
	setup_events = drain_route_events();

	/* Warm-up, untimed, then the interleaved timed rounds. */
	for (m = 0; m < NMETHODS; m++)
		for (i = 0; i < warmup; i += batch)
			run_batch(m, &mt[m], warmup - i < batch ? warmup - i : batch, 0);
	for (m = 0; m < NMETHODS; m++)
		mt[m].route_events = 0;

	uint64_t run_start = now_ns();
	unsigned int flip = 0;

	for (r = 0; r < rounds; r++) {
		for (m = 0; m < NMETHODS; m++)
			mt[m].round_n = 0;
		for (i = 0; i < per_round; i += batch) {
			unsigned int count = per_round - i < batch ? per_round - i : batch;
			int first = (int)(flip++ & 1);

			run_batch(first, &mt[first], count, 1);
			run_batch(!first, &mt[!first], count, 1);
		}
		for (m = 0; m < NMETHODS; m++) {
			memcpy(mt[m].ns + mt[m].n, mt[m].round_ns,
			       mt[m].round_n * sizeof(uint32_t));
			mt[m].n += mt[m].round_n;
			qsort(mt[m].round_ns, mt[m].round_n, sizeof(uint32_t), cmp_u32);
			mt[m].round_median[r] = pct_us(mt[m].round_ns, mt[m].round_n, 0.5);
		}
	}
	double run_s = (double)(now_ns() - run_start) / 1e9;

	/* Egress check: targets that exist behind the slave get the echo on the wire. */
	for (m = 0; m < NMETHODS; m++) {
		if (!have_real[m])
			continue;
		for (i = 0; i < verify; i++)
			if (probe(m, &mt[m], &real[m], (uint16_t)(60000 + i)) == -1)
				fprintf(stderr, "egress: verify %c: %s\n", "AB"[m],
					strerror(mt[m].last_errno));
	}
	unsigned long verify_events = drain_route_events();

	rtnl_default_route(&ctl, RTNL_DEL, slave_idx, mark, 1024);
	rtnl_rule(&ctl, RTNL_DEL, mark, mark, EGRESS_RULE_PREF);

	/* Report. */
	printf("rounds %u x %u probes per method, batches of %u (A and B alternate "
	       "per batch), %.2f s\n\n", rounds, per_round, batch, run_s);
	printf("| method | probes timed | failed | median us | p90 us | p99 us | "
	       "round medians us (min-max) | route events |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	double med[NMETHODS];

	for (m = 0; m < NMETHODS; m++) {
		struct method *x = &mt[m];
		double lo = 1e18, hi = 0;

		qsort(x->ns, x->n, sizeof(uint32_t), cmp_u32);
		med[m] = pct_us(x->ns, x->n, 0.5);
		for (r = 0; r < rounds; r++) {
			if (x->round_median[r] < lo)
				lo = x->round_median[r];
			if (x->round_median[r] > hi)
				hi = x->round_median[r];
		}
		printf("| %s | %zu | %lu | %.2f | %.2f | %.2f | %.2f-%.2f | ",
		       method_name[m], x->n, x->fail_add + x->fail_send + x->fail_del,
		       med[m], pct_us(x->ns, x->n, 0.9), pct_us(x->ns, x->n, 0.99),
		       lo, hi);
		if (mon)
			printf("%lu |\n", x->route_events);
		else
			printf("n/a |\n");
	}
	printf("\nratio of medians B/A: %.1f\n\n", med[A] > 0 ? med[B] / med[A] : 0);

	for (m = 0; m < NMETHODS; m++) {
		struct method *x = &mt[m];

		if (x->fail_add + x->fail_send + x->fail_del)
			printf("failures %c: route add %lu, send %lu, route del %lu, last: %s\n",
			       "AB"[m], x->fail_add, x->fail_send, x->fail_del,
			       strerror(x->last_errno));
	}
	/* Machine-readable lines for the runner. */
	printf("sent_A=%lu sent_B=%lu\n", mt[A].sent, mt[B].sent);
	if (mon) {
		unsigned long want_b = 2ul * mt[B].n;

		printf("route_events_A=%lu route_events_B=%lu expected_B=%lu "
		       "setup_events=%lu verify_events=%lu listener_overruns=%lu\n",
		       mt[A].route_events, mt[B].route_events, want_b, setup_events,
		       verify_events, mon_overruns);
		if (mt[A].route_events != 0 || mon_overruns) {
			printf("FAIL: method A caused route changes (or the listener overran)\n");
			status = 1;
		}
		mnl_socket_close(mon);
	}
	for (m = 0; m < NMETHODS; m++) {
		close(mt[m].fd);
		free(mt[m].ns);
		free(mt[m].round_ns);
		free(mt[m].round_median);
	}
	rtnl_close(&ctl);
	return status;
}
