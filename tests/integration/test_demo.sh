#!/bin/bash
# The README's first command, `make demo`, runs scripts/demo.sh with the
# daemon: it must find both neighbors behind their slaves, say it is done
# and exit 0, and leave none of its namespaces behind.
. "$(dirname "$0")/lib.sh"
need_root

before=$(ip netns list | grep -c '^nsmdemo-')
out=$(timeout -k 5 120 bash "$TOP/scripts/demo.sh" "$NS_MONITOR" 2>&1)
rc=$?
check "the demo exits 0" [ "$rc" = 0 ]
check "...having found A behind s1 and B behind s2" \
	grep -q "=> A was found behind s1 and B behind s2" <<<"$out"
check "...and the host reaching both through the learned routes" \
	eval '[ "$(grep -c "1 received" <<<"$out")" = 2 ]'
check "...and saying it is done" grep -q "Demo done\." <<<"$out"
check "...with none of its namespaces left" \
	[ "$(ip netns list | grep -c '^nsmdemo-')" = "$before" ]
# Its own account of a failure, without its FAILED line (counted above).
[ "$rc" = 0 ] || grep -v '^FAILED' <<<"$out" | tail -30 | sed 's/^/    /'
summary
