#!/bin/bash
# Guests with the whole /64 on-link: the time from a guest's first Neighbor
# Solicitation to its first answered packet, ns-monitor --proxy-ndp against
# ndppd (iface rules on the slaves and the master; as shipped, and with
# ttl 0, see below), side by side in one run. Root only; namespaces of its
# own, deleted on exit (trap); every wait bounded.
#
#   bash bench/guest_ns.sh [NS_MONITOR]    (make bench)
#
# Each trial is a fresh guest: a new address in Z (2001:db8:1::/64
# on-link, default via R's link-local on s1), Z's neighbor entries
# flushed, then one ping from that address (-W 4: past the guest's own
# three NS, 1 s apart). ping's time runs from the echo request's send,
# which is when the kernel sends the first NS for it, to the reply. Two
# targets:
#   upstream  the upstream router U on the master's link (2001:db8:1::2)
#   guest     Y, a guest behind the other slave s2 (2001:db8:1::2:1/64
#             on-link), known to each tool before the trials (its warm-up)
# Each answer needs the way back too: U's, or Y's, NS for the new address,
# and the host's route to it. ns-monitor learns the route from the guest's
# NS; ndppd 0.2 does not learn routes, so its host has static ones
# (2001:db8:1::1:0/112 dev s1, 2001:db8:1::2:0/112 dev s2), as an ndppd
# set-up needs. ns-monitor-bound is ns-monitor told the same by bindings
# (--bind s1=2001:db8:1::1:0/112 --bind s2=2001:db8:1::2:0/112): a bound
# guest's answer is taken at once, without the masters' 50 ms window that
# an unbound claim waits for (README, Trust).
# BENCH_GNS_GUESTS fresh guests per target and tool (default 50), in
# BENCH_GNS_RUNS interleaved runs (default 2, the order flipping), of the
# tools in BENCH_GNS_TOOLS (default "ns-monitor ns-monitor-bound ndppd
# ndppd-ttl0"). With
# tcpdump, R's interfaces are captured too, for where the time goes: the
# answer (the guest's NS to the NA it gets on its slave) and the way back
# (the target's NS for the new address to the NA it gets), medians in µs,
# and the way back hop by hop (the asks on the slaves, the guest's NA).
# Writes bench/results/guest_ns.md. BENCH_GNS_KEEP=DIR keeps the captures
# there, and with a trace build (make TRACE=1) the daemon's timestamps:
# bench/timeline.py merges the two into one trial packet by packet.
#
#   U(u0) ---- m0 [R] s1 ---- z0 [Z]  fresh guests 2001:db8:1::1:N/64
#   ::2/64   ::1/64   s2 ---- y0 [Y]  2001:db8:1::2:1/64
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/build/default/ns-monitor}")
RESULTS=${BENCH_RESULTS:-$here/results}
GUESTS=${BENCH_GNS_GUESTS:-50}
RUNS=${BENCH_GNS_RUNS:-2}
KEEP=${BENCH_GNS_KEEP:-}
[ -z "$KEEP" ] || mkdir -p "$KEEP" || exit 1
[ "$(id -u)" -eq 0 ] || { echo "bench/guest_ns.sh: needs root" >&2; exit 1; }
for c in ndppd nft ip ping; do
	command -v "$c" >/dev/null || { echo "bench/guest_ns.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/guest_ns.sh: $BIN: no binary (make)" >&2; exit 1; }

P=nsg$$
R=$P-r U=$P-u Z=$P-z Y=$P-y
TMP=$(mktemp -d /tmp/ns-gns.XXXXXX)
NSS=("$R" "$U" "$Z" "$Y")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
in_u() { ip netns exec "$U" "$@"; }
in_z() { ip netns exec "$Z" "$@"; }
in_y() { ip netns exec "$Y" "$@"; }

UPSTREAM=2001:db8:1::2
YADDR=2001:db8:1::2:1
for n in "${NSS[@]}"; do
	ip netns add "$n" || exit 1
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
in_r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
ip -n "$R" link add s1 type veth peer name z0 netns "$Z"
ip -n "$R" link add s2 type veth peer name y0 netns "$Y"
for l in m0 s1 s2; do ip -n "$R" link set "$l" up; done
ip -n "$U" link set u0 up
ip -n "$Z" link set z0 up
ip -n "$Y" link set y0 up
ip -n "$R" -6 addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$R" -6 addr add fe80::1:1/64 dev s1 nodad
ip -n "$R" -6 addr add fe80::1:2/64 dev s2 nodad
ip -n "$U" -6 addr add $UPSTREAM/64 dev u0 nodad
ip -n "$Y" -6 addr add $YADDR/64 dev y0 nodad
ip -n "$Z" -6 route add default via fe80::1:1 dev z0
ip -n "$Y" -6 route add default via fe80::1:2 dev y0

