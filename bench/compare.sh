#!/bin/bash
# Two ns-monitor binaries side by side, interleaved in time on this noisy
# machine: reaction latency (one slave, 100 and 10,000 NS/s) and the CPU of an
# ingest flood. For checking a change to src/ before and after.
#
#   bash bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]     (default 5 rounds)
#
# Same namespaces, generator and capture as bench/run.sh; prints markdown.
set -u
[ $# -ge 2 ] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]" >&2; exit 2; }
A_IN=$(readlink -f "$1") B_IN=$(readlink -f "$2")
BENCH_ROUNDS=${3:-5}
BENCH_LIB=1 . "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$A_IN"
cp "$A_IN" "$TMP/ns-monitor-a" && cp "$B_IN" "$TMP/ns-monitor-b" || exit 1
BIN_A=$TMP/ns-monitor-a BIN_B=$TMP/ns-monitor-b

topo_build A 1
for rate in 100 10000; do
	for round in $(seq "$ROUNDS"); do
		# The order flips every round.
		if [ $((round % 2)) = 1 ]; then order="a b"; else order="b a"; fi
		for x in $order; do latency_run "nsmon-$x" $rate "$round"; done
	done
done
# Ingest flood (defaults, repeated targets), three times each, alternating.
for round in 1 2 3; do
	for x in a b; do
		start_method "nsmon-$x" cost || continue
		c0=$(counters) n0=$(cpu_ns)
		g=$(gen -r 0 -n 400000 -t 2 -k 1 -o 0 -F 50)
		sleep 0.5
		c1=$(counters) n1=$(cpu_ns)
		stop_method
		record "$(jq -cn --arg m "nsmon-$x" --argjson g "$g" --arg c0 "$c0" --arg c1 "$c1" \
			--argjson ns "$((n1 - n0))" '
			{kind: "flood", method: $m, sent: $g.sent, rate: $g.rate_reached,
			 processed: (($c1 | split(" ")[0] | tonumber) - ($c0 | split(" ")[0] | tonumber)),
			 cpu_us_per_ns: ($ns / 1e3 / $g.sent)}')"
	done
done
topo_destroy
latency_merge

echo "A: $A_IN ($(sha256sum "$BIN_A" | cut -c1-12))"
echo "B: $B_IN ($(sha256sum "$BIN_B" | cut -c1-12))"
echo "$ROUNDS rounds each, interleaved; one slave; $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| binary | NS/s | NS | p50 µs | p99 µs | max µs | p50 per round µs | CPU ms per 1000 NS |"
echo "|---|---:|---:|---:|---:|---:|---|---:|"
jq -rs 'map(select(.kind == "latency")) | sort_by(.rate, .method)[] |
	"| \(.method | sub("nsmon-"; "") | ascii_upcase) | \(.rate) | \(.cap.ns_on_master) | \(.cap.p50_us) | \(.cap.p99_us) | \(.cap.max_us) | \(.round_p50_us | join(", ")) | \(.cpu_ms_per_1000 * 10 | floor / 10) |"' "$JSONL"
echo
echo "| binary | flood NS/s | sent | processed | CPU µs per NS |"
echo "|---|---:|---:|---:|---:|"
jq -rs 'map(select(.kind == "flood")) | sort_by(.method)[] |
	"| \(.method | sub("nsmon-"; "") | ascii_upcase) | \(.rate) | \(.sent) | \(.processed) | \(.cpu_us_per_ns * 100 | floor / 100) |"' "$JSONL"
