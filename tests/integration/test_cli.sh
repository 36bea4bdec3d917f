#!/bin/bash
# The command line and set-up failures: exit 2 with a one-line reason, the
# synopsis and where the help is for bad arguments, exit 1 with what to do (and no usage)
# for a set-up failure, and nothing set up in either case. The stats file's
# directory: --check finds what the start finds, as the user it runs as, and
# the README's recipe for a directory of another user works.
. "$(dirname "$0")/lib.sh"
need_root

netns_add r
ip -n $T-r link add name m0 type veth peer name s1

TRY="Try 'ns-monitor --help' for more information."
SYNOPSIS=$("$NS_MONITOR" --help | head -2)

# bad_args EXPECTED-TEXT ARGS...: exit 2, the reason on one line, the two
# lines of the synopsis, then where the help is, and nothing else; nothing
# made.
bad_args() {
	local want=$1 out rc
	shift
	out=$(in_ns r timeout 10 "$NS_MONITOR" "$@" 2>&1)
	rc=$?
	[ $rc = 2 ] && [ "$(grep -c . <<<"$out")" = 4 ] &&
		grep -qF -- "$want" <<<"$(head -1 <<<"$out")" &&
		[ "$(sed -n 2,3p <<<"$out")" = "$SYNOPSIS" ] &&
		[ "$(tail -1 <<<"$out")" = "$TRY" ] &&
		! in_ns r nft list table inet ns_monitor >/dev/null 2>&1 || {
		echo "$out" | head -5
		return 1
	}
}

check "no arguments: exit 2" bad_args "nothing to do"
check "no slave: exit 2" bad_args "no slave interface" -m m0
check "unknown option: exit 2, naming it" bad_args "'--bogus'" -m m0 -s s1 --bogus
check "bad value: exit 2, naming it" bad_args "rate '0x'" -m m0 -s s1 --rate 0x
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

# A stats file in a directory of another user, mode 0755 (Debian's
# node-exporter textfile directory, owned by prometheus): a throwaway owner
# and group stand for prometheus and the recipe's group.
OWNER=${T}own
GROUP=${T}grp
STATSDIR=$(mktemp -d /tmp/ns-monitor-textfile.XXXXXX)
users_cleanup() {
	userdel "$OWNER" 2>/dev/null
	groupdel "$GROUP" 2>/dev/null
	rm -rf "$STATSDIR"
}
trap 'users_cleanup; cleanup' EXIT
useradd --system --no-create-home --shell /usr/sbin/nologin "$OWNER" &&
	groupadd --system "$GROUP" || { fail "cannot make a throwaway user and group"; summary; exit 1; }
chown "$OWNER:$OWNER" "$STATSDIR"
chmod 0755 "$STATSDIR"
PROM=$STATSDIR/ns-monitor.prom
in_ns r ip link set dev m0 up
in_ns r ip link set dev s1 up

out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --stats-file "$PROM" 2>&1); rc=$?
check "stats directory of another user, 0755: --check exits 1" [ $rc = 1 ]
check "...and names the directory and the uid" \
	grep -q "^problem: stats file $PROM: directory $STATSDIR is not writable by uid 0" <<<"$out"
check "...and does not say configuration OK" not grep -q "configuration OK" <<<"$out"
out=$(in_ns r timeout 10 "$NS_MONITOR" -m m0 -s s1 --stats-file "$PROM" 2>&1); rc=$?
check "...the start exits 1 (a set-up failure)" [ $rc = 1 ]
check "...with one line that says why, no usage" \
	eval '[ "$(grep -c . <<<"$out")" = 1 ] && grep -q "not writable by uid 0" <<<"$out"'
check "...nothing set up" not in_ns r nft list table inet ns_monitor 2>/dev/null
check "the unit does not restart after exit 1 or 2" \
	grep -qx "RestartPreventExitStatus=1 2" "$TOP/dist/ns-monitor.service"

# The recipe: the directory's group, writable, given to the daemon (the
# unit's SupplementaryGroups=; setpriv --groups here).
chgrp "$GROUP" "$STATSDIR"
chmod 2775 "$STATSDIR"
GID=$(getent group "$GROUP" | cut -d: -f3)
with_group() { in_ns r setpriv --groups "$GID" "$@"; }
out=$(with_group timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --stats-file "$PROM" 2>&1); rc=$?
check "recipe: --check with the group finds no problem with the directory" \
	grep -q "^ok: stats file $PROM: its directory is writable" <<<"$out"
check "recipe: ...and no other problem" [ $rc = 0 ]
LOG=$TMP/stats.log
with_group "$NS_MONITOR" -m m0 -s s1 --stats-file "$PROM" >"$LOG" 2>&1 &
PID=$!
DAEMONS+=("$PID")
check "recipe: the daemon writes the stats file" wait_for 5 test -s "$PROM"
check "recipe: the owner (the exporter) reads it" \
	setpriv --reuid "$OWNER" --regid "$OWNER" --clear-groups grep -q "^ns_monitor_" "$PROM"
stop_daemon $PID 2

# --user: the user's own group must be the directory's.
useradd --system --no-create-home --shell /usr/sbin/nologin -g "$GROUP" "${OWNER}u" ||
	fail "cannot make a throwaway user in $GROUP"
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --user "${OWNER}u" \
	--stats-file "$PROM" 2>&1); rc=$?
check "--user with the directory's group: --check says ok" \
	eval '[ $rc = 0 ] && grep -q "^ok: stats file" <<<"$out"'
out=$(in_ns r timeout 10 "$NS_MONITOR" --check -m m0 -s s1 --user nobody \
	--stats-file "$PROM" 2>&1); rc=$?
check "--user nobody: --check exits 1, naming nobody's uid" \
	eval '[ $rc = 1 ] && grep -q "not writable by uid $(id -u nobody)" <<<"$out"'
userdel "${OWNER}u" 2>/dev/null

summary
