#!/bin/bash
# First contact with the shipped defaults, behind many slaves, for three
# kinds of guest. ns-monitor runs as the service does: managed mode, the
# shipped rules file (nft/ns-monitor.nft) loaded beforehand, masters_135
# { "m0" } and slaves_135 { "s*" }, and the arguments of the shipped
# dist/ns-monitor.default (read from it; its --rules path is this tree's
# file). The host makes one TCP connect() to each guest, one attempt
# (5 s), GAP ms apart:
#   silent  guests whose address was there, silent, before the daemon
#           started (no DAD, no packet)
#   static  addresses added while the daemon runs, without DAD (nodad, as
#           a static configuration may), silent: the host connects as soon
#           as the guest's kernel has them in use (even with nodad an
#           address is tentative until the kernel's address work runs,
#           and an NS for a tentative address is dropped: on a loaded
#           machine that took tens of milliseconds)
#   new     addresses added with DAD (accept_dad=1 on the guest's side);
#           each guest is connected to 0.1 s after its DAD ends (the
#           address loses its tentative flag, seen on rtnetlink)
# One guest of each kind behind each slave, per run; fresh addresses and a
# fresh daemon per run. Root only; namespaces of its own, deleted on exit
# (trap); every wait bounded.
#
#   bash bench/first_contact_kinds.sh [NS_MONITOR]    (make bench)
#
# Environment: BENCH_FCK_SLAVES (default 40), BENCH_FCK_RUNS (default 3),
# BENCH_FCK_GAP_MS between two connects of a kind (default 25; 0: all at
# once), BENCH_FCK_EXTRA more daemon arguments after the shipped ones
# (--burst 4000, say; said in the report), BENCH_RESULTS (output
# directory): first_contact_kinds.md, with
# connects, succeeded, p50, p99 and max per kind.
#
#   U(u0) ---- m0 [R] s1..sN ---- g1..gN [G]
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/ns-monitor}")
RULES=$top/nft/ns-monitor.nft
DEFAULTS=$top/dist/ns-monitor.default
RESULTS=${BENCH_RESULTS:-$here/results}
NSLAVES=${BENCH_FCK_SLAVES:-40}
RUNS=${BENCH_FCK_RUNS:-3}
GAP_MS=${BENCH_FCK_GAP_MS:-25}
[ "$(id -u)" -eq 0 ] || { echo "bench/first_contact_kinds.sh: needs root" >&2; exit 1; }
for c in python3 nft ip; do
	command -v "$c" >/dev/null || { echo "bench/first_contact_kinds.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/first_contact_kinds.sh: $BIN: no binary (make)" >&2; exit 1; }
for n in "$NSLAVES" "$RUNS" "$GAP_MS"; do
	case $n in '' | *[!0-9]*) echo "bench/first_contact_kinds.sh: not a number: $n" >&2; exit 2 ;; esac
done
if [ "$NSLAVES" -lt 1 ] || [ "$NSLAVES" -gt 250 ] || [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt 10 ] ||
	[ "$GAP_MS" -gt 1000 ]; then
	echo "bench/first_contact_kinds.sh: 1-250 slaves, 1-10 runs, a gap of 1000 ms at most" >&2
	exit 2
