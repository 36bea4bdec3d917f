#!/bin/bash
# First contact (issue 11): a new guest behind a slave is found from its own
# signs before the host needs it, so the host's first connect() succeeds on
# its first SYN; and a guest cannot take another's route by sending from its
# address.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)   new addresses with DAD, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)   2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
# The guest behind s1 runs duplicate address detection, as a container or
# VM does: one NS from ::, and the address usable a second later.
in_ns x sysctl -qw net.ipv6.conf.x0.accept_dad=1 net.ipv6.conf.x0.dad_transmits=1
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

usable() { ! in_ns x ip -6 addr show dev x0 | grep -q "$1.*tentative"; }

# connect_once ADDR [NS]: one TCP connect from R (or NS) to ADDR port 7, one
# SYN: it gives up before the kernel would send a second one (1 s). Prints
# the ms.
connect_once() {
	in_ns "${2:-r}" python3 - "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(0.9)
t = time.monotonic()
try:
    s.connect((sys.argv[1], 7))
except OSError as e:
    print("failed after %.0f ms: %s" % ((time.monotonic() - t) * 1000, e))
    sys.exit(1)
print("%.1f" % ((time.monotonic() - t) * 1000))
PY
}
# listen NS ADDR [freebind]: accept TCP connections on ADDR port 7 in NS
# (background); freebind: ADDR need not exist yet.
listen() {
	in_ns "$1" python3 - "$2" "${3:-}" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if sys.argv[2] == "freebind":
    s.setsockopt(socket.SOL_IP, 15, 1)	# IP_FREEBIND
s.bind((sys.argv[1], 7))
s.listen(16)
s.settimeout(30)
try:
    while True:
        c, _ = s.accept()
        c.close()
except OSError:
    pass
PY
	LISTENERS+=($!)
}
LISTENERS=()
cleanup_listeners() { for p in "${LISTENERS[@]}"; do kill "$p" 2>/dev/null; done; }

LOG=$TMP/guests.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes || fail "daemon did not start"
PID=$DAEMON_PID

# 1. A new guest: its DAD is seen on s1, s1 alone is asked once DAD is over,
#    and the route is there before the host ever sends to it.
X1=2001:db8:1::101
in_ns x ip -6 addr add $X1/128 dev x0
check "new guest: its DAD NS is seen on s1" wait_for 3 logged "$LOG" "DAD for $X1 on s1"
check "new guest: its route appears without the host asking" wait_for 3 route_dev $X1 s1
check "new guest: only s1 was asked" not logged "$LOG" "probe $X1 on s2"
check "new guest: the host sent no NS for it on m0" not logged "$LOG" "NS for $X1 on m0"
wait_for 3 usable $X1
listen x $X1
wait_for 3 eval "in_ns x ss -ltn | grep -q ':7 '"
ms=$(connect_once $X1)
check "new guest: the host's first connect() succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]

# 1b. New guests, 10 of them, each connected to 0.1 s after its DAD ends
#     (its address no longer tentative): the daemon asks when DAD ends
#     and again 50 ms later if it found the address still tentative. The
#     listener is bound before the address exists (IP_FREEBIND).
ok=0
for k in 0 1 2 3 4 5 6 7 8 9; do
	a=2001:db8:1::3${k}0
	listen x "$a" freebind
	wait_for 3 eval "in_ns x ss -ltn | grep -q '\\[$a\\]:7 '"
	in_ns x ip -6 addr add $a/128 dev x0
	wait_for 3 logged "$LOG" "DAD for $a on s1"
	wait_for 3 usable $a
	sleep 0.1	# the scenario: a connect 0.1 s after DAD ended
	if out=$(connect_once $a); then ok=$((ok + 1)); else echo "  $a: $out"; fi
done
check "new guests: the first connect() 0.1 s after DAD ends succeeds ($ok of 10)" \
	[ "$ok" = 10 ]

# 2. A guest that sends first (address configured without DAD): the first
#    packet from its address is the sign.
X2=2001:db8:1::102
in_ns x ip -6 addr add $X2/128 dev x0 nodad
in_ns x ping -c1 -W1 -I $X2 "$(link_local r s1)%x0" >/dev/null 2>&1
check "talking guest: a packet from its address is seen on s1" \
	wait_for 3 logged "$LOG" "a packet from $X2 on s1"
check "talking guest: its route appears" wait_for 3 route_dev $X2 s1
listen x $X2
wait_for 3 eval "in_ns x ss -ltn | grep -q '\\[$X2\\]:7 '"
ms=$(connect_once $X2)
check "talking guest: the host's first connect() succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]

