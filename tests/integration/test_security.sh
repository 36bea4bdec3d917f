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
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

# --- sections below; each ends with its daemons stopped ---

# --- spoofed claims: a location is learned only from an answer to our own
#     probe, never for an address that answers on a master, and a conflicting
#     claim never moves a route while the current location answers ---
LOG=$TMP/claims.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "claims: daemon did not start"
PID=$DAEMON_PID
# The guest behind s1 takes the upstream's address and answers for it.
in_ns x ip -6 addr add $U/128 dev x0 nodad
check "claims: the router reaches the upstream" ping_ok r $U
check "claims: the guest's answer for the upstream is refused" \
	wait_for 3 logged "$LOG" "not routing $U behind s1: it answers on master m0"
check "claims: no route for the upstream's address behind s1" wait_while 3 route_dev $U s1
check "claims: no proxy entry for the upstream's address" \
	not eval "in_ns r ip -6 neigh show proxy | grep -q '$U '"
check "claims: the router still reaches the upstream" ping_ok r $U
in_ns x ip -6 addr del $U/128 dev x0

# Y is learned behind s2; the guest behind s1 then makes an entry for Y on
# s1 with its own NS from Y, and confirms it with a solicited NA of its own.
check "claims: Y is reached and learned behind s2" wait_for 5 eval "ping_ok r $Y && route_dev $Y s2"
in_ns x ip -6 addr add $Y/128 dev x0 nodad
# Its NS for R (from Y, with its link-layer address) makes R's entry.
in_ns x ip -6 neigh flush dev x0
in_ns x ping -c1 -W1 -I $Y "$(link_local r s1)%x0" >/dev/null 2>&1
in_ns x python3 - "$Y" "$(link_local r s1)" <<'PY'
import socket, struct, sys
y, router = sys.argv[1], sys.argv[2]
mac = open('/sys/class/net/x0/address').read().strip()
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
s.bind((y, 0))
# Neighbor advertisement, solicited and override, for Y, with x0's MAC.
na = struct.pack('!BBHI16sBB6s', 136, 0, 0, 0x60000000,
                 socket.inet_pton(socket.AF_INET6, y), 2, 1,
                 bytes.fromhex(mac.replace(':', '')))
s.sendto(na, (router, 0, 0, socket.if_nametoindex('x0')))
PY
check "claims: the guest's NA made Y REACHABLE on s1" \
	reachable_on $Y s1
check "claims: Y keeps its route behind s2" not wait_while 2 route_dev $Y s2
check "claims: no move was made" not logged "$LOG" "$Y moved"
in_ns x ip -6 addr del $Y/128 dev x0
kill -USR1 $PID
check "claims: refused claims are counted" \
	wait_for 2 eval "grep -qE 'claims refused [1-9]' '$LOG'"
check "claims: SIGTERM exits within a second" stop_daemon $PID 1

# --- two instances: a start purges only its own group's leftovers ---
in_ns r ip link add name m1 type veth peer name m1p
in_ns r ip link add name s3 type veth peer name s3p
for i in m1 m1p s3 s3p; do in_ns r ip link set dev $i up; done
LOG=$TMP/first.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "two: first daemon did not start"
FIRST=$DAEMON_PID
check "two: the first instance learns X" wait_for 5 eval "ping_ok r $X && route_dev $X s1"
check "two: its route carries group 135's metric (1024 + 135)" \
	eval "in_ns r ip -6 route show $X/128 proto 135 | grep -q 'metric 1159'"
LOG=$TMP/second.log
start_daemon r "$LOG" -g 136 -m m1 -s s3 --proxy-ndp || fail "two: second daemon did not start"
SECOND=$DAEMON_PID
check "two: the second instance left the first one's route" route_dev $X s1
check "two: ...and its proxy entry" eval "in_ns r ip -6 neigh show proxy | grep -q '$X dev m0'"
check "two: the first instance still relays" wait_for 5 eval "ping_ok r $X"
kill -KILL $FIRST; wait $FIRST 2>/dev/null
stop_daemon $SECOND 1
check "two: the second's exit left the first one's leftovers" route_dev $X s1
LOG=$TMP/first-again.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "two: first daemon did not restart"
check "two: the first group's restart removes its leftovers" wait_for 2 not route_dev $X s1
check "two: ...and its proxy entry" \
	wait_for 2 not eval "in_ns r ip -6 neigh show proxy | grep -q '$X dev m0'"
