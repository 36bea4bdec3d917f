#!/bin/bash
# Bindings of addresses to slaves: --bind in standalone mode, the set
# bindings_G in managed mode, read live by the daemon and handed to the
# engine, listed by --check, and kept across firewall reloads like the
# other sets.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
#   2001:db8:1::2/64  s2 ---- y0(Y)  2001:db8:1::201/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

RULES=$TOP/nft/ns-monitor.nft
X=2001:db8:1::100
Y=2001:db8:1::201

for n in r u x y; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
veth r s2 y y0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
in_ns y ip -6 addr add $Y/128 dev y0 nodad
for s in s1 s2; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0
in_ns y ip -6 route add default via "$(link_local r s2)" dev y0

# in_bindings ELEMENT: nft lists bindings_135 with that element (text as nft writes it).
in_bindings() { nftr list set inet ns_monitor bindings_135 2>/dev/null | grep -qF -- "$1"; }
logged_n() { [ "$(count_lines "$1" "$2")" -ge "$3" ]; }
add_members() {
	nftr add element inet ns_monitor masters_135 '{ "m0" }' &&
	nftr add element inet ns_monitor slaves_135 '{ "s1", "s2" }'
}

# 1. --check lists the bindings given with --bind, one line each, a
# prefix where the range is one; one that names no slave is a warning.
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s 's*' \
	--bind s1=$X --bind 's*=2001:db8:1::/120' 2>&1)
rc=$?
check "--check --bind: exits 0" [ $rc = 0 ]
check "--check --bind: lists an address as a /128" \
	grep -qx "ok: group 135: binding s1 = $X/128" <<<"$out"
check "--check --bind: lists a pattern with its prefix" \
	grep -qx "ok: group 135: binding s\* = 2001:db8:1::/120" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s 's*' --bind vnet0=2001:db8:1::300 2>&1)
check "--check --bind: a binding that names no slave is a warning" \
	grep -q "^warning: group 135: binding vnet0 = 2001:db8:1::300/128 names no slave" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 2>&1)
check "--check without --bind: no bindings, said so" \
	grep -qx "ok: group 135: no bindings: an address may be learned behind any slave" <<<"$out"

# 2. Standalone: the daemon's own bindings_135 holds --bind's elements,
# it reads them back, and a flush ruleset brings them back.
LOG=$TMP/standalone.log
start_daemon r "$LOG" -m m0 -s s1,s2 --bind s1=$X --bind 's*=2001:db8:1::/120' ||
	{ cat "$LOG"; echo "FAIL: standalone daemon did not start"; exit 1; }
PID=$DAEMON_PID
check "standalone: bindings_135 holds the name's element" in_bindings "\"s1\" . $X"
check "standalone: bindings_135 holds the pattern's element" in_bindings '"s*" . 2001:db8:1::/120'
check "standalone: the daemon read them back (-v)" \
	eval 'logged "$LOG" "group 135: binding s1 = $X/128 added" &&
	      logged "$LOG" "group 135: binding s* = 2001:db8:1::/120 added"'
check "standalone: the start summary counts them" \
	logged "$LOG" "master(s); 2 binding(s)"
nftr flush ruleset
check "standalone: after flush ruleset bindings_135 holds them again" \
	wait_for 2 eval 'in_bindings "\"s1\" . $X" && in_bindings "\"s*\" . 2001:db8:1::/120"'
check "standalone: ...and nothing was said removed" \
	not logged "$LOG" "binding s1 = $X/128 removed"
check "standalone: the daemon stops" stop_daemon $PID 2
check "standalone: the table is removed at exit" \
	not eval 'nftr list table inet ns_monitor >/dev/null 2>&1'

# 3. Managed: elements added with nft are read at once, names, patterns,
# prefixes and ranges; removed ones too; --check beside the daemon lists
# them.
nftr -f "$RULES"
add_members
LOG=$TMP/managed.log
start_daemon r "$LOG" -g 135 --learn-routes ||
	{ cat "$LOG"; echo "FAIL: managed daemon did not start"; exit 1; }
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "group 135: slave s2 added"
check "managed: an empty bindings_135 says nothing missing" \
	not logged "$LOG" "no set bindings_135"
nftr add element inet ns_monitor bindings_135 "{ \"s1\" . $X/128 }"
check "managed: an element added with nft is read at once" \
	wait_for 2 logged "$LOG" "group 135: binding s1 = $X/128 added"
nftr add element inet ns_monitor bindings_135 \
	'{ "s2" . 2001:db8:1::200-2001:db8:1::2ff, "s*" . 2001:db8:1::300-2001:db8:1::310 }'
check "managed: a range that is a prefix reads as the prefix" \
	wait_for 2 logged "$LOG" "group 135: binding s2 = 2001:db8:1::200/120 added"
check "managed: a pattern with a range reads as both" \
	wait_for 2 logged "$LOG" "group 135: binding s* = 2001:db8:1::300-2001:db8:1::310 added"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 2>&1)
check "managed: --check beside the daemon lists the three bindings" \
	eval 'grep -qx "ok: group 135: binding s1 = $X/128" <<<"$out" &&
	      grep -qx "ok: group 135: binding s2 = 2001:db8:1::200/120" <<<"$out" &&
	      grep -qx "ok: group 135: binding s\* = 2001:db8:1::300-2001:db8:1::310" <<<"$out"'
nftr delete element inet ns_monitor bindings_135 \
	'{ "s*" . 2001:db8:1::300-2001:db8:1::310 }'
