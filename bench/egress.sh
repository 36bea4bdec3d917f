#!/bin/bash
# Egress benchmark: ns-monitor's fwmark rule (A) against odhcpd's per-probe
# /128 route (B), in namespaces of our own. Root only. Prints markdown.
#
#   bench/egress.sh [egress options...]     e.g. -r 5 -n 2000 -b 128
#
# Topology
#   router ns: m0 2001:db8:1::1/64 (the main table routes 2001:db8:1::/64 via
#              m0), s1 (the slave, no global address)
#   peer ns:   m0p (peer of m0), s1p (peer of s1) holding the two "real"
#              targets 2001:db8:1::aa:1 and ::bb:1 used for the egress check.
# Counters
#   router ns, output hook: echo requests per method (icmpv6 id) by oifname s1
#   and m0, NS sent on s1 and m0.
#   peer ns, prerouting: echo requests per method arriving on s1p and m0p.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bin=$top/build/egress

if [ "$(id -u)" -ne 0 ]; then
	echo "egress.sh: needs root (network namespaces)" >&2
	exit 1
fi

if [ ! -x "$bin" ] || [ "$here/egress.c" -nt "$bin" ] || [ "$here/odhcpd_route.c" -nt "$bin" ] ||
	[ "$top/build/default/libnsmonitor.a" -nt "$bin" ]; then
	(cd "$top" && make --no-print-directory >/dev/null &&
		cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Isrc/lib -Isrc/intake -Isrc/engine -Isrc/egress -Isrc/control -Isrc/cli -Ibench \
			$(pkg-config --cflags libmnl) bench/egress.c bench/odhcpd_route.c \
			build/default/libnsmonitor.a \
			$(pkg-config --libs libmnl libnetfilter_log libnftables libnftnl) \
			-o build/egress)
fi

R=egb$$-router
P=egb$$-peer
REAL_A=2001:db8:1::aa:1
REAL_B=2001:db8:1::bb:1
VERIFY=3

cleanup() {
	ip netns del "$R" 2>/dev/null || true
	ip netns del "$P" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$R"
ip netns add "$P"
ip -n "$R" link add m0 type veth peer name m0p netns "$P"
ip -n "$R" link add s1 type veth peer name s1p netns "$P"
for i in m0 s1; do
	ip netns exec "$R" sysctl -qw net.ipv6.conf.$i.accept_dad=0
	ip netns exec "$P" sysctl -qw net.ipv6.conf.${i}p.accept_dad=0
done
ip -n "$R" addr add 2001:db8:1::1/64 dev m0 nodad
ip -n "$P" addr add $REAL_A/128 dev s1p nodad
ip -n "$P" addr add $REAL_B/128 dev s1p nodad
for n in "$R" "$P"; do ip -n "$n" link set lo up; done
ip -n "$R" link set m0 up
ip -n "$R" link set s1 up
ip -n "$P" link set m0p up
ip -n "$P" link set s1p up

# Wait (bounded) for s1's link-local address, used as the probe source.
for _ in $(seq 50); do
	ip -n "$R" -6 addr show dev s1 scope link | grep -q 'inet6 fe80' &&
		! ip -n "$R" -6 addr show dev s1 scope link | grep -q tentative && break
	sleep 0.1
done
ip -n "$R" -6 addr show dev s1 scope link | grep -q 'inet6 fe80' ||
	{ echo "egress.sh: s1 has no link-local address" >&2; exit 1; }

ip netns exec "$R" nft -f - <<'EOF'
table inet egb {
	counter a_s1 {}
	counter b_s1 {}
	counter a_m0 {}
	counter b_m0 {}
	counter ns_s1 {}
	counter ns_m0 {}
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "s1" icmpv6 type echo-request icmpv6 id 0xa0a0 counter name "a_s1"
		oifname "s1" icmpv6 type echo-request icmpv6 id 0xb0b0 counter name "b_s1"
		oifname "m0" icmpv6 type echo-request icmpv6 id 0xa0a0 counter name "a_m0"
		oifname "m0" icmpv6 type echo-request icmpv6 id 0xb0b0 counter name "b_m0"
		oifname "s1" ip6 saddr != :: icmpv6 type nd-neighbor-solicit counter name "ns_s1"
		oifname "m0" ip6 saddr != :: icmpv6 type nd-neighbor-solicit counter name "ns_m0"
	}
}
EOF
ip netns exec "$P" nft -f - <<'EOF'
table inet egb {
	counter a_s1p {}
	counter b_s1p {}
	counter a_m0p {}
	counter b_m0p {}
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		iifname "s1p" icmpv6 type echo-request icmpv6 id 0xa0a0 counter name "a_s1p"
		iifname "s1p" icmpv6 type echo-request icmpv6 id 0xb0b0 counter name "b_s1p"
		iifname "m0p" icmpv6 type echo-request icmpv6 id 0xa0a0 counter name "a_m0p"
		iifname "m0p" icmpv6 type echo-request icmpv6 id 0xb0b0 counter name "b_m0p"
	}
}
EOF

