/* Least privilege: after set-up keep CAP_NET_ADMIN and CAP_NET_RAW only. */
#ifndef NS_MONITOR_PRIVS_H
#define NS_MONITOR_PRIVS_H

#include <sys/types.h>

/*
 * Drop every capability but CAP_NET_ADMIN and CAP_NET_RAW from the
 * effective, permitted, inheritable and bounding sets; with a user, switch
 * to it (and its group) keeping those two. Returns 0 or -1 (logged).
 */
int privs_drop(const char *user, uid_t uid, gid_t gid);

#endif
