/*
 * bench/nsgen: the load generator. Sends Neighbor Solicitations out of an
 * interface from this host's own output path, as the kernel's neighbor
 * resolution would: a raw ICMPv6 socket, hop limit 255, to the solicited-node
 * group of the target, with a source link-layer address option, from a given
 * (global) source so that the nft rule's `ip6 saddr != ::` holds. The packets
 * cross the output hook like the kernel's own NS.
 *
 *   nsgen -i IF -S SRC [-r RATE] [-n COUNT] [-t SECONDS] [-k POOL] [-o FIRST]
 *         [-b BURST -g GAP_MS] [-F FLUSH_MS] [-N NETNS]
 *
 * RATE 0 sends as fast as it can (sendmmsg, batches of 64). Targets are
 * distinct (FIRST, FIRST+1, ...) or, with -k POOL, cycle over POOL targets
 * from FIRST. Bursts: BURST NS at RATE, then GAP_MS of silence, repeated.
 *
 * Neighbor flush. Every probe of a new target leaves an INCOMPLETE neighbor
 * entry for about 3 s, and the kernel refuses new entries once about 1024
 * exist on the whole host. With -F the generator deletes, every FLUSH_MS and
 * after each burst's gap, the neighbor entries of benchmark targets
 * (2001:db8:1:0:aa::/80) in the namespace NETNS (default: its own), so runs
 * never come near that limit. Flushing is outside the timed sends.
 *
 * Prints one JSON object: what was sent, the rate reached, failures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "bench.h"

#define BATCH 64
#define MAX_COUNT 10000000ul
#define FLUSH_MAX 8192

struct ns_pkt {
	struct nd_neighbor_solicit ns;
	uint8_t opt_type, opt_len, lladdr[6];
} __attribute__((packed));

static volatile sig_atomic_t stop;
static struct mnl_socket *flush_nl;
static unsigned int flush_seq;
static unsigned long flushed, flush_errors;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void build(struct ns_pkt *p, struct sockaddr_in6 *dst, uint32_t idx,
		  const uint8_t *mac, unsigned int ifindex)
{
	struct in6_addr t;

	bench_target(idx, &t);
	memset(p, 0, sizeof(*p));
	p->ns.nd_ns_type = ND_NEIGHBOR_SOLICIT;
	p->ns.nd_ns_target = t;
	p->opt_type = ND_OPT_SOURCE_LINKADDR;
	p->opt_len = 1;
	memcpy(p->lladdr, mac, 6);
	memset(dst, 0, sizeof(*dst));
	dst->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "ff02::1:ff00:0", &dst->sin6_addr);
	memcpy(&dst->sin6_addr.s6_addr[13], &t.s6_addr[13], 3);
	dst->sin6_scope_id = ifindex;
}

/* Open the flush socket inside the namespace at path (NULL: our own). */
static int flush_open(const char *path)
{
	int self = -1, target = -1, rc = -1;

	if (path) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (self == -1 || target == -1 || setns(target, CLONE_NEWNET) == -1)
			goto out;
	}
	flush_nl = mnl_socket_open(NETLINK_ROUTE);
	if (flush_nl && mnl_socket_bind(flush_nl, 0, MNL_SOCKET_AUTOPID) == 0)
		rc = 0;
	if (path && setns(self, CLONE_NEWNET) == -1)
		rc = -1;
out:
	if (self != -1)
		close(self);
	if (target != -1)
		close(target);
	return rc;
}

struct victim {
	int ifindex;
	struct in6_addr dst;
};

static struct victim victims[FLUSH_MAX];
static unsigned int nvictims;

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	(void)data;
	if (nlh->nlmsg_type != RTM_NEWNEIGH || ndm->ndm_family != AF_INET6 ||
	    (ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ndm)) {
		if (mnl_attr_get_type(a) != NDA_DST ||
		    mnl_attr_get_payload_len(a) != 16)
			continue;
		if (bench_is_target(mnl_attr_get_payload(a)) && nvictims < FLUSH_MAX) {
			victims[nvictims].ifindex = ndm->ndm_ifindex;
			memcpy(&victims[nvictims].dst, mnl_attr_get_payload(a), 16);
			nvictims++;
		}
	}
	return MNL_CB_OK;
}

