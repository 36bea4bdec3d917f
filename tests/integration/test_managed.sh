#!/bin/bash
# Managed mode and the control plane: the shipped rules, live set membership,
# two groups in one process, firewall reloads, target prefixes, --check.
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100
#   V(v0) ---- m1     s2 ---- y0(Y)  2001:db8:1::201
#                     s3 ---- z0(Z)  2001:db8:3::100   (group 136)
#                  vnet0 ---- p0
#                  vnet1 ---- q0(Q)  2001:db8:1::400   (section 12: patterns)
. "$(dirname "$0")/lib.sh"
need_root

RULES=$TOP/nft/ns-monitor.nft
GOLDEN=$TOP/tests/golden/ns-monitor.nft.dump

for n in r u v x y z p q; do netns_add $n; done
veth r m0 u u0
veth r m1 v v0
veth r s1 x x0
veth r s2 y y0
veth r s3 z z0
veth r vnet0 p p0
veth r vnet1 q q0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns r ip -6 addr add 2001:db8:3::1/64 dev m1 nodad
in_ns x ip -6 addr add 2001:db8:1::100/64 dev x0 nodad
in_ns y ip -6 addr add 2001:db8:1::201/64 dev y0 nodad
in_ns z ip -6 addr add 2001:db8:3::100/64 dev z0 nodad
in_ns q ip -6 addr add 2001:db8:1::400/64 dev q0 nodad
for s in s1 s2 s3 vnet0 vnet1; do wait_for 5 ll_ready r $s || { echo "FAIL: link-local on $s"; exit 1; }; done

logged_n() { [ "$(count_lines "$1" "$2")" -ge "$3" ]; }
logged_ns() { nftr list chain inet ns_monitor output_$1 | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
has_chain() { nftr list chain inet ns_monitor "$1" >/dev/null 2>&1; }
in_set() { nftr list set inet ns_monitor "$1" 2>/dev/null | grep -q "\"$2\""; }

# 1. The shipped file: passes nft -c, loads, and lists as the golden dump.
check "nft -c accepts the shipped rules" nftr -c -f "$RULES"
nftr -f "$RULES"
check "the shipped rules list as the golden dump" \
	diff -u "$GOLDEN" <(nftr list ruleset)

# A second group, 136, made from the shipped file as its comment says.
sed -n '/^table/,$p' "$RULES" | sed 's/135/136/g' | nftr -f -
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
nftr add element inet ns_monitor masters_136 '{ "m1" }'
nftr add element inet ns_monitor slaves_136 '{ "s3" }'

out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 -g 136); rc=$?
check "--check on a good setup exits 0" [ $rc = 0 ]
check "--check on a good setup says so" grep -q "configuration OK" <<<"$out"
# ok or a warning: the table is the whole machine's, what else runs counts.
check "--check sizes the neighbor table against the 2 slaves" \
	grep -qE "^(ok|warning): neighbor table: .*[^0-9]2 slave\(s\)" <<<"$out"

# --proxy-ndp needs the input chain the shipped file has commented out.
INPUT_WARN="^warning: group 135: --proxy-ndp, but table inet ns_monitor has no chain input_135"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --proxy-ndp); rc=$?
check "--check --proxy-ndp without chain input_135: a warning naming it, exit 0" \
	eval '[ $rc = 0 ] && grep -q "$INPUT_WARN.*uncomment chain input_135" <<<"$out"'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --proxy-ndp --rules "$RULES")
check "--check --proxy-ndp --rules FILE: the warning names FILE" \
	grep -q "$INPUT_WARN.*in the rules file ($RULES;" <<<"$out"
