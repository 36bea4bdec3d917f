#!/bin/bash
# NFQUEUE hold (issue 11, --queue), proven against the kernel with the
# daemon's own hold.c (tests/tools/nfq_hold), not with the daemon:
#   - a held SYN, released with HOLD_TO_SLAVE after X/128 dev s1 is
#     installed, is routed again and leaves through s1: the connect succeeds
#     on its first SYN; released HOLD_UNCHANGED it keeps the master's route
#   - a held ping to the upstream, released unchanged, is not lost
#   - fail open: no process bound (bypass), a SIGKILLed holder, a full queue
#   - a destination in located_G is never queued (counters)
#   - the cost of one hold + verdict round trip
#
#        u (upstream)  --- m0 [ r ] s1 ---  x (2001:db8:1::100, ::101)
#        2001:db8:1::2     2001:db8:1::1/64 on-link via m0
#
# This kernel may lack nft's queue expression (CONFIG_NFT_QUEUE): the queue
# rule is then the xt NFQUEUE target through nft_compat, put by
# ip6tables-nft in table ip6 mangle (a type route chain at priority mangle,
# the place nftctl_queue_commands()' chain takes), with the located set and
# its skip rule added there by nft. The kernel path is the same.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root

NFQ_HOLD=${NFQ_HOLD:-$(dirname "$NS_MONITOR")/nfq_hold}
TCP_PROBE=${TCP_PROBE:-$(dirname "$NS_MONITOR")/tcp_probe}
G=135
X=2001:db8:1::100
X2=2001:db8:1::101
UP=2001:db8:1::2

netns_add r
netns_add u
netns_add x
veth r m0 u u0
veth r s1 x x0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns r ip -6 addr add fe80::1/64 dev s1 nodad
in_ns u ip -6 addr add $UP/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns x ip -6 addr add $X2/128 dev x0 nodad
in_ns x ip -6 route add default via fe80::1 dev x0

# Queue rule: what leaves by the master for the prefix, but not located.
in_ns r ip6tables-nft -t mangle -A OUTPUT -o m0 -d 2001:db8:1::/64 \
	-j NFQUEUE --queue-num $G --queue-bypass || exit 1
in_ns r nft add set ip6 mangle located_$G '{ type ipv6_addr; flags timeout; }' || exit 1
in_ns r nft insert rule ip6 mangle OUTPUT ip6 daddr @located_$G counter accept || exit 1

in_ns x "$TCP_PROBE" listen :: 80 >"$TMP/listen.out" 2>&1 &
wait_for 5 grep -q listening "$TMP/listen.out" || { fail "listener"; summary; exit 1; }

queued() { in_ns r nft list chain ip6 mangle OUTPUT 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\) .*queue.*/\1/p'; }
skipped() { in_ns r nft list chain ip6 mangle OUTPUT 2>/dev/null | sed -n 's/.*@located.*counter packets \([0-9]*\) .*/\1/p'; }

# start_hold [MAX_LEN]: the holder, commands through fd 3.
HOLD_PID=
start_hold() {
	rm -f "$TMP/cmd" "$TMP/hold.out"
	mkfifo "$TMP/cmd"
	exec 3<>"$TMP/cmd"
	ip netns exec "$T-r" "$NFQ_HOLD" $G "${1:-16}" mangle <"$TMP/cmd" >"$TMP/hold.out" 2>&1 3>&- &
	HOLD_PID=$!
	DAEMONS+=("$HOLD_PID")
	wait_for 5 grep -q ready "$TMP/hold.out"
}
stop_hold() { exec 3>&-; wait_while 5 alive "$HOLD_PID"; }
held_count() { grep -c '^held' "$TMP/hold.out"; }
held_at_least() { [ "$(held_count)" -ge "$1" ]; }
lines_at_least() { [ "$(grep -c "$2" "$TMP/hold.out")" -ge "$1" ]; }
# held_id N: the id of the Nth packet held, once it is there.
held_id() { wait_for 5 held_at_least "$1" && grep '^held' "$TMP/hold.out" | sed -n "$1p" | cut -d' ' -f2; }

# 1. The mechanism: a held SYN, routed again after the route appears.
check "holder binds queue $G" start_hold
in_ns r "$TCP_PROBE" connect $X 80 2000 >"$TMP/c1.out" &
cpid=$!
id=$(held_id 1)
check "the first SYN to X is held (dst X, via m0)" \
	grep -q "^held $id $X $(in_ns r cat /sys/class/net/m0/ifindex)\$" "$TMP/hold.out"
