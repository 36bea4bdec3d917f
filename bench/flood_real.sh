#!/bin/bash
# A flood of new targets, then a real one: the host sends NS for many
# distinct targets that do not exist (bench/nsgen: a raw ICMPv6 socket out
# of the master, through the output hook like the kernel's own NS, so no
# neighbor entry is made for them), then, DELAY seconds after the flood's
# last NS, it really needs one target that lives behind the last slave: it
# pings it every 10 ms. Measured from the first echo request: when the
# target's route (learned behind its slave) appears, and the first reply.
# Root only; namespaces of its own, deleted on exit (trap); every wait
# bounded.
#
#   bash bench/flood_real.sh [NS_MONITOR]    (make bench)
#
# Cases (BENCH_FR_CASES, default "a b"):
#   a   ns-monitor -m m0 -s 's*' --learn-routes --rate 100, 4 slaves
#       (BENCH_FR_A_SLAVES), a flood of 200,000 distinct targets
#       (BENCH_FR_A_FLOOD)
#   b   default options (--learn-routes alone), 200 slaves
#       (BENCH_FR_B_SLAVES), 20,000 distinct targets (BENCH_FR_B_FLOOD)
# Each case once per delay (BENCH_FR_DELAYS, default "0.5 2.5" s), with a
# fresh daemon, BENCH_FR_RUNS times (default 1); BENCH_FR_EXTRA adds
# arguments to the daemon (--queue, say). The flood is as fast as nsgen
# goes; the rule's own limit (1000/s, burst 1000) lets a part of it
# through to the daemon, as it would on a real host.
#
# Neighbor table: the kernel's is shared by every namespace of the machine.
# The flood targets get none (nsgen sends the NS itself; they all share one
# solicited-node group, one multicast entry), the daemon's asks are NS of
# its own (none either): the entries are the real target's. MLD reports
# are dropped in the namespaces' output hook, or each of the 400 interfaces
# of the 200-slave case would hold a multicast entry (ff02::16). Printed:
# the host-wide count (/proc/net/stat/ndisc_cache) before, at its peak
# (sampled every 50 ms) and after, and what the two namespaces hold at
# the end. The daemon runs until 4 s after the flood; its counters at exit
# (--stats-file): resolutions_total, targets_expired_total (left unasked),
# engine_asks_total. Writes bench/results/flood_real.md
# (BENCH_RESULTS).
#
#   U(u0) ---- m0 [R] s1..sN ---- g1..gN [G]   real target on gN
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/ns-monitor}")
RESULTS=${BENCH_RESULTS:-$here/results}
CASES=${BENCH_FR_CASES:-"a b"}
DELAYS=${BENCH_FR_DELAYS:-"0.5 2.5"}
RUNS=${BENCH_FR_RUNS:-1}
EXTRA=${BENCH_FR_EXTRA:-}
A_SLAVES=${BENCH_FR_A_SLAVES:-4}
A_FLOOD=${BENCH_FR_A_FLOOD:-200000}
B_SLAVES=${BENCH_FR_B_SLAVES:-200}
B_FLOOD=${BENCH_FR_B_FLOOD:-20000}
REAL=2001:db8:1::5:1
[ "$(id -u)" -eq 0 ] || { echo "bench/flood_real.sh: needs root" >&2; exit 1; }
for c in python3 nft ip cc pkg-config; do
	command -v "$c" >/dev/null || { echo "bench/flood_real.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/flood_real.sh: $BIN: no binary (make)" >&2; exit 1; }
for n in $A_SLAVES $B_SLAVES $A_FLOOD $B_FLOOD $RUNS; do
	case $n in '' | *[!0-9]*) echo "bench/flood_real.sh: not a number: $n" >&2; exit 2 ;; esac
done
# Bounds: nsgen refuses more than 10,000,000; 250 slaves at most here.
[ "$A_SLAVES" -ge 1 ] && [ "$A_SLAVES" -le 250 ] && [ "$B_SLAVES" -ge 1 ] &&
	[ "$B_SLAVES" -le 250 ] && [ "$RUNS" -le 5 ] ||
	{ echo "bench/flood_real.sh: 1-250 slaves, at most 5 runs" >&2; exit 2; }

P=nsfr$$
R=$P-r U=$P-u G=$P-g
NSS=("$R" "$U" "$G")
TMP=$(mktemp -d /tmp/ns-fr.XXXXXX)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
in_g() { ip netns exec "$G" "$@"; }

TOOLS=$TMP/tools
mkdir -p "$TOOLS"
cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -I"$here" \
	$(pkg-config --cflags libmnl) "$here/nsgen.c" -o "$TOOLS/nsgen" $(pkg-config --libs libmnl) ||
	{ say "building bench/nsgen.c failed"; exit 1; }

