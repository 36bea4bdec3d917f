#!/bin/bash
# One rule text in two places: the daemon builds its standalone table
# (nftctl.c), nft/ns-monitor.nft ships the same objects for managed mode.
# Both are loaded side by side, the daemon's in namespace d, the file with
# nft -f in namespace f, and must list as the same sets and chains, rule by
# rule (set elements, handles and counters aside: the daemon's bindings_G
# holds what --bind gives). The file's optional
# objects, commented out, are uncommented in a copy and compared with the
# daemon's under --proxy-ndp, --learn-routes and --queue. Then the life of
# the daemon's objects beside others' in the same table.
#
# This kernel may lack nft's queue statement (CONFIG_NFT_QUEUE): the
# daemon's hold_queue_G then holds the xtables NFQUEUE target (hold_xt.c),
# so that chain's verdict is compared by kind only.
. "$(dirname "$0")/lib.sh"
need_root

RULES=$(cd "$(dirname "$0")/../.." && pwd)/nft/ns-monitor.nft

netns_add d
netns_add f
# The daemon's master and slave: a veth pair inside d.
ip -n "$T-d" link add m0 type veth peer name s1 || exit 1
ip -n "$T-d" link set dev m0 up
ip -n "$T-d" link set dev s1 up

# The file with every commented-out set and chain taken in. Its queue
# statement does not load on a kernel without nft_queue: the copy that is
# loaded goes without it, and the verdict's kind is read from the text.
ALL_TEXT=$TMP/rules-all-text.nft
ALL=$TMP/rules-all.nft
sed -E -e '/^\t#(set|chain) /,/^\t#\}/s/^\t#/\t/' -e 's/^#(flush chain )/\1/' "$RULES" >"$ALL_TEXT"
sed -E '/^\t\tqueue /d' "$ALL_TEXT" >"$ALL"

# file_verdict TEXT G: "(verdict: NFQUEUE)" if the text's hold_queue_G
# queues to queue G with bypass (nothing else in the chain).
file_verdict() {
	sed -n "/^\tchain hold_queue_$2 {/,/^\t}/p" "$1" |
		grep -qx "$(printf '\t\tqueue num %s bypass' "$2")" &&
		printf '\t\t(verdict: NFQUEUE)\n'
}

# split_table NS DIR: table inet ns_monitor of NS, one file per set or chain in
# DIR ("chain output_135"), without set elements (the daemon's hold the
# command line's interfaces, the file's none) and without counter values
# (nft -s). hold_queue_G's verdict becomes its kind: nft's queue statement
# and the xtables NFQUEUE target (listed as either) both queue.
split_table() {
	mkdir -p "$2"
	# stderr: libxtables speaks up about the xtables target.
	in_ns "$1" nft -s list table inet ns_monitor 2>/dev/null | awk -v dir="$2" '
		/^\t(set|chain) [^ ]+ \{$/ { out = dir "/" $1 " " $2; printf "" > out; next }
		/^\t\}$/ { if (out != "") close(out); out = ""; next }
		out == "" { next }
		skip { if ($0 ~ /\}$/) skip = 0; next }
		/^\t\telements = \{/ { if ($0 !~ /\}$/) skip = 1; next }
		out ~ /hold_queue_/ && ($1 == "queue" || ($1 == "xt" && $0 ~ /NFQUEUE/)) {
			print "\t\t(verdict: NFQUEUE)" > out; next
		}
		{ print > out }
	'
}

objects() { (cd "$1" && ls | sort); }

# same_object A B NAME: the object lists the same in both, else the diff.
same_object() { diff -u "$1/$3" "$2/$3"; }

# run_case NAME TEXT FILE GROUP DAEMON-ARGS...: the daemon in d, FILE
# (TEXT as loaded) in f.
run_case() {
	local name=$1 text=$2 file=$3 g=$4 log=$TMP/$1.log hq
	shift 4
	in_ns f nft flush ruleset
	check "$name: nft -f loads the file" in_ns f nft -f "$file"
	if ! start_daemon d "$log" -m m0 -s s1 -g "$g" "$@"; then
		cat "$log"
		fail "$name: the daemon did not start"
		return
	fi
	split_table d "$TMP/$name/daemon"
	split_table f "$TMP/$name/file"
	# Elements aside above: bindings_G's, as the daemon filled it.
	in_ns d nft list set inet ns_monitor "bindings_$g" >"$TMP/$name/bindings" 2>&1
	hq="$TMP/$name/file/chain hold_queue_$g"
	[ -e "$hq" ] && file_verdict "$text" "$g" >>"$hq"
	check "$name: the daemon's table has chain output_$g" \
		test -f "$TMP/$name/daemon/chain output_$g"
	DAEMON_OBJECTS=$(objects "$TMP/$name/daemon")
	FILE_OBJECTS=$(objects "$TMP/$name/file")
	while read -r obj; do
		check "$name: $obj is the same in the daemon's table and the file" \
			same_object "$TMP/$name/daemon" "$TMP/$name/file" "$obj"
	done <<<"$DAEMON_OBJECTS"
	check "$name: the daemon stops" stop_daemon "$DAEMON_PID" 2
}

