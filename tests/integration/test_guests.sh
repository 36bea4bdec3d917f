#!/bin/bash
# What reaches whom: the shipped service arguments, the relay alone, and
# the guest set-ups the README supports: a /128 or a narrower on-link
# prefix, default route via the host's link-local on the slave, and the
# whole /64 on-link (Docker's usual setting), with --proxy-ndp.
#
#   U(u0) ---- m0 [R] s1 ---- x0 (X)  2001:db8:1::100/128, default via R's fe80 on s1
#   ::2/64   ::1/64   s2 ---- z0 (Z)  2001:db8:1::300/64 on-link, then /120;
#                                     default via R's fe80 on s2; then as
#                                     Docker does with a /80 subnet
. "$(dirname "$0")/lib.sh"
need_root

X=2001:db8:1::100
Z=2001:db8:1::300
MASTER_ADDR=2001:db8:1::1
UPSTREAM=2001:db8:1::2

for n in r u x z; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 z z0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add $MASTER_ADDR/64 dev m0 nodad
in_ns u ip -6 addr add $UPSTREAM/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns z ip -6 addr add $Z/64 dev z0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns z ip -6 route add default via "$(link_local r s2)" dev z0
# U has the /64 on-link and no route via R: it reaches X and Z only
# through R's proxy NDP on m0.

resolved_on() {	# resolved_on IF TARGET: R's neighbor entry there is usable
	in_ns r ip -6 neigh show "$2" dev "$1" | grep -qE 'REACHABLE|STALE|DELAY|PROBE'
}

