/*
 * The engine's egress: its actions dispatched to the parts that own the
 * kernel objects (relay: asks and confirms; learn: routes and proxies), and
 * its notices turned into log lines.
 */
#ifndef NS_MONITOR_DISPATCH_H
#define NS_MONITOR_DISPATCH_H

#include "idle_asks.h"
#include "engine.h"

struct slaves;
struct learn;
struct hold;
struct hostaddrs;
struct config;
struct intake_checks;
struct fwdwatch;

struct dispatch {
	struct slaves *slaves;
	struct learn *learn;
	const struct config *cfg;
	struct hold *holds;	/* --queue: one per group, cfg->groups' order */
	const struct hostaddrs *addrs;	/* answers from an address of the master */
	struct intake_checks *checks;	/* the engine's questions, for intake */
	struct fwdwatch *fwd;		/* told what is learned (--proxy-ndp) */
	struct idle_asks idle;		/* asks on the masters, for idle time */
};

/*
 * x on the parts that carry out the actions: relay, learn; holds (--queue,
 * one per group in cfg->groups' order, opened later) may be NULL; addrs
 * are the host's. checks: where the
 * engine's questions about the kernel go, for intake to answer
 * (intake_kernel_checks()); fwd: told of each target learned, to say
 * when the firewall drops what the upstream sends it.
 */
void dispatch_init(struct dispatch *x, struct slaves *slaves, struct learn *learn,
		 const struct config *cfg, struct hold *holds,
		 const struct hostaddrs *addrs, struct intake_checks *checks,
		 struct fwdwatch *fwd);

/* Fill eg with callbacks on x (which must outlive the engine). */
void dispatch_make(struct engine_egress *eg, struct dispatch *x);

/*
 * Asks on the masters wait for idle time (idle_asks.h): whether some do,
 * all of them sent (the loop found nothing else to do), and those kept
 * for IDLE_ASKS_WAIT_NS sent (after each turn of a busy loop).
 */
bool dispatch_idle_work(const struct dispatch *x);
void dispatch_idle(struct dispatch *x);
void dispatch_overdue(struct dispatch *x, uint64_t now);

#endif
