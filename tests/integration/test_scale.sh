#!/bin/bash
# Scale: a burst of new neighbors behind 4 and 200 slaves, under the default
# options. Every target must end routed behind its own slave with a usable
# neighbor entry there, and the daemon may leave at most one unresolved
# kernel neighbor entry per target in flight, whatever the number of slaves
# (the neighbor table is host-wide: gc_thresh3 counts every namespace).
# Timing goals belong to bench/scale.sh; the deadline here is generous.
#
#   U(u0) ---- m0 [R] s1..s200 ---- g1..g200 [G]
#   2001:db8:1::2/64     2001:db8:1::1/64 on m0: the prefix is on-link there
#
# All the peers live in one namespace G, each target a /128 on its own peer
# (nodad). G answers the daemon's probes and the kernel's NS on the peer that
# was asked (link-local sources, replies leave by the incoming interface);
# G has no route back to 2001:db8:1::1 through the right peer (one namespace,
# one route), so the host's own pings are not expected to be answered: the
# test asserts routes and neighbor entries, which is what the daemon makes.
. "$(dirname "$0")/lib.sh"
need_root

NEIGH_PEAK=${NEIGH_PEAK:-$TOP/build/default/neigh_peak}
[ -x "$NEIGH_PEAK" ] || { echo "FAIL: no $NEIGH_PEAK (make build/default/neigh_peak)"; exit 1; }

NSLAVES=200
DEADLINE=10		# seconds from the burst to every target located
SAMPLE_MS=20		# neighbor table sampling period during the burst

for n in r u g; do netns_add $n; done
veth r m0 u u0
in_ns r ip -6 addr add 2001:db8:1::1/64 dev m0 nodad
in_ns u ip -6 addr add 2001:db8:1::2/64 dev u0 nodad
# 200 veth pairs: two batches instead of 600 ip commands.
for i in $(seq $NSLAVES); do
	echo "link add name s$i type veth peer name g$i netns $T-g"
done | ip -n $T-r -batch - || { echo "FAIL: creating $NSLAVES veth pairs"; exit 1; }
for i in $(seq $NSLAVES); do echo "link set dev g$i up"; done | ip -n $T-g -batch - || exit 1
for i in $(seq $NSLAVES); do echo "link set dev s$i up"; done | ip -n $T-r -batch - || exit 1

# target CASE I: the address of target I of a case; slave_of S T I: the slave
# target I lives behind when T targets are spread over S slaves.
target() { printf '2001:db8:1::%x:%x' $((0xa0 + $1)) $(($2 + 1)); }
slave_of() { echo $(( ($3 * $1 / $2) % $1 + 1 )); }

# Case 1: 4 slaves, 40 targets (10 per slave); case 2: 200 slaves, 50
# targets on 50 different slaves.
CASES=("4 40" "$NSLAVES 50")
for c in 0 1; do
	read -r s t <<<"${CASES[$c]}"
	for i in $(seq 0 $((t - 1))); do
		echo "addr add $(target $c $i)/128 dev g$(slave_of $s $t $i) nodad"
	done
done | ip -n $T-g -batch - || { echo "FAIL: target addresses"; exit 1; }

wait_for 5 ll_ready r m0 || { echo "FAIL: link-local on m0"; exit 1; }
# Every slave's link-local address usable (not tentative): one listing.
all_ll_ready() {
	[ "$(in_ns r ip -6 addr show scope link | grep -c 'inet6 fe80')" -ge $((NSLAVES + 1)) ] &&
	! in_ns r ip -6 addr show | grep -q tentative
}
wait_for 10 all_ll_ready || { echo "FAIL: link-local addresses on the slaves"; exit 1; }

# expected CASE: "TARGET sK" per target, sorted (computed once: polled).
for c in 0 1; do
	read -r s t <<<"${CASES[$c]}"
	for i in $(seq 0 $((t - 1))); do echo "$(target $c $i) s$(slave_of $s $t $i)"; done |
		sort >"$TMP/expected-$c"
