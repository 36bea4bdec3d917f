#!/bin/bash
# Asking with our own NS (nd_send.c) and reading its NA (answer.c), against the
# kernel: the answer comes back on the slave, and no neighbor entry for the
# target is made on the asking host, answered or not.
#
#   [r] s1 ---- g0 [g]  T 2001:db8:1::10 (nodad)
#
# nd_ask (tests/tools) uses the daemon's own nd_send.c and answer.c.
. "$(dirname "$0")/lib.sh"
need_root

ND_ASK=${ND_ASK:-$TOP/build/default/nd_ask}
[ -x "$ND_ASK" ] || { echo "FAIL: $ND_ASK missing: make build/default/nd_ask"; exit 1; }

TGT=2001:db8:1::10
ABSENT=2001:db8:1::99
FORGED=2001:db8:1::f
CONTROL=2001:db8:1::c

netns_add r
netns_add g
veth r s1 g g0
in_ns g ip -6 addr add $TGT/64 dev g0 nodad
# g checks s1's link-local again 1 s (not 5) after answering: what that
# leaves in r is then seen without a long wait.
in_ns g sysctl -qw net.ipv6.neigh.g0.delay_first_probe_time=1
for p in "r s1" "g g0"; do
	# shellcheck disable=SC2086 # namespace and device
	wait_for 5 ll_ready $p || { echo "FAIL: link-local on $p not ready"; exit 1; }
done
S1_LL=$(link_local r s1)
G0_LL=$(link_local g g0)
# Every entry, NOARP ones too (an IPv6 socket sending to a group makes
# one), but the kernel's own for MLD reports (ff02::16), made at link up.
neigh_r() { in_ns r ip -6 neigh show nud all dev s1 | grep -v '^ff02::16 '; }
no_entry() { [ -z "$(in_ns "$1" ip -6 neigh show nud all "$2")" ]; }
ask() { in_ns r "$ND_ASK" "$@"; }
# NS that reached g0, counted before anything drops them (a group g0 did
# not join is dropped before ICMPv6 sees it).
in_ns g nft -f - <<'NFT'
table inet t {
	chain pre {
		type filter hook prerouting priority 0;
		iifname "g0" icmpv6 type nd-neighbor-solicit counter comment "ns"
	}
}
NFT
ns_seen() { nft_counter g t pre ns; }

# --- the NA for T comes back, reported on s1 with target T ---
OUT=$TMP/ask.log
ask -w 2000 s1 $TGT >"$OUT" 2>&1
check "ask: T answered (exit 0)" test $? -eq 0
check "ask: reported as an NA on s1 for T" grep -qx "na s1 $TGT" "$OUT"
check "ask: counted as one NA" grep -q "nas=1 malformed=0 unsolicited=0" "$OUT"
# g learned s1's link-local from the NS's source link-layer option, answered,
# and checked it again (DELAY, then a unicast NS from g0's link-local): only
# then has r seen all the asking makes it see.
check "ask: g has an entry for s1's link-local, reachable" \
	wait_for 5 eval "in_ns g ip -6 neigh show $S1_LL dev g0 | grep -q REACHABLE"
check "ask: no entry for T in r" no_entry r $TGT
echo "entries in r after the ask: $(in_ns r ip -6 neigh show nud all dev s1 | tr '\n' ';')"
echo "entries in g after the ask: $(in_ns g ip -6 neigh show nud all dev g0 | tr '\n' ';')"
# The one entry r may hold: g0's link-local, made by g's own unicast NS.
check "ask: r holds no entry but g0's link-local (and MLD's ff02::16)" \
	eval "[ -z \"\$(neigh_r | grep -v '^$G0_LL ')\" ]"
check "ask: none unresolved in r" not eval "neigh_r | grep -qE 'INCOMPLETE|FAILED'"

# --- an absent target: no answer within the wait, no entry ---
before=$(ns_seen)
ask -w 1000 s1 $ABSENT >"$OUT" 2>&1
check "absent: no answer (exit 1)" test $? -eq 1
check "absent: nothing reported" not grep -q "^na " "$OUT"
check "absent: the NS reached g0" test "$(ns_seen)" -eq $((before + 1))
check "absent: no entry for it in r" no_entry r $ABSENT
check "absent: none unresolved in r" not eval "neigh_r | grep -qE 'INCOMPLETE|FAILED'"

