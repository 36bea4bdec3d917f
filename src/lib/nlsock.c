/* One netlink socket over libmnl: open, receive buffer, request and answer. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "nlmsg.h"
#include "nlsock.h"

/* A dump part fits: the kernel sizes them to 32 KiB at most. */
#define NLSOCK_BUF_SIZE 32768

int nlsock_open(struct nlsock *s, int protocol, unsigned int groups,
		bool nonblock)
{
	memset(s, 0, sizeof(*s));
	s->nl = mnl_socket_open2(protocol,
				 SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));
	if (!s->nl)
		return -1;
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) == -1) {
		int saved = errno;

		nlsock_close(s);
		errno = saved;
		return -1;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	/* Not 0: the kernel's own messages carry 0. */
	s->seq = (unsigned int)time(NULL);
	return 0;
}

void nlsock_close(struct nlsock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

int nlsock_fd(const struct nlsock *s)
{
	return mnl_socket_get_fd(s->nl);
}

unsigned int nlsock_next_seq(struct nlsock *s)
{
	return ++s->seq;
}

int nlsock_set_rcvbuf(struct nlsock *s, int size)
{
	int fd = mnl_socket_get_fd(s->nl);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1)
		return -1;
	s->rcvbuf = size;
	return 0;
}

int nlsock_grow_rcvbuf(struct nlsock *s, int max)
{
	int size = s->rcvbuf;
	socklen_t len = sizeof(size);

	/* The kernel reports twice what was set (its bookkeeping): fine here. */
	if (size == 0 && getsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET,
				    SO_RCVBUF, &size, &len) == -1)
		return -1;
	if (size >= max)
		return size;
	if (nlsock_set_rcvbuf(s, size > max / 2 ? max : size * 2) == -1)
		return size;
	return s->rcvbuf;
}

/* Sequence numbers wrap: compare distances from the first. */
static bool seq_in(const struct nlsock_wait *w, uint32_t seq)
{
	return seq - w->first_seq <= w->last_seq - w->first_seq;
}

int nlsock_answer_scan(const void *buf, size_t len, const struct nlsock_wait *w)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	/* Our safe walk, not mnl_cb_run(): see nlmsg.h. */
	for (; nlmsg_fits(nlh, left); nlh = nlmsg_after(nlh, &left)) {
		bool ours = seq_in(w, nlh->nlmsg_seq);
		const struct nlmsgerr *err;
		int rc;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (!ours)
				continue;
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
				errno = EBADMSG;
				return -1;
			}
			err = mnl_nlmsg_get_payload(nlh);
			if (err->error == 0)
				return 1;
			errno = err->error < 0 ? -err->error : err->error;
			return -1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			if (ours)
				return 1;
			continue;
		}
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE || (!ours && !w->events))
			continue;
		/*
		 * The dumped state changed on the way: it is not whole. A
		 * socket that hears the events gets those changes as events.
		 */
		if (ours && !w->events && (nlh->nlmsg_flags & NLM_F_DUMP_INTR)) {
			errno = EINTR;
			return -1;
		}
		if (!w->cb)
			continue;
		rc = w->cb(nlh, w->data);
		if (rc == MNL_CB_ERROR) {
			if (errno == 0)
				errno = EPROTO;
			return -1;
		}
		if (rc == MNL_CB_STOP)
			return 1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nlsock_wait(struct nlsock *s, const struct nlsock_wait *w, int timeout_ms)
{
	char buf[NLSOCK_BUF_SIZE];
	struct pollfd pfd = { .fd = mnl_socket_get_fd(s->nl), .events = POLLIN };
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		/* Not blocking: the deadline holds on a blocking socket too. */
		ssize_t n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		long long left;

		if (n >= 0) {
			int rc;

			errno = 0;
			rc = nlsock_answer_scan(buf, (size_t)n, w);
			if (rc != 0)
				return rc < 0 ? -1 : 0;
		} else if (errno == EAGAIN) {
			left = deadline - now_ms();
			if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		} else if (errno == ENOBUFS ? w->overrun_fails : errno != EINTR) {
			return -1;
		}
		/* Bounded in time even when messages keep coming. */
		if (now_ms() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int nlsock_talk(struct nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	struct nlsock_wait w = {
		.first_seq = nlh->nlmsg_seq, .last_seq = nlh->nlmsg_seq,
		.cb = cb, .data = data,
	};

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return nlsock_wait(s, &w, NLSOCK_TIMEOUT_MS);
}

int nlsock_request(struct nlsock *s, struct nlmsghdr *nlh, int timeout_ms)
{
	struct nlsock_wait w = { 0 };

	nlh->nlmsg_seq = nlsock_next_seq(s);
	nlh->nlmsg_flags |= NLM_F_ACK;
	w.first_seq = w.last_seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return nlsock_wait(s, &w, timeout_ms);
}

int nlsock_batch(struct nlsock *s, const void *batch, size_t len,
		 uint32_t first_seq, uint32_t last_seq)
{
	struct nlsock_wait w = { .first_seq = first_seq, .last_seq = last_seq };

	if (mnl_socket_sendto(s->nl, batch, len) < 0)
		return -1;
	return nlsock_wait(s, &w, NLSOCK_TIMEOUT_MS);
}
