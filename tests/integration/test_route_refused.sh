#!/bin/bash
# A route the kernel refuses, known only once its ack is read (routes are
# written without waiting): the engine hears of it as an event and
# forgets the target, counted and logged, and never fights for it.
# Made real with IPv6 turned off on the slave: the kernel removes the
# learned route, the daemon puts it back, and the kernel refuses that
# ("IPv6 is disabled on nexthop device").
#
#   U(u0) ---- m0 [R] s1 ---- x0 (X)
. "$(dirname "$0")/lib.sh"
need_root

X=2001:db8:1::191

for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

LOG=$TMP/refused.log
STATS=$TMP/ns-monitor.prom
start_daemon r "$LOG" -m m0 -s s1 --proxy-ndp \
	--stats-file "$STATS" --stats-interval 1 || fail "daemon did not start"
proxied() { in_ns r ip -6 neigh show proxy | grep -q "$X"; }
one_failure() { [ "$(metric ns_monitor_route_failures_total)" = 1 ]; }

in_ns x ping -c1 -W1 -I $X "$(link_local r s1)%x0" >/dev/null 2>&1
check "X learned behind s1, proxied on m0" \
	wait_for 3 eval "route_dev $X s1 && proxied"
check "no route refused yet" [ "$(count_lines "$LOG" "could not be")" = 0 ]

in_ns r sysctl -qw net.ipv6.conf.s1.disable_ipv6=1
check "the refusal read from the ack forgets X, with the reason" \
	wait_for 5 logged "$LOG" "forgot $X behind s1: its route was deleted from outside and could not be added again"
check "the kernel's error is logged" \
	logged "$LOG" "route $X/128 dev s1: Permission denied"
check "counted: route_failures_total 1" \
	wait_for 3 one_failure
check "X's proxy entry is removed with it" wait_for 3 eval '! proxied'
check "no route of ours is left for X" \
	[ -z "$(in_ns r ip -6 route show "$X/128" proto 135)" ]
check "said once, not fought over" \
	[ "$(count_lines "$LOG" "could not be added again")" = 1 ]
check "the daemon is still running" kill -0 "$DAEMON_PID"
summary
