# shellcheck shell=bash
# Helpers for ns-monitor's namespace tests. Source it; it sets a cleanup trap.
#
# Every namespace and interface a test makes carries the test's unique
# prefix, and lives only inside namespaces the test created: the host's own
# interfaces, routes and ruleset are never touched. The helpers that look at
# the router speak of namespace r, where every test runs the daemon, and of
# its master m0.

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)	# the source tree
NS_MONITOR=${NS_MONITOR:-$TOP/ns-monitor}
T=nsm$$			# unique prefix for this test run
TMP=$(mktemp -d /tmp/ns-monitor-test.XXXXXX)
PASSED=0
FAILED=0
DAEMONS=()

# shellcheck source=SCRIPTDIR/topology.sh
. "$(dirname "${BASH_SOURCE[0]}")/topology.sh"

cleanup() {
	local pid
	for pid in "${DAEMONS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	netns_cleanup
	[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL: the integration tests need root (network namespaces)"
		exit 1
	fi
}

pass() { echo "PASS: $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }

# check DESCRIPTION COMMAND...: PASS if the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

summary() {
	local f
	# Under SANITIZE=1 a report in any daemon log is a failure.
	for f in "$TMP"/*.log; do
		[ -e "$f" ] || continue
		if grep -q 'Sanitizer\|runtime error:' "$f"; then
			fail "sanitizer report in $(basename "$f")"
			grep -m5 'Sanitizer\|runtime error:' "$f"
		fi
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# start_daemon NS LOG ARGS...: run ns-monitor -v in NS, wait until it relays.
start_daemon() {
	local ns=$1 log=$2
	shift 2
	# Not through in_ns: a backgrounded function would be a subshell, and
	# $! its pid; ip netns exec execs the daemon, so $! is the daemon.
	ip netns exec "$T-$ns" "$NS_MONITOR" -v "$@" >"$log" 2>&1 &
	DAEMON_PID=$!
	DAEMONS+=("$DAEMON_PID")
	wait_for 5 grep -q 'relaying NS' "$log"
}

# alive PID: the process exists and is not a zombie (a daemonized child is
# reparented, and its new parent may be slow to reap it).
alive() {
	local state
	state=$(awk '$1 == "State:" {print $2}' /proc/"$1"/status 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

# stop_daemon PID SECONDS: SIGTERM, then wait for the exit; 1 if too slow.
stop_daemon() {
	kill -TERM "$1" 2>/dev/null
	wait_while "$2" alive "$1"
}

# count_lines FILE PATTERN: how many lines match (fixed string).
count_lines() { grep -cF -- "$2" "$1" 2>/dev/null || true; }

# nft_counter NS TABLE CHAIN COMMENT: packets of the rule with that comment.
nft_counter() {
	in_ns "$1" nft list chain inet "$2" "$3" |
		sed -n "s/.*counter packets \([0-9]*\) bytes.*comment \"$4\".*/\1/p"
}

# logged FILE TEXT: the file holds the text (a fixed string).
logged() { grep -qF -- "$2" "$1"; }

# reach TARGET: make R try to reach TARGET once, in the background.
reach() { in_ns r ping -c1 -W4 "$1" >/dev/null 2>&1 & }

# ping_ok NS ADDR: one ping from NS to ADDR is answered within a second.
ping_ok() { in_ns "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# route_dev TARGET DEV: R routes TARGET/128 to DEV by a route of ours (proto 135).
route_dev() { in_ns r ip -6 route show "$1/128" proto 135 | grep -q "dev $2 "; }

# For awk over `ip -6 neigh show`: state() is the line's state, its last
# word in capitals (fields such as "proto 135" may follow it).
AWK_STATE='function state(  i) { for (i = NF; i > 0; i--) if ($i ~ /^[A-Z]+$/) return $i; return "" }'

# neigh_state TARGET DEV: the state of R's entry.
neigh_state() {
	in_ns r ip -6 neigh show "$1" dev "$2" | awk '{ print state(); exit } '"$AWK_STATE"
}

# reachable_on TARGET DEV: R's entry for TARGET on DEV is REACHABLE.
reachable_on() { [ "$(neigh_state "$1" "$2")" = REACHABLE ]; }

# failed_on TARGET DEV: R gave up resolving TARGET on DEV.
failed_on() { [ "$(neigh_state "$1" "$2")" = FAILED ]; }

# nftr ARGS...: nft in R.
nftr() { in_ns r nft "$@"; }

# proxy_ndp: m0's proxy_ndp sysctl in R.
proxy_ndp() { in_ns r sysctl -n net.ipv6.conf.m0.proxy_ndp; }

# metric NAME: a sample's value in the stats file $STATS (NAME with its labels).
metric() { awk -v m="$1" '$1 == m {print $2}' "$STATS"; }

# lint_ok: promtool's lint of $STATS is silent, or it says why not.
lint_ok() {
	local out
	out=$(promtool check metrics <"$STATS" 2>&1) && [ -z "$out" ] && return 0
	echo "$out"
	return 1
}

# send_na NS DEV TO TARGET...: from DEV in NS, to TO (an address on DEV's
# link), one solicited NA per TARGET, hop limit 255, with DEV's MAC as
# target link-layer address: as a host answers an NS.
send_na() {
	local ns=$1 dev=$2 to=$3
	shift 3
	in_ns "$ns" python3 - "$dev" "$to" "$@" <<'PY'
import socket, struct, sys
dev, to = sys.argv[1:3]
ifindex = socket.if_nametoindex(dev)
mac = bytes.fromhex(open('/sys/class/net/%s/address' % dev).read().strip().replace(':', ''))
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
for target in sys.argv[3:]:
    s.sendto(struct.pack('!BBHI16sBB6s', 136, 0, 0, 0x60 << 24,
                         socket.inet_pton(socket.AF_INET6, target), 2, 1, mac),
             (to, 0, 0, ifindex))
PY
}
