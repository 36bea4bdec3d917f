/* The Prometheus text format (metrics.h). */
#include <stdarg.h>
#include <string.h>

#include "metrics.h"

#define PREFIX "ns_monitor_"

void metrics_family(struct metrics *m, const char *name, enum metric_type type,
		    const char *help)
{
	if (m->family && strcmp(m->family, name) == 0)
		return;
	m->family = name;
	fprintf(m->out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n",
		name, help, name, type == METRIC_COUNTER ? "counter" : "gauge");
}

void metrics_sample(struct metrics *m, const char *name, unsigned long v,
		    const char *labels, ...)
{
	va_list ap;

	fprintf(m->out, PREFIX "%s", name);
	if (labels) {
		fputc('{', m->out);
		va_start(ap, labels);
		vfprintf(m->out, labels, ap);
		va_end(ap);
		fputc('}', m->out);
	}
	fprintf(m->out, " %lu\n", v);
}

void metrics_escape_label(FILE *out, const char *value)
{
	/* The text format's three escapes; anything else is taken as is. */
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

void metrics_named(struct metrics *m, const char *name, unsigned long v,
		   unsigned int group, const char *key, const char *value,
		   const char *more)
{
	fprintf(m->out, PREFIX "%s{group=\"%u\",%s=\"", name, group, key);
	metrics_escape_label(m->out, value);
	fprintf(m->out, "\"%s} %lu\n", more, v);
}

void metrics_counter(struct metrics *m, const char *name, const char *help,
		     unsigned long v)
{
	metrics_family(m, name, METRIC_COUNTER, help);
	metrics_sample(m, name, v, NULL);
}

void metrics_gauge(struct metrics *m, const char *name, const char *help,
		   unsigned long v)
{
	metrics_family(m, name, METRIC_GAUGE, help);
	metrics_sample(m, name, v, NULL);
}
