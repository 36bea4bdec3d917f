/*
 * The files the daemon writes after set-up (stats file, pidfile) and its
 * runtime directory: checked at start, so that a missing or unwritable
 * directory is a clear error rather than a daemon running without them.
 */
#ifndef NS_MONITOR_PATHS_H
#define NS_MONITOR_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/*
 * 0, or -1 with a one-line reason in err: a --stats-file or --pidfile
 * whose directory is missing, or not writable by the identity the daemon
 * has after set-up (uid/gid, without CAP_DAC_OVERRIDE). as_root: no --user,
 * so the supplementary groups stay.
 */
int paths_check(const struct config *cfg, uid_t uid, gid_t gid, bool as_root,
		char *err, size_t errlen);

/*
 * Make RUNTIME_DIR (0755, owned by uid/gid) if it is missing; refuse one
 * that is a link or not a directory. 0 or -1 (errno set, err says what).
 */
int runtime_dir_make(uid_t uid, gid_t gid, char *err, size_t errlen);

#endif