# Host-wide IPv6 neighbor entries (every namespace).
neigh_host() { echo $((16#$(awk 'NR == 2 { print $1 }' /proc/net/stat/ndisc_cache))); }
# NAMESPACE: "ALL/NOARP", every entry and those for multicast groups
# (NOARP: one per interface and group it sent to, MLD reports included).
neigh_ns() { ip -n "$1" -6 neigh show nud all 2>/dev/null | awk '{ n++ } /NOARP/ { m++ } END { printf "%d/%d", n, m }'; }

topo_destroy() {
	local n
	for n in "${NSS[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
}

# topo_build SLAVES
topo_build() {
	local s=$1 n k
	topo_destroy
	for n in "${NSS[@]}"; do
		ip netns add "$n" || exit 1
		ip -n "$n" link set lo up
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0
		# Every interface's MLD report would leave a multicast
		# neighbor entry (ff02::16), 400 with 200 slaves, in the
		# machine's one table: dropped before the neighbor lookup.
		ip netns exec "$n" nft add table inet frbench &&
			ip netns exec "$n" nft add chain inet frbench out \
				'{ type filter hook output priority 0; policy accept; }' &&
			ip netns exec "$n" nft add rule inet frbench out \
				icmpv6 type '{ mld-listener-report, mld2-listener-report }' drop || exit 1
	done
	ip -n "$R" link add m0 type veth peer name u0 netns "$U"
	for k in $(seq "$s"); do
		echo "link add s$k type veth peer name g$k netns $G"
	done | ip -n "$R" -batch - || exit 1
	{
		echo "link set m0 up"
		echo "addr add 2001:db8:1::1/64 dev m0 nodad"
		for k in $(seq "$s"); do
			echo "link set s$k up"
			echo "addr add fe80::1:$k/64 dev s$k nodad"
		done
	} | ip -n "$R" -batch - || exit 1
	for k in $(seq "$s"); do echo "link set g$k up"; done | ip -n "$G" -batch - || exit 1
	ip -n "$U" link set u0 up
	ip -n "$U" -6 addr add 2001:db8:1::2/64 dev u0 nodad
	ip -n "$G" -6 addr add $REAL/128 dev "g$s" nodad
	ip -n "$G" -6 route add default via "fe80::1:$s" dev "g$s"
}

# One run: fresh daemon, the flood, the real target after DELAY. The
# probe (Python, in R) floods through nsgen itself, so that the delay is
# counted from the flood's last NS on one clock; it follows the route
# table on rtnetlink and pings every 10 ms, 5 s at most.
probe() {
	in_r python3 - "$@" <<'PY'
import json, os, select, socket, struct, subprocess, sys, time
nsgen, flood, first, delay, real = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
want = socket.inet_pton(socket.AF_INET6, real)
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
nl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
nl.bind((0, 0x400))			# RTMGRP_IPV6_ROUTE
def route_added(buf):
    off = 0
    while off + 16 <= len(buf):
        ln, ty = struct.unpack_from("=IH", buf, off)
        if ln < 16:
            break
        if ty == 24 and ln >= 28:	# RTM_NEWROUTE
            dst_len = buf[off + 17]
            a = off + 28
            while a + 4 <= off + ln:
                alen, atype = struct.unpack_from("=HH", buf, a)
                if alen < 4:
                    break
                if atype == 1 and dst_len == 128 and buf[a + 4:a + 20] == want:
                    return True
                a += (alen + 3) & ~3
        off += (ln + 3) & ~3
    return False
g = subprocess.run([nsgen, "-i", "m0", "-S", "2001:db8:1::1", "-r", "0", "-n", flood,
                    "-o", first, "-t", "20"], capture_output=True, text=True)
t_end = time.monotonic()
gen = json.loads(g.stdout) if g.returncode == 0 and g.stdout else None
lim = subprocess.run(["nft", "list", "chain", "inet", "ns_monitor", "output_135"],
                     capture_output=True, text=True).stdout
passed = None
for w in lim.split("\n"):
    if "log group" in w and "counter packets" in w:
        passed = int(w.split("counter packets")[1].split()[0])
ic = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
ident = os.getpid() & 0xffff
time.sleep(max(0.0, t_end + delay - time.monotonic()))
t0 = time.monotonic()
route = reply = None
seq = 0
next_send = t0
while time.monotonic() < t0 + 5 and (route is None or reply is None):
    now = time.monotonic()
    if now >= next_send and reply is None:
        seq += 1
        ic.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"flood_real", (real, 0))
        next_send += 0.01
    r, _, _ = select.select([nl, ic], [], [], max(0.0, min(next_send, t0 + 5) - time.monotonic()))
    for s in r:
        b = s.recv(65536)
        t = time.monotonic()
        if s is nl and route is None and route_added(b):
            route = t
        if s is ic and reply is None and len(b) >= 8 and b[0] == 129 and struct.unpack_from("!H", b, 4)[0] == ident:
            reply = t
ms = lambda t: None if t is None else round((t - t0) * 1000, 1)
print(json.dumps({"gen": gen, "passed": passed, "route_ms": ms(route), "reply_ms": ms(reply),
                  "pings": seq, "after_flood_s": round(t0 - t_end, 3)}))
PY
}

stat_of() { awk -v k="ns_monitor_$1" '$1 == k { print $2 }' "$TMP/stats"; }

: >"$TMP/rows"
offset=0
for c in $CASES; do
	case $c in
	a) s=$A_SLAVES flood=$A_FLOOD args=(--rate 100) label="--rate 100" ;;
	b) s=$B_SLAVES flood=$B_FLOOD args=() label="defaults" ;;
	*) say "unknown case $c"; exit 2 ;;
	esac
	say "case $c: $s slaves, building"
	topo_build "$s"
	for _ in $(seq "$RUNS"); do
	for d in $DELAYS; do
		in_r ip -6 neigh flush all
		in_g ip -6 neigh flush all
		h0=$(neigh_host)
		rm -f "$TMP/stats"
		# $EXTRA: words on purpose.
		# shellcheck disable=SC2086
		ip netns exec "$R" "$BIN" -m m0 -s 's*' --learn-routes "${args[@]}" $EXTRA \
			--stats-file "$TMP/stats" --stats-interval 3600 >"$TMP/d.log" 2>&1 &
		pid=$!
		PIDS+=("$pid")
		wait_for 10 grep -q 'relaying NS' "$TMP/d.log" || { say "daemon did not start"; cat "$TMP/d.log" >&2; exit 1; }
		# The peak of the host-wide table while the run lasts (bounded).
		( for _ in $(seq 400); do neigh_host; sleep 0.05; done ) >"$TMP/peak" 2>/dev/null &
		sampler=$!
		PIDS+=("$sampler")
		say "case $c: flood of $flood, real target $d s after it"
		out=$(probe "$TOOLS/nsgen" "$flood" "$offset" "$d" "$REAL")
		offset=$((offset + flood))
		kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
		nr=$(neigh_ns "$R") ng=$(neigh_ns "$G")
		# The daemon runs on until 4 s after the flood, past the kernel's
		# window (3 s): the flood's targets it did not ask by then leave
		# as expired (targets_expired_total).
		sleep "$(awk -v d="$d" 'BEGIN { x = 4 - d - 0.1; print (x > 0 ? x : 0) }')"
		kill -TERM "$pid"
		wait_for 5 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		peak=$(sort -n "$TMP/peak" | tail -1)
		echo "$c $s $d $label|$out|$(stat_of targets_expired_total) $(stat_of resolutions_total) $(stat_of engine_asks_total) $(stat_of learned_total)|$h0 ${peak:-0} $(neigh_host) $nr $ng" >>"$TMP/rows"
		say "case $c delay $d: $out; neighbors host $h0 -> peak ${peak:-?}, R $nr, G $ng"
		in_r ip -6 route flush proto 135 2>/dev/null
	done
	done
