#!/bin/bash
# Scale benchmark: a burst of new neighbors behind many slaves, two
# ns-monitor binaries side by side (OLD and NEW), interleaved in time on
# this shared machine. Root only; everything runs in network namespaces this
# script creates and deletes (trap). Bounded: every wait has a deadline.
#
#   bash bench/scale.sh                       (make bench)
#
# Environment:
#   BENCH_NEW         the new binary (default build/default/ns-monitor)
#   BENCH_OLD         the old binary; without it, BENCH_OLD_REV is built from
#                     git (git archive into a temporary directory, make)
#   BENCH_OLD_REV     default 89da38e: the v0.1 relay, before the engine
#   BENCH_SCALE_RUNS  runs per binary and case (default 5; the median counts)
#   BENCH_SCALE_CASES cases as SLAVESxTARGETS (default "4x40 200x50"):
#                     target I lives behind slave I*SLAVES/TARGETS+1
#   BENCH_DEADLINE_S  a run stops waiting after this (default 10)
#   BENCH_SCALE_ARGS  more daemon options for both binaries (default none)
#   BENCH_RESULTS     output directory (default bench/results): scale.md
#
# One run: a fresh daemon (`-m m0 -s s1,...,sN --learn-routes`, the default
# options), its neighbor tables flushed; the host pings every target of the
# case at once (the kernel sends its NS on m0, three a second apart).
# Measured:
#   located   targets whose route X/128 dev sK (the right slave) appeared
#             before the deadline
#   time      from the first NS on m0 (tcpdump's kernel timestamp) to the
#             route of the last target (ip monitor's timestamp), in ms
#   peak      unresolved neighbor entries (INCOMPLETE or FAILED) on the
#             slaves, the table dumped every 20 ms (tests/tools/neigh_peak)
#   CPU       the daemon's CPU time (all threads, scheduler's count) from
#             just before the burst to 1 s after the last target (or the
#             deadline), in ms
#   RSS       the daemon's peak resident memory (VmHWM), KiB
# A binary that does not start (the old one refuses more than 64 slaves) is
# reported as "refused", with its first line of output.
#
#   U(u0) ---- m0 [R] s1..sN ---- g1..gN [G]   targets: /128 on the peers
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
RESULTS=${BENCH_RESULTS:-$here/results}
RUNS=${BENCH_SCALE_RUNS:-5}
CASES=${BENCH_SCALE_CASES:-"4x40 200x50"}
DEADLINE=${BENCH_DEADLINE_S:-10}
OLD_REV=${BENCH_OLD_REV:-89da38e}
TOOLS=$top/build/bench

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/scale.sh: needs root (network namespaces)" >&2
	exit 1