fi
# The service's arguments, as shipped.
ARGS=$(sed -n 's/^NS_MONITOR_ARGS="\(.*\)"$/\1/p' "$DEFAULTS")
[ -n "$ARGS" ] || { echo "bench/first_contact_kinds.sh: no NS_MONITOR_ARGS in $DEFAULTS" >&2; exit 1; }
ARGS=${ARGS//\/etc\/ns-monitor\/ns-monitor.nft/$RULES}
EXTRA=${BENCH_FCK_EXTRA:-}

P=nsfk$$
R=$P-r U=$P-u G=$P-g
NSS=("$R" "$U" "$G")
TMP=$(mktemp -d /tmp/ns-fck.XXXXXX)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
in_g() { ip netns exec "$G" "$@"; }

for n in "${NSS[@]}"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
	# Each interface's MLD report would leave a multicast entry in the
	# machine's one neighbor table: dropped before the neighbor lookup.
	ip netns exec "$n" nft add table inet fkbench &&
		ip netns exec "$n" nft add chain inet fkbench out \
			'{ type filter hook output priority 0; policy accept; }' &&
		ip netns exec "$n" nft add rule inet fkbench out \
			icmpv6 type '{ mld-listener-report, mld2-listener-report }' drop || exit 1
done
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
for k in $(seq "$NSLAVES"); do
	echo "link add s$k type veth peer name g$k netns $G"
done | ip -n "$R" -batch - || exit 1
{
	echo "link set m0 up"
	echo "addr add 2001:db8:1::1/64 dev m0 nodad"
	for k in $(seq "$NSLAVES"); do
		echo "link set s$k up"
		echo "addr add fe80::1:$k/64 dev s$k nodad"
	done
} | ip -n "$R" -batch - || exit 1
for k in $(seq "$NSLAVES"); do echo "link set g$k up"; done | ip -n "$G" -batch - || exit 1
ip -n "$U" link set u0 up
ip -n "$U" -6 addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$G" -6 route add default via fe80::1:1 dev g1

in_g python3 - <<'PY' >"$TMP/listen.out" 2>&1 &
import socket
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

# The shipped rules, and the members the operator would add.
in_r nft -f "$RULES" || { say "the shipped rules did not load"; exit 1; }
in_r nft add element inet ns_monitor masters_135 '{ "m0" }' &&
	in_r nft add element inet ns_monitor slaves_135 '{ "s*" }' || exit 1

# addr KIND RUN K: guest K's address of that kind in that run.
addr() {
	local kind
	case $1 in silent) kind=1 ;; static) kind=2 ;; new) kind=3 ;; esac
	printf '2001:db8:1::%d:%x:%x' "$kind" "$2" "$3"
}

# connect_kind KIND RUN: one connect per guest of the kind, GAP_MS apart;
# for "new", each 0.1 s after its DAD ended, the addresses added here.
connect_kind() {
	local kind=$1 run=$2 k list=()
	for k in $(seq "$NSLAVES"); do list+=("g$k=$(addr "$kind" "$run" "$k")"); done
	in_r python3 - "$kind" "$GAP_MS" "$G" "${list[@]}" <<'PY'
import socket, subprocess, sys, threading, time
kind, gap, G = sys.argv[1], int(sys.argv[2]) / 1000.0, sys.argv[3]
guests = [a.split("=", 1) for a in sys.argv[4:]]
out, lock = [], threading.Lock()
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
        out.append("%s %s %.2f %s" % (kind, r, (time.monotonic() - t) * 1000, a))
    s.close()
th = []
def start(a):
    x = threading.Thread(target=one, args=(a,))
    x.start()
    th.append(x)
if kind == "new":
    # DAD ends when the address loses its tentative flag (RTM_NEWADDR).
    mon = subprocess.Popen(["ip", "-n", G, "-6", "monitor", "address"],
                           stdout=subprocess.PIPE)
    time.sleep(0.2)		# its subscription is in place
    want = {a: dev for dev, a in guests}
    cmds = "".join("addr add %s/128 dev %s\n" % (a, dev) for dev, a in guests)
    subprocess.run(["ip", "-n", G, "-batch", "-"], input=cmds, text=True, check=True)
    timers = []
    deadline = time.monotonic() + 10
    import os, select
    fd, pending, eof = mon.stdout.fileno(), b"", False
    # Unbuffered reads: a buffered reader may hold lines select() no
    # longer sees.
    while want and not eof and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        eof = not chunk
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            w = line.decode().split()
            if "inet6" not in w or "tentative" in w or w[0] == "Deleted":
                continue
            a = w[w.index("inet6") + 1].split("/")[0]
            if a in want:
                del want[a]
                tm = threading.Timer(0.1, start, args=(a,))
                tm.start()
                timers.append(tm)
    mon.terminate()
    for tm in timers:
        tm.join()
    for a in want:
        out.append("%s dad-not-seen 0 %s" % (kind, a))
else:
    for i, (dev, a) in enumerate(guests):
        if i and gap:
            time.sleep(gap)
        start(a)
for x in th:
    x.join()
print("\n".join(out))
PY
}

relaying() { grep -q 'relaying NS' "$TMP/d.log"; }
onlink() { in_r nft list set inet ns_monitor onlink_135 2>/dev/null | grep -q '2001:db8:1::/64'; }

