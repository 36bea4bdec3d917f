#!/bin/bash
# --queue holds only what waits for a resolution: a packet for the masters'
# on-link prefixes that nothing located yet. Internet destinations, the
# host's own multicast NS and Neighbor Discovery never wait; the upstream
# router waits once, for as long as its answer to the daemon's own NS takes,
# and then skips the queue; an address nobody answers for waits once.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)
#   2001:db8:1::2/64, and 2001:db8:ffff::1 (the "internet") behind it
#   R: 2001:db8:1::1/64 on m0, default via U's link-local address
. "$(dirname "$0")/lib.sh"
need_root

U=2001:db8:1::2
NET=2001:db8:ffff::1
X=2001:db8:1::100
NOBODY=2001:db8:1::dead

for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns u ip -6 addr add $NET/64 dev lo
in_ns x ip -6 addr add $X/128 dev x0 nodad
for p in "r m0" "r s1" "u u0"; do
	# shellcheck disable=SC2086
	wait_for 5 ll_ready $p || { echo "FAIL: link-local on $p"; exit 1; }
done
in_ns r ip -6 route add default via "$(link_local u u0)" dev m0
in_ns u ip -6 route add default via "$(link_local r m0)" dev u0
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

# held: packets the hold rule sent to the queue so far.
held() {
	in_ns r nft list chain inet ns_monitor hold_135 |
		sed -n 's/.*counter packets \([0-9]*\) .*goto hold_queue_135.*/\1/p'
}
onlink_has() { in_ns r nft list set inet ns_monitor onlink_135 | grep -qF "$1"; }

LOG=$TMP/hold.log
# A long --queue-wait: a wait that only it ends would show.
start_daemon r "$LOG" -m m0 -s s1 --queue --queue-wait 2000 ||
	fail "daemon did not start"
PID=$DAEMON_PID

check "onlink_135 holds the master's prefix" wait_for 3 onlink_has 2001:db8:1::/64
check "... and not the default route's" not onlink_has "::/0"

# 1. The internet: never held.
before=$(held)
check "internet: 10 pings answered" in_ns r ping -c 10 -i 0.05 -W 1 $NET
check "internet: none was held ($before -> $(held))" [ "$(held)" = "$before" ]

# 2. The upstream router on the master's link: its first packet is held
#    and the master asked; its answer ends the wait; then it skips.
before=$(held)
rtt=$(in_ns r ping -c 1 -W 3 $U | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
check "router: the first ping, held, is answered in ${rtt:-no} ms, not after --queue-wait" \
	eval "[ -n \"$rtt\" ] && [ \"\${rtt%.*}\" -lt 1000 ]"
check "router: the master was asked" logged "$LOG" "ask $U on master m0"
check "router: 20 more pings answered" in_ns r ping -c 20 -i 0.05 -W 1 $U
check "router: held once ($before -> $(held))" [ "$(held)" = $((before + 1)) ]
before=$(held)
check "router: later pings skip the queue" in_ns r ping -c 5 -i 0.05 -W 1 $U
check "router: none held ($before -> $(held))" [ "$(held)" = "$before" ]

# 3. The host's own NS: multicast, never held, and never a target.
in_ns r ping -c 1 -W 1 2001:db8:1::77 >/dev/null 2>&1
check "multicast NS: the daemon never asks for a solicited-node group" \
	not grep -q "probe ff02::\|ask ff02::" "$LOG"

# 4. Nobody answers: held once, released by --queue-wait, then it skips
#    while the kernel asks on the master itself.
before=$(held)
in_ns r ping -c 1 -W 3 $NOBODY >/dev/null 2>&1
check "nobody: the first packet was held ($before -> $(held))" [ "$(held)" = $((before + 1)) ]
before=$(held)
in_ns r ping -c 1 -W 1 $NOBODY >/dev/null 2>&1
check "nobody: the next one within 3 s skips the queue" [ "$(held)" = "$before" ]

# 5. A silent neighbor behind s1 is still held and found: first contact.
before=$(held)
check "silent X behind s1: the first ping is answered" in_ns r ping -c 1 -W 2 $X
check "silent X: held once ($before -> $(held))" [ "$(held)" = $((before + 1)) ]
check "silent X: learned behind s1" route_dev $X s1

check "the daemon exits cleanly" stop_daemon "$PID" 3
check "nothing left behind: no table" not eval "in_ns r nft list table inet ns_monitor >/dev/null 2>&1"
summary