# The service's arguments, as shipped, with the rules file of the tree.
RULES=$TMP/ns-monitor.nft
cp "$TOP/nft/ns-monitor.nft" "$RULES"
SHIPPED=$(. "$TOP/dist/ns-monitor.default" && echo "$NS_MONITOR_ARGS")
SHIPPED=${SHIPPED//\/etc\/ns-monitor\/ns-monitor.nft/$RULES}
RELAY_ALONE=${SHIPPED//--learn-routes/}
RELAY_ALONE=${RELAY_ALONE//--queue/}	# it implies --learn-routes
# $SHIPPED and $RELAY_ALONE are passed unquoted below: words, as systemd
# splits $NS_MONITOR_ARGS.
managed() {	# managed LOG ARGS...: the shipped table and sets, the daemon
	local log=$1
	shift
	in_ns r nft -f "$RULES" || return 1
	in_ns r nft add element inet ns_monitor masters_135 '{ "m0" }'
	in_ns r nft add element inet ns_monitor slaves_135 '{ "s1", "s2" }'
	start_daemon r "$log" "$@"
}
stop_managed() {
	stop_daemon "$DAEMON_PID" 2
	in_ns r nft delete table inet ns_monitor 2>/dev/null
	in_ns r ip -6 neigh flush dev m0
	in_ns r ip -6 neigh flush dev s1
}

# 0. --check with --proxy-ndp, for guests with the /64 on-link: IPv6
#    forwarding off (their NS answered, their packets not forwarded), the
#    master's own forwarding off (the kernel answers no NS for a proxy
#    entry there: shown in 3.), and in managed mode a chain input_135 from
#    before such guests (it logs the upstream's NS, not theirs).
FWD_WARN="^warning: --proxy-ndp: IPv6 forwarding is off, .*guests with the master's prefix on-link reach nothing past the host.*: sysctl -w net.ipv6.conf.all.forwarding=1"
M0_WARN="^warning: --proxy-ndp: master m0 has IPv6 forwarding off.*: sysctl -w net.ipv6.conf.m0.forwarding=1$"
check_out() { in_ns r timeout 10 "$NS_MONITOR" --check "$@" 2>&1; }
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=0
out=$(check_out -m m0 -s s1,s2 --proxy-ndp)
check "check: forwarding off: a warning for the guests, with the command" \
	grep -q "$FWD_WARN" <<<"$out"
check "check: ...not one per master too" not grep -q "master m0 has IPv6 forwarding off" <<<"$out"
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=0
out=$(check_out -m m0 -s s1,s2 --proxy-ndp)
check "check: m0's own forwarding off: a warning naming m0, with the command" \
	grep -q "$M0_WARN" <<<"$out"
check "check: ...and none for all" not grep -q "IPv6 forwarding is off" <<<"$out"
out=$(check_out -m 'm*' -s s1,s2 --proxy-ndp)
check "check: ...also for a master named by a pattern" grep -q "$M0_WARN" <<<"$out"
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=1
out=$(check_out -m m0 -s s1,s2 --proxy-ndp)
check "check: forwarding on: neither warning" \
	eval '! grep -qE "forwarding is off|forwarding off" <<<"$out"'
# Managed: the shipped file with chain input_135 uncommented (its set
# guests_ns_rate_135 too), and the same chain as it was before the
# guests' rule.
WITH_INPUT=$TMP/rules-input.nft
OLD_INPUT=$TMP/rules-old-input.nft
sed -e '/^\t#chain input_135/,/^\t#}/s/^\t#/\t/' -e '/^\t#set guests_ns_rate_135/,/^\t#}/s/^\t#/\t/' \
	-e 's/^#\(flush chain inet ns_monitor input_135\)$/\1/' "$TOP/nft/ns-monitor.nft" >"$WITH_INPUT"
sed -e '/^\t#chain input_135/,/^\t#}/s/^\t#/\t/' -e '/prefix "gns"/d' \
	-e 's/^#\(flush chain inet ns_monitor input_135\)$/\1/' "$TOP/nft/ns-monitor.nft" >"$OLD_INPUT"
load_rules() { in_ns r nft delete table inet ns_monitor 2>/dev/null; in_ns r nft -f "$1" &&
	in_ns r nft add element inet ns_monitor masters_135 '{ "m0" }' &&
	in_ns r nft add element inet ns_monitor slaves_135 '{ "s1", "s2" }'; }
INPUT_WARN="^warning: group 135: chain input_135 does not log the guests' NS (no set guests_ns_rate_135: rules of an older ns-monitor).*uncomment set guests_ns_rate_135 in the rules file"
check "check: rules with the older chain input_135 load" load_rules "$OLD_INPUT"
out=$(check_out -g 135 --proxy-ndp)
check "check: --check --proxy-ndp warns about that chain, saying what to do" \
	grep -q "$INPUT_WARN" <<<"$out"
check "check: the chain with the guests' rule loads" load_rules "$WITH_INPUT"
out=$(check_out -g 135 --proxy-ndp)
check "check: ...and no warning about it" not grep -q "does not log the guests' NS" <<<"$out"
in_ns r nft delete table inet ns_monitor

# 1. The relay alone: X is found on s1 (R's neighbor entry there is
#    usable), but R's route still says m0, so R does not reach X.
LOG=$TMP/relay-alone.log
# shellcheck disable=SC2086
managed "$LOG" $RELAY_ALONE || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
ping_ok r $X	# starts the relay; fails: R solicits X on m0
check "relay alone: X is resolved on s1" wait_for 5 resolved_on s1 $X
check "relay alone: the host still does not reach X (two more tries)" \
	eval "! ping_ok r $X && ! ping_ok r $X"
check "relay alone: no route to X" not route_dev $X s1
check "relay alone: R still solicits X on m0" \
	eval "in_ns r ip -6 neigh show $X dev m0 | grep -qE 'INCOMPLETE|FAILED'"
stop_managed

# 2. The shipped arguments: the host reaches X.
LOG=$TMP/shipped.log
check "the shipped arguments include --learn-routes" grep -q -- '--learn-routes' <<<"$SHIPPED"
check "the shipped arguments include --queue" grep -q -- '--queue' <<<"$SHIPPED"
# shellcheck disable=SC2086
managed "$LOG" $SHIPPED || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
check "shipped arguments: the host's first ping to X, silent so far, is answered" \
	in_ns r ping -c1 -W2 $X
check "shipped arguments: the host reaches X" wait_for 10 ping_ok r $X
check "shipped arguments: through X/128 dev s1" route_dev $X s1
stop_managed

# 3. Guests, with --proxy-ndp (standalone).
LOG=$TMP/guests.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
check "X (/128, default via R's link-local) reaches the host's master-side address" \
	wait_for 10 ping_ok x $MASTER_ADDR
check "X reaches the upstream" wait_for 10 ping_ok x $UPSTREAM

# Z has the whole /64 on-link (a relayed RA, Docker's usual setting): the
# host's master-side address, the upstream and X are on-link for it, and
# it asks for them with NS on s2. ns-monitor answers those NS on s2 once
# it has found the target where it lives (the host's own; the upstream on
# m0, asked there; X behind s1), and learns Z behind s2 from its NS.
in_ns r ping -c1 -W1 $Z >/dev/null 2>&1 &
check "Z's route is learned on s2" wait_for 5 route_dev $Z s2
check "Z reaches R's link-local on s2 (its link works)" \
	ping_ok z "$(link_local r s2)%z0"
check "Z (/64 on-link) reaches the host's master-side address" \
	wait_for 5 ping_ok z $MASTER_ADDR
check "Z (/64 on-link) reaches the upstream" wait_for 5 ping_ok z $UPSTREAM
check "...its entry for the upstream on z0 has R's s2 address" \
	eval "in_ns z ip -6 neigh show $UPSTREAM dev z0 | grep -q \"$(in_ns r cat /sys/class/net/s2/address)\""
check "the upstream reaches Z (proxy NDP on m0)" wait_for 5 ping_ok u $Z
# A new address of Z's: its first packet is its sign on s2, and the
# upstream's NS for it, on its way back, asks s2 alone (Z answers at
# once): X's slave hears nothing of it. Counted where the NS arrive, in
# prerouting (an NS for a group not joined never reaches input).
Z2=2001:db8:1::301
nd_counter() {	# nd_counter NS TARGET_HEX: count the NS for it arriving in NS
	in_ns "$1" nft add table inet nscount &&
	in_ns "$1" nft add chain inet nscount pre '{ type filter hook prerouting priority -300; }' &&
	in_ns "$1" nft add rule inet nscount pre icmpv6 type nd-neighbor-solicit \
		@th,64,128 "$2" counter
}
nd_seen() { in_ns "$1" nft list chain inet nscount pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
ping_from() { in_ns "$1" ping -c1 -W1 -I "$2" "$3" >/dev/null 2>&1; }
Z2_HEX=0x20010db8000100000000000000000301
nd_counter x $Z2_HEX && nd_counter z $Z2_HEX || { echo "FAIL: NS counters not loaded"; exit 1; }
in_ns z ip -6 addr add $Z2/64 dev z0 nodad
check "Z's new address reaches the upstream" wait_for 5 ping_from z $Z2 $UPSTREAM
check "...learned behind s2" wait_for 5 route_dev $Z2 s2
check "...the NS for it reached Z on s2" test "$(nd_seen z)" -ge 1
check "...and none reached X on s1" test "$(nd_seen x)" -eq 0
# The host's entry for it on s2 was made with the route, from Z's answer
# (proto 135): the upstream's reply, forwarded inside the daemon's NA,
# needed no NS of the kernel's first.
z0_mac=$(in_ns z cat /sys/class/net/z0/address)
check "...R's entry for it on s2 was made with its route, with Z's MAC" \
	grep -q "lladdr $z0_mac .*proto 135" <<<"$(in_ns r ip -6 neigh show $Z2 dev s2)"
in_ns x nft delete table inet nscount
in_ns z nft delete table inet nscount
in_ns z ip -6 addr del $Z2/64 dev z0
# A sign from Z for an address that lives behind s1 (a guest that moved,
# or one that spoofs its source): s2 is asked alone and stays silent. The
# upstream's first ping to the address is answered all the same, by X
# behind s1, at once: not after the hold-down, seconds later.
A=2001:db8:1::303
in_ns x ip -6 addr add $A/128 dev x0 nodad
nd_counter z 0x20010db8000100000000000000000303 || { echo "FAIL: NS counter not loaded"; exit 1; }
in_ns z "$GUEST_FLOOD" z0 $A 1 0 >/dev/null
check "a sign on s2 for an address behind s1: s2 asked alone" \
	wait_for 5 eval '[ "$(nd_seen z)" -ge 1 ]'
check "...the upstream's first ping to it is answered" ping_ok u $A
check "...learned behind s1" wait_for 5 route_dev $A s1
in_ns z nft delete table inet nscount
in_ns x ip -6 addr del $A/128 dev x0
# What --check's warning about m0's own forwarding says: with it off
# (all still 1) the kernel does not answer the upstream's NS for Z.
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=0
in_ns u ip -6 neigh flush dev u0
check "m0's forwarding off: the upstream does not reach Z (two tries)" \
	eval "! ping_ok u $Z && ! ping_ok u $Z"
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=1
check "m0's forwarding on again: the upstream reaches Z" wait_for 5 ping_ok u $Z
check "Z (/64 on-link) reaches X behind s1" wait_for 5 ping_ok z $X
check "Z's NS for an address behind its own slave is not answered" \
	eval "! in_ns z ping -c1 -W1 2001:db8:1::3ff >/dev/null 2>&1 && \
	      ! in_ns z ip -6 neigh show 2001:db8:1::3ff dev z0 | grep -qE 'REACHABLE|STALE|DELAY'"
check "the log says it answered" logged "$LOG" "answered guest"

# The same beside a firewall whose input policy is drop, as a host's
# usually is: it lets Neighbor Discovery in (without it no neighbor, and
# no proxy entry, would ever be answered), nothing else new. Z's NS for
# the upstream go to a group R has not joined: only ns-monitor's rule in
# prerouting sees them, and its answers leave by a packet socket.
in_ns r nft add table inet fw
in_ns r nft add chain inet fw input '{ type filter hook input priority 0; policy drop; }'
in_ns r nft add rule inet fw input ct state established,related accept
in_ns r nft add rule inet fw input icmpv6 type '{ nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert }' accept
in_ns r ip -6 neigh flush dev s2
in_ns z ip -6 neigh flush dev z0
check "input policy drop: Z still reaches the upstream" wait_for 5 ping_ok z $UPSTREAM
check "input policy drop: Z still reaches X" wait_for 5 ping_ok z $X
in_ns r nft delete table inet fw

# The same guest with a narrower on-link prefix reaches both.
in_ns z ip -6 addr del $Z/64 dev z0
in_ns z ip -6 addr add $Z/120 dev z0 nodad
in_ns z ip -6 route replace default via "$(link_local r s2)" dev z0
check "Z with a /120 on-link reaches the host's master-side address" \
	wait_for 10 ping_ok z $MASTER_ADDR
check "Z with a /120 on-link reaches the upstream" wait_for 10 ping_ok z $UPSTREAM

# Docker's way with a narrower subnet: the gateway address (the subnet's
# first) on the bridge, the /80 on-link in the container, default via the
# gateway. The host routes the /80 to the slave by itself; the upstream
# reaches the container through --proxy-ndp.
D=2001:db8:1:0:d0c::300
in_ns r ip -6 addr add 2001:db8:1:0:d0c::1/80 dev s2 nodad
in_ns z ip -6 addr del $Z/120 dev z0
in_ns z ip -6 addr add $D/80 dev z0 nodad
in_ns z ip -6 route replace default via 2001:db8:1:0:d0c::1 dev z0
check "a container on a /80 with Docker's gateway reaches the host's master-side address" \
	wait_for 10 ping_ok z $MASTER_ADDR
check "...the host reaches it (its /80 route on s2)" ping_ok r $D
check "...the upstream reaches it (proxy NDP on m0)" wait_for 10 ping_ok u $D
check "...and it reaches the upstream" wait_for 10 ping_ok z $UPSTREAM
check "SIGTERM exits within a second" stop_daemon "$DAEMON_PID" 1

summary
