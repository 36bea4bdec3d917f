#!/bin/bash
# What one target costs ns-monitor, counted, not timed: user-space
# instructions (valgrind --tool=callgrind) and system calls (strace -c),
# the same on a loaded machine as on a quiet one. Two runs of the daemon
# each, N1 and N2 targets that exist (100 NS/s, one NS each, the bench's
# latency load: ask, answer, confirm, events, the hold-down ending); the
# difference divided by N2 - N1 is what a target costs, start-up, warm-up
# and exit cancelled out. A third callgrind run counts inside
# intake_drain() only and dumps at each sendto(): what comes between the
# NFLOG wake-up and the first ask's system call. The floor
# (bench/floor.c) is counted the same way, for the ratio, and with
# floor-loop in PER_TARGET_METHODS the floor woken as an event loop is.
#
#   bash bench/per_target.sh [./ns-monitor] [SLAVES]   -> stdout
#   (bench/results/per_target.txt keeps one run with one and four slaves)
#
# PER_TARGET_N1, PER_TARGET_N2 (default 20, 80; at most 100);
# PER_TARGET_METHODS (default "nsmon floor"). Root only;
# its own namespaces (bench/run.sh's topology A); about a minute per
# method and slave count.
set -u
BENCH_LIB=1 . "$(dirname "${BASH_SOURCE[0]}")/run.sh" "${1:-}"
NSL=${2:-1}
N1=${PER_TARGET_N1:-20} N2=${PER_TARGET_N2:-80}
HOLD_S=4	# the hold-down (3 s) ends within this after the last NS

# run_one TOOL N OUT METHOD: nsmon, floor or floor-loop under TOOL (callgrind, asks,
# strace), warmed up, N targets at 100 NS/s, the hold-downs ended, stopped.
run_one() {
	local tool=$1 n=$2 out=$3 m=$4 wrap bin args
	case $tool in
	callgrind) wrap=(valgrind --tool=callgrind --callgrind-out-file="$out") ;;
	asks) wrap=(valgrind --tool=callgrind --callgrind-out-file="$out"
		    --collect-atstart=no --toggle-collect=intake_drain
		    --dump-before=sendto) ;;
	strace) wrap=(strace -f -c -o "$out") ;;
	esac
	MLOG=$TMP/pt-$tool-$n.log METHOD=$m
	: >"$MLOG"
	in_r ip -6 neigh flush dev s1 2>/dev/null
	if [[ $m == floor* ]]; then
		local loop=()
		[ $m = floor-loop ] && loop=(-l)
		floor_rules || return 1
		ip netns exec "$R" "${wrap[@]}" "$TOOLS/floor" "${loop[@]}" -g 136 -s "$SLAVES" 2>"$MLOG" &
		MPID=$!
		PIDS+=("$MPID")
		wait_for 60 grep -q listening "$MLOG" || { say "floor: no start"; return 1; }
	else
		bin=$BIN args=(-m m0 -s "$SLAVES" --rate 100000 --burst 100000)
		ip netns exec "$R" "${wrap[@]}" "$bin" "${args[@]}" >"$MLOG" 2>&1 &
		MPID=$!
		PIDS+=("$MPID")
		wait_for 60 grep -q 'relaying NS' "$MLOG" || { say "no start"; cat "$MLOG" >&2; return 1; }
		unlimit_rules || { say "could not remove the nft limit"; return 1; }
	fi
	gen -r 0 -n 1 -o $WARM -F 1 >/dev/null
	sleep 1
	gen -r 100 -n "$n" -o 0 -F 200 >/dev/null
	sleep $HOLD_S
	# Under strace the daemon is its child; under valgrind, MPID itself.
	kill -TERM "$(pgrep -P "$MPID" || echo "$MPID")"
	wait_for 60 eval "! kill -0 $MPID 2>/dev/null"
	wait "$MPID" 2>/dev/null
	[[ $m == floor* ]] && in_r nft delete table inet nsfloor 2>/dev/null
	return 0
}

