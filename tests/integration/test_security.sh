#!/bin/bash
# Security: what an adversarial sweep found, as tests. Each section starts
# its own daemon and leaves the topology as it found it.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)  2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

U=2001:db8:1::2
X=2001:db8:1::100
Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $U/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
r_ll() { in_ns r ip -6 addr show dev "$1" scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p'; }
in_ns x ip -6 route add default via "$(r_ll s1)" dev x0
in_ns y ip -6 route add default via "$(r_ll s2)" dev y0

ping_ok() { in_ns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
route_dev() { in_ns r ip -6 route show "$1/128" proto 135 | grep -q "dev $2 "; }
logged() { grep -qF -- "$2" "$1"; }

# --- sections below; each ends with its daemons stopped ---

# === Issue 9 item 10: --daemon readiness, the pidfile with --user, proxy_ndp
#     after a SIGKILL, warnings once per slave state ===
EGRESS_TABLE=1853030535		# 0x6e730000 + 135
DPF=$TMP/sec-c.pid
ours_in_r() {	# pids of ns-monitor processes in namespace r
	local p
	for p in $(ip netns pids "$T-r"); do
		[ "$(readlink /proc/"$p"/exe 2>/dev/null)" = "$(readlink -f "$NS_MONITOR")" ] && echo "$p"
	done
}
nothing_left() {
	[ -z "$(ours_in_r)" ] && ! in_ns r nft list table inet ns_monitor >/dev/null 2>&1 &&
		! in_ns r ip -6 rule show | grep -q "lookup $EGRESS_TABLE" && [ ! -e "$DPF" ]
}
stop_pidfile() {	# stop the daemon a pidfile names, wait until it is gone
	local p
	p=$(cat "$1" 2>/dev/null) || return 0
	[ -n "$p" ] && DAEMONS+=("$p") && stop_daemon "$p" 2
}

# 10a. -d returns only once the pidfile is written and the daemon is up.
ready=0
for i in $(seq 20); do
	in_ns r "$NS_MONITOR" -d --pidfile "$DPF" -m m0 -s s1,s2 >>"$TMP/sec-c-d.log" 2>&1 &&
		[ -s "$DPF" ] && alive "$(cat "$DPF")" && ready=$((ready + 1))
	wait_for 2 test -s "$DPF"
	stop_pidfile "$DPF"
	wait_for 2 nothing_left
done
check "--daemon: 20 of 20 launches return with the pidfile written ($ready)" [ $ready = 20 ]

# 10b. A SIGTERM to the launcher while it sets up (NFLOG group bound) is
#      passed on: the launcher returns 1 once the daemon undid its set-up.
#      (A SIGTERM that comes after the daemon said it is ready finds the
#      launcher returning 0 and the daemon up: a normal start.)
bound() {	# read without a fork, to catch the launcher early
	local deadline=$(( $(date +%s%N) + 2000000000 ))
	until grep -q '^ *135 ' /proc/"$1"/net/netfilter/nfnetlink_log 2>/dev/null; do
		[ "$(date +%s%N)" -ge "$deadline" ] && return 1
	done
}
stopped=0 clean=0 late=0 late_ok=0
for i in $(seq 10); do
	ip netns exec "$T-r" "$NS_MONITOR" -d --pidfile "$DPF" -m m0 -s s1,s2 >>"$TMP/sec-c-term.log" 2>&1 &
	lp=$!
	bound $lp
	kill -TERM $lp 2>/dev/null
	wait $lp
	rc=$?
	if [ $rc = 0 ]; then
		late=$((late + 1))
		[ -s "$DPF" ] && alive "$(cat "$DPF")" && late_ok=$((late_ok + 1))
	else
		stopped=$((stopped + 1))
		[ $rc = 1 ] && nothing_left && clean=$((clean + 1))
	fi
	stop_pidfile "$DPF"
	wait_for 2 nothing_left
done
check "SIGTERM to the launcher during set-up stops the start ($stopped of 10, $late too late)" \
	[ $stopped -ge 1 ]
check "...each such launcher returned 1 leaving no daemon, table, rule or pidfile ($clean of $stopped)" \
	[ $clean = $stopped ]
check "...each later one returned 0 with the daemon up ($late_ok of $late)" [ $late_ok = $late ]

# 10c. --user nobody: the pidfile in /run/ns-monitor (made for the run user)
#      is removed at exit; one in a directory nobody cannot write is refused.
UPF=/run/ns-monitor/$T.pid
in_ns r "$NS_MONITOR" -d --user nobody --pidfile "$UPF" -m m0 -s s1,s2 >"$TMP/sec-c-user.log" 2>&1
rc=$?
check "--daemon --user nobody: exit 0 with the pidfile there" eval '[ $rc = 0 ] && [ -s "$UPF" ]'
check "...the daemon runs as nobody" eval '[ "$(stat -c %U /proc/"$(cat "$UPF")")" = nobody ]'
stop_pidfile "$UPF"
check "...its pidfile is gone after SIGTERM" not test -e "$UPF"
out=$(in_ns r "$NS_MONITOR" -d --user nobody --pidfile "$TMP/x.pid" -m m0 -s s1,s2 2>&1)
rc=$?
check "--user nobody with a pidfile where nobody cannot write: exit 2, says why" \
	eval '[ $rc = 2 ] && grep -q "not writable by uid 65534" <<<"$out" && nothing_left'

# 10d. SIGKILL after --proxy-ndp turned proxy_ndp on: the next start of the
#      group, even without --proxy-ndp, turns it off again.
pndp() { in_ns r sysctl -n net.ipv6.conf.m0.proxy_ndp; }
in_ns r sysctl -qw net.ipv6.conf.m0.proxy_ndp=0
LOG=$TMP/sec-c-pndp.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "--proxy-ndp daemon did not start"
ping_ok r $X
check "--proxy-ndp: X learned behind s1" wait_for 3 route_dev $X s1
check "...proxy_ndp turned on on m0" wait_for 2 eval '[ "$(pndp)" = 1 ]'
kill -KILL $DAEMON_PID; wait $DAEMON_PID 2>/dev/null
check "a SIGKILLed run leaves proxy_ndp=1" [ "$(pndp)" = 1 ]
LOG=$TMP/sec-c-pndp2.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "restart did not start"
check "the restart (no --proxy-ndp) turns proxy_ndp off within 2 s" wait_for 2 eval '[ "$(pndp)" = 0 ]'
check "...and says so" logged "$LOG" "m0: turned proxy_ndp off again"
stop_daemon $DAEMON_PID 1
check "...no route of ours is left" wait_for 2 eval '[ -z "$(in_ns r ip -6 route show proto 135)" ]'

# 10e. A missing slave and a slave losing its link-local address (s2 flapped
#      20 times) while NS keep coming for 1.5 s: said once per slave and
#      state change, at most 10 such lines a minute in all.
LOG=$TMP/sec-c-warn.log
start_daemon r "$LOG" -m m0 -s s1,s2,ghost0 || fail "daemon with a missing slave did not start"
t_end=$(( $(date +%s%N) + 1500000000 ))
i=0
while [ $i -lt 20 ] || [ "$(date +%s%N)" -lt $t_end ]; do
	i=$((i + 1))
	in_ns r ip link set dev s2 down
	in_ns r ip link set dev s2 up
	wait_for 2 ll_ready r s2
	in_ns r ping -c1 -W1 "2001:db8:1::c:$i" >/dev/null 2>&1 &
done
wait_for 3 logged "$LOG" "probe 2001:db8:1::c:$i on s1"
ghost=$(count_lines "$LOG" "slave ghost0: no such interface")
nolls=$(count_lines "$LOG" "slave s2: no usable link-local address")
check "a missing slave is reported once ($ghost lines, $i NS over 1.5 s)" [ "$ghost" = 1 ]
check "s2 flapped $i times: at most 9 lines about its link-local address ($nolls)" [ "$nolls" -le 9 ]
stop_daemon $DAEMON_PID 1
wait

summary
