/*
 * The control plane: the nftables objects of each group. Standalone mode
 * loads them from the command line; managed mode reads what the operator
 * loaded. Both follow masters_G, slaves_G and bindings_G live and restore
 * the objects after a firewall reload (standalone, or managed with --rules).
 */
#ifndef NS_MONITOR_CONTROL_H
#define NS_MONITOR_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"
#include "membership.h"
#include "nftwatch.h"
#include "slaves.h"
#include "stats.h"

/* What was last said about one interface set, to say it once per change. */
struct set_report {
	uint32_t warned_type;		/* key type warned about, 0: none */
	/* Gauges of what its last read left out. */
	unsigned long invalid;		/* elements not names */
	bool wrong_type;		/* not of type ifname: nothing used */
};

/*
 * Its masters, slaves and bindings are in the membership: the bindings as
 * the engine was last told them (standalone: the command line's at first).
 */
struct group_state {
	/* bindings_G as read during a reconcile, until told (malloc'd). */
	struct engine_binding *fresh;
	unsigned int nfresh;
	bool binds_told;	/* the engine has the membership's bindings */
	bool binds_present;	/* bindings_G was there at the last read */
	bool binds_said_missing;	/* said once that it is not there */
	uint32_t binds_warned_type;	/* its key type warned about, 0: none */
	bool present;		/* chain and sets were there at the last look */
	bool loaded;		/* standalone: we created the objects */
	bool hold_added;	/* managed --queue: we added the hold objects */
	bool had_members;	/* masters_G and slaves_G both had some */
	bool hold_failed;	/* ...and said once that we could not */
	bool warned_missing;	/* said once that they are missing */
	struct set_report sets[STATS_SETS];	/* masters_G, slaves_G */
	bool warned_no_rule;	/* said once that the chain lost its rule */
	/*
	 * The table's handle when the sets were last read whole: another
	 * handle at the next read means the table was made anew since (a
	 * firewall reload), 0: not read yet.
	 */
	uint64_t table_handle;
};

/*
 * What control reports (it goes to the engine): a group's bindings
 * changed. bindings returns 0, or -1 when they were not taken (the old
 * stay, the next reconcile tries again). NULL: nothing is reported.
 */
struct control_events {
	void *ctx;
	int (*bindings)(void *ctx, uint16_t group,
			const struct engine_binding *b, size_t n, uint64_t now);
};

struct control {
	const struct config *cfg;
	struct membership *members;	/* written here alone */
	struct slaves *slaves;
	struct control_events ev;	/* how the engine is told */
	struct nftwatch watch;
	struct group_state *groups;	/* cfg->ngroups of them */
	unsigned long restores;
	unsigned long hold_adds;	/* managed --queue: hold objects added */
	struct log_limit invalid_warn;	/* elements that are not names */
	struct log_limit binds_warn;	/* elements that are not bindings */
	uint64_t reload_after;		/* --rules: backing off until then, 0: not */
	unsigned int reload_delay;	/* seconds, doubling to RELOAD_DELAY_MAX */
	bool queue_xt_said;		/* the NFQUEUE fallback, said once */
	/* control_log_start() was called: bindings that change are info. */
	bool started;
};

#define RELOAD_DELAY_MAX 60

/* The wait after a reload that failed, given the last one (0: none) (pure). */
unsigned int control_backoff(unsigned int prev);

/*
 * The members of old[] that are not in new[] (pure), written into buf as
 * nft writes them ("eth0", "veth*"), cut with "..." if buf is too small.
 * Returns how many.
 */
unsigned int control_vanished(const struct ifspec *old, unsigned int nold,
			      const struct ifspec *new, unsigned int nnew,
			      char *buf, size_t size);

/*
 * What to do about nf_tables refusing us with errno `err` (pure): the
 * advice, or NULL when the errno says nothing beyond nft's own message.
 */
const char *control_nft_advice(int err);

/*
 * Open the watch, load (standalone) or find (managed) the objects. The
 * sets' members and bindings are kept in members (made from the command
 * line), which control alone writes; slaves is told when the members
 * changed, the engine when the bindings did (ev->bindings, copied; each
 * one that comes or goes is logged).
 */
int control_init(struct control *c, const struct config *cfg,
		 struct membership *members, struct slaves *slaves,
		 const struct control_events *ev);

/*
 * Once at start: bindings that come and go are logged at info from then
 * on; before, at -v only (the relay's summary line counts them).
 */
void control_log_start(struct control *c);

/* Remove what control_init loaded (standalone); close the watch. */
void control_fini(struct control *c);

/*
 * A number that changes whenever onlink_G may have been made anew (the
 * table restored, or --queue's objects added): empty, it is to be filled.
 */
unsigned long control_onlink_made(const struct control *c);

int control_fd(const struct control *c);

/* The watch socket is readable: follow what changed. */
void control_on_event(struct control *c);

/* Re-read every group's sets (SIGHUP, or after lost events). */
void control_reconcile(struct control *c);

/* When a backed-off reload of --rules is due (monotonic ns), 0: none. */
uint64_t control_next_deadline(const struct control *c);

/* The timer fired: retry a backed-off reload if it is due. */
void control_on_timer(struct control *c, uint64_t now);

/*
 * Group i's bindings_G as read (groups[i].fresh, taken) become the
 * membership's: the engine is told when they differ from what it has,
 * and each binding that comes or goes is logged. When the engine does not
 * take them (no memory), the membership keeps what it has and the next
 * reconcile tries again. Called by the reconcile; no kernel (tests).
 */
void control_tell_bindings(struct control *c, unsigned int i, uint64_t now);

struct metrics;

/* How often our objects were put back, into m. */
void control_metrics(const struct control *c, struct metrics *m);

#endif