WITH_INPUT=$TMP/rules-input.nft
sed -e '/^\t#chain input_135/,/^\t#}/s/^\t#/\t/' -e '/^\t#set guests_ns_rate_135/,/^\t#}/s/^\t#/\t/' -e 's/^#\(flush chain inet ns_monitor input_135\)$/\1/' "$RULES" >"$WITH_INPUT"
nftr -f "$WITH_INPUT"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --proxy-ndp); rc=$?
check "--check --proxy-ndp with chain input_135: no such warning" \
	eval '[ $rc = 0 ] && ! grep -q "$INPUT_WARN" <<<"$out" && has_chain input_135'
nftr delete chain inet ns_monitor input_135

LOG=$TMP/managed.log
start_daemon r "$LOG" -g 135 -g 136 || { cat "$LOG"; echo "FAIL: managed daemon did not start"; exit 1; }
PID=$DAEMON_PID
check "managed mode reads slaves_135" wait_for 3 logged "$LOG" "group 135: slave s1 added"
check "no set is empty: nothing said about it" not logged "$LOG" "is empty: nothing is relayed"
nftr flush set inet ns_monitor slaves_136
check "an emptied set is warned about" \
	wait_for 3 logged "$LOG" "group 136: set slaves_136 is empty: nothing is relayed"
nftr add element inet ns_monitor slaves_136 '{ "s3" }'
wait_for 3 eval "[ \"\$(count_lines "$LOG" "group 136: slave s3 added")\" -ge 2 ]"

# --check beside the running daemon: it names it and checks the rest.
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 -g 136); rc=$?
check "--check beside the daemon exits 0" [ $rc = 0 ]
check "--check beside the daemon says it runs, with its pid" \
	grep -q "^ok: NFLOG group 135: ns-monitor is running (pid $PID)" <<<"$out"
check "--check beside the daemon checks the rest" \
	grep -q "^ok: group 136: table inet ns_monitor has chain output_136 and its sets" <<<"$out"

# 2. Group 135 relays to s1 only; group 136 to s3 only.
reach 2001:db8:1::100
check "group 135: X found behind s1" wait_for 5 reachable_on 2001:db8:1::100 s1
check "group 135: s2 (not a slave yet) is not probed" not logged "$LOG" "on s2"
check "group 135: s3 (group 136's) is not probed" not logged "$LOG" "probe 2001:db8:1::100 on s3"
reach 2001:db8:3::100
check "group 136: Z found behind s3" wait_for 5 reachable_on 2001:db8:3::100 s3
check "group 136: s1 is not probed" not logged "$LOG" "probe 2001:db8:3::100 on s1"

# 3. A slave added to the set is probed for the next new target.
nftr add element inet ns_monitor slaves_135 '{ "s2" }'
check "adding s2 to slaves_135 is seen at once" wait_for 2 logged "$LOG" "group 135: slave s2 added"
reach 2001:db8:1::201
check "the next new target is probed on s2 (Y found)" wait_for 5 reachable_on 2001:db8:1::201 s2

# 4. A master removed from the set: nothing more is relayed.
nftr delete element inet ns_monitor masters_135 '{ "m0" }'
before=$(logged_ns 135)
reach 2001:db8:1::310
wait_for 6 failed_on 2001:db8:1::310 m0
check "without a master nothing is logged" [ "$(logged_ns 135)" = "$before" ]
check "without a master nothing is probed" not logged "$LOG" 2001:db8:1::310
nftr add element inet ns_monitor masters_135 '{ "m0" }'

# 5. A firewall reload without --rules: the daemon says what to do and waits.
nftr flush ruleset
check "a reload without --rules is reported with the fix" \
	wait_for 2 logged "$LOG" "nothing is relayed until it is loaded"
nftr -f "$RULES"
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1", "s2" }'
sed -n '/^table/,$p' "$RULES" | sed 's/135/136/g' | nftr -f -
reach 2001:db8:1::311
check "relaying resumes once the rules are back, without a restart" \
	wait_for 5 logged "$LOG" "probe 2001:db8:1::311 on s1"
stop_daemon $PID 1
check "managed mode leaves the operator's table in place" has_chain output_135

