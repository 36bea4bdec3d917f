#!/bin/bash
# --queue's cost to traffic that does not need it, and to traffic it holds.
# Root only; namespaces of its own, deleted on exit (trap); every wait
# bounded.
#
#   bash bench/queue.sh [NS_MONITOR]    (make bench)
#
# Environment: BENCH_Q_RUNS runs per mode, interleaved (default 5; medians
# count); BENCH_RESULTS output directory (default bench/results): queue.md.
#
# 1. Destinations already located (X, found behind s1): the host's TCP
#    throughput to X and its rate of small UDP datagrams to X (iperf3,
#    2 s each), with ns-monitor -m m0 -s s1 --learn-routes, and the same
#    with --queue (its hold chains in the output and prerouting hooks; X in
#    located_135). The goal: the same figures.
# 2. Packets held: the round trip of a ping to the upstream U on the
#    master's link, through the queue and released unchanged at once by the
#    daemon's own hold.c (tests/tools/nfq_hold, "auto"), against the same
#    pings with U in located_135 (no queue). The difference is the cost of
#    one hold and verdict.
#
#   U(u0) ---- m0 [R] s1 ---- x0 (X 2001:db8:1::100/128)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/build/default/ns-monitor}")
NFQ_HOLD=$(dirname "$BIN")/nfq_hold
RESULTS=${BENCH_RESULTS:-$here/results}
RUNS=${BENCH_Q_RUNS:-5}
[ "$(id -u)" -eq 0 ] || { echo "bench/queue.sh: needs root" >&2; exit 1; }
for c in iperf3 ping nft ip awk; do
	command -v "$c" >/dev/null || { echo "bench/queue.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/queue.sh: $BIN: no binary (make)" >&2; exit 1; }
[ -x "$NFQ_HOLD" ] || make -s -C "$top" "${NFQ_HOLD#"$top"/}" >/dev/null ||
	{ echo "bench/queue.sh: $NFQ_HOLD: no holder (make ${NFQ_HOLD#"$top"/})" >&2; exit 1; }

P=nsq$$
R=$P-r U=$P-u X=$P-x
XA=2001:db8:1::100
UA=2001:db8:1::2
TMP=$(mktemp -d /tmp/ns-queue.XXXXXX)
NSS=("$R" "$U" "$X")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%s", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for n in "$R" "$U" "$X"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
done
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
ip -n "$R" link add s1 type veth peer name x0 netns "$X"
for l in m0 s1; do ip -n "$R" link set "$l" up; done
ip -n "$U" link set u0 up
ip -n "$X" link set x0 up
ip -n "$R" -6 addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$R" -6 addr add fe80::1/64 dev s1 nodad
ip -n "$U" -6 addr add $UA/64 dev u0 nodad
ip -n "$X" -6 addr add $XA/128 dev x0 nodad
ip -n "$X" -6 route add default via fe80::1 dev x0
ip netns exec "$X" iperf3 -s -D >/dev/null 2>&1 || { say "iperf3 server did not start"; exit 1; }
wait_for 5 eval "ip netns exec $X ss -ltn | grep -q ':5201 '" || { say "iperf3 server not listening"; exit 1; }

# start MODE: a daemon; X found behind s1 (and, with --queue, in located).
DPID=
start() {
	local extra=()
	[ "$1" = queue ] && extra=(--queue)
	in_r ip -6 neigh flush all
	ip netns exec "$R" "$BIN" -m m0 -s s1 --learn-routes "${extra[@]}" >"$TMP/d.log" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
	wait_for 5 grep -q 'relaying NS' "$TMP/d.log" || { say "$1: daemon did not start"; cat "$TMP/d.log" >&2; exit 1; }
	in_r ping -c1 -W3 $XA >/dev/null 2>&1
	wait_for 5 eval "in_r ip -6 route show $XA/128 | grep -q 'dev s1'" || { say "$1: X not found"; exit 1; }
	if [ "$1" = queue ]; then
		wait_for 5 eval "in_r nft list set inet ns_monitor located_135 2>/dev/null | grep -q '$XA'" ||
			{ say "queue: X not in located_135"; exit 1; }
	fi
}
stop() { kill -TERM "$DPID"; wait "$DPID" 2>/dev/null; }

