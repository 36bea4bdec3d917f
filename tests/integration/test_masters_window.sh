#!/bin/bash
# The masters' window: a hostile guest answers within microseconds, a
# neighbor on the master's link after a round trip there. A guest's answer
# is taken only once the masters have had their time to answer, so that it
# cannot win by speed an address of the master's link: not one the
# upstream asks for (its NS is not ours, so the masters are asked too),
# nor one whose first packet the host holds (--queue). An honest guest is
# still found, and its first packet goes to it.
#
#   N(n0) ---.
#            br0 [U] u0 ---- m0 [R] s1 ---- x0 (X, hostile)
#   2001:db8:1::2/64             s2 ---- g0 (G)
#   R: 2001:db8:1::1/64 on m0, default via U's link-local address
. "$(dirname "$0")/lib.sh"
need_root

U=2001:db8:1::2
U2=2001:db8:1::3	# the upstream's too, never a source: not talked to
N=2001:db8:1::77	# another host on the master's link
G=2001:db8:1::200	# an honest guest behind s2

for n in r u n x g; do netns_add $n; done
veth r m0 u u0
veth n n0 u un
in_ns u ip link add br0 type bridge
in_ns u ip link set u0 master br0
in_ns u ip link set un master br0
in_ns u ip link set br0 up
veth r s1 x x0
veth r s2 g g0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev br0 nodad
in_ns u ip -6 addr add $U2/64 dev br0 nodad preferred_lft 0
in_ns n ip -6 addr add $N/64 dev n0 nodad
in_ns g ip -6 addr add $G/128 dev g0 nodad
# X takes the addresses of others on the master's link.
in_ns x ip -6 addr add $N/128 dev x0 nodad
in_ns x ip -6 addr add $U2/128 dev x0 nodad
for l in "r m0" "r s1" "r s2" "u br0"; do
	# shellcheck disable=SC2086
	wait_for 5 ll_ready $l || { echo "FAIL: link-local on $l"; exit 1; }
done
in_ns r ip -6 route add default via "$(link_local u br0)" dev m0
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns g ip -6 route add default via "$(link_local r s2)" dev g0

# What reaches X: the host's and the upstream's packets for the addresses
# it took (echo requests not from a link-local address: not our asks).
in_ns x nft -f - <<'EOF'
table inet seen {
	chain in {
		type filter hook input priority 0; policy accept;
		ip6 daddr 2001:db8:1::3 ip6 saddr != fe80::/10 icmpv6 type echo-request counter comment "u2"
		ip6 daddr 2001:db8:1::77 ip6 saddr != fe80::/10 icmpv6 type echo-request counter comment "n"
	}
}
EOF
stolen() { nft_counter x seen in "$1"; }
not_ours() { ! in_ns r ip -6 route show "$1/128" proto 135 | grep -q .; }
proxied() { in_ns r ip -6 neigh show proxy dev m0 | grep -q "^$1 "; }
# answered NS ADDR: one ping from NS, answered within 3 s.
answered() { in_ns "$1" ping -c1 -W3 "$2" >/dev/null 2>&1; }
mac_of() { in_ns "$1" cat "/sys/class/net/$2/address"; }

LOG=$TMP/window.log
start_daemon r "$LOG" -m m0 -s s1,s2 --queue --proxy-ndp || fail "daemon did not start"
PID=$DAEMON_PID

# 1. The upstream asks for N, a neighbor of its own link: N answers the
#    upstream, not the host, so the masters are asked too, and X, which
#    answers first, is refused when N answers R's NS.
check "upstream: its ping to N is answered" answered u $N
check "upstream: X's claim on N is refused, it answers on m0" \
	wait_for 3 logged "$LOG" "not routing $N behind s1: it answers on master m0"
check "upstream: no route of ours for N" not_ours $N
check "upstream: no proxy entry for N on m0" not proxied $N
check "upstream: the daemon never answered the upstream for N" \
	not logged "$LOG" "answered $U's NS for $N"
check "host: its ping to N is answered" answered r $N
check "host: ...by N itself (its entry on m0 has N's address)" \
	eval "in_ns r ip -6 neigh show $N dev m0 | grep -q \"$(mac_of n n0)\""
check "none of the packets for N reached X" eval '[ "$(stolen n)" = 0 ]'

# 2. The host's first packet to U2, held (--queue): the masters are asked
#    with it, and X's faster answer waits for them.
check "held: the host's ping to U2 is answered" answered r $U2
check "held: X's claim on U2 is refused, it answers on m0" \
	wait_for 3 logged "$LOG" "not routing $U2 behind s1: it answers on master m0"
check "held: no route of ours for U2" not_ours $U2
check "held: none of the host's packets for U2 reached X" \
	eval '[ "$(stolen u2)" = 0 ]'

# 3. An honest guest is found all the same, once the window ends, and
#    the host's first packet (held meanwhile) goes to it.
check "honest: the host's first ping to G is answered" answered r $G
check "honest: G is routed dev s2" route_dev $G s2
check "honest: the upstream reaches G" answered u $G

check "the daemon exits cleanly" stop_daemon "$PID" 5
check "exit: no route of ours is left" \
	not eval "in_ns r ip -6 route show proto 135 | grep -q ."
summary
