/*
 * bench/floor: the platform's floor for a reaction through NFLOG. The same
 * intake as ns-monitor (an NFLOG group bound over libmnl, copy mode packet,
 * queue threshold 1, flush timeout 0: one message per NS, at once), and the
 * cheapest possible reaction: the logged NS itself, framed by hand, written
 * out of each slave by one packet socket (no parsing, no policy, no route
 * lookup, no neighbor entry). Whatever ns-monitor takes beyond this figure
 * is its own work; this figure itself is the kernel's and the scheduler's
 * (waking a sleeping process on this machine).
 *
 *   floor [-l|-u] -g GROUP -s SLAVE[,SLAVE...]
 *
 * -l: wake as an event loop does. The process sleeps in epoll_wait() on
 * the NFLOG socket and then reads it with recvmmsg() (MSG_DONTWAIT, up to
 * 32 messages), as ns-monitor's loop does, instead of blocking in recv().
 * A daemon with more than one source of events cannot block in recv() on
 * one of them; the difference between the two floors is what that
 * structure alone costs on this machine.
 *
 * -u: wait and read in one system call, through io_uring: a recv on the
 * NFLOG socket submitted and waited for by one io_uring_enter(), with the
 * ring's completions run in that call (IORING_SETUP_DEFER_TASKRUN; without
 * it, waking through task work is no quicker than epoll here). An event
 * loop built on a ring could wait so; ns-monitor does not (its unit
 * refuses io_uring, which seccomp cannot filter). The difference between
 * -l and -u is what the one system call more costs.
 *
 * The nft rule that logs to GROUP is loaded by bench/run.sh. Counters on
 * SIGUSR1 and at exit on stderr, in the form of listen.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <liburing.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "listen.h"

#define MAX_SLAVES 8
#define VLEN 32		/* datagrams per recvmmsg(), as ns-monitor reads */
#define BUF_SIZE 8192

static volatile sig_atomic_t want_stats, stop;

static unsigned int ifindex[MAX_SLAVES], nslaves;
static uint8_t mac[MAX_SLAVES][6];
static struct listen_stats st;
static int pfd = -1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else
		stop = 1;
}

static int config(struct mnl_socket *nl, uint16_t group, int cmd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG,
						      AF_UNSPEC, group);

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)cmd + 1;
	if (cmd >= 0) {
		nflog_attr_put_cfg_cmd(nlh, (uint8_t)cmd);
	} else {
		nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, 128);
		mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
		mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(0));
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int ret;

		if (n == -1)
			return -1;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq,
				 mnl_socket_get_portid(nl), NULL, NULL);
		if (ret == MNL_CB_ERROR)
			return -1;
		if (ret == MNL_CB_STOP)
			return 0;
	}
	return -1;
}

/* One datagram from NFLOG: each logged NS, framed, out of every slave. */
static void react(const char *buf, int left)
{
	uint8_t frame[14 + 128];

	for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nlattr *attr[NFULA_MAX + 1] = { NULL };
		const uint8_t *p;
		uint16_t len;

		if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
		    nflog_nlmsg_parse(nlh, attr) < 0 || !attr[NFULA_PAYLOAD])
			continue;
		p = mnl_attr_get_payload(attr[NFULA_PAYLOAD]);
		len = mnl_attr_get_payload_len(attr[NFULA_PAYLOAD]);
		if (len < 40 || len > 128)
			continue;
		st.received++;
		/* 33:33 + the low 32 bits of the IPv6 destination. */
		frame[0] = 0x33;
		frame[1] = 0x33;
		memcpy(frame + 2, p + 24 + 12, 4);
		frame[12] = 0x86;
		frame[13] = 0xdd;
		memcpy(frame + 14, p, len);
		for (unsigned int i = 0; i < nslaves; i++) {
			struct sockaddr_ll to = { .sll_family = AF_PACKET,
						  .sll_ifindex = (int)ifindex[i],
						  .sll_halen = 6 };

			memcpy(frame + 6, mac[i], 6);
			memcpy(to.sll_addr, frame, 6);
			if (sendto(pfd, frame, 14u + len, 0, (struct sockaddr *)&to,
				   sizeof(to)) == -1)
				st.probes_failed++;
			else
				st.probes_ok++;
		}
		st.handled++;
	}
}

/* The plain floor: blocked in recv() on the one socket. */
static int read_blocking(int fd)
{
	static char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n == -1)
		return errno == EINTR || errno == ENOBUFS ? 0 : -1;
	react(buf, (int)n);
	return 0;
}

/*
 * -u: the recv submitted and completed in one io_uring_enter(). One recv
 * at a time into the one buffer: a call cut short by a signal leaves its
 * recv in flight, and it is waited for, not submitted again beside it.
 */