: >"$TMP/results"
for run in $(seq "$RUNS"); do
	in_r ip -6 neigh flush all
	in_g ip -6 neigh flush all
	in_g sysctl -qw net.ipv6.conf.all.accept_dad=0
	for k in $(seq "$NSLAVES"); do
		echo "addr add $(addr silent "$run" "$k")/128 dev g$k nodad"
	done | ip -n "$G" -batch - || exit 1
	# $ARGS: the shipped words, split as the unit's ExecStart splits them.
	# shellcheck disable=SC2086
	ip netns exec "$R" "$BIN" $ARGS $EXTRA >"$TMP/d.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_for 10 relaying && wait_for 5 onlink || { say "daemon did not start"; cat "$TMP/d.log" >&2; exit 1; }
	connect_kind silent "$run" >>"$TMP/results"
	for k in $(seq "$NSLAVES"); do
		echo "addr add $(addr static "$run" "$k")/128 dev g$k nodad"
	done | ip -n "$G" -batch - || exit 1
	wait_for 5 eval '! ip -n "$G" -6 addr show tentative | grep -q "2001:db8:1::2:"' ||
		{ say "static addresses still tentative after 5 s"; exit 1; }
	connect_kind static "$run" >>"$TMP/results"
	for k in $(seq "$NSLAVES"); do in_g sysctl -qw "net.ipv6.conf.g$k.accept_dad=1"; done
	connect_kind new "$run" >>"$TMP/results"
	for k in $(seq "$NSLAVES"); do in_g sysctl -qw "net.ipv6.conf.g$k.accept_dad=0"; done
	kill -TERM "$pid"
	wait_for 5 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	say "run $run: $(grep -c ' ok ' "$TMP/results") of $(wc -l <"$TMP/results") connects succeeded so far"
done
# NAMESPACE: how many entries, by state (multicast ones are NOARP).
neigh_states() {
	# The state: the last word in capitals ("proto 135" may follow it).
	ip -n "$1" -6 neigh show nud all | awk '{ n++; for (i = NF; i > 0; i--) if ($i ~ /^[A-Z]+$/) break; s[i ? $i : "?"]++ }
		END { printf "%d (", n; sep = ""; for (k in s) { printf "%s%s %d", sep, k, s[k]; sep = ", " } printf ")" }'
}
nr=$(neigh_states "$R") ng=$(neigh_states "$G")

mkdir -p "$RESULTS"
{
	echo "# First contact with the shipped defaults: silent, static and new guests"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs; binary sha256 $(sha256sum "$BIN" | cut -c1-12)."
	echo "Managed mode as the service runs it: nft/ns-monitor.nft loaded, masters_135 { \"m0\" },"
	echo "slaves_135 { \"s*\" }, \`ns-monitor ${ARGS//$RULES/ns-monitor.nft}\` (dist/ns-monitor.default)${EXTRA:+, then $EXTRA}."
	echo "$RUNS runs, one guest of each kind behind each of $NSLAVES slaves per run; one connect"
	echo "each (no retry, 5 s timeout), ${GAP_MS} ms apart (new guests: 0.1 s after their DAD ended)."
	echo
	echo "| guests | connects | succeeded | p50 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|"
	for kind in silent static new; do
		awk -v k="$kind" '$1 == k && ($2 == "ok" || $2 == "fail") { print $3 }' "$TMP/results" | sort -n >"$TMP/$kind.ms"
		n=$(wc -l <"$TMP/$kind.ms")
		ok=$(grep -c "^$kind ok " "$TMP/results")
		pct() { awk -v p="$1" '{ v[NR] = $1 } END { if (NR) { i = int((NR - 1) * p) + 1; printf "%.1f", v[i] } }' "$TMP/$kind.ms"; }
		case $kind in
		silent) label="silent, there before the daemon started" ;;
		static) label="static (nodad), added while it runs" ;;
		new) label="new (DAD), connected 0.1 s after DAD" ;;
		esac
		echo "| $label | $n | $ok | $(pct 0.5) | $(pct 0.99) | $(awk 'END { printf "%.1f", $1 }' "$TMP/$kind.ms") |"
	done
	echo
	nd=$(grep -c ' dad-not-seen ' "$TMP/results")
	[ "$nd" = 0 ] || echo "New guests whose DAD end was not seen within 10 s (not connected): $nd."
	echo "Neighbor entries at the end of the last run, by state: R $nr; G $ng."
} >"$RESULTS/first_contact_kinds.md"
cat "$RESULTS/first_contact_kinds.md"
grep -v ' ok ' "$TMP/results" | head -20 >&2