done
topo_destroy
sleep 0.2
h_end=$(neigh_host)

mkdir -p "$RESULTS"
{
	echo "# A flood of new targets, then a real one"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs; binary sha256 $(sha256sum "$BIN" | cut -c1-12)."
	echo "The host (R) sends NS for distinct targets that do not exist, as fast as"
	echo "bench/nsgen goes, out of its master; the rule's limit (1000/s, burst 1000)"
	echo "lets some through. DELAY after the flood's last NS it pings a real target"
	echo "behind the last slave every 10 ms: times from the first echo request."
	echo "ns-monitor -m m0 -s 's*' --learn-routes${EXTRA:+ $EXTRA}, plus the case's options."
	echo
	echo "| case | slaves | flood NS sent | logged (limit) | delay | route after | first reply after | within 1 s | resolutions_total | targets_expired_total | asks | neighbor entries: host before / peak / after; R, G at the end (all/multicast) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"
	while IFS='|' read -r head out st nb; do
		read -r c s d label <<<"$head"
		read -r exp res asks _ <<<"$st"
		read -r h0 pk h1 nr ng <<<"$nb"
		python3 - "$out" "$c" "$label" "$s" "$d" "${exp:-?}" "${res:-?}" "${asks:-?}" "$h0" "$pk" "$h1" "$nr" "$ng" <<'PY'
import json, sys
o = json.loads(sys.argv[1]) if sys.argv[1].startswith("{") else {}
c, label, s, d, exp, res, asks, h0, pk, h1, nr, ng = sys.argv[2:]
g = o.get("gen") or {}
f = lambda v: "none within 5 s" if v is None else "%.1f ms" % v
r = o.get("route_ms")
ok = "yes" if r is not None and r <= 1000 else "no"
print("| %s (%s) | %s | %s | %s | %s s | %s | %s | %s | %s | %s | %s | %s / %s / %s; %s, %s |" % (
    c, label, s, format(g.get("sent", 0), ","), o.get("passed"), d, f(r), f(o.get("reply_ms")),
    ok, res, exp, asks, h0, pk, h1, nr, ng))
PY
	done <"$TMP/rows"
	echo
	echo "Host-wide IPv6 neighbor entries once the namespaces are gone: $h_end."
} >"$RESULTS/flood_real.md"
cat "$RESULTS/flood_real.md"