# The total of a callgrind file, in instructions.
cg_total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

# Inclusive instructions per function, "name count" lines.
cg_incl() {
	callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$1" 2>/dev/null |
		awk '/^ *[0-9,]+ +\([ 0-9.]+%\) / { n = $1; gsub(",", "", n); f = $0
			sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", f); sub(/ .*/, "", f); sub(/^.*:/, "", f)
			if (f ~ /^(PROGRAM|\(below|0x|events)/) next
			if (!(f in s) || n > s[f]) s[f] = n } END { for (f in s) print f, s[f] }'
}

# Syscalls by name from strace -c: "name calls" lines.
st_calls() { awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $NF, $4 }' "$1"; }

per_target() { # METHOD ("nsmon", "floor" or "floor-loop")
	local m=$1 a b
	for n in $N1 $N2; do
		run_one callgrind "$n" "$TMP/cg-$m-$n.out" "$m" || return 1
		run_one strace "$n" "$TMP/st-$m-$n.txt" "$m" || return 1
	done
	a=$(cg_total "$TMP/cg-$m-$N1.out") b=$(cg_total "$TMP/cg-$m-$N2.out")
	echo "== $m, $NSL slave(s): per target ($N1 and $N2 targets at 100 NS/s, difference / $((N2 - N1)))"
	echo "  user-space instructions: $(((b - a) / (N2 - N1)))"
	echo "  system calls:"
	join -a2 -e 0 -o 0,1.2,2.2 <(st_calls "$TMP/st-$m-$N1.txt" | sort) \
		<(st_calls "$TMP/st-$m-$N2.txt" | sort) |
		awk -v d=$((N2 - N1)) '{ v = ($3 - $2) / d; if (v >= 0.05) { t += v; printf "    %-18s %6.2f\n", $1, v } }
			END { printf "    %-18s %6.2f\n", "all", t }'
	[[ $m == floor* ]] && return 0
	echo "  instructions per target by function (inclusive, >= 200):"
	join -a2 -e 0 -o 0,1.2,2.2 <(cg_incl "$TMP/cg-$m-$N1.out" | sort) \
		<(cg_incl "$TMP/cg-$m-$N2.out" | sort) |
		awk -v d=$((N2 - N1)) '{ v = ($3 - $2) / d; if (v >= 200) printf "    %8d  %s\n", v, $1 }' |
		sort -rn | head -45
	run_one asks "$N2" "$TMP/asks.out" nsmon || return 1
	# A dump at each sendto(): the count since the one before, inside
	# intake_drain() only. The ones that hold the NS's parse end at its
	# first ask: from the wake-up to that system call, warm-up included.
	echo "  from the NFLOG wake-up to the first ask's sendto() (callgrind dumps):"
	firsts=$(for f in $(ls "$TMP"/asks.out.* | sort -V); do
		grep -q 'nflog_parse_msg' "$f" && echo "$f"; done)
	for f in $firsts; do cg_total "$f"; done | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "    %d asks, median %d instructions (min %d, max %d)\n", NR, v[int((NR + 1) / 2)], v[1], v[NR] }'
	f=$(echo "$firsts" | sed -n "$((N2 / 2))p")
	[ -n "$f" ] && callgrind_annotate --inclusive=yes --auto=no "$f" 2>/dev/null |
		awk '/^ *[0-9,]+ .*:/ { n = $1; gsub(",", "", n); if (n >= 100) print }' | head -30 | sed 's/^/    /'
}

topo_build A "$NSL"
echo "ns-monitor per target, $(date -u +%Y-%m-%dT%H:%MZ), $BIN ($("$BIN" -V 2>/dev/null)), tree at $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
for m in ${PER_TARGET_METHODS:-nsmon floor}; do per_target "$m"; done
topo_destroy
