/*
 * neigh_peak: the peak number of unresolved IPv6 neighbor entries
 * (INCOMPLETE or FAILED) on interfaces whose name starts with PREFIX, in the
 * current network namespace, sampled every PERIOD milliseconds. For the
 * scale test and bench: the kernel sends no event when an entry becomes
 * INCOMPLETE, so the table is dumped; one process, because forking `ip` for
 * every sample cannot keep a 20 ms pace on a loaded machine.
 *
 *   neigh_peak [-p PERIOD_MS] [-T SECONDS] PREFIX
 *
 * Prints "ready" once it sampled once; stops on SIGINT or SIGTERM, or after
 * SECONDS (default 30), and prints "PEAK SAMPLES ELAPSED_MS".
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One dump of the IPv6 neighbor table: the unresolved entries on PREFIX*,
 * or -1 if the dump failed. */
static int sample(int fd, const char *prefix, unsigned int seq)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.nd = { .ndm_family = AF_INET6 },
	};
	static char buf[1 << 16];
	size_t plen = strlen(prefix);
	int count = 0;

	if (send(fd, &req, sizeof(req), 0) == -1)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (nh->nlmsg_type != RTM_NEWNEIGH)
				continue;
			struct ndmsg *nd = NLMSG_DATA(nh);
			char name[IF_NAMESIZE];

			if (!(nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED)))
				continue;
			if (if_indextoname((unsigned int)nd->ndm_ifindex, name) &&
			    strncmp(name, prefix, plen) == 0)
				count++;
		}
	}
}

int main(int argc, char **argv)
{
	long period = 20, seconds = 30;
	int opt, fd, peak = 0;
	unsigned long samples = 0;

	while ((opt = getopt(argc, argv, "p:T:")) != -1) {
		switch (opt) {
		case 'p':
			period = strtol(optarg, NULL, 10);
			break;
		case 'T':
			seconds = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || period < 1 || period > 10000 || seconds < 1)
		goto usage;

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1) {
		perror("neigh_peak: netlink socket");
		return 1;
	}
	long long t0 = now_ms(), end = t0 + seconds * 1000LL;
	struct timespec pause = { period / 1000, (period % 1000) * 1000000L };

	while (!stop && now_ms() < end) {
		int n = sample(fd, argv[optind], (unsigned int)samples + 1);

		if (n < 0) {
			perror("neigh_peak: neighbor dump");
			return 1;
		}
		if (n > peak)
			peak = n;
		if (samples++ == 0) {
			printf("ready\n");
			fflush(stdout);
		}
		nanosleep(&pause, NULL);
	}
	printf("%d %lu %lld\n", peak, samples, now_ms() - t0);
	return 0;
usage:
	fprintf(stderr, "usage: neigh_peak [-p PERIOD_MS] [-T SECONDS] PREFIX\n");
	return 2;
}
