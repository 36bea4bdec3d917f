#!/bin/bash
# Security: what an adversarial sweep found, as tests. Each section starts
# its own daemon and leaves the topology as it found it.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)  2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

U=2001:db8:1::2
X=2001:db8:1::100
Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
r_ll() { in_ns r ip -6 addr show dev "$1" scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p'; }
in_ns x ip -6 route add default via "$(r_ll s1)" dev x0
in_ns y ip -6 route add default via "$(r_ll s2)" dev y0

ping_ok() { in_ns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
route_dev() { in_ns r ip -6 route show "$1/128" proto 135 | grep -q "dev $2 "; }
logged() { grep -qF -- "$2" "$1"; }

# --- sections below; each ends with its daemons stopped ---

# --- spoofed claims: a location is learned only from an answer to our own
#     probe, never for an address that answers on a master, and a conflicting
#     claim never moves a route while the current location answers ---
LOG=$TMP/claims.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "claims: daemon did not start"
PID=$DAEMON_PID
# The guest behind s1 takes the upstream's address and answers for it.
in_ns x ip -6 addr add $U/128 dev x0 nodad
check "claims: the router reaches the upstream" ping_ok r $U
check "claims: the guest's answer for the upstream is refused" \
	wait_for 3 logged "$LOG" "not routing $U behind s1: it answers on master m0"
check "claims: no route for the upstream's address behind s1" wait_while 3 route_dev $U s1
check "claims: no proxy entry for the upstream's address" \
	not eval "in_ns r ip -6 neigh show proxy | grep -q '$U '"
check "claims: the router still reaches the upstream" ping_ok r $U
in_ns x ip -6 addr del $U/128 dev x0

# Y is learned behind s2; the guest behind s1 then makes an entry for Y on
# s1 with its own NS from Y, and confirms it with a solicited NA of its own.
check "claims: Y is reached and learned behind s2" wait_for 5 eval "ping_ok r $Y && route_dev $Y s2"
in_ns x ip -6 addr add $Y/128 dev x0 nodad
in_ns x ping -c1 -W1 -I $Y "$(r_ll s1)%x0" >/dev/null 2>&1
in_ns x python3 - "$Y" "$(r_ll s1)" <<'PY'
import socket, struct, sys
y, router = sys.argv[1], sys.argv[2]
mac = open('/sys/class/net/x0/address').read().strip()
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
s.bind((y, 0))
# Neighbor advertisement, solicited and override, for Y, with x0's MAC.
na = struct.pack('!BBHI16sBB6s', 136, 0, 0, 0x60000000,
                 socket.inet_pton(socket.AF_INET6, y), 2, 1,
                 bytes.fromhex(mac.replace(':', '')))
s.sendto(na, (router, 0, 0, socket.if_nametoindex('x0')))
PY
check "claims: the guest's NA made Y REACHABLE on s1" \
	eval "in_ns r ip -6 neigh show $Y dev s1 | grep -q REACHABLE"
check "claims: Y keeps its route behind s2" not wait_while 2 route_dev $Y s2
check "claims: no move was made" not logged "$LOG" "$Y moved"
in_ns x ip -6 addr del $Y/128 dev x0
kill -USR1 $PID
check "claims: refused claims are counted" \
	wait_for 2 eval "grep -qE 'claims refused [1-9]' '$LOG'"
check "claims: SIGTERM exits within a second" stop_daemon $PID 1

# --- two instances: a start purges only its own group's leftovers ---
in_ns r ip link add name m1 type veth peer name m1p
in_ns r ip link add name s3 type veth peer name s3p
for i in m1 m1p s3 s3p; do in_ns r ip link set dev $i up; done
LOG=$TMP/first.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "two: first daemon did not start"
FIRST=$DAEMON_PID
check "two: the first instance learns X" wait_for 5 eval "ping_ok r $X && route_dev $X s1"
check "two: its route carries group 135's metric (1024 + 135)" \
	eval "in_ns r ip -6 route show $X/128 proto 135 | grep -q 'metric 1159'"
LOG=$TMP/second.log
start_daemon r "$LOG" -g 136 -m m1 -s s3 --proxy-ndp || fail "two: second daemon did not start"
SECOND=$DAEMON_PID
check "two: the second instance left the first one's route" route_dev $X s1
check "two: ...and its proxy entry" eval "in_ns r ip -6 neigh show proxy | grep -q '$X dev m0'"
check "two: the first instance still relays" wait_for 5 eval "ping_ok r $X"
kill -KILL $FIRST; wait $FIRST 2>/dev/null
stop_daemon $SECOND 1
check "two: the second's exit left the first one's leftovers" route_dev $X s1
LOG=$TMP/first-again.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "two: first daemon did not restart"
check "two: the first group's restart removes its leftovers" wait_for 2 not route_dev $X s1
check "two: ...and its proxy entry" \
	wait_for 2 not eval "in_ns r ip -6 neigh show proxy | grep -q '$X dev m0'"
stop_daemon $DAEMON_PID 1
in_ns r ip link del m1; in_ns r ip link del s3

# --- keep-alive: learned targets asked again after a neighbor flush (as a
#     GC sweep does) are not starved by a flood of new targets ---
NS_FLOOD=${NS_FLOOD:-$(cd "$(dirname "$0")/../.." && pwd)/build/default/ns_flood}
N=30
for i in $(seq $N); do echo "addr add 2001:db8:1::1:$i/128 dev x0 nodad"; done |
	in_ns x ip -batch -
LOG=$TMP/keepalive.log
start_daemon r "$LOG" -m m0 -s s1 --learn-routes || fail "keep-alive: daemon did not start"
PID=$DAEMON_PID
learned() { [ "$(in_ns r ip -6 route show proto 135 | grep -c '^2001:db8:1::1:')" -eq "$1" ]; }
PINGS=()
for i in $(seq $N); do in_ns r ping -c1 -W2 2001:db8:1::1:$i >/dev/null 2>&1 & PINGS+=($!); done
check "keep-alive: $N targets learned" wait_for 5 learned $N
wait "${PINGS[@]}"
reachable() { [ "$(in_ns r ip -6 neigh show dev s1 | grep -c '^2001:db8:1::1:.* REACHABLE')" -eq "$1" ]; }
# New targets at about 1,000 a second for 2 s: the relay's own budget
# (100 a second) stays empty the whole time.
(for i in $(seq 20); do
	in_ns r "$NS_FLOOD" m0 2001:db8:1::1 2001:db8:1:0:e:$i:: 100 >/dev/null
	sleep 0.1
done) &
FLOOD=$!
wait_for 3 eval "[ \$(in_ns r nft list chain inet ns_monitor output_135 | sed -n 's/.*counter packets \([0-9]*\).*/\1/p') -ge 300 ]"
in_ns r ip -6 neigh flush dev s1
check "keep-alive: every learned target is asked again and answers" wait_for 4 reachable $N
wait $FLOOD
check "keep-alive: all $N routes are kept" learned $N
stop_daemon $PID 1
for i in $(seq $N); do echo "addr del 2001:db8:1::1:$i/128 dev x0"; done | in_ns x ip -batch -

summary
