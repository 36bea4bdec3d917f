/* Answers to our probes: echo replies, with the interface they came in on. */
#include <errno.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "answer.h"
#include "log.h"
#include "probe.h"

#define ANSWER_BATCH 64		/* replies read per wake-up at most */

int answer_open(void)
{
	struct icmp6_filter filter;
	int on = 1, fd;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMPV6);
	if (fd == -1)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter,
		       sizeof(filter)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		       sizeof(on)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

void answer_read(int fd, uint16_t id, answer_cb cb, void *data)
{
	for (int i = 0; i < ANSWER_BATCH; i++) {
		uint8_t buf[64];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} control;
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		unsigned int ifindex = 0;
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("reading echo replies");
			return;
		}
		if (msg.msg_namelen < sizeof(from) ||
		    !probe_is_reply(buf, (size_t)n, id))
			continue;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
		     cm = CMSG_NXTHDR(&msg, cm)) {
			struct in6_pktinfo pi;

			if (cm->cmsg_level != IPPROTO_IPV6 ||
			    cm->cmsg_type != IPV6_PKTINFO ||
			    cm->cmsg_len < CMSG_LEN(sizeof(pi)))
				continue;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ifindex = (unsigned int)pi.ipi6_ifindex;
		}
		if (ifindex)
			cb(ifindex, &from.sin6_addr, data);
	}
}
