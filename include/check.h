/* --check: validate the arguments and the system, say what to fix. */
#ifndef NS_MONITOR_CHECK_H
#define NS_MONITOR_CHECK_H

#include <stdio.h>

#include "config.h"

/* Print findings to out; returns the number of problems found. */
int check_run(const struct config *cfg, FILE *out);

#endif
