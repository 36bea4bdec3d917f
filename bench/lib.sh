# What the namespace benchmarks (first_contact.sh, queue.sh) share. Source it
# once R and the other namespace names are set: NSS lists the namespaces
# this run makes, TMP its scratch directory. It kills what was started
# (PIDS), deletes those namespaces and TMP on exit, whatever happens.
PIDS=()
T0=$SECONDS
bench_cleanup() {
	for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	for n in "${NSS[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '[%4ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most that long.
wait_for() {
	local end=$(($(date +%s%N) + ${1%.*} * 1000000000))
	shift
	while ! "$@"; do
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.02
	done
}
in_r() { ip netns exec "$R" "$@"; }
