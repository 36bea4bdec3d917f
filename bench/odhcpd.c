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
 * With -l, also odhcpd's learn_routes: a neighbor entry on a slave in a
 * usable state (REACHABLE, STALE, DELAY, PROBE, PERMANENT or NOARP), for a
 * global address, gets TARGET/128 dev SLAVE metric 1024 (odhcpd's
 * ndp_netevent_cb() -> setup_route()); its deletion removes it.
 *
 *   odhcpd [-l] -m MASTER -s SLAVE[,SLAVE...]
 *
 * The per-probe part is bench/odhcpd_route.c (shared with bench/egress.c)
 * and ns-monitor's own echo_send(); the listener is listen.h's (odhcpd's
 * ETH_P_IPV6 socket would not see the host's own NS at all).
 * Counters on SIGUSR1 and at exit on stderr.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <poll.h>

#include <libmnl/libmnl.h>

#include "listen.h"
#include "odhcpd_route.h"
#include "echo.h"

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

/* -l: the neighbor events of the slaves. */
struct learn_ctx {
	struct rtnl *rt;
	struct slave *slaves;
	unsigned int nslaves;
	unsigned long learned, forgot;
};

static int neigh_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) == 16)
		tb[NDA_DST] = a;
	return MNL_CB_OK;
}

static int on_neigh(const struct nlmsghdr *nlh, void *data)
{
	const uint16_t usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY |
				NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
	struct learn_ctx *l = data;
	const struct nlattr *tb[NDA_MAX + 1] = { NULL };
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct in6_addr dst;
	int add = nlh->nlmsg_type == RTM_NEWNEIGH;

	if (nd->ndm_family != AF_INET6 || (nd->ndm_flags & NTF_PROXY) ||
	    mnl_attr_parse(nlh, sizeof(*nd), neigh_attr_cb, tb) < 0 ||
	    !tb[NDA_DST])
		return MNL_CB_OK;
	memcpy(&dst, mnl_attr_get_payload(tb[NDA_DST]), sizeof(dst));
	if (IN6_IS_ADDR_LINKLOCAL(&dst) || IN6_IS_ADDR_MULTICAST(&dst))
		return MNL_CB_OK;
	if (add && !(nd->ndm_state & usable))
		return MNL_CB_OK;
	for (unsigned int i = 0; i < l->nslaves; i++) {
		if (l->slaves[i].ifindex != (unsigned int)nd->ndm_ifindex)
			continue;
		if (odhcpd_route128(l->rt, add, &dst, l->slaves[i].ifindex,
				    ODHCPD_LEARN_METRIC) == 0) {
			if (add)
				l->learned++;
			else
				l->forgot++;
		}
	}
	return MNL_CB_OK;
}

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
	int fd, opt, learn = 0;
	struct mnl_socket *events = NULL;
	struct rtnl learn_rt;
	struct learn_ctx lc = { &learn_rt, slaves, 0, 0, 0 };

	while ((opt = getopt(argc, argv, "lm:s:")) != -1) {
		switch (opt) {
		case 'l': learn = 1; break;
		case 'm': master = optarg; break;
		case 's':
			for (char *s = strtok(optarg, ","); s && nslaves < MAX_SLAVES;
			     s = strtok(NULL, ","))
				slaves[nslaves++].name = s;
			break;
		default:
			fprintf(stderr, "usage: odhcpd [-l] -m MASTER -s SLAVE[,SLAVE...]\n");
			return 2;
		}
	}
	if (!master || !nslaves) {
		fprintf(stderr, "usage: odhcpd [-l] -m MASTER -s SLAVE[,SLAVE...]\n");
		return 2;
	}
	if (rtnl_open(&rt) == -1) {
		perror("odhcpd: rtnetlink");
		return 1;
	}
	for (unsigned int i = 0; i < nslaves; i++) {
		struct slave *s = &slaves[i];

		s->ifindex = if_nametoindex(s->name);
		s->fd = s->ifindex ? echo_socket_open(s->name, 0) : -1;
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
	lc.nslaves = nslaves;
	if (learn) {
		events = mnl_socket_open(NETLINK_ROUTE);
		if (!events || mnl_socket_bind(events, RTMGRP_NEIGH,
					       MNL_SOCKET_AUTOPID) == -1 ||
		    rtnl_open(&learn_rt) == -1) {
			perror("odhcpd: neighbor events");
			return 1;
		}
	}
	fprintf(stderr, "odhcpd: listening on %s, %u slave(s)%s\n", master,
		nslaves, learn ? ", learning routes" : "");
	while (!stop) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
		const uint8_t *tp;
		struct in6_addr t;
		ssize_t n;
		int type;

		if (want_stats) {
			want_stats = 0;
			listen_print("odhcpd", &st, fd);
		}
		if (events)
			pfd[1].fd = mnl_socket_get_fd(events);
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("odhcpd: poll");
			return 1;
		}
		if (pfd[1].revents & POLLIN) {
			char nbuf[MNL_SOCKET_BUFFER_SIZE];
			ssize_t m = mnl_socket_recvfrom(events, nbuf, sizeof(nbuf));

			if (m > 0)
				mnl_cb_run(nbuf, (size_t)m, 0, 0, on_neigh, &lc);
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
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
			int ok = odhcpd_route128(&rt, 1, &t, s->ifindex,
						 ODHCPD_PING_METRIC) == 0;

			ok = echo_send(s->fd, s->ifindex, s->has_ll ? &s->ll : NULL,
					&t, 0x0d0d, seq++) == 0 && ok;
			ok = odhcpd_route128(&rt, 0, &t, s->ifindex,
					     ODHCPD_PING_METRIC) == 0 && ok;
			if (ok)
				st.probes_ok++;
			else
				st.probes_failed++;
		}
		st.handled++;
	}
	listen_print("odhcpd", &st, fd);
	if (learn)
		fprintf(stderr, "odhcpd: routes learned %lu, forgotten %lu\n",
			lc.learned, lc.forgot);
	rtnl_close(&rt);
	return 0;
}
