/*
 * tun_pair: a point-to-point link without link-layer addresses between
 * two network namespaces, as a VPN or a tunnel gives a host: a tun device
 * in each, and this process carries every packet from one to the other.
 * For the test of a slave that cannot be asked with Neighbor Discovery
 * (this kernel has neither ip6tnl nor wireguard built in).
 *
 *   tun_pair [-T SECONDS] NETNS1 IF1 NETNS2 IF2
 *
 * NETNS1 and NETNS2 are names under /run/netns. Prints "ready" once both
 * devices exist (down: the caller brings them up and addresses them);
 * stops on SIGINT or SIGTERM, or after SECONDS (default 120), and the
 * devices go with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A tun device named ifname in the namespace netns (this process enters it). */
static int tun_in(const char *netns, const char *ifname)
{
	char path[256];
	struct ifreq ifr;
	int nsfd, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd == -1 || setns(nsfd, CLONE_NEWNET) == -1) {
		fprintf(stderr, "tun_pair: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(nsfd);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		fprintf(stderr, "tun_pair: /dev/net/tun: %s\n", strerror(errno));
		exit(1);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		fprintf(stderr, "tun_pair: TUNSETIFF %s in %s: %s\n", ifname,
			netns, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct sigaction sa = { .sa_handler = on_signal };
	long seconds = 120;
	time_t end;
	int opt, fd[2];

	while ((opt = getopt(argc, argv, "T:")) != -1) {
		if (opt != 'T' || (seconds = atol(optarg)) <= 0) {
			fprintf(stderr, "usage: tun_pair [-T SECONDS] NETNS1 IF1 NETNS2 IF2\n");
			return 2;
		}
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: tun_pair [-T SECONDS] NETNS1 IF1 NETNS2 IF2\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd[0] = tun_in(argv[optind], argv[optind + 1]);
	fd[1] = tun_in(argv[optind + 2], argv[optind + 3]);
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + seconds;
	while (!stop && time(NULL) < end) {
		struct pollfd p[2] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 } };

		if (poll(p, 2, 1000) == -1 && errno != EINTR)
			return 1;
		for (int i = 0; i < 2; i++) {
			/* At most a queue's worth per side and turn: both sides move. */
			for (int n = 0; n < 64 && (p[i].revents & POLLIN); n++) {
				ssize_t len = read(fd[i], buf, sizeof(buf));

				if (len <= 0)
					break;
				/* A full queue on the far side drops, as a link would. */
				(void)!write(fd[!i], buf, (size_t)len);
			}
		}
	}
	return 0;
}
