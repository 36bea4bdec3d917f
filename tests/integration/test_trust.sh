#!/bin/bash
# Trust: a guest gets only its own addresses. A hostile guest behind s1
# claims an internet address, then the upstream router's; a guest that
# moves is followed, talking or silent.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)   guests with DAD, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)   default via R
#   R: 2001:db8:1::1/64 on m0, default via U's link-local address
. "$(dirname "$0")/lib.sh"
need_root
ND_ASK=${ND_ASK:-$TOP/build/default/nd_ask}
[ -x "$ND_ASK" ] || { echo "FAIL: $ND_ASK missing: make build/default/nd_ask"; exit 1; }

U=2001:db8:1::2

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns u ip -6 addr add 2001:db8:ffff::1/64 dev lo
# Guests run duplicate address detection, as containers and VMs do.
for g in x y; do
	in_ns $g sysctl -qw net.ipv6.conf.${g}0.accept_dad=1 \
		net.ipv6.conf.${g}0.dad_transmits=1
done
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
wait_for 5 ll_ready r m0 || { echo "FAIL: link-local on m0"; exit 1; }
wait_for 5 ll_ready u u0 || { echo "FAIL: link-local on u0"; exit 1; }
# As routers are usually reached: by their link-local address. R then has
# no entry for the router's global address, unless it talks to it.
in_ns r ip -6 route add default via "$(link_local u u0)" dev m0
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

# the route R would take for ADDR now: "dev m0" or "dev s1", and how.
route_get() { in_ns r ip -6 route get "$1" 2>/dev/null | head -1; }
via_router() { route_get "$1" | grep -q "via fe80.* dev m0"; }
not_ours() { ! in_ns r ip -6 route show "$1/128" proto 135 | grep -q .; }
tentative() { in_ns "$1" ip -6 addr show dev "$2" | grep "$3" | grep -q tentative; }

LOG=$TMP/trust.log
STATS=$TMP/stats.prom
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp --stats-file "$STATS" \
	--stats-interval 1 ||
	fail "daemon did not start"
PID=$DAEMON_PID

# 1. An internet address on the guest's interface: its DAD is seen, and
#    the claim refused: the host resolves it via the router, not on-link.
NET=2001:db8:ffff::53
check "internet address: R routes it via the router" via_router $NET
in_ns x ip -6 addr add $NET/128 dev x0
check "internet address: the guest's claim is refused (scope)" \
	wait_for 4 logged "$LOG" "not routing $NET behind s1: the host does not resolve it on-link on a master"
wait_for 3 not tentative x x0 $NET
check "internet address: no route of ours for it" not_ours $NET
check "internet address: R still routes it via the router" via_router $NET
check "internet address: no proxy entry for it on m0" \
	not eval "in_ns r ip -6 neigh show proxy | grep -q $NET"
in_ns x ip -6 addr del $NET/128 dev x0

# 2. The upstream router's address, while R has no entry for it (the
#    default route uses it, but entries come and go): the masters are
#    asked too, the router answers on m0, the claim is refused.
in_ns r ip -6 neigh flush dev m0
in_ns x ip -6 addr add $U/128 dev x0
check "router's address: the guest's DAD is seen on s1" \
	wait_for 3 logged "$LOG" "DAD for $U on s1"
check "router's address: asked on master m0" \
	wait_for 3 logged "$LOG" "ask $U on master m0"
check "router's address: refused, it answers on m0" \
	wait_for 4 logged "$LOG" "not routing $U behind s1: it answers on master m0"
wait_for 3 not tentative x x0 $U
check "router's address: no route of ours for it" not_ours $U
check "router's address: s1 was never asked for it" not logged "$LOG" "probe $U on s1"
check "router's address: R's ping reaches the router" ping_ok r $U
check "router's address: still R's route to it is m0" \
	eval "route_get $U | grep -q 'dev m0'"
in_ns x ip -6 addr del $U/128 dev x0