stop_daemon $DAEMON_PID 1
in_ns r ip link del m1; in_ns r ip link del s3

# --- keep-alive: learned targets asked again after a neighbor flush (as a
#     GC sweep does) are not starved by a flood of new targets ---
NS_FLOOD=${NS_FLOOD:-$TOP/build/default/ns_flood}
N=30
for i in $(seq $N); do echo "addr add 2001:db8:1::1:$i/128 dev x0 nodad"; done |
	in_ns x ip -batch -
LOG=$TMP/keepalive.log
# New targets get 100 asks a second: the flood below keeps that bucket
# empty, while re-asks of learned targets draw on a budget of their own.
start_daemon r "$LOG" -m m0 -s s1 --learn-routes --rate 100 --burst 50 ||
	fail "keep-alive: daemon did not start"
PID=$DAEMON_PID
learned() { [ "$(in_ns r ip -6 route show proto 135 | grep -c '^2001:db8:1::1:')" -eq "$1" ]; }
PINGS=()
for i in $(seq $N); do in_ns r ping -c1 -W2 2001:db8:1::1:$i >/dev/null 2>&1 & PINGS+=($!); done
check "keep-alive: $N targets learned" wait_for 5 learned $N
wait "${PINGS[@]}"
asked() { [ "$(grep -c 'probe 2001:db8:1::1:[0-9]* on s1' "$LOG")" -ge "$1" ]; }
# New targets at about 200 a second for 2 s, twice the ask rate. Our own
# NS leave no neighbor entry for them, so the host-wide table only gets
# the kernel's own entries on m0.
(for i in $(seq 20); do
	in_ns r "$NS_FLOOD" m0 2001:db8:1::1 2001:db8:1:0:e:$i:: 20 >/dev/null
	sleep 0.1
done) &
FLOOD=$!
wait_for 3 eval "[ \$(in_ns r nft list chain inet ns_monitor output_135 | sed -n 's/.*counter packets \([0-9]*\).*/\1/p') -ge 100 ]"
# As a garbage collection sweep does: every learned target's entry goes.
in_ns r ip -6 neigh flush dev s1
check "keep-alive: every learned target is asked again during the flood" \
	wait_for 3 asked $((2 * N))
check "keep-alive: ...and answers: all $N routes are kept past the answer window (3 s)" \
	not wait_while 4 learned $N
check "keep-alive: nothing was forgotten" not logged "$LOG" "forgot 2001:db8:1::1:"
wait $FLOOD
if ! learned $N || ! asked $((2 * N)); then
	kill -USR1 $PID
	wait_for 2 logged "$LOG" "re-asked"
	grep -E 'probes sent|re-asked|forgot|targets:' "$LOG" | tail -8
