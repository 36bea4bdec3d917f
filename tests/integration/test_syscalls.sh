#!/bin/bash
# The service's sandbox against what the daemon really does: its system
# call filter (SystemCallFilter= in dist/ns-monitor.service) and its
# capabilities (CapabilityBoundingSet=). systemd answers a call outside
# the filter with EPERM, and a daemon short of a capability gets EPERM
# too, so a daemon that needs either fails only under the service, never
# under a test. Here every call the daemon makes, counted by strace over
# its whole life, must be one the filter lets through; the filter is read
# from the unit and its groups resolved by systemd-analyze, as systemd
# resolves them. And the daemon lives that life with no capability but
# those of the unit's bounding set (setpriv), as it does under systemd.
#
# And io_uring stays out: what a ring carries out (opening files and
# sockets, connecting, sending) is never seen by seccomp, so a daemon
# that could set up a ring could step around the rest of the filter and
# RestrictAddressFamilies=. ns-monitor does not use it.
#
# Two lives of the daemon, each from start to exit, each in a mount
# namespace of its own with a fresh /run, where /run/ns-monitor is root's,
# as systemd makes the RuntimeDirectory=:
#   service     the unit's own arguments (dist/ns-monitor.default) in
#               managed mode, told of a service manager (NOTIFY_SOCKET,
#               WATCHDOG_USEC): the table loaded first, the members added;
#               a target found, routed, its first packet held and let go;
#               the table deleted (a firewall reload), --rules loaded
#               again and the members put back; SIGHUP; SIGTERM
#   user        standalone with --proxy-ndp --queue --stats-file and
#               --user nobody, in the background (-d, which a service
#               manager may run too: the launcher says READY=1 and names
#               the child MAINPID), under the unit and the drop-in that
#               its comments give for --user: the runtime directory and
#               the pidfile handed to nobody, the change of identity, the
#               counters; SIGTERM
#
# strace runs with the same bounding set, so without CAP_SYS_PTRACE: it
# traces its own child only, which kernel.yama.ptrace_scope 0 to 2 allow
# (3 forbids it, and this test then fails on its first daemon).
#
#   U(u0) ---- m0 [R] s1 ---- x0(X)  2001:db8:1::100/128, default via R
. "$(dirname "$0")/lib.sh"
need_root

UNIT=$TOP/dist/ns-monitor.service
RULES=$TOP/nft/ns-monitor.nft
X=2001:db8:1::100

for n in r u x; do netns_add $n; done
veth r m0 u u0
veth r s1 x x0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns x ip -6 addr add $X/128 dev x0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }
in_ns x ip -6 route add default via "$(link_local r s1)" dev x0

# expand ITEM...: the system call names of each item, a group (@name)
# resolved through systemd-analyze, group within group.
expand() {
	local item
	for item; do
		case $item in
		@*) expand $(systemd-analyze syscall-filter "$item" |
			sed -n 's/^ \{4\}\([@a-z0-9_-]\+\)$/\1/p') ;;
		*) echo "$item" ;;
		esac
	done
}

# filter LINES OUT: the calls a unit's SystemCallFilter= lines (LINES,
# the values one a line, in order) let through, as systemd builds the
# filter: the first line, an allow list, sets what passes, with @default
# and the few others that systemd.exec(5) always allows; each later line
# takes its calls out (~) or puts them back. A unit whose first line is a
# deny list, or that resets the filter (an empty line), is not what this
# reads: 1.
filter() {
	local line
	case $1 in
	"~"* | "" | *$'\n\n'* | *$'\n') echo "  filter: a deny list first, or a reset: not read here"; return 1 ;;
	esac
	{ expand @default; printf '%s\n' execve exit exit_group getrlimit rt_sigreturn sigreturn; } |
		sort -u >"$2"
	while read -r line; do
		# shellcheck disable=SC2086 # a line's items
		case $line in
		"~"*) comm -23 "$2" <(expand ${line#"~"} | sort -u) ;;
		*) sort -u "$2" <(expand $line) ;;
		esac >"$2.new"
		mv "$2.new" "$2"
	done <<<"$1"
}

# The unit's filter, and with the drop-in that its comments give for
# --user ("#   Key=value" lines).
ALLOWED=$TMP/allowed ALLOWED_USER=$TMP/allowed-user
unit=$(sed -n 's/^SystemCallFilter=//p' "$UNIT")
dropin=$(sed -n 's/^# \{3\}SystemCallFilter=//p' "$UNIT")
check "the unit's filter is an allow list, then changes to it" filter "$unit" "$ALLOWED"
check "...and with the drop-in for --user" filter "$unit"$'\n'"$dropin" "$ALLOWED_USER"
check "the unit's filter resolves to a list of calls ($(wc -l <"$ALLOWED"))" \
	[ "$(wc -l <"$ALLOWED")" -gt 100 ]
