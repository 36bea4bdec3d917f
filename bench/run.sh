#!/bin/bash
# ns-monitor benchmarks: reaction latency, ingest and cost, side by side with
# the seed's method, odhcpd's method and ndppd. Root only; everything runs in
# network namespaces this script creates and deletes (trap), nothing on the
# host is touched. Bounded: every loop has a count, every wait a timeout, and
# the whole run a budget (BENCH_BUDGET_S, default 900 s) after which the
# remaining steps are skipped (said on stderr; ingest and cost steps are also
# recorded as skipped in latest.json).
#
#   bash bench/run.sh [./ns-monitor]        (make bench)
#
# make bench runs this first, then, each with its own namespaces and its
# own file in bench/results: bench/scale.sh (scale.md), first_contact.sh
# (first_contact.md), first_contact_kinds.sh (first_contact_kinds.md),
# queue.sh (queue.md), queue_rtt.sh (queue_rtt.md) and flood_real.sh
# (flood_real.md); each one's header says what it measures.
#
# Writes bench/results/latest.md (tables), latest.json (every figure and the
# raw records) and latency.png (latency distributions, gnuplot).
#
# Environment: BENCH_METHODS (default "floor floor-loop floor-ring nsmon seed
# odhcpd ndppd nsmon-proxy"),
# BENCH_ROUNDS (latency rounds per method, default 5), BENCH_IDLE_S (idle
# window, default 10), BENCH_BUDGET_S, BENCH_RESULTS (output directory),
# KEEP_TMP=1 (keep the raw files). About nine minutes with the defaults.
#
# Topologies (namespaces $P-r router, $P-u upstream, $P-x host X, $P-p the
# peers of slaves 2-4):
#
#   A (the host's own NS)   u0 ---- m0 [r] s1 ---- x0 (X: targets 0-100)
#                                        s2..s4 ---- p2..p4
#     r: m0 2001:db8:1::1/64, so the main table routes every target via m0;
#     the load generator runs in r and sends its NS out of m0.
#   B (NS from the upstream) the same links, plus 2001:db8:1:0:aa::/80 dev s1
#     in r (what ndppd's auto rule looks up); the generator runs in u and its
#     NS arrive on m0.
#
# Methods
#   floor        bench/floor.c: ns-monitor's NFLOG intake and the cheapest
#                reaction (the NS itself out of each slave by a packet
#                socket): what the platform costs, not a competitor (A)
#   floor-loop   the floor woken as an event loop is (floor -l: epoll_wait,
#                then recvmmsg), as ns-monitor's loop is: what that
#                structure alone adds to the floor (A)
#   floor-ring   the floor waiting and reading in one io_uring_enter()
#                (floor -u): what one system call fewer per wake-up would
#                give back (A)
#   nsmon        ./ns-monitor -m m0 -s SLAVES (A)
#   seed         bench/seed.c: packet socket + fork `ping -c1 -W1 -I SLAVE X`
#                per slave, waited for (A); each slave gets an on-link route
#                for the prefix (metric 200N) or ping cannot send at all
#   odhcpd       bench/odhcpd.c: packet socket + per slave X/128 route add,
#                echo request, route del (A)
#   ndppd        Debian's ndppd with one `iface sN` rule per slave (B);
#                ndppd-auto: its `auto` rule (B, one slave, 100 NS/s only)
#   nsmon-proxy  ./ns-monitor --proxy-ndp -t 2001:db8:1:0:aa::/80 (B): its
#                prerouting rule relays the upstream's NS, ndppd's work
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
BIN=$(readlink -f "${1:-$top/ns-monitor}")
RESULTS=${BENCH_RESULTS:-$here/results}
METHODS=${BENCH_METHODS:-"floor floor-loop floor-ring nsmon seed odhcpd ndppd nsmon-proxy"}
IDLE_S=${BENCH_IDLE_S:-10}
BUDGET_S=${BENCH_BUDGET_S:-900}
TOOLS=$top/build/bench
ROUNDS=${BENCH_ROUNDS:-5}	# latency runs per method, interleaved in time
POOL=101			# targets 0..POOL-1 exist behind s1 (on X)
N_SLOW=100			# NS per round at 100 NS/s (targets 0..99)
WARM=100			# the warm-up target (exists)
BURSTS=7			# per round at 10,000 NS/s: BURSTS bursts of
BURST=100			# ...BURST NS (neighbor table: BURST x slaves entries)
GAP_MS=40
SRC_R=2001:db8:1::1
SRC_U=2001:db8:1::2
TPFX=2001:db8:1:0:aa::/80

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: needs root (network namespaces)" >&2
	exit 1
