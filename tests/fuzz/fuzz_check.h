/*
 * What every fuzz target shares: CHECK(cond) aborts with the condition and
 * its line when an invariant the code under test promises is broken, which
 * libFuzzer reports as a crash and saves the input for.
 */
#ifndef NS_MONITOR_FUZZ_CHECK_H
#define NS_MONITOR_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif
