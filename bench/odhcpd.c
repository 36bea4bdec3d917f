/*
 * bench/odhcpd: odhcpd's relay method as a small listener and prober.
 * For each NS the host sends on the master, for each slave in turn, what
 * odhcpd's ndp.c does in handle_solicit() -> ping6(): add TARGET/128 dev
 * SLAVE metric 128 (wait for the ack), send one ICMPv6 echo request from the
 * slave's link-local address out of a socket bound to the slave, delete the
 * route (wait for the ack). No dedup, no rate limit, as in odhcpd.
 *
 *   odhcpd -m MASTER -s SLAVE[,SLAVE...]
 *
 * The per-probe part is bench/odhcpd_route.c (shared with bench/egress.c)
 * and ns-monitor's own probe_send(); the listener is listen.h's (odhcpd's
 * ETH_P_IPV6 socket would not see the host's own NS at all).
 * Counters on SIGUSR1 and at exit on stderr.
 */
#include <stdlib.h>
#include <string.h>

#include "listen.h"
#include "odhcpd_route.h"
#include "probe.h"

#define MAX_SLAVES 8

static volatile sig_atomic_t want_stats, stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else
		stop = 1;
}

struct slave {
	const char *name;
	unsigned int ifindex;
	int fd;
	struct in6_addr ll;
	int has_ll;
};

int main(int argc, char **argv)
{
	const char *master = NULL;
	struct slave slaves[MAX_SLAVES];
	unsigned int nslaves = 0;
	struct listen_stats st = { 0, 0, 0, 0 };
	struct sigaction sa;
	struct rtnl rt;
	uint8_t buf[256];
	uint16_t seq = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "m:s:")) != -1) {
		switch (opt) {
		case 'm': master = optarg; break;
		case 's':
			for (char *s = strtok(optarg, ","); s && nslaves < MAX_SLAVES;
			     s = strtok(NULL, ","))
				slaves[nslaves++].name = s;
			break;
		default:
			fprintf(stderr, "usage: odhcpd -m MASTER -s SLAVE[,SLAVE...]\n");
			return 2;
		}
	}
	if (!master || !nslaves) {
		fprintf(stderr, "usage: odhcpd -m MASTER -s SLAVE[,SLAVE...]\n");
		return 2;
	}
	if (rtnl_open(&rt) == -1) {
		perror("odhcpd: rtnetlink");
		return 1;
	}
	for (unsigned int i = 0; i < nslaves; i++) {
		struct slave *s = &slaves[i];

		s->ifindex = if_nametoindex(s->name);
		s->fd = s->ifindex ? probe_socket_open(s->name, 0) : -1;
		if (s->fd == -1) {
			fprintf(stderr, "odhcpd: slave %s: %s\n", s->name, strerror(errno));
			return 1;
		}
		s->has_ll = rtnl_link_local(&rt, s->ifindex, &s->ll) == 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = listen_open(master);
	if (fd == -1) {
		perror("odhcpd: packet socket on the master");
		return 1;
	}
	fprintf(stderr, "odhcpd: listening on %s, %u slave(s)\n", master, nslaves);
	while (!stop) {
		const uint8_t *tp;
		struct in6_addr t;
		ssize_t n;
		int type;

		if (want_stats) {
			want_stats = 0;
			listen_print("odhcpd", &st, fd);
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("odhcpd: recv");
			return 1;
		}
		tp = bench_frame_target(buf, (unsigned int)n, &type);
		if (!tp || type != 135)
			continue;
		st.received++;
		memcpy(&t, tp, sizeof(t));
		/* handle_solicit(): no link-local, loopback or multicast targets. */
		if (IN6_IS_ADDR_LINKLOCAL(&t) || IN6_IS_ADDR_LOOPBACK(&t) ||
		    IN6_IS_ADDR_MULTICAST(&t))
			continue;
		for (unsigned int i = 0; i < nslaves; i++) {
			struct slave *s = &slaves[i];
			int ok = odhcpd_route128(&rt, 1, &t, s->ifindex) == 0;

			ok = probe_send(s->fd, s->ifindex, s->has_ll ? &s->ll : NULL,
					&t, 0x0d0d, seq++) == 0 && ok;
			ok = odhcpd_route128(&rt, 0, &t, s->ifindex) == 0 && ok;
			if (ok)
				st.probes_ok++;
			else
				st.probes_failed++;
		}
		st.handled++;
	}
	listen_print("odhcpd", &st, fd);
	rtnl_close(&rt);
	return 0;
}
