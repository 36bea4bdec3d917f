#!/bin/bash
# ns-monitor demo: a router whose IPv6 prefix is shared between its master
# and two slave interfaces, built in private network namespaces.
# Usage: bash scripts/demo.sh ./ns-monitor      (as root; `make demo` does it)
# Nothing outside the namespaces it creates is touched; all is removed at exit.
# shellcheck disable=SC2317  # some functions are only called through wait_for
set -u

[ "$(id -u)" -eq 0 ] || { echo "run it as root: sudo make demo"; exit 1; }
BIN=${1:-./ns-monitor}
[ -x "$BIN" ] || { echo "no daemon binary at '$BIN': run make first"; exit 1; }
BIN=$(realpath "$BIN")

T=nsmdemo-$$			# unique prefix of every namespace we make: $T-NAME
DAEMON='' TMP=$(mktemp -d /tmp/nsmdemo.XXXXXX)
A=2001:db8:1::100 B=2001:db8:1::200
# The namespaces, veths and waiting of the integration tests.
# shellcheck source=SCRIPTDIR/../tests/integration/topology.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/integration/topology.sh"

cleanup() {
	if [ -n "$DAEMON" ]; then	# SIGTERM lets it remove its rules; then insist
		kill -TERM "$DAEMON" 2>/dev/null
		wait_for 1 gone || kill -KILL "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
	fi
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo; echo "interrupted: cleaning up"; exit 130' INT TERM

say()  { echo "  $*"; }
step() { echo; echo "== $*"; }
show() { sed 's/^/      /'; }		# indent command output
die()  { echo; echo "FAILED: $*"; exit 1; }

gone() { ! kill -0 "$DAEMON" 2>/dev/null; }
# The state is the last word in capitals ("proto 135" may follow it).
neigh_state() {
	in_ns router ip -6 neigh show "$1" dev "$2" |
		awk '{ for (i = NF; i > 0; i--) if ($i ~ /^[A-Z]+$/) { print $i; exit } }'
}
reachable_on() { [ "$(neigh_state "$1" "$2")" = REACHABLE ]; }
not_incomplete() { [ -n "$1" ] && [ "$(neigh_state "$1" m0)" != INCOMPLETE ]; }
ping_once() { in_ns router ping -c1 -W2 "$1" 2>&1 | grep -E 'packet loss|unreachable' | head -1; }

cat <<'EOF'
ns-monitor demo
===============
  upstream ------ m0 +--------+ s1 ------ host A
  2001:db8:1::2       | router |           2001:db8:1::100
                      | m0 has | s2 ------ host B
                      | ::1/64 |           2001:db8:1::200
                      +--------+

  The router's address 2001:db8:1::1/64 is on its master m0, so its routing
  table says the whole 2001:db8:1::/64 is on m0. Hosts A and B have addresses
  from the same prefix but live behind the slaves s1 and s2 (like containers
  or VMs, with their default route via the router).
EOF

step "1. Building the namespaces (prefix $T-)"
for n in router upstream hosta hostb; do netns_add $n; done
veth router m0 upstream u0
veth router s1 hosta a0
veth router s2 hostb b0
in_ns router   ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns upstream ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
in_ns hosta    ip -6 addr add $A/128 dev a0 nodad
in_ns hostb    ip -6 addr add $B/128 dev b0 nodad
for nsif in router:m0 router:s1 router:s2 upstream:u0 hosta:a0 hostb:b0; do
	wait_for 5 ll_ready "${nsif%:*}" "${nsif#*:}" || die "no usable link-local address on $nsif"
done
in_ns hosta ip -6 route add default via "$(link_local router s1)" dev a0
in_ns hostb ip -6 route add default via "$(link_local router s2)" dev b0
say "Four namespaces, three veth links, link-local addresses ready."
say "Router's route for the prefix:"
in_ns router ip -6 route show 2001:db8:1::/64 | show

step "2. The problem: without ns-monitor the router cannot find host A"
say "The router asks for A with Neighbor Solicitations on m0; nobody there answers."
say "\$ ping -c1 -W2 $A   ->  $(ping_once $A)"
wait_for 5 not_incomplete $A	# the kernel gives up after its 3rd NS
say "\$ ip -6 neigh show $A"
in_ns router ip -6 neigh show $A | show
say "Nothing was learned on the slave s1:  \$ ip -6 neigh show dev s1"
in_ns router ip -6 neigh show dev s1 | show
[ -z "$(in_ns router ip -6 neigh show dev s1)" ] && say "    (empty)"

step "3. Starting ns-monitor in the router: -m m0 -s s1,s2 --learn-routes -v"
say "It logs every NS the router sends on m0 (nftables + NFLOG) and sends an"
say "echo request for the same address out of each slave, so the kernel finds it."
say "With --learn-routes it then routes the address to the slave it answered on."
LOG=$TMP/ns-monitor.log
ip netns exec "$T-router" "$BIN" -m m0 -s s1,s2 --learn-routes -v >"$LOG" 2>&1 &
DAEMON=$!
wait_for 5 grep -q 'relaying NS' "$LOG" || { show <"$LOG"; die "the daemon did not start"; }
grep -m1 'relaying NS' "$LOG" | show

step "4. The router tries again to reach A and B"
PINGS=()
for h in $A $B; do in_ns router ping -c1 -W2 "$h" >/dev/null 2>&1 & PINGS+=($!); done
learned() { in_ns router ip -6 route show "$1/128" proto 135 | grep -q "dev $2 "; }
found() { reachable_on "$A" s1 && reachable_on "$B" s2 && learned "$A" s1 && learned "$B" s2; }
if ! wait_for 5 found; then
	sa=$(neigh_state $A s1) sb=$(neigh_state $B s2)
	echo; say "A on s1: ${sa:-no entry}, B on s2: ${sb:-no entry} (want REACHABLE for both)"
	say "daemon log:"; show <"$LOG"
	die "the neighbors were not found behind their slaves within 5 s"
fi
for s in s1 s2; do
	say "\$ ip -6 neigh show dev $s"
	in_ns router ip -6 neigh show dev $s | show
done
say "The ask out of the wrong slave got no answer and left no entry there: the"
say "daemon asks with an NS of its own, not through the kernel. The entries above"
say "were made from A's and B's answers, with their routes (proto 135)."
say "What the daemon did:"
grep -E "NS for|probe |learned" "$LOG" | show
say "=> A was found behind s1 and B behind s2: the neighbors are REACHABLE where they live."
for pid in "${PINGS[@]}"; do wait "$pid"; done	# 2 s each at most
say "Those first pings went to m0 and were lost. The learned routes (proto 135 is"
say "ns-monitor's) now send A and B to the right slave:"
say "\$ ip -6 route show proto 135"
in_ns router ip -6 route show proto 135 | show
say "\$ ping -c1 -W2 $A   ->  $(ping_once $A)"
say "\$ ping -c1 -W2 $B   ->  $(ping_once $B)"
in_ns router ping -c1 -W2 $A >/dev/null 2>&1 || die "the router still cannot reach A"

step "5. Stopping ns-monitor (SIGTERM)"
kill -TERM "$DAEMON"
wait_for 2 gone || die "the daemon did not exit within 2 s of SIGTERM"
wait "$DAEMON"; rc=$? DAEMON=''
say "It exited with status $rc and removed its own rules and routes:"
in_ns router nft list table inet ns_monitor >/dev/null 2>&1 && die "table inet ns_monitor is still there"
say "\$ nft list table inet ns_monitor  ->  no such table (gone)"
[ -z "$(in_ns router ip -6 route show proto 135)" ] || die "learned routes are still there"
say "\$ ip -6 route show proto 135      ->  (none)"
[ "$rc" = 0 ] || die "the daemon exited with status $rc"

step "6. Cleaning up"
cleanup
say "Namespaces deleted. Demo done."
exit 0
