#!/bin/bash
# A host firewall that drops in its output chain, against ns-monitor's
# probes: what the kernel lets through (the asks, written below IPv6 by a
# packet socket), what it refuses (the echo requests: EPERM), what the
# daemon says about it (once per episode), and what --check finds, for an
# nft table of its own and for ip6tables-nft.
#
#   [R] m0 ---- u0 (U)
#       s1 ---- x0 (X)  2001:db8:1:0:P::1-5 for P in 100 and 300
#       s2 ---- y0 (Y)  2001:db8:1:0:P::1-5 for P in 200 and 400; no
#                       link-local on s2: asked with echo requests
# The targets behind s1 answer our NS, and their NA gives the kernel's
# entry: no echo request goes there. Those behind s2 are asked with echo
# requests, and it is their replies that show the firewall let them out.
. "$(dirname "$0")/lib.sh"
need_root

NS_FLOOD=${NS_FLOOD:-$TOP/build/default/ns_flood}
MARK=0x6e730087		# the default --fwmark base + group 135

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
for i in 1 2 3 4 5; do
	for p in 100 300; do in_ns x ip -6 addr add 2001:db8:1:0:$p::$i/64 dev x0 nodad; done
	for p in 200 400; do in_ns y ip -6 addr add 2001:db8:1:0:$p::$i/64 dev y0 nodad; done
done
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns r ip -6 addr flush dev s2 scope link

# The issue's firewall: output policy drop; established, lo and NDP allowed.
in_ns r nft -f - <<'NFT'
table inet fw {
	chain output {
		type filter hook output priority 0; policy drop;
		ct state established,related accept
		oif lo accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept
	}
}
NFT

LOG=$TMP/fw.log
STATS=$TMP/stats.prom
NOTICE="the host's firewall drops ns-monitor's echo requests in its output chain"
stat() { sed -n "s/^ns_monitor_$1{group=\"135\",slave=\"$2\"} //p" "$STATS"; }
stat_ge() { [ "$(stat "$1" "$2")" -ge "$3" ] 2>/dev/null; }
echo_replies() { sed -n 's/^ns_monitor_answer_packets_total{kind="echo_reply"} //p' "$STATS"; }
echo_replies_ge() { [ "$(echo_replies)" -ge "$1" ] 2>/dev/null; }
routes_on() { in_ns r ip -6 route show proto 135 | grep -c "^2001:db8:1:0:$1::.* dev $2"; }
# solicit P: the host's own NS for 2001:db8:1:0:P::1-5 on m0 (NDP passes the firewall).
solicit() { in_ns r "$NS_FLOOD" m0 2001:db8:1::1 2001:db8:1:0:$1:: 5 >/dev/null; }

start_daemon r "$LOG" -m m0 -s s1,s2 --learn-routes --stats-file "$STATS" --stats-interval 1 ||
	{ cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID

# 1. policy drop in an nft output chain.
solicit 100
check "kernel: the asks (packet socket) pass the output chain: 5 targets learned behind s1" \
	wait_for 5 eval '[ "$(routes_on 100 s1)" = 5 ]'
check "kernel: s2's echo requests (no link-local there) do not (EPERM), counted per slave" \
	wait_for 3 stat_ge probes_firewalled_total s2 5
check "...and reach nobody: no echo reply read" [ "$(echo_replies)" = 0 ]
check "s1 needs none: R's entry for X there was made from X's NA, with the route" \
	reachable_on 2001:db8:1:0:100::1 s1
check "...and no echo request was sent or refused on s1" \
	eval '[ "$(stat probes_total s1)" = 0 ] && [ "$(stat probes_firewalled_total s1)" = 0 ]'
check "the daemon says what it means and what to allow, once" \
	eval '[ "$(count_lines "$LOG" "$NOTICE")" = 1 ]'
check "...naming the rule with the group's mark" \
	logged "$LOG" "meta mark $MARK accept"
check "...and no line per probe" not grep -q "Operation not permitted$" "$LOG"
check "...in one line of at most 200 characters" eval '[ "$(grep -F "$NOTICE" "$LOG" | awk "{ print length }")" -le 200 ]'

out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1); rc=$?
WANT="^problem: firewall: chain output of table inet fw (hook output, priority 0) drops the echo requests of group(s) 135 (it has policy drop)"
check "--check finds the chain that drops (a problem, exit 1)" \
	eval '[ $rc = 1 ] && grep -q "$WANT" <<<"$out"'
