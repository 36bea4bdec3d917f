#!/bin/bash
# First contact: the host's cold TCP connect() to neighbors behind slaves
# that never talked, all at once, one attempt each (no retry: it gives up at
# 5 s, past the kernel's 3 s neighbor resolution). Root only; namespaces of
# its own, deleted on exit (trap); every wait bounded.
#
#   bash bench/first_contact.sh [NS_MONITOR]    (make bench)
#
# Modes, RUNS fresh runs each (BENCH_FC_RUNS, default 3), TARGETS targets
# (BENCH_FC_TARGETS, default 100) spread over NSLAVES slaves (BENCH_FC_SLAVES,
# default 4); BENCH_FC_MODES picks modes (default all five):
#   shipped what the service runs: managed mode, the shipped rules file
#           (nft/ns-monitor.nft) loaded, masters_135 { "m0" }, slaves_135
#           { "s*" }, and the arguments of dist/ns-monitor.default (read
#           from it: -g 135 --learn-routes --queue --restore-members
#           --rules FILE, FILE being this tree's)
#   learn   ns-monitor -m m0 -s s1,..,s4 --learn-routes: the SYN waits on
#           the master's neighbor entry, which fails after 3 s
#           (EHOSTUNREACH)
#   queue   the same with --queue: the SYN waits in NFQUEUE 135 until the
#           target is found behind its slave (the daemon's own hold
#           chains; on a kernel without nft's queue statement their
#           verdict is the xtables NFQUEUE target)
#   odhcpd  odhcpd's method (bench/odhcpd.c -l): an echo per slave for each
#           NS, a /128 route metric 1024 once a neighbor entry appears on a
#           slave (odhcpd's learn_routes)
#   seed    the seed's method (bench/seed.c): `ping -I SLAVE X` per slave
#           for each NS, no route learned
# Measured per connect: time to established or to the error, in ms; p50 and
# p99 over all connects of a mode; how many succeeded. Writes
# bench/results/first_contact.md.
#
#   U(u0) ---- m0 [R] s1..s4 ---- g1..g4 [G]   targets: /128 on the peers
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/build/default/ns-monitor}")
RULES=$top/nft/ns-monitor.nft
DEFAULTS=$top/dist/ns-monitor.default
RESULTS=${BENCH_RESULTS:-$here/results}
RUNS=${BENCH_FC_RUNS:-3}
TARGETS=${BENCH_FC_TARGETS:-100}
NSLAVES=${BENCH_FC_SLAVES:-4}
[ "$(id -u)" -eq 0 ] || { echo "bench/first_contact.sh: needs root" >&2; exit 1; }
for c in python3 nft ip cc pkg-config; do
	command -v "$c" >/dev/null || { echo "bench/first_contact.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/first_contact.sh: $BIN: no binary (make)" >&2; exit 1; }
# The service's arguments, as shipped.
SHIPPED=$(sed -n 's/^NS_MONITOR_ARGS="\(.*\)"$/\1/p' "$DEFAULTS")
[ -n "$SHIPPED" ] || { echo "bench/first_contact.sh: no NS_MONITOR_ARGS in $DEFAULTS" >&2; exit 1; }
SHIPPED=${SHIPPED//\/etc\/ns-monitor\/ns-monitor.nft/$RULES}

P=nsf$$
R=$P-r U=$P-u G=$P-g
TMP=$(mktemp -d /tmp/ns-fc.XXXXXX)
NSS=("$R" "$U" "$G")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# The two other methods, built here (as bench/run.sh does).
TOOLS=$TMP/tools
mkdir -p "$TOOLS"
f="-std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -I$top/src/lib -I$top/src/intake -I$top/src/engine -I$top/src/egress -I$top/src/control -I$top/src/cli -I$here"
cc $f "$here/seed.c" -o "$TOOLS/seed" &&
	cc $f $(pkg-config --cflags libmnl) "$here/odhcpd.c" "$here/odhcpd_route.c" \
		"$top/src/egress/echo.c" "$top/src/egress/echo_build.c" "$top/src/egress/rtnl.c" "$top/src/lib/nlsock.c" \
		-o "$TOOLS/odhcpd" $(pkg-config --libs libmnl) ||
	{ say "building bench/odhcpd.c and bench/seed.c failed"; exit 1; }
in_g() { ip netns exec "$G" "$@"; }

for n in "$R" "$U" "$G"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
ip -n "$R" link set m0 up
ip -n "$U" link set u0 up
ip -n "$R" -6 addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$U" -6 addr add 2001:db8:1::2/64 dev u0 nodad
for k in $(seq "$NSLAVES"); do
	ip -n "$R" link add "s$k" type veth peer name "g$k" netns "$G"
	ip -n "$R" link set "s$k" up
	ip -n "$G" link set "g$k" up
	ip -n "$R" -6 addr add "fe80::1:$k/64" dev "s$k" nodad
done
# Target i lives behind slave i % NSLAVES + 1; G answers the host through s1.
for i in $(seq "$TARGETS"); do
	echo "addr add 2001:db8:1::1:$i/128 dev g$((i % NSLAVES + 1)) nodad"
done | ip -n "$G" -batch -
ip -n "$G" -6 route add default via fe80::1:1 dev g1
targets=$(for i in $(seq "$TARGETS"); do printf '2001:db8:1::1:%s ' "$i"; done)

in_g python3 - <<'PY' >"$TMP/listen.out" 2>&1 &
import socket, select
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 7))
s.listen(1024)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.close()
PY
PIDS+=($!)
disown
wait_for 5 grep -q listening "$TMP/listen.out" || { say "listener did not start"; exit 1; }

