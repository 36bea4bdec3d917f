#!/bin/bash
# Run every integration test; each prints PASS/FAIL lines and a summary.
# Exit 0 only if every test passed.
cd "$(dirname "$0")" || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: integration tests need root (network namespaces): sudo make check"
	exit 1
fi
total_pass=0 total_fail=0 status=0
# TESTS="test_learn.sh test_queue.sh" runs only those.
for t in ${TESTS:-test_*.sh}; do
	echo "== $t"
	# A hung test must not hang CI: each gets ten minutes at most.
	out=$(timeout -k 10 600 bash "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(grep -c '^PASS' <<<"$out")
	f=$(grep -c '^FAIL' <<<"$out")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited $rc"
		total_fail=$((total_fail + 1))
	fi
	[ $rc -ne 0 ] && status=1
done
echo "== integration: $total_pass passed, $total_fail failed"
exit $status