: >"$TMP/tp"
for run in $(seq "$RUNS"); do
	if [ $((run % 2)) = 1 ]; then modes="plain queue"; else modes="queue plain"; fi
	for m in $modes; do
		start "$m"
		bps=$(in_r iperf3 -6 -c $XA -t 2 -J 2>/dev/null | awk -F'[:,]' '/"bits_per_second"/ { v = $2 } END { printf "%.0f", v }')
		pps=$(in_r iperf3 -6 -c $XA -u -b 0 -l 64 -t 2 -J 2>/dev/null | awk -F'[:,]' '/"packets"/ { v = $2 } END { printf "%.0f", v / 2 }')
		stop
		echo "$m $bps $pps" >>"$TMP/tp"
		say "$m run $run: $((bps / 1000000)) Mbit/s, $pps datagrams/s"
	done
done

# 2. One hold and verdict: the same table, the rules of --queue, the holder
#    releasing each packet at once.
start queue
stop
in_r nft list table inet ns_monitor >/dev/null 2>&1 && in_r nft delete table inet ns_monitor
rm -f "$TMP/cmd"
mkfifo "$TMP/cmd"
exec 3<>"$TMP/cmd"
# The holder reads located_135 from this table: the daemon's, made again.
ip netns exec "$R" "$BIN" -m m0 -s s1 --queue >"$TMP/d2.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 5 grep -q 'relaying NS' "$TMP/d2.log" || { say "daemon did not start"; exit 1; }
# SIGKILL: the table and its hold chains stay (bypass), the queue is free.
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
ip netns exec "$R" "$NFQ_HOLD" 135 1024 <"$TMP/cmd" >"$TMP/hold.out" 2>&1 3>&- &
PIDS+=($!)
wait_for 5 grep -q ready "$TMP/hold.out" || { say "holder did not start"; cat "$TMP/hold.out" >&2; exit 1; }
echo auto >&3
in_r ping -c 3 -W 1 $UA >/dev/null 2>&1
rtt() { in_r ping -q -c 200 -i 0.005 $UA 2>/dev/null | awk -F'[/ ]' '/^rtt/ { print $8 * 1000 }'; }
: >"$TMP/rtt"
for run in $(seq "$RUNS"); do
	held=$(rtt)
	in_r nft add element inet ns_monitor located_135 "{ $UA }"
	free=$(rtt)
	in_r nft delete element inet ns_monitor located_135 "{ $UA }"
	echo "$held $free" >>"$TMP/rtt"
	say "rtt run $run: held $held us, not held $free us"
done
echo stats >&3
wait_for 2 grep -q '^stats' "$TMP/hold.out"
held_n=$(sed -n 's/^stats held \([0-9]*\).*/\1/p' "$TMP/hold.out")
exec 3>&-

mkdir -p "$RESULTS"
{
	echo "# --queue: traffic to located destinations, and one held packet"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs; $RUNS runs per mode, interleaved; medians; binary sha256 $(sha256sum "$BIN" | cut -c1-12)."
	echo
	echo "| host to X (located behind s1) | TCP Mbit/s | UDP 64-byte datagrams/s |"
	echo "|---|---:|---:|"
	for m in plain queue; do
		b=$(awk -v m=$m '$1 == m { print $2 }' "$TMP/tp" | median)
		p=$(awk -v m=$m '$1 == m { print $3 }' "$TMP/tp" | median | awk '{ printf "%.0f", $1 }')
		label=$([ $m = plain ] && echo "--learn-routes" || echo "--learn-routes --queue")
		echo "| $label | $(awk -v b="$b" 'BEGIN { printf "%.0f", b / 1e6 }') | $p |"
	done
	echo
	h=$(awk '{ print $1 }' "$TMP/rtt" | median)
	f=$(awk '{ print $2 }' "$TMP/rtt" | median)
	echo "Ping round trip to U on the master's link, 200 pings a run: through the queue (held, released at once) $h µs, skipping it (located) $f µs: $(awk -v h="$h" -v f="$f" 'BEGIN { printf "%.0f", h - f }') µs per held packet ($held_n held in all)."
} >"$RESULTS/queue.md"
cat "$RESULTS/queue.md"