fi
if [ ! -x "$BIN" ]; then
	echo "bench/run.sh: $BIN: no ns-monitor binary (make ns-monitor)" >&2
	exit 1
fi
for c in gnuplot ndppd jq ping nft ip cc pkg-config; do
	if ! command -v "$c" >/dev/null; then
		sh "$top/scripts/deps.sh" || exit 1
		break
	fi
done

P=nsb$$
R=$P-r U=$P-u X=$P-x Q=$P-p
TMP=$(mktemp -d /tmp/ns-bench.XXXXXX)
# One binary for the whole run, even if the tree is rebuilt meanwhile.
BIN_ORIG=$BIN
cp "$BIN_ORIG" "$TMP/ns-monitor" && BIN=$TMP/ns-monitor || exit 1
BIN_SHA=$(sha256sum "$BIN" | cut -c1-12)
BIN_DATE=$(date -u -r "$BIN_ORIG" +%Y-%m-%dT%H:%M:%SZ)
JSONL=$TMP/records.jsonl
PIDS=()
T0=$SECONDS

cleanup() {
	local pid n
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for n in "$R" "$U" "$X" "$Q"; do
		if ip netns list | grep -qw "^$n"; then
			ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
			ip netns del "$n" 2>/dev/null
		fi
	done
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[%4ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
left() { echo $((BUDGET_S - (SECONDS - T0))); }

# wait_for SECONDS COMMAND...: poll a condition, bounded.
wait_for() {
	local end=$(($(date +%s%N) + ${1%.*} * 1000000000)) 
	shift
	while ! "$@"; do
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.02
	done
}

# ---------------------------------------------------------------- tools
build_tools() {
	local f="-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -I$top/src/lib -I$top/src/intake -I$top/src/engine -I$top/src/egress -I$top/src/control -I$top/src/cli -I$here"
	local mnl_c mnl_l
	mnl_c=$(pkg-config --cflags libmnl) mnl_l=$(pkg-config --libs libmnl)
	mkdir -p "$TOOLS" &&
	cc $f $mnl_c "$here/nsgen.c" -o "$TOOLS/nsgen" $mnl_l &&
	cc $f "$here/nscap.c" -o "$TOOLS/nscap" &&
	cc $f "$here/seed.c" -o "$TOOLS/seed" &&
	cc $f $(pkg-config --cflags libmnl libnetfilter_log liburing) "$here/floor.c" -o "$TOOLS/floor" \
		$(pkg-config --libs libmnl libnetfilter_log liburing) &&
	cc $f $mnl_c "$here/odhcpd.c" "$here/odhcpd_route.c" "$top/src/egress/echo.c" \
		"$top/src/egress/echo_build.c" "$top/src/egress/rtnl.c" "$top/src/lib/nlsock.c" -o "$TOOLS/odhcpd" $mnl_l
}

# ---------------------------------------------------------------- topology
ns_add() {
	ip netns add "$1" || exit 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
}

in_r() { ip netns exec "$R" "$@"; }

ll_ready() { # NAMESPACE DEV: IPv6 is up on DEV (a usable link-local address)
	ip -n "$1" -6 addr show dev "$2" scope link | grep -q 'inet6 fe80' &&
		! ip -n "$1" -6 addr show dev "$2" | grep -q tentative
}

ip_up() {
	wait_for 5 ll_ready "$1" "$2" || { echo "bench: $1 $2: no link-local address" >&2; exit 1; }
}

target() { # index -> address (bench.h: 2001:db8:1:0:aa:IIII:II00:1)
	printf '2001:db8:1:0:aa:%x:%x:1' $((($1 >> 8) & 0xffff)) $((($1 & 255) << 8))
}

topo_destroy() {
	local n
	for n in "$R" "$U" "$X" "$Q"; do
		if ip netns list | grep -qw "^$n"; then
			ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
			ip netns del "$n"
		fi
	done
}

# topo_build A|B SLAVES
topo_build() {
	local kind=$1 s=$2 i
	topo_destroy
	for n in "$R" "$U" "$X" "$Q"; do ns_add "$n"; done
	ip -n "$R" link add m0 type veth peer name u0 netns "$U"
	ip -n "$R" link add s1 type veth peer name x0 netns "$X"
	for i in $(seq 2 "$s"); do
		ip -n "$R" link add "s$i" type veth peer name "p$i" netns "$Q"
		ip -n "$Q" link set "p$i" up
	done
	ip -n "$R" addr add $SRC_R/64 dev m0 nodad
	ip -n "$R" addr add fe80::1/64 dev s1 nodad
	ip -n "$U" addr add $SRC_U/64 dev u0 nodad
	for i in $(seq 0 $((POOL - 1))); do
		echo "addr add $(target "$i")/128 dev x0 nodad"
	done | ip -n "$X" -batch - || exit 1
	ip -n "$R" link set m0 up
	for i in $(seq 1 "$s"); do ip -n "$R" link set "s$i" up; done
	ip -n "$U" link set u0 up
	ip -n "$X" link set x0 up
	ip -n "$X" -6 route add default via fe80::1 dev x0
	[ "$kind" = B ] && ip -n "$R" -6 route add $TPFX dev s1
	# NS leaving s1 (what ndppd sends; the kernel's own in A).
	in_r nft -f - <<-'EOF'
	table inet nsbench {
		counter ns_s1 {}
		chain out {
			type filter hook output priority 100; policy accept;
			oifname "s1" icmpv6 type nd-neighbor-solicit counter name "ns_s1"
		}
	}
	EOF
	ip_up "$R" m0
	ip_up "$U" u0
	ip_up "$X" x0
	for i in $(seq 1 "$s"); do ip_up "$R" "s$i"; done
	TOPO=$kind$s
	SLAVES=$(seq -s, -f 's%g' 1 "$s")
}

# ---------------------------------------------------------------- methods
MPID= MLOG= METHOD=

# Remove the kernel-side `limit` of ns-monitor's rules (the chain stays, so
# the daemon sees no change): 10,000 NS/s and ingest runs need more than
# its 1000/s. The rule is re-added as listed, counter reset, without limit.
unlimit_rules() {
	local chain rule
	for chain in output_135 input_135; do
		rule=$(in_r nft list chain inet ns_monitor $chain 2>/dev/null | grep 'log group' |
			sed -e 's/^[[:space:]]*//' -e 's/limit rate [^ ]* burst [0-9]* packets //' \
				-e 's/counter packets [0-9]* bytes [0-9]*/counter/')
		[ -n "$rule" ] || continue
		printf 'flush chain inet ns_monitor %s\nadd rule inet ns_monitor %s %s\n' \
			$chain $chain "$rule" | in_r nft -f - || return 1
		in_r nft list chain inet ns_monitor $chain | grep -q 'limit rate' && return 1
	done
	return 0
}

# The floor's intake: the host's own NS on m0 logged to NFLOG group 136.
floor_rules() {
	in_r nft -f - <<-'EOF'
	table inet nsfloor {
		chain out {
			type filter hook output priority -200; policy accept;
			oifname "m0" icmpv6 type nd-neighbor-solicit ip6 saddr != :: ip6 daddr ff02::1:ff00:0/104 counter log group 136 snaplen 128
		}
	}
	EOF
}

# start_method METHOD latency|cost
start_method() {
	local m=$1 purpose=$2 args i
	METHOD=$m
	MLOG=$TMP/$m-$TOPO-$purpose.log
	: >"$MLOG"
	case $m in
	nsmon|nsmon-proxy|nsmon-a|nsmon-b|nsmon-proxy-a|nsmon-proxy-b)
		args=(-m m0 -s "$SLAVES")
		[[ $m == nsmon-proxy* ]] && args+=(-t $TPFX --proxy-ndp)
		# Every NS probed on every slave at 10,000 NS/s: the token bucket
		# must allow it (defaults 100/s, burst 50: the cost runs use them).
		[ "$purpose" = latency ] && args+=(--rate 100000 --burst 100000)
		local bin=$BIN	# *-a, *-b: the two binaries of bench/compare.sh
		[[ $m == *-a ]] && bin=$BIN_A
		[[ $m == *-b ]] && bin=$BIN_B
		ip netns exec "$R" "$bin" "${args[@]}" >"$MLOG" 2>&1 &
		MPID=$!
		wait_for 10 grep -q 'relaying NS' "$MLOG" || { cat "$MLOG" >&2; return 1; }
		unlimit_rules || { say "could not remove the nft limit"; return 1; }
		;;
	seed)
		for i in ${SLAVES//,/ }; do
			in_r ip -6 route add 2001:db8:1::/64 dev "$i" metric $((2000 + ${i#s}))
		done
		ip netns exec "$R" "$TOOLS/seed" -m m0 -s "$SLAVES" 2>"$MLOG" &
		MPID=$!
		wait_for 5 grep -q listening "$MLOG" || return 1
		;;
	floor|floor-loop|floor-ring)
		floor_rules || return 1
		local loop=()
		[ $m = floor-loop ] && loop=(-l)
		[ $m = floor-ring ] && loop=(-u)
		ip netns exec "$R" "$TOOLS/floor" "${loop[@]}" -g 136 -s "$SLAVES" 2>"$MLOG" &
		MPID=$!
		wait_for 5 grep -q listening "$MLOG" || return 1
		;;
	odhcpd)
		ip netns exec "$R" "$TOOLS/odhcpd" -m m0 -s "$SLAVES" 2>"$MLOG" &
		MPID=$!
		wait_for 5 grep -q listening "$MLOG" || return 1
		;;
	ndppd|ndppd-auto)
		{
			echo "route-ttl 30000"
			echo "proxy m0 {"
			echo "    router no"
			echo "    timeout 500"
			echo "    ttl 30000"
			if [ $m = ndppd-auto ]; then
				echo "    rule $TPFX {"
				echo "        auto"
				echo "    }"
			else
				for i in ${SLAVES//,/ }; do
					echo "    rule $TPFX {"
					echo "        iface $i"
					echo "    }"
				done
			fi
			echo "}"
		} >"$TMP/ndppd.conf"
		ip netns exec "$R" ndppd -c "$TMP/ndppd.conf" >"$MLOG" 2>&1 &
		MPID=$!
		# Its packet socket on m0 (allmulti set) is the last step of start-up.
		wait_for 5 eval 'in_r ip link show m0 | grep -q ALLMULTI' || return 1
		sleep 0.2
		;;
	esac
	PIDS+=("$MPID")
	kill -0 "$MPID" 2>/dev/null
}

stop_method() {
	kill -TERM "$MPID" 2>/dev/null
	wait_for 3 eval "! kill -0 $MPID 2>/dev/null" || kill -KILL "$MPID" 2>/dev/null
	wait "$MPID" 2>/dev/null
	[[ $METHOD == floor* ]] && in_r nft delete table inet nsfloor 2>/dev/null
	if [ "$METHOD" = seed ]; then
		local i
		for i in ${SLAVES//,/ }; do
			in_r ip -6 route del 2001:db8:1::/64 dev "$i" 2>/dev/null
		done
	fi
	MPID=
}

# counters: "processed probes_sent probes_failed overruns" of the method.
# ns-monitor and the two comparisons log them on SIGUSR1; ndppd has none:
# what it processed is the NS it sent out of s1 (nft counter).
counters() {
	local before
	case $METHOD in
	ndppd*)
		in_r nft list counter inet nsbench ns_s1 |
			awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1), 0, 0, 0 }'
		return
		;;
	esac
	before=$(wc -l <"$MLOG")
	kill -USR1 "$MPID" 2>/dev/null || { echo "0 0 0 0"; return; }
	wait_for 2 eval "tail -n +$((before + 1)) '$MLOG' | grep -qE 'messages|handled'"
	sleep 0.05
	tail -n +$((before + 1)) "$MLOG" | awk '
		function num(s, key) {
			if (match(s, key " [0-9]+"))
				return substr(s, RSTART + length(key) + 1, RLENGTH - length(key) - 1) + 0
			return -1
		}
		{
			v = num($0, "messages"); if (v >= 0 && !seen_m++) msgs = v
			v = num($0, "handled"); if (v >= 0 && !seen_h++) msgs = v
			v = num($0, "overruns"); if (v >= 0 && !seen_o++) ovr = v
			# ns-monitor: its own NS (asks) and echo requests, per slave.
			v = num($0, "asks sent"); if (v >= 0) sent += v
			v = num($0, "probes sent"); if (v >= 0) { sent += v; f = num($0, "failed"); if (f > 0) failed += f }
			v = num($0, "probes ok"); if (v >= 0) { sent += v; f = num($0, "failed"); if (f > 0) failed += f }
		}
		END { printf "%.0f %.0f %.0f %.0f\n", msgs, sent, failed, ovr }'
}

