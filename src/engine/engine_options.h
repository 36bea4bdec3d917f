/*
 * The engine's options (engine.h) from the command line, and from the
 * kernel's neighbor timing: what main.c hands engine_init().
 */
#ifndef NS_MONITOR_ENGINE_OPTIONS_H
#define NS_MONITOR_ENGINE_OPTIONS_H

#include "config.h"
#include "engine.h"

void engine_options_from_config(struct engine_options *o,
				const struct config *cfg);

/* The -t prefixes into the engine (engine_targets()). 0, or -1. */
int engine_targets_from_config(struct engine *e, const struct config *cfg);

#endif
