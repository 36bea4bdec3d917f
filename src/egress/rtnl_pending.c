/* The route and proxy requests whose acks are read later. */
#include <linux/netlink.h>
#include <string.h>

#include "nlmsg.h"
#include "rtnl_pending.h"

void rtnl_pending_init(struct rtnl_pending *p)
{
	memset(p, 0, sizeof(*p));
}

bool rtnl_pending_full(const struct rtnl_pending *p)
{
	return p->n == RTNL_PENDING_MAX;
}

unsigned int rtnl_pending_count(const struct rtnl_pending *p)
{
	return p->n;
}

static struct rtnl_req *at(struct rtnl_pending *p, unsigned int k)
{
	return &p->q[(p->head + k) % RTNL_PENDING_MAX];
}

int rtnl_pending_push(struct rtnl_pending *p, const struct rtnl_req *r)
{
	if (rtnl_pending_full(p))
		return -1;
	*at(p, p->n) = *r;
	p->n++;
	return 0;
}

static bool is_route(uint8_t kind)
{
	return kind == RTNL_REQ_ROUTE_ADD || kind == RTNL_REQ_ROUTE_DEL;
}

/* Whether a pending request (all newer than r) is about r's object. */
static bool superseded(struct rtnl_pending *p, const struct rtnl_req *r)
{
	for (unsigned int k = 0; k < p->n; k++) {
		const struct rtnl_req *q = at(p, k);

		if (q->group == r->group && is_route(q->kind) == is_route(r->kind) &&
		    memcmp(&q->addr, &r->addr, sizeof(r->addr)) == 0)
			return true;
	}
	return false;
}

/* The oldest taken out and reported. */
static void pop(struct rtnl_pending *p, int err, rtnl_pending_cb cb, void *data)
{
	struct rtnl_req r = *at(p, 0);

	p->head = (p->head + 1) % RTNL_PENDING_MAX;
	p->n--;
	if (cb)
		cb(&r, err, superseded(p, &r), data);
}

int rtnl_pending_answer(struct rtnl_pending *p, uint32_t seq, int err,
			rtnl_pending_cb cb, void *data)
{
	unsigned int k;

	for (k = 0; k < p->n && at(p, k)->seq != seq; k++)
		;
	if (k == p->n)
		return 0;
	/* Acks come in order: those before seq's will not come any more. */
	for (; k > 0; k--) {
		p->lost++;
		pop(p, 0, cb, data);
	}
	pop(p, err, cb, data);
	return 1;
}

unsigned int rtnl_pending_scan(struct rtnl_pending *p, const void *buf,
			       size_t len, rtnl_pending_cb cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;
	unsigned int answered = 0;

	for (; nlmsg_fits(nlh, left); nlh = nlmsg_after(nlh, &left)) {
		const struct nlmsgerr *e;

		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			continue;
		e = (const struct nlmsgerr *)((const char *)nlh + NLMSG_HDRLEN);
		answered += (unsigned int)rtnl_pending_answer(
			p, nlh->nlmsg_seq, e->error < 0 ? -e->error : e->error,
			cb, data);
	}
	return answered;
}

unsigned int rtnl_pending_drop(struct rtnl_pending *p, rtnl_pending_cb cb,
			       void *data)
{
	unsigned int n = p->n;

	while (p->n) {
		p->lost++;
		pop(p, 0, cb, data);
	}
	return n;
}
