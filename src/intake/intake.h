/*
 * NFLOG intake: the groups' socket, drained in batches; sequence gaps and
 * overruns counted as lost messages; each logged NS parsed and handed to
 * the engine as a neutral event (the host's own NS on a master, or the
 * upstream's arriving on one). It decides nothing about targets.
 */
#ifndef NS_MONITOR_INTAKE_H
#define NS_MONITOR_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "nflog.h"
#include "ns_parse.h"

struct engine;

/* For all groups. */
struct intake_counters {
	unsigned long nflog_messages;	/* packet messages received */
	unsigned long nflog_malformed;	/* packet messages we could not parse */
	unsigned long nflog_overruns;	/* ENOBUFS: the kernel dropped some */
	unsigned long nflog_lost;	/* ...how many, from sequence gaps */
	unsigned long nflog_lost_credit; /* counted at ENOBUFS, not yet in a gap */
	unsigned long nflog_lost_pending; /* groups whose gap is not seen yet */
	unsigned long ns_not_ours;	/* unknown group, or no device */
};

/* Per group. */
struct intake_group {
	uint16_t num;
	uint32_t next_seq;		/* NFLOG sequence number expected next:
					   our bind made the instance, from 0 */
	bool gap_pending;		/* an overrun since its last message */
	unsigned long ns_valid;
	unsigned long ns_ignored[NS_VERDICT_MAX];
	unsigned long upstream_relayed;	/* NS from the upstream, handed on */
	unsigned long upstream_ignored;	/* ...not for us, or no --proxy-ndp */
	unsigned long guest_signs;	/* a new guest's DAD NS or first packet */
	unsigned long guest_ignored;	/* ...logged, but no sign of one */
	unsigned long guest_ns;		/* a guest's NS, handed on */
	unsigned long guest_ns_ignored;	/* ...not a valid NS */
};

struct intake {
	const struct config *cfg;
	struct nflog_sock nf;
	bool bound;
	struct engine *engine;
	struct intake_kernel *kernel;	/* answers the engine's questions */
	struct intake_group *groups;	/* cfg->ngroups of them */
	unsigned int ngroups;
	struct intake_counters c;
};

struct intake_kernel;

/*
 * Bind the groups (a second instance stops here, touching nothing, with a
 * message that says who holds the group). -1 (logged) on failure. kernel
 * (may be NULL) answers what the engine asks while it takes a guest's NS
 * (intake_kernel_checks()), before the next packet is read.
 */
int intake_open(struct intake *in, const struct config *cfg,
		struct engine *engine, struct intake_kernel *kernel);
void intake_close(struct intake *in);
int intake_fd(const struct intake *in);

/* Read what is pending, a bounded number of batches per call. */
void intake_drain(struct intake *in);

/* Pure parts, for tests: a logged packet, a sequence number, an overrun. */
void intake_packet(struct intake *in, const struct nflog_packet *pkt,
		   uint64_t now);
void intake_seq(struct intake *in, struct intake_group *g, uint32_t seq);
void intake_overrun(struct intake *in);

struct metrics;

/* The intake's counters into m, and logged. */
void intake_metrics(const struct intake *in, struct metrics *m);
void intake_log_counters(const struct intake *in);

#endif