fi
stop_daemon $PID 1
for i in $(seq $N); do echo "addr del 2001:db8:1::1:$i/128 dev x0"; done | in_ns x ip -batch -
# --- Stats file: links beside it and at it, its mode (issue 9, item 2) ---
# node_exporter's textfile directory belongs to node_exporter's user (here
# nobody), group-writable by root: the daemon keeps no CAP_DAC_OVERRIDE.
# That user can plant links in it; the daemon must never write through one.
chmod 0711 "$TMP"
SD=$TMP/textfile
mkdir -m 0775 "$SD" && chown nobody:root "$SD"
PROM=$SD/ns-monitor.prom
VICTIM=$TMP/victim
echo precious >"$VICTIM"
as_nobody() { runuser -u nobody -- "$@"; }
victim_intact() { [ "$(cat "$VICTIM")" = precious ]; }
stats_written() { grep -q '^ns_monitor_nflog_messages_total ' "$1" 2>/dev/null; }
PLANTED=("$PROM.tmp" "$SD/.ns-monitor.prom.tmp" "$SD/ns-monitor.prom.new" "$SD/.ns-monitor.prom")
for l in "${PLANTED[@]}"; do as_nobody ln -s "$VICTIM" "$l"; done
links_intact() {
	local l
	for l in "${PLANTED[@]}"; do [ "$(readlink "$l")" = "$VICTIM" ] || return 1; done
}
# Only the planted links and the file itself: no temporary file stays.
only_expected() { [ "$(find "$SD" -mindepth 1 | wc -l)" = $((${#PLANTED[@]} + $1)) ]; }

LOG=$TMP/stats-links.log
old_umask=$(umask)
umask 077
start_daemon r "$LOG" -m m0 -s s1 --stats-file "$PROM" --stats-interval 1 ||
	fail "stats: the daemon did not start"
PID=$DAEMON_PID
umask "$old_umask"
check "stats: the file is written beside planted links" wait_for 5 stats_written "$PROM"
check "stats: links at PATH.tmp and guessable names are not written through" victim_intact
check "stats: the planted links are left as they were" links_intact
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }
check "stats: the file is a regular file" regular "$PROM"
check "stats: the daemon runs with umask 0077 (the unit's UMask=)" \
	[ "$(awk '$1 == "Umask:" {print $2}' /proc/"$PID"/status)" = 0077 ]
check "stats: mode 0644 under umask 077" [ "$(stat -c %a "$PROM")" = 644 ]
# A link planted at PATH while the daemon runs: refused, said, not written.
as_nobody ln -sfn "$VICTIM" "$PROM"
check "stats: a link planted at PATH later is refused with a warning" \
	wait_for 4 logged "$LOG" "is a symbolic link now: not writing through it"
warned_again() { [ "$(count_lines "$LOG" "is a symbolic link now")" -gt 1 ]; }
check "stats: ...once, not at every write (3 s, 1 s interval)" not wait_for 3 warned_again
stop_daemon "$PID" 2 || fail "stats: the daemon did not stop"
check "stats: ...and its target is not overwritten, also at exit" victim_intact
check "stats: ...the link stays a link" [ -L "$PROM" ]
check "stats: no temporary file is left behind" only_expected 1

# PATH a link at start: exit 2 with the reason, nothing written.
out=$(in_ns r timeout 5 "$NS_MONITOR" -m m0 -s s1 --stats-file "$PROM" 2>&1); rc=$?
check "stats: a link at PATH is refused at start (exit 2)" [ "$rc" = 2 ]
check "stats: ...with the reason and the way out" \
	grep -q "stats file $PROM is a symbolic link: .*--stats-follow-link" <<<"$out"
check "stats: ...and nothing is written" victim_intact
check "stats: ...and no temporary file is left" only_expected 1

# Told to follow: the file the link leads to is replaced, the link stays.
REAL=$TMP/real.prom
rm -f "$PROM" && ln -s "$REAL" "$PROM"
LOG=$TMP/stats-follow.log
start_daemon r "$LOG" -m m0 -s s1 --stats-file "$PROM" --stats-follow-link ||
	fail "stats: the daemon with --stats-follow-link did not start"
PID=$DAEMON_PID
check "stats: --stats-follow-link writes where the link leads" wait_for 5 stats_written "$REAL"
check "stats: ...and keeps the link" [ "$(readlink "$PROM")" = "$REAL" ]
stop_daemon "$PID" 2 || fail "stats: the daemon did not stop"
check "stats: ...no temporary file beside the target" \
	[ -z "$(find "$TMP" -maxdepth 1 -name '.real.prom.*')" ]
rm -rf "$SD" "$REAL" "$VICTIM"

# --- Set contents: hostile elements, a wrong type, 70 members (issue 9, items 8, 9) ---
RULES=$TOP/nft/ns-monitor.nft
nftr -f "$RULES"
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
# nft's JSON input can carry a quote: an element made to forge a sample,
# and two names the kernel refuses for an interface.
echo '{"nftables":[{"add":{"element":{"family":"inet","table":"ns_monitor","name":"slaves_135","elem":["q\"} 9\nx{a=\"b","a/b",".."]}}}]}' |
	nftr -j -f -
SF=$TMP/sets.prom
LOG=$TMP/sets.log
start_daemon r "$LOG" -g 135 --stats-file "$SF" --stats-interval 1 ||
	fail "sets: the managed daemon did not start"
PID=$DAEMON_PID
sample() { grep -qxF -- "$2" "$1" 2>/dev/null; }
# Every line a HELP, a TYPE or one sample: nothing forged.
well_formed() {
	! grep -vE '^(# (HELP|TYPE) ns_monitor_[a-z0-9_]+ .+|ns_monitor_[a-z0-9_]+(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? [0-9]+)$' "$1"
}
check "sets: s1 is taken from slaves_135" wait_for 3 logged "$LOG" "group 135: slave s1 added"
check "sets: elements that are not interface names are skipped, with a warning" \
	wait_for 3 logged "$LOG" "set slaves_135: 3 element(s) skipped, not interface names"
check "sets: ...none of them becomes a slave" not grep -q "slave \(q\|a/b\|\.\.\) added" "$LOG"
check "sets: ...they are counted" wait_for 3 sample "$SF" \
	'ns_monitor_set_members_ignored{group="135",set="slaves",reason="invalid"} 3'
check "sets: the stats file holds no forged sample" well_formed "$SF"
check "sets: ...and no line of the hostile element" not grep -q '^x{a=' "$SF"

# 70 members: all of them read (there was a limit of 64), without a word.
nftr flush set inet ns_monitor slaves_135
nftr add element inet ns_monitor slaves_135 \
	"{ \"s1\", $(seq -f '"ghost%g"' -s ', ' 1 69) }"
kill -HUP "$PID"
wait_for 3 logged "$LOG" "SIGHUP: reading" && kill -USR1 "$PID"
check "sets: a set of 70 members is read with nothing counted as over a limit" wait_for 3 sample "$SF" \
	'ns_monitor_set_members_ignored{group="135",set="slaves",reason="over_limit"} 0'
check "sets: ...and no warning about it" not logged "$LOG" "holds 70 interfaces"

# A slaves set of the wrong type: refused with what it is and must be.
# (The guests chain uses the set: it goes first, as nft wants.)
nftr delete chain inet ns_monitor guests_135
nftr delete set inet ns_monitor slaves_135
nftr add set inet ns_monitor slaves_135 '{ type ipv6_addr; }'
nftr add element inet ns_monitor slaves_135 '{ 2001:db8::1, 2001:db8:1::100 }'
check "sets: a slaves set of type ipv6_addr is refused, saying it must be ifname" \
	wait_for 3 logged "$LOG" "set slaves_135 has type ipv6_addr, it must be type ifname"
check "sets: ...its addresses are not read as names" wait_for 3 logged "$LOG" "group 135: slave s1 removed"
# Only s1 and the ghosts were ever slaves: no address read as a name.
odd_slave() { grep -a "group 135: slave .* added" "$LOG" | grep -avq "slave \(s1\|ghost[0-9]*\) added"; }
check "sets: ...no slave is made of its addresses" not odd_slave
check "sets: ...the stats file says so" wait_for 3 sample "$SF" \
	'ns_monitor_set_wrong_type{group="135",set="slaves"} 1'
stop_daemon "$PID" 2 || fail "sets: the daemon did not stop"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135); rc=$?
check "sets: --check finds the wrong type (exit 1)" [ "$rc" = 1 ]
check "sets: ...and names it" grep -q "set slaves_135 has type ipv6_addr, it must be type ifname" <<<"$out"
nftr delete table inet ns_monitor
# --- Item 3: --fwmark onto reserved or foreign routing tables ---
# Group G's egress table is BASE+G. A BASE that lands it on 253/254/255 is
# refused (exit 2) before anything is set up; a table that holds routes of
# another protocol makes the start (exit 1) and --check refuse, and its
# routes survive. Leftovers of our own protocol are still purged.
tables_snapshot() {
	in_ns r ip -6 route show table local
	in_ns r ip -6 route show table main
	in_ns r ip -6 route show table default 2>/dev/null
	in_ns r ip -6 rule show
}
TABLES_BEFORE=$(tables_snapshot)
tables_same() { [ "$(tables_snapshot)" = "$TABLES_BEFORE" ]; }
# reserved_refused FWMARK TABLE GROUP-ARGS...: exit 2, the reason names it.
reserved_refused() {
	local mark=$1 table=$2 out rc
	shift 2
	out=$(in_ns r timeout 10 "$NS_MONITOR" "$@" --fwmark "$mark" 2>&1)
	rc=$?
	[ $rc = 2 ] && grep -q "routing table $table, which the kernel reserves" <<<"$out" &&
		tables_same && ! in_ns r nft list table inet ns_monitor >/dev/null 2>&1
}
for t in 253 254 255; do
	check "fwmark onto table $t (standalone): exit 2, local/main untouched" \
		reserved_refused $((t - 135)) $t -m m0 -s s1,s2
done
check "fwmark onto table 254 for a second managed group: exit 2" \
	reserved_refused 250 254 -g 1 -g 4
check "fwmark onto table 255 under --check: exit 2" \
	reserved_refused 120 255 --check -m m0 -s s1

FOREIGN=$((0x10000 + 135))
in_ns r ip -6 route add 2001:db8:99::/64 dev m0 table $FOREIGN proto static
foreign_route() { in_ns r ip -6 route show table $FOREIGN | grep -q '^2001:db8:99::/64 dev m0 proto static'; }
out=$(in_ns r timeout 10 "$NS_MONITOR" -m m0 -s s1,s2 --fwmark 0x10000 2>&1); rc=$?
check "a table in use: the start exits 1" test $rc = 1
check "a table in use: the message names the table and the fix" \
	grep -q "routing table $FOREIGN already holds 1 route(s) of protocol .*choose another --fwmark" <<<"$out"
check "a table in use: its route survives" foreign_route
check "a table in use: nothing of ours was added" eval \
	'! in_ns r ip -6 route show table $FOREIGN proto 135 | grep -q . &&
	 ! in_ns r ip -6 rule show | grep -q "lookup $FOREIGN" &&
	 ! in_ns r nft list table inet ns_monitor >/dev/null 2>&1'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1,s2 --fwmark 0x10000 2>&1); rc=$?
check "a table in use: --check reports it (exit 1)" eval \
	'[ $rc = 1 ] && grep -q "^problem: group 135: routing table $FOREIGN already holds 1 route" <<<"$out"'
in_ns r ip -6 route del 2001:db8:99::/64 dev m0 table $FOREIGN proto static
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1,s2 --fwmark 0x10000 2>&1)
check "a free table: --check says so" grep -q "^ok: group 135: routing table $FOREIGN is free" <<<"$out"

# Our own leftovers (protocol 135) in our table do not count as foreign.
in_ns r ip -6 route add default dev s2 table $FOREIGN proto 135 metric 7
LOG=$TMP/sec-tables.log
start_daemon r "$LOG" -m m0 -s s1,s2 --fwmark 0x10000 ||
	fail "a table with our leftovers: the daemon did not start"
check "a table with our leftovers: they are purged" eval \
	'! in_ns r ip -6 route show table $FOREIGN | grep -q "metric 7"'
check "a table with our leftovers: the egress routes are in it" \
	wait_for 5 eval 'in_ns r ip -6 route show table $FOREIGN | grep -q "dev s1 proto 135"'
check "a table with our leftovers: the daemon stops" stop_daemon "$DAEMON_PID" 5
check "a table with our leftovers: the table is empty after exit" eval \
	'! in_ns r ip -6 route show table $FOREIGN | grep -q .'
check "local/main tables and rules as before the section" tables_same
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
check "--user nobody with a pidfile where nobody cannot write: exit 1, says why" \
	eval '[ $rc = 1 ] && grep -q "not writable by uid 65534" <<<"$out" && nothing_left'

# 10d. SIGKILL after --proxy-ndp turned proxy_ndp on: the next start of the
#      group, even without --proxy-ndp, turns it off again.
in_ns r sysctl -qw net.ipv6.conf.m0.proxy_ndp=0
LOG=$TMP/sec-c-pndp.log
start_daemon r "$LOG" -m m0 -s s1,s2 --proxy-ndp || fail "--proxy-ndp daemon did not start"
ping_ok r $X
check "--proxy-ndp: X learned behind s1" wait_for 3 route_dev $X s1
check "...proxy_ndp turned on on m0" wait_for 2 eval '[ "$(proxy_ndp)" = 1 ]'
kill -KILL $DAEMON_PID; wait $DAEMON_PID 2>/dev/null
check "a SIGKILLed run leaves proxy_ndp=1" [ "$(proxy_ndp)" = 1 ]
LOG=$TMP/sec-c-pndp2.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "restart did not start"
check "the restart (no --proxy-ndp) turns proxy_ndp off within 2 s" wait_for 2 eval '[ "$(proxy_ndp)" = 0 ]'
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
