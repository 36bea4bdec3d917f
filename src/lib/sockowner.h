/*
 * Which process holds a netlink socket, found by its port id: --check
 * names the process that has an NFLOG group bound (ns-monitor running, or
 * someone else) instead of only saying that it is taken.
 */
#ifndef NS_MONITOR_SOCKOWNER_H
#define NS_MONITOR_SOCKOWNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Pure: one line of /proc/net/netlink ("sk Eth Pid Groups ... Inode").
 * 1 with *inode set if it is a socket of `protocol` with port id `portid`,
 * 0 if it is another, -1 if the line is not such a line (the header).
 */
int netlink_line_match(const char *line, int protocol, uint32_t portid,
		       unsigned long *inode);

/*
 * The process (of this network namespace's /proc/net/netlink) that has the
 * socket open, with its command name in comm; -1 if none is found (gone,
 * or in a pid namespace we cannot see).
 */
pid_t netlink_socket_owner(int protocol, uint32_t portid, char *comm,
			   size_t commlen);

#endif
