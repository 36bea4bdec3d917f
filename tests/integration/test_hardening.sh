#!/bin/bash
# Hardening and observability: least privilege, the stats file, SIGUSR1,
# hostile packets logged into the group, and a bounded NS flood.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100
. "$(dirname "$0")/lib.sh"
need_root

NS_FLOOD=${NS_FLOOD:-$TOP/build/default/ns_flood}
X=2001:db8:1::100
for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns x ip -6 addr add $X/64 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }

status_field() { awk -v k="$2:" '$1 == k {print $2}' /proc/"$1"/status; }
STATS=$TMP/ns-monitor.prom

# 1. Least privilege, started as root: CAP_NET_ADMIN (12) and CAP_NET_RAW
#    (13) only, effective, permitted and bounding.
LOG=$TMP/caps.log
start_daemon r "$LOG" -m m0 -s s1 --stats-file "$STATS" --stats-interval 1 ||
	{ cat "$LOG"; echo "FAIL: daemon did not start"; exit 1; }
PID=$DAEMON_PID
check "root: effective capabilities are NET_ADMIN and NET_RAW only" \
	[ "$(status_field $PID CapEff)" = 0000000000003000 ]
check "root: permitted capabilities are NET_ADMIN and NET_RAW only" \
	[ "$(status_field $PID CapPrm)" = 0000000000003000 ]
check "root: the bounding set is NET_ADMIN and NET_RAW only" \
	[ "$(status_field $PID CapBnd)" = 0000000000003000 ]
reach $X
check "with dropped capabilities it still relays" wait_for 5 logged "$LOG" "probe $X on s1"

