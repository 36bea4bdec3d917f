/*
 * nd_ask: ask for a target on an interface with ns-monitor's own NS (nd_send.c)
 * and read the answer as the daemon does (answer.c). For the integration
 * test of asking without neighbor entries, and to time an ask.
 *
 *   nd_ask [-s SRC] [-w MS] IFNAME TARGET
 *                                     ask, wait up to MS ms (default 1000)
 *                                     for the NA of TARGET on IFNAME:
 *                                     exit 0 if it came, 1 if not
 *   nd_ask -l [-w MS] IFNAME TARGET   ask nothing: print "ready", then every
 *                                     answer for MS ms or until TARGET's NA
 *   nd_ask -n COUNT IFNAME TARGET     ask COUNT targets TARGET, TARGET+1, ...
 *                                     back to back, wait for nothing, and
 *                                     print the time per ask
 *
 * Every answer reported is printed as "na IFNAME TARGET" or "echo IFNAME
 * FROM", and at the end the counters of answer_read(). The source is SRC,
 * else the interface's first link-local address (tentative or not); the
 * link-layer address its MAC.
 * Exit 2 on bad usage or when the interface cannot be asked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "nd_send.h"

struct seen {
	unsigned int ifindex;
	struct in6_addr target;
	bool answered;		/* TARGET's NA came on IFNAME */
};

static void usage(void)
{
	fprintf(stderr, "usage: nd_ask [-l] [-s SRC] [-w MS] [-n COUNT] IFNAME TARGET\n");
	exit(2);
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The interface's MAC, refused unless it is Ethernet. */
static int get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc == -1)
		return -1;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int get_link_local(const char *ifname, struct in6_addr *ll)
{
	struct ifaddrs *ifa, *i;
	int rc = -1;

	if (getifaddrs(&ifa) == -1)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in6 *sin6;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		sin6 = (const struct sockaddr_in6 *)i->ifa_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) {
			*ll = sin6->sin6_addr;
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	if (rc == -1)
		errno = EADDRNOTAVAIL;
	return rc;
}

static void on_answer(unsigned int ifindex, const struct in6_addr *target,
		      enum answer_kind kind, const uint8_t *mac, void *data)
{
	struct seen *s = data;
	char name[IF_NAMESIZE] = "?", addr[INET6_ADDRSTRLEN];

	(void)mac;

	if_indextoname(ifindex, name);
	inet_ntop(AF_INET6, target, addr, sizeof(addr));
	printf("%s %s %s\n", kind == ANSWER_NA ? "na" : "echo", name, addr);
	fflush(stdout);
	if (kind == ANSWER_NA && ifindex == s->ifindex &&
	    memcmp(target, &s->target, sizeof(*target)) == 0)
		s->answered = true;
}

/* Read answers until the target's NA or the deadline. */
static void wait_answer(int afd, struct seen *s, unsigned int ms,
			struct answer_counters *c)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000u;

	while (!s->answered) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		struct pollfd p = { .fd = afd, .events = POLLIN };

		if (now >= end)
			break;
		if (poll(&p, 1, (int)((end - now + 999999) / 1000000)) == -1 &&
		    errno != EINTR) {
			perror("nd_ask: poll");
			exit(1);
		}
		answer_read(afd, 0, on_answer, s, c);
	}
}

/* Send one ask, waiting for room when the device queue is full. */
static int send_one(int fd, unsigned int ifindex, const uint8_t mac[6],
		    const struct in6_addr *src, const struct in6_addr *t)
{
	for (int tries = 0; tries < 100; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (nd_send_ask(fd, ifindex, mac, src, t) == 0)
			return 0;
		if (errno != EAGAIN && errno != ENOBUFS)
			return -1;
		poll(&p, 1, 10);
	}
	return -1;
}

static int flood(int fd, unsigned int ifindex, const uint8_t mac[6],
		 const struct in6_addr *src, const struct in6_addr *first,
		 unsigned long count)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	unsigned long failed = 0;
	uint64_t wall, cpu;

	for (unsigned long i = 0; i < count; i++) {
		struct in6_addr t = *first;
		uint32_t n = ((uint32_t)t.s6_addr[12] << 24 |
			      (uint32_t)t.s6_addr[13] << 16 |
			      (uint32_t)t.s6_addr[14] << 8 | t.s6_addr[15]) +
			     (uint32_t)i;

		t.s6_addr[12] = (uint8_t)(n >> 24);
		t.s6_addr[13] = (uint8_t)(n >> 16);
		t.s6_addr[14] = (uint8_t)(n >> 8);
		t.s6_addr[15] = (uint8_t)n;
		if (send_one(fd, ifindex, mac, src, &t) == -1) {
			if (errno != EAGAIN && errno != ENOBUFS) {
				perror("nd_ask: sending an NS");
				return 1;
			}
			failed++;
		}
	}
	wall = now_ns(CLOCK_MONOTONIC) - t0;
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("asked %lu failed %lu in %.0f us: %.2f us per ask, cpu %.2f us per ask\n",
	       count - failed, failed, wall / 1e3,
	       count ? wall / 1e3 / (double)count : 0.0,
	       count ? cpu / 1e3 / (double)count : 0.0);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct answer_counters c = { 0 };
	struct seen s = { 0 };
	unsigned long count = 0;
	unsigned int ms = 1000;
	bool listen_only = false, have_src = false;
	struct in6_addr src;
	uint8_t mac[6];
	int opt, fd, afd;

	while ((opt = getopt(argc, argv, "ln:s:w:")) != -1) {
		switch (opt) {
		case 's':
			if (inet_pton(AF_INET6, optarg, &src) != 1)
				usage();
			have_src = true;
			break;
		case 'l':
			listen_only = true;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 ||
	    inet_pton(AF_INET6, argv[optind + 1], &s.target) != 1)
		usage();
	s.ifindex = if_nametoindex(argv[optind]);
	if (!s.ifindex) {
		fprintf(stderr, "nd_ask: no interface %s\n", argv[optind]);
		return 2;
	}
	if (get_mac(argv[optind], mac) == -1 ||
	    (!have_src && get_link_local(argv[optind], &src) == -1)) {
		fprintf(stderr, "nd_ask: %s cannot be asked (an Ethernet device "
			"with a link-local address is needed): %s\n",
			argv[optind], strerror(errno));
		return 2;
	}
	fd = nd_send_open();
	/* A link-local target's NA is kept only when one is asked about. */
	afd = answer_open(IN6_IS_ADDR_LINKLOCAL(&s.target));
	if (fd == -1 || afd == -1) {
		perror("nd_ask: socket (root or CAP_NET_RAW needed)");
		return 1;
	}
	if (count)
		return flood(fd, s.ifindex, mac, &src, &s.target, count);
	if (listen_only) {
		printf("ready\n");
		fflush(stdout);
	} else if (send_one(fd, s.ifindex, mac, &src, &s.target) == -1) {
		perror("nd_ask: sending an NS");
		return 1;
	}
	wait_answer(afd, &s, ms, &c);
	printf("counters echo_replies=%llu nas=%llu malformed=%llu unsolicited=%llu\n",
	       (unsigned long long)c.echo_replies, (unsigned long long)c.nas,
	       (unsigned long long)c.malformed, (unsigned long long)c.unsolicited);
	if (!s.answered)
		printf("no answer for %s on %s within %u ms\n", argv[optind + 1],
		       argv[optind], ms);
	return s.answered ? 0 : 1;
}
