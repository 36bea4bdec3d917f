/* NFLOG intake: logged NS in, neutral events for the engine out. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "engine.h"
#include "intake.h"
#include "intake_kernel.h"
#include "log.h"
#include "metrics.h"
#include "nftctl.h"
#include "sockowner.h"
#include "clock.h"
#include "trace.h"

#define NFLOG_RCVBUF_MAX (16 * 1024 * 1024)
#define NFLOG_VLEN 32		/* datagrams per recvmmsg() */
#define NFLOG_ROUNDS 8		/* recvmmsg() calls per wake-up at most */
#define NFLOG_DGRAM_SIZE 1024	/* one message: under 500 bytes with our range */

static struct log_limit ignored_limit = LOG_LIMIT_INIT(10, 5);

static void explain_setup_errno(const char *what, int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		log_warnx("%s: permission denied: run ns-monitor as root, or with CAP_NET_ADMIN and CAP_NET_RAW",
			  what);
		break;
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
	case EOPNOTSUPP:
		log_warnx("%s: not supported by this kernel: load nf_tables and nfnetlink_log (modprobe nf_tables nfnetlink_log)",
			  what);
		break;
	default:
		log_warnx("%s: %s", what, strerror(err));
	}
}

int intake_open(struct intake *in, const struct config *cfg,
		struct engine *engine, struct intake_kernel *kernel)
{
	memset(in, 0, sizeof(*in));
	in->cfg = cfg;
	in->engine = engine;
	in->kernel = kernel;
	in->groups = calloc(cfg->ngroups, sizeof(*in->groups));
	if (!in->groups) {
		log_warn("NFLOG intake");
		return -1;
	}
	in->ngroups = cfg->ngroups;
	for (unsigned int i = 0; i < cfg->ngroups; i++)
		in->groups[i].num = cfg->groups[i];
	if (nflog_sock_open(&in->nf) == -1) {
		explain_setup_errno("NFLOG netlink socket", errno);
		goto fail;
	}
	for (unsigned int i = 0; i < cfg->ngroups; i++) {
		uint32_t portid = 0;

		if (nflog_sock_bind(&in->nf, cfg->groups[i], NFT_SNAPLEN) == 0)
			continue;
		/* The kernel says EPERM for a group bound by someone else. */
		if ((errno == EPERM || errno == EBUSY) &&
		    nflog_group_bound(cfg->groups[i], &portid) == 1) {
			char comm[32] = "";
			pid_t pid = netlink_socket_owner(NETLINK_NETFILTER, portid,
							 comm, sizeof(comm));

			if (pid > 0 && strcmp(comm, "ns-monitor") == 0)
				log_warnx("NFLOG group %u is bound by a running ns-monitor (pid %d): stop it first, or choose another group with -g",
					  cfg->groups[i], (int)pid);
			else if (pid > 0)
				log_warnx("NFLOG group %u is bound by %s (pid %d): stop it or choose another group with -g",
					  cfg->groups[i], comm[0] ? comm : "another process", (int)pid);
			else
				log_warnx("NFLOG group %u is already bound by another process (ulogd, tcpdump -i nflog:%u?): stop it or choose another group with -g; ns-monitor --check names it",
					  cfg->groups[i], cfg->groups[i]);
		} else
			explain_setup_errno("binding the NFLOG group", errno);
		for (unsigned int j = 0; j < i; j++)
			nflog_sock_unbind(&in->nf, cfg->groups[j]);
		nflog_sock_close(&in->nf);
		goto fail;
	}
	in->bound = true;
	return 0;
fail:
	free(in->groups);
	in->groups = NULL;
	in->ngroups = 0;
	return -1;
}

void intake_close(struct intake *in)
{
	if (in->bound) {
		for (unsigned int i = 0; i < in->cfg->ngroups; i++)
			nflog_sock_unbind(&in->nf, in->cfg->groups[i]);
		nflog_sock_close(&in->nf);
	}
	in->bound = false;
	free(in->groups);
	in->groups = NULL;
	in->ngroups = 0;
}

