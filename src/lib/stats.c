/* Counters out: the Prometheus text format and a log summary. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "control.h"
#include "engine.h"
#include "intake.h"
#include "learn.h"
#include "log.h"
#include "metrics.h"
#include "netmon.h"
#include "nftwatch.h"
#include "slaves.h"
#include "rtnl.h"
#include "stats.h"

/* The engine's count of a slave's guest signs, for slaves_metrics(). */
static int slave_signs(const void *ctx, uint16_t group, unsigned int slave,
		       uint64_t *taken, uint64_t *refused)
{
	struct engine_slave_signs n;

	if (engine_slave_signs(ctx, group, slave, &n) == -1)
		return -1;
	*taken = n.taken;
	*refused = n.refused;
	return 0;
}

/*
 * Every part writes its own counters (metrics.h): here they are only put
 * together, in one order, and the neighbor table read for this write.
 */
void stats_write(FILE *out, const struct stats_sources *src)
{
	struct metrics m = { out, NULL };

	if (src->intake)
		intake_metrics(src->intake, &m);
	if (src->slaves)
		slaves_metrics(src->slaves, &m,
			      src->engine_state ? slave_signs : NULL,
			      src->engine_state);
	if (src->answers)
		answer_metrics(src->answers, &m);
	if (src->engine)
		engine_metrics(src->engine, &m);
	if (src->learn)
		learn_metrics(src->learn, &m);
	if (src->control)
		control_metrics(src->control, &m);
	if (src->neigh_table) {
		metrics_gauge(&m, "neighbor_table_entries",
			      "IPv6 neighbor entries in use, all network namespaces of the machine together.",
			      src->neigh_table->entries);
		metrics_gauge(&m, "neighbor_table_gc_thresh2",
			      "Above this many IPv6 neighbor entries the kernel collects them after 5 s (net.ipv6.neigh.default.gc_thresh2).",
			      src->neigh_table->thresh2);
		metrics_gauge(&m, "neighbor_table_gc_thresh3",
			      "The most IPv6 neighbor entries the kernel holds: new ones fail beyond (net.ipv6.neigh.default.gc_thresh3).",
			      src->neigh_table->thresh3);
	}
	/* The two event sockets' samples of one family, together. */
	if (src->netmon)
		netmon_metrics(src->netmon, &m);
	if (src->nftwatch)
		nftwatch_metrics(src->nftwatch, &m);
}

#define STATS_LINK_HOPS 8	/* links followed with --stats-follow-link */
#define STATS_TMP_TRIES 64

/*
 * Where the file is written: PATH itself, or with follow_link where its
 * links lead. A link at PATH without follow_link is ELOOP. A PATH that does
 * not exist yet is fine: the first write makes it.
 */
static int stats_resolve(const char *path, bool follow_link, char *out,
			 size_t size)
{
	char cur[PATH_MAX], target[PATH_MAX];
	struct stat st;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int hop = 0;; hop++) {
		const char *slash;
		ssize_t n;

		if (lstat(cur, &st) == -1) {
			if (errno != ENOENT)
				return -1;
			break;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (!follow_link || hop == STATS_LINK_HOPS) {
			errno = ELOOP;
			return -1;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n == -1)
			return -1;
		target[n] = '\0';
		slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash) {
			memcpy(cur, target, (size_t)n + 1);
		} else {
			/* Relative: from the link's own directory. */
			size_t dirlen = (size_t)(slash - cur) + 1;

			if (dirlen + (size_t)n >= sizeof(cur)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(cur + dirlen, target, (size_t)n + 1);
		}
	}
	if (snprintf(out, size, "%s", cur) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int stats_check_path(const char *path, bool follow_link, char *err,
		     size_t errlen)
{
	char real[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || path[len - 1] == '/') {
		snprintf(err, errlen, "stats file '%s' names a directory, not a file",
			 path);
		return -1;
	}
	if (stats_resolve(path, follow_link, real, sizeof(real)) == 0)
		return 0;
	if (errno == ELOOP && !follow_link)
		snprintf(err, errlen,
			 "stats file %s is a symbolic link: give the file's real path, or --stats-follow-link if the link and its directory are trusted",
			 path);
	else if (errno == ELOOP || errno == ENAMETOOLONG)
		snprintf(err, errlen, "stats file %s: %s", path, strerror(errno));
	else
		return 0;	/* not ours to judge here: the writes will say */
	return -1;
}

/* A name nobody can guess in time: ".BASE.XXXXXXXXXX", not *.prom. */
static int tmp_name(char *buf, size_t size, const char *base)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[10];
	char suffix[sizeof(rnd) + 1];

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* No entropy yet at early boot: O_EXCL still keeps it safe. */
		struct timespec ts;
		unsigned long x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
		for (size_t i = 0; i < sizeof(rnd); i++, x = x * 6364136223846793005ul + 1)
			rnd[i] = (unsigned char)(x >> 33);
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
	suffix[sizeof(rnd)] = '\0';
	if (snprintf(buf, size, ".%s.%s", base, suffix) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Write into a new file of our own beside PATH, then rename it over PATH. */
static int write_beside(const char *path, const struct stats_sources *src)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dfd, fd = -1, rc = -1, saved;
	FILE *f;

	if (*base == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* Every step relative to one directory: it cannot be swapped midway. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return -1;
	for (int i = 0; i < STATS_TMP_TRIES && fd == -1; i++) {
		if (tmp_name(tmp, sizeof(tmp), base) == -1)
			goto out;
		/* O_EXCL|O_NOFOLLOW: never a file or a link someone put there. */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			goto out;
	}
	if (fd == -1)
		goto out;
	/* node_exporter reads it as another user, whatever our umask. */
	f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		saved = errno;
		close(fd);
		errno = saved;
		goto out_unlink;
	}
	stats_write(f, src);
	rc = fflush(f) == EOF || ferror(f) ? -1 : 0;
	if (rc == 0 && fsync(fileno(f)) == -1)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	/* A reader sees the old file or the new one, never half of one. */
	if (rc == 0 && renameat(dfd, tmp, dfd, base) == 0)
		goto out;
	rc = -1;
out_unlink:
	saved = errno;
	unlinkat(dfd, tmp, 0);
	errno = saved;
out:
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

int stats_write_file(const char *path, bool follow_link,
		     const struct stats_sources *src)
{
	char real[PATH_MAX];

	/* Checked at every write: a link may be planted at any time. */
	if (stats_resolve(path, follow_link, real, sizeof(real)) == -1)
		return -1;
	return write_beside(real, src);
}

/* What was learned (the engine's count) and what that made (learn's). */
static void log_learning(const struct learn *l, const struct engine_counters *e)
{
	if (!l->cfg || !l->cfg->learn_routes)
		return;
	log_info("learned %lu, moved %lu, forgotten %lu; routes added %lu, removed %lu; proxies added %lu, removed %lu; claims refused %lu; re-asked %lu",
		 (unsigned long)e->learned, (unsigned long)e->moved,
		 (unsigned long)e->forgotten, l->c.routes_added,
		 l->c.routes_removed, l->c.proxies_added, l->c.proxies_removed,
		 (unsigned long)engine_refusals(e),
		 (unsigned long)e->keepalive_asks);
}

void stats_log(const struct stats_sources *src)
{
	if (src->intake)
		intake_log_counters(src->intake);
	if (src->slaves)
		slaves_log_counters(src->slaves);
	if (src->engine) {
		engine_log_counters(src->engine);
		if (src->learn)
			log_learning(src->learn, src->engine);
	}
}