in_ns r ip -6 route add $X/128 dev s1
echo "slave $id" >&3
wait "$cpid"
cat "$TMP/c1.out"; sed "s/^/  hold: /" "$TMP/hold.out"
check "released HOLD_TO_SLAVE: connect succeeds" grep -q '^connected' "$TMP/c1.out"
check "on the first SYN (no retransmission)" grep -q 'retrans 0 ' "$TMP/c1.out"
us=$(sed -n 's/.*us \([0-9]*\).*/\1/p' "$TMP/c1.out")
at=$(sed -n 's/.* at \([0-9]*\)$/\1/p' "$TMP/c1.out")
rel=$(sed -n "s/^released $id slave at \([0-9]*\)$/\1/p" "$TMP/hold.out")
echo "connect: $us us in all (the test's own polling and route add included), $((at - rel)) us from the verdict to established"
check "established within 50 ms of the verdict" test "$((at - rel))" -lt 50000
check "the SYN left through s1 (X has a neighbor entry for r on x0)" \
	in_ns x ip -6 neigh show dev x0 | grep -q fe80::1

# The same with HOLD_UNCHANGED: the route is there, but no new lookup.
in_ns r "$TCP_PROBE" connect $X2 80 500 >"$TMP/c2.out" &
cpid=$!
id=$(held_id 2)
in_ns r ip -6 route add $X2/128 dev s1
echo "unchanged $id" >&3
wait "$cpid"
cat "$TMP/c2.out"
check "released HOLD_UNCHANGED: the SYN keeps the master's route (no answer)" \
	grep -q '^failed' "$TMP/c2.out"
check "... and was resolved on m0, not s1" \
	in_ns r ip -6 neigh show dev m0 | grep -q "$X2"

# 2. Released unchanged to the upstream on the master: the ping is not lost.
in_ns r ping -c 1 -W 3 $UP >"$TMP/p1.out" 2>&1 &
ppid=$!
id=$(held_id 3)
echo "unchanged $id" >&3
check "first ping to the upstream, held and released unchanged, answered" wait "$ppid"

# 3. Located: never queued.
echo "locate $UP 60000" >&3
wait_for 5 grep -q "^located $UP" "$TMP/hold.out"
before=$(queued)
n=$(held_count)
check "pings to a located destination pass" in_ns r ping -c 3 -i 0.2 -W 1 $UP
check "... and are never queued (queue counter $before -> $(queued))" test "$(queued)" = "$before"
check "... nor held" test "$(held_count)" = "$n"
sed "s/^/  hold: /" "$TMP/hold.out"
check "... the skip rule counted them ($(skipped))" test "$(skipped)" -ge 3

# Cost of one hold + verdict: 500 pings to the upstream, held and released
# at once, against the same 500 skipping the queue.
in_ns r nft flush set ip6 mangle located_$G
echo auto >&3
rtt() { in_ns r ping -q -c 500 -i 0 $UP | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
held_rtt=$(rtt)
echo "locate $UP 60000" >&3
wait_for 5 lines_at_least 2 "^located $UP"
free_rtt=$(rtt)
echo "rtt avg: held $held_rtt ms, located $free_rtt ms: cost per held packet $(echo "($held_rtt - $free_rtt) * 1000" | bc 2>/dev/null || echo '?') us"
check "cost measured" test -n "$held_rtt" -a -n "$free_rtt"
in_ns r nft flush set ip6 mangle located_$G
check "holder exits at the end of its input (and unbinds)" stop_hold

# 4. Fail open, nobody bound: bypass.
before=$(queued)
check "no holder: the ping passes (bypass)" in_ns r ping -c 1 -W 2 $UP
check "... through the queue rule ($before -> $(queued))" test "$(queued)" -gt "$before"

# 5. Fail open, the holder SIGKILLed while it holds a packet.
check "holder binds queue $G again" start_hold
in_ns r ping -c 1 -W 1 $UP >/dev/null 2>&1 &
ppid=$!
held_id 1 >/dev/null
kill -KILL "$HOLD_PID"
wait_while 5 alive "$HOLD_PID"
wait "$ppid"
exec 3>&-
before=$(queued)
check "after SIGKILL of the holder, traffic flows" in_ns r ping -c 1 -W 2 $UP
check "... through the queue rule, bypassed ($before -> $(queued))" test "$(queued)" -gt "$before"

# 6. Fail open, the queue full (max_len 1): the next packet is accepted.
check "holder binds a queue of 1 packet" start_hold 1
in_ns r ping -c 1 -W 3 $UP >/dev/null 2>&1 &
ppid=$!
id=$(held_id 1)
check "queue full: a second ping passes at once" in_ns r ping -c 1 -W 1 $UP
check "... and was not held" test "$(held_count)" = 1
echo "unchanged $id" >&3
check "the held one is answered after its release" wait "$ppid"
check "holder exits" stop_hold

summary