# 6. Managed with --rules: a flush ruleset is repaired within 2 s, members kept.
LOG=$TMP/rules.log
start_daemon r "$LOG" -g 135 --rules "$RULES" || fail "daemon with --rules did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "slave s2 added"
nftr flush ruleset
check "--rules: the table is back within 2 s" wait_for 2 has_chain output_135
check "--rules: the masters are restored" wait_for 2 in_set masters_135 m0
check "--rules: the slaves are restored" wait_for 2 in_set slaves_135 s2
reach 2001:db8:1::312
check "--rules: relaying resumes" wait_for 5 logged "$LOG" "probe 2001:db8:1::312 on s1"
stop_daemon $PID 1

# 7. --check on a broken setup: no table.
nftr flush ruleset
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135); rc=$?
check "--check without the table exits 1" [ $rc = 1 ]
check "--check without the table names the fix" grep -q "nft -f" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1,nosuch0); rc=$?
check "--check with a missing slave exits 0 (VMs come and go)" [ $rc = 0 ]
check "--check warns about the missing slave" grep -q "^warning: slave nosuch0 does not exist" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m nosuch1 -s s1); rc=$?
check "--check with a missing master exits 1" [ $rc = 1 ]
check "--check names the missing master" grep -q "^problem: master nosuch1 does not exist" <<<"$out"

# 8. Standalone: a flush ruleset is repaired within 2 s.
LOG=$TMP/standalone.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "standalone daemon did not start"
PID=$DAEMON_PID
nftr flush ruleset
check "standalone: the table is back within 2 s" wait_for 2 has_chain output_135
reach 2001:db8:1::313
check "standalone: relaying resumes" wait_for 5 logged "$LOG" "probe 2001:db8:1::313 on s1"
stop_daemon $PID 1
check "standalone: the table is removed at exit" not has_chain output_135

# 9. Standalone with target prefixes: only targets inside reach the daemon.
LOG=$TMP/targets.log
start_daemon r "$LOG" -m m0 -s s1 -t 2001:db8:1::/120,2001:db8:7::/64 || fail "daemon with -t did not start"
PID=$DAEMON_PID
before=$(logged_ns 135)
reach 2001:db8:1::1:5
wait_for 6 failed_on 2001:db8:1::1:5 m0
check "a target outside the prefixes is not logged" [ "$(logged_ns 135)" = "$before" ]
reach 2001:db8:1::55
check "a target inside the prefixes is relayed" wait_for 5 logged "$LOG" "probe 2001:db8:1::55 on s1"
stop_daemon $PID 1

# 10. --rules without the group: refused at start and by --check; a file
# that goes bad at run time is retried with a back-off, not in a loop.
GOOD=$TMP/rules-good.nft
BAD=$TMP/rules-no135.nft
BROKEN=$TMP/rules-broken.nft
cp "$RULES" "$GOOD"
sed 's/135/136/g' "$RULES" >"$BAD"
printf 'table inet ns_monitor {\n\tchain output_135 {\n' >"$BROKEN"
nftr flush ruleset
out=$(in_ns r timeout 10 "$NS_MONITOR" -g 135 --rules "$BAD" 2>&1); rc=$?
check "--rules without the group: the start exits 1" [ $rc = 1 ]
check "--rules without the group: the start names what is missing" \
	grep -q "defines no chain output_135" <<<"$out"
check "--rules without the group: nothing was loaded" not has_chain output_136
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --rules "$BAD" 2>&1); rc=$?
check "--rules without the group: --check exits 1" [ $rc = 1 ]
check "--rules without the group: --check reports it" \
	grep -q "^problem: group 135: rules file .* defines no chain output_135" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 136 --rules "$BAD" 2>&1); rc=$?
check "--rules with the group: --check is content" [ $rc = 0 ]
out=$(in_ns r timeout 10 "$NS_MONITOR" -g 135 --rules "$BROKEN" 2>&1); rc=$?
check "--rules that does not parse: the start exits 1 and says so" \
	eval '[ $rc = 1 ] && grep -q "does not load" <<<"$out"'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --rules "$BROKEN" 2>&1); rc=$?
