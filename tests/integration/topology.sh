# shellcheck shell=bash
# Network namespaces for ns-monitor's integration tests (lib.sh) and its
# demo (scripts/demo.sh): made, linked, waited on and removed. Source it
# with T set: every namespace made is $T-NAME, and only those are touched.
# Nothing here changes the host's own interfaces, routes or sysctls.

NAMESPACES=()

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

# netns_add NAME: namespace $T-NAME, lo up, no DAD or router solicitations
# to wait for.
netns_add() {
	local ns=$T-$1
	ip netns add "$ns" || { echo "cannot create namespace $ns" >&2; exit 1; }
	NAMESPACES+=("$ns")
	ip -n "$ns" link set dev lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
}

# veth NS1 IF1 NS2 IF2: a veth pair made directly inside the namespaces, up.
veth() {
	ip -n "$T-$1" link add name "$2" type veth peer name "$4" netns "$T-$3" ||
		{ echo "cannot create veth $2" >&2; exit 1; }
	ip -n "$T-$1" link set dev "$2" up
	ip -n "$T-$3" link set dev "$4" up
}

in_ns() { local ns=$T-$1; shift; ip netns exec "$ns" "$@"; }

# ll_ready NS IF: the link-local address of IF is usable (not tentative).
ll_ready() {
	in_ns "$1" ip -6 addr show dev "$2" scope link | grep -q 'inet6 fe80' &&
	! in_ns "$1" ip -6 addr show dev "$2" scope link | grep -q tentative
}

# link_local NS IF: IF's link-local address, without the prefix length.
link_local() {
	in_ns "$1" ip -6 addr show dev "$2" scope link |
		sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p'
}

# netns_cleanup: every namespace made, with whatever still runs in it, gone.
netns_cleanup() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NAMESPACES=()
}