# 2. The stats file: Prometheus text format, checked line by line.
prom_ok() {
	awk '
	/^# HELP ns_monitor_[a-z0-9_]+ .+/ { help[$3] = 1; next }
	/^# TYPE ns_monitor_[a-z0-9_]+ (counter|gauge)$/ { type[$3] = 1; next }
	/^ns_monitor_[a-z0-9_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$/ {
		name = $1; sub(/\{.*/, "", name); seen[name] = 1; next }
	{ print "bad line: " $0; bad = 1 }
	END {
		for (n in seen) if (!(n in help) || !(n in type)) { print "no HELP/TYPE: " n; bad = 1 }
		exit bad
	}' "$STATS"
}
check "the stats file is written" wait_for 3 test -s "$STATS"
check "the stats file is valid Prometheus text" prom_ok
# promtool's lint too (names, units, HELP).
check "promtool check metrics: no lint complaint" lint_ok
# X's confirm: its entry written from its NA (no echo request).
confirmed() { [ "$(metric ns_monitor_confirms_total)" = "$1" ] &&
	      [ "$(metric ns_monitor_neighbors_added_total)" = "$1" ]; }
check "the stats file counts X's confirm (rewritten every second)" wait_for 3 confirmed 1
on_s1() { metric "ns_monitor_$1{group=\"135\",slave=\"s1\"}"; }
check "...and its ask on s1, with no echo request" \
	eval '[ "$(on_s1 asks_total)" = 1 ] && [ "$(on_s1 probes_total)" = 0 ]'
check "the NFLOG counter is there" [ -n "$(metric ns_monitor_nflog_messages_total)" ]
check "no temporary file is left" not test -e "$STATS.tmp"

# 3. SIGUSR1 logs the counters.
kill -USR1 $PID
check "SIGUSR1 logs the counters" wait_for 2 logged "$LOG" "slave s1: asks sent 1, probes sent 0"
check "...and the engine's" logged "$LOG" "asks 1, confirms 1;"
stop_daemon $PID 1
check "the stats file is final at exit" confirmed 1

# 4. As an unprivileged user, keeping the two capabilities.
LOG=$TMP/user.log
start_daemon r "$LOG" -m m0 -s s1 --user nobody || { cat "$LOG"; fail "daemon --user did not start"; }
PID=$DAEMON_PID
check "--user nobody: the daemon runs as uid 65534" \
	[ "$(awk '$1 == "Uid:" {print $3}' /proc/$PID/status)" = 65534 ]
check "--user nobody: it keeps NET_ADMIN and NET_RAW" \
	[ "$(status_field $PID CapEff)" = 0000000000003000 ]
reach 2001:db8:1::101
check "--user nobody: it relays" wait_for 5 logged "$LOG" "probe 2001:db8:1::101 on s1"
check "--user nobody: SIGTERM still cleans up" stop_daemon $PID 1
check "--user nobody: no table left" not in_ns r nft list table inet ns_monitor 2>/dev/null
check "--user nobody: no policy rule left" not eval "in_ns r ip -6 rule show | grep -q 'lookup 1853030535'"
# 4b. Started with a bounding set of just the two (as systemd's
#     CapabilityBoundingSet= does): no CAP_SETPCAP to shrink it, no need to.
LOG=$TMP/bounded.log
ip netns exec $T-r setpriv --bounding-set=-all,+net_admin,+net_raw \
	"$NS_MONITOR" -v -m m0 -s s1 >"$LOG" 2>&1 &
PID=$!
DAEMONS+=("$PID")
check "bounded to the two: it starts" wait_for 5 logged "$LOG" "relaying NS"
check "bounded to the two: no warning about capabilities" not logged "$LOG" "capabilities"
check "bounded to the two: effective NET_ADMIN and NET_RAW" \
	[ "$(status_field $PID CapEff)" = 0000000000003000 ]
stop_daemon $PID 1
check "an unknown user is a bad argument (exit 2)" \
	eval 'in_ns r timeout 10 "$NS_MONITOR" -m m0 -s s1 --user no-such-user-x >/dev/null 2>&1; [ $? = 2 ]'

# 4c. NAs for link-local targets (what answers the kernel's own checks of
#     routers and peers by their link-local addresses) never reach the
#     daemon: the answer socket's filter drops them in the kernel. X sends
#     20, then the host reaches X2, behind s1 too: X2's NA comes after them
#     on the same socket, so once its entry is written the 20 were either
#     read before it or never. The pings of the sections before are over
#     first, and their entries gone: nothing else is asked.
X2=2001:db8:1::102
in_ns x ip -6 addr add $X2/64 dev x0 nodad
pings_in_r() { ip netns pids "$T-r" | xargs -r ps -o comm= -p 2>/dev/null | grep -q '^ping$'; }
check "link-local NAs: the earlier pings are over" wait_while 10 pings_in_r
in_ns r ip -6 neigh flush dev m0
in_ns r ip -6 neigh flush dev s1
LOG=$TMP/ll.log
rm -f "$STATS"	# the counters below are this daemon's, none left before
start_daemon r "$LOG" -m m0 -s s1 --stats-file "$STATS" --stats-interval 1 ||
	fail "daemon did not start"
PID=$DAEMON_PID
X_LL=$(link_local x x0)
# shellcheck disable=SC2046 # 20 words, the same address
send_na x x0 "$(link_local r s1)" $(for _ in $(seq 20); do echo "$X_LL"; done)
reach $X2
check "link-local NAs: X2's entry is written from its NA" \
	wait_for 5 eval "in_ns r ip -6 neigh show $X2 dev s1 | grep -q 'proto 135'"
# The stats file is final at exit.
check "link-local NAs: the daemon exits within a second" stop_daemon $PID 1
check "link-local NAs: one confirm, X2's" [ "$(metric ns_monitor_confirms_total)" = 1 ]
check "link-local NAs: X2's NA is the one NA read" \
	[ "$(metric 'ns_monitor_answer_packets_total{kind="na"}')" = 1 ]

# 5. Hostile input: someone else's rules log other packets into group 135.
LOG=$TMP/hostile.log
start_daemon r "$LOG" -m m0 -s s1 --stats-file "$STATS" --stats-interval 1 ||
	fail "daemon did not start"
PID=$DAEMON_PID
in_ns r nft -f - <<NFT
table inet hostile {
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "s1" icmpv6 type { echo-request, echo-reply, nd-neighbor-advert } log group 135
		oifname "s1" meta l4proto udp log group 135
		oifname "s1" icmpv6 type nd-neighbor-solicit log group 135 snaplen 40
	}
}
NFT
in_ns r ip -6 route add 2001:db8:5::/64 dev s1
for i in $(seq 1 40); do
	# Long enough not to be "short": the parser must reach the next header.
	in_ns r bash -c 'printf "%64s" x >/dev/udp/2001:db8:5::1/9' 2>/dev/null
done
in_ns r ping -c 20 -i 0.01 -W1 2001:db8:5::1 >/dev/null 2>&1
in_ns x ping -c 20 -i 0.01 -W1 "$(link_local r s1)%x0" >/dev/null 2>&1
ignored() { [ "$(metric "ns_monitor_solicitations_ignored_total{group=\"135\",reason=\"$1\"}")" -ge "$2" ] 2>/dev/null; }
check "UDP logged into the group is ignored as next_header" wait_for 3 ignored next_header 40
check "echo requests and replies, NA are ignored as type" wait_for 3 ignored type 20
check "an NS cut by a small snaplen is ignored as short" wait_for 3 ignored short 1
check "no probe for any of them" not logged "$LOG" "probe 2001:db8:5::"
check "...nor for the NS of R's own reply traffic on s1" not logged "$LOG" "probe fe80::"
check "the daemon is alive" kill -0 $PID
check "no log flood: at most 5 warnings about ignored packets" \
	[ "$(count_lines "$LOG" "ignored a logged packet")" -le 5 ]
in_ns r nft delete table inet hostile
stop_daemon $PID 1

# 6. A flood of distinct targets, bounded: the daemon stays responsive, its
#    memory stays bounded, its probes stay within the token bucket, and every
#    message the kernel rule logged is either processed or counted lost.
LOG=$TMP/flood.log
start_daemon r "$LOG" -m m0 -s s1 --rate 100 --burst 50 || fail "flood daemon did not start"
PID=$DAEMON_PID
rss_before=$(status_field $PID VmRSS)
start=$(date +%s%N)
out=$(in_ns r "$NS_FLOOD" m0 2001:db8:1::1 2001:db8:1:0:f::0 20000)
echo "# flood: sent, failed: $out"
kill -USR1 $PID
check "responsive during the flood: SIGUSR1 answered within 1 s" \
	wait_for 1 logged "$LOG" "nflog: messages"
flood_logged=$(in_ns r nft list chain inet ns_monitor output_135 | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
# Counters at exit are final: compare them with the rule's counter.
check "SIGTERM during the aftermath exits within a second" stop_daemon $PID 1
elapsed_s=$(( ($(date +%s%N) - start) / 1000000000 + 1 ))
got=$(sed -n 's/.*nflog: messages \([0-9]*\), overruns \([0-9]*\), lost \([0-9]*\).*/\1 \3/p' "$LOG" | tail -1)
processed=${got% *}; lost=${got#* }
echo "# flood: rule logged $flood_logged, processed $processed, lost $lost"
check "every logged NS is processed or counted lost" [ $((processed + lost)) = "$flood_logged" ]
# Asks (our own NS) and echo requests together.
sent=$(sed -n 's/.*slave s1: asks sent \([0-9]*\), probes sent \([0-9]*\).*/\1 + \2/p' "$LOG" | tail -1)
sent=$((sent))
echo "# flood: asks and probes $sent in ${elapsed_s}s; RSS before ${rss_before} kB"
check "asks stay within the token bucket (burst + rate x time)" \
	[ "$sent" -le $((50 + 100 * elapsed_s)) ]
summary