check "--rules that does not parse: --check reports it" \
	eval '[ $rc = 1 ] && grep -q "^problem: rules file .* does not load" <<<"$out"'
check "--rules that does not parse: --check quotes nft's parser, line and all" \
	grep -q "does not load: .*Error: syntax error, unexpected end of file" <<<"$out"
# A file that parses up to a typo in a keyword: the parser's word for it.
sed 's/^\tchain output_135 {/\tchian output_135 {/' "$RULES" >"$TMP/rules-typo.nft"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -g 135 --rules "$TMP/rules-typo.nft" 2>&1); rc=$?
check "--rules with a misspelt keyword: --check exits 1 with the parser's message" \
	eval '[ $rc = 1 ] && grep -q "rules-typo.nft:[0-9]*:[0-9-]*: Error: syntax error" <<<"$out"'
check "the checks left the ruleset empty" eval '[ -z "$(nftr list ruleset)" ]'

RUNTIME=$TMP/rules-runtime.nft
cp "$GOOD" "$RUNTIME"
LOG=$TMP/backoff.log
start_daemon r "$LOG" -g 135 --rules "$RUNTIME" || fail "daemon with a good --rules did not start"
PID=$DAEMON_PID
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
wait_for 2 logged "$LOG" "group 135: slave s1 added"
cp "$BAD" "$RUNTIME"
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
ticks0=$(cpu_ticks $PID)
t0=$(date +%s%N)
nftr flush ruleset
# Attempts at 0, 1 and 3 s (1 s doubling): a window of at least 2.5 s that
# ends with the third attempt holds no more than three.
third_after_window() {
	logged_n "$LOG" "loading $RUNTIME again" 3 &&
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 2500 ]
}
wait_for 8 third_after_window
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
attempts=$(count_lines "$LOG" "loading $RUNTIME again")
ticks=$(( $(cpu_ticks $PID) - ticks0 ))
check "a bad file at run time: at most 3 reloads in ${elapsed_ms} ms ($attempts)" \
	eval '[ $attempts -ge 2 ] && [ $attempts -le 3 ]'
check "a bad file at run time: the daemon stays idle ($ticks ticks)" [ "$ticks" -le 30 ]
check "a bad file at run time: it says why, with the back-off" \
	logged "$LOG" "defines no chain output_135: add group 135's objects to it (see ns-monitor.nft); trying again in 2 s"
cp "$GOOD" "$RUNTIME"
check "a fixed file is loaded at the next try" wait_for 6 has_chain output_135
check "after the fix the members are back" wait_for 2 in_set slaves_135 s1
reach 2001:db8:1::314
check "after the fix relaying resumes" wait_for 5 logged "$LOG" "probe 2001:db8:1::314 on s1"
stop_daemon $PID 1

# 11. A flushed chain (or table) is noticed: standalone and --rules put the
# log rule back; managed without --rules says so once and resumes.
has_rule() { nftr list chain inet ns_monitor output_135 2>/dev/null | grep -q "log group 135"; }
# flush_repaired MODE-LOG WHAT TARGET: flush WHAT, the rule is back, relaying works.
flush_repaired() {
	local log=$1 what=$2 target=$3
	nftr flush $what || return 1
	wait_for 3 has_rule || return 1
	reach "$target"
	wait_for 5 logged "$log" "probe $target on s1"
}
LOG=$TMP/flush-standalone.log
start_daemon r "$LOG" -m m0 -s s1 || fail "standalone daemon did not start"
PID=$DAEMON_PID
check "standalone: a flushed chain gets its rule back, relaying resumes" \
	flush_repaired "$LOG" "chain inet ns_monitor output_135" 2001:db8:1::315
check "standalone: a flushed table gets its rule back, relaying resumes" \
	flush_repaired "$LOG" "table inet ns_monitor" 2001:db8:1::316