check "the unit's comments give a drop-in for --user" [ -n "$dropin" ]
for call in io_uring_setup io_uring_enter io_uring_register io_setup io_submit; do
	check "the unit's filter refuses $call" not grep -qx "$call" "$ALLOWED"
	check "...and with the drop-in for --user" not grep -qx "$call" "$ALLOWED_USER"
done

# calls FILE: the names in strace -c's summary, one a line.
calls() { awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $NF }' "$1" | sort -u; }

# outside FILE FILTER: the calls in FILE that FILTER refuses (none if all pass).
outside() {
	local out
	out=$(comm -23 <(calls "$1") "$2")
	[ -n "$out" ] && echo "$out" | sed 's/^/  refused: /'
	[ -z "$out" ]
}

# bounding LINES: setpriv's --bounding-set for CapabilityBoundingSet=
# lines ("CAP_NET_ADMIN CAP_NET_RAW" -> -all,+net_admin,+net_raw).
bounding() {
	local cap out=-all
	for cap in $1; do
		cap=${cap#CAP_}
		out+=,+${cap,,}
	done
	echo "$out"
}
CAPS=$(bounding "$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")")
CAPS_USER=$(bounding "$(sed -n 's/^CapabilityBoundingSet=//p; s/^# \{3\}CapabilityBoundingSet=//p' "$UNIT")")
check "the unit's bounding set is NET_ADMIN and NET_RAW ($CAPS)" [ "$CAPS" = -all,+net_admin,+net_raw ]

# as_unit CAPS COMMAND...: COMMAND in R as the unit runs the daemon: a
# fresh /run of its own, where /run/ns-monitor is root's, and only the
# capabilities of CAPS (setpriv's --bounding-set: root's exec of COMMAND,
# and of what it runs, keeps no other).
as_unit() {
	local caps=$1
	shift
	ip netns exec "$T-r" unshare -m --propagation private sh -c \
		'mount -t tmpfs -o mode=0755 none /run && mkdir -m 0755 /run/ns-monitor &&
		 exec setpriv --bounding-set "$@"' sh "$caps" "$@"
}

# traced CAPS LOG COUNTS ARGS...: the daemon under strace -f -c, as the
# unit runs it; TRACER is the pid of the background job, which ends with
# strace, and the daemon's own is found by daemon_pid. In a sanitizer build, without
# the leak check, which cannot run under ptrace (the other tests run it).
traced() {
	local caps=$1 log=$2 counts=$3
	shift 3
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		as_unit "$caps" strace -f -c -o "$counts" "$NS_MONITOR" -v "$@" >"$log" 2>&1 &
	TRACER=$!
	DAEMONS+=("$TRACER")
}

# daemon_pid: the pid of the ns-monitor in R (strace's child).
daemon_pid() {
	local p
	for p in $(ip netns pids "$T-r"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = ns-monitor ] && echo "$p"
	done
}

route_to_x() { route_dev $X s1; }
ping_x() { in_ns r ping -c1 -W5 $X >/dev/null 2>&1; }

# 1. The service's life.
in_ns r nft -f "$RULES" || { echo "FAIL: loading $RULES"; exit 1; }
nftr add element inet ns_monitor masters_135 '{ "m0" }'
nftr add element inet ns_monitor slaves_135 '{ "s1" }'
args=$(sed -n 's/^NS_MONITOR_ARGS="\(.*\)"$/\1/p' "$TOP/dist/ns-monitor.default")
# shellcheck disable=SC2086 # the service's arguments, as systemd splits them
set -- ${args/\/etc\/ns-monitor\/ns-monitor.nft/$RULES}
COUNTS=$TMP/service.calls LOG=$TMP/service.log NOTES=$TMP/notes
# The service manager's end: a datagram socket, what arrives in NOTES.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.monotonic() + 120
with open(sys.argv[2], "a") as out:
	while time.monotonic() < end:
		try:
			out.write(s.recv(4096).decode() + "\n")
			out.flush()
		except socket.timeout:
			pass
' "$TMP/notify" "$NOTES" &
LISTENER=$!
DAEMONS+=("$LISTENER")
wait_for 5 test -S "$TMP/notify" || { echo "FAIL: the notification socket"; exit 1; }
chmod 0777 "$TMP/notify"	# as systemd's: the daemon may be nobody by then
NOTIFY_SOCKET=$TMP/notify WATCHDOG_USEC=1000000 traced "$CAPS" "$LOG" "$COUNTS" "$@"
check "service: the daemon relays, under strace and with the unit's capabilities ($*)" \
	wait_for 20 logged "$LOG" "relaying NS"
logged "$LOG" "relaying NS" || tail -n 5 "$LOG" | sed 's/^/  /'
check "service: it tells the service manager it is ready" wait_for 5 grep -qx READY=1 "$NOTES"
check "...and feeds the watchdog" wait_for 5 grep -qx WATCHDOG=1 "$NOTES"
check "service: its first packet to X gets through (held, let go)" ping_x
check "service: X routed behind s1" route_to_x
in_ns r nft delete table inet ns_monitor
check "service: the table deleted, it loads --rules again" \
	wait_for 10 logged "$LOG" "loading $RULES again"
check "...and puts back the members" \
	wait_for 10 eval 'nftr list set inet ns_monitor slaves_135 | grep -q s1'
pid=$(daemon_pid)
kill -HUP "$pid" 2>/dev/null
check "service: SIGHUP reads everything again" wait_for 10 logged "$LOG" "SIGHUP: reading"
kill -TERM "$pid" 2>/dev/null
check "service: it exits on SIGTERM" wait_while 10 alive "$TRACER"
check "service: strace counted its calls" grep -q recvmmsg "$COUNTS"
check "service: the unit's filter lets through every call it made" outside "$COUNTS" "$ALLOWED"
in_ns r nft delete table inet ns_monitor

# Without the drop-in, --user stops at start, and says what is missing.
out=$(as_unit "$CAPS" timeout 10 "$NS_MONITOR" -m m0 -s s1 --proxy-ndp --user nobody 2>&1)
rc=$?
check "--user without the drop-in: exit 1 at start" [ $rc = 1 ]
check "...saying what the unit needs" grep -qF "see the unit's comments" <<<"$out"
check "...and nothing of its left: no table" not eval 'nftr list table inet ns_monitor >/dev/null 2>&1'
check "...proxy_ndp still off on m0" [ "$(proxy_ndp)" = 0 ]

# 2. Standalone with --proxy-ndp, as nobody, in the background; the
# counters and the pidfile go to a directory of nobody's (this test's own
# is root's, 0700: opened to pass).
in_ns r ip -6 route flush proto 135
in_ns r ip -6 neigh flush dev s1
OUT=$TMP/out
chmod 0711 "$TMP" && mkdir -p "$OUT" && chown nobody "$OUT"
COUNTS=$TMP/user.calls LOG=$TMP/user.log PIDFILE=$OUT/ns-monitor.pid
: >"$NOTES"
echo 1 >"$PIDFILE"	# a killed run's, root's: nobody must write its own
NOTIFY_SOCKET=$TMP/notify WATCHDOG_USEC=1000000 \
	traced "$CAPS_USER" "$LOG" "$COUNTS" -m m0 -s s1 --proxy-ndp --queue --user nobody \
	--stats-file "$OUT/ns-monitor.prom" --stats-interval 1 -d --pidfile "$PIDFILE"
pid_by_nobody() { [ "$(stat -c %U "$PIDFILE" 2>/dev/null)" = nobody ] && [ -s "$PIDFILE" ]; }
check "user: the daemon is ready in the background, under strace and with the drop-in's capabilities" \
	wait_for 20 pid_by_nobody
pid_by_nobody || tail -n 5 "$LOG" | sed 's/^/  /'
check "user: the launcher tells the service manager READY=1 and the child's pid" \
	wait_for 5 grep -qx "MAINPID=$(cat "$PIDFILE" 2>/dev/null)" "$NOTES"
check "user: its first packet to X gets through" ping_x
check "user: X routed behind s1" route_to_x
check "user: proxy_ndp turned on on m0, by nobody" wait_for 5 eval '[ "$(proxy_ndp)" = 1 ]'
check "user: the counters written" wait_for 5 test -s "$OUT/ns-monitor.prom"
kill -TERM "$(cat "$PIDFILE")" 2>/dev/null
check "user: it exits on SIGTERM" wait_while 10 alive "$TRACER"
check "...and removes its pidfile" not test -e "$PIDFILE"
check "...and turns proxy_ndp off again" [ "$(proxy_ndp)" = 0 ]
kill "$LISTENER" && wait "$LISTENER" 2>/dev/null
check "user: strace counted its calls" grep -Eq "setres?uid" "$COUNTS"
check "user: the unit's filter with the drop-in lets through every call it made" \
	outside "$COUNTS" "$ALLOWED_USER"

summary