done
expected() { cat "$TMP/expected-$1"; }
# The polled listings use ip -n (a netlink socket in R), cheaper than
# ip netns exec: the sampler must keep its pace while the burst runs.
# learned: "TARGET sK" per route of protocol 135 in the main table.
learned() { ip -n $T-r -6 route show proto 135 | awk '{ sub("/128", "", $1); print $1, $3 }' | sort; }
# located CASE: "ROUTED USABLE WANTED": how many targets of the case have
# their route of protocol 135 on the right slave, and a usable neighbor
# entry (REACHABLE, STALE, DELAY or PROBE) there. Few processes: it is
# polled while the burst runs, beside the sampler.
located() {
	{ ip -n $T-r -6 route show proto 135; echo '=='; ip -n $T-r -6 neigh show; } |
	awk -v want="$TMP/expected-$1" '
		BEGIN { while ((getline l < want) > 0) { w[l] = 1; n++ } }
		$0 == "==" { neigh = 1; next }
		!neigh { sub("/128", "", $1); if (($1 " " $3) in w) r++ }
		neigh && state() ~ /^(REACHABLE|STALE|DELAY|PROBE)$/ { if (($1 " " $3) in w) u++ }
		END { print r + 0, u + 0, n + 0 }
		'"$AWK_STATE"
}
all_found() {
	local r u n
	read -r r u n < <(located "$1")
	[ "$r" -eq "$n" ] && [ "$u" -eq "$n" ]
}
# Unresolved entries (INCOMPLETE or FAILED) on slaves, and in all of R.
unresolved_on_slaves() {
	ip -n $T-r -6 neigh show nud incomplete nud failed | grep -c ' dev s[0-9]*  *[A-Z]'
}
our_routes() { in_ns r ip -6 route show proto 135 table all; }

# burst CASE: the host contacts every target of the case at once (one ping
# each, so the kernel resolves each on m0: three NS a second apart).
burst() {
	expected "$1" | awk '{ print $1 }' >"$TMP/targets-$1"
	in_ns r timeout 5 bash -c 'while read -r t; do ping -c1 -W1 "$t" >/dev/null 2>&1 & done; wait' \
		<"$TMP/targets-$1" &
	BURST_PID=$!
}

# run_case CASE: one daemon for the case, a burst, the checks, SIGTERM.
run_case() {
	local c=$1 s t slaves log want t0 ms peak samples routed usable
	read -r s t <<<"${CASES[$c]}"
	want=$t
	slaves=$(seq -s, -f 's%g' 1 "$s")
	log=$TMP/scale-$s.log
	echo "-- $s slaves, $t targets"
	in_ns r ip -6 neigh flush all >/dev/null 2>&1
	if ! start_daemon r "$log" -m m0 -s "$slaves" --learn-routes; then
		fail "$s slaves: the daemon starts and relays ($(grep -m1 . "$log"))"
		fail "$s slaves: $t targets located (not run: no daemon)"
		[ "$c" = 1 ] && fail "$s slaves: unresolved entries bounded (not run: no daemon)"
		fail "$s slaves: SIGTERM (not run: no daemon)"
		return
	fi
	pass "$s slaves: the daemon starts and relays"
	local pid=$DAEMON_PID
	# The neighbor table sampled every SAMPLE_MS while the burst runs.
	ip netns exec $T-r "$NEIGH_PEAK" -p $SAMPLE_MS -T $((DEADLINE + 5)) s >"$TMP/peak-$c" &
	local sp=$!
	wait_for 5 grep -q ready "$TMP/peak-$c" || fail "neigh_peak did not start"
	t0=$(date +%s%N)
	burst "$c"
	if wait_for $DEADLINE all_found "$c"; then
		ms=$((($(date +%s%N) - t0) / 1000000))
		pass "$s slaves: all $t targets routed behind their slave, with a usable neighbor entry ($ms ms)"
	else
		read -r routed usable _ < <(located "$c")
		fail "$s slaves: all $t targets located within ${DEADLINE} s: routes $routed/$want," \
			"usable neighbor entries $usable/$want"
		comm -23 <(expected "$c") <(learned) | head -5 | sed 's/^/  not routed: /'
	fi
	wait "$BURST_PID" 2>/dev/null
	kill -INT "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	read -r peak samples ms < <(tail -n1 "$TMP/peak-$c") || peak=unknown samples=0 ms=0
	# The pace actually kept: a loaded machine stretches it.
	echo "   peak unresolved entries on slaves: $peak ($samples samples in $ms ms," \
		"one every $((ms / (samples > 0 ? samples : 1))) ms)"
	# The bound is asserted where it matters, with many slaves: with a few,
	# an echo request on every slave may stay (the issue leaves it open).
	[ "$c" = 1 ] && check "$s slaves: at most one unresolved neighbor entry per target ($peak <= $t)" \
		[ "${peak:-999999}" -le "$t" ] 2>/dev/null
	echo "   neighbor entries in R at the end: $(in_ns r ip -6 neigh show | awk '
		{ n++; s[state()]++ } END { printf "%d (FAILED %d, INCOMPLETE %d)", n, s["FAILED"], s["INCOMPLETE"] }
		'"$AWK_STATE"),"\
		"unresolved on slaves $(unresolved_on_slaves)"
	check "$s slaves: SIGTERM exits within 2 s" stop_daemon "$pid" 2
	check "$s slaves: no route of protocol 135 left" [ -z "$(our_routes)" ]
	our_routes | head -3 | sed 's/^/  left: /'
}

run_case 0
run_case 1
in_ns r ip -6 neigh flush all >/dev/null 2>&1
summary
