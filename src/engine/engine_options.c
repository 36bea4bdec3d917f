/* The engine's options from the command line (and the kernel's timing). */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/random.h>

#include "engine_options.h"

#define NSEC_PER_MSEC 1000000ull

/* One number from a sysctl file, or fallback. */
static unsigned long sysctl_ul(const char *path, unsigned long fallback)
{
	unsigned long v;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return fallback;
	ok = fscanf(f, "%lu", &v) == 1;
	fclose(f);
	return ok ? v : fallback;
}

/*
 * How long the kernel keeps soliciting a neighbor before it gives up:
 * mcast_solicit NS, retrans_time apart (3 x 1 s unless changed). The
 * defaults for new interfaces stand for the masters, which come and go.
 */
static uint64_t kernel_give_up_ns(void)
{
	unsigned long n = sysctl_ul("/proc/sys/net/ipv6/neigh/default/mcast_solicit", 3);
	unsigned long ms = sysctl_ul("/proc/sys/net/ipv6/neigh/default/retrans_time_ms", 1000);

	if (n == 0 || n > 100)
		n = 3;
	if (ms == 0 || ms > 60000)
		ms = 1000;
	return (uint64_t)n * ms * NSEC_PER_MSEC;
}

void engine_options_from_config(struct engine_options *o,
				const struct config *cfg)
{
	engine_options_default(o);
	o->holddown_ns = (uint64_t)cfg->holddown_ms * NSEC_PER_MSEC;
	o->ask_rate = cfg->rate;
	o->ask_burst = cfg->burst;
	o->max_inflight = cfg->max_inflight;
	o->max_queue = cfg->max_queue;
	o->max_learned = cfg->max_learned;
	o->keepalive_rate = cfg->keepalive_rate;
	o->keepalive_burst = cfg->keepalive_rate;
	o->learn_routes = cfg->learn_routes;
	o->stale_ns = kernel_give_up_ns();
	o->idle_verify_ns = (uint64_t)ENGINE_IDLE_VERIFY_S * 1000000000ull;
	/* Routes are followed (netmon) whenever something is learned. */
	o->scope = cfg->learn_routes || cfg->proxy_ndp;
	if (cfg->queue) {
		o->max_held = cfg->queue_max;
		o->queue_wait_ns = (uint64_t)cfg->queue_wait_ms * NSEC_PER_MSEC;
	}
	o->proxy_ndp = cfg->proxy_ndp;
	/* Targets are chosen by whoever talks to us: keyed hashing. */
	if (getrandom(o->hash_key, sizeof(o->hash_key), GRND_NONBLOCK) !=
	    sizeof(o->hash_key))
		o->hash_key[0] = (uint64_t)(uintptr_t)o ^ 0x6e736d6f6e69746full;
}

int engine_targets_from_config(struct engine *e, const struct config *cfg)
{
	struct engine_prefix *p = NULL;
	int rc;

	if (cfg->ntargets && !(p = calloc(cfg->ntargets, sizeof(*p))))
		return -1;
	for (unsigned int i = 0; i < cfg->ntargets; i++) {
		p[i].addr = cfg->targets[i].addr;
		p[i].len = cfg->targets[i].len;
	}
	rc = engine_targets(e, p, cfg->ntargets);
	free(p);
	return rc;
}
