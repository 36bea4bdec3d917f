/*
 * The counter model: every part writes its own counters and gauges through
 * this writer (slaves_metrics(), intake_metrics(), engine_metrics(), ...),
 * and stats.c puts the parts together in one file. The writer knows the
 * Prometheus text format, its ns_monitor_ prefix and its escapes; the parts
 * know what they count.
 */
#ifndef NS_MONITOR_METRICS_H
#define NS_MONITOR_METRICS_H

#include <stdio.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE };

struct metrics {
	FILE *out;
	const char *family;	/* the family written last */
};

/*
 * Start family `name` (without the ns_monitor_ prefix): its HELP and TYPE
 * lines, once however many parts add samples to it one after the other
 * (the format wants a family's samples together).
 */
void metrics_family(struct metrics *m, const char *name, enum metric_type type,
		    const char *help);

/*
 * A sample of `name`; labels is printf's format for what goes between the
 * braces (NULL: none). Only numbers and fixed words in it: a name read from
 * outside goes through metrics_named().
 */
void metrics_sample(struct metrics *m, const char *name, unsigned long v,
		    const char *labels, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A sample of `name` for group and an interface (label `key`), whose name
 * comes from nftables sets and is escaped: it must not be able to end its
 * label and forge another sample. `more` is more labels, ",a=\"b\"" or "".
 */
void metrics_named(struct metrics *m, const char *name, unsigned long v,
		   unsigned int group, const char *key, const char *value,
		   const char *more);

/* A family with one sample and no labels. */
void metrics_counter(struct metrics *m, const char *name, const char *help,
		     unsigned long v);
void metrics_gauge(struct metrics *m, const char *name, const char *help,
		   unsigned long v);

/*
 * One sample per group of `parts` (anything with groups[], ngroups and
 * groups[i].num); expr picks the value from g. labels: ",a=\"b\"" or "".
 */
#define METRICS_PER_GROUP(m, parts, metric, labels, expr)		\
	for (unsigned int i_ = 0; i_ < (parts)->ngroups; i_++) {	\
		const __typeof__((parts)->groups[0]) *g = &(parts)->groups[i_]; \
		metrics_sample(m, metric, (unsigned long)(expr),	\
			       "group=\"%u\"" labels, g->num);		\
	}

/* A label value as the text format wants it: \\, \" and \n escaped. */
void metrics_escape_label(FILE *out, const char *value);

#endif
