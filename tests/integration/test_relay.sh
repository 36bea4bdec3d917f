#!/bin/bash
# The relay end to end: a router R whose route for the shared prefix points
# at its master m0, host X behind slave s1, host Y behind slave s2, and an
# upstream U on the master's link.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100
#                     s2 ---- y0(Y)  2001:db8:1::201
. "$(dirname "$0")/lib.sh"
need_root

X=2001:db8:1::100
Y=2001:db8:1::201
GROUP=135

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/64 dev x0 nodad
in_ns y ip -6 addr add $Y/64 dev y0 nodad
wait_for 5 ll_ready r s1 && wait_for 5 ll_ready r s2 || { echo "FAIL: link-local addresses"; exit 1; }

# Count the echo requests R sends per slave, and those from a link-local source.
in_ns r nft -f - <<NFT
table inet nsmtest {
	chain out {
		type filter hook output priority 100; policy accept;
		oifname "s1" icmpv6 type echo-request counter comment "echo_s1"
		oifname "s2" icmpv6 type echo-request counter comment "echo_s2"
		oifname "s1" icmpv6 type echo-request ip6 saddr fe80::/10 counter comment "ll_s1"
		oifname "s2" icmpv6 type echo-request ip6 saddr fe80::/10 counter comment "ll_s2"
	}
}
NFT
echoes() { nft_counter r nsmtest out "$1"; }
# What reaches the hosts behind the slaves: NS from R's link-local (ours,
# and the kernel's), to X's solicited-node group. Our own NS leave through a packet socket,
# past R's output hook, so they are counted where they arrive.
for h in x y; do
	in_ns $h nft -f - <<NFT
table inet nsmtest {
	chain in {
		type filter hook prerouting priority 0; policy accept;
		icmpv6 type nd-neighbor-solicit ip6 saddr fe80::/10 ip6 daddr ff02::1:ff00:100 counter comment "ns_x"
		icmpv6 type echo-request counter comment "echo"
	}
}
NFT
done
arrived() { nft_counter "$1" nsmtest in "$2"; }

ns_seen() { [ "$(count_lines "$1" "NS for $2 ")" -ge "$3" ]; }

