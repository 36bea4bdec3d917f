#!/bin/bash
# Closing the loop: learned /128 routes, proxy NDP for the upstream, moves,
# interfaces that come and go, and no leaks.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)  2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

X=2001:db8:1::100
Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

our_routes() { in_ns r ip -6 route show proto 135 table all | grep -v 'table 1853' ; }
our_proxies() { in_ns r ip -6 neigh show proxy | grep -q .; }
no_leftovers() { [ -z "$(our_routes)" ] && ! our_proxies; }

# A ping queued on a neighbor entry an earlier step left INCOMPLETE on m0
# dies with it; the next one starts a fresh resolution, which is relayed.
learn_y() { wait_for 8 eval "ping_ok r $Y; route_dev $Y s2"; }

LOG=$TMP/learn.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID

# 1. The upstream reaches a host that never talked to anyone (Y), through
#    proxy NDP on m0 and the route learned from the upstream's NS.
check "Y is not learned yet" not route_dev $Y s2
check "the upstream reaches Y through the router" wait_for 10 ping_ok u $Y
check "Y/128 dev s2 was learned from the upstream's NS" route_dev $Y s2

# 2. The router's first attempt fails (X is routed via m0); the route via
#    s1 appears within 3 s and the next attempt succeeds.
check "the first attempt to reach X fails" not ping_ok r $X
check "X/128 dev s1 is learned within 3 s" wait_for 3 route_dev $X s1
check "the next attempt reaches X" ping_ok r $X
check "a proxy entry for X on m0" wait_for 2 eval "in_ns r ip -6 neigh show proxy | grep -q '$X dev m0'"
check "proxy_ndp turned on on m0" [ "$(proxy_ndp)" = 1 ]

# 3. A neighbor entry deleted (as garbage collection does) is asked again,
#    and the route stays while X answers.
in_ns r ip -6 neigh del $X dev s1
check "a deleted entry is probed again" wait_for 3 eval "[ \$(count_lines '$LOG' 'probe $X on s1') -ge 2 ]"
# Asked with our own NS: X's answer keeps the route, without a kernel entry.
check "...X answers and keeps its route past the answer window (3 s)" \
	not wait_while 4 route_dev $X s1
check "...the route is still there" route_dev $X s1

# 4. X moves from behind s1 to behind s2: the route follows.
in_ns r sysctl -qw net.ipv6.neigh.s1.base_reachable_time_ms=500 \
	net.ipv6.neigh.s1.delay_first_probe_time=1 net.ipv6.neigh.s1.retrans_time_ms=200
in_ns x ip -6 addr del $X/128 dev x0
in_ns y ip -6 addr add $X/128 dev y0 nodad
moved() { ping_ok r $X; route_dev $X s2; }
check "X moved behind s2: the route follows" wait_for 20 moved
check "...and the log says so" grep -qE "($X moved|learned $X) behind s2" "$LOG"

# 5. SIGTERM leaves no route or proxy entry of ours, and proxy_ndp as it was.
check "SIGTERM exits within a second" stop_daemon $PID 1
check "no route or proxy entry of ours after SIGTERM" no_leftovers
check "proxy_ndp turned off again" [ "$(proxy_ndp)" = 0 ]

# 6. SIGKILL, then a restart: the leftovers go within 2 s of the start.
LOG=$TMP/killed.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "daemon did not start"
learn_y
kill -KILL $DAEMON_PID; wait $DAEMON_PID 2>/dev/null
check "a killed run leaves its routes" not no_leftovers
LOG=$TMP/restart.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "daemon did not restart"
PID=$DAEMON_PID
check "the leftovers are gone within 2 s of the restart" wait_for 2 no_leftovers

# 7. A slave that goes down is not probed; back up, it is.
in_ns r ip link set dev s2 down
reach 2001:db8:1::50
check "with s2 down, the other slave is asked" \
	wait_for 5 logged "$LOG" "probe 2001:db8:1::50 on s1"
check "...and the down slave is not" not logged "$LOG" "probe 2001:db8:1::50 on s2"
in_ns r ip link set dev s2 up
wait_for 5 ll_ready r s2
reach 2001:db8:1::51
check "back up, the slave is probed again" wait_for 5 logged "$LOG" "probe 2001:db8:1::51 on s2"

# 8. s2 deleted and re-created (a new ifindex): new targets are probed on it.
in_ns r ip link del dev s2
check "the deletion is noticed" wait_for 2 logged "$LOG" "slave s2: interface deleted"
veth r s2 y y0
in_ns y ip -6 addr add $Y/128 dev y0 nodad
wait_for 5 ll_ready r s2
reach $Y
check "the re-created s2 is probed (Y found behind it)" \
	wait_for 5 reachable_on $Y s2