# 1. The file as shipped, against the daemon without options: each of the
# daemon's objects is in the file, the same. The file also has guests_135
# and its sets, for --learn-routes (case 2 compares them).
run_case plain "$RULES" "$RULES" 135
check "plain: the file adds only --learn-routes' guests_135 and its three sets" \
	test "$(comm -13 <(echo "$DAEMON_OBJECTS") <(echo "$FILE_OBJECTS") | tr '\n' ,)" = \
	     "chain guests_135,set guests_addr_rate_135,set guests_dad_rate_135,set guests_seen_135,"

# 2. Every optional object taken in, against the daemon with every option
# that adds objects (and --bind, which fills a set): the same objects,
# each the same.
run_case all "$ALL_TEXT" "$ALL" 135 --proxy-ndp --learn-routes --queue \
	--bind s1=2001:db8:1::100/128 --bind 's*=2001:db8:1::/64'
check "all: the daemon's bindings_135 holds the --bind elements" \
	eval '[ "$(grep -cE "\"s1\" \. 2001:db8:1::100|\"s\*\" \. 2001:db8:1::/64" "$TMP/all/bindings")" = 2 ]'
check "all: the daemon and the file have the same objects" \
	test "$DAEMON_OBJECTS" = "$FILE_OBJECTS"
check "all: the objects are the 16 of output, input, guests, bindings and --queue" \
	test "$(wc -l <<<"$DAEMON_OBJECTS")" = 16
ALL_135=$(printf '%s\n' "$DAEMON_OBJECTS" | tr '\n' ,)

# 3. Another group, as the file says: 135 replaced by G.
sed 's/135/200/g' "$ALL_TEXT" >"$TMP/rules-200-text.nft"
sed 's/135/200/g' "$ALL" >"$TMP/rules-200.nft"
run_case group200 "$TMP/rules-200-text.nft" "$TMP/rules-200.nft" 200 --proxy-ndp --learn-routes --queue
check "group200: the daemon and the file have the same objects" \
	test "$DAEMON_OBJECTS" = "$FILE_OBJECTS"
check "group200: they are group 200's" \
	test "$(grep -c '_200$' <<<"$DAEMON_OBJECTS")" = 16

# The daemon's own objects, by what it reads through libnftnl: leftovers
# of a killed run are deleted at the next start (chains before the sets
# they use, in one transaction with the new objects), anything else in the
# table is left, and the table goes only when nothing else is in it.
listed() {
	in_ns d nft -s list table inet ns_monitor 2>/dev/null |
		awk '/^\t(chain|set) / { print $1 " " $2 }' | sort | tr '\n' ,
}
has_table() { in_ns d nft list table inet ns_monitor >/dev/null 2>&1; }

# 4. SIGKILL with every option, then a start: the leftovers make way.
LOG=$TMP/killed.log
start_daemon d "$LOG" -m m0 -s s1 --proxy-ndp --learn-routes --queue ||
	fail "killed: the daemon did not start"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
check "killed: a killed run leaves its 16 objects" test "$(listed)" = "$ALL_135"
check "killed: the next start replaces them (the daemon relays)" \
	start_daemon d "$LOG.2" -m m0 -s s1 --proxy-ndp --learn-routes --queue
check "killed: ... with the same 16" test "$(listed)" = "$ALL_135"
check "killed: the daemon stops" stop_daemon "$DAEMON_PID" 2
check "killed: nothing of ours is left, not the table" not has_table

# 5. Another group's objects, and an object that is neither chain nor set,
# share the table: the daemon's stop leaves them, and the table.
sed 's/135/136/g' "$RULES" | in_ns d nft -f -
in_ns d nft add counter inet ns_monitor operators
before=$(listed)
start_daemon d "$TMP/shared.log" -m m0 -s s1 --learn-routes ||
	fail "shared: the daemon did not start"
check "shared: group 135's objects are added beside group 136's" \
	eval '[ "$(listed)" != "$before" ] && [[ "$(listed)" == *"chain output_135,"* ]]'
