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
	grep -q "routing table $FOREIGN .*did not make.*choose another --fwmark" <<<"$out"
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

summary
