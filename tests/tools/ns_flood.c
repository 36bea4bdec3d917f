/*
 * ns_flood: emit COUNT Neighbor Solicitations out of IFNAME from this host's
 * own output path, as fast as possible, for distinct targets PREFIX::N (or
 * one repeated target with -r). For the flood test; run it in a namespace.
 *
 *   ns_flood [-r] IFNAME SOURCE PREFIX COUNT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct in6_addr src, target;
	unsigned long count, sent = 0, failed = 0;
	unsigned int ifindex;
	int repeat = 0, hops = 255, fd;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		repeat = 1;
		argv++;
		argc--;
	}
	if (argc != 5 || inet_pton(AF_INET6, argv[2], &src) != 1 ||
	    inet_pton(AF_INET6, argv[3], &target) != 1 ||
	    !(ifindex = if_nametoindex(argv[1]))) {
		fprintf(stderr, "usage: ns_flood [-r] IFNAME SOURCE PREFIX COUNT\n");
		return 2;
	}
	count = strtoul(argv[4], NULL, 10);
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex))) {
		perror("ns_flood: socket");
		return 1;
	}
	/* The source must be ours and not :: (the rule skips DAD). */
	struct sockaddr_in6 me = { .sin6_family = AF_INET6, .sin6_addr = src };
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1) {
		perror("ns_flood: bind");
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		struct nd_neighbor_solicit ns = { .nd_ns_type = ND_NEIGHBOR_SOLICIT };
		struct sockaddr_in6 dst = { .sin6_family = AF_INET6,
					    .sin6_scope_id = ifindex };
		struct in6_addr t = target;
		uint32_t n = repeat ? 1 : (uint32_t)i + 1;

		t.s6_addr[12] = (uint8_t)(n >> 24);
		t.s6_addr[13] = (uint8_t)(n >> 16);
		t.s6_addr[14] = (uint8_t)(n >> 8);
		t.s6_addr[15] = (uint8_t)n;
		ns.nd_ns_target = t;
		/* Solicited-node multicast group of the target. */
		inet_pton(AF_INET6, "ff02::1:ff00:0", &dst.sin6_addr);
		memcpy(&dst.sin6_addr.s6_addr[13], &t.s6_addr[13], 3);
		if (sendto(fd, &ns, sizeof(ns), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) == -1) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("ns_flood: sendto");
				return 1;
			}
			failed++;
			continue;
		}
		sent++;
	}
	printf("%lu %lu\n", sent, failed);
	return 0;
}
