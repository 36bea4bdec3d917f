#!/bin/bash
# Where ns-monitor spends its time: syscalls and context switches per NS
# (perf stat, syscall tracepoints), CPU profiles (perf record, cpu-clock:
# this VM has no hardware counters), and user-space instructions per NS
# (valgrind --tool=callgrind). Same namespaces and tools as bench/run.sh;
# not part of `make bench`. Root only; about two minutes.
#
#   bash bench/profile.sh [./ns-monitor]     -> bench/results/profile.txt
set -u
BENCH_LIB=1 . "$(dirname "${BASH_SOURCE[0]}")/run.sh" "${1:-}"

OUT=$RESULTS/profile.txt
EV=syscalls:sys_enter_recvfrom,syscalls:sys_enter_recvmsg,syscalls:sys_enter_epoll_wait
EV=$EV,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendto,context-switches,cpu-clock

# per_ns FILE SENT: perf stat's counts divided by the NS sent.
per_ns() {
	awk -v n="$2" '$2 ~ /^(syscalls|context|cpu-clock)/ || $3 ~ /cpu-clock/ {
		gsub(",", "", $1)
		name = ($2 == "msec") ? "cpu-clock (us per NS)" : $2
		v = ($2 == "msec") ? $1 * 1000 / n : $1 / n
		printf "  %-34s %12s total  %10.3f per NS\n", name, $1, v }' "$1"
}

# scenario NAME PURPOSE GEN-ARGS...: perf stat and perf record around one load.
scenario() {
	local name=$1 purpose=$2 ps pr g sent
	shift 2
	start_method nsmon "$purpose" || { echo "ns-monitor did not start" >&2; return 1; }
	perf stat -e "$EV" -p "$MPID" -o "$TMP/stat-$name.txt" -- sleep 6 &
	ps=$!
	perf record -q -e cpu-clock -F 10000 -g -p "$MPID" -o "$TMP/perf-$name.data" -- sleep 6 \
		>/dev/null 2>&1 &
	pr=$!
	sleep 0.3
	g=$(gen "$@")
	wait $ps $pr
	sent=$(jq -r .sent <<<"$g")
	{
		echo "== $name: $(jq -r '"\(.sent) NS, \(.rate_reached) NS/s"' <<<"$g"), daemon: $(counters)"
		echo "   (counters: NFLOG messages, probes sent, probes failed, overruns)"
		per_ns "$TMP/stat-$name.txt" "$sent"
		echo "  CPU profile (perf record -e cpu-clock -g), inclusive, top entries:"
		perf report -i "$TMP/perf-$name.data" --children --sort dso,sym --stdio -g none \
			--percent-limit 2 2>/dev/null | grep '%' | grep -v '^#' | head -40 | sed 's/^/    /'
		echo "  by object (self):"
		perf report -i "$TMP/perf-$name.data" --no-children --sort dso --stdio -g none \
			2>/dev/null | grep '%' | grep -v '^#' | head -6 | sed 's/^/    /'
		echo
	} >>"$OUT"
	stop_method
}

# User-space instructions per NS under callgrind (intake only: repeated
# targets, no probes; then distinct targets, every NS probed).
callgrind_run() {
	local name=$1 purpose=$2 args=(-m m0 -s "$SLAVES") g
	shift 2
	command -v valgrind >/dev/null || { echo "(valgrind missing: skipped)" >>"$OUT"; return; }
	[ "$purpose" = latency ] && args+=(--rate 100000 --burst 100000)
	MLOG=$TMP/cg-$name.log METHOD=nsmon
	ip netns exec "$R" valgrind --tool=callgrind --callgrind-out-file="$TMP/cg-$name.out" \
		"$BIN" "${args[@]}" >"$MLOG" 2>&1 &
	MPID=$!
	PIDS+=("$MPID")
	wait_for 60 grep -q 'relaying NS' "$MLOG" || { echo "callgrind: no start" >>"$OUT"; return; }
	unlimit_rules
	g=$(gen "$@")
	sleep 2
	kill -TERM "$MPID"
	wait_for 30 eval "! kill -0 $MPID 2>/dev/null"
	wait "$MPID" 2>/dev/null
	{
		echo "== callgrind, $name: $(jq -r '"\(.sent) NS at \(.rate_reached) NS/s"' <<<"$g") (start-up and exit included)"
		callgrind_annotate --inclusive=yes "$TMP/cg-$name.out" 2>/dev/null |
			grep -E '^ *[0-9,]+ .*(TOTALS|main|loop_run|drain_nflog|nflog_process|relay_packet|ns_parse|holddown|tokenbucket|echo_send|netmon_read|learn_on|control_|nftctl|nft_run_cmd|log_|vfprintf|clock_gettime|recv|epoll_wait|sendmsg)' |
			head -30 | sed 's/^/    /'
		echo
	} >>"$OUT"
}

mkdir -p "$RESULTS"
{
	echo "ns-monitor profile, $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs"
	echo "binary: $BIN ($("$BIN" -V 2>/dev/null)), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
	echo
} >"$OUT"
topo_build A 1
scenario intake-flood cost -r 0 -n 400000 -t 2 -k 1 -o 0 -F 50
scenario probe-100 latency -r 100 -n 500 -o 0 -F 200
scenario probe-10000 latency -r 10000 -n 3000 -b 100 -g 40 -F 1 -o 100000
callgrind_run intake cost -r 2000 -n 10000 -t 20 -k 1 -o 0 -F 50
callgrind_run probes latency -r 1000 -n 3000 -t 20 -o 200000 -F 50
topo_destroy
say "wrote $OUT"