int intake_fd(const struct intake *in)
{
	return nflog_sock_fd(&in->nf);
}

void intake_overrun(struct intake *in)
{
	struct intake_counters *c = &in->c;

	c->nflog_lost++;
	c->nflog_lost_credit++;
	c->nflog_lost_pending = in->ngroups;
	for (unsigned int i = 0; i < in->ngroups; i++)
		in->groups[i].gap_pending = true;
}

void intake_seq(struct intake *in, struct intake_group *g, uint32_t seq)
{
	struct intake_counters *c = &in->c;
	/* A gap in the group's sequence is what the kernel could not deliver. */
	uint32_t gap = seq - g->next_seq;
	uint32_t paid = gap < c->nflog_lost_credit ? gap :
			(uint32_t)c->nflog_lost_credit;

	c->nflog_lost_credit -= paid;
	c->nflog_lost += gap - paid;
	g->next_seq = seq + 1;
	if (g->gap_pending) {
		g->gap_pending = false;
		c->nflog_lost_pending--;
	}
}

static struct intake_group *find_group(struct intake *in, uint16_t num)
{
	for (unsigned int i = 0; i < in->ngroups; i++)
		if (in->groups[i].num == num)
			return &in->groups[i];
	return NULL;
}

/*
 * A packet the guests_G chain logged on a slave: a new guest's DAD NS, or
 * the first packet from one of its addresses in a while. Its slave is
 * asked; the answer decides, as for any other ask.
 */
static void guest_sign(struct intake *in, struct intake_group *g,
		       const struct nflog_packet *pkt, uint64_t now)
{
	char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	struct in6_addr addr;
	bool dad = false;

	if (!pkt->indev ||
	    guest_sign_parse(pkt->payload, pkt->payload_len, &addr, &dad) != NS_OK) {
		g->guest_ignored++;
		return;
	}
	g->guest_signs++;
	if (log_debug_enabled())
		log_debug("group %u: %s %s on %s", g->num,
			  dad ? "DAD for" : "a packet from",
			  inet_ntop(AF_INET6, &addr, a, sizeof(a)),
			  log_ifname(pkt->indev, ifname));
	engine_guest(in->engine, g->num, pkt->indev, &addr,
		     dad ? ENGINE_GUEST_DAD : ENGINE_GUEST_SOURCE, now);
}

/*
 * A guest's NS on a slave (--proxy-ndp): a guest with the master's whole
 * prefix on-link asks there for an address that may live elsewhere. It
 * goes to the engine to be answered (engine_asker), and the engine decides.
 */
static void guest_ns(struct intake *in, struct intake_group *g,
		     const struct nflog_packet *pkt, uint64_t now)
{
	struct ns_info ns;

	if (!pkt->indev ||
	    ns_parse(pkt->payload, pkt->payload_len, 0, &ns) != NS_OK) {
		g->guest_ns_ignored++;
		return;
	}
	g->guest_ns++;
	if (ns.has_slla)
		engine_asker(in->engine, pkt->indev, &ns.target, &ns.src,
			     ns.slla, true, now);
	engine_guest_ns(in->engine, g->num, pkt->indev, &ns.target, now);
	/* Its masters checked now, as the engine asked: before the next NS. */
	if (in->kernel)
		intake_kernel_checks(in->kernel, now);
}