# 3. A guest that moves and talks: X is learned behind s1, leaves, comes
#    up behind s2 and sends a packet: the route follows within 2 s.
X=2001:db8:1::150
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns x ping -c1 -W1 -I $X "$(link_local r s1)%x0" >/dev/null 2>&1
check "move: X learned behind s1" wait_for 3 route_dev $X s1
in_ns x ip -6 addr del $X/128 dev x0
in_ns y ip -6 addr add $X/128 dev y0 nodad
t0=$(date +%s%N)
in_ns y ping -c1 -W1 -I $X "$(link_local r s2)%y0" >/dev/null 2>&1
wait_for 5 route_dev $X s2
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "move: followed to s2 within 2 s of its first packet there ($ms ms)" \
	eval "route_dev $X s2 && [ $ms -le 2000 ]"
check "move: the log says it moved" logged "$LOG" "$X moved behind s2"
check "move: R reaches X behind s2" ping_ok r $X

# 4. A silent move: X leaves s2 for s1 and says nothing; the host keeps
#    talking to it. Its entry on s2 goes stale, then probes; X is found
#    behind s1 within 8 s of the host's first packet after the move.
in_ns y ip -6 addr del $X/128 dev y0
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns r ip -6 neigh change $X dev s2 nud stale 2>/dev/null
t0=$(date +%s%N)
in_ns r ping -i 0.2 -c 60 -W1 $X >/dev/null 2>&1 &
PINGER=$!
wait_for 10 route_dev $X s1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill "$PINGER" 2>/dev/null; wait "$PINGER" 2>/dev/null
check "silent move: found behind s1 within 8 s ($ms ms)" \
	eval "route_dev $X s1 && [ $ms -le 8000 ]"
check "silent move: R reaches X behind s1" ping_ok r $X

