/*
 * The command line (cli.c): argv into a struct config (config.h), and the
 * checks and helpers over the config it fills. Pure.
 */
#ifndef NS_MONITOR_CLI_H
#define NS_MONITOR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

enum cli_result {
	CLI_RUN,	/* run with the parsed config */
	CLI_HELP,	/* print usage, exit 0 */
	CLI_VERSION,	/* print version, exit 0 */
	CLI_ERROR,	/* print err and where help is (cli_error), exit 2 */
};

void config_defaults(struct config *cfg);

/* Free what cli_parse() allocated (the interface lists). */
void config_free(struct config *cfg);

/* Parse argv into cfg; on CLI_ERROR, err holds a one-line reason. */
enum cli_result cli_parse(int argc, char **argv, struct config *cfg, char *err,
			  size_t errlen);

void cli_usage(FILE *out);

/* A bad argument: its one-line reason, the synopsis, where the help is. */
void cli_error(FILE *out, const char *err);

/* True when there are slaves and every one is also a master (the same spec). */
bool config_slaves_all_masters(const struct config *cfg);

/* True, and *name set, when some interface is both master and slave. */
bool config_slave_is_master(const struct config *cfg, const char **name);

/* Why a -t prefix can hold no NS target (a reason to print), or NULL. */
const char *target_prefix_problem(const struct prefix6 *p, bool link_local);

/* Parse "2001:db8::/32" (host bits are cleared). 0 or -1. */
int parse_prefix6(const char *s, struct prefix6 *out);

#endif