# 8b. Renamed: s2 renamed away is no longer probed; an interface renamed to
#     s2 is. SIGHUP re-reads everything and the daemon carries on.
in_ns r ip link set dev s2 down
in_ns r ip link set dev s2 name s2old
check "a renamed slave is noticed" wait_for 2 logged "$LOG" "slave s2: interface renamed"
in_ns r ip link set dev s2old name s2
in_ns r ip link set dev s2 up
wait_for 5 ll_ready r s2
kill -HUP $PID
check "SIGHUP is logged" wait_for 2 logged "$LOG" "SIGHUP: reading"
reach 2001:db8:1::52
check "renamed back, it is probed again" wait_for 5 logged "$LOG" "probe 2001:db8:1::52 on s2"
stop_daemon $PID 1
check "clean at the end" no_leftovers

# 9. --keep-routes leaves learned routes at exit; the next start purges them.
LOG=$TMP/keep.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes --keep-routes || fail "daemon did not start"
learn_y
stop_daemon $DAEMON_PID 1
check "--keep-routes: the learned route stays after SIGTERM" route_dev $Y s2
LOG=$TMP/after-keep.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "daemon did not start"
check "...and the next start removes it" wait_for 2 not route_dev $Y s2
stop_daemon $DAEMON_PID 1

# 10. A slave without a link-local address (like tun or WireGuard) is probed
#     from the address the kernel picks, and that is logged once.
in_ns r ip link add name s3 type veth peer name s3p
in_ns r ip link set dev s3 addrgenmode none
in_ns r ip link set dev s3p up
in_ns r ip link set dev s3 up
LOG=$TMP/nolinklocal.log
start_daemon r "$LOG" -m m0 -s s1,s3 || fail "daemon did not start"
reach 2001:db8:1::60
reach 2001:db8:1::61
check "a slave without link-local address is still probed" \
	wait_for 5 eval "logged '$LOG' 'probe 2001:db8:1::60 on s3' && logged '$LOG' 'probe 2001:db8:1::61 on s3'"
check "...and that is logged once" \
	[ "$(count_lines "$LOG" "slave s3: no usable link-local address")" = 1 ]
stop_daemon $DAEMON_PID 1

# 11-13. A restart with --learn-routes adopts what the kernel knows: the
#     routes an earlier run left (killed, or --keep-routes) and usable
#     neighbor entries on the slaves, each asked again (verify: 3 s).
# Steps above moved X away and re-created s2: X back behind s1, Y routed.
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 route replace default via "$(link_local r s2)" dev y0
learn_x() { wait_for 8 eval "ping_ok r $X; route_dev $X s1"; }
# Route events in r from now on; ready once a marker route shows up.
MON=$TMP/routes.mon
watch_routes() {
	: >"$MON"
	# Not through in_ns: $! must be the monitor, not a subshell.
	ip netns exec "$T-r" ip -6 monitor route >"$MON" 2>&1 &
	MONPID=$!
	in_ns r ip -6 route add 2001:db8:ffff::1/128 dev lo
	wait_for 5 grep -q 2001:db8:ffff::1 "$MON"
	in_ns r ip -6 route del 2001:db8:ffff::1/128 dev lo
}
unwatch_routes() { kill "$MONPID" 2>/dev/null; wait "$MONPID" 2>/dev/null; }
removed_ever() { grep -q "^Deleted $1 " "$MON"; }
# Stays for longer than the verify window: never removed, not only back.
stays() { not wait_while 5 route_dev "$1" "$2" && not removed_ever "$1"; }

# 11. After SIGKILL: Y's route is kept across the restart, and the host's
#     first ping after it goes through.
LOG=$TMP/adopt-killed.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not start"
learn_y
kill -KILL $DAEMON_PID; wait $DAEMON_PID 2>/dev/null
watch_routes
LOG=$TMP/adopt-restart.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not restart"
check "after SIGKILL, the first ping to Y after the restart succeeds" ping_ok r $Y
check "...Y's route is adopted" logged "$LOG" "adopted $Y behind s2"
check "...and kept past the verify window, never removed" stays $Y s2
unwatch_routes
stop_daemon $DAEMON_PID 1
check "...and SIGTERM still removes it" no_leftovers

# 12. After a --keep-routes exit: Y (alive) is kept and reached at once; X,
#     gone meanwhile, is forgotten within the verify window.
LOG=$TMP/adopt-keep.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes --keep-routes || fail "daemon did not start"
learn_x
learn_y
stop_daemon $DAEMON_PID 1
in_ns x ip -6 addr del $X/128 dev x0
watch_routes
LOG=$TMP/adopt-after-keep.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not restart"
check "after --keep-routes, the first ping to Y after the restart succeeds" ping_ok r $Y
check "...X's route is adopted too" logged "$LOG" "adopted $X behind s1"
check "...X (gone) is forgotten within the verify window (3 s)" \
	wait_for 5 eval "! route_dev $X s1 && logged '$LOG' 'forgot $X behind s1: did not answer when asked again'"
check "...Y (alive) is kept, never removed" stays $Y s2
unwatch_routes
stop_daemon $DAEMON_PID 1