# 5. Counted by reason (the stats file is written every second).
at_least() { local v; v=$(metric "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
check "counted: claims refused for scope" \
	wait_for 3 at_least 'ns_monitor_claims_refused_total{reason="scope"}' 1
check "counted: claims refused for the master's answer" \
	wait_for 3 at_least 'ns_monitor_claims_refused_total{reason="master"}' 1
check "counted: signs per slave" \
	wait_for 3 at_least 'ns_monitor_guest_signs_by_slave_total{group="135",slave="s1",kind="taken"}' 1
check "counted: asks on the master" \
	wait_for 3 at_least 'ns_monitor_master_asks_total{group="135",master="m0",outcome="sent"}' 1

check "the daemon exits cleanly" stop_daemon "$PID" 3
check "nothing left behind: routes" \
	eval "[ -z \"\$(in_ns r ip -6 route show proto 135 table all | grep -v 'table 1853')\" ]"
check "nothing left behind: proxies" not eval "in_ns r ip -6 neigh show proxy | grep -q ."

# 6. Squatting, and bindings against it. V is the address of a tenant
#    behind s2 that has not come up yet; the guest behind s1 takes it
#    first. Without bindings it keeps it (first come); with V bound to s2
#    the squatter is refused and V's owner gets it when it comes.
V=2001:db8:1::160
W=2001:db8:1::170
LOG2=$TMP/trust-bind.log
start_daemon r "$LOG2" -m m0 -s s1,s2 --learn-routes --bind "s2=$V" ||
	fail "daemon with --bind did not start"
PID=$DAEMON_PID
in_ns x ip -6 addr add $V/128 dev x0 nodad
in_ns x ping -c1 -W1 -I $V "$(link_local r s1)%x0" >/dev/null 2>&1
check "binding: the squatter's claim is refused" \
	wait_for 3 logged "$LOG2" "not routing $V behind s1: the bindings put it behind another slave"
check "binding: no route to the squatter" not_ours $V
in_ns x ip -6 addr del $V/128 dev x0
in_ns y ip -6 addr add $V/128 dev y0 nodad
in_ns y ping -c1 -W1 -I $V "$(link_local r s2)%y0" >/dev/null 2>&1
check "binding: the owner behind s2 is learned" wait_for 3 route_dev $V s2
check "binding: R reaches the owner" ping_ok r $V
# s2 is bound: it may claim only its own.
in_ns y ip -6 addr add $W/128 dev y0 nodad
in_ns y ping -c1 -W1 -I $W "$(link_local r s2)%y0" >/dev/null 2>&1
check "binding: a bound slave's claim on another address is refused" \
	wait_for 3 logged "$LOG2" "not routing $W behind s2: the bindings put it behind another slave, or bind s2 to other addresses"
check "binding: no route for it" not_ours $W
check "the daemon with --bind exits cleanly" stop_daemon "$PID" 3

# 7. A neighbor entry planted while the daemon is down. N lives on the
#    master's link (U holds it). The guest behind s1 adds N's address and
#    sends R one NS from it, with its own link-layer address (for R's
#    link-local address; nd_ask, tests/tools): R makes a STALE entry for
#    N on s1, as RFC 4861 says it must. At the next start that entry is no proof: the masters are asked
#    first, N answers on m0, and s1 never gets N. G, an honest guest
#    behind s2 with an entry there (made the same way), is learned as a
#    new guest is.
N=2001:db8:1::77
G=2001:db8:1::180
in_ns u ip -6 addr add $N/64 dev u0 nodad
in_ns x ip -6 addr add $N/128 dev x0 nodad
in_ns y ip -6 addr add $G/128 dev y0 nodad
in_ns r ip -6 neigh flush dev m0
in_ns x "$ND_ASK" -s $N -w 100 x0 "$(link_local r s1)" >/dev/null
in_ns y "$ND_ASK" -s $G -w 100 y0 "$(link_local r s2)" >/dev/null
usable_on() { neigh_state "$1" "$2" | grep -qE 'REACHABLE|STALE|DELAY|PROBE'; }
check "planted: R has a usable entry for N on s1" usable_on $N s1
check "planted: and for G on s2" usable_on $G s2
LOG3=$TMP/trust-planted.log
start_daemon r "$LOG3" -m m0 -s s1,s2 --proxy-ndp ||
	fail "daemon did not start after the planting"
PID=$DAEMON_PID
check "planted: N asked on master m0 at start" 	wait_for 3 logged "$LOG3" "ask $N on master m0"
check "planted: refused, it answers on m0" 	wait_for 3 logged "$LOG3" "not routing $N behind s1: it answers on master m0"
check "planted: never adopted" not logged "$LOG3" "adopted $N"
check "planted: no route of ours for N" not_ours $N
check "planted: no proxy entry for N on m0" 	not eval "in_ns r ip -6 neigh show proxy | grep -q '$N '"
check "planted: R reaches N on m0" eval "ping_ok r $N && route_get $N | grep -q 'dev m0'"
check "planted: G, the honest guest, is learned behind s2" wait_for 3 route_dev $G s2
check "planted: and reached there" ping_ok r $G
check "the daemon after the planting exits cleanly" stop_daemon "$PID" 3

# 8. One slave cannot take every learned route. --max-learned 20, two
#    slaves: past 10 routes in all, a slave gets no more than its share of
#    10. The guest behind s1 claims 24 addresses (one packet from each, a
#    sign each); G behind s2 is still learned afterwards.
LOG4=$TMP/trust-share.log
start_daemon r "$LOG4" -m m0 -s s1,s2 --learn-routes --max-learned 20 ||
	fail "daemon with --max-learned did not start"
PID=$DAEMON_PID
x_ll=$(link_local r s1)
for k in $(seq 1 24); do
	in_ns x ip -6 addr add 2001:db8:1::5:$k/128 dev x0 nodad
	in_ns x "$ND_ASK" -s 2001:db8:1::5:$k -w 20 x0 "$x_ll" >/dev/null
done
routes_behind() { in_ns r ip -6 route show proto 135 dev "$1" | grep -c .; }
check "share: the squatter's slave gets its share of 10 routes" 	wait_for 5 eval '[ "$(routes_behind s1)" = 10 ]'
check "share: said once" 	eval '[ "$(count_lines "$LOG4" "slave s1 has its share of learned routes, 10")" = 1 ]'
G2=2001:db8:1::181
in_ns y ip -6 addr add $G2/128 dev y0 nodad
in_ns y "$ND_ASK" -s $G2 -w 20 y0 "$(link_local r s2)" >/dev/null
check "share: a guest behind s2 is still learned" wait_for 3 route_dev $G2 s2
check "share: and reached there" ping_ok r $G2
check "share: never more than 10 behind s1" [ "$(routes_behind s1)" = 10 ]
check "the daemon with --max-learned exits cleanly" stop_daemon "$PID" 3
for k in $(seq 1 24); do in_ns x ip -6 addr del 2001:db8:1::5:$k/128 dev x0; done
summary
