/* proxy_ndp turned on by us: undone at exit, or by the next start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proxy_ndp_state.h"

/* sysctl through /proc: there is no netlink way to set these. */
static int sysctl_path(char *path, size_t size, const char *ifname,
		       const char *key)
{
	if (strcmp(key, "proxy_delay") == 0)
		return snprintf(path, size, "/proc/sys/net/ipv6/neigh/%s/%s",
				ifname, key);
	return snprintf(path, size, "/proc/sys/net/ipv6/conf/%s/%s", ifname,
			key);
}

static int sysctl_write(const char *ifname, const char *key, int value)
{
	char path[128], v[16];
	int fd, len, rc;

	sysctl_path(path, sizeof(path), ifname, key);
	len = snprintf(v, sizeof(v), "%d\n", value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = write(fd, v, (size_t)len) == len ? 0 : -1;
	close(fd);
	return rc;
}

/* The sysctl's value, or -1. */
static int sysctl_read(const char *ifname, const char *key)
{
	char path[128], v[16] = "";
	ssize_t n;
	int fd;

	sysctl_path(path, sizeof(path), ifname, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, v, sizeof(v) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	v[n] = '\0';
	return atoi(v);
}

/*
 * /run is shared by every network namespace: the file is named after ours
 * (its inode number) as well as the group, so that instances in other
 * namespaces (containers, tests) never undo each other's settings.
 */
static int state_path(uint16_t group, char *buf, size_t size)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) == -1)
		return -1;
	snprintf(buf, size, RUNTIME_DIR "/proxy_ndp.%lu.%u",
		 (unsigned long)st.st_ino, group);
	return 0;
}

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= IF_NAMESIZE || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

/* One word after the name: "proxy_ndp" or "proxy_delay=N". */
static bool parse_word(const char *w, size_t len, struct proxy_ndp_change *c)
{
	static const char delay[] = "proxy_delay=";
	const size_t dlen = sizeof(delay) - 1;
	long v = 0;

	if (len == 9 && memcmp(w, "proxy_ndp", 9) == 0) {
		c->ndp = true;
		return true;
	}
	if (len <= dlen || len > dlen + 9 || memcmp(w, delay, dlen) != 0)
		return false;
	for (size_t i = dlen; i < len; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		v = v * 10 + (w[i] - '0');
	}
	c->delay = (int)v;
	return true;
}

int proxy_ndp_state_parse(const char *buf, size_t len,
			  struct proxy_ndp_change *out, unsigned int max)
{
	unsigned int n = 0;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		const char *line = buf + i, *end;
		struct proxy_ndp_change c = { .delay = -1 };
		size_t l, word;

		if (!nl)
			return -1;	/* cut short: not one of ours */
		end = nl;
		l = (size_t)(nl - line);
		word = strcspn(line, " \n");
		if (!name_ok(line, word) || n >= max)
			return -1;
		memcpy(c.name, line, word);
		c.name[word] = '\0';
		if (word == l)
			c.ndp = true;		/* a name alone: proxy_ndp */
		for (const char *w = line + word; w < end; ) {
			size_t wl;

			if (*w++ != ' ')
				return -1;
			wl = strcspn(w, " \n");
			if (!parse_word(w, wl, &c))
				return -1;
			w += wl;
		}
		out[n++] = c;
		i += l + 1;
	}
	return (int)n;
}

