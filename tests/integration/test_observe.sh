#!/bin/bash
# What the daemon tells an operator: its log at the default level and at -v,
# its exit summary, and the gauges of its stats file, checked against what
# the kernel holds; the stats file passes promtool and the README lists
# exactly its metrics.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, ::101/128
#   2001:db8:1::2/64  d1..d49 ---- Z (slaves where nobody answers)
. "$(dirname "$0")/lib.sh"
need_root

README=$TOP/README.md
X=2001:db8:1::100
X2=2001:db8:1::101
X3=2001:db8:1::102
NOBODY=2001:db8:1::dead
DUMMIES=49	# slaves besides s1

for n in r u x z; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
for i in $(seq 1 $DUMMIES); do veth r d$i z z$i; done
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns x ip -6 addr add $X2/128 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

our_routes() { in_ns r ip -6 route show proto 135 | grep -c .; }
STATS=$TMP/ns-monitor.prom
metric_is() { [ "$(metric "$1")" = "$2" ]; }
metric_ge() { [ "$(metric "$1")" -ge "$2" ] 2>/dev/null; }
slaves_added() { grep -c "group 135: slave [^ ]* added$" "$1"; }

# 1. The default level: one line per group at start, not one per slave.
LOG=$TMP/default.log
ip netns exec $T-r "$NS_MONITOR" -m m0 -s 's1,d*' --learn-routes \
	--stats-file "$STATS" --stats-interval 1 >"$LOG" 2>&1 &
PID=$!
DAEMONS+=("$PID")
wait_for 5 logged "$LOG" "relaying NS" || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
check "start: no line per slave at the default level" \
	[ "$(slaves_added "$LOG")" = 0 ]
check "start: one summary line for the group (50 slaves, 1 master)" \
	[ "$(count_lines "$LOG" "group 135: 50 slave(s), 50 ready to be asked; 1 master(s)")" = 1 ]
veth r d50 z z50
check "later: a slave that comes is logged at the default level" \
	wait_for 3 logged "$LOG" "group 135: slave d50 added"
check "later: ...once" [ "$(slaves_added "$LOG")" = 1 ]

# 2. Gauges against what the kernel holds.
check "slaves gauge: 51 ready" \
	wait_for 3 metric_is 'ns_monitor_slaves{group="135",state="ready"}' 51
check "slaves gauge: none waiting" metric_is 'ns_monitor_slaves{group="135",state="waiting"}' 0
check "masters gauge: 1" metric_is 'ns_monitor_masters{group="135"}' 1
reach $X
reach $X2
check "X and X2 are learned behind s1" wait_for 8 eval "route_dev $X s1 && route_dev $X2 s1"
learned_matches() { [ "$(our_routes)" = 2 ] && metric_is ns_monitor_targets_learned 2; }
check "targets_learned is the number of routes installed (2)" wait_for 3 learned_matches
check "nothing in flight once they are learned" wait_for 5 metric_is ns_monitor_targets_in_flight 0
reach $NOBODY
check "an unanswered target is in flight meanwhile" wait_for 3 metric_ge ns_monitor_targets_in_flight 1
check "...and no longer once its hold-down ends" wait_for 10 eval \
	"metric_is ns_monitor_targets_in_flight 0 && metric_ge ns_monitor_unanswered_total 1"
# One table for the whole machine: its limits are the initial namespace's.
check "gc_thresh3 gauge is the kernel's" \
	metric_is ns_monitor_neighbor_table_gc_thresh3 "$(cat /proc/sys/net/ipv6/neigh/default/gc_thresh3)"
check "gc_thresh2 gauge is the kernel's" \
	metric_is ns_monitor_neighbor_table_gc_thresh2 "$(cat /proc/sys/net/ipv6/neigh/default/gc_thresh2)"
entries_sane() {
	local n
	n=$(metric ns_monitor_neighbor_table_entries)
	# At least X's and X2's entries on s1; never above the limit.
	[ "$n" -ge 2 ] 2>/dev/null && [ "$n" -le "$(metric ns_monitor_neighbor_table_gc_thresh3)" ]
}
check "neighbor_table_entries counts at least X's entries, at most gc_thresh3" entries_sane

# 3. The stats file passes promtool's lint, and the README lists exactly
#    the metrics the daemon writes.
check "promtool check metrics: no complaint" lint_ok
names_written() { sed -n 's/^# TYPE ns_monitor_\([a-z0-9_]*\) .*/\1/p' "$STATS" | sort -u; }
names_documented() {
	# The first column of the README's metric table, every name in it.
	awk '/^\| metric \| labels \|/ { on = 1; next } on && !/^\|/ { exit }
	     on { split($0, col, "|"); print col[2] }' "$README" |
		grep -o '`[a-z0-9_]*`' | tr -d '`' | sort -u
}
check "the README lists every metric written, and no other" \
	eval 'diff <(names_documented) <(names_written)'

# 4. The exit summary counts the routes the exit removes.
stop_daemon $PID 1
check "exit: no route of ours left" [ "$(our_routes)" = 0 ]
check "exit: the summary says the 2 routes removed" \
	logged "$LOG" "routes added 2, removed 2;"
check "exit: so does the final stats file" \
	eval 'metric_is ns_monitor_routes_added_total 2 && metric_is ns_monitor_routes_removed_total 2'

# 5. -v: each slave's line at start, and every line about a target or a
#    slave names its group.
LOG=$TMP/verbose.log
start_daemon r "$LOG" -m m0 -s 's1,d*' --learn-routes ||
	{ cat "$LOG"; echo "FAIL: daemon -v did not start"; exit 1; }
PID=$DAEMON_PID
check "-v: one line per slave at start (51)" [ "$(slaves_added "$LOG")" = 51 ]
# A new target (X and X2, still in the neighbor table, are adopted).
in_ns x ip -6 addr add $X3/128 dev x0 nodad
reach $X3
check "-v: X3 is learned" wait_for 8 logged "$LOG" "learned $X3 behind s1"
stop_daemon $PID 1
per_target() {
	grep -E "(probe|confirm) [0-9a-f:]+ on |NS for |(learned|forgot|adopted) [0-9a-f:]+ behind | moved behind |not routing |DAD for |a packet from |slave [a-z0-9]+[: ]" "$LOG"
}
check "-v: lines about targets and slaves were written" [ "$(per_target | grep -c .)" -ge 50 ]
check "-v: each of them names its group" not eval 'per_target | grep -v "^ns-monitor: group 135: "'

# 6. No line over 200 characters: in what this test logged, and in any
#    format string of the source (its conversions at a typical width).
long_lines() { awk 'length > 200 { print FILENAME ": " length ": " substr($0, 1, 80) }' "$TMP"/*.log; }
check "no line over 200 characters in this test's logs" eval '[ -z "$(long_lines)" ]'
check "no log format in src/ makes a line over 200 characters" \
	perl "$TOP/tests/tools/log_lengths.pl" 200 "$TOP"/src/*.c "$TOP"/src/*/*.c
summary