check "standalone: the repair was logged" logged "$LOG" "chain output_135 has no rule logging to group 135"
stop_daemon $PID 1

nftr -f "$RULES"
LOG=$TMP/flush-rules.log
start_daemon r "$LOG" -g 135 --rules "$RULES" || fail "daemon with --rules did not start"
PID=$DAEMON_PID
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
wait_for 2 logged "$LOG" "group 135: slave s1 added"
check "--rules: a flushed chain gets its rule back, relaying resumes" \
	flush_repaired "$LOG" "chain inet ns_monitor output_135" 2001:db8:1::317
check "--rules: a flushed table gets its rule back, relaying resumes" \
	flush_repaired "$LOG" "table inet ns_monitor" 2001:db8:1::318
check "--rules: one rule in the chain, not a pile" \
	eval '[ "$(nftr list chain inet ns_monitor output_135 | grep -c "log group 135")" = 1 ]'
stop_daemon $PID 1

nftr flush ruleset
nftr -f "$RULES"
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
LOG=$TMP/flush-managed.log
start_daemon r "$LOG" -g 135 || fail "managed daemon did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "group 135: slave s1 added"
WARN="chain output_135 has no rule logging to group 135 (flushed?)"
nftr flush chain inet ns_monitor output_135
check "managed: a flushed chain is reported with the fix" wait_for 2 logged "$LOG" "$WARN"
nftr add element inet ns_monitor slaves_135 '{ "s2" }'	# more events
check "managed: the daemon follows the sets meanwhile, without repeating" \
	eval 'kill -HUP $PID && wait_for 2 logged "$LOG" "SIGHUP" && [ "$(count_lines "$LOG" "$WARN")" = 1 ]'
nftr -f "$RULES"
check "managed: relaying resumes once the rule is back" \
	eval 'reach 2001:db8:1::319; wait_for 5 logged "$LOG" "probe 2001:db8:1::319 on s1"'
nftr flush table inet ns_monitor
check "managed: a flushed table is reported again" wait_for 2 logged_n "$LOG" "$WARN" 2
stop_daemon $PID 1

# 12. Patterns (issue 10): "m*" in masters_135 matches the NS the host sends
# on m0 in the kernel, and "vnet*" in slaves_135 is vnet0 and vnet1 to the
# daemon, which finds Q behind vnet1.
nftr flush ruleset
nftr -f "$RULES"
check "patterns: the shipped sets take \"vnet*\" and \"m*\"" eval \
	'nftr add element inet ns_monitor masters_135 "{ \"m*\" }" &&
	 nftr add element inet ns_monitor slaves_135 "{ \"vnet*\" }"'
LOG=$TMP/patterns.log
start_daemon r "$LOG" -g 135 || fail "managed daemon did not start"
PID=$DAEMON_PID
check "patterns: \"vnet*\" makes vnet0 a slave" wait_for 2 logged "$LOG" "group 135: slave vnet0 added"
check "patterns: \"vnet*\" makes vnet1 a slave" wait_for 2 logged "$LOG" "group 135: slave vnet1 added"
check "patterns: no slave named after the range's bounds" \
	not grep -qE "slave vne(t|u) added" "$LOG"
before=$(logged_ns 135)
reach 2001:db8:1::400
check "patterns: Q found behind vnet1" wait_for 5 reachable_on 2001:db8:1::400 vnet1
check "patterns: the NS on m0 matched \"m*\" in the kernel" [ "$(logged_ns 135)" -gt "$before" ]
check "patterns: the probe went out of vnet1" logged "$LOG" "probe 2001:db8:1::400 on vnet1"
stop_daemon $PID 1