LOG=$TMP/daemon.log
start_daemon r "$LOG" -m m0 -s s1,s2 || { cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID

# 1. R reaches for X: X's neighbor entry on s1 becomes REACHABLE, written
#    from X's answer to our NS, although the main table routes X via m0.
#    (An echo request leaves a slave through the policy table, with X
#    routed via the master, in test_tun_slave.sh and test_firewall.sh.)
reach $X
check "X becomes REACHABLE behind s1" wait_for 5 reachable_on $X s1
# The kernel sends its NS three times, 1 s apart; all three reach the daemon.
check "the daemon sees the kernel's three NS for X" wait_for 6 ns_seen "$LOG" $X 3
# Asked on both slaves with our own NS; X's NA gives the entry on s1:
# the kernel has nothing left to resolve, and nothing more is sent.
check "our NS for X reached the host behind s2, once" [ "$(arrived y ns_x)" = 1 ]
check "...and the host behind s1, once (no NS of the kernel's there)" [ "$(arrived x ns_x)" = 1 ]
x_mac=$(in_ns x cat /sys/class/net/x0/address)
check "R's entry for X on s1 has X's link-layer address, from its NA" \
	eval 'in_ns r ip -6 neigh show $X dev s1 | grep -q "lladdr $x_mac "'
check "...written by ns-monitor (proto 135)" \
	eval 'in_ns r ip -6 neigh show $X dev s1 | grep -q "lladdr $x_mac .*proto 135"'
check "no echo request out of s1" [ "$(echoes echo_s1)" = 0 ]
check "no echo request out of s2" [ "$(echoes echo_s2)" = 0 ]
check "...and no neighbor entry for X on s2" [ -z "$(in_ns r ip -6 neigh show $X dev s2)" ]
check "the master is not probed" [ "$(count_lines "$LOG" "probe $X on m0")" = 0 ]

# sync MARKER: an NS on the master the daemon must see; NFLOG keeps order,
# so once it is logged, everything R sent before it has been handled.
sync_marker() { reach "$1"; wait_for 5 ns_seen "$LOG" "$1" 1; }

# 2. An NS that R sends on a slave is not relayed.
in_ns r ip -6 route add 2001:db8:2::/64 dev s2
in_ns r ping -c1 -W1 2001:db8:2::7 >/dev/null 2>&1
sync_marker 2001:db8:1::300
check "an NS sent on a slave is not relayed" not logged "$LOG" 2001:db8:2::7

# 3. A DAD NS on the master is not relayed.
in_ns r sysctl -qw net.ipv6.conf.m0.accept_dad=1
in_ns r ip -6 addr add 2001:db8:1::55/64 dev m0
dad_done() { ! in_ns r ip -6 addr show dev m0 | grep -q tentative; }
wait_for 5 dad_done
sync_marker 2001:db8:1::301
check "a DAD NS on the master is not relayed" not logged "$LOG" 2001:db8:1::55

# 4. A link-local target is ignored (and says why).
in_ns r ping -c1 -W1 fe80::1234%m0 >/dev/null 2>&1
check "a link-local target is ignored" wait_for 5 logged "$LOG" target_link_local
check "a link-local target is not probed" not logged "$LOG" "probe fe80::1234"

# 5. A second instance on the same group exits 1 and leaves the first alone.
in_ns r timeout 10 "$NS_MONITOR" -m m0 -s s1 >"$TMP/second.log" 2>&1
rc=$?
check "a second instance exits 1" [ $rc = 1 ]
check "a second instance names the running daemon's pid" \
	logged "$TMP/second.log" "NFLOG group 135 is bound by a running ns-monitor (pid $DAEMON_PID)"
reach $Y
check "the first instance keeps relaying (Y found behind s2)" wait_for 5 reachable_on $Y s2

# 6. SIGTERM: a clean exit within a second, nothing left behind.
check "SIGTERM exits within a second" stop_daemon $PID 1
wait $PID
check "exit status 0 after SIGTERM" [ $? = 0 ]
no_table() { ! in_ns r nft list table inet ns_monitor >/dev/null 2>&1; }
no_rule() { ! in_ns r ip -6 rule show | grep -q 'lookup 1853030535'; }
no_routes() { [ -z "$(in_ns r ip -6 route show table 1853030535 2>/dev/null)" ]; }
group_free() { ! in_ns r awk '{print $1}' /proc/net/netfilter/nfnetlink_log | grep -qx $GROUP; }
check "no nftables table left" no_table
check "no policy rule left" no_rule
check "no egress route left" no_routes
check "the NFLOG group is released" group_free
check "the test's own ruleset is untouched" in_ns r nft list table inet nsmtest >/dev/null

# 7. --dry-run logs and sends nothing.
before=$(( $(echoes echo_s1) + $(echoes echo_s2) + $(arrived x ns_x) + $(arrived y ns_x) ))
LOG=$TMP/dry.log
start_daemon r "$LOG" -m m0 -s s1,s2 --dry-run || fail "dry-run daemon did not start"
PID=$DAEMON_PID
reach 2001:db8:1::302
check "--dry-run logs the probes it would send" \
	wait_for 5 logged "$LOG" "would probe 2001:db8:1::302 on s2"
check "--dry-run sends nothing" \
	[ $(( $(echoes echo_s1) + $(echoes echo_s2) + $(arrived x ns_x) + $(arrived y ns_x) )) = $before ]
stop_daemon $PID 1

# 8. SIGKILL, then a new start replaces what the killed run left.
LOG=$TMP/killed.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "daemon did not start"
kill -KILL $DAEMON_PID; wait $DAEMON_PID 2>/dev/null
check "a killed run leaves its table" not no_table
LOG=$TMP/restart.log
check "a restart after SIGKILL starts" start_daemon r "$LOG" -m m0 -s s1,s2
PID=$DAEMON_PID
check "one policy rule after the restart" \
	[ "$(in_ns r ip -6 rule show | grep -c 'lookup 1853030535')" = 1 ]
check "one output chain after the restart" \
	[ "$(in_ns r nft list table inet ns_monitor | grep -c 'chain output_')" = 1 ]
reach 2001:db8:1::303
check "the restarted daemon relays" wait_for 5 logged "$LOG" "probe 2001:db8:1::303 on s1"
stop_daemon $PID 1
check "clean after the restart" eval 'no_table && no_rule && no_routes'

# 9. --daemon: the parent returns once set-up is done; the child writes its
#    pidfile, relays, and on SIGTERM removes its pidfile and its rules.
out=$(in_ns r timeout 10 "$NS_MONITOR" -d --pidfile "$TMP/ns-monitor.pid" -m m0 -s s1,s2 2>&1)
rc=$?
check "--daemon: the parent exits 0 after set-up" [ $rc = 0 ]
check "--daemon: the pidfile appears" wait_for 2 test -s "$TMP/ns-monitor.pid"
DPID=$(cat "$TMP/ns-monitor.pid" 2>/dev/null)
DAEMONS+=("$DPID")
check "--daemon: the pidfile names a running process" kill -0 "$DPID"
check "--daemon: its rules are loaded" in_ns r nft list chain inet ns_monitor output_135 >/dev/null
check "--daemon: SIGTERM stops it within a second" stop_daemon "$DPID" 1
check "--daemon: the pidfile is removed" not test -e "$TMP/ns-monitor.pid"
check "--daemon: its rules are removed" no_table

summary