/* Write the group's record: a temporary file beside it, then rename. */
static int save(const struct proxy_ndp_state *st, uint16_t group)
{
	char path[128], tmp[160], buf[PROXY_NDP_MAX_MASTERS * (IF_NAMESIZE + 40)];
	size_t len = 0;
	int fd;

	if (state_path(group, path, sizeof(path)) == -1)
		return -1;
	for (unsigned int i = 0; i < st->n; i++) {
		const struct proxy_ndp_change *c = &st->c[i];

		if (c->group != group)
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					c->name, c->ndp ? " proxy_ndp" : "");
		if (c->delay >= 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" proxy_delay=%d", c->delay);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n");
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	/* O_EXCL under the hood: never opens what someone planted there. */
	fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	if (fchmod(fd, 0644) == -1 || write(fd, buf, len) != (ssize_t)len ||
	    fsync(fd) == -1) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

bool proxy_ndp_state_has(const struct proxy_ndp_state *st, const char *ifname)
{
	for (unsigned int i = 0; i < st->n; i++)
		if (strcmp(st->c[i].name, ifname) == 0)
			return true;
	return false;
}

int proxy_ndp_state_take(struct proxy_ndp_state *st, const char *ifname,
			 uint16_t group)
{
	struct proxy_ndp_change *c;
	int delay = sysctl_read(ifname, "proxy_delay");
	bool ndp = sysctl_read(ifname, "proxy_ndp") == 0;

	if (!ndp && delay <= 0)
		return 0;		/* as wanted already: nothing to undo */
	if (st->n >= PROXY_NDP_MAX_MASTERS) {
		errno = ENOSPC;
		return -1;
	}
	c = &st->c[st->n++];
	*c = (struct proxy_ndp_change){ .group = group, .ndp = ndp,
					.delay = delay > 0 ? delay : -1 };
	snprintf(c->name, sizeof(c->name), "%s", ifname);
	/* Recorded first: a kill between the two leaves at most a no-op. */
	if (save(st, group) == -1)
		log_warn("%s: recording the proxy_ndp change in " RUNTIME_DIR
			 " (a killed run would leave it)", ifname);
	if (ndp && sysctl_write(ifname, "proxy_ndp", 1) == -1) {
		int saved = errno;

		st->n--;
		save(st, group);
		errno = saved;
		return -1;
	}
	if (c->delay > 0 && sysctl_write(ifname, "proxy_delay", 0) == -1) {
		log_warn("%s: setting proxy_delay to 0 (proxied answers to a multicast NS wait up to %d.%02d s)",
			 ifname, c->delay / 100, c->delay % 100);
		c->delay = -1;
		save(st, group);
	}
	if (ndp)
		log_info("%s: turned on proxy_ndp (turned off again at exit)",
			 ifname);
	if (c->delay > 0)
		log_info("%s: proxy_delay set to 0, so that the kernel answers for proxied targets at once (%d again at exit)",
			 ifname, c->delay);
	return 0;
}

/* Put back one master's sysctls; says what it did. */
static void put_back(const struct proxy_ndp_change *c, const char *why)
{
	if (c->ndp) {
		if (sysctl_write(c->name, "proxy_ndp", 0) == 0) {
			if (why)
				log_info("%s: turned proxy_ndp off again (%s)",
					 c->name, why);
		} else if (errno != ENOENT)
			log_warn("%s: turning proxy_ndp off again", c->name);
	}
	if (c->delay >= 0) {
		if (sysctl_write(c->name, "proxy_delay", c->delay) == 0) {
			if (why)
				log_info("%s: proxy_delay back to %d (%s)",
					 c->name, c->delay, why);
		} else if (errno != ENOENT)
			log_warn("%s: setting proxy_delay back to %d", c->name,
				 c->delay);
	}
}

void proxy_ndp_state_undo(struct proxy_ndp_state *st)
{
	char path[128];

	for (unsigned int i = 0; i < st->n; i++)
		put_back(&st->c[i], NULL);
	for (unsigned int i = 0; i < st->n; i++) {
		bool first = true;

		for (unsigned int j = 0; j < i; j++)
			first = first && st->c[j].group != st->c[i].group;
		if (first && state_path(st->c[i].group, path, sizeof(path)) == 0 &&
		    unlink(path) == -1 && errno != ENOENT)
			log_warn("removing %s", path);
	}
	st->n = 0;
}

int proxy_ndp_state_recover(uint16_t group)
{
	char path[128], buf[PROXY_NDP_STATE_MAX];
	struct proxy_ndp_change changes[PROXY_NDP_MAX_MASTERS];
	ssize_t len;
	int fd, n;

	if (state_path(group, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	n = len < 0 ? -1 : proxy_ndp_state_parse(buf, (size_t)len, changes,
						  PROXY_NDP_MAX_MASTERS);
	if (n == -1)
		log_warnx("%s: not a proxy_ndp record of ours; removing it", path);
	for (int i = 0; i < n; i++)
		put_back(&changes[i], "left by a killed run");
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("removing %s", path);
	return n;
}