# --- forged NAs from g are not reported: hop limit 64, no S flag, S flag to
#     a multicast group; nor is a good one for a link-local target (g0's
#     own, as g answers the kernel's checks of it), dropped by the socket's
#     filter before it is read; a good one after them ends the wait ---
LISTEN=$TMP/listen.log
ip netns exec "$T-r" "$ND_ASK" -l -w 5000 s1 $CONTROL >"$LISTEN" 2>&1 &
LPID=$!
check "forged: the listener is ready" wait_for 5 grep -qx ready "$LISTEN"
in_ns g python3 - "$S1_LL" $FORGED $CONTROL "$G0_LL" <<'PY'
import socket, struct, sys
dst, forged, control, link_local = sys.argv[1:5]
ifindex = socket.if_nametoindex('g0')
mac = bytes.fromhex(open('/sys/class/net/g0/address').read().strip().replace(':', ''))
def na(target, flags):
    # type 136, code 0, checksum (the kernel's), flags, target, TLLA option
    return struct.pack('!BBHI16sBB6s', 136, 0, 0, flags << 24,
                       socket.inet_pton(socket.AF_INET6, target), 2, 1, mac)
def send(target, flags, hops, to):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
    s.sendto(na(target, flags), (to, 0, 0, ifindex))
    s.close()
send(forged, 0x60, 64, dst)       # solicited, but from off-link
send(forged, 0x20, 255, dst)      # on-link, but not solicited
send(forged, 0x60, 255, 'ff02::1')  # "solicited", to a group
send(link_local, 0x60, 255, dst)  # good, but for a link-local target
send(control, 0x60, 255, dst)     # a good one: the listener stops
PY
check "forged: the listener saw the good NA and stopped" wait_while 5 alive $LPID
wait $LPID
check "forged: the good NA was reported" grep -qx "na s1 $CONTROL" "$LISTEN"
check "forged: none of the forged ones was reported" not grep -q "$FORGED" "$LISTEN"
check "forged: hop limit 64 counted as malformed" grep -q "malformed=1 " "$LISTEN"
check "forged: no S flag and multicast counted as unsolicited" \
	grep -q "unsolicited=2$" "$LISTEN"
check "forged: the link-local target's NA was not reported" not grep -qi "na s1 $G0_LL" "$LISTEN"
check "forged: only the good NA was read (the link-local one never was)" \
	grep -q "nas=1 malformed=1 unsolicited=2$" "$LISTEN"

# --- asked about a link-local target (--link-local), its NA is read ---
ip netns exec "$T-r" "$ND_ASK" -l -w 5000 s1 "$G0_LL" >"$LISTEN" 2>&1 &
LPID=$!
check "link-local: the listener is ready" wait_for 5 grep -qx ready "$LISTEN"
send_na g g0 "$S1_LL" "$G0_LL"
check "link-local: the listener saw the NA and stopped" wait_while 5 alive $LPID
wait $LPID
check "link-local: the NA for g0's link-local was reported" grep -qix "na s1 $G0_LL" "$LISTEN"

# --- 100 asks for 100 absent targets leave no entry ---
before=$(ns_seen)
entries=$(neigh_r | wc -l)
ask -n 100 s1 2001:db8:1::1:0 >"$OUT" 2>&1
check "hundred: 100 asked, none failed" grep -q "^asked 100 failed 0 " "$OUT"
check "hundred: all 100 reached g0" test "$(ns_seen)" -eq $((before + 100))
check "hundred: no entry for them in r" \
	not eval "in_ns r ip -6 neigh show nud all | grep -q '^2001:db8:1::1:'"
check "hundred: r holds as many entries as before ($entries)" test "$(neigh_r | wc -l)" -eq "$entries"
check "hundred: none in g either" \
	not eval "in_ns g ip -6 neigh show nud all | grep -q '^2001:db8:1::1:'"

# --- the cost of an ask: 10,000 for absent targets, back to back ---
ask -n 10000 s1 2001:db8:1::2:0 >"$OUT" 2>&1
check "cost: 10000 asked, none failed" grep -q "^asked 10000 failed 0 " "$OUT"
echo "cost: $(cat "$OUT")"
check "cost: r holds as many entries as before ($entries)" test "$(neigh_r | wc -l)" -eq "$entries"

summary