# 300 names in slaves_135 (600 interval elements, a dump of several
# messages): all read. None of these interfaces exists; the relay's own
# table is not what is counted here, the set as read is.
in_ns r ip -6 neigh flush dev vnet1
many=$(for i in $(seq 0 299); do printf '"d%s", ' "$i"; done)
nftr add element inet ns_monitor slaves_135 "{ ${many%, } }"
check "300 names: the set holds them" \
	eval '[ "$(nftr -j list set inet ns_monitor slaves_135 | grep -o "\"d[0-9]*\"" | wc -l)" = 300 ]'
LOG=$TMP/many.log
start_daemon r "$LOG" -g 135 || fail "managed daemon did not start"
PID=$DAEMON_PID
check "300 names: the daemon reads all 300 and the pattern" \
	wait_for 3 logged "$LOG" "group 135: rules present, 1 master(s), 301 slave(s)"
stop_daemon $PID 1

# Standalone: -m and -s take patterns; the daemon's own sets do too.
# The host's entry for Q on m0 from the section above may still be
# INCOMPLETE, its NS still going out: the new daemon would find Q before
# the flush below, and hold the target down when the host asks again.
nftr flush ruleset
in_ns r ip -6 neigh flush dev m0
in_ns r ip -6 neigh flush dev vnet1
LOG=$TMP/standalone-patterns.log
start_daemon r "$LOG" -m 'm*' -s 'vnet*' || fail "standalone daemon with patterns did not start"
PID=$DAEMON_PID
check "standalone patterns: vnet1 is a slave" wait_for 2 logged "$LOG" "group 135: slave vnet1 added"
check "standalone patterns: its sets hold the patterns" \
	eval 'in_set masters_135 "m\\*" && in_set slaves_135 "vnet\\*"'
check "standalone patterns: Q unknown on vnet1 until the host asks" \
	not reachable_on 2001:db8:1::400 vnet1
reach 2001:db8:1::400
check "standalone patterns: Q found behind vnet1" wait_for 5 reachable_on 2001:db8:1::400 vnet1
# Created after start, an interface that matches is a slave at once; one
# that goes is dropped.
veth r vnet2 p p2
in_ns p ip -6 addr add 2001:db8:1::402/128 dev p2 nodad
check "standalone patterns: vnet2, created after start, is a slave at once" \
	wait_for 3 logged "$LOG" "group 135: slave vnet2 added"
wait_for 5 ll_ready r vnet2
reach 2001:db8:1::402
check "standalone patterns: a target behind vnet2 is found" \
	wait_for 5 reachable_on 2001:db8:1::402 vnet2
in_ns r ip link del vnet2
check "standalone patterns: vnet2 deleted is dropped" \
	wait_for 3 logged "$LOG" "group 135: slave vnet2 removed"
stop_daemon $PID 1

# 13. A firewall reload that includes the rules file after `flush ruleset`
# (the README's recipe) makes the table anew, with the file's empty sets:
# members added by hand are gone. Said once, by name; --restore-members
# puts them back; a set emptied on purpose stays empty; standalone mode
# keeps its command line's members.
FW=$TMP/nftables.conf
cat >"$FW" <<EOF
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
include "$RULES"
EOF
add_members() {
	nftr add element inet ns_monitor masters_135 '{ "m0" }' &&
	nftr add element inet ns_monitor slaves_135 '{ "s1", "s2" }'
}
members_back() { in_set masters_135 m0 && in_set slaves_135 s1 && in_set slaves_135 s2; }
GONE='set members gone: masters_135 lost "m0"; slaves_135 lost "s1", "s2"'
nftr -f "$FW"
add_members
LOG=$TMP/reload.log
start_daemon r "$LOG" -g 135 || fail "managed daemon did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "group 135: slave s2 added"
nftr -f "$FW"
check "reload: the members are gone from the sets" eval '! in_set slaves_135 s1 && ! in_set masters_135 m0'
check "reload: the daemon says which members vanished from which sets" \
	wait_for 2 logged "$LOG" "$GONE"
check "...how to keep them: in the file, or --restore-members" \
	eval 'logged "$LOG" "put them in the rules file (elements = { ... }" && logged "$LOG" "or run with --restore-members"'
