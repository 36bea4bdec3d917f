#!/bin/bash
# A Docker host without Docker: Docker 20.10's ip6tables rules ("ip6tables":
# true: FORWARD policy DROP, its chains, NAT66 MASQUERADE) loaded with
# ip6tables-nft into the router's namespace, a bridge laid out as Docker
# lays out a user network's, and a network that takes the master's whole
# /64 (the upstream router's address on its bridge).
#
#   U(u0) 2001:db8:1::1/64 ---- m0 [R] 2001:db8:1::10/64
#                                   br-5f3a0c9e1d2b 2001:db8:1:0:beef::1/80
#                                     +-- xb ---- x0(X) beef::2/80
#                                     +-- yb ---- y0(Y) beef::3/80
. "$(dirname "$0")/lib.sh"
need_root

BR=br-5f3a0c9e1d2b
X=2001:db8:1:0:beef::2
Y=2001:db8:1:0:beef::3
RULES=$(dirname "$0")/docker/ip6tables-20.10.rules

for n in r u x y; do netns_add $n; done
veth r m0 u u0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::10/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::1/64 dev u0 nodad
in_ns r ip -6 route add default via 2001:db8:1::1 dev m0
in_ns r ip link add $BR type bridge
in_ns r ip -6 addr add 2001:db8:1:0:beef::1/80 dev $BR nodad
in_ns r ip link set $BR up
for g in x y; do
	veth r ${g}b $g ${g}0
	in_ns r ip link set ${g}b master $BR
	in_ns $g ip -6 route add default via 2001:db8:1:0:beef::1 dev ${g}0 2>/dev/null
done
in_ns x ip -6 addr add $X/80 dev x0 nodad
in_ns y ip -6 addr add $Y/80 dev y0 nodad
in_ns x ip -6 route replace default via 2001:db8:1:0:beef::1 dev x0
in_ns y ip -6 route replace default via 2001:db8:1:0:beef::1 dev y0
wait_for 5 ll_ready r $BR || { echo "FAIL: link-local on $BR"; exit 1; }

in_ns r ip6tables-restore <"$RULES" || { echo "FAIL: loading Docker's rules"; exit 1; }
check "Docker's rules: FORWARD policy DROP in table ip6 filter" \
	eval 'in_ns r nft list chain ip6 filter FORWARD | grep -q "policy drop"'
check "Docker's rules: the containers are masqueraded" \
	eval 'in_ns r nft list table ip6 nat | grep -q masquerade'

ARGS=(-m m0 -s 'br-*' --proxy-ndp)

# 1. --check names the FORWARD chain, the rule to add, and Docker's setting.
out=$(in_ns r timeout 10 "$NS_MONITOR" --check "${ARGS[@]}"); rc=$?
check "--check exits 1 for Docker's FORWARD policy DROP" [ "$rc" = 1 ]
check "--check names chain FORWARD of table ip6 filter, m0 to br-*" \
	grep -q "^problem: group 135: firewall: chain FORWARD of table ip6 filter (hook forward, priority 0) drops packets forwarded from m0 to br-\*" <<<"$out"
check "--check gives the DOCKER-USER line to add" \
	grep -qF "ip6tables -I DOCKER-USER -i m0 -o br-+ -j ACCEPT" <<<"$out"
check "--check gives the nft rule to add" \
	grep -qF 'nft insert rule ip6 filter FORWARD iifname "m0" oifname "br-*" accept' <<<"$out"
check "--check names Docker's simpler setting" grep -qF '"ip6tables": false' <<<"$out"
[ "$rc" = 1 ] || echo "$out"

# 2. The daemon says it at start, and again when X is learned but dropped.
LOG=$TMP/drop.log
start_daemon r "$LOG" "${ARGS[@]}" || { cat "$LOG"; fail "daemon did not start"; }
PID=$DAEMON_PID
check "the daemon warns at start, naming the chain" \
	logged "$LOG" "group 135: firewall: chain ip6 filter FORWARD drops packets from m0 to br-*"
in_ns u ping -c1 -W2 $X >/dev/null 2>&1
rc=$?
check "with the drop the upstream cannot reach X" [ "$rc" != 0 ]
check "the daemon says X is learned but dropped" \
	wait_for 3 logged "$LOG" "learned $X behind $BR, but chain ip6 filter FORWARD drops packets from m0 to $BR"
check "it says it once for the episode" \
	eval '[ "$(count_lines "$LOG" "but chain ip6 filter FORWARD drops")" = 1 ]'
check "no log line over 200 characters" \
	eval '! awk "length > 200" "$LOG" | grep -q .'

# 3. The documented line: the upstream's first ping to Y is answered.
in_ns r ip6tables -I DOCKER-USER -i m0 -o br-+ -j ACCEPT
out=$(in_ns r timeout 10 "$NS_MONITOR" --check "${ARGS[@]}")
check "with the DOCKER-USER accept, --check finds no forward drop" \
	eval '! grep -q "hook forward" <<<"$out" && grep -q "^ok: group 135: firewall: none of" <<<"$out"'
check "with the DOCKER-USER accept, the upstream's first ping to Y is answered" \
	eval 'in_ns u ping -c1 -W3 $Y >/dev/null 2>&1'
stop_daemon $PID 2

# 4. The same with the accept inserted in FORWARD instead (older Docker).
in_ns r ip6tables -D DOCKER-USER -i m0 -o br-+ -j ACCEPT
in_ns r ip6tables -I FORWARD -i m0 -o br-+ -j ACCEPT
out=$(in_ns r timeout 10 "$NS_MONITOR" --check "${ARGS[@]}")
check "with -I FORWARD -i m0 -o br-+ -j ACCEPT, --check finds no forward drop" \
	eval '! grep -q "hook forward" <<<"$out"'

# 5. A network given the master's whole /64: Docker puts its first address,
#    the upstream router's, on the bridge.
WHOLE=br-0e1f2a3b4c5d
in_ns r ping -c1 -W1 2001:db8:1::1 >/dev/null	# the router, a neighbor on m0
in_ns r ip link add $WHOLE type bridge
in_ns r ip link set $WHOLE up
in_ns r ip -6 addr add 2001:db8:1::1/64 dev $WHOLE nodad
out=$(in_ns r timeout 10 "$NS_MONITOR" --check "${ARGS[@]}")
check "--check warns: the bridge holds the router's address" \
	grep -q "^warning: slave $WHOLE holds 2001:db8:1::1, in use on m0's link (a neighbor on m0" <<<"$out"
check "--check says which subnets are safe" grep -qF "give it a /80 inside the master's prefix" <<<"$out"
check "--check: the /80 network is not named" not grep -q "slave $BR " <<<"$out"
LOG=$TMP/whole.log
start_daemon r "$LOG" "${ARGS[@]}" || { cat "$LOG"; fail "daemon did not start"; }
check "the daemon warns at start about the bridge" \
	logged "$LOG" "group 135: slave $WHOLE holds 2001:db8:1::1, in use on m0's link"
check "no log line over 200 characters" eval '! awk "length > 200" "$LOG" | grep -q .'
stop_daemon $DAEMON_PID 2

summary