/* Delete the neighbor entries of benchmark targets; bounded. */
static void flush_neighbors(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	unsigned int portid, i;
	int ret, rounds;

	if (!flush_nl)
		return;
	portid = mnl_socket_get_portid(flush_nl);
	nvictims = 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++flush_seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	if (mnl_socket_sendto(flush_nl, nlh, nlh->nlmsg_len) < 0) {
		flush_errors++;
		return;
	}
	for (rounds = 0; rounds < 10000; rounds++) {
		ssize_t n = mnl_socket_recvfrom(flush_nl, buf, sizeof(buf));

		if (n <= 0) {
			flush_errors++;
			return;
		}
		ret = mnl_cb_run(buf, (size_t)n, flush_seq, portid, dump_cb, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	/* Deletes without acks; errors (ENOENT: gone meanwhile) are drained. */
	for (i = 0; i < nvictims; i++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_DELNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = ++flush_seq;
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = AF_INET6;
		ndm->ndm_ifindex = victims[i].ifindex;
		mnl_attr_put(nlh, NDA_DST, 16, &victims[i].dst);
		if (mnl_socket_sendto(flush_nl, nlh, nlh->nlmsg_len) < 0)
			flush_errors++;
		else
			flushed++;
		/* Keep the socket's queue of errors short. */
		if ((i & 63) == 63)
			while (recv(mnl_socket_get_fd(flush_nl), buf, sizeof(buf),
				    MSG_DONTWAIT) > 0)
				;
	}
	while (recv(mnl_socket_get_fd(flush_nl), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ull), (long)(t % 1000000000ull) };

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nsgen -i IF -S SRC [-r RATE] [-n COUNT] [-t SECONDS] [-k POOL]\n"
		"             [-o FIRST] [-b BURST -g GAP_MS] [-F FLUSH_MS] [-N NETNS]\n"
		"  -i IF        send out of IF; -S SRC: source address (global)\n"
		"  -r RATE      NS per second, 0: as fast as possible (default 100)\n"
		"  -n COUNT     NS to send (default 1000, max %lu)\n"
		"  -t SECONDS   stop after SECONDS at most (default 30)\n"
		"  -k POOL      repeat POOL targets (default: all distinct)\n"
		"  -o FIRST     index of the first target (default 0)\n"
		"  -b BURST -g GAP_MS   bursts of BURST NS, GAP_MS apart\n"
		"  -F FLUSH_MS  flush benchmark targets' neighbors every FLUSH_MS\n"
		"  -N NETNS     ...in this namespace (a /run/netns path)\n", MAX_COUNT);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *src = NULL, *netns = NULL;
	unsigned long rate = 100, count = 1000, pool = 0, first = 0, burst = 0;
	unsigned long gap_ms = 0, flush_ms = 0, seconds = 30;
	unsigned long sent = 0, failed = 0, batches = 0;
	int opt, fd, last_err = 0, hops = 255, loop = 0;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct icmp6_filter filter;
	unsigned int ifindex;
	struct ifreq ifr;
	uint8_t mac[6];
	double active_s = 0;
	uint64_t deadline, next_flush, t_start;

	while ((opt = getopt(argc, argv, "i:S:r:n:t:k:o:b:g:F:N:h")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'S': src = optarg; break;
		case 'r': rate = strtoul(optarg, NULL, 10); break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 't': seconds = strtoul(optarg, NULL, 10); break;
		case 'k': pool = strtoul(optarg, NULL, 10); break;
		case 'o': first = strtoul(optarg, NULL, 10); break;
		case 'b': burst = strtoul(optarg, NULL, 10); break;
		case 'g': gap_ms = strtoul(optarg, NULL, 10); break;
		case 'F': flush_ms = strtoul(optarg, NULL, 10); break;
		case 'N': netns = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ifname || !src || count == 0 || count > MAX_COUNT || seconds == 0 ||
	    seconds > 600 || first + (pool ? pool : count) > BENCH_TARGET_MAX ||
	    (burst && !gap_ms) || rate > 10000000) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex || inet_pton(AF_INET6, src, &sa.sin6_addr) != 1) {
		fprintf(stderr, "nsgen: bad interface %s or source %s\n", ifname, src);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	prctl(PR_SET_TIMERSLACK, 1UL);

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd == -1) {
		perror("nsgen: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1) {
		perror("nsgen: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	ICMP6_FILTER_SETBLOCKALL(&filter);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("nsgen: socket options / bind to the source");
		return 1;
	}
	if (flush_ms && flush_open(netns) == -1) {
		perror("nsgen: neighbor flush socket");
		return 1;
	}

	static struct ns_pkt pkts[BATCH];
	static struct sockaddr_in6 dsts[BATCH];
	static struct iovec iovs[BATCH];
	static struct mmsghdr msgs[BATCH];

	t_start = bench_mono_ns();
	deadline = t_start + (uint64_t)seconds * 1000000000ull;
	next_flush = flush_ms ? t_start + flush_ms * 1000000ull : UINT64_MAX;
	uint64_t base = t_start;		/* schedule origin of this burst */
	unsigned long in_burst = 0;		/* sent in the current burst */
	uint64_t burst_start = t_start;

	while (sent + failed < count && !stop) {
		unsigned long n = 1, i;
		uint64_t now;
		int rc;

		if (rate == 0)
			n = count - sent - failed < BATCH ? count - sent - failed : BATCH;
		if (burst && in_burst + n > burst)
			n = burst - in_burst;
		if (rate)
			sleep_until(base + (uint64_t)in_burst * 1000000000ull / rate);
		if (stop)
			break;
		for (i = 0; i < n; i++) {
			unsigned long k = sent + failed + i;
			uint32_t idx = (uint32_t)(first + (pool ? k % pool : k));

			build(&pkts[i], &dsts[i], idx, mac, ifindex);
			iovs[i].iov_base = &pkts[i];
			iovs[i].iov_len = sizeof(pkts[i]);
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_name = &dsts[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(dsts[i]);
			msgs[i].msg_hdr.msg_iov = &iovs[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		rc = sendmmsg(fd, msgs, (unsigned int)n, 0);
		batches++;
		if (rc < 0) {
			last_err = errno;
			failed++;	/* the first of the batch; the rest is retried */
			n = 1;
		} else {
			sent += (unsigned long)rc;
			if ((unsigned long)rc < n) {
				/* A short batch stopped at a failed one: count it. */
				failed++;
				last_err = errno ? errno : EIO;
				n = (unsigned long)rc + 1;
			}
		}
		in_burst += n;
		now = bench_mono_ns();
		if (now >= deadline)
			break;
		if (burst && in_burst >= burst) {
			active_s += (double)(now - burst_start) / 1e9;
			sleep_until(now + gap_ms * 1000000ull);
			if (flush_ms)
				flush_neighbors();
			in_burst = 0;
			base = burst_start = bench_mono_ns();
			next_flush = base + flush_ms * 1000000ull;
		} else if (!burst && now >= next_flush) {
			flush_neighbors();
			next_flush = bench_mono_ns() + flush_ms * 1000000ull;
		}
	}
	uint64_t t_end = bench_mono_ns();

	if (!burst || in_burst)
		active_s += (double)(t_end - burst_start) / 1e9;
	if (flush_ms)
		flush_neighbors();
	printf("{\"sent\":%lu,\"failed\":%lu,\"last_error\":\"%s\",\"elapsed_s\":%.4f,"
	       "\"active_s\":%.4f,\"rate_reached\":%.0f,\"rate_asked\":%lu,"
	       "\"syscalls\":%lu,\"neighbors_flushed\":%lu,\"flush_errors\":%lu}\n",
	       sent, failed, last_err ? strerror(last_err) : "",
	       (double)(t_end - t_start) / 1e9, active_s,
	       active_s > 0 ? (double)sent / active_s : 0.0, rate, batches, flushed,
	       flush_errors);
	close(fd);
	if (flush_nl)
		mnl_socket_close(flush_nl);
	return sent ? 0 : 1;
}