# 13. A usable neighbor entry on a slave, made by the host talking to X
#     through a route added by hand, is adopted at start: the route appears
#     without any NS.
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns r ip -6 route add $X/128 dev s1
check "X reached through a route added by hand" wait_for 3 ping_ok r $X
in_ns r ip -6 route del $X/128 dev s1
check "...which leaves a usable entry for X on s1" \
	eval "in_ns r ip -6 neigh show $X dev s1 | grep -qE 'REACHABLE|STALE|DELAY|PROBE'"
LOG=$TMP/adopt-neigh.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not start"
check "the entry is adopted at start: X/128 dev s1" wait_for 2 route_dev $X s1
check "...without any NS for X" not logged "$LOG" "NS for $X"
check "...X answers: kept past the verify window" not wait_while 5 route_dev $X s1
check "...and the first ping goes through" ping_ok r $X
stop_daemon $DAEMON_PID 1
check "clean at the end" no_leftovers

# 14. A usable entry for X behind two slaves (a guest can make one for
#     another's address): neither is adopted, the next NS decides.
in_ns r ip -6 neigh replace $X lladdr 02:00:00:00:00:01 dev s2 nud stale
check "X has a usable entry on s1 still" \
	eval "in_ns r ip -6 neigh show $X dev s1 | grep -qE 'REACHABLE|STALE|DELAY|PROBE'"
LOG=$TMP/adopt-twice.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not start"
# (X may still be learned a moment later, from its answer on s1 to the
# kernel's own probe: the guests chain sees that packet. Not adopted, here.)
check "an entry behind two slaves is not adopted" \
	eval "logged '$LOG' 'not adopting $X: usable behind two slaves' && ! logged '$LOG' 'adopted $X'"
check "...and never routed behind the slave of the made-up entry" not route_dev $X s2
stop_daemon $DAEMON_PID 1
in_ns r ip -6 neigh del $X dev s2

# 15. A learned route deleted from outside (ip route del) comes back while
#     X is learned there; the daemon's own removals do not; deleted again
#     and again, it is given up rather than fought over.
METRIC=$((1024 + 135))	# --route-metric's default + the group
LOG=$TMP/outside.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not start"
PID=$DAEMON_PID
learn_x
restored() { count_lines "$LOG" "route $X/128 dev s1 was deleted from outside"; }
in_ns r ip -6 route del $X/128 dev s1 proto 135 metric $METRIC
check "a learned route deleted from outside comes back within 2 s" wait_for 2 route_dev $X s1
check "...the log says it was deleted from outside and added again" [ "$(restored)" = 1 ]
check "...and X answers a ping again" ping_ok r $X

# SIGHUP compares learned state with the kernel's routes. Stopped while
# the route goes, the daemon finds it missing by whichever comes first,
# the route event or the SIGHUP, and restores it once.
kill -STOP $PID
in_ns r ip -6 route del $X/128 dev s1 proto 135 metric $METRIC
kill -HUP $PID
kill -CONT $PID
check "SIGHUP: the route deleted while stopped is back within 2 s" wait_for 2 route_dev $X s1
check "...restored once, by the event or the SIGHUP's check" \
	wait_for 2 eval "[ \$(( \$(restored) + \$(count_lines '$LOG' 'checked against the kernel: 1 restored') )) = 2 ]"
# A route of ours the daemon does not hold (left by hand or by another run
# of the group), to Z behind s2, which never talked: SIGHUP adopts it and
# asks Z again.
Z=2001:db8:1::202
in_ns y ip -6 addr add $Z/128 dev y0 nodad
in_ns r ip -6 route add $Z/128 dev s2 proto 135 metric $METRIC
kill -HUP $PID
check "SIGHUP adopts a route of ours it did not hold" \
	wait_for 2 logged "$LOG" "adopted $Z behind s2"
check "...Z answers: kept past the verify window" not wait_while 5 route_dev $Z s2

# Deleted once more after 3 restores within 60 s: X is forgotten, said once.
in_ns r ip -6 route del $X/128 dev s1 proto 135 metric $METRIC
check "a third deletion is restored too" wait_for 2 eval "route_dev $X s1 && [ \$(restored) -ge 2 ]"
in_ns r ip -6 route del $X/128 dev s1 proto 135 metric $METRIC
check "a fourth deletion within the minute is given up, and said" \
	wait_for 2 logged "$LOG" "forgot $X behind s1: its route was deleted from outside again after 3 restores within 60 s"
check "...the route stays gone" not wait_for 2 route_dev $X s1
check "...and the next NS for X learns it anew" learn_x

# The daemon's own removal (X gone, forgotten when it does not answer) is
# not undone.
before=$(restored)
in_ns x ip -6 addr del $X/128 dev x0
in_ns r ip -6 neigh del $X dev s1
check "X gone: forgotten by the daemon within 5 s" \
	wait_for 5 eval "! route_dev $X s1 && logged '$LOG' 'forgot $X behind s1: did not answer when asked again'"
check "...its own removal is not taken for one from outside" \
	not wait_for 2 eval "route_dev $X s1 || [ \$(restored) != $before ]"
check "SIGTERM exits within a second" stop_daemon $PID 1
check "...and leaves no route of ours" no_leftovers
in_ns x ip -6 addr add $X/128 dev x0 nodad

summary
