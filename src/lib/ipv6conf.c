/* IPv6 sysctls of an interface, read through /proc. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ipv6conf.h"

int ipv6conf_read(const char *ifname, const char *key)
{
	char path[128], v[16] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (read(fd, v, sizeof(v) - 1) <= 0)
		v[0] = '\0';
	close(fd);
	return v[0] ? v[0] - '0' : -1;
}