# CPU of the method in clock ticks, children included (the seed's pings).
cpu_ticks() {
	sed 's/.*) //' "/proc/$MPID/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }'
}
# CPU in ns (the scheduler's sum_exec_runtime, all threads; no children).
cpu_ns() {
	# %.0f: mawk prints numbers past 2^31 as 2.2e+09 otherwise.
	cat /proc/"$MPID"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$MPID/status" 2>/dev/null; }
ctxt() {
	cat /proc/"$MPID"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'
}
linger_s() { case $METHOD in seed) echo 3 ;; *) echo 0.3 ;; esac; }

# gen ARGS...: the load generator, from the router (A) or the upstream (B).
gen() {
	if [ "${TOPO:0:1}" = A ]; then
		in_r "$TOOLS/nsgen" -i m0 -S $SRC_R "$@"
	else
		ip netns exec "$U" "$TOOLS/nsgen" -i u0 -S $SRC_U -N "/run/netns/$R" "$@"
	fi
}

# One NS, and wait (bounded) until the method has processed it; three tries.
warmup() {
	local c0 c i
	c0=$(counters | cut -d' ' -f1)
	for i in 1 2 3; do
		gen -r 0 -n 1 -o $WARM -F 1 >/dev/null
		wait_for 4 eval 'c=$(counters | cut -d" " -f1); [ "$c" -gt "$c0" ]' && return 0
	done
	return 1
}