ctr() { # ns name -> packets
	ip netns exec "$1" nft list counter inet egb "$2" |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

echo "## Egress benchmark ($(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "main table: \`$(ip -n "$R" -6 route get 2001:db8:1:0:1::1 | head -1 | sed 's/ *$//')\`"
echo
set +e
out=$(ip netns exec "$R" "$bin" -s s1 -a $REAL_A -B $REAL_B -c $VERIFY "$@")
rc=$?
set -e
echo "$out" | grep -v -e '^sent_' -e '^route_events_'
[ $rc -eq 0 ] || { echo "egress exited $rc" >&2; exit $rc; }

sent_a=$(sed -n 's/.*sent_A=\([0-9]*\).*/\1/p' <<<"$out")
sent_b=$(sed -n 's/.*sent_B=\([0-9]*\).*/\1/p' <<<"$out")
ev=$(grep '^route_events_A=' <<<"$out" || true)

# The echo to a real target leaves once its NS is answered: wait, bounded.
for _ in $(seq 50); do
	[ "$(ctr "$P" a_s1p)" -ge $VERIFY ] && [ "$(ctr "$P" b_s1p)" -ge $VERIFY ] && break
	sleep 0.1
done

leftover=$(ip -n "$R" -6 route show table all | grep -c -e '2001:db8:1:0:1:' -e '2001:db8:1::aa:1' -e '2001:db8:1::bb:1' || true)
echo
echo "### Egress check"
echo
echo "| | A (ns-monitor) | B (odhcpd) |"
echo "|---|---:|---:|"
echo "| echo requests sent (sendmsg ok) | $sent_a | $sent_b |"
echo "| router ns: routed out of s1 (nft output) | $(ctr "$R" a_s1) | $(ctr "$R" b_s1) |"
echo "| router ns: routed out of m0 | $(ctr "$R" a_m0) | $(ctr "$R" b_m0) |"
echo "| peer ns: echo to real target arrived on s1p (of $VERIFY) | $(ctr "$P" a_s1p) | $(ctr "$P" b_s1p) |"
echo "| peer ns: echo arrived on m0p | $(ctr "$P" a_m0p) | $(ctr "$P" b_m0p) |"
echo
echo "NS sent on s1: $(ctr "$R" ns_s1), on m0: $(ctr "$R" ns_m0); probe routes left in any table: $leftover"
[ -n "$ev" ] && echo "route notifications: $ev"

fail=0
[ "$(ctr "$R" a_s1)" -eq "$sent_a" ] || fail=1
[ "$(ctr "$R" b_s1)" -eq "$sent_b" ] || fail=1
[ "$(ctr "$R" a_m0)" -eq 0 ] && [ "$(ctr "$R" b_m0)" -eq 0 ] || fail=1
[ "$(ctr "$P" a_s1p)" -eq $VERIFY ] && [ "$(ctr "$P" b_s1p)" -eq $VERIFY ] || fail=1
[ "$leftover" -eq 0 ] || fail=1
if [ $fail -eq 0 ]; then
	echo "PASS: every echo request left by s1, none by m0, no route left behind"
else
	echo "FAIL: egress check"
	exit 1
fi
