/* Where the daemon writes after set-up: checked before anything is set up. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static void dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len == 0)
		len = 1;	/* "/x" lives in "/" */
	if (len >= size)
		len = size - 1;
	memcpy(dir, path, len);
	dir[len] = '\0';
}

static bool in_groups(gid_t gid)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Writable by uid/gid through the mode bits alone: no capability helps. */
static bool writable_by(const struct stat *st, uid_t uid, gid_t gid,
			bool as_root)
{
	if (st->st_uid == uid)
		return st->st_mode & S_IWUSR;
	if (st->st_gid == gid || (as_root && in_groups(st->st_gid)))
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

static int dir_check(const char *what, const char *path, uid_t uid, gid_t gid,
		     bool as_root, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;

	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "%s %s: directory %s: %s; create it or choose another path",
			 what, path, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s: %s is not a directory", what, path, dir);
		return -1;
	}
	if (!writable_by(&st, uid, gid, as_root)) {
		snprintf(err, errlen, "%s %s: directory %s is not writable by uid %u, which the daemon runs as after set-up (without CAP_DAC_OVERRIDE); make it so or choose another path",
			 what, path, dir, (unsigned int)uid);
		return -1;
	}
	return 0;
}

int paths_check(const struct config *cfg, uid_t uid, gid_t gid, bool as_root,
		char *err, size_t errlen)
{
	char dir[PATH_MAX];

	if (cfg->stats_file &&
	    dir_check("stats file", cfg->stats_file, uid, gid, as_root, err,
		      errlen) == -1)
		return -1;
	if (!cfg->daemonize)
		return 0;
	/* The runtime directory is made for the run user at start. */
	dir_of(cfg->pidfile, dir, sizeof(dir));
	if (strcmp(dir, RUNTIME_DIR) == 0)
		return 0;
	return dir_check("pidfile", cfg->pidfile, uid, gid, as_root, err, errlen);
}

int runtime_dir_make(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(RUNTIME_DIR, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "making " RUNTIME_DIR ": %s", strerror(errno));
		return -1;
	}
	/* Never follow a link planted in its place. */
	fd = open(RUNTIME_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errlen, RUNTIME_DIR ": %s (a link or not a directory?); remove it",
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 ||
	    ((st.st_mode & 07777) != 0755 && fchmod(fd, 0755) == -1)) {
		snprintf(err, errlen, RUNTIME_DIR ": %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* Under the unit, --user needs CAP_CHOWN and @chown for this. */
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) == -1) {
		int e = errno;

		snprintf(err, errlen, "handing " RUNTIME_DIR " to uid %u: %s%s",
			 (unsigned int)uid, strerror(e),
			 e == EPERM ? " (under systemd, --user needs CAP_CHOWN and "
				      "SystemCallFilter=@chown: see the unit's comments)" : "");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