static int read_ring(struct io_uring *ring, int fd)
{
	static char buf[65536];
	static bool in_flight;
	struct io_uring_cqe *cqe;
	int n;

	if (!in_flight) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe) {
			errno = EBUSY;
			return -1;
		}
		io_uring_prep_recv(sqe, fd, buf, sizeof(buf), 0);
		in_flight = true;
	}
	/* liburing returns -errno and leaves errno alone: set it for perror. */
	n = io_uring_submit_and_wait(ring, 1);
	if (n < 0) {
		errno = -n;
		return n == -EINTR ? 0 : -1;
	}
	if (io_uring_peek_cqe(ring, &cqe) != 0)
		return 0;
	n = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	in_flight = false;
	if (n > 0)
		react(buf, n);
	if (n >= 0 || n == -EINTR || n == -ENOBUFS)
		return 0;
	errno = -n;
	return -1;
}

/* -l: woken by epoll_wait(), then a batch read, as an event loop reads. */
static int read_as_loop(int epfd, int fd)
{
	static char bufs[VLEN][BUF_SIZE];
	static struct mmsghdr msgs[VLEN];
	static struct iovec iov[VLEN];
	static bool ready;
	struct epoll_event ev;
	int n;

	/* Set up once, as ns-monitor's intake does: the kernel only fills in. */
	if (!ready) {
		for (int i = 0; i < VLEN; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		ready = true;
	}
	n = epoll_wait(epfd, &ev, 1, -1);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	n = recvmmsg(fd, msgs, VLEN, MSG_DONTWAIT, NULL);
	if (n == -1)
		return errno == EINTR || errno == EAGAIN || errno == ENOBUFS ? 0 : -1;
	for (int i = 0; i < n; i++)
		react(bufs[i], (int)msgs[i].msg_len);
	return 0;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	struct sigaction sa;
	long group = -1;
	struct io_uring ring;
	int opt, epfd = -1;
	bool as_loop = false, as_ring = false;

	while ((opt = getopt(argc, argv, "lug:s:")) != -1) {
		switch (opt) {
		case 'l': as_loop = true; break;
		case 'u': as_ring = true; break;
		case 'g': group = strtol(optarg, NULL, 10); break;
		case 's':
			for (char *s = strtok(optarg, ","); s && nslaves < MAX_SLAVES;
			     s = strtok(NULL, ",")) {
				struct ifreq ifr;
				int fd = socket(AF_INET6, SOCK_DGRAM, 0);

				memset(&ifr, 0, sizeof(ifr));
				snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s);
				ifindex[nslaves] = if_nametoindex(s);
				if (!ifindex[nslaves] || fd == -1 ||
				    ioctl(fd, SIOCGIFHWADDR, &ifr) == -1) {
					fprintf(stderr, "floor: slave %s: no such interface\n", s);
					return 1;
				}
				memcpy(mac[nslaves++], ifr.ifr_hwaddr.sa_data, 6);
				close(fd);
			}
			break;
		default:
			fprintf(stderr, "usage: floor [-l|-u] -g GROUP -s SLAVE[,SLAVE...]\n");
			return 2;
		}
	}
	if (group < 0 || group > 65535 || !nslaves || (as_loop && as_ring)) {
		fprintf(stderr, "usage: floor [-l|-u] -g GROUP -s SLAVE[,SLAVE...]\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	pfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (!nl || pfd == -1 || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    config(nl, (uint16_t)group, NFULNL_CFG_CMD_BIND) == -1 ||
	    config(nl, (uint16_t)group, -1) == -1) {
		perror("floor: NFLOG group / packet socket");
		return 1;
	}
	if (as_loop) {
		struct epoll_event ev = { .events = EPOLLIN };

		epfd = epoll_create1(EPOLL_CLOEXEC);
		if (epfd == -1 ||
		    epoll_ctl(epfd, EPOLL_CTL_ADD, mnl_socket_get_fd(nl), &ev) == -1) {
			perror("floor: epoll");
			return 1;
		}
	}
	if (as_ring) {
		int rc = io_uring_queue_init(4, &ring, IORING_SETUP_SINGLE_ISSUER |
						       IORING_SETUP_DEFER_TASKRUN);

		if (rc < 0) {
			fprintf(stderr, "floor: io_uring: %s\n", strerror(-rc));
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "floor: listening on NFLOG group %ld, %u slave(s)%s\n", group,
		nslaves, as_loop ? ", as an event loop" : as_ring ? ", through io_uring" : "");
	while (!stop) {
		int fd = mnl_socket_get_fd(nl);

		if (want_stats) {
			want_stats = 0;
			listen_print("floor", &st, pfd);
		}
		if ((as_loop ? read_as_loop(epfd, fd) : as_ring ? read_ring(&ring, fd) :
		     read_blocking(fd)) == -1) {
			perror("floor: reading NFLOG");
			return 1;
		}
	}
	listen_print("floor", &st, pfd);
	config(nl, (uint16_t)group, NFULNL_CFG_CMD_UNBIND);
	mnl_socket_close(nl);
	return 0;
}