cat >"$TMP/ndppd.conf" <<'EOF'
proxy s1 {
	rule 2001:db8:1::/64 {
		iface m0
	}
	rule 2001:db8:1::/64 {
		iface s2
	}
}
proxy s2 {
	rule 2001:db8:1::/64 {
		iface m0
	}
	rule 2001:db8:1::/64 {
		iface s1
	}
}
proxy m0 {
	rule 2001:db8:1::/64 {
		iface s1
	}
	rule 2001:db8:1::/64 {
		iface s2
	}
}
EOF
# The same with ttl 0: no session kept. ndppd answers an NS for a target
# it has a session for (valid for ttl, 30 s by default) to the session's
# first asker (proxy::handle_solicit, session::send_advert), so a second
# guest asking for the same target within the ttl gets no answer.
sed 's/^proxy \(.*\) {$/proxy \1 {\n\tttl 0/' "$TMP/ndppd.conf" >"$TMP/ndppd-ttl0.conf"

# ping_time NS SRC DST: "ok MS" or "fail MS".
ping_time() {
	local out t
	out=$(ip netns exec "$1" ping -6 -n -c1 -W4 -I "$2" "$3" 2>&1)
	t=$(sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' <<<"$out")
	if [ -n "$t" ]; then echo "ok $t"; else echo "fail 4000"; fi
}

# trial TOOL TARGET N: fresh guest N (hex) pings TARGET's address.
trial() {
	local tool=$1 what=$2 a=2001:db8:1::1:$3 dst
	case $what in upstream) dst=$UPSTREAM ;; guest) dst=$YADDR ;; esac
	in_z ip -6 addr add "$a/64" dev z0 nodad
	in_z ip -6 neigh flush dev z0
	echo "$tool $what $(ping_time "$Z" "$a" "$dst")" >>"$TMP/results"
	in_z ip -6 addr del "$a/64" dev z0
	# No entries left behind for it (the neighbor tables are shared).
	in_u ip -6 neigh flush to "$a"
	in_y ip -6 neigh flush to "$a"
}

NEXT=1	# the next fresh guest's number
run_tool() {
	local tool=$1 run=$2 n=$3 pid
	in_r ip -6 neigh flush all
	case $tool in
	ns-monitor)
		NS_MONITOR_TRACE=${KEEP:+$KEEP/ns-monitor.$run.trace} \
			ip netns exec "$R" "$BIN" -m m0 -s s1,s2 --proxy-ndp >"$TMP/d.log" 2>&1 &
		pid=$! ;;
	ns-monitor-bound)
		ip netns exec "$R" "$BIN" -m m0 -s s1,s2 --proxy-ndp \
			--bind s1=2001:db8:1::1:0/112 --bind s2=2001:db8:1::2:0/112 \
			>"$TMP/d.log" 2>&1 &
		pid=$! ;;
	ndppd|ndppd-ttl0)
		in_r ip -6 route add 2001:db8:1::1:0/112 dev s1
		in_r ip -6 route add 2001:db8:1::2:0/112 dev s2
		ip netns exec "$R" ndppd -c "$TMP/$tool.conf" >"$TMP/d.log" 2>&1 &
		pid=$! ;;
	esac
	PIDS+=("$pid")
	# Warm-up: Y reaches the upstream (the tool works, and knows Y).
	wait_for 10 ip netns exec "$Y" ping -6 -c1 -W1 "$UPSTREAM" >/dev/null ||
		{ say "$tool: Y does not reach the upstream"; cat "$TMP/d.log" >&2; exit 1; }
	local cap=
	if command -v tcpdump >/dev/null; then
		ip netns exec "$R" tcpdump -i any -nn -tt -l icmp6 >"$TMP/$tool.$run.cap" 2>/dev/null &
		cap=$!
		PIDS+=("$cap")
		wait_for 5 eval "ip netns exec $R ping -6 -c1 -W1 ::1 >/dev/null && grep -q 'echo reply' $TMP/$tool.$run.cap"
	fi
	for _ in $(seq "$n"); do
		trial "$tool" upstream "$(printf %x "$NEXT")"
		NEXT=$((NEXT + 1))
		trial "$tool" guest "$(printf %x "$NEXT")"
		NEXT=$((NEXT + 1))
	done
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	[ -n "$cap" ] && { kill -INT "$cap"; wait "$cap" 2>/dev/null; }
	in_r nft delete table inet ns_monitor 2>/dev/null
	in_r ip -6 route flush proto 135 2>/dev/null
	in_r ip -6 route del 2001:db8:1::1:0/112 dev s1 2>/dev/null
	in_r ip -6 route del 2001:db8:1::2:0/112 dev s2 2>/dev/null
	in_r ip -6 neigh flush proxy 2>/dev/null
	in_r ip -6 neigh flush all
	say "$tool run $run: $(grep -c "^$tool [a-z]* ok" "$TMP/results") pings answered so far"
}

