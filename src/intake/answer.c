/*
 * Answers to our probes: echo replies and NAs, with the interface they came
 * in on. NAs are checked here (nd_parse_na) because a raw socket sees them
 * before the kernel's own checks; a hostile one is counted and dropped.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/icmp6.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "answer.h"
#include "log.h"
#include "metrics.h"
#include "nd.h"
#include "echo.h"
#include "trace.h"

#define ANSWER_BATCH 64		/* messages read per wake-up at most */
#define ANSWER_VLEN 8		/* messages per recvmmsg() */
/* An NA with options up to a full Ethernet frame; a longer one is cut. */
#define ANSWER_BUF 1500

/*
 * Classic BPF on the ICMPv6 message (a raw socket's packet starts at it):
 * an NA of at least its fixed 24 bytes whose target lies in fe80::/10 is
 * dropped; anything else is kept whole, a short NA too, for
 * nd_parse_na() to count as malformed.
 */
static const struct sock_filter no_link_local_na[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),			/* type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_NEIGHBOR_ADVERT, 0, 5),
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 24, 0, 3),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 8),			/* target */
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xffc0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xfe80, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),			/* keep */
	BPF_STMT(BPF_RET | BPF_K, 0),				/* drop */
};

int answer_open(bool link_local)
{
	struct sock_fprog prog = {
		.len = sizeof(no_link_local_na) / sizeof(no_link_local_na[0]),
		.filter = (struct sock_filter *)no_link_local_na,
	};
	struct icmp6_filter filter;
	int on = 1, fd;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMPV6);
	if (fd == -1)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter,
		       sizeof(filter)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		       sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
		       sizeof(on)) == -1 ||
	    (!link_local && setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
				       sizeof(prog)) == -1)) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

struct ancillary {
	unsigned int ifindex;	/* 0: not given */
	struct in6_addr dst;
	int hoplimit;		/* -1: not given */
};

static void read_ancillary(struct msghdr *msg, struct ancillary *a)
{
	a->ifindex = 0;
	a->hoplimit = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm;
	     cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->ifindex = (unsigned int)pi.ipi6_ifindex;
			a->dst = pi.ipi6_addr;
		} else if (cm->cmsg_type == IPV6_HOPLIMIT &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&a->hoplimit, CMSG_DATA(cm), sizeof(int));
		}
	}
}

static void on_na(const uint8_t *buf, size_t len, bool cut,
		  const struct ancillary *a, answer_cb cb, void *data,
		  struct answer_counters *c)
{
	struct nd_na na;

	if (cut || !a->ifindex ||
	    nd_parse_na(buf, len, a->hoplimit, &na) != ND_OK) {
		c->malformed++;
		return;
	}
	/* RFC 4861 7.1.2: a multicast NA never has S; an NA without it
	   answers no NS, ours or the kernel's. */
	if (!(na.flags & ND_NA_SOLICITED) || IN6_IS_ADDR_MULTICAST(&a->dst)) {
		c->unsolicited++;
		return;
	}
	c->nas++;
	cb(a->ifindex, &na.target, ANSWER_NA, na.has_lladdr ? na.lladdr : NULL,
	   data);
}

/*
 * Up to ANSWER_BATCH messages per wake-up, ANSWER_VLEN per recvmmsg(); a
 * short batch means the queue is empty, so no call only to learn that
 * (one an answer less: an NA, then the echo reply and the kernel's own NA
 * that the confirm brings, each read once).
 */
void answer_read(int fd, uint16_t id, answer_cb cb, void *data,
		 struct answer_counters *c)
{
	static uint8_t bufs[ANSWER_VLEN][ANSWER_BUF];
	static union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(int))];
	} control[ANSWER_VLEN];
	static struct sockaddr_in6 from[ANSWER_VLEN];
	static struct iovec iov[ANSWER_VLEN];
	static struct mmsghdr msgs[ANSWER_VLEN];
	static bool ready;
	static int used = ANSWER_VLEN;	/* headers the kernel may have written */

	/*
	 * Set once; after a read the kernel has written msg_len, msg_flags,
	 * msg_namelen and msg_controllen of the ones it filled, and only
	 * the last two are read back in: those are put back, no more.
	 */
	if (!ready) {
		for (int i = 0; i < ANSWER_VLEN; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &from[i],
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
				.msg_control = control[i].buf,
			};
		}
		ready = true;
	}
	for (int done = 0; done < ANSWER_BATCH;) {
		int n;

		for (int i = 0; i < used; i++) {
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_controllen = sizeof(control[i].buf);
		}
		n = recvmmsg(fd, msgs, ANSWER_VLEN, MSG_DONTWAIT, NULL);
		used = n > 0 ? n : 0;
		TRACE("answers read");
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("reading echo replies and NAs");
			return;
		}
		for (int i = 0; i < n; i++) {
			struct msghdr *msg = &msgs[i].msg_hdr;
			const uint8_t *buf = bufs[i];
			size_t len = msgs[i].msg_len;
			struct ancillary a;

			read_ancillary(msg, &a);
			if (len >= 1 && buf[0] == ND_NEIGHBOR_ADVERT) {
				on_na(buf, len, msg->msg_flags & MSG_TRUNC, &a,
				      cb, data, c);
				continue;
			}
			if (msg->msg_namelen < sizeof(from[i]) ||
			    !echo_is_reply(buf, len, id) || !a.ifindex)
				continue;
			c->echo_replies++;
			cb(a.ifindex, &from[i].sin6_addr, ANSWER_ECHO_REPLY, NULL,
			   data);
		}
		done += n;
		if (n < ANSWER_VLEN)
			return;
	}
}

void answer_metrics(const struct answer_counters *a, struct metrics *m)
{
	metrics_family(m, "answer_packets_total", METRIC_COUNTER,
	       "Packets read on the answer socket, by kind: echo replies to our echo requests, solicited NAs, and NAs dropped as malformed or unsolicited.");
	metrics_sample(m, "answer_packets_total", (unsigned long)a->echo_replies, "kind=\"echo_reply\"");
	metrics_sample(m, "answer_packets_total", (unsigned long)a->nas, "kind=\"na\"");
	metrics_sample(m, "answer_packets_total", (unsigned long)a->malformed, "kind=\"malformed\"");
	metrics_sample(m, "answer_packets_total", (unsigned long)a->unsolicited, "kind=\"unsolicited\"");
}