record() { echo "$1" >>"$JSONL"; }

# ---------------------------------------------------------------- latency
# latency_run METHOD RATE ROUND: one round, a fresh instance of the method.
LAT_KEYS=()
latency_run() {
	local m=$1 rate=$2 round=$3 s=${TOPO:1} tag=$1-$TOPO-$2-$3 genargs g c0 c1 t0 t1 n0 n1 capjson
	if [ "$(left)" -lt 20 ]; then
		say "skipped $tag: out of time"
		return
	fi
	[[ " ${LAT_KEYS[*]} " == *" $m-$TOPO-$rate "* ]] || LAT_KEYS+=("$m-$TOPO-$rate")
	say "latency $m, $s slave(s), $rate NS/s, round $round"
	# A fresh start: the entries an earlier round left would tell a new
	# ns-monitor where those targets live (asked about at its start).
	in_r ip -6 neigh flush all >/dev/null 2>&1
	start_method "$m" latency || { say "$m did not start"; stop_method; return; }
	[ "$m" != ndppd-auto ] && { warmup || say "$m: warm-up NS not processed"; }
	if [ "$rate" -le 1000 ]; then
		genargs=(-r "$rate" -n $N_SLOW -o 0 -F 200)		# targets that exist
	else
		genargs=(-r "$rate" -n $((BURSTS * BURST)) -b $BURST -g $GAP_MS -F 1 -o 100000)
	fi
	ip netns exec "$R" "$TOOLS/nscap" -m m0 -s "$SLAVES" -o "$TMP/cap-$tag.json" \
		-r "$TMP/raw-$tag.txt" -T 120 >"$TMP/cap-$tag.out" 2>&1 &
	local cap=$!
	PIDS+=("$cap")
	wait_for 5 grep -q ready "$TMP/cap-$tag.out" || { say "capture did not start"; kill $cap; stop_method; return; }
	c0=$(counters) t0=$(cpu_ticks) n0=$(cpu_ns)
	g=$(gen "${genargs[@]}")
	sleep "$(linger_s)"
	kill -INT $cap
	wait $cap
	c1=$(counters) t1=$(cpu_ticks) n1=$(cpu_ns)
	stop_method
	capjson=$(cat "$TMP/cap-$tag.json" 2>/dev/null || echo null)
	record "$(jq -cn --arg m "$m" --argjson s "$s" --argjson rate "$rate" \
		--argjson gen "${g:-null}" --argjson cap "$capjson" \
		--arg c0 "$c0" --arg c1 "$c1" --argjson t "$((t1 - t0))" --argjson ns "$((n1 - n0))" \
		--argjson hz "$(getconf CLK_TCK)" '
		($c0 | split(" ") | map(tonumber)) as $a | ($c1 | split(" ") | map(tonumber)) as $b |
		{kind: "latency_round", method: $m, slaves: $s, rate: $rate, round: '"$round"', gen: $gen, cap: $cap,
		 processed: ($b[0] - $a[0]), probes_sent: ($b[1] - $a[1]), probes_failed: ($b[2] - $a[2]),
		 cpu_s: ($t / $hz), cpu_sched_s: ($ns / 1e9),
		 cpu_ms_per_1000: (if $gen.sent > 0 then $ns / 1e6 / $gen.sent * 1000 else null end)}')"
}