fi
for c in jq tcpdump ping ip cc git make; do
	command -v "$c" >/dev/null || { echo "bench/scale.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done

P=nss$$
R=$P-r U=$P-u G=$P-g
TMP=$(mktemp -d /tmp/ns-scale.XXXXXX)
JSONL=$TMP/records.jsonl
PIDS=()
T0=$SECONDS

cleanup() {
	local pid n
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for n in "$R" "$U" "$G"; do
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

# wait_for SECONDS COMMAND...: poll a condition, bounded.
wait_for() {
	local end=$(($(date +%s%N) + ${1%.*} * 1000000000))
	shift
	while ! "$@"; do
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.02
	done
}

# ---------------------------------------------------------------- binaries
NEW_IN=$(readlink -f "${BENCH_NEW:-$top/build/default/ns-monitor}")
[ -x "$NEW_IN" ] || { echo "bench/scale.sh: $NEW_IN: no binary (make)" >&2; exit 1; }
cp "$NEW_IN" "$TMP/ns-monitor-new" || exit 1
BINS=(new)
if [ -n "${BENCH_OLD:-}" ]; then
	OLD_IN=$(readlink -f "$BENCH_OLD")
	cp "$OLD_IN" "$TMP/ns-monitor-old" || exit 1
	BINS=(old new)
else
	# The old revision's own tree, built apart: the repository is only read.
	say "building $OLD_REV (git archive, make)"
	mkdir -p "$TMP/old-src"
	if git -C "$top" archive "$OLD_REV" | tar -x -C "$TMP/old-src" &&
	   make -C "$TMP/old-src" -j2 ns-monitor >"$TMP/old-build.log" 2>&1; then
		OLD_IN="$OLD_REV (built from git)"
		cp "$TMP/old-src/ns-monitor" "$TMP/ns-monitor-old" && BINS=(old new)
	else
		say "could not build $OLD_REV (see BENCH_OLD): measuring NEW only"
		tail -n3 "$TMP/old-build.log" >&2
	fi
fi
mkdir -p "$TOOLS"
cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra "$top/tests/tools/neigh_peak.c" -o "$TOOLS/neigh_peak" ||
	{ echo "bench/scale.sh: building neigh_peak failed" >&2; exit 1; }

# ---------------------------------------------------------------- topology
ns_add() {
	ip netns add "$1" || exit 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
}
# target CASE I, slave_of SLAVES TARGETS I: as in tests/integration/test_scale.sh.
target() { printf '2001:db8:1::%x:%x' $((0xa0 + $1)) $(($2 + 1)); }
slave_of() { echo $(( ($3 * $1 / $2) % $1 + 1 )); }

MAXS=0
for c in $CASES; do
	s=${c%x*}
	[ "$s" -gt "$MAXS" ] && MAXS=$s
done
say "topology: $MAXS slaves"
for n in "$R" "$U" "$G"; do ns_add "$n"; done
ip -n "$R" link add m0 type veth peer name u0 netns "$U"
ip -n "$R" -6 addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$U" -6 addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$R" link set m0 up
ip -n "$U" link set u0 up
for i in $(seq "$MAXS"); do echo "link add name s$i type veth peer name g$i netns $G"; done |
	ip -n "$R" -batch - || exit 1
for i in $(seq "$MAXS"); do echo "link set dev g$i up"; done | ip -n "$G" -batch - || exit 1
for i in $(seq "$MAXS"); do echo "link set dev s$i up"; done | ip -n "$R" -batch - || exit 1
k=0
for c in $CASES; do
	s=${c%x*} t=${c#*x}
	for i in $(seq 0 $((t - 1))); do
		echo "$(target $k "$i") s$(slave_of "$s" "$t" "$i")"
	done >"$TMP/expected-$k"
	awk '{ sub("^s", "g", $2); print "addr add " $1 "/128 dev " $2 " nodad" }' "$TMP/expected-$k" |
		ip -n "$G" -batch - || exit 1
	k=$((k + 1))
done
ll_all() {
	[ "$(ip -n "$R" -6 addr show scope link | grep -c 'inet6 fe80')" -ge $((MAXS + 1)) ] &&
	! ip -n "$R" -6 addr show | grep -q tentative
}
wait_for 10 ll_all || { echo "bench/scale.sh: link-local addresses not ready" >&2; exit 1; }

# ---------------------------------------------------------------- one run
DPID='' MON='' CAP='' PEAK=''
stop_all() {
	local p
	for p in $DPID $MON $CAP $PEAK; do kill -TERM "$p" 2>/dev/null; done
	for p in $DPID $MON $CAP $PEAK; do
		wait_for 3 eval "! kill -0 $p 2>/dev/null" || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DPID='' MON='' CAP='' PEAK=''
}
# routes_seen ROUTES EXPECTED: "LOCATED LAST": how many expected "TARGET sK"
# got their route (dev sK) in the monitor's output, and when the last of
# them first appeared (seconds since the epoch; ip prints local time).
routes_seen() {
	awk -v want="$2" '
		BEGIN { while ((getline l < want) > 0) w[l] = 1 }
		$2 == "Deleted" || $3 != "dev" { next }
		{ k = $2 " " $4 }
		(k in w) && !(k in first) {
			ts = substr($1, 2, length($1) - 2); split(ts, a, /[-T:]/)
			first[k] = mktime(a[1] " " a[2] " " a[3] " " a[4] " " a[5] " 0") + a[6]
			n++; if (first[k] > last) last = first[k]
		}
		END { printf "%d %.6f\n", n, last }' "$1"
}
located() { routes_seen "$1" "$2" | cut -d' ' -f1; }
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
hwm_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# one_run BIN CASE_INDEX SLAVES TARGETS RUN
one_run() {
	local bin=$1 k=$2 s=$3 t=$4 run=$5 log=$TMP/$1-$2-$5 want=$TMP/expected-$2
	local slaves n0 n1 hwm found first last ms peak
	slaves=$(seq -s, -f 's%g' 1 "$s")
	ip -n "$R" -6 neigh flush all >/dev/null 2>&1
	ip -n "$G" -6 neigh flush all >/dev/null 2>&1
	# shellcheck disable=SC2086 # BENCH_SCALE_ARGS: words
	ip netns exec "$R" "$TMP/ns-monitor-$bin" -m m0 -s "$slaves" --learn-routes \
		${BENCH_SCALE_ARGS:-} >"$log.daemon" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
	wait_for 10 eval "grep -q 'relaying NS' '$log.daemon' || ! kill -0 $DPID 2>/dev/null"
	if ! grep -q 'relaying NS' "$log.daemon"; then
		say "$bin, ${s}x$t, run $run: refused: $(grep -m1 . "$log.daemon")"
		record "$(jq -cn --arg b "$bin" --argjson s "$s" --argjson t "$t" --argjson r "$run" \
			--arg why "$(grep -m1 . "$log.daemon")" \
			'{binary: $b, slaves: $s, targets: $t, run: $r, refused: $why}')"
		stop_all
		return
	fi
	# Routes as they appear (timestamped), the first NS on m0, the table.
	ip -n "$R" -ts monitor route >"$log.routes" 2>&1 &
	MON=$!
	ip netns exec "$R" tcpdump -i m0 -n -tt -c 1 -l 'icmp6 and ip6[40] == 135' \
		>"$log.ns" 2>"$log.tcpdump" &
	CAP=$!
	ip netns exec "$R" "$TOOLS/neigh_peak" -p 20 -T $((DEADLINE + 5)) s >"$log.peak" &
	PEAK=$!
	PIDS+=("$MON" "$CAP" "$PEAK")
	# The monitor is live once it reports a route added for that purpose
	# (added and deleted until it does: it subscribes some time after start).
	marker() {
		ip -n "$R" -6 route add 2001:db8:ffff::/64 dev m0 metric 9 &&
			ip -n "$R" -6 route del 2001:db8:ffff::/64 dev m0 metric 9
		grep -q 2001:db8:ffff:: "$log.routes"
	}
	wait_for 5 marker &&
		wait_for 5 grep -q 'listening on' "$log.tcpdump" &&
		wait_for 5 grep -q ready "$log.peak" || say "$bin: a probe did not start"
	n0=$(cpu_ns "$DPID")
	awk '{ print $1 }' "$want" | ip netns exec "$R" timeout 5 bash -c \
		'while read -r x; do ping -c1 -W1 "$x" >/dev/null 2>&1 & done; wait' &
	local burst=$!
	wait_for "$DEADLINE" eval "[ \$(located '$log.routes' '$want') -ge $t ]"
	sleep 1
	n1=$(cpu_ns "$DPID") hwm=$(hwm_kb "$DPID")
	wait "$burst" 2>/dev/null
	kill -INT "$PEAK" 2>/dev/null
	wait "$PEAK" 2>/dev/null
	read -r peak _ < <(tail -n1 "$log.peak")
	PEAK=
	stop_all
	first=$(awk '{ print $1; exit }' "$log.ns")
	read -r found last < <(routes_seen "$log.routes" "$want")
	ms=null
	[ "$found" -ge "$t" ] && [ -n "$first" ] &&
		ms=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
	say "$bin, ${s}x$t, run $run: located $found/$t, time $( [ "$ms" = null ] && echo "—" || echo "$ms ms"), peak unresolved ${peak:-?}," \
		"CPU $(((n1 - n0) / 1000000)) ms, RSS peak ${hwm:-?} KiB"
	record "$(jq -cn --arg b "$bin" --argjson s "$s" --argjson t "$t" --argjson r "$run" \
		--argjson found "$found" --argjson ms "$ms" --argjson peak "${peak:-null}" \
		--argjson cpu "$(((n1 - n0) / 1000))" --argjson hwm "${hwm:-null}" \
		'{binary: $b, slaves: $s, targets: $t, run: $r, located: $found, time_ms: $ms,
		  peak_unresolved: $peak, cpu_ms: ($cpu / 1000), rss_peak_kb: $hwm}')"
}
record() { echo "$1" >>"$JSONL"; }

# ---------------------------------------------------------------- main
say "OLD: ${OLD_IN:-none}, NEW: $NEW_IN; cases $CASES; $RUNS runs each"
for run in $(seq "$RUNS"); do
	k=0
	for c in $CASES; do
		# The order flips every run: neither binary always goes first.
		order=("${BINS[@]}")
		[ $((run % 2)) = 0 ] && [ ${#BINS[@]} = 2 ] && order=("${BINS[1]}" "${BINS[0]}")
		for b in "${order[@]}"; do one_run "$b" $k "${c%x*}" "${c#*x}" "$run"; done
		k=$((k + 1))
	done
done

mkdir -p "$RESULTS"
{
	echo "# Scale: a burst of new neighbors behind many slaves"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
		"commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown); $RUNS runs per binary and case, interleaved."
	echo "OLD: ${OLD_IN:-not measured}$( [ -e "$TMP/ns-monitor-old" ] && echo " (sha256 $(sha256sum "$TMP/ns-monitor-old" | cut -c1-12))")."
	echo "NEW: $NEW_IN (sha256 $(sha256sum "$TMP/ns-monitor-new" | cut -c1-12))."
	echo
	echo "Default options, \`--learn-routes\`; the host pings every target at once. Time: first NS on the master"
	echo "to the last target's learned route (median; — unless every target was located within ${DEADLINE} s in every run)."
	echo "Peak: unresolved neighbor entries (INCOMPLETE, FAILED) on the slaves, sampled every 20 ms (max over runs)."
	echo "CPU: the daemon's, from the burst to 1 s after the last route or the deadline (median). RSS: peak resident (max)."
	echo
	echo "| slaves × targets | binary | located (min/max of runs) | time to all located, median ms | per run ms | peak unresolved | CPU ms | RSS peak KiB |"
	echo "|---|---|---:|---:|---|---:|---:|---:|"
	jq -rs '
		def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
		group_by([.slaves, .targets, .binary]) | sort_by(.[0].slaves, .[0].targets, (.[0].binary != "old"))[] |
		. as $g | .[0] as $h |
		if ($g | map(select(.refused)) | length) > 0 then
			"| \($h.slaves) × \($h.targets) | \($h.binary | ascii_upcase) | refused: \($g | map(select(.refused)) | .[0].refused) | | | | | |"
		else
			($g | map(.located)) as $l |
			"| \($h.slaves) × \($h.targets) | \($h.binary | ascii_upcase) | \($l | min)–\($l | max) of \($h.targets) | " +
			"\(if ($g | all(.time_ms != null)) then ($g | map(.time_ms) | median) else "—" end) | " +
			"\($g | map(.time_ms // "—" | tostring) | join(", ")) | \($g | map(.peak_unresolved) | max) | " +
			"\($g | map(.cpu_ms) | median | . * 10 | floor / 10) | \($g | map(.rss_peak_kb) | max) |"
		end' "$JSONL"
} >"$RESULTS/scale.md"
cp "$JSONL" "$RESULTS/scale.jsonl"
cat "$RESULTS/scale.md"
say "done: $RESULTS/scale.md"