rule=$(sed -n 's/^problem: firewall: .*add before the drops: nft insert rule \(.*\)$/\1/p' <<<"$out")
check "--check gives the rule to add: $rule" [ "$rule" = "inet fw output meta mark $MARK accept" ]

# 2. The rule --check gave: the echo requests get through.
in_ns r nft insert rule $rule
solicit 200
check "with the rule: s2's echo requests reach Y (their echo replies read)" \
	wait_for 5 echo_replies_ge 5
check "...and Y's 5 addresses are learned behind s2" \
	wait_for 5 eval '[ "$(routes_on 200 s2)" = 5 ]'
check "with the rule: the daemon says the episode is over" \
	wait_for 2 logged "$LOG" "group 135: echo requests get through the firewall again"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1)
check "with the rule: --check sees the accept by mark" \
	grep -q "^ok: firewall: chain output of table inet fw .* accepts by meta mark" <<<"$out"
# Per group: an accept of group 135's mark does not let 136's through.
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 -g 136); rc=$?
check "two groups, 135's mark accepted: --check names group 136's drop, exit 1" \
	eval '[ $rc = 1 ] && grep -q "^problem: firewall: chain output of table inet fw .* drops the echo requests of group(s) 136 (" <<<"$out"'
check "...with the rule for 136's mark only" \
	grep -q "nft insert rule inet fw output meta mark 0x6e730088 accept$" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135)
check "group 135 alone: no firewall problem" not grep -q "^problem: firewall" <<<"$out"
in_ns r nft delete table inet fw

# 3. ip6tables-nft, OUTPUT policy DROP: a new episode, said once more.
if ! command -v ip6tables-nft >/dev/null; then
	fail "ip6tables-nft (iptables) is missing: scripts/deps.sh installs it"
else
	in_ns r ip6tables-nft -P OUTPUT DROP
	for t in neighbour-solicitation neighbour-advertisement; do
		in_ns r ip6tables-nft -A OUTPUT -p ipv6-icmp --icmpv6-type $t -j ACCEPT
	done
	solicit 300
	check "ip6tables OUTPUT DROP: the echo requests are refused again" \
		wait_for 5 stat_ge probes_firewalled_total s2 10
	check "ip6tables OUTPUT DROP: a new episode, said once more" \
		wait_for 2 eval '[ "$(count_lines "$LOG" "$NOTICE")" = 2 ]'
	out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1)
	check "ip6tables: --check names chain OUTPUT of table ip6 filter" \
		grep -q "^problem: firewall: chain OUTPUT of table ip6 filter .*(it has policy drop)" <<<"$out"
	cmd=$(sed -n 's/.*(with ip6tables: \(ip6tables -I OUTPUT -m mark --mark [0-9a-fx]* -j ACCEPT\)).*/\1/p' <<<"$out")
	check "ip6tables: --check gives the ip6tables command: $cmd" \
		[ "$cmd" = "ip6tables -I OUTPUT -m mark --mark $MARK -j ACCEPT" ]
	in_ns r ip6tables-nft ${cmd#ip6tables }
	solicit 400
	check "ip6tables: with that rule the echo requests reach Y" \
		wait_for 5 echo_replies_ge 10
	out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1)
	check "ip6tables: --check sees the accept by mark" \
		grep -q "^ok: firewall: chain OUTPUT of table ip6 filter .* accepts by meta mark" <<<"$out"
fi
stop_daemon $PID 1

# 4. Nothing dropping: --check says what it looked at.
in_ns r nft flush ruleset
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1)
check "no firewall: --check says none of the output chains drops, and how it looked" \
	grep -q "^ok: firewall: none of 0 output-hook chain(s) .*(checked: " <<<"$out"

summary
