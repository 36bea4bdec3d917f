/*
 * guest_flood: what a hostile guest sends on its link, written whole
 * through a packet socket (so this namespace's own neighbor and routing
 * code never sees it): COUNT packets out of IFNAME, the Nth with address
 * FIRST + N (N from 0, added to its last 32 bits).
 *
 *   guest_flood [-d | -n SOURCE] IFNAME FIRST COUNT SECONDS
 *
 * Without -d: IPv6 packets from FIRST + N (spoofed sources, no payload) to
 * ff02::db8:1, a group nobody joined: a router drops them, answering
 * nothing, after its prerouting hook saw them. With -d: duplicate address
 * detection, a Neighbor Solicitation from :: for FIRST + N to its
 * solicited-node group. With -n: the same Neighbor Solicitation from
 * SOURCE, as a guest with the whole prefix on-link asks for a neighbor.
 *
 * The packets are spread evenly over SECONDS (0: as fast as possible).
 * Bounded in count and in time: it stops after COUNT packets or SECONDS
 * + 5 seconds, whichever comes first, and prints "SENT FAILED ELAPSED_MS".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 1000000UL
#define MAX_SECONDS 60.0
#define GRACE_NS 5000000000LL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t)
{
	struct timespec ts = { t / 1000000000LL, t % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* The ICMPv6 checksum over the pseudo-header and the message. */
static uint16_t icmp6_sum(const struct ip6_hdr *ip, const uint8_t *msg,
			  size_t len)
{
	uint32_t sum = 0;
	const uint8_t *a = (const uint8_t *)&ip->ip6_src;

	for (size_t i = 0; i < 32; i += 2)	/* source and destination */
		sum += (uint32_t)(a[i] << 8 | a[i + 1]);
	sum += (uint32_t)len;
	sum += IPPROTO_ICMPV6;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	if (len & 1)
		sum += (uint32_t)(msg[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void add32(struct in6_addr *a, uint32_t n)
{
	uint32_t last;

	memcpy(&last, &a->s6_addr[12], 4);
	last = htonl(ntohl(last) + n);
	memcpy(&a->s6_addr[12], &last, 4);
}

/*
 * Packet N into buf (IPv6 header on): its length, and its destination
 * MAC (33:33 and the last 32 bits of the group) in mac.
 */
static size_t build(uint8_t *buf, bool dad, const struct in6_addr *src,
		    const struct in6_addr *first, uint32_t n,
		    uint8_t mac[ETH_ALEN])
{
	struct ip6_hdr ip = { 0 };
	struct in6_addr addr = *first;
	size_t len = sizeof(ip);

	add32(&addr, n);
	ip.ip6_flow = htonl(6u << 28);
	ip.ip6_hlim = 255;
	if (dad) {
		struct nd_neighbor_solicit ns = { .nd_ns_type = ND_NEIGHBOR_SOLICIT };

		/* From :: (or src), to ff02::1:ffXX:XXXX of the address. */
		if (src)
			ip.ip6_src = *src;
		inet_pton(AF_INET6, "ff02::1:ff00:0", &ip.ip6_dst);
		memcpy(&ip.ip6_dst.s6_addr[13], &addr.s6_addr[13], 3);
		ip.ip6_nxt = IPPROTO_ICMPV6;
		ip.ip6_plen = htons(sizeof(ns));
		ns.nd_ns_target = addr;
		ns.nd_ns_cksum = icmp6_sum(&ip, (const uint8_t *)&ns, sizeof(ns));
		memcpy(buf + len, &ns, sizeof(ns));
		len += sizeof(ns);
	} else {
		ip.ip6_src = addr;
		inet_pton(AF_INET6, "ff02::db8:1", &ip.ip6_dst);
		ip.ip6_nxt = 59;	/* no next header */
		ip.ip6_plen = 0;
	}
	memcpy(buf, &ip, sizeof(ip));
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(&mac[2], &ip.ip6_dst.s6_addr[12], 4);
	return len;
}

int main(int argc, char **argv)
{
	unsigned long count, sent = 0, failed = 0, i;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IPV6),
				  .sll_halen = ETH_ALEN };
	long long start, end, deadline;
	struct in6_addr first, src, *from = NULL;
	bool dad = false;
	double seconds;
	char *endp;
	int fd;

	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		dad = true;
		argv++;
		argc--;
	} else if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		if (inet_pton(AF_INET6, argv[2], &src) != 1) {
			fprintf(stderr,
				"guest_flood: -n SOURCE: an IPv6 address\n");
			return 2;
		}
		dad = true; /* an NS, from src */
		from = &src;
		argv += 2;
		argc -= 2;
	}
	if (argc != 5 || inet_pton(AF_INET6, argv[2], &first) != 1 ||
	    !(ll.sll_ifindex = (int)if_nametoindex(argv[1]))) {
		fprintf(stderr,
			"usage: guest_flood [-d | -n SOURCE] IFNAME FIRST COUNT SECONDS\n");
		return 2;
	}
	count = strtoul(argv[3], &endp, 10);
	if (*endp || count == 0 || count > MAX_COUNT) {
		fprintf(stderr, "guest_flood: COUNT from 1 to %lu\n", MAX_COUNT);
		return 2;
	}
	seconds = strtod(argv[4], &endp);
	if (*endp || !(seconds >= 0 && seconds <= MAX_SECONDS)) {
		fprintf(stderr, "guest_flood: SECONDS from 0 to %.0f\n", MAX_SECONDS);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IPV6));
	if (fd == -1) {
		perror("guest_flood: socket");
		return 1;
	}
	start = now_ns();
	deadline = start + (long long)(seconds * 1e9) + GRACE_NS;
	for (i = 0; i < count && now_ns() < deadline; i++) {
		uint8_t buf[sizeof(struct ip6_hdr) + sizeof(struct nd_neighbor_solicit)];
		size_t len =
			build(buf, dad, from, &first, (uint32_t)i, ll.sll_addr);

		if (seconds > 0)
			sleep_until(start + (long long)(seconds * 1e9 * (double)i /
							(double)count));
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&ll,
			   sizeof(ll)) == -1) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("guest_flood: sendto");
				return 1;
			}
			failed++;
			continue;
		}
		sent++;
	}
	end = now_ns();
	printf("%lu %lu %lld\n", sent, failed, (end - start) / 1000000);
	close(fd);
	return 0;
}
