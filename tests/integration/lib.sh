# Helpers for ns-monitor's namespace tests. Source it; it sets a cleanup trap.
#
# Every namespace and interface a test makes carries the test's unique
# prefix, and lives only inside namespaces the test created: the host's own
# interfaces, routes and ruleset are never touched.

set -u

NS_MONITOR=${NS_MONITOR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ns-monitor}
T=nsm$$			# unique prefix for this test run
TMP=$(mktemp -d /tmp/ns-monitor-test.XXXXXX)
PASSED=0
FAILED=0
NAMESPACES=()
DAEMONS=()

cleanup() {
	local pid ns
	for pid in "${DAEMONS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
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

# wait_for SECONDS COMMAND...: poll a condition until it holds or time runs out.
wait_for() {
	local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s%N)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# wait_while SECONDS COMMAND...: poll until the command fails.
wait_while() {
	local t=$1
	shift
	wait_for "$t" not "$@"
}
not() { ! "$@"; }

netns_add() {
	local ns=$T-$1
	ip netns add "$ns" || exit 1
	NAMESPACES+=("$ns")
	ip -n "$ns" link set dev lo up
	# No router solicitations or DAD delays to wait for.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
}

# veth NS1 IF1 NS2 IF2: a veth pair made directly inside the namespaces.
veth() {
	ip -n "$T-$1" link add name "$2" type veth peer name "$4" netns "$T-$3" || exit 1
	ip -n "$T-$1" link set dev "$2" up
	ip -n "$T-$3" link set dev "$4" up
}

in_ns() { local ns=$T-$1; shift; ip netns exec "$ns" "$@"; }

# The link-local address of an interface is usable (not tentative).
ll_ready() {
	in_ns "$1" ip -6 addr show dev "$2" scope link | grep -q 'inet6 fe80' &&
	! in_ns "$1" ip -6 addr show dev "$2" scope link | grep -q tentative
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
