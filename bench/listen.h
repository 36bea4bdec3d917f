/*
 * The listener of the two comparison methods (the seed's and odhcpd's): a
 * packet socket on the master that sees the NS this host sends there.
 *
 * It has to be ETH_P_ALL: the kernel hands outgoing frames only to packet
 * sockets of that protocol (dev_queue_xmit_nit walks ptype_all), so a socket
 * bound to ETH_P_IPV6, as odhcpd's is, never sees the host's own NS. Both
 * comparisons get the listener that works, so that what is compared is the
 * probing, not a listener that is deaf by construction.
 */
#ifndef NS_BENCH_LISTEN_H
#define NS_BENCH_LISTEN_H

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"

/* Counters printed on SIGUSR1 and at exit, as ns-monitor does. */
struct listen_stats {
	unsigned long received;	/* NS frames read from the socket */
	unsigned long handled;	/* NS for which every slave was probed */
	unsigned long probes_ok, probes_failed;
};

static inline void listen_print(const char *who, const struct listen_stats *s,
				int fd)
{
	struct tpacket_stats st = { 0, 0 };
	socklen_t len = sizeof(st);

	/* PACKET_STATISTICS resets on read: drops since the last print. */
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len);
	fprintf(stderr, "%s: ns received %lu, handled %lu; probes ok %lu, failed %lu; socket drops %u\n",
		who, s->received, s->handled, s->probes_ok, s->probes_failed,
		st.tp_drops);
}

static inline int listen_open(const char *master)
{
	struct sock_filter code[BENCH_BPF_LEN];
	struct sock_fprog prog = { BENCH_BPF_LEN, code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd;

	sll.sll_ifindex = (int)if_nametoindex(master);
	if (!sll.sll_ifindex)
		return -1;
	/* Protocol 0 until the filter is on: nothing queues unfiltered. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	bench_bpf(code, 1, 0);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif
