#!/bin/bash
# A hung daemon (issue "Trust", item 6): the service manager's protocol
# and what a stopped daemon costs with --queue.
#   - NOTIFY_SOCKET (a path, or @abstract): READY=1 once set up (NFLOG and
#     the queue bound), WATCHDOG=1 every half of WATCHDOG_USEC and none
#     while SIGSTOPped, STOPPING=1 at SIGTERM; no WATCHDOG=1 and no
#     wake-ups without WATCHDOG_USEC, or when WATCHDOG_PID is another's;
#     with -d the launcher says READY=1 and names the daemon (MAINPID=);
#     a read-only /run (ProtectSystem=strict) does not stop the datagram
#   - --queue, daemon SIGSTOPped: the kernel queues for it no more than
#     --queue-max packets (256 by default), drops none, and then lets the
#     host's traffic go on (a ping to the upstream router on the master's
#     link, a TCP connect); SIGCONT releases the stuck ones; SIGTERM
#     leaves no table, rule, route or queue behind
#
#        u (upstream)  --- m0 [ r ] s1 ---  x
#        2001:db8:1::2     2001:db8:1::1/64 on-link via m0
#
# The notification listener is a small python3 program in namespace r (an
# abstract socket lives in a network namespace): it writes each datagram
# as "TIME PID MESSAGE" (the sender's pid from SCM_CREDENTIALS, as the
# service manager sees it), and with READY=1 the NFLOG groups and queues
# bound at that moment. It stops by itself after a minute or 4000
# datagrams, and the trap kills it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root

TCP_PROBE=${TCP_PROBE:-$(dirname "$NS_MONITOR")/tcp_probe}
G=135
UP=2001:db8:1::2
QMAX=256		# --queue-max's default: src/cli/config.h

netns_add r
netns_add u
netns_add x
veth r m0 u u0
veth r s1 x x0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add $UP/64 dev u0 nodad
wait_for 5 ll_ready r s1 || { echo "FAIL: link-local on s1"; exit 1; }

cat >"$TMP/notify_listen.py" <<'PY'
import os, socket, struct, sys, time
addr, out = sys.argv[1], sys.argv[2]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.settimeout(0.5)

def bound(proc):
    try:
        with open(proc) as f:
            return ",".join(sorted(l.split()[0] for l in f)) or "-"
    except OSError:
        return "-"

end = time.monotonic() + 60
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    for _ in range(4000):
        if time.monotonic() >= end:
            break
        try:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            continue
        pid = 0
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        line = "%.3f %d %s" % (time.monotonic(), pid,
                               msg.decode(errors="replace").replace("\n", " "))
        if b"READY=1" in msg:
            line += " nflog=%s queue=%s" % (
                bound("/proc/net/netfilter/nfnetlink_log"),
                bound("/proc/net/netfilter/nfnetlink_queue"))
        f.write(line + "\n")
PY

# listen_notify ADDR OUT: a listener on ADDR in r, writing to OUT; the one
# before it stops (an abstract name is taken until its socket closes).
LISTENER=
listen_notify() {
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null
	rm -f "$2"
	[ "${1#@}" = "$1" ] && rm -f "$1"
	ip netns exec "$T-r" python3 "$TMP/notify_listen.py" "$1" "$2" &
	LISTENER=$!
	DAEMONS+=("$LISTENER")
	wait_for 5 grep -qs '^listening' "$2"
}
# notes OUT MESSAGE: how many datagrams carried MESSAGE.
notes() {
	local c
	c=$(grep -cs " $2\( \|\$\)" "$1")
	echo "${c:-0}"
}
notes_above() { [ "$(notes "$1" "$2")" -gt "$3" ]; }
# sender OUT MESSAGE: the pid that sent the first datagram with MESSAGE.
sender() { grep -m1 " $2\( \|\$\)" "$1" | cut -d' ' -f2; }
# median_gap_ms OUT: the median time between two WATCHDOG=1, in ms.
median_gap_ms() {
	grep ' WATCHDOG=1$' "$1" | cut -d' ' -f1 |
		awk 'NR > 1 { print int(($1 - prev) * 1000) } { prev = $1 }' |
		sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'
}
# wakeups PID: voluntary context switches so far (each sleep that ended).
wakeups() { awk '$1 == "voluntary_ctxt_switches:" { print $2 }' /proc/"$1"/status; }
woke_since() { [ "$(wakeups "$1")" != "$2" ]; }
stopped() { [ "$(awk '$1 == "State:" { print $2 }' /proc/"$1"/status)" = T ]; }