check "managed: an element deleted is read at once" \
	wait_for 2 logged "$LOG" "group 135: binding s* = 2001:db8:1::300-2001:db8:1::310 removed"
check "managed: ...the others stay" not logged "$LOG" "binding s1 = $X/128 removed"

# 4. The bindings reach the engine: X learned behind s1, then bound to s2
# alone, is forgotten where it is (its route removed).
reach $X
check "managed: X is learned behind s1" wait_for 8 eval "ping_ok r $X; route_dev $X s1"
nftr delete element inet ns_monitor bindings_135 "{ \"s1\" . $X/128 }"
nftr add element inet ns_monitor bindings_135 "{ \"s2\" . $X/128 }"
check "managed: binding X to s2 makes the engine forget it behind s1" \
	wait_for 3 not route_dev $X s1
check "managed: ...and says why" logged "$LOG" "forgot $X behind s1: a binding puts it behind another slave"
stop_daemon $PID 2

# 5. Kept across firewall reloads like the other sets: --restore-members
# refills bindings_135 when the table comes back with it empty; --rules
# puts them back after a flush ruleset.
FW=$TMP/nftables.conf
cat >"$FW" <<EOF
flush ruleset
include "$RULES"
EOF
nftr -f "$FW"
add_members
nftr add element inet ns_monitor bindings_135 "{ \"s1\" . $X/128, \"s2\" . 2001:db8:1::200/120 }"
LOG=$TMP/restore.log
start_daemon r "$LOG" -g 135 --restore-members || fail "daemon with --restore-members did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "binding s2 = 2001:db8:1::200/120 added"
nftr -f "$FW"
check "--restore-members: the bindings are back after a reload" \
	wait_for 2 eval 'in_bindings "\"s1\" . $X" && in_bindings "\"s2\" . 2001:db8:1::200/120"'
check "--restore-members: the log names them and where they went" \
	wait_for 2 logged "$LOG" "bindings_135 lost \"s1\" . $X/128, \"s2\" . 2001:db8:1::200/120; added them again to masters_135, slaves_135 and bindings_135, which came back empty"
check "--restore-members: the engine never lost them" \
	not logged "$LOG" "binding s1 = $X/128 removed"
stop_daemon $PID 2

LOG=$TMP/rules.log
start_daemon r "$LOG" -g 135 --rules "$RULES" || fail "daemon with --rules did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "binding s2 = 2001:db8:1::200/120 added"
nftr flush ruleset
check "--rules: the table is back with its bindings" \
	wait_for 3 eval 'in_bindings "\"s1\" . $X" && in_bindings "\"s2\" . 2001:db8:1::200/120"'
stop_daemon $PID 2

# 6. A rules file from before bindings: no set, no bindings, said once at
# info level; the set added later is read. A set of another type: a
# warning, once.
OLD=$TMP/rules-old.nft
sed '/^\tset bindings_135 {/,/^\t}/d' "$RULES" >"$OLD"
nftr flush ruleset
nftr -f "$OLD"
add_members
LOG=$TMP/old.log
start_daemon r "$LOG" -g 135 --rules "$OLD" || fail "daemon with an older file did not start"
PID=$DAEMON_PID
check "older file: the daemon relays without bindings_135" logged "$LOG" "relaying NS"
check "older file: it says once that there is no set bindings_135" \
	eval '[ "$(count_lines "$LOG" "no set bindings_135")" = 1 ]'
nftr add element inet ns_monitor slaves_135 '{ "s3" }'
wait_for 2 logged "$LOG" "group 135: slave s3 added"
check "older file: ...and not again at the next change" \
	eval '[ "$(count_lines "$LOG" "no set bindings_135")" = 1 ]'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 2>&1); rc=$?
check "older file: --check says so and is content" \
	eval '[ $rc = 0 ] && grep -q "^ok: group 135: no set bindings_135" <<<"$out"'
nftr flush ruleset
check "older file: a reload of it restores the other sets" \
	wait_for 3 eval 'nftr list set inet ns_monitor slaves_135 2>/dev/null | grep -q "\"s3\""'
nftr add set inet ns_monitor bindings_135 '{ type ifname . ipv6_addr; flags interval; }'
nftr add element inet ns_monitor bindings_135 "{ \"s1\" . $X/128 }"
check "older file: the set added later is read" \
	wait_for 2 logged "$LOG" "group 135: binding s1 = $X/128 added"
stop_daemon $PID 2

nftr flush ruleset
sed '/^\tset bindings_135 {/,/^\t}/s/type ifname \. ipv6_addr/type ipv6_addr/' \
	"$RULES" >"$TMP/rules-wrong.nft"
nftr -f "$TMP/rules-wrong.nft"
add_members
LOG=$TMP/wrong.log
start_daemon r "$LOG" -g 135 || fail "daemon with a wrong bindings_135 did not start"
PID=$DAEMON_PID
check "wrong type: a warning that names the type it must have" \
	logged "$LOG" "group 135: set bindings_135 has type ipv6_addr, it must be type ifname . ipv6_addr"
nftr add element inet ns_monitor slaves_135 '{ "s3" }'
wait_for 2 logged "$LOG" "group 135: slave s3 added"
check "wrong type: said once" \
	eval '[ "$(count_lines "$LOG" "set bindings_135 has type")" = 1 ]'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 2>&1); rc=$?
check "wrong type: --check reports a problem" \
	eval '[ $rc = 1 ] && grep -q "^problem: group 135: set bindings_135 has type ipv6_addr" <<<"$out"'
stop_daemon $PID 2

summary
