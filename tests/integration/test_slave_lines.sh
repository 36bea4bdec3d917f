#!/bin/bash
# What the log says when a slave comes and goes (a pattern, "v*"): one
# line each way, none that looks like an error; a slave whose link goes
# down and comes back gets a line each.
#
#   U(u0) ---- m0 [R] v1 ---- w1 (made and deleted by the test)
. "$(dirname "$0")/lib.sh"
need_root

netns_add r
netns_add u
veth r m0 u u0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad

# At the default level (start_daemon adds -v): what an operator reads.
LOG=$TMP/slaves.log
ip netns exec "$T-r" "$NS_MONITOR" -m m0 -s 'v*' >"$LOG" 2>&1 &
PID=$!
DAEMONS+=("$PID")
wait_for 5 grep -q 'relaying NS' "$LOG" || fail "daemon did not start"
about_v1() { grep -c 'slave v1' "$LOG"; }

in_ns r ip link add v1 type veth peer name w1
in_ns r ip link set v1 up
in_ns r ip link set w1 up
check "a slave that comes: said" wait_for 3 logged "$LOG" "slave v1 added"
wait_for 3 eval "in_ns r ip -6 route show table all dev v1 | grep -q 'table 1853'"
check "...in one line ($(about_v1))" [ "$(about_v1)" = 1 ]
check "...no warning about its egress route" not logged "$LOG" "egress route"

in_ns r ip link set w1 down
check "its link goes down: said" wait_for 3 logged "$LOG" "slave v1 is down"
in_ns r ip link set w1 up
check "and comes back: said" wait_for 3 logged "$LOG" "slave v1 is up"

in_ns r ip link del v1
check "a slave that goes: said" wait_for 3 logged "$LOG" "slave v1 removed"
check "...in one line, no error ($(about_v1) lines about v1 in all)" \
	[ "$(about_v1)" = 4 ]
check "...no 'No such process'" not logged "$LOG" "No such process"
check "the daemon exits cleanly" stop_daemon "$PID" 3
summary
