#!/bin/bash
# What --queue costs traffic that waits for nothing: the host's ping round
# trip to the upstream router on the master's link and to an internet
# address behind it, with ns-monitor -m m0 -s s1 --learn-routes and with
# --queue, interleaved. Root only; namespaces of its own, deleted on exit
# (trap); every wait bounded.
#
#   bash bench/queue_rtt.sh [NS_MONITOR]    (make bench)
#
# Environment: BENCH_QR_RUNS runs per mode (default 5), BENCH_QR_PINGS pings
# per destination and run (default 300, 10 ms apart; the first 20 are not
# counted: the router's first packet is held once, and located after);
# BENCH_RESULTS output directory (default bench/results): queue_rtt.md.
#
#   U(u0) ---- m0 [R] s1 ---- x0
#   2001:db8:1::2/64, 2001:db8:ffff::1/64 behind it ("the internet")
#   R: 2001:db8:1::1/64 on m0, default via U's link-local address
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/build/default/ns-monitor}")
RESULTS=${BENCH_RESULTS:-$here/results}
RUNS=${BENCH_QR_RUNS:-5}
PINGS=${BENCH_QR_PINGS:-300}
P=nsmqr$$
R=$P-r
U=$P-u
X=$P-x
NSS=("$R" "$U" "$X")
TMP=$(mktemp -d /tmp/ns-monitor-qrtt.XXXXXX)
# shellcheck source=lib.sh
. "$here/lib.sh"

for n in "${NSS[@]}"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
ip -n "$R" link add s1 type veth peer name x0 netns "$X"
ip -n "$R" link set m0 up
ip -n "$R" link set s1 up
ip -n "$U" link set u0 up
ip -n "$X" link set x0 up
in_r sysctl -qw net.ipv6.conf.all.forwarding=1
in_r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$U" -6 addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$U" -6 addr add 2001:db8:ffff::1/64 dev lo
ll() { ip -n "$1" -6 addr show dev "$2" scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p'; }
wait_for 5 eval '[ -n "$(ll "$U" u0)" ] && [ -n "$(ll "$R" m0)" ]' || { say "no link-local"; exit 1; }
in_r ip -6 route add default via "$(ll "$U" u0)" dev m0
ip -n "$U" -6 route add default via "$(ll "$R" m0)" dev u0

# median DST: of this run's pings, the warm-up left out.
median() {
	in_r ping -c "$PINGS" -i 0.01 "$1" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | tail -n +21 | sort -n |
		awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
}
relaying() { grep -q 'relaying NS' "$TMP/daemon.log"; }
run_mode() {
	# Not through in_r: a backgrounded function is a subshell, not the daemon.
	ip netns exec "$R" "$BIN" -m m0 -s s1 --learn-routes "$@" >"$TMP/daemon.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	wait_for 5 relaying || { say "daemon did not start"; cat "$TMP/daemon.log" >&2; exit 1; }
	echo "$(median 2001:db8:1::2) $(median 2001:db8:ffff::1)"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
}

: >"$TMP/plain"
: >"$TMP/queue"
for run in $(seq 1 "$RUNS"); do
	say "queue_rtt: run $run of $RUNS"
	run_mode >>"$TMP/plain"
	run_mode --queue >>"$TMP/queue"
done
med() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }
rp=$(cut -d' ' -f1 "$TMP/plain" | med)
rq=$(cut -d' ' -f1 "$TMP/queue" | med)
ip_=$(cut -d' ' -f2 "$TMP/plain" | med)
iq=$(cut -d' ' -f2 "$TMP/queue" | med)
mkdir -p "$RESULTS"
{
	echo "# --queue and traffic that waits for nothing ($(date -u +%F))"
	echo
	echo "Median ping round trip from the host, $RUNS runs of $PINGS pings each"
	echo "(medians of the runs' medians), ns-monitor -m m0 -s s1 --learn-routes"
	echo "with and without --queue, interleaved."
	echo
	echo "| destination | without --queue | with --queue | difference |"
	echo "|---|---:|---:|---:|"
	awk -v a="$rp" -v b="$rq" 'BEGIN {printf "| the upstream router (master'"'"'s link) | %.3f ms | %.3f ms | %+.3f ms |\n", a, b, b - a}'
	awk -v a="$ip_" -v b="$iq" 'BEGIN {printf "| an internet address (via the router) | %.3f ms | %.3f ms | %+.3f ms |\n", a, b, b - a}'
} >"$RESULTS/queue_rtt.md"
cat "$RESULTS/queue_rtt.md"