TOOLS=${BENCH_GNS_TOOLS:-"ns-monitor ns-monitor-bound ndppd ndppd-ttl0"}
: >"$TMP/results"
per_run=$(((GUESTS + RUNS - 1) / RUNS))
for run in $(seq "$RUNS"); do
	if [ $((run % 2)) = 1 ]; then order=$TOOLS; else order=$(echo $TOOLS | tr ' ' '\n' | tac | tr '\n' ' '); fi
	for tool in $order; do run_tool "$tool" "$run" "$per_run"; done
done

mkdir -p "$RESULTS"
# legs TOOL: "ANSWER_US BACK_US" for the upstream and then the guest
# (medians over the trials the capture saw whole; "- -" without one).
legs() {
	cat "$TMP/$1".*.cap 2>/dev/null | python3 -c '
import re, statistics, sys
ns, na = {}, {}
for l in sys.stdin:
    m = re.match(r"(\d+\.\d+) (\S+) +\S+ +IP6 (\S+) > (\S+): ICMP6, neighbor (solicitation, who has|advertisement, tgt is) ([0-9a-f:]+)", l)
    if not m:
        continue
    t, dev, src, dst, kind, tgt = m.groups()
    d = ns if kind.startswith("sol") else na
    d.setdefault((dev, src if d is ns else dst, tgt), float(t))
up, y, z = "2001:db8:1::2", "2001:db8:1::2:1", "2001:db8:1::1:"
out = []
for target, back_dev in ((up, "m0"), (y, "s2")):
    ans, back = [], []
    for (dev, src, tgt), t in ns.items():
        if dev == "s1" and src.startswith(z) and tgt == target and (dev, src, tgt) in na:
            ans.append(na[(dev, src, tgt)] - t)
            k = (back_dev, target, src)
            if k in ns and k in na:
                back.append(na[k] - ns[k])
    out += ["%.0f" % (statistics.median(v) * 1e6) if v else "-" for v in (ans, back)]
print(" ".join(out))
'
}

# hops TOOL: the way back hop by hop, one line per target: the target's NS
# to the first ask on a slave, to the ask on s1 (where the guest is), that
# ask to the guest's NA, the guest's NA to the target's NA, and then the
# target's echo reply through R (in on its link to out on s1: a host
# without a neighbor entry for the guest resolves it first) (medians, µs,
# over the trials the capture saw whole; "-" without one).
hops() {
	cat "$TMP/$1".*.cap 2>/dev/null | python3 -c '
import re, statistics, sys
ev = []
for l in sys.stdin:
    m = re.match(r"(\d+\.\d+) (\S+) +(\S+) +IP6 (\S+) > (\S+): ICMP6, neighbor (solicitation, who has|advertisement, tgt is) ([0-9a-f:]+)", l)
    if m:
        t, dev, way, src, dst, kind, tgt = m.groups()
        ev.append((float(t), dev, way, src, dst, kind[0], tgt))
        continue
    m = re.match(r"(\d+\.\d+) (\S+) +(\S+) +IP6 (\S+) > (\S+): ICMP6, echo reply", l)
    if m:
        t, dev, way, src, dst = m.groups()
        ev.append((float(t), dev, way, src, dst, "r", ""))
ev.sort()
z = "2001:db8:1::1:"
for target, back_dev in (("2001:db8:1::2", "m0"), ("2001:db8:1::2:1", "s2")):
    h = [[], [], [], [], []]
    for g in {e[6] for e in ev if e[5] == "s" and e[3] == target and e[6].startswith(z)}:
        try:
            ns = min(e[0] for e in ev if e[1] == back_dev and e[5] == "s" and e[3] == target and e[6] == g)
            asks = [e for e in ev if e[0] > ns and e[2] == "Out" and e[5] == "s" and e[6] == g and e[1] in ("s1", "s2") and e[3].startswith("fe80::1:")]
            first = min(e[0] for e in asks)
            ask = min(e[0] for e in asks if e[1] == "s1")
            gna = min(e[0] for e in ev if e[0] > ask and e[1] == "s1" and e[5] == "a" and e[3] == g and e[6] == g)
            na = min(e[0] for e in ev if e[0] > gna and e[1] == back_dev and e[2] == "Out" and e[5] == "a" and e[4] == target and e[6] == g)
            rin = min(e[0] for e in ev if e[0] > na and e[1] == back_dev and e[2] == "In" and e[5] == "r" and e[3] == target and e[4] == g)
            rout = min(e[0] for e in ev if e[0] >= rin and e[1] == "s1" and e[2] == "Out" and e[5] == "r" and e[4] == g)
        except ValueError:
            continue
        for k, v in enumerate((first - ns, ask - ns, gna - ask, na - gna, rout - rin)):
            h[k].append(v)
    print(" ".join("%.0f" % (statistics.median(v) * 1e6) if v else "-" for v in h))
'
}

