/* The bench build's timestamps (trace.h): a fixed array, no allocation. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static struct mark {
	struct timespec at;
	const char *label;
} marks[TRACE_MARKS];
static size_t nmarks, dropped;
static int out = -1;

void trace_mark(const char *label)
{
	if (nmarks == TRACE_MARKS) {
		dropped++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &marks[nmarks].at);
	marks[nmarks++].label = label;
}

int trace_open(const char *path)
{
	if (!path)
		return -1;
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return out == -1 ? -1 : 0;
}

void trace_close(void)
{
	FILE *f;

	if (out == -1)
		return;
	f = fdopen(out, "w");
	if (!f) {
		close(out);
		out = -1;
		return;
	}
	for (size_t i = 0; i < nmarks; i++)
		fprintf(f, "%lld.%06ld %s\n", (long long)marks[i].at.tv_sec,
			marks[i].at.tv_nsec / 1000, marks[i].label);
	if (dropped)
		fprintf(f, "# %zu marks dropped (more than %d)\n", dropped,
			TRACE_MARKS);
	fclose(f);
	out = -1;
	nmarks = dropped = 0;
}

size_t trace_count(void)
{
	return nmarks;
}