check "...in one warning" [ "$(count_lines "$LOG" "created anew")" = 1 ]
check "...and relaying stops (the slaves are removed)" logged "$LOG" "group 135: slave s1 removed"
stop_daemon $PID 1

add_members
LOG=$TMP/restore.log
start_daemon r "$LOG" -g 135 --restore-members || fail "daemon with --restore-members did not start"
PID=$DAEMON_PID
wait_for 2 logged "$LOG" "group 135: slave s2 added"
nftr -f "$FW"
check "--restore-members: the members are back within 2 s" wait_for 2 members_back
check "...the log says what was added again, and where" \
	wait_for 2 logged "$LOG" "$GONE; added them again to masters_135 and slaves_135, which came back empty"
check "...the relay never lost its slaves" not logged "$LOG" "slave s1 removed"
reach 2001:db8:1::320
check "...relaying goes on" wait_for 5 logged "$LOG" "probe 2001:db8:1::320 on s1"
# Deleted and loaded again in two commits: the table is new all the same.
nftr flush ruleset
wait_for 2 logged "$LOG" "nothing is relayed until it is loaded"
nftr -f "$RULES"
check "--restore-members: a table deleted, then loaded again, gets its members back" \
	wait_for 2 members_back
reach 2001:db8:1::321
check "...relaying resumes" wait_for 5 logged "$LOG" "probe 2001:db8:1::321 on s1"
# A set that comes back with the file's own members is left as it is.
OWN=$TMP/rules-own.nft
sed '/set slaves_135 {/,/}/ s/flags interval/flags interval\n\t\telements = { "s2" }/' "$RULES" >"$OWN"
sed "s|$RULES|$OWN|" "$FW" >"$TMP/nftables-own.conf"
nftr -f "$TMP/nftables-own.conf"
check "--restore-members: a set that comes back with the file's members is left as it is" \
	wait_for 2 eval 'logged "$LOG" "masters_135 lost \"m0\"; slaves_135 lost \"s1\"; added them again to masters_135, which came back empty (a set with members of its own is left)"'
check "...masters_135 refilled, slaves_135 the file's" \
	eval 'in_set masters_135 m0 && in_set slaves_135 s2 && ! in_set slaves_135 s1'
added=$(count_lines "$LOG" "group 135: slave s1 added")
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
wait_for 2 logged_n "$LOG" "group 135: slave s1 added" $((added + 1))
# Emptied on purpose, in the same table: left empty, and no warning.
warnings=$(count_lines "$LOG" "created anew")
removed=$(count_lines "$LOG" "group 135: slave s1 removed")
nftr flush set inet ns_monitor slaves_135
check "--restore-members: a set flushed on purpose is followed" \
	wait_for 2 logged_n "$LOG" "group 135: slave s1 removed" $((removed + 1))
check "...and stays empty" not wait_for 2 in_set slaves_135 s1
check "...without a warning" [ "$(count_lines "$LOG" "created anew")" = "$warnings" ]
stop_daemon $PID 1

# Standalone: the command line's members survive a flush ruleset, and a
# reload that makes the table anew from the file with empty sets.
nftr flush ruleset
LOG=$TMP/standalone-reload.log
start_daemon r "$LOG" -m m0 -s s1,s2 || fail "standalone daemon did not start"
PID=$DAEMON_PID
nftr flush ruleset
check "standalone: after flush ruleset its sets hold the command line's members" \
	wait_for 2 members_back
nftr -f "$FW"
check "standalone: a reload that empties its sets gets them refilled" \
	wait_for 2 members_back
check "...and says so" wait_for 2 logged "$LOG" "$GONE; added them again"
reach 2001:db8:1::322
check "standalone: relaying goes on" wait_for 5 logged "$LOG" "probe 2001:db8:1::322 on s1"
stop_daemon $PID 1

summary