# start_notified OUT ENV... -- ARGS...: the daemon in r, with ENV, -v, its
# log in OUT.log; waits for READY=1.
start_notified() {
	local out=$1
	local -a env=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	ip netns exec "$T-r" env "${env[@]}" "$NS_MONITOR" -v "$@" >"$out.log" 2>&1 &
	DAEMON_PID=$!
	DAEMONS+=("$DAEMON_PID")
	wait_for 5 notes_above "$out" READY=1 0
}

# 1. A path, with a watchdog of 400 ms.
N=$TMP/n1
listen_notify "$TMP/notify.sock" "$N"
check "path: READY=1 arrives" \
	start_notified "$N" NOTIFY_SOCKET="$TMP/notify.sock" WATCHDOG_USEC=400000 -- \
	-m m0 -s s1 --queue
PID=$DAEMON_PID
check "path: READY=1 from the daemon itself (pid $PID)" [ "$(sender "$N" READY=1)" = "$PID" ]
check "path: READY=1 once set up: NFLOG group $G and queue $G bound then" \
	grep -q "READY=1 nflog=\([0-9,]*,\)\?$G\(,[0-9,]*\)\? queue=\([0-9,]*,\)\?$G\b" "$N"
check "path: WATCHDOG=1 arrives, again and again (5 within 3 s)" \
	wait_for 3 notes_above "$N" WATCHDOG=1 4
gap=$(median_gap_ms "$N")
check "path: every half of WATCHDOG_USEC (median gap $gap ms, 200 asked)" \
	test "$gap" -ge 150 -a "$gap" -le 350
check "path: from the daemon's pid" \
	[ "$(grep ' WATCHDOG=1$' "$N" | cut -d' ' -f2 | sort -u)" = "$PID" ]
kill -STOP "$PID"
wait_for 2 stopped "$PID"
n=$(notes "$N" WATCHDOG=1)
check "SIGSTOP: no WATCHDOG=1 for a second ($n before)" \
	not wait_for 1 notes_above "$N" WATCHDOG=1 "$n"
kill -CONT "$PID"
check "SIGCONT: WATCHDOG=1 again" wait_for 2 notes_above "$N" WATCHDOG=1 "$n"
check "SIGTERM: the daemon exits" stop_daemon "$PID" 2
check "SIGTERM: STOPPING=1 arrives" wait_for 2 notes_above "$N" STOPPING=1 0
check "SIGTERM: STOPPING=1 from the daemon" [ "$(sender "$N" STOPPING=1)" = "$PID" ]
check "READY=1 was said once" [ "$(notes "$N" READY=1)" = 1 ]

# 2. No WATCHDOG_USEC: notifications, but no heartbeat and no wake-ups.
N=$TMP/n2
listen_notify "$TMP/notify.sock" "$N"
check "no watchdog: READY=1 arrives" \
	start_notified "$N" NOTIFY_SOCKET="$TMP/notify.sock" -- -m m0 -s s1
PID=$DAEMON_PID
check "no watchdog: no WATCHDOG=1 within 1.5 s" \
	not wait_for 1.5 notes_above "$N" WATCHDOG=1 0
w=$(wakeups "$PID")
check "no watchdog: an idle daemon does not wake up for a second" \
	not wait_for 1 woke_since "$PID" "$w"
check "no watchdog: STOPPING=1 at SIGTERM" \
	eval "stop_daemon $PID 2 && wait_for 2 notes_above '$N' STOPPING=1 0"

# 3. An abstract socket; WATCHDOG_PID another process's, then ours.
N=$TMP/n3
A=@ns-monitor-test-$T
listen_notify "$A" "$N"
check "abstract: READY=1 arrives" \
	start_notified "$N" NOTIFY_SOCKET="$A" WATCHDOG_USEC=400000 WATCHDOG_PID=1 -- \
	-m m0 -s s1