# 3. Y lives behind s2 and is learned there; the guest behind s1 sends from
#    Y's address: s1 is asked, its answer is a claim, Y answers behind s2,
#    the claim is refused and the route stays.
in_ns y ping -c1 -W1 -I $Y "$(link_local r s2)%y0" >/dev/null 2>&1
check "steal: Y learned behind s2 from its own packet" wait_for 3 route_dev $Y s2
in_ns x ip -6 addr add $Y/128 dev x0 nodad
in_ns x ping -c1 -W1 -I $Y "$(link_local r s1)%x0" >/dev/null 2>&1
check "steal: the packet from Y's address is seen on s1" \
	wait_for 3 logged "$LOG" "a packet from $Y on s1"
check "steal: the claim is refused" \
	wait_for 5 logged "$LOG" "not routing $Y behind s1: it still answers behind s2"
check "steal: Y keeps its route behind s2" route_dev $Y s2
check "steal: no move was made" not logged "$LOG" "$Y moved"
in_ns x ip -6 addr del $Y/128 dev x0

# 5. --queue: the host speaks first, to a target that never talked. Its
#    first SYN is held (NFQUEUE 135) instead of waiting on the master's
#    neighbor entry, the target is found behind s1, and the SYN leaves by
#    s1. Managed mode, with the shipped file as it is: the daemon adds the
#    hold chains itself (nft's queue statement where the kernel has it,
#    else the xtables NFQUEUE target, as here), and removes them at exit.
stop_daemon $PID 1
cleanup_listeners
RULES=$TOP/nft/ns-monitor.nft
in_ns r nft -f "$RULES"
in_ns r nft add element inet ns_monitor masters_135 '{ "m0" }'
in_ns r nft add element inet ns_monitor slaves_135 '{ "s1", "s2" }'
Z=2001:db8:1::150
in_ns x ip -6 addr add $Z/128 dev x0 nodad
listen x $Z
wait_for 3 eval "in_ns x ss -ltn | grep -q '\\[$Z\\]:7 '"
LOG=$TMP/queue.log
start_daemon r "$LOG" -g 135 --queue || fail "daemon with --queue did not start"
PID=$DAEMON_PID
check "--queue: the daemon added the hold chains to the operator's table" \
	eval "in_ns r nft list chain inet ns_monitor hold_135 >/dev/null 2>&1"
check "--queue: ... and says which verdict" logged "$LOG" "added the hold chains"
check "--queue: onlink_135 holds the master's prefix" \
	wait_for 3 eval "in_ns r nft list set inet ns_monitor onlink_135 | grep -qF 2001:db8:1::/64"
ms=$(connect_once $Z)
check "--queue: the host's first connect() to a silent target succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]
check "--queue: it was found behind s1" logged "$LOG" "learned $Z behind s1"
check "--queue: and is in located_135 now (its packets skip the queue)" \
	eval "in_ns r nft list set inet ns_monitor located_135 | grep -q '$Z'"
check "--queue: the first ping to the upstream on m0 is answered, not lost" \
	eval "in_ns r ping -c1 -W1 2001:db8:1::2 >/dev/null"
check "--queue: a clean exit" stop_daemon $PID 3
check "--queue: the hold chains it added are gone" \
	not eval "in_ns r nft list chain inet ns_monitor hold_135 >/dev/null 2>&1"
check "--queue: the operator's table and members stay" \
	eval "in_ns r nft list set inet ns_monitor slaves_135 | grep -q s2"
start_daemon r "$LOG.2" -g 135 --queue || fail "daemon with --queue did not start again"
PID=$DAEMON_PID
kill -KILL $PID; wait $PID 2>/dev/null
check "--queue: after SIGKILL traffic still flows (bypass)" \
	eval "in_ns r ping -c1 -W1 2001:db8:1::2 >/dev/null"
in_ns r nft delete table inet ns_monitor
cleanup_listeners

# 6. --queue in standalone mode: the daemon's own hold chains, for the
#    host's packets (output) and for those it forwards from a guest
#    (prerouting). Their verdict is nft's queue statement, or where the
#    kernel lacks it (CONFIG_NFT_QUEUE) the xtables NFQUEUE target.
LOG=$TMP/queue-standalone.log
W=2001:db8:1::160
V=2001:db8:1::161
in_ns x ip -6 addr add $W/128 dev x0 nodad
in_ns x ip -6 addr add $V/128 dev x0 nodad
listen x $W
listen x $V
wait_for 3 eval "in_ns x ss -ltn | grep -q '\\[$V\\]:7 '"
# The upstream answers Y through R (no proxy NDP here).
in_ns u ip -6 route add $Y/128 via 2001:db8:1::1 dev u0
in_ns r ip -6 neigh flush dev m0
start_daemon r "$LOG" -m m0 -s s1,s2 --queue || fail "standalone --queue did not start"
PID=$DAEMON_PID
check "standalone --queue: hold_queue_135 sends to NFQUEUE 135, bypass" \
	eval "in_ns r nft list chain inet ns_monitor hold_queue_135 2>/dev/null | grep -q 'queue num 135 bypass'"
