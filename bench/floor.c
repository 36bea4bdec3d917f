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
 *   floor -g GROUP -s SLAVE[,SLAVE...]
 *
 * The nft rule that logs to GROUP is loaded by bench/run.sh. Counters on
 * SIGUSR1 and at exit on stderr, in the form of listen.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "listen.h"

#define MAX_SLAVES 8

static volatile sig_atomic_t want_stats, stop;

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

int main(int argc, char **argv)
{
	unsigned int ifindex[MAX_SLAVES], nslaves = 0;
	uint8_t mac[MAX_SLAVES][6];
	struct listen_stats st = { 0, 0, 0, 0 };
	struct mnl_socket *nl;
	struct sigaction sa;
	long group = -1;
	int pfd, opt;
	static char buf[65536];
	uint8_t frame[14 + 128];

	while ((opt = getopt(argc, argv, "g:s:")) != -1) {
		switch (opt) {
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
			fprintf(stderr, "usage: floor -g GROUP -s SLAVE[,SLAVE...]\n");
			return 2;
		}
	}
	if (group < 0 || group > 65535 || !nslaves) {
		fprintf(stderr, "usage: floor -g GROUP -s SLAVE[,SLAVE...]\n");
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
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "floor: listening on NFLOG group %ld, %u slave(s)\n", group, nslaves);
	while (!stop) {
		ssize_t n;
		int left;

		if (want_stats) {
			want_stats = 0;
			listen_print("floor", &st, pfd);
		}
		n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("floor: recv");
			return 1;
		}
		left = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
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
	listen_print("floor", &st, pfd);
	config(nl, (uint16_t)group, NFULNL_CFG_CMD_UNBIND);
	mnl_socket_close(nl);
	return 0;
}