# label TARGET: how the tables name it.
label() {
	case $1 in
	upstream) echo "the upstream router" ;;
	guest) echo "a guest behind another slave" ;;
	esac
}

pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p) + 1; printf "%.3f", v[i] }' "$2"; }
{
	echo "# Guests with the /64 on-link: first NS to first answered packet"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs; $((per_run * RUNS)) fresh guests per target and tool in $RUNS interleaved runs, one ping each (-W 4); ndppd $(dpkg-query -W -f='${Version}' ndppd 2>/dev/null || echo "(version unknown)"); binary sha256 $(sha256sum "$BIN" | cut -c1-12)."
	echo
	echo "| target | tool | guests | answered | p50 ms | p99 ms | max ms | answer µs | way back µs |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for tool in $TOOLS; do legs "$tool" >"$TMP/$tool.legs"; done
	for what in upstream guest; do
		for tool in $TOOLS; do
			awk -v t="$tool" -v w="$what" '$1 == t && $2 == w { print $4 }' "$TMP/results" | sort -n >"$TMP/ms"
			n=$(wc -l <"$TMP/ms")
			ok=$(grep -c "^$tool $what ok" "$TMP/results")
			case $tool in
			ns-monitor) tl="ns-monitor --proxy-ndp" ;;
			ns-monitor-bound) tl="ns-monitor --proxy-ndp, guests bound" ;;
			ndppd) tl="ndppd (iface rules)" ;;
			ndppd-ttl0) tl="ndppd (iface rules, ttl 0)" ;;
			esac
			read -r a1 b1 a2 b2 <"$TMP/$tool.legs"
			case $what in upstream) a=${a1:--} b=${b1:--} ;; guest) a=${a2:--} b=${b2:--} ;; esac
			echo "| $(label "$what") | $tl | $n | $ok | $(pct 0.5 "$TMP/ms") | $(pct 0.99 "$TMP/ms") | $(awk 'END { printf "%.3f", $1 }' "$TMP/ms") | $a | $b |"
		done
	done
	echo
	echo "A guest whose ping got no reply within 4 s counts as 4,000 ms (none of its three NS was answered in time)."
	echo
	echo "The way back hop by hop (medians, µs, from the capture): the target's NS on R to the first ask leaving on a slave, to the ask leaving on s1 (where the guest is), that ask to the guest's NA, the guest's NA to the target's NA, and the target's echo reply through R (in on its link, out on s1: a host with no neighbor entry for the guest resolves it first)."
	echo
	echo "| target | tool | NS to first ask | NS to ask on s1 | ask to guest's NA | guest's NA to NA | reply through R |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for tool in $TOOLS; do hops "$tool" >"$TMP/$tool.hops"; done
	for what in upstream guest; do
		for tool in $TOOLS; do
			case $what in upstream) line=1 ;; guest) line=2 ;; esac
			read -r h1 h2 h3 h4 h5 < <(sed -n "${line}p" "$TMP/$tool.hops")
			echo "| $(label "$what") | $tool | ${h1:--} | ${h2:--} | ${h3:--} | ${h4:--} | ${h5:--} |"
		done
	done
} >"$RESULTS/guest_ns.md"
cat "$RESULTS/guest_ns.md"
if [ -n "$KEEP" ]; then
	cp "$TMP"/*.cap "$KEEP"/ 2>/dev/null
	say "captures kept in $KEEP"
fi
