/*
 * nfq_hold: hold packets of one NFQUEUE queue with the daemon's own hold.c,
 * and release them when told, for tests/integration/test_queue.sh.
 *
 *   nfq_hold QUEUE [MAX_LEN [TABLE]]

 * TABLE (default: inet ns_monitor) is an ip6 family table holding the set
 * located_QUEUE, for a kernel without nft's queue expression, where the
 * test's queue rule comes from ip6tables-nft (table ip6 mangle).
 *
 * Prints "ready", then "held ID DST OUTDEV" for each packet held. Reads
 * commands, one a line, on stdin:
 *   slave ID       release ID with HOLD_TO_SLAVE (routed again); prints
 *                  "released ID slave at T" (T: CLOCK_MONOTONIC, µs)
 *   unchanged ID   release ID with HOLD_UNCHANGED
 *   auto           from now on release every packet unchanged at once
 *   locate ADDR MS add ADDR to located_QUEUE for MS ms
 *   stats          print "stats held N malformed N failopen N errors N"
 * and exits at end of input, releasing nothing (the kernel drops what is
 * still held when the socket closes).
 */
#include <arpa/inet.h>
#include "hold.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>

#include "log.h"

static struct hold h;

/* CLOCK_MONOTONIC in µs, comparable with tcp_probe's "at". */
static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}
static int auto_release;

static void on_held(uint32_t id, const struct in6_addr *dst, unsigned int outdev,
		    void *data)
{
	char a[INET6_ADDRSTRLEN];

	(void)data;
	if (auto_release) {
		hold_verdict(&h, id, HOLD_UNCHANGED);
		return;
	}
	inet_ntop(AF_INET6, dst, a, sizeof(a));
	printf("held %u %s %u\n", id, a, outdev);
	fflush(stdout);
}

static void command(char *line)
{
	unsigned long id;
	char addr[46];

	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "auto") == 0) {
		auto_release = 1;
	} else if (strcmp(line, "stats") == 0) {
		printf("stats held %lu malformed %lu failopen %lu errors %lu\n",
		       h.stats.held, h.stats.malformed, h.stats.failopen,
		       h.stats.verdict_errors);
	} else if (sscanf(line, "locate %45s %lu", addr, &id) == 2) {
		struct in6_addr a;

		if (inet_pton(AF_INET6, addr, &a) != 1 ||
		    hold_located_add(&h, h.queue_num, &a, (uint32_t)id) == -1)
			perror("nfq_hold: locate");
		else
			printf("located %s\n", addr);
	} else if (sscanf(line, "slave %lu", &id) == 1) {
		long long t = now_us();	/* before: the SYN may finish first */

		if (hold_verdict(&h, (uint32_t)id, HOLD_TO_SLAVE) == -1)
			perror("nfq_hold: verdict");
		printf("released %lu slave at %lld\n", id, t);
	} else if (sscanf(line, "unchanged %lu", &id) == 1) {
		if (hold_verdict(&h, (uint32_t)id, HOLD_UNCHANGED) == -1)
			perror("nfq_hold: verdict");
		printf("released %lu unchanged at %lld\n", id, now_us());
	} else if (line[0]) {
		fprintf(stderr, "nfq_hold: unknown command: %s\n", line);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	char line[128];
	unsigned long q, max_len = 16;

	if (argc < 2 || argc > 4 ||
	    (q = strtoul(argv[1], NULL, 10)) > 65535 ||
	    (argc >= 3 && (max_len = strtoul(argv[2], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: nfq_hold QUEUE [MAX_LEN [TABLE]]\n");
		return 2;
	}
	log_init(false, 0);
	if (hold_open(&h, (uint16_t)q, (uint32_t)max_len) == -1)
		return 1;
	if (argc == 4) {
		h.set_family = NFPROTO_IPV6;
		h.set_table = argv[3];
	}
	setvbuf(stdin, NULL, _IONBF, 0);
	printf("ready\n");
	fflush(stdout);
	pfd[0] = (struct pollfd){ .fd = hold_fd(&h), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("nfq_hold: poll");
			return 1;
		}
		if (pfd[0].revents)
			hold_read(&h, on_held, NULL);
		if (pfd[1].revents) {
			ssize_t n = read(STDIN_FILENO, line, sizeof(line) - 1);

			if (n <= 0)
				break;
			line[n] = '\0';
			for (char *l = strtok(line, "\n"); l; l = strtok(NULL, "\n"))
				command(l);
		}
	}
	hold_close(&h);
	return 0;
}
