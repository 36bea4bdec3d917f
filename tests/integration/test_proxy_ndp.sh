#!/bin/bash
# --proxy-ndp against the kernel: which forwarding sysctl lets the upstream
# reach a target behind a slave, and the kernel's delay of proxied answers
# (proxy_delay), which ns-monitor sets to 0 on the masters while it runs.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64
. "$(dirname "$0")/lib.sh"
need_root

X=2001:db8:1::100

for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

sysctl_r() { in_ns r sysctl -n "$1"; }
proxied() { in_ns r ip -6 neigh show proxy | grep -q "$X dev m0"; }
# The upstream has X's link-layer address: someone answered its NS.
u_resolved() { in_ns u ip -6 neigh show $X dev u0 | grep -q lladdr; }
forget_x() { in_ns u ip -6 neigh flush to $X dev u0; }
ADVICE="sysctl -w net.ipv6.conf.all.forwarding=1"

# run_case NAME: start the daemon, let the upstream try X for up to 6 s.
run_case() {
	LOG=$TMP/$1.log
	in_ns r ip -6 route flush proto 135 2>/dev/null
	forget_x
	start_daemon r "$LOG" -m m0 -s s1 --proxy-ndp || { cat "$LOG"; fail "$1: daemon did not start"; return 1; }
	PID=$DAEMON_PID
	# Each failed ping's NS is relayed and X learned and proxied on m0.
	wait_for 6 ping_ok u $X
}

# 1. No forwarding at all: the kernel answers no NS for a proxy entry.
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=0
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --proxy-ndp); rc=$?
check "forwarding off: --check warns with the advice that works, exit 0" \
	eval '[ $rc = 0 ] && grep -q "^warning: --proxy-ndp: .*$ADVICE" <<<"$out"'
run_case none
rc=$?
check "forwarding off: the upstream cannot reach X" [ $rc != 0 ]
check "forwarding off: X was learned and proxied all the same" proxied
check "forwarding off: nobody answered the upstream's NS" not u_resolved
check "forwarding off: the daemon gives the advice that works" logged "$LOG" "$ADVICE"
stop_daemon $PID 1

# 2. Forwarding on the master alone (the advice ns-monitor used to give):
#    the kernel answers the NS now, but does not forward what follows
#    (ip6_forward() reads net.ipv6.conf.all.forwarding).
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=1
run_case master-only
rc=$?
check "m0.forwarding=1 alone: the upstream still cannot reach X" [ $rc != 0 ]
check "m0.forwarding=1 alone: the proxy entry answered the upstream's NS" u_resolved
check "m0.forwarding=1 alone: the daemon still gives the advice" logged "$LOG" "$ADVICE"
check "m0.forwarding=1 alone: the advice is not m0's sysctl" \
	not logged "$LOG" "net.ipv6.conf.m0.forwarding"
stop_daemon $PID 1

# 3. The advice alone: all.forwarding=1 (m0's own put back to 0 first; the
#    write to "all" sets every interface's).
in_ns r sysctl -qw net.ipv6.conf.m0.forwarding=0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --proxy-ndp)
check "all.forwarding=1: --check is content with it" \
	grep -q "^ok: --proxy-ndp: net.ipv6.conf.all.forwarding is 1" <<<"$out"
run_case all
rc=$?
check "all.forwarding=1: the upstream reaches X through --proxy-ndp" [ $rc = 0 ]
check "all.forwarding=1: no forwarding advice" not logged "$LOG" "forwarding is off"
stop_daemon $PID 1

# 4. proxy_delay: the kernel holds its answer to a multicast NS for a proxy
#    entry a random time up to proxy_delay (centiseconds, USER_HZ: 80 is
#    0.8 s). Measured as the upstream's ping RTT to X after it forgot X,
#    7 samples, the median: by hand (route and proxy entry, no daemon), then
#    with ns-monitor, which sets it to 0 while it runs.
check "proxy_delay is 80 (0.8 s) by default" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 80 ]
# median_rtt: 7 pings after forgetting X, the median RTT in ms ("" if one fails).
median_rtt() {
	local i rtts=() t
	for i in 1 2 3 4 5 6 7; do
		forget_x
		t=$(in_ns u ping -c1 -W2 $X 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
		[ -n "$t" ] || return 1
		rtts+=("$t")
	done
	printf '%s\n' "${rtts[@]}" | sort -n | sed -n 4p
}
in_ns r sysctl -qw net.ipv6.conf.m0.proxy_ndp=1
in_ns r ip -6 route add $X/128 dev s1
in_ns r ip -6 neigh add proxy $X dev m0
before=$(median_rtt)
echo "median RTT with proxy_delay 80, no daemon: ${before:-none} ms"
check "kernel alone, proxy_delay 80: the first ping waits (median ${before:-none} ms > 50)" \
	eval '[ -n "$before" ] && awk -v t="$before" "BEGIN { exit !(t > 50) }"'
in_ns r ip -6 neigh del proxy $X dev m0
in_ns r ip -6 route del $X/128 dev s1
in_ns r sysctl -qw net.ipv6.conf.m0.proxy_ndp=0

run_case delay || fail "delay: the upstream did not reach X"
PID_DELAY=$PID
check "while ns-monitor runs, proxy_delay on m0 is 0" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 0 ]
check "it says so, and what it puts back" logged "$LOG" "m0: proxy_delay set to 0"
after=$(median_rtt)
echo "median RTT with ns-monitor (proxy_delay 0): ${after:-none} ms"
check "with ns-monitor: the first ping is answered at once (median ${after:-none} ms < 50)" \
	eval '[ -n "$after" ] && awk -v t="$after" "BEGIN { exit !(t < 50) }"'
stop_daemon $PID_DELAY 1
check "SIGTERM: proxy_delay back to 80" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 80 ]
check "SIGTERM: proxy_ndp back to 0" [ "$(sysctl_r net.ipv6.conf.m0.proxy_ndp)" = 0 ]

# 5. SIGKILL leaves proxy_delay 0; the next start of the group puts it back.
run_case kill || fail "kill: the upstream did not reach X"
check "before the kill, proxy_delay is 0" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 0 ]
kill -KILL $PID
wait_while 2 alive $PID
check "after SIGKILL, proxy_delay is still 0" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 0 ]
LOG=$TMP/restart.log
ip netns exec $T-r "$NS_MONITOR" -v -m m0 -s s1 --proxy-ndp >"$LOG" 2>&1 &
PID=$!
DAEMONS+=("$PID")
check "the next start puts proxy_delay back, and says so" \
	wait_for 5 logged "$LOG" "m0: proxy_delay back to 80 (left by a killed run)"
check "and proxy_ndp" logged "$LOG" "m0: turned proxy_ndp off again (left by a killed run)"
wait_for 5 logged "$LOG" "relaying NS"
stop_daemon $PID 1
check "after that run's SIGTERM, proxy_delay is 80" [ "$(sysctl_r net.ipv6.neigh.m0.proxy_delay)" = 80 ]

summary
