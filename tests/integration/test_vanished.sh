#!/bin/bash
# A guest that vanishes without a word, after the kernel let go of its
# neighbor entry (a removed container, no traffic at all): its route and
# proxy entry go within 60 s, said once; a guest that stays idle but alive
# keeps them.
#
#   U(u0) ---- m0 [R] s1 ---- x0 (A: vanishes; B: stays, idle)
. "$(dirname "$0")/lib.sh"
need_root

A=2001:db8:1::181
B=2001:db8:1::182

for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $A/128 dev x0 nodad
in_ns x ip -6 addr add $B/128 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

LOG=$TMP/vanished.log
start_daemon r "$LOG" -m m0 -s s1 --proxy-ndp || fail "daemon did not start"
PID=$DAEMON_PID
proxied() { in_ns r ip -6 neigh show proxy | grep -q "$1"; }

for g in $A $B; do
	in_ns x ping -c1 -W1 -I $g "$(link_local r s1)%x0" >/dev/null 2>&1
	check "$g learned behind s1, proxied on m0" \
		wait_for 3 eval "route_dev $g s1 && proxied $g"
done
# The kernel lets go of both entries (as its garbage collector does when
# they idle); then A's container is removed.
in_ns r ip -6 neigh flush dev s1
in_ns x ip -6 addr del $A/128 dev x0
t0=$(date +%s)
check "vanished: A's route and proxy entry go within 60 s" \
	wait_for 60 eval "! route_dev $A s1 && ! proxied $A"
echo "  (after $(( $(date +%s) - t0 )) s)"
check "vanished: said once" \
	eval "[ \"\$(count_lines "$LOG" "forgot $A behind s1: it vanished")\" = 1 ]"
check "alive: B, idle, keeps its route and proxy entry" \
	eval "route_dev $B s1 && proxied $B"
check "alive: and is reached" ping_ok r $B
check "the daemon exits cleanly" stop_daemon "$PID" 3
summary