void intake_packet(struct intake *in, const struct nflog_packet *pkt,
		   uint64_t now)
{
	char tstr[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	struct intake_group *g;
	enum ns_verdict v;
	struct ns_info ns;
	bool eligible;

	g = find_group(in, pkt->group);
	if (!g) {
		in->c.ns_not_ours++;
		return;
	}
	if (pkt->has_seq)
		intake_seq(in, g, pkt->seq);
	if (!pkt->payload || (!pkt->outdev && !pkt->indev)) {
		in->c.ns_not_ours++;
		return;
	}
	if (nflog_prefix_is(pkt, NFT_GUEST_PREFIX)) {
		guest_sign(in, g, pkt, now);
		return;
	}
	if (nflog_prefix_is(pkt, NFT_GUEST_NS_PREFIX)) {
		guest_ns(in, g, pkt, now);
		return;
	}
	v = ns_parse(pkt->payload, pkt->payload_len,
		     in->cfg->link_local ? NS_PARSE_ALLOW_LINKLOCAL : 0, &ns);
	if (v != NS_OK) {
		g->ns_ignored[v]++;
		log_warnx_limited(&ignored_limit, "group %u: ignored a logged packet: %s",
				  g->num, ns_verdict_name(v));
		return;
	}
	g->ns_valid++;
	if (log_debug_enabled())
		log_debug("group %u: NS for %s %s %s", g->num,
			  inet_ntop(AF_INET6, &ns.target, tstr, sizeof(tstr)),
			  pkt->outdev ? "on" : "from upstream on",
			  log_ifname(pkt->outdev ? pkt->outdev : pkt->indev,
				     ifname));
	if (pkt->outdev) {
		engine_ns_out(in->engine, g->num, pkt->outdev, &ns.target, now);
		return;
	}
	/*
	 * An NS that arrived on a master (input hook) asks for a target the
	 * upstream wants: worth asking for only with --proxy-ndp, for a
	 * target the engine serves there (it knows what it learned).
	 */
	eligible = in->cfg->proxy_ndp &&
		   engine_serves(in->engine, g->num, pkt->indev, &ns.target);
	if (eligible) {
		g->upstream_relayed++;
		if (ns.has_slla)
			engine_asker(in->engine, pkt->indev, &ns.target,
				     &ns.src, ns.slla, false, now);
	} else {
		g->upstream_ignored++;
	}
	engine_ns_in(in->engine, g->num, pkt->indev, &ns.target, eligible, now);
}

static void on_packet(const struct nflog_packet *pkt, void *data)
{
	TRACE("nflog message");
	intake_packet(data, pkt, monotonic_ns());
}

/*
 * Read NFLOG datagrams in batches: one recvmmsg() brings up to NFLOG_VLEN
 * of them (one NS each), and a short batch means the queue is empty, so no
 * extra call to learn that. Bounded per wake-up, so signals stay timely.
 * The headers are set up once: the kernel writes back only msg_len,
 * msg_flags and a msg_controllen of 0 (no name, no control buffer), and
 * 2.5 KiB of stores before every read cost a cold wake-up some 4 us.
 */
void intake_drain(struct intake *in)
{
	static char bufs[NFLOG_VLEN][NFLOG_DGRAM_SIZE];
	static struct iovec iov[NFLOG_VLEN];
	static struct mmsghdr msgs[NFLOG_VLEN];
	static bool ready;
	struct intake_counters *c = &in->c;
	int fd = nflog_sock_fd(&in->nf);

	if (!ready) {
		for (int i = 0; i < NFLOG_VLEN; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		ready = true;
	}
	for (int round = 0; round < NFLOG_ROUNDS; round++) {
		int n;

		n = recvmmsg(fd, msgs, NFLOG_VLEN, MSG_DONTWAIT, NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				int size;

				c->nflog_overruns++;
				intake_overrun(in);
				size = nflog_sock_grow_rcvbuf(&in->nf, NFLOG_RCVBUF_MAX);
				if (c->nflog_overruns == 1)
					log_warnx("NFLOG overrun: the kernel dropped messages; receive buffer now %d bytes",
						  size);
				continue;
			}
			log_warn("NFLOG recvmmsg");
			return;
		}
		for (int i = 0; i < n; i++) {
			struct nflog_batch_stats bs = { 0, 0 };

			/* Our copy range keeps messages small; a cut one is bad. */
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				c->nflog_malformed++;
				continue;
			}
			nflog_process(bufs[i], msgs[i].msg_len, on_packet, in, &bs);
			c->nflog_messages += bs.packets;
			c->nflog_malformed += bs.malformed;
		}
		if (n < NFLOG_VLEN)
			return;
	}
}