# connect_all: one connect per target, all at once; "ok MS" or "fail MS".
connect_all() {
	in_r python3 - $targets <<'PY'
import socket, sys, threading, time
out = []
lock = threading.Lock()
def one(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(5)
    t = time.monotonic()
    try:
        s.connect((a, 7))
        r = "ok"
    except OSError:
        r = "fail"
    with lock:
        out.append("%s %.2f" % (r, (time.monotonic() - t) * 1000))
    s.close()
th = [threading.Thread(target=one, args=(a,)) for a in sys.argv[1:]]
for x in th: x.start()
for x in th: x.join()
print("\n".join(out))
PY
}

MODES=${BENCH_FC_MODES:-"shipped learn queue odhcpd seed"}
SLAVES=$(seq -s, -f 's%g' "$NSLAVES")

run_mode() {
	local mode=$1 run=$2 pid
	in_r ip -6 neigh flush all
	case $mode in
	shipped)
		in_r nft -f "$RULES" &&
			in_r nft add element inet ns_monitor masters_135 '{ "m0" }' &&
			in_r nft add element inet ns_monitor slaves_135 '{ "s*" }' ||
			{ say "shipped: the rules file did not load"; exit 1; }
		# $SHIPPED: the unit's words, split as its ExecStart splits them.
		# shellcheck disable=SC2086
		ip netns exec "$R" "$BIN" $SHIPPED >"$TMP/d.log" 2>&1 &
		pid=$!
		ready='relaying NS' ;;
	learn|queue)
		local extra=()
		[ "$mode" = queue ] && extra=(--queue)
		ip netns exec "$R" "$BIN" -m m0 -s $SLAVES --learn-routes "${extra[@]}" >"$TMP/d.log" 2>&1 &
		pid=$!
		ready='relaying NS' ;;
	odhcpd)
		ip netns exec "$R" "$TOOLS/odhcpd" -l -m m0 -s $SLAVES 2>"$TMP/d.log" &
		pid=$!
		ready='listening on' ;;
	seed)
		# `ping -I SLAVE X` needs a route for X on the slave: on-link,
		# worse than the master's (one metric each: the same one would make one multipath route).
		for k in $(seq "$NSLAVES"); do in_r ip -6 route add 2001:db8:1::/64 dev "s$k" metric $((2000 + k)); done
		ip netns exec "$R" "$TOOLS/seed" -m m0 -s $SLAVES 2>"$TMP/d.log" &
		pid=$!
		ready='listening on' ;;
	esac
	PIDS+=("$pid")
	wait_for 5 grep -q "$ready" "$TMP/d.log" || { say "$mode: did not start"; cat "$TMP/d.log" >&2; exit 1; }
	# --queue holds only what is on the masters' links: once onlink_135 says so.
	if [ "$mode" = shipped ]; then
		wait_for 5 eval 'in_r nft list set inet ns_monitor onlink_135 | grep -q 2001:db8:1::/64' ||
			{ say "shipped: onlink_135 stays empty"; exit 1; }
	fi
	connect_all | sed "s/^/$mode /" >>"$TMP/results"
	kill -TERM "$pid"; wait "$pid" 2>/dev/null
	in_r nft delete table inet ns_monitor 2>/dev/null
	in_r ip -6 route flush proto 135 2>/dev/null
	in_r ip -6 route flush proto static 2>/dev/null
	for k in $(seq "$NSLAVES"); do in_r ip -6 route del 2001:db8:1::/64 dev "s$k" metric $((2000 + k)) 2>/dev/null; done
	say "$mode run $run: $(grep -c "^$mode ok" "$TMP/results") connects succeeded so far"
}

: >"$TMP/results"
for run in $(seq "$RUNS"); do
	# Interleaved, the order flipping every run.
	if [ $((run % 2)) = 1 ]; then modes=$MODES; else modes=$(echo $MODES | tr ' ' '\n' | tac | tr '\n' ' '); fi
	for m in $modes; do run_mode "$m" "$run"; done
done

SHIPPED_LABEL=${SHIPPED//$RULES/ns-monitor.nft}
mkdir -p "$RESULTS"
{
	echo "# First contact: cold connect() to neighbors behind slaves"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs; $RUNS runs per mode, $TARGETS targets at once behind $NSLAVES slaves, one connect each (no retry, 5 s timeout); binary sha256 $(sha256sum "$BIN" | cut -c1-12)."
	echo
	echo "| mode | connects | succeeded | p50 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|"
	for m in $MODES; do
		awk -v m="$m" '$1 == m { n++; if ($2 == "ok") ok++; print $3 }' "$TMP/results" | sort -n >"$TMP/$m.ms"
		n=$(wc -l <"$TMP/$m.ms")
		ok=$(grep -c "^$m ok" "$TMP/results")
		pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p) + 1; printf "%.1f", v[i] }' "$TMP/$m.ms"; }
		case $m in
		shipped) label="ns-monitor as shipped (managed: $SHIPPED_LABEL)" ;;
		learn) label="ns-monitor --learn-routes" ;;
		queue) label="ns-monitor --learn-routes --queue" ;;
		odhcpd) label="odhcpd's method (learn_routes)" ;;
		seed) label="the seed's method" ;;
		esac
		echo "| $label | $n | $ok | $(pct 0.5) | $(pct 0.99) | $(awk 'END { printf "%.1f", $1 }' "$TMP/$m.ms") |"
	done
} >"$RESULTS/first_contact.md"
cat "$RESULTS/first_contact.md"
