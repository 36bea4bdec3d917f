#!/bin/bash
# The command line and set-up failures: exit 2 with a reason and the usage for
# bad arguments, exit 1 with what to do for a set-up failure, and nothing set
# up in either case.
. "$(dirname "$0")/lib.sh"
need_root

netns_add r
ip -n $T-r link add name m0 type veth peer name s1

# bad_args EXPECTED-TEXT ARGS...: exit 2, the reason, the usage, nothing made.
bad_args() {
	local want=$1 out rc
	shift
	out=$(in_ns r timeout 10 "$NS_MONITOR" "$@" 2>&1)
	rc=$?
	[ $rc = 2 ] && grep -qF -- "$want" <<<"$out" && grep -q '^Usage:' <<<"$out" &&
		! in_ns r nft list table inet ns_monitor >/dev/null 2>&1
}

check "no arguments: exit 2" bad_args "nothing to do"
check "no slave: exit 2" bad_args "no slave interface" -m m0
check "unknown option: exit 2" bad_args "unknown option" -m m0 -s s1 --bogus
check "group out of range: exit 2" bad_args "not a number in 0-65535" -m m0 -s s1 -g 65536
check "group not a number: exit 2" bad_args "not a number in 0-65535" -m m0 -s s1 -g abc
check "rate 0: exit 2" bad_args "rate" -m m0 -s s1 --rate 0
check "missing value: exit 2" bad_args "needs an argument" -m m0 -s
check "name too long: exit 2" bad_args "invalid slave interface name" -m m0 -s abcdefghijklmnop
check "quote in a name: exit 2" bad_args "invalid master interface name" -m 'm0"' -s s1
check "stray argument: exit 2" bad_args "unexpected argument" -m m0 -s s1 extra
check "--bind without '=': exit 2" bad_args "is not IF=PREFIX" -m m0 -s s1 --bind s1
check "--bind with a bad name: exit 2" bad_args "invalid interface name" -m m0 -s s1 --bind 's 1=2001:db8::1'
check "--bind with a bad prefix: exit 2" bad_args "is not an IPv6 prefix" -m m0 -s s1 --bind s1=2001:db8::/129
check "--bind in managed mode: exit 2" bad_args "fill the set bindings_N" -g 135 --bind s1=2001:db8::1

out=$(timeout 10 "$NS_MONITOR" --help); rc=$?
check "--help exits 0 and shows the usage" eval '[ $rc = 0 ] && grep -q "^Usage:" <<<"$out"'
out=$(timeout 10 "$NS_MONITOR" -V); rc=$?
check "--version exits 0" eval '[ $rc = 0 ] && grep -q "^ns-monitor [0-9]" <<<"$out"'

# Without privileges: exit 1 and say how to run it.
if command -v setpriv >/dev/null; then
	out=$(in_ns r setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all timeout 10 "$NS_MONITOR" -m m0 -s s1 2>&1)
	rc=$?
	check "unprivileged: exit 1" [ $rc = 1 ]
	check "unprivileged: says to run as root" grep -q "run ns-monitor as root" <<<"$out"
	check "unprivileged: nothing set up" not in_ns r nft list table inet ns_monitor 2>/dev/null
else
	fail "setpriv (util-linux) is missing"
fi

summary
