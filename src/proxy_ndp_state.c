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

/* sysctl through /proc: there is no netlink way to set proxy_ndp. */
static int proxy_ndp_write(const char *ifname, int value)
{
	char path[128], v = (char)('0' + value);
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/proxy_ndp",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = write(fd, &v, 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
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

int proxy_ndp_state_parse(const char *buf, size_t len,
			  char (*names)[IF_NAMESIZE], unsigned int max)
{
	unsigned int n = 0;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t l;

		if (!nl)
			return -1;	/* cut short: not one of ours */
		l = (size_t)(nl - (buf + i));
		if (!name_ok(buf + i, l) || n >= max)
			return -1;
		memcpy(names[n], buf + i, l);
		names[n][l] = '\0';
		n++;
		i += l + 1;
	}
	return (int)n;
}

/* Write the group's record: a temporary file beside it, then rename. */
static int save(const struct proxy_ndp_state *st, uint16_t group)
{
	char path[128], tmp[160], buf[PROXY_NDP_MAX_MASTERS * IF_NAMESIZE];
	size_t len = 0;
	int fd;

	if (state_path(group, path, sizeof(path)) == -1)
		return -1;
	for (unsigned int i = 0; i < st->n; i++)
		if (st->groups[i] == group)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n",
						st->names[i]);
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
		if (strcmp(st->names[i], ifname) == 0)
			return true;
	return false;
}

int proxy_ndp_state_turn_on(struct proxy_ndp_state *st, const char *ifname,
			    uint16_t group)
{
	if (st->n >= PROXY_NDP_MAX_MASTERS) {
		errno = ENOSPC;
		return -1;
	}
	/* Recorded first: a kill between the two leaves at most a no-op. */
	snprintf(st->names[st->n], IF_NAMESIZE, "%s", ifname);
	st->groups[st->n++] = group;
	if (save(st, group) == -1)
		log_warn("%s: recording the proxy_ndp change in " RUNTIME_DIR
			 " (a killed run would leave it on)", ifname);
	if (proxy_ndp_write(ifname, 1) == -1) {
		int saved = errno;

		st->n--;
		save(st, group);
		errno = saved;
		return -1;
	}
	return 0;
}

void proxy_ndp_state_undo(struct proxy_ndp_state *st)
{
	char path[128];

	for (unsigned int i = 0; i < st->n; i++)
		if (proxy_ndp_write(st->names[i], 0) == -1 && errno != ENOENT)
			log_warn("%s: turning proxy_ndp off again", st->names[i]);
	for (unsigned int i = 0; i < st->n; i++) {
		bool first = true;

		for (unsigned int j = 0; j < i; j++)
			first = first && st->groups[j] != st->groups[i];
		if (first && state_path(st->groups[i], path, sizeof(path)) == 0 &&
		    unlink(path) == -1 && errno != ENOENT)
			log_warn("removing %s", path);
	}
	st->n = 0;
}

int proxy_ndp_state_recover(uint16_t group)
{
	char path[128], buf[PROXY_NDP_STATE_MAX];
	char names[PROXY_NDP_MAX_MASTERS][IF_NAMESIZE];
	ssize_t len;
	int fd, n;

	if (state_path(group, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	n = len < 0 ? -1 : proxy_ndp_state_parse(buf, (size_t)len, names,
						  PROXY_NDP_MAX_MASTERS);
	if (n == -1)
		log_warnx("%s: not a proxy_ndp record of ours; removing it", path);
	for (int i = 0; i < n; i++) {
		if (proxy_ndp_write(names[i], 0) == 0)
			log_info("%s: turned proxy_ndp off again (left on by a killed run)",
				 names[i]);
		else if (errno != ENOENT)
			log_warn("%s: turning proxy_ndp off again", names[i]);
	}
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("removing %s", path);
	return n;
}
