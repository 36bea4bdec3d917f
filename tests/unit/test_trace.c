/* Unit tests for the bench build's timestamps (trace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

static char path[64];

static int make_path(void **state)
{
	int fd;

	(void)state;
	strcpy(path, "/tmp/ns-monitor-trace-test.XXXXXX");
	fd = mkstemp(path);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int remove_path(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Every line of the written file, "SECONDS.MICROSECONDS LABEL". */
static size_t read_lines(char lines[][64], size_t max)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	assert_non_null(f);
	while (n < max && fgets(lines[n], 64, f))
		n++;
	fclose(f);
	return n;
}

/* The marks in order, times never going back, and kept no more. */
static void test_marks_written_in_order(void **state)
{
	char lines[4][64], label[32];
	double t, last = 0;

	(void)state;
	assert_int_equal(trace_open(path), 0);
	trace_mark("wake");
	trace_mark("nflog message");
	trace_mark("nd send");
	assert_int_equal(trace_count(), 3);
	trace_close();
	assert_int_equal(trace_count(), 0);
	assert_int_equal(read_lines(lines, 4), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sscanf(lines[i], "%lf %31[^\n]", &t, label), 2);
		assert_true(t >= last);
		last = t;
		assert_string_equal(label, i == 0 ? "wake" :
				    i == 1 ? "nflog message" : "nd send");
	}
}

/* Past TRACE_MARKS the marks are dropped and the file says how many. */
static void test_full_says_dropped(void **state)
{
	static char lines[TRACE_MARKS + 2][64];
	char want[64];

	(void)state;
	assert_int_equal(trace_open(path), 0);
	for (int i = 0; i < TRACE_MARKS + 2; i++)
		trace_mark("m");
	assert_int_equal(trace_count(), TRACE_MARKS);
	trace_close();
	assert_int_equal(read_lines(lines, TRACE_MARKS + 2), TRACE_MARKS + 1);
	snprintf(want, sizeof(want), "# 2 marks dropped (more than %d)\n",
		 TRACE_MARKS);
	assert_string_equal(lines[TRACE_MARKS], want);
}

/* No file named, or one that cannot be made: nothing is written. */
static void test_no_file(void **state)
{
	(void)state;
	assert_int_equal(trace_open(NULL), -1);
	assert_int_equal(trace_open("/nonexistent/dir/trace"), -1);
	trace_mark("x");
	trace_close();		/* no file: nothing to do, no crash */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_marks_written_in_order,
						make_path, remove_path),
		cmocka_unit_test_setup_teardown(test_full_says_dropped,
						make_path, remove_path),
		cmocka_unit_test(test_no_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