/* ---- counters out ---- */

void intake_metrics(const struct intake *in, struct metrics *m)
{
	const struct intake_counters *c = &in->c;

	metrics_counter(m, "nflog_messages_total",
		"NFLOG packet messages received.", c->nflog_messages);
	metrics_counter(m, "nflog_overruns_total",
		"Times the NFLOG socket overflowed (ENOBUFS).", c->nflog_overruns);
	metrics_counter(m, "nflog_lost_total",
		"NFLOG messages the kernel could not deliver (sequence gaps).",
		c->nflog_lost);
	metrics_family(m, "nflog_lost_pending", METRIC_GAUGE,
	       "Groups that lost NFLOG messages in an overrun not counted yet: the kernel tells how many only with the group's next message.");
	metrics_sample(m, "nflog_lost_pending", c->nflog_lost_pending, NULL);
	metrics_counter(m, "nflog_malformed_total",
		"NFLOG messages that could not be parsed.", c->nflog_malformed);
	metrics_counter(m, "nflog_foreign_total",
		"NFLOG messages for no group of ours or without a device.",
		c->ns_not_ours);

	metrics_family(m, "solicitations_valid_total", METRIC_COUNTER,
	       "Valid Neighbor Solicitations received.");
	METRICS_PER_GROUP(m, in, "solicitations_valid_total", "", g->ns_valid);

	metrics_family(m, "solicitations_ignored_total", METRIC_COUNTER,
	       "Logged packets ignored, by reason.");
	for (int v = 1; v < NS_VERDICT_MAX; v++)
		for (unsigned int i = 0; i < in->ngroups; i++)
			metrics_sample(m, "solicitations_ignored_total",
				       in->groups[i].ns_ignored[v],
				       "group=\"%u\",reason=\"%s\"", in->groups[i].num,
				       ns_verdict_name((enum ns_verdict)v));
	METRICS_PER_GROUP(m, in, "solicitations_ignored_total", ",reason=\"upstream\"",
		  g->upstream_ignored);

	metrics_family(m, "upstream_solicitations_relayed_total", METRIC_COUNTER,
	       "Neighbor Solicitations from the upstream handed to the engine (--proxy-ndp).");
	METRICS_PER_GROUP(m, in, "upstream_solicitations_relayed_total", "", g->upstream_relayed);

	metrics_family(m, "guest_signs_total", METRIC_COUNTER,
	       "A new guest's signs logged on a slave (its DAD NS, or a packet from its address), by whether they were one.");
	METRICS_PER_GROUP(m, in, "guest_signs_total", ",kind=\"taken\"", g->guest_signs);
	METRICS_PER_GROUP(m, in, "guest_signs_total", ",kind=\"ignored\"",
		  g->guest_ignored);
}

void intake_log_counters(const struct intake *in)
{
	const struct intake_counters *c = &in->c;

	log_info("nflog: messages %lu, overruns %lu, lost %lu, malformed %lu, foreign %lu",
		 c->nflog_messages, c->nflog_overruns, c->nflog_lost,
		 c->nflog_malformed, c->ns_not_ours);
	for (unsigned int i = 0; i < in->ngroups; i++) {
		const struct intake_group *g = &in->groups[i];
		unsigned long ignored = g->upstream_ignored;

		for (int v = 0; v < NS_VERDICT_MAX; v++)
			ignored += g->ns_ignored[v];
		log_info("group %u: NS valid %lu, ignored %lu",
			 g->num, g->ns_valid, ignored);
	}
}
