#!/bin/bash
# A guest with the /64 on-link asks (its NS, seen on s1) for its neighbor
# on the same bridge, while a hostile guest behind s2 holds that address
# too. The bridge's slave is asked first, so the neighbor's answer is the
# one taken: the squatter gets no route, no proxy entry, no packet, and
# the asking guest is not answered by the daemon (its neighbor answers it).
#
#   U(u0) ---- m0 [R] s1 ---- b0 [B: bridge br0] b1 ---- w0 (W)
#   ::2/64   ::1/64   s2 ---- y0 (Y, holds W)    b2 ---- z0 (Z)
#   W, Z: /64 on-link, default via R's link-local on s1 (Docker's way)
. "$(dirname "$0")/lib.sh"
need_root

W=2001:db8:1::100
Z=2001:db8:1::101
UPSTREAM=2001:db8:1::2

for n in r u b w z y; do netns_add $n; done
veth r m0 u u0
veth r s1 b b0
veth r s2 y y0
veth b b1 w w0
veth b b2 z z0
in_ns b ip link add br0 type bridge
in_ns b ip link set br0 up
for p in b0 b1 b2; do in_ns b ip link set $p master br0; done
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $UPSTREAM/64 dev u0 nodad
in_ns w ip -6 addr add $W/64 dev w0 nodad
in_ns z ip -6 addr add $Z/64 dev z0 nodad
in_ns y ip -6 addr add $W/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
for g in w z; do in_ns $g ip -6 route add default via "$(link_local r s1)" dev ${g}0; done
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0
# What reaches the squatter for W, not counting the daemon's asks.
in_ns y nft -f - <<'NFT'
table inet seen {
	chain in {
		type filter hook prerouting priority 0; policy accept;
		ip6 daddr 2001:db8:1::100 ip6 saddr != fe80::/10 icmpv6 type echo-request counter comment "w"
	}
}
NFT
stolen() { nft_counter y seen in w; }
w_mac=$(in_ns w cat /sys/class/net/w0/address)

LOG=$TMP/bridge.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "daemon did not start"
check "Z reaches W, its neighbor on the bridge" wait_for 5 ping_ok z $W
check "...with W's own link-layer address" \
	eval "in_ns z ip -6 neigh show $W dev z0 | grep -q '$w_mac'"
check "W's slave s1 was asked for it" wait_for 3 logged "$LOG" "probe $W on s1"
check "W is learned behind s1, where it lives" wait_for 3 route_dev $W s1
check "...never behind the squatter's slave s2" not route_dev $W s2
check "the daemon did not answer Z for W" not logged "$LOG" "answered guest $Z's NS for $W"
check "R reaches W" ping_ok r $W
check "the upstream reaches W (proxy NDP on m0)" wait_for 5 ping_ok u $W
check "no packet for W reached the squatter" [ "$(stolen)" = 0 ]
check "SIGTERM exits within a second" stop_daemon "$DAEMON_PID" 1
check "nothing left behind" \
	eval "[ -z \"\$(in_ns r ip -6 route show proto 135)\" ] && [ -z \"\$(in_ns r ip -6 neigh show proxy)\" ]"
summary