PID=$DAEMON_PID
check "WATCHDOG_PID of another process: no WATCHDOG=1 within 1 s" \
	not wait_for 1 notes_above "$N" WATCHDOG=1 0
w=$(wakeups "$PID")
check "WATCHDOG_PID of another process: no wake-ups either" \
	not wait_for 1 woke_since "$PID" "$w"
stop_daemon "$PID" 2
N=$TMP/n3b
listen_notify "$A" "$N"
# sh's pid becomes the daemon's (exec), so WATCHDOG_PID=$$ names it.
ip netns exec "$T-r" env NOTIFY_SOCKET="$A" WATCHDOG_USEC=400000 \
	sh -c 'WATCHDOG_PID=$$ exec "$0" -v -m m0 -s s1' "$NS_MONITOR" >"$N.log" 2>&1 &
PID=$!
DAEMONS+=("$PID")
check "WATCHDOG_PID ours: WATCHDOG=1 arrives" wait_for 5 notes_above "$N" WATCHDOG=1 1
check "WATCHDOG_PID ours: from the daemon (pid $PID)" \
	[ "$(sender "$N" WATCHDOG=1)" = "$PID" ]
stop_daemon "$PID" 2

# 4. -d: the launcher (the process a manager starts) says READY=1 and
#    names the daemon; the heartbeat and STOPPING=1 come from the daemon.
N=$TMP/n4
PF=$TMP/ns-monitor.pid
listen_notify "$TMP/notify.sock" "$N"
ip netns exec "$T-r" env NOTIFY_SOCKET="$TMP/notify.sock" WATCHDOG_USEC=400000 \
	"$NS_MONITOR" -d --pidfile "$PF" -m m0 -s s1 >"$N.log" 2>&1 &
LPID=$!
wait "$LPID"
check "-d: the launcher returns 0 once ready" [ $? = 0 ]
DPID=$(cat "$PF" 2>/dev/null)
DAEMONS+=("$DPID")
check "-d: READY=1 from the launcher (pid $LPID)" \
	wait_for 2 eval "[ \"\$(sender '$N' READY=1)\" = $LPID ]"
check "-d: ... naming the daemon of the pidfile (MAINPID=$DPID)" \
	grep -q " READY=1 MAINPID=$DPID " "$N"
check "-d: WATCHDOG=1 from the daemon" \
	eval "wait_for 3 notes_above '$N' WATCHDOG=1 1 && [ \"\$(sender '$N' WATCHDOG=1)\" = $DPID ]"
check "-d: STOPPING=1 from the daemon at SIGTERM" \
	eval "stop_daemon $DPID 2 && wait_for 2 notes_above '$N' STOPPING=1 0 && [ \"\$(sender '$N' STOPPING=1)\" = $DPID ]"
check "-d: the pidfile is removed" not test -e "$PF"

# 4b. The unit's ProtectSystem=strict mounts /run read only: a datagram
#     to the manager's socket still goes (only files refuse writes there).
#     A private mount namespace, as the unit's, with the socket's
#     directory read only.
N=$TMP/n4b
mkdir -p "$TMP/ro"
listen_notify "$TMP/ro/notify.sock" "$N"
ip netns exec "$T-r" unshare -m --propagation private sh -c \
	'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
	 ! touch "$1/file" 2>/dev/null &&
	 NOTIFY_SOCKET="$1/notify.sock" exec "$2" -v -m m0 -s s1' \
	sh "$TMP/ro" "$NS_MONITOR" >"$N.log" 2>&1 &
PID=$!
DAEMONS+=("$PID")
check "read-only directory (ProtectSystem=strict): READY=1 still arrives" \
	wait_for 5 notes_above "$N" READY=1 0
stop_daemon "$PID" 2