check "standalone --queue: where nft has no queue statement, it says so" \
	eval "in_ns r nft -c add rule inet ns_monitor hold_queue_135 queue num 135 >/dev/null 2>&1 || logged '$LOG' 'xtables NFQUEUE target'"
ms=$(connect_once $W)
check "standalone --queue: the host's first connect() to a silent target succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]
ms=$(connect_once $V y)
check "standalone --queue: a guest's first connect() through the host to a silent target behind another slave succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]
check "... held on its way through (hold_fwd_135 counted it)" \
	eval "in_ns r nft list chain inet ns_monitor hold_fwd_135 | grep -q 'counter packets [1-9]'"
check "... and it left by s1, where $V was found" route_dev $V s1
check "standalone --queue: a guest's first ping to the upstream through the host is answered" \
	eval "in_ns y ping -c1 -W2 2001:db8:1::2 >/dev/null"
kill -KILL $PID; wait $PID 2>/dev/null
check "standalone --queue: after SIGKILL a guest's traffic still flows (bypass)" \
	eval "in_ns y ping -c1 -W1 2001:db8:1::2 >/dev/null"
start_daemon r "$LOG.2" -m m0 -s s1,s2 --queue || fail "standalone --queue did not start again"
stop_daemon $DAEMON_PID 1
check "standalone --queue: nothing of ours left" \
	eval "! in_ns r nft list table inet ns_monitor >/dev/null 2>&1 && ! in_ns r ip -6 rule | grep -q 28275 && [ -z \"\$(in_ns r ip -6 route show proto 135)\" ]"
cleanup_listeners

# 7. The upstream speaks first (--proxy-ndp): its NS for a target that never
#    talked is logged on m0, the target is found behind s1, the proxy entry
#    is added, and ns-monitor answers that NS itself. The kernel would answer
#    only the NS after the entry, the upstream's next try a second later:
#    the upstream's first connect() would need a second SYN.
T7=2001:db8:1::170
in_ns x ip -6 addr add $T7/128 dev x0 nodad
listen x $T7
wait_for 3 eval "in_ns x ss -ltn | grep -q '\\[$T7\\]:7 '"
#    Only while the host forwards (the kernel would answer nothing for the
#    entry else): started with forwarding off, turned on while it runs,
#    which the kernel's netconf events tell it.
T7B=2001:db8:1::171
in_ns x ip -6 addr add $T7B/128 dev x0 nodad
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=0
LOG=$TMP/upstream.log
start_daemon r "$LOG" -v -m m0 -s s1,s2 --learn-routes --proxy-ndp || fail "daemon with --proxy-ndp did not start"
PID=$DAEMON_PID
connect_once $T7B u >/dev/null
check "--proxy-ndp, forwarding off: the target's proxy entry is on m0" \
	wait_for 3 eval "in_ns r ip -6 neigh show proxy dev m0 | grep -q '$T7B'"
check "--proxy-ndp, forwarding off: the upstream's NS was not answered" \
	not logged "$LOG" "answered 2001:db8:1::2's NS for $T7B"
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
ms=$(connect_once $T7 u)
check "--proxy-ndp: the upstream's first connect() to a silent target succeeds on its first SYN ($ms ms)" \
	[ $? = 0 ]
check "--proxy-ndp: its NS was answered by ns-monitor" \
	logged "$LOG" "answered 2001:db8:1::2's NS for $T7"
check "--proxy-ndp: the target's proxy entry is on m0" \
	eval "in_ns r ip -6 neigh show proxy dev m0 | grep -q '$T7'"
stop_daemon $PID 1
cleanup_listeners

# 4. Without --learn-routes the signs are read and left alone.
LOG=$TMP/nolearn.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "daemon did not start"
PID=$DAEMON_PID
check "no learning: no chain for guests" \
	not eval "in_ns r nft list chain inet ns_monitor guests_135 >/dev/null 2>&1"
stop_daemon $PID 1
check "no route of ours is left" [ -z "$(in_ns r ip -6 route show proto 135)" ]

summary
