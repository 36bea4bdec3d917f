/*
 * tcp_probe: one TCP connect, timed, with its SYN retransmissions counted;
 * or a listener for it. For tests/integration/test_queue.sh.
 *
 *   tcp_probe listen ADDR PORT          accept and close, forever
 *   tcp_probe connect ADDR PORT MS      one attempt, at most MS ms
 *
 * connect prints "connected us N retrans N at T" (TCP_INFO's total
 * retransmissions: 0 means the first SYN got through; T the
 * CLOCK_MONOTONIC time in µs) and exits 0, or
 * "failed us N: REASON" and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int do_listen(const struct sockaddr_in6 *sa)
{
	int one = 1;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1 ||
	    listen(fd, 64) == -1) {
		perror("tcp_probe: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

static int do_connect(const struct sockaddr_in6 *sa, int ms)
{
	struct pollfd pfd;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	long long t0;
	int err = 0;
	socklen_t elen = sizeof(err);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd == -1) {
		perror("tcp_probe: socket");
		return 2;
	}
	t0 = now_us();
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1 &&
	    errno != EINPROGRESS) {
		printf("failed us %lld: %s\n", now_us() - t0, strerror(errno));
		return 1;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, ms) != 1) {
		printf("failed us %lld: timeout\n", now_us() - t0);
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err) {
		printf("failed us %lld: %s\n", now_us() - t0, strerror(err));
		return 1;
	}
	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	printf("connected us %lld retrans %u at %lld\n", now_us() - t0,
	       ti.tcpi_total_retrans, now_us());
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

	if (argc < 4 || inet_pton(AF_INET6, argv[2], &sa.sin6_addr) != 1) {
		fprintf(stderr, "usage: tcp_probe listen|connect ADDR PORT [MS]\n");
		return 2;
	}
	sa.sin6_port = htons((uint16_t)atoi(argv[3]));
	if (strcmp(argv[1], "listen") == 0)
		return do_listen(&sa);
	if (strcmp(argv[1], "connect") == 0 && argc == 5)
		return do_connect(&sa, atoi(argv[4]));
	fprintf(stderr, "usage: tcp_probe listen|connect ADDR PORT [MS]\n");
	return 2;
}
