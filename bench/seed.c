/*
 * bench/seed: the seed's method, as its technical report describes it (see
 * ../shared/seeds): a listener on the master, and for each NS, one
 * `ping -c1 -W1 -I SLAVE X` per slave, forked and waited for, one slave after
 * the other. No dedup, no rate limit. Single-threaded like the prototype's
 * handler: while it waits for a ping, NS queue up in the socket (and are
 * dropped when its buffer is full).
 *
 *   seed -m MASTER -s SLAVE[,SLAVE...]
 *
 * The seed's prototype read a raw ICMPv6 socket, which never sees the host's
 * own outgoing NS; this one uses the ETH_P_ALL listener of listen.h.
 * `ping -I SLAVE X` needs a route for X on SLAVE ("Network is unreachable"
 * otherwise): bench/run.sh gives each slave an on-link route for the prefix
 * with a worse metric than the master's.
 *
 * Counters on SIGUSR1 and at exit (SIGTERM, SIGINT) on stderr.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "listen.h"

#define MAX_SLAVES 8

static volatile sig_atomic_t want_stats, stop;
static struct listen_stats st;
static int fd = -1;

/* Counters asked for while blocked in recv() or waiting for a ping. */
static void stats_if_asked(void)
{
	if (want_stats) {
		want_stats = 0;
		listen_print("seed", &st, fd);
	}
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else
		stop = 1;
}

static int ping(const char *slave, const char *addr)
{
	pid_t pid = fork();
	int status;

	if (pid == -1)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null != -1) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("ping", "ping", "-c1", "-W1", "-I", slave, addr, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return -1;
		stats_if_asked();
	}
	/* ping exits 1 when no reply came: the probe was still sent. */
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *master = NULL, *slaves[MAX_SLAVES];
	unsigned int nslaves = 0;
	struct sigaction sa;
	uint8_t buf[256];
	int opt;

	while ((opt = getopt(argc, argv, "m:s:")) != -1) {
		switch (opt) {
		case 'm': master = optarg; break;
		case 's':
			for (char *s = strtok(optarg, ","); s && nslaves < MAX_SLAVES;
			     s = strtok(NULL, ","))
				slaves[nslaves++] = s;
			break;
		default:
			fprintf(stderr, "usage: seed -m MASTER -s SLAVE[,SLAVE...]\n");
			return 2;
		}
	}
	if (!master || !nslaves) {
		fprintf(stderr, "usage: seed -m MASTER -s SLAVE[,SLAVE...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = listen_open(master);
	if (fd == -1) {
		perror("seed: packet socket on the master");
		return 1;
	}
	fprintf(stderr, "seed: listening on %s, %u slave(s)\n", master, nslaves);
	while (!stop) {
		ssize_t n;
		const uint8_t *t;
		char addr[INET6_ADDRSTRLEN];
		int type;

		stats_if_asked();
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("seed: recv");
			return 1;
		}
		t = bench_frame_target(buf, (unsigned int)n, &type);
		if (!t || type != 135)
			continue;
		st.received++;
		/* The seed's only check: a source that is not :: (no DAD). */
		if (!memcmp(buf + 14 + 8, &in6addr_any, 16))
			continue;
		inet_ntop(AF_INET6, t, addr, sizeof(addr));
		for (unsigned int i = 0; i < nslaves; i++) {
			if (ping(slaves[i], addr) == 0)
				st.probes_ok++;
			else
				st.probes_failed++;
		}
		st.handled++;
	}
	listen_print("seed", &st, fd);
	return 0;
}
