#!/bin/sh
# Build the libFuzzer targets (every tests/fuzz/fuzz_*.c) with clang and
# fuzz each for SECONDS seconds.
#
#   tests/fuzz/run.sh SECONDS
#
# Can be started from any directory. Each target is built into
# build/fuzz from its sources directly (not from the gcc-built library), then
# fuzzed over a copy of tests/fuzz/corpus/<name> in build/fuzz/corpus-<name>
# (the committed corpus is never written), with crash inputs saved under
# build/fuzz/artifacts-<name>/. Prints executions and coverage per target;
# exits non-zero if a target fails to build, crashes, times out, leaks or
# hits undefined behaviour (UBSan recovers by default: halt_on_error stops it).
# CLANG overrides the compiler (default clang).
set -u

usage() { echo "usage: $0 SECONDS" >&2; exit 2; }
[ $# -eq 1 ] || usage
case $1 in ''|*[!0-9]*) usage ;; esac
[ "$1" -gt 0 ] || usage
secs=$1

cd "$(dirname "$0")/../.." || exit 2
CLANG=${CLANG:-clang}
PKGS="libmnl libnetfilter_log libnetfilter_queue libnftnl"
OUT=build/fuzz

command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz: $CLANG not found" >&2; exit 2; }
# shellcheck disable=SC2086 # PKGS is a list
pkg_cflags=$(pkg-config --cflags $PKGS) || { echo "fuzz: pkg-config $PKGS failed" >&2; exit 2; }
# shellcheck disable=SC2086
pkg_libs=$(pkg-config --libs $PKGS) || exit 2
mkdir -p "$OUT" || exit 2
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export UBSAN_OPTIONS

# The src/ files each target needs, and nothing more.
sources() {
	case $1 in
	ns_parse) echo src/intake/ns_parse.c ;;
	engine)   echo src/engine/engine.c src/engine/askers.c src/engine/token_bucket.c ;;
	nflog)    echo src/intake/nflog.c src/control/nftwatch.c src/lib/nlsock.c src/control/ifname.c src/control/ifspec.c src/control/binding.c src/lib/grow.c src/lib/metrics.c ;;
	nd)       echo src/lib/nd.c src/intake/ns_parse.c ;;
	hold)     echo src/intake/hold.c src/lib/nlsock.c src/lib/log.c src/lib/clock.c ;;
	netmon)   echo src/intake/netmon.c src/lib/nlsock.c src/lib/log.c src/lib/clock.c src/lib/metrics.c ;;
	esac
}

# Every tests/fuzz/fuzz_*.c is a target: one without its sources listed
# above fails to build, rather than going unfuzzed.
TARGETS=$(for f in tests/fuzz/fuzz_*.c; do
	f=${f#tests/fuzz/fuzz_}
	echo "${f%.c}"
done)
status=0

for t in $TARGETS; do
	bin=$OUT/fuzz_$t
	echo "== fuzz_$t: build"
	if [ -z "$(sources "$t")" ]; then
		echo "fuzz_$t: BUILD FAILED: no sources listed for it in $0" >&2
		status=1
		continue
	fi
	# shellcheck disable=SC2046,SC2086 # flag lists, split on purpose
	if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 \
		-D_GNU_SOURCE -Isrc/lib -Isrc/intake -Isrc/engine -Isrc/egress -Isrc/control -Isrc/cli $pkg_cflags tests/fuzz/fuzz_$t.c \
		$(sources $t) $pkg_libs -o "$bin"; then
		echo "fuzz_$t: BUILD FAILED" >&2
		status=1
		continue
	fi
done
[ $status -eq 0 ] || exit $status

for t in $TARGETS; do
	bin=$OUT/fuzz_$t
	corpus=$OUT/corpus-$t
	artifacts=$OUT/artifacts-$t/
	log=$OUT/fuzz_$t.log

	rm -rf "$corpus" "$artifacts"
	mkdir -p "$corpus" "$artifacts"
	cp "tests/fuzz/corpus/$t"/* "$corpus"/ || { status=1; continue; }

	echo "== fuzz_$t: ${secs}s"
	# timeout(1) is a backstop should libFuzzer overrun its own limit.
	timeout -k 10 $((secs + 60)) "$bin" -max_total_time="$secs" \
		-max_len=512 -timeout=5 -print_final_stats=1 \
		-artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
	echo "fuzz_$t: executions ${execs:-?} coverage ${cov:-?} corpus $(find "$corpus" -type f | wc -l)"
	if [ $rc -ne 0 ]; then
		status=1
		echo "fuzz_$t: FAILED (exit $rc); log $log" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|.*runtime error)' "$log" | head -n 5 >&2
		for a in "$artifacts"*; do
			[ -f "$a" ] || continue
			echo "fuzz_$t: input $a:" >&2
			od -An -tx1 -v "$a" | tr -d ' \n' | head -c 2048 >&2
			echo >&2
		done
	fi
done
exit $status