check "shared: the daemon stops" stop_daemon "$DAEMON_PID" 2
check "shared: group 136's objects are left as they were" test "$(listed)" = "$before"
in_ns d nft delete table inet ns_monitor
in_ns d nft add table inet ns_monitor
in_ns d nft add counter inet ns_monitor operators
start_daemon d "$TMP/counter.log" -m m0 -s s1 ||
	fail "counter: the daemon did not start"
check "counter: the daemon stops" stop_daemon "$DAEMON_PID" 2
check "counter: a table with a named counter in it is left, counter and all" \
	eval 'in_ns d nft list counter inet ns_monitor operators >/dev/null 2>&1'

# 6. An empty table (a killed run's, emptied by hand) is the daemon's to remove.
in_ns d nft delete table inet ns_monitor
in_ns d nft add table inet ns_monitor
start_daemon d "$TMP/empty.log" -m m0 -s s1 ||
	fail "empty: the daemon did not start"
check "empty: the daemon stops" stop_daemon "$DAEMON_PID" 2
check "empty: the table is removed" not has_table

# 7. The file loaded again and again (nftables.service reloads, --rules):
# one copy of each rule, whatever the number of loads; set members stay.
rules_in() { in_ns f nft list chain inet ns_monitor "$1" | grep -c ' counter '; }
member_in() { in_ns f nft list set inet ns_monitor "$1" | grep -qF -- "$2"; }
in_ns f nft flush ruleset
in_ns f nft -f "$RULES"
in_ns f nft add element inet ns_monitor masters_135 '{ "m0" }'
in_ns f nft add element inet ns_monitor slaves_135 '{ "vnet*" }'
in_ns f nft add element inet ns_monitor bindings_135 '{ "tap0" . 2001:db8:1::100/128 }'
check "reload: the file loads a second and a third time" \
	eval 'in_ns f nft -f "$RULES" && in_ns f nft -f "$RULES"'
check "reload: output_135 holds its rule once" [ "$(rules_in output_135)" = 1 ]
check "reload: guests_135 holds its two rules once" [ "$(rules_in guests_135)" = 2 ]
check "reload: masters_135, slaves_135 and bindings_135 keep their members" \
	eval 'member_in masters_135 "\"m0\"" && member_in slaves_135 "\"vnet*\"" &&
	      member_in bindings_135 "\"tap0\" . 2001:db8:1::100"'
out=$(in_ns f timeout 10 "$NS_MONITOR" --check -g 135 2>&1)
check "reload: --check finds no duplicated rule" not grep -q "duplicated" <<<"$out"
in_ns f nft flush ruleset
for i in 1 2 3; do in_ns f nft -f "$ALL"; done
check "reload: every optional chain too, three loads: one copy of each rule" \
	eval '[ "$(in_ns f nft list table inet ns_monitor | grep -c " counter ")" = "$(grep -c " counter " "$ALL")" ]'
# A file without the flushes (an older ns-monitor's), loaded twice.
grep -v '^flush chain' "$RULES" >"$TMP/rules-old.nft"
in_ns f nft flush ruleset
in_ns f nft -f "$TMP/rules-old.nft"
in_ns f nft -f "$TMP/rules-old.nft"
out=$(in_ns f timeout 10 "$NS_MONITOR" --check -g 135 2>&1); rc=$?
check "duplicates: --check exits 1" [ $rc = 1 ]
check "duplicates: --check names output_135 and guests_135" \
	eval 'grep -q "^problem: group 135: chain output_135 holds 1 duplicated rule" <<<"$out" &&
	      grep -q "^problem: group 135: chain guests_135 holds 2 duplicated rule" <<<"$out"'
# --queue with the file as shipped: the daemon adds the hold chains,
# --check says with which verdict; a master without a global address has
# no on-link prefix, so nothing could be held: a problem.
in_ns f ip link add dq0 type veth peer name dq1
in_ns f ip link set dq0 up
in_ns f ip link set dq1 up
in_ns f nft add element inet ns_monitor masters_135 '{ "dq0" }'
out=$(in_ns f timeout 10 "$NS_MONITOR" --check -g 135 --queue 2>&1); rc=$?
check "--queue without chain hold_135: --check says the daemon adds them, and how" \
	eval 'grep -q "^ok: group 135: --queue: ns-monitor adds the hold chains at start, with " <<<"$out"'
check "--queue: a master without an on-link prefix holds nothing: a problem, exit 1" \
	eval '[ $rc = 1 ] && grep -q "^problem: group 135: --queue would hold nothing" <<<"$out"'
in_ns f ip -6 addr add 2001:db8:9::1/64 dev dq0 nodad
out=$(in_ns f timeout 10 "$NS_MONITOR" --check -g 135 --queue 2>&1)
check "--queue: with a prefix on the master, no such problem" \
	not grep -q "would hold nothing" <<<"$out"

summary