# pcts FILE N: "p50 p99 max count" in us over N NS, of which FILE holds the
# sorted latencies (ns) of those that got a reaction; the others count as
# infinitely late (null).
pcts() {
	awk -v n="$2" '{ v[NR] = $1 }
		function at(p,   k) { k = int(p * n + 0.999999); if (k < 1) k = 1
			return (n > 0 && k <= NR) ? sprintf("%.1f", v[k] / 1000) : "null" }
		END { printf "%s %s %s %d\n", at(0.5), at(0.99),
			(n > 0 && NR == n) ? sprintf("%.1f", v[NR] / 1000) : "null", NR }' "$1"
}

# Merge the rounds of each method/topology/rate into one latency record.
latency_merge() {
	local key m topo rate n a b
	for key in "${LAT_KEYS[@]}"; do
		rate=${key##*-} topo=${key%-*} topo=${topo##*-} m=${key%-*-*}
		ls "$TMP"/raw-"$key"-*.txt >/dev/null 2>&1 || continue
		cat "$TMP"/raw-"$key"-*.txt >"$TMP/raw-$key.txt"
		n=$(wc -l <"$TMP/raw-$key.txt")
		awk '$2 >= 0 { print $2 }' "$TMP/raw-$key.txt" | sort -n >"$TMP/first-$key.txt"
		awk '$3 >= 0 { print $3 }' "$TMP/raw-$key.txt" | sort -n >"$TMP/all-$key.txt"
		awk '{ printf "%.3f\n", $1 / 1000 }' "$TMP/first-$key.txt" >"$TMP/lat-$key.txt"
		read -r a1 a2 a3 a4 < <(pcts "$TMP/first-$key.txt" "$n")
		read -r b1 b2 b3 b4 < <(pcts "$TMP/all-$key.txt" "$n")
		record "$(jq -sc --arg m "$m" --argjson s "${topo:1}" --argjson rate "$rate" \
			--argjson n "$n" --argjson r "$a4" --argjson ra "$b4" \
			--argjson p50 "$a1" --argjson p99 "$a2" --argjson max "$a3" \
			--argjson ap50 "$b1" --argjson ap99 "$b2" '
			map(select(.kind == "latency_round" and .method == $m and .slaves == $s and .rate == $rate)) as $rs |
			{kind: "latency", method: $m, slaves: $s, rate: $rate, rounds: ($rs | length),
			 cap: {ns_on_master: $n, reacted: $r, reacted_all_slaves: $ra, p50_us: $p50,
			       p99_us: $p99, max_us: $max, all_p50_us: $ap50, all_p99_us: $ap99,
			       ring_drops: ($rs | map(.cap.ring_drops // 0) | add),
			       negative: ($rs | map(.cap.negative // 0) | add)},
			 round_p50_us: ($rs | map(.cap.p50_us)),
			 gen: {sent: ($rs | map(.gen.sent // 0) | add),
			       rate_reached: ($rs | map(.gen.rate_reached // 0) | add / length | floor)},
			 processed: ($rs | map(.processed) | add), probes_sent: ($rs | map(.probes_sent) | add),
			 probes_failed: ($rs | map(.probes_failed) | add),
			 cpu_ms_per_1000: (($rs | map(.cpu_sched_s) | add) as $c | ($rs | map(.gen.sent // 0) | add) as $g |
			                   if $g > 0 then $c * 1e3 / $g * 1000 else null end)}' "$JSONL")"
	done
}

# ---------------------------------------------------------------- ingest
# ingest_run METHOD repeated|distinct: the ladder of rates from the
# generator's maximum down; stop at the first without loss.
INGEST_OFF=1000000
ingest_run() {
	local m=$1 kind=$2 rates r n g c0 c1 t0 t1 n0 n1 sent proc loss last prev i
	rates="0 100000 30000 10000 3000 1000 300 100"
	# Methods that probe every NS, with no rate limit, at a new target
	# each: INCOMPLETE neighbor entries at the NS rate, host-wide limit ~1024.
	# The seed takes a second per NS to a target that does not answer
	# (ping -W1): only the lowest step.
	[ "$kind" = distinct ] && case $m in seed) rates="100" ;; odhcpd) rates="3000 1000 300 100" ;; esac
	for r in $rates; do
		if [ "$(left)" -lt 15 ]; then
			say "skipped ingest $m $kind $r: out of time"
			record "{\"kind\":\"ingest\",\"method\":\"$m\",\"targets\":\"$kind\",\"rate\":$r,\"skipped\":true}"
			return
		fi
		if [ "$r" = 0 ]; then n=400000; else n=$((r < 100 ? 100 : r)); fi
		local pool=()
		if [ "$kind" = repeated ]; then pool=(-k 1 -o 0); else pool=(-o $INGEST_OFF); INGEST_OFF=$((INGEST_OFF + n)); fi
		c0=$(counters) t0=$(cpu_ticks) n0=$(cpu_ns)
		g=$(gen -r "$r" -n "$n" -t 3 -F 50 "${pool[@]}")
		sent=$(jq -r .sent <<<"$g")
		# Drain: until the count holds still (or is complete), bounded.
		prev=-1
		for i in $(seq 40); do
			proc=$(counters | cut -d' ' -f1)
			[ "$((proc - ${c0%% *}))" -ge "$sent" ] && break
			[ "$proc" = "$prev" ] && [ "$i" -gt "$( [ "$m" = seed ] && echo 30 || echo 5)" ] && break
			prev=$proc
			sleep 0.1
		done
		c1=$(counters) t1=$(cpu_ticks) n1=$(cpu_ns)
		loss=$((sent - ($(cut -d' ' -f1 <<<"$c1") - ${c0%% *})))
		say "ingest $m $kind: asked $( [ "$r" = 0 ] && echo max || echo "$r")/s, reached $(jq -r .rate_reached <<<"$g")/s, sent $sent, lost $loss"
		record "$(jq -cn --arg m "$m" --arg k "$kind" --argjson r "$r" --argjson gen "$g" \
			--arg c0 "$c0" --arg c1 "$c1" --argjson t "$((t1 - t0))" --argjson ns "$((n1 - n0))" \
			--argjson hz "$(getconf CLK_TCK)" '
			($c0 | split(" ") | map(tonumber)) as $a | ($c1 | split(" ") | map(tonumber)) as $b |
			{kind: "ingest", method: $m, targets: $k, rate: $r, gen: $gen,
			 processed: ($b[0] - $a[0]), lost: ($gen.sent - ($b[0] - $a[0])),
			 probes_sent: ($b[1] - $a[1]), probes_failed: ($b[2] - $a[2]),
			 overruns: ($b[3] - $a[3]), cpu_s: ($t / $hz), cpu_sched_s: ($ns / 1e9),
			 cpu_s_per_1000: (if $gen.sent > 0 then $t / $hz / $gen.sent * 1000 else null end),
			 cpu_sched_s_per_1000: (if $gen.sent > 0 then $ns / 1e9 / $gen.sent * 1000 else null end)}')"
		[ "$loss" -le 0 ] && return
		# What it still holds (queued NS, pings) must not count in the
		# next step: a fresh instance.
		stop_method
		start_method "$m" cost || { say "$m did not restart"; return; }
		sleep 0.3
	done
}

# ---------------------------------------------------------------- cost
# cost_run METHOD: idle wake-ups and memory, then ingest; defaults for ns-monitor.
cost_run() {
	local m=$1 rss0 pss0 w0 w1 rss1 hwm1 rss2
	if [ "$(left)" -lt $((IDLE_S + 30)) ]; then
		say "skipped cost $m: out of time"
		record "{\"kind\":\"cost\",\"method\":\"$m\",\"skipped\":true}"
		return
	fi
	say "cost $m: idle ${IDLE_S}s, then ingest"
	in_r ip -6 neigh flush all >/dev/null 2>&1
	start_method "$m" cost || { say "$m did not start"; stop_method; return; }
	sleep 1
	rss0=$(status_kb VmRSS)
	pss0=$(awk '$1 == "Pss:" { print $2 }' "/proc/$MPID/smaps_rollup" 2>/dev/null)
	w0=$(ctxt)
	sleep "$IDLE_S"
	w1=$(ctxt)
	[ "$m" != ndppd ] && ingest_run "$m" repeated
	ingest_run "$m" distinct
	rss1=$(status_kb VmRSS) hwm1=$(status_kb VmHWM)
	# Settled: the floods' targets have left (hold-down 3 s, then the
	# kernel's window), and what they took should be given back.
	sleep 8
	rss2=$(status_kb VmRSS)
	# Where the resident memory is: the largest mappings.
	local maps
	maps=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6) }
		/^Rss:/ { rss[name] += $2 } END { for (n in rss) print rss[n], n }' \
		"/proc/$MPID/smaps" 2>/dev/null | sort -rn | head -8 |
		jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") | {kb: (.[0] | tonumber), mapping: .[1]})')
	record "$(jq -cn --arg m "$m" --argjson rss0 "${rss0:-null}" --argjson rss1 "${rss1:-null}" \
		--argjson hwm "${hwm1:-null}" --argjson w "$((w1 - w0))" --argjson idle "$IDLE_S" \
		--argjson maps "${maps:-null}" --argjson pss0 "${pss0:-null}" \
		--argjson rss2 "${rss2:-null}" '
		{kind: "cost", method: $m, rss_idle_kb: $rss0, pss_idle_kb: $pss0, rss_after_kb: $rss1,
		 rss_settled_kb: $rss2, hwm_kb: $hwm,
		 idle_s: $idle, wakeups_idle: $w, wakeups_per_min: ($w * 60 / $idle),
		 rss_by_mapping: $maps}')"
	stop_method
}

# ---------------------------------------------------------------- main
build_tools || { echo "bench: building the tools failed" >&2; exit 1; }
# bench/profile.sh sources this file for its functions and stops here.
[ -n "${BENCH_LIB:-}" ] && return 0
mkdir -p "$RESULTS"
table_fulls() { echo $((16#$(awk 'NR == 2 { print $13 }' /proc/net/stat/ndisc_cache 2>/dev/null || echo 0))); }
fulls0=$(table_fulls)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "ns-monitor $("$BIN" -V 2>/dev/null | awk '{ print $2 }'), methods: $METHODS"

has() { [[ " $METHODS " == *" $1 "* ]]; }

for s in 1 4; do
	if has floor || has floor-loop || has floor-ring || has nsmon || has seed || has odhcpd; then
		topo_build A $s
		for rate in 100 10000; do
			# Rounds interleave the methods in time: the machine is shared.
			for round in $(seq "$ROUNDS"); do
				for m in floor floor-loop floor-ring nsmon odhcpd; do
					has $m && latency_run $m $rate "$round"
				done
			done
			# Milliseconds to seconds per NS: one round says enough.
			has seed && latency_run seed $rate 1
		done
		if [ $s = 1 ]; then
			for m in nsmon seed odhcpd; do has $m && cost_run $m; done
		fi
	fi
	if has ndppd || has nsmon-proxy; then
		topo_build B $s
		# ndppd's auto rule: see the report (it serves the first target only).
		[ $s = 1 ] && has ndppd && latency_run ndppd-auto 100 1
		for rate in 100 10000; do
			for round in $(seq "$ROUNDS"); do
				for m in ndppd nsmon-proxy; do
					has $m && latency_run $m $rate "$round"
				done
			done
		done
		if [ $s = 1 ]; then
			for m in ndppd nsmon-proxy; do has $m && cost_run $m; done
		fi
	fi
done
topo_destroy
latency_merge

fulls1=$(table_fulls)
say "measured; writing $RESULTS/latest.{md,json} and latency.png"
. "$here/report.sh"
report
say "done"
