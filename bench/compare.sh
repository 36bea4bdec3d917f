#!/bin/bash
# Two ns-monitor binaries side by side with the floor (bench/floor.c),
# interleaved in time on this noisy machine: reaction latency (one and four
# slaves, 100 and 10,000 NS/s) with each binary's ratio to the floor of the
# same rounds, and the CPU of an ingest flood. For checking a change to src/
# before and after. The floor woken as an event loop (floor-loop: epoll_wait,
# then recvmmsg) runs beside them: the ratios to it leave out what the
# loop's structure costs.
#
#   bash bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]     (default 5 rounds)
#
# COMPARE_SLAVES (default "1 4"): the slave counts to run.
# COMPARE_TOPO (default A): B runs both with --proxy-ndp on NS from the
# upstream (bench/run.sh's topology B), beside ndppd (iface rules) where
# A has the floor; the ratios are then to ndppd's.
#
# Same namespaces, generator and capture as bench/run.sh; prints markdown.
set -u
[ $# -ge 2 ] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]" >&2; exit 2; }
A_IN=$(readlink -f "$1") B_IN=$(readlink -f "$2")
BENCH_ROUNDS=${3:-5}
# run.sh skips what would run past its budget: a minute per round here.
BENCH_BUDGET_S=${BENCH_BUDGET_S:-$((300 + BENCH_ROUNDS * 60))}
BENCH_LIB=1 . "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$A_IN"
cp "$A_IN" "$TMP/ns-monitor-a" && cp "$B_IN" "$TMP/ns-monitor-b" || exit 1
BIN_A=$TMP/ns-monitor-a BIN_B=$TMP/ns-monitor-b

KIND=${COMPARE_TOPO:-A}
case $KIND in
A) REF=floor LOOP=floor-loop A_M=nsmon-a B_M=nsmon-b ;;
B) REF=ndppd LOOP= A_M=nsmon-proxy-a B_M=nsmon-proxy-b ;;
*) echo "COMPARE_TOPO: A or B" >&2; exit 2 ;;
esac
for s in ${COMPARE_SLAVES:-1 4}; do
	topo_build "$KIND" "$s"
	for rate in 100 10000; do
		for round in $(seq "$ROUNDS"); do
			# The order turns every round.
			case $((round % 3)) in
			1) order="$REF $A_M $LOOP $B_M" ;;
			2) order="$B_M $LOOP $REF $A_M" ;;
			0) order="$A_M $B_M $REF $LOOP" ;;
			esac
			for m in $order; do latency_run "$m" $rate "$round"; done
		done
	done
done
topo_build A 1
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
echo "$ROUNDS rounds each, interleaved; $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Topology $KIND. Ratios are to $REF of the same case and rounds: p50, and CPU per NS${LOOP:+; and p50 to $LOOP}."
echo
echo "| binary | slaves | NS/s | NS | p50 µs | p99 µs | max µs | p50 per round µs | CPU µs per NS | p50 / $REF | CPU / $REF |${LOOP:+ p50 / $LOOP |}"
echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|${LOOP:+---:|}"
jq -rs --arg ref "$REF" --arg loop "$LOOP" 'def r(x): (x * 100 | round) / 100;
	def ratio(a; b): if a and b and b.cap.p50_us and a.cap.p50_us then "\(r(a.cap.p50_us / b.cap.p50_us))×" else "—" end;
	map(select(.kind == "latency")) as $l |
	$l | sort_by(.slaves, .rate, .method)[] | . as $m |
	($l | map(select(.method == $ref and .slaves == $m.slaves and .rate == $m.rate)) | first) as $f |
	($l | map(select(.method == $loop and .slaves == $m.slaves and .rate == $m.rate)) | first) as $lf |
	"| \(.method | sub("nsmon-(proxy-)?"; "") | ascii_upcase) | \(.slaves) | \(.rate) | \(.cap.ns_on_master) | \(.cap.p50_us) | \(.cap.p99_us) | \(.cap.max_us) | \(.round_p50_us | join(", ")) | \(.cpu_ms_per_1000 * 10 | floor / 10) | \(ratio($m; $f)) | \(if $f and $f.cpu_ms_per_1000 and .cpu_ms_per_1000 then "\(r(.cpu_ms_per_1000 / $f.cpu_ms_per_1000))×" else "—" end) |\(if $loop != "" then " \(ratio($m; $lf)) |" else "" end)"' "$JSONL"
echo
echo "| binary | flood NS/s | sent | processed | CPU µs per NS |"
echo "|---|---:|---:|---:|---:|"
jq -rs 'map(select(.kind == "flood")) | sort_by(.method)[] |
	"| \(.method | sub("nsmon-"; "") | ascii_upcase) | \(.rate) | \(.sent) | \(.processed) | \(.cpu_us_per_ns * 100 | floor / 100) |"' "$JSONL"
