/* The resolution engine's counters, described (engine.h says what each is). */
#include "engine.h"
#include "log.h"
#include "metrics.h"

void engine_metrics(const struct engine_counters *e, struct metrics *m)
{
	metrics_counter(m, "resolutions_total",
		"Targets whose resolution started: every slave of the group asked.",
		e->ns);
	metrics_counter(m, "solicitations_absorbed_total",
		"Neighbor Solicitations for a target being resolved already: nothing more asked.",
		e->ns_free);
	metrics_counter(m, "targets_deferred_total",
		"Targets whose asks waited for the rate limit (--rate, --burst).",
		e->targets_deferred);
	metrics_counter(m, "targets_queued_total",
		"Targets that waited for room in flight (--max-inflight).",
		e->targets_queued);
	metrics_counter(m, "targets_expired_total",
		"Targets that left the queue unasked: the kernel had given up on them (no NS for them within its own window) and no packet waited for them.",
		e->targets_expired);
	metrics_counter(m, "targets_refused_total",
		"Targets dropped because the queue was full (--max-queue).",
		e->targets_refused);
	metrics_counter(m, "engine_asks_total", "Asks sent, all slaves.", e->asks);
	metrics_counter(m, "confirms_total",
		"Targets found behind a slave and not routed from an NA there: the kernel's neighbor entry written from their NA, or an echo request (no NA) out of that slave.",
		e->confirms);
	metrics_counter(m, "unanswered_total",
		"Resolutions that ended without an answer from any slave.",
		e->unanswered);
	metrics_family(m, "answers_total", METRIC_COUNTER,
	       "Answers from a slave, by what was made of them.");
	metrics_sample(m, "answers_total", (unsigned long)e->answers, "kind=\"taken\"");
	metrics_sample(m, "answers_total", (unsigned long)e->answers_unasked, "kind=\"unasked\"");
	metrics_sample(m, "answers_total", (unsigned long)e->answers_duplicate, "kind=\"duplicate\"");
	metrics_counter(m, "learned_total", "Targets learned behind a slave.",
		e->learned);
	metrics_counter(m, "adopted_total",
		"Targets adopted at start from what the kernel knew (a route left by an earlier run, a usable neighbor entry on a slave), each asked again.",
		e->adopted);
	metrics_counter(m, "routes_restored_total",
		"Learned routes deleted from outside and added again.",
		e->routes_restored);
	metrics_counter(m, "routes_given_up_total",
		"Learned targets forgotten because their route kept being deleted from outside.",
		e->routes_given_up);
	metrics_counter(m, "learned_moves_total", "Learned targets that moved.",
		e->moved);
	metrics_counter(m, "forgotten_total", "Learned targets forgotten.",
		e->forgotten);
	metrics_counter(m, "reprobes_total",
		"Learned targets asked again (entry gone, or a claim to check).",
		e->keepalive_asks);
	metrics_counter(m, "reprobes_deferred_total",
		"Re-asks of learned targets put off by the keep-alive rate.",
		e->keepalive_deferred);
	metrics_family(m, "claims_refused_total", METRIC_COUNTER,
	       "Claims from a slave (answers, a guest's signs) not taken, by reason: local (an address of the host), master (it answers on a master), scope (the host does not resolve it on-link on a master), binding (bound to other slaves, or the slave is bound to others), occupied (it still answers where it was learned).");
	for (int r = 0; r < ENGINE_REFUSALS; r++)
		metrics_sample(m, "claims_refused_total",
			       (unsigned long)e->refused[r], "reason=\"%s\"",
			       engine_refusal_name((enum engine_refusal)r));
	metrics_counter(m, "vanished_total",
		"Learned targets the kernel had let go of that no longer answered when asked idle: forgotten, route and proxy removed.",
		e->vanished);
	metrics_counter(m, "idle_asks_total",
		"Learned targets nothing confirmed for a while, asked whether they are still there (from a budget of their own).",
		e->idle_asks);
	metrics_counter(m, "guest_reasks_total",
		"New guests asked again because their address was still tentative (DAD running late).",
		e->guest_reasks);
	metrics_counter(m, "guests_over_share_total",
		"Guest signs dropped because their slave's fair share of the engine was full.",
		e->guests_over_share);
	metrics_family(
		m, "guest_solicitations_total", METRIC_COUNTER,
		"Guests' NS on a slave for an address elsewhere (--proxy-ndp, guests with the whole prefix on-link), by outcome: answered at once (known), resolved (found as any target), ignored (outside the master's link, or it lives behind that slave), over_share (its slave's fair share of the engine was full).");
	metrics_sample(m, "guest_solicitations_total",
		       (unsigned long)e->guest_ns_answered, "outcome=\"answered\"");
	metrics_sample(m, "guest_solicitations_total",
		       (unsigned long)(e->guest_ns - e->guest_ns_answered -
				       e->guest_ns_ignored -
				       e->guest_ns_over_share),
		       "outcome=\"resolved\"");
	metrics_sample(m, "guest_solicitations_total",
		       (unsigned long)e->guest_ns_ignored, "outcome=\"ignored\"");
	metrics_sample(m, "guest_solicitations_total",
		       (unsigned long)e->guest_ns_over_share,
		       "outcome=\"over_share\"");
	metrics_counter(m, "master_asks_engine_total",
		"Asks on the masters to check a claim or a held packet's target (the engine's count; master_asks_total has them per master).",
		e->master_asks);
	metrics_counter(m, "learn_table_full_total",
		"Targets answered but not routed: --max-learned reached.",
		e->learned_full);
	metrics_counter(m, "route_failures_total",
		"Routes the kernel refused to add or move.", e->route_failed);
	metrics_family(m, "held_packets_total", METRIC_COUNTER,
	       "Packets held for a target being resolved (--queue), by how they went on: rerouted by the new route, or unchanged by the master; full: not held, --queue-max reached.");
	metrics_sample(m, "held_packets_total", (unsigned long)e->held_rerouted, "outcome=\"rerouted\"");
	metrics_sample(m, "held_packets_total", (unsigned long)e->held_unchanged, "outcome=\"unchanged\"");
	metrics_sample(m, "held_packets_total", (unsigned long)e->held_full, "outcome=\"full\"");
	metrics_gauge(m, "targets_in_flight", "Targets being resolved now.",
	      e->inflight);
	metrics_gauge(m, "targets_waiting", "Targets queued for room in flight.",
	      e->queued);
	metrics_gauge(m, "targets_learned", "Targets routed behind a slave now.",
	      e->learned_now);
	metrics_gauge(m, "engine_records", "Targets the engine holds state for.",
	      e->records);
}

void engine_log_counters(const struct engine_counters *e)
{
	log_info("targets: resolved %lu, NS absorbed %lu, deferred %lu, queued %lu, refused %lu, unanswered %lu; asks %lu, confirms %lu; in flight %lu",
		 (unsigned long)e->ns, (unsigned long)e->ns_free,
		 (unsigned long)e->targets_deferred,
		 (unsigned long)e->targets_queued,
		 (unsigned long)e->targets_refused,
		 (unsigned long)e->unanswered, (unsigned long)e->asks,
		 (unsigned long)e->confirms, (unsigned long)e->inflight);
}