# 5. --queue, the daemon stopped: the queue fills up to its bound, and
#    then the host's traffic goes on.
# queue_field N: field N of queue G's line in r (3 length, 6 dropped as
# full, 7 dropped as undeliverable); empty when nobody is bound.
queue_field() { in_ns r awk -v g=$G -v f="$1" '$1 == g { print $f }' /proc/net/netfilter/nfnetlink_queue; }
# fill N: N datagrams from the host to N addresses that are nowhere, one
# socket each (a socket whose datagram is stuck would block the next).
fill() {
	in_ns r python3 - "$1" <<'PY'
import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setblocking(False)
    try:
        s.sendto(b"x", ("2001:db8:1::1:%x" % (i + 1), 9))
    except OSError:
        pass
    s.close()
PY
}
in_ns u "$TCP_PROBE" listen :: 7 >"$TMP/listen.out" 2>&1 &
DAEMONS+=("$!")
wait_for 5 grep -q listening "$TMP/listen.out" || fail "the upstream's TCP listener"
N=$TMP/n5
listen_notify "$TMP/notify.sock" "$N"
check "--queue: READY=1 arrives" \
	start_notified "$N" NOTIFY_SOCKET="$TMP/notify.sock" WATCHDOG_USEC=400000 -- \
	-m m0 -s s1 --queue
PID=$DAEMON_PID
check "--queue: the hold chain is there" \
	eval "in_ns r nft list chain inet ns_monitor hold_$G >/dev/null 2>&1"
kill -STOP "$PID"
t0=$(date +%s%N)
wait_for 2 stopped "$PID"
n=$(notes "$N" WATCHDOG=1)
fill $((QMAX + 16))
t1=$(date +%s%N)
check "stopped: the kernel keeps at most $QMAX packets for it ($(queue_field 3) held)" \
	[ "$(queue_field 3)" -le $QMAX ]
check "stopped: the queue is full, not longer (its length was applied)" \
	[ "$(queue_field 3)" = $QMAX ]
check "stopped: none dropped (fail open was applied)" \
	test "$(queue_field 6)" = 0 -a "$(queue_field 7)" = 0
if wait_for 3 ping_ok r $UP; then
	t2=$(date +%s%N)
	pass "stopped: a ping to the upstream router on m0 is answered, $(( (t2 - t0) / 1000000 )) ms after SIGSTOP, $(( (t2 - t1) / 1000000 )) ms after the test's packets ($(queue_field 3) stuck)"
else
	fail "stopped: a ping to the upstream router on m0 is answered"
fi
in_ns r "$TCP_PROBE" connect $UP 7 2000 >"$TMP/c.out" 2>&1
check "stopped: a TCP connect to the upstream succeeds ($(cut -d' ' -f1-3 "$TMP/c.out"))" \
	grep -q '^connected' "$TMP/c.out"
check "stopped: no WATCHDOG=1 meanwhile (a manager would restart it)" \
	[ "$(notes "$N" WATCHDOG=1)" = "$n" ]
kill -CONT "$PID"
check "SIGCONT: the stuck packets are released (queue empty)" \
	wait_for 10 eval "[ \"\$(queue_field 3)\" = 0 ]"
check "SIGCONT: the daemon goes on (WATCHDOG=1)" \
	wait_for 2 notes_above "$N" WATCHDOG=1 "$(notes "$N" WATCHDOG=1)"
check "SIGTERM: the daemon exits" stop_daemon "$PID" 3
check "SIGTERM: STOPPING=1" wait_for 2 notes_above "$N" STOPPING=1 0
check "nothing left: no table inet ns_monitor" \
	not eval "in_ns r nft list table inet ns_monitor >/dev/null 2>&1"
check "nothing left: no policy rule of ours" \
	not eval "in_ns r ip -6 rule show | grep -q '^28275:'"
check "nothing left: no route of ours (learned, or in the egress table)" \
	[ -z "$(in_ns r ip -6 route show table all proto 135; in_ns r ip -6 route show table $((0x6e730000 + G)) 2>/dev/null)" ]
check "nothing left: queue $G and NFLOG group $G unbound" \
	eval "[ -z \"\$(queue_field 1)\" ] && ! in_ns r awk '\$1 == $G' /proc/net/netfilter/nfnetlink_log | grep -q ."

summary
