#!/bin/bash
# Trust (issue "Trust", item 4): one slave's flood never stops the guest
# path of the others. The guests_G chain limits what it logs per slave, in
# the kernel. A hostile guest behind s1 floods what that chain logs, and a
# new guest behind s2 is still seen and learned:
#   1. 70,000 packets from spoofed sources in under a second, then the new
#      guest's first packet (such a flood used to fill guests_seen_135, and
#      nothing more was logged for a minute);
#   2. duplicate address detection at 5,000 NS a second, and the new
#      guest's own DAD meanwhile (such a flood used to take the one limit
#      all slaves shared).
#   3. --check --learn-routes warns about rules without these limits.
#   4. With --proxy-ndp, the guests' own NS (guests with the /64 on-link)
#      at 5,000 a second from s1, and new guests behind s2 with the /64
#      on-link meanwhile ask for the upstream: each one's first NS is
#      logged within s2's own budget and answered (with a limit all
#      slaves shared, none was: tried by hand).
# The floods are written through a packet socket (guest_flood), to groups
# the router did not join: it drops them after its prerouting hook and
# answers none of them, so they make no neighbor entries (counted).
#
#   U(u0) ---- m0 [R] s1 ---- x0  the hostile guest (guest_flood)
#   2001:db8:1::2/64  s2 ---- y0  the new guest, with DAD
. "$(dirname "$0")/lib.sh"
need_root

GUEST_FLOOD=${GUEST_FLOOD:-$TOP/build/default/guest_flood}
[ -x "$GUEST_FLOOD" ] || { echo "FAIL: $GUEST_FLOOD missing (make integration builds it)"; exit 1; }

# The per-slave limits of the guests chain (nftctl.h): a slave's new
# addresses 50 a second after a burst of 500, its DAD NS 100 a second
# after a burst of 500.
ADDR_RATE=50 ADDR_BURST=500 DAD_RATE=100 DAD_BURST=500
# And of the guests' NS (--proxy-ndp): 100 a second after a burst of 200.
GNS_RATE=100 GNS_BURST=200

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
# The new guest runs duplicate address detection, as a container does.
in_ns y sysctl -qw net.ipv6.conf.y0.accept_dad=1 net.ipv6.conf.y0.dad_transmits=1
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
wait_for 5 ll_ready y y0 || { echo "FAIL: link-local on y0"; exit 1; }
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

