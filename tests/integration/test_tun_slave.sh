#!/bin/bash
# A slave without link-layer addresses: a tun device, as a VPN or a tunnel
# gives a host. There is no Neighbor Discovery on such a link, so targets
# are asked there with an echo request, and never with an NS of ours; what
# answers is learned as behind any slave, under the same trust rules.
#
#   U(u0) ---- m0 [R] t1 ==tun== t1 (X)   X: addresses from the master's
#   2001:db8:1::2/64                          /64, default route dev t1
#   R: 2001:db8:1::1/64 on m0, default via U's link-local address
. "$(dirname "$0")/lib.sh"
need_root

TUN_PAIR=${TUN_PAIR:-$(dirname "$NS_MONITOR")/build/default/tun_pair}
U=2001:db8:1::2
U2=2001:db8:1::3	# another address of the upstream, not talked to yet
X1=2001:db8:1::a1	# the host's first contact
X2=2001:db8:1::a2	# the upstream's first contact
X3=2001:db8:1::a3	# announced by a packet of its own

for n in r u x; do netns_add $n; done
veth r m0 u u0
"$TUN_PAIR" -T 300 "$T-r" t1 "$T-x" t1 >"$TMP/tun.out" 2>&1 &
TUN_PID=$!
DAEMONS+=("$TUN_PID")
wait_for 5 grep -q ready "$TMP/tun.out" || { echo "FAIL: tun pair: $(cat "$TMP/tun.out")"; exit 1; }
in_ns r ip link set dev t1 up
in_ns x ip link set dev t1 up
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns u ip -6 addr add $U2/64 dev u0 nodad preferred_lft 0	# never a source
for a in $X1 $X2 $X3; do in_ns x ip -6 addr add "$a/128" dev t1 nodad; done
in_ns x ip -6 route add default dev t1
for l in "r m0" "r t1" "u u0"; do
	# shellcheck disable=SC2086
	wait_for 5 ll_ready $l || { echo "FAIL: link-local on $l"; exit 1; }
done
in_ns r ip -6 route add default via "$(link_local u u0)" dev m0

# What arrives on X's t1: echo requests from R's link-local address (our
# asks), and any NS at all (there must be none: the link has no layer 2).
in_ns x nft -f - <<'EOF'
table inet seen {
	chain in {
		type filter hook input priority 0; policy accept;
		iifname "t1" ip6 saddr fe80::/10 icmpv6 type echo-request counter comment "ask"
		iifname "t1" icmpv6 type nd-neighbor-solicit counter comment "ns"
		iifname "t1" ip6 daddr 2001:db8:1::3 ip6 saddr != fe80::/10 icmpv6 type echo-request counter comment "stolen"
	}
}
EOF
seen() { nft_counter x seen in "$1"; }
not_ours() { ! in_ns r ip -6 route show "$1/128" proto 135 | grep -q .; }
# answered NS ADDR [PING ARGS]: one ping from NS, answered within 3 s.
answered() { in_ns "$1" ping -c1 -W3 "${@:3}" "$2" >/dev/null 2>&1; }
# unresolved DEV: R's INCOMPLETE or FAILED neighbor entries there.
unresolved() {
	in_ns r ip -6 neigh show dev "$1" |
		awk "$AWK_STATE"' state() == "INCOMPLETE" || state() == "FAILED" { n++ } END { print n + 0 }'
}
proxied() { in_ns r ip -6 neigh show proxy dev m0 | grep -q "^$1 "; }

LOG=$TMP/tun.log
start_daemon r "$LOG" -m m0 -s t1 --queue --proxy-ndp || fail "daemon did not start"
PID=$DAEMON_PID
check "t1 is ready to be asked, though it has no link-layer address" \
	logged "$LOG" "slave t1: ifindex"

# 1. The host's first packet to a target behind the tunnel: held, asked
#    on t1 with an echo request, released by t1 once the target answers.
check "host: the first ping to $X1 is answered" \
	answered r $X1
check "host: $X1 is routed dev t1, by a route of ours" route_dev $X1 t1
check "host: t1 was asked with an echo request from R's link-local address" \
	eval '[ "$(seen ask)" -ge 1 ]'
check "host: the echo left no unresolved neighbor entry on t1 (no ND there)" \
	eval "[ \"\$(unresolved t1)\" = 0 ]"

# 2. The upstream's first contact: its NS on m0 is relayed, the target
#    found behind t1, proxied on m0 and answered.
check "upstream: the first ping to $X2 is answered" \
	answered u $X2
check "upstream: $X2 is routed dev t1 and proxied on m0" \
	eval "route_dev $X2 t1 && proxied $X2"

# 3. An address the peer starts to use is learned from its first packet
#    (there is no DAD to see on such a link), and the upstream reaches it.
check "sign: $X3's first ping to the upstream is answered" \
	answered x $U -I $X3
check "sign: $X3 is learned behind t1" wait_for 3 route_dev $X3 t1
check "sign: the upstream reaches $X3" ping_ok u $X3

# 4. A hostile peer takes an address of the upstream's and answers for
#    it: the upstream answers on m0 too, and the claim is refused.
in_ns x ip -6 addr add $U2/128 dev t1 nodad
check "hostile: R reaches the upstream's $U2 all the same" \
	answered r $U2
check "hostile: the peer's claim on it is refused" \
	wait_for 3 logged "$LOG" "not routing $U2 behind t1: it answers on master m0"
check "hostile: no route of ours for it" not_ours $U2
check "hostile: none of R's packets to it went to the peer" \
	eval '[ "$(seen stolen)" = 0 ]'
check "hostile: and no proxy entry for it" not proxied $U2
in_ns x ip -6 addr del $U2/128 dev t1

check "no NS was ever written on t1" eval '[ "$(seen ns)" = 0 ]'
check "the daemon exits cleanly" stop_daemon "$PID" 5
check "exit: no route of ours is left" \
	not eval "in_ns r ip -6 route show proto 135 | grep -q ."
check "exit: no proxy entry is left" \
	not eval "in_ns r ip -6 neigh show proxy | grep -q ."
check "exit: the table is gone" \
	not eval "in_ns r nft list table inet ns_monitor >/dev/null 2>&1"
kill -TERM "$TUN_PID" && wait "$TUN_PID"
summary
