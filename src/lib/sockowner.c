/*
 * The holder of a netlink socket: its port id gives its inode in
 * /proc/net/netlink, and the inode the process whose descriptor table
 * holds "socket:[inode]". The port id alone is not a pid: only a
 * process's first netlink socket of a protocol gets its pid as port id,
 * later ones get a number the kernel makes up.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockowner.h"

int netlink_line_match(const char *line, int protocol, uint32_t portid,
		       unsigned long *inode)
{
	unsigned long long sk;
	unsigned long ino;
	unsigned int groups, rmem, wmem, dump, locks, drops;
	int eth;
	uint32_t pid;

	if (sscanf(line, "%llx %d %u %x %u %u %u %u %u %lu", &sk, &eth, &pid,
		   &groups, &rmem, &wmem, &dump, &locks, &drops, &ino) != 10)
		return -1;
	if (eth != protocol || pid != portid)
		return 0;
	*inode = ino;
	return 1;
}

static unsigned long socket_inode(int protocol, uint32_t portid)
{
	FILE *f = fopen("/proc/self/net/netlink", "re");
	unsigned long inode = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (netlink_line_match(line, protocol, portid, &inode) == 1)
			break;
	fclose(f);
	return inode;
}

static bool holds_inode(const char *pid, const char *want)
{
	char path[300], link[64];
	struct dirent *fd;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (fd = readdir(d))) {
		char fdpath[600];
		ssize_t n;

		if (fd->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, fd->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}

static void read_comm(const char *pid, char *comm, size_t commlen)
{
	char path[300];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		n = read(fd, comm, commlen - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

pid_t netlink_socket_owner(int protocol, uint32_t portid, char *comm,
			   size_t commlen)
{
	unsigned long inode = socket_inode(protocol, portid);
	char want[48];
	struct dirent *p;
	pid_t owner = -1;
	DIR *d;

	if (commlen)
		comm[0] = '\0';
	if (!inode)
		return -1;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir("/proc");
	if (!d)
		return -1;
	while (owner == -1 && (p = readdir(d))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		if (holds_inode(p->d_name, want)) {
			owner = (pid_t)strtol(p->d_name, NULL, 10);
			if (commlen)
				read_comm(p->d_name, comm, commlen);
		}
	}
	closedir(d);
	return owner;
}