# Neighbor entries: in our namespaces, and in the host-wide table (the
# "entries" column of ndisc_cache counts every namespace's; other tests
# on the machine move it too, so it is only reported).
our_neigh() {
	local n total=0
	for n in r u x y; do
		total=$((total + $(in_ns $n ip -6 neigh show | wc -l)))
	done
	echo $total
}
host_neigh() { echo $((16#$(awk 'NR == 2 {print $1}' /proc/net/stat/ndisc_cache))); }
NEIGH0=$(our_neigh)
HOST0=$(host_neigh)

# seen_from SLAVE: entries of SLAVE in guests_seen_135.
seen_from() {
	in_ns r nft list set inet ns_monitor guests_seen_135 | grep -o "\"$1\" \." | wc -l
}
# at_most N LIMIT: N <= LIMIT, both said when it fails.
at_most() { [ "$1" -le "$2" ] || { echo "  $1 > $2"; return 1; }; }

LOG=$TMP/flood.log
start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes ||
	{ cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID

# 1. Spoofed sources: 70,000 packets from s1, each from another address.
#    At most ADDR_BURST + ADDR_RATE per second of them are logged and
#    remembered; then a new guest behind s2 sends its first packet.
read -r sent failed ms < <(in_ns x "$GUEST_FLOOD" x0 2001:db8:1:5:: 70000 0)
check "spoofed: 70000 packets from s1 in under a second ($sent sent, $failed failed, $ms ms)" \
	eval '[ "$sent" = 70000 ] && [ "$ms" -lt 1000 ]'
n=$(seen_from s1)
check "spoofed: s1 added $n entries to guests_seen_135, at most $ADDR_BURST + $ADDR_RATE/s" \
	at_most "$n" $((ADDR_BURST + ADDR_RATE * (ms / 1000 + 2)))
Y1=2001:db8:1::201
in_ns y ip -6 addr add $Y1/128 dev y0 nodad
in_ns y "$GUEST_FLOOD" y0 $Y1 1 0 >/dev/null
check "spoofed: the new guest's first packet on s2 is logged" \
	wait_for 3 logged "$LOG" "a packet from $Y1 on s2"
check "spoofed: ...and it is learned behind s2" wait_for 3 route_dev $Y1 s2
n=$(our_neigh)
check "spoofed: no neighbor entries made by the flood ($NEIGH0 before, $n after)" \
	at_most "$n" $((NEIGH0 + 5))

# 2. DAD from s1 at 5,000 NS a second for 5 s, each for another address.
#    Once s1's burst is used up, the new guest takes three addresses with
#    DAD: each DAD NS is logged, and each address learned.
in_ns x "$GUEST_FLOOD" -d x0 2001:db8:1:d:: 25000 5 >"$TMP/dad-flood.out" &
FLOOD=$!
dad_from_s1() { count_lines "$LOG" "DAD for 2001:db8:1:d:"; }
check "dad: the flood is under way (s1's burst is used up)" \
	wait_for 3 eval '[ "$(dad_from_s1)" -ge $DAD_BURST ]'
YS="2001:db8:1::202 2001:db8:1::203 2001:db8:1::204"
for y in $YS; do in_ns y ip -6 addr add $y/128 dev y0; done
for y in $YS; do
	check "dad: the new guest's DAD for $y on s2 is logged during the flood" \
		wait_for 3 logged "$LOG" "DAD for $y on s2"
done
check "dad: ...the flood was still on" alive $FLOOD
for y in $YS; do
	check "dad: $y is learned behind s2" wait_for 3 route_dev $y s2
done
wait $FLOOD
read -r sent failed ms <"$TMP/dad-flood.out"
check "dad: the flood sent $sent NS from :: in $ms ms (about 5,000 a second)" \
	eval '[ "$sent" = 25000 ] && [ "$ms" -ge 4900 ] && [ "$ms" -lt 6000 ]'
n=$(dad_from_s1)
check "dad: s1's DAD NS logged: $n, at most $DAD_BURST + $DAD_RATE/s" \
	at_most "$n" $((DAD_BURST + DAD_RATE * (ms / 1000 + 2)))
n=$(our_neigh)
check "dad: no neighbor entries made by the flood ($NEIGH0 before, $n after)" \
	at_most "$n" $((NEIGH0 + 8))
echo "neighbor entries host-wide: $HOST0 before, $(host_neigh) after (all namespaces)"

check "SIGTERM exits within a second" stop_daemon $PID 1

# 3. --check --learn-routes in managed mode: rules of an older ns-monitor
#    (the guests chain with the one shared limit, no per-slave sets) get a
#    warning that says what to do; the shipped rules do not.
RULES=$TOP/nft/ns-monitor.nft
OLD=$TMP/old-rules.nft
sed -E -e '/^\tset guests_(dad|addr)_rate_135 \{/,/^\t\}/d' \
	-e 's/update @guests_(dad|addr)_rate_135 \{ iifname (limit rate [^}]*) \}/\2/' \
	"$RULES" >"$OLD"
older() { in_ns r nft flush ruleset && in_ns r nft -f "$1" &&
	in_ns r nft add element inet ns_monitor masters_135 '{ "m0" }' &&
	in_ns r nft add element inet ns_monitor slaves_135 '{ "s1", "s2" }'; }
WARN="warning: group 135: chain guests_135 has no per-slave limits"
check "check: rules of an older ns-monitor load (no per-slave sets)" \
	eval 'older "$OLD" && ! in_ns r nft list set inet ns_monitor guests_addr_rate_135 >/dev/null 2>&1'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --learn-routes 2>&1)
check "check: --check --learn-routes warns about them, saying to load the rules again" \
	grep -q "^$WARN .*load the rules again" <<<"$out"
older "$RULES"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --learn-routes 2>&1)
check "check: ...and not about the shipped rules" not grep -q "$WARN" <<<"$out"
in_ns r nft delete table inet ns_monitor

# 4. The guests' own NS, with --proxy-ndp: x asks for addresses on the
#    master's link, each another one, at 5,000 NS a second for 5 s (the
#    daemon asks the masters for those its limit lets through; nothing
#    answers, so no neighbor entries). Once s1's burst is used up, a
#    guest behind s2 with the /64 on-link pings the upstream, three times
#    (a limit all slaves shared would let through one NS in 50).
LOG=$TMP/gns.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp ||
	{ cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID
# gns_logged: packets the guests' NS rule let through (all slaves).
gns_logged() {
	in_ns r nft list chain inet ns_monitor input_135 |
		sed -n 's/.*counter packets \([0-9]*\) .*prefix "gns".*/\1/p'
}
in_ns x "$GUEST_FLOOD" -n 2001:db8:1::66 x0 2001:db8:1:0:f:: 25000 5 >"$TMP/gns-flood.out" &
FLOOD=$!
check "gns: the flood is under way (s1's burst is used up)" \
	wait_for 3 eval '[ "$(gns_logged)" -ge $GNS_BURST ]'
for k in 1 2 3; do
	yg=2001:db8:1::25$k
	in_ns y ip -6 addr add $yg/64 dev y0 nodad
	check "gns: a guest behind s2 with the /64 on-link ($yg) reaches the upstream during the flood" \
		in_ns y ping -c1 -W1 -I $yg 2001:db8:1::2
	check "gns: ...its first NS was answered on s2" \
		eval '[ "$(count_lines "$LOG" "answered guest $yg'"'"'s NS for 2001:db8:1::2")" = 1 ]'
	in_ns y ip -6 addr del $yg/64 dev y0
	in_ns y ip -6 neigh flush dev y0
done
check "gns: ...the flood was still on" alive $FLOOD
wait $FLOOD
read -r sent failed ms <"$TMP/gns-flood.out"
check "gns: the flood sent $sent NS in $ms ms (about 5,000 a second)" \
	eval '[ "$sent" = 25000 ] && [ "$ms" -ge 4900 ] && [ "$ms" -lt 6000 ]'
n=$(gns_logged)
check "gns: NS logged: $n, at most $GNS_BURST + $GNS_RATE/s (and s2's few)" \
	at_most "$n" $((GNS_BURST + GNS_RATE * (ms / 1000 + 2) + 6))
# (The guests' own entries come and go: y's for the upstream, R's and
# the upstream's for y and for x's address.)
flood_entries() {
	local ns
	for ns in r u x y; do in_ns $ns ip -6 neigh show to 2001:db8:1:0:f::/80; done
}
check "gns: no neighbor entry for the flood's targets anywhere" \
	eval '[ -z "$(flood_entries)" ]' 
check "SIGTERM exits within a second" stop_daemon $PID 1

summary
