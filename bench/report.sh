# Sourced by bench/run.sh: turn $JSONL (one record per measurement) into
# $RESULTS/latest.json, latest.md and latency.png.

# Display names, in table order.
METHOD_NAMES='{
  "floor": "floor: NFLOG in, packet socket out",
  "floor-loop": "floor woken as an event loop",
  "floor-ring": "floor waiting and reading in one io_uring_enter()",
  "nsmon": "ns-monitor",
  "seed": "seed: fork ping -I per slave",
  "odhcpd": "odhcpd: /128 route per probe",
  "ndppd-auto": "ndppd 0.2.5, auto rule (upstream NS)",
  "ndppd": "ndppd 0.2.5, iface rules (upstream NS)",
  "nsmon-proxy": "ns-monitor --proxy-ndp (upstream NS)"
}'

report_json() {
	local commit dirty
	commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	dirty=$(git -C "$top" status --porcelain -- src include 2>/dev/null | grep -q . && echo true || echo false)
	jq -s --argjson names "$METHOD_NAMES" \
		--arg date "$(date -u +%Y-%m-%dT%H:%MZ)" --arg kernel "$(uname -r)" \
		--arg cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
		--argjson ncpu "$(nproc)" --arg load0 "$load0" --arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" \
		--arg version "$("$BIN" -V 2>/dev/null)" --arg commit "$commit" --argjson dirty "$dirty" \
		--arg ndppd "$(dpkg-query -W -f='${Version}' ndppd 2>/dev/null)" \
		--arg bin "$BIN_ORIG" --arg binsha "$BIN_SHA" --arg bindate "$BIN_DATE" \
		--argjson secs "$((SECONDS - T0))" --argjson fulls "$((fulls1 - fulls0))" \
		--argjson idle "$IDLE_S" --argjson rounds "$ROUNDS" --argjson nslow "$N_SLOW" \
		--argjson bursts "$BURSTS" --argjson burst "$BURST" --argjson gap "$GAP_MS" '
	def lat: map(select(.kind == "latency"));
	def ing: map(select(.kind == "ingest" and (.skipped | not)));
	. as $all |
	{
	  meta: {date: $date, kernel: $kernel, cpu: $cpu, cpus: $ncpu,
	         loadavg_start: $load0, loadavg_end: $load1, ns_monitor: $version,
	         commit: $commit, src_modified: $dirty, ndppd: $ndppd,
	         binary: $bin, binary_sha256: $binsha, binary_built: $bindate,
	         duration_s: $secs, neighbor_table_full_events: $fulls, idle_window_s: $idle,
	         rounds: $rounds, n_slow: $nslow, bursts: $bursts, burst: $burst, gap_ms: $gap},
	  names: $names,
	  latency: ($all | lat),
	  latency_rounds: ($all | map(select(.kind == "latency_round"))),
	  ingest: ($all | map(select(.kind == "ingest"))),
	  cost: ($all | map(select(.kind == "cost"))),
	  ingest_summary: [
	    $all | ing | group_by([.method, .targets])[] |
	    {method: .[0].method, targets: .[0].targets,
	     generator_max: (map(select(.rate == 0)) | first | if . then .gen.rate_reached else null end),
	     lost_at_max: (map(select(.rate == 0)) | first | if . then .lost else null end),
	     zero_loss: (map(select(.lost <= 0)) | first),
	     ladder_top: .[0].rate}
	  ]
	}
	| . as $r
	| def L(m; s; rate): $r.latency | map(select(.method == m and .slaves == s and .rate == rate)) | first;
	  def C(m): $r.cost | map(select(.method == m)) | first;
	  def I(m; t): $r.ingest_summary | map(select(.method == m and .targets == t)) | first;
	  .goals = [
	    (L("nsmon"; 1; 100) as $l |
	     {goal: "p50 reaction latency <= 50 us at 100 NS/s, one slave",
	      figure: ($l.cap.p50_us // null), met: (($l.cap.p50_us // 1e9) <= 50)}),
	    (L("nsmon"; 1; 100) as $l |
	     {goal: "p99 reaction latency <= 250 us at 100 NS/s, one slave",
	      figure: ($l.cap.p99_us // null), met: (($l.cap.p99_us // 1e9) <= 250)}),
	    (L("nsmon"; 1; 100) as $n | L("seed"; 1; 100) as $s |
	     {goal: ">= 100x lower median latency than the seed (100 NS/s, one slave, targets that answer)",
	      figure: (if ($n.cap.p50_us // null) and ($s.cap.p50_us // null) then "\($s.cap.p50_us / $n.cap.p50_us | floor)x" else null end),
	      met: ((($s.cap.p50_us // 0) / ($n.cap.p50_us // 1e9)) >= 100)}),
	    (L("nsmon"; 4; 100) as $n | L("seed"; 4; 100) as $s |
	     {goal: ">= 100x lower median latency than the seed (100 NS/s, four slaves)",
	      figure: (if ($n.cap.p50_us // null) == null or $s == null then null
	               elif ($s.cap.p50_us // null) == null then "> \(3e6 / $n.cap.p50_us | floor)x (seed: \($s.cap.reacted) of \($s.cap.ns_on_master) NS within 3 s)"
	               else "\($s.cap.p50_us / $n.cap.p50_us | floor)x" end),
	      met: (($n.cap.p50_us // null) != null and $s != null and
	            ((($s.cap.p50_us // 1e12) / $n.cap.p50_us) >= 100))}),
	    (I("nsmon"; "repeated") as $i |
	     {goal: "ingest = generator maximum, zero loss (repeated targets)",
	      figure: ($i.zero_loss.gen.rate_reached // null), generator_max: ($i.generator_max // null),
	      met: (($i.zero_loss.rate // -1) == 0)}),
	    (I("nsmon"; "distinct") as $i |
	     {goal: "ingest = generator maximum, zero loss (distinct targets)",
	      figure: ($i.zero_loss.gen.rate_reached // null), generator_max: ($i.generator_max // null),
	      met: (($i.zero_loss.rate // -1) == 0)}),
	    (C("nsmon") as $c |
	     {goal: "RSS < 4 MiB idle, < 5 MiB once the floods have left",
	      figure: [($c.rss_idle_kb // null), ($c.rss_settled_kb // null)],
	      met: ((($c.rss_idle_kb // 1e9) < 4096) and (($c.rss_settled_kb // 1e9) < 5120))}),
	    ((["floor", "the floor"], ["floor-loop", "the floor woken as an event loop"]) as [$ref, $what] |
	     ([1, 100], [1, 10000], [4, 100], [4, 10000]) as [$s, $rt] |
	     L("nsmon"; $s; $rt) as $n | L($ref; $s; $rt) as $f |
	      {goal: "p50 within 1.1x of \($what), \($s) slave(s), \($rt) NS/s",
	       figure: (if ($n.cap.p50_us // null) and ($f.cap.p50_us // null) then "\($n.cap.p50_us / $f.cap.p50_us * 100 | round / 100)x" else null end),
	       met: ((($n.cap.p50_us // 1e9) / ($f.cap.p50_us // 1e-9)) <= 1.1)}),
	    ([1, 4][] as $s |
	     L("nsmon"; $s; 100) as $n | L("floor"; $s; 100) as $f |
	     {goal: "CPU per NS within 2x of the floor, \($s) slave(s), 100 NS/s",
	      figure: (if ($n.cpu_ms_per_1000 // null) and ($f.cpu_ms_per_1000 // null) then "\($n.cpu_ms_per_1000 / $f.cpu_ms_per_1000 * 100 | round / 100)x" else null end),
	      met: ((($n.cpu_ms_per_1000 // 1e9) / ($f.cpu_ms_per_1000 // 1e-9)) <= 2)}),
	    (C("nsmon") as $c |
	     {goal: "no wake-ups while idle",
	      figure: ($c.wakeups_per_min // null), met: (($c.wakeups_per_min // 1) == 0)})
	  ]' "$JSONL" >"$RESULTS/latest.json.tmp" && mv "$RESULTS/latest.json.tmp" "$RESULTS/latest.json"
}

report_md() {
	jq -r '
	def f(x): if x == null then "—" elif (x | type) == "number" then
		(if x >= 100 then (x | floor | tostring) else ((x * 10 | floor) / 10 | tostring) end)
		else (x | tostring) end;
	def name(m): .names[m] // m;
	def ratio(a; b): if a == null or b == null or b == 0 then "—"
		else "\((a / b * 100 | round) / 100)×" end;
	. as $r |
	"# ns-monitor benchmarks\n",
	"\($r.meta.date), kernel \($r.meta.kernel), \($r.meta.cpus) × \($r.meta.cpu), load \($r.meta.loadavg_start) → \($r.meta.loadavg_end); \($r.meta.ns_monitor) (commit \($r.meta.commit)\(if $r.meta.src_modified then ", src/ modified" else "" end); binary built \($r.meta.binary_built), sha256 \($r.meta.binary_sha256)…), ndppd \($r.meta.ndppd); \($r.meta.duration_s) s; neighbor table full events during the run: \($r.meta.neighbor_table_full_events).\n",
	"## Reaction latency\n",
	"From the NS on the master (kernel timestamp of the frame) to the first packet for the same target leaving a slave (an NS for it, or the echo request), one packet socket, one clock. \"all slaves\": until every slave has sent one. An NS with no reaction before the capture stopped (0.3 s after the last NS; 3 s for the seed) counts as infinitely late (—). Each method runs \($r.meta.rounds) rounds, a fresh instance each, interleaved in time with the other methods of its topology (the machine is shared); the seed and the auto rule of ndppd run one. A round: at 100 NS/s, \($r.meta.n_slow) NS to distinct targets that exist behind s1; at 10,000 NS/s, \($r.meta.bursts) bursts of \($r.meta.burst) NS (10 ms) \($r.meta.gap_ms) ms apart to distinct targets that do not exist, their neighbor entries flushed between bursts (the host-wide neighbor table).\n",
	"| method | slaves | NS/s | NS | reacted | p50 µs | p99 µs | max µs | p50 per round µs | all slaves p50 µs | CPU ms per 1000 NS | asks and probes sent / failed |",
	"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	($r.latency[] | . as $l |
	 "| \($r | name($l.method)) | \($l.slaves) | \($l.rate) (\(f($l.gen.rate_reached))) | \($l.cap.ns_on_master // "—") | \($l.cap.reacted // "—") | \(f($l.cap.p50_us)) | \(f($l.cap.p99_us)) | \(f($l.cap.max_us)) | \($l.round_p50_us | map(f(.)) | join(", ")) | \(f($l.cap.all_p50_us)) | \(f($l.cpu_ms_per_1000)) | \(if ($l.method | startswith("ndppd")) then "—" else "\($l.probes_sent) / \($l.probes_failed)" end) |"),
	"",
	"### Against the floor\n",
	"ns-monitor beside the floor of the same run and rounds: p50 and p99 of the reaction, CPU per NS (everything a target costs: its ask, the answer, the confirm and the events), and their ratios. Goal (issue 23): p50 within 1.1× of the floor in each case, CPU per NS at 100 NS/s within 2×. The loop floor is the same floor woken as an event loop is (epoll_wait, then recvmmsg), as ns-monitor is: the ratio between the two floors is what that structure alone costs here. The ring floor waits and reads in one system call through io_uring (one recv submitted and completed in one io_uring_enter): what a loop built on a ring would give back; ns-monitor does not use io_uring, which its unit refuses.\n",
	"| slaves | NS/s | floor p50 µs | loop floor p50 µs | ring floor p50 µs | ns-monitor p50 µs | p50 ratio | p50 ratio to the loop floor | floor p99 µs | ns-monitor p99 µs | floor CPU µs per NS | ns-monitor CPU µs per NS | CPU ratio |",
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	($r.latency | map(select(.method == "nsmon"))[] | . as $n |
	 ($r.latency | map(select(.method == "floor" and .slaves == $n.slaves and .rate == $n.rate)) | first) as $f |
	 ($r.latency | map(select(.method == "floor-loop" and .slaves == $n.slaves and .rate == $n.rate)) | first) as $lf |
	 ($r.latency | map(select(.method == "floor-ring" and .slaves == $n.slaves and .rate == $n.rate)) | first) as $rf |
	 select($f != null) |
	 "| \($n.slaves) | \($n.rate) | \(f($f.cap.p50_us)) | \(f($lf.cap.p50_us)) | \(f($rf.cap.p50_us)) | \(f($n.cap.p50_us)) | \(ratio($n.cap.p50_us; $f.cap.p50_us)) | \(ratio($n.cap.p50_us; $lf.cap.p50_us)) | \(f($f.cap.p99_us)) | \(f($n.cap.p99_us)) | \(f($f.cpu_ms_per_1000)) | \(f($n.cpu_ms_per_1000)) | \(ratio($n.cpu_ms_per_1000; $f.cpu_ms_per_1000)) |"),
	"",
	"## Ingest\n",
	"The load generator at its maximum, then lower rates (100,000, 30,000, 10,000, 3,000, 1,000, 300, 100 NS/s, about a second each) until nothing is lost. Lost: NS emitted minus NS processed (ns-monitor: its NFLOG message counter; seed and odhcpd: NS handled; ndppd: NS it sent out of s1). ns-monitor runs with its defaults here (5000 asks/s, burst 1000) and its nft rule without the kernel `limit`.\n",
	"| method | targets | generator max NS/s | lost at max | highest rate without loss, NS/s | CPU per 1000 NS there | asks and probes sent / failed there | NFLOG overruns there |",
	"|---|---|---:|---:|---:|---:|---:|---:|",
	($r.ingest_summary[] | . as $i |
	 "| \($r | name($i.method)) | \($i.targets) | \(if $i.generator_max then f($i.generator_max) else "(ladder from \($i.ladder_top))" end) | \(f($i.lost_at_max)) | \(if $i.zero_loss then (f($i.zero_loss.gen.rate_reached) + (if $i.zero_loss.rate == 0 then " (max)" else "" end)) else "< 100" end) | \(if $i.zero_loss then f($i.zero_loss.cpu_s_per_1000 * 1000) + " ms" else "—" end) | \(if $i.zero_loss then "\($i.zero_loss.probes_sent) / \($i.zero_loss.probes_failed)" else "—" end) | \(if $i.zero_loss then f($i.zero_loss.overruns) else "—" end) |"),
	"",
	"Every step:\n",
	"| method | targets | asked NS/s | reached NS/s | sent | processed | lost | NFLOG overruns | CPU ms per 1000 NS (stat / schedstat) |",
	"|---|---|---:|---:|---:|---:|---:|---:|---:|",
	($r.ingest[] | select(.skipped | not) | . as $i |
	 "| \($r | name($i.method)) | \($i.targets) | \(if $i.rate == 0 then "max" else $i.rate end) | \(f($i.gen.rate_reached)) | \($i.gen.sent) | \($i.processed) | \($i.lost) | \(if ($i.method | startswith("nsmon")) then $i.overruns else "—" end) | \(f($i.cpu_s_per_1000 * 1000)) / \(f($i.cpu_sched_s_per_1000 * 1000)) |"),
	"",
	"## Cost\n",
	"Resident memory a second after start (idle; Pss shares the pages of libraries with the other processes that map them) right after the ingest floods, and settled, 8 s later, once their targets have left (VmHWM: the peak, start-up included); wake-ups: context switches (voluntary + involuntary, all threads) over an idle window of \($r.meta.idle_window_s) s, per minute.\n",
	"| method | VmRSS idle KiB | Pss idle KiB | VmRSS after KiB | VmRSS settled KiB | VmHWM KiB | wake-ups per minute idle | largest mappings (Rss KiB) |",
	"|---|---:|---:|---:|---:|---:|---:|---|",
	($r.cost[] | select(.skipped | not) | . as $c |
	 "| \($r | name($c.method)) | \($c.rss_idle_kb) | \($c.pss_idle_kb // "—") | \($c.rss_after_kb) | \($c.rss_settled_kb // "—") | \($c.hwm_kb) | \(f($c.wakeups_per_min)) | \(($c.rss_by_mapping // [])[:4] | map("\(.mapping | split("/") | last) \(.kb)") | join(", ")) |"),
	"",
	"## How\n",
	"- Namespaces only, made and deleted by bench/run.sh; the load generator (bench/nsgen.c) sends NS from a raw ICMPv6 socket in the router namespace out of the master (hop limit 255, to the solicited-node group of the target, source link-layer option, source 2001:db8:1::1), or, for the upstream methods, from the upstream namespace into the master. Targets share their low 24 bits, so a flood makes one multicast neighbor entry.",
	"- Latency capture (bench/nscap.c): one ETH_P_ALL packet socket with a TPACKET_V2 ring in the router namespace, read only after the run so that it takes no CPU from what is measured.",
	"- ns-monitor runs with its defaults, except --rate 100000 --burst 100000 in the latency runs (every NS probed on every slave at 10,000 NS/s); its nft rule is replaced, after start-up, by the same rule without the kernel `limit rate 1000/second burst 1000 packets` (flush of chain output_135 and input_135, then add; the daemon only checks that the chain is there). The ingest and cost runs use the default --rate 100 --burst 50.",
	"- The neighbor table is host-wide and refuses new entries beyond about 1024: the generator deletes the neighbor entries of benchmark targets in the router namespace every 200 ms at 100 NS/s, between bursts at 10,000 NS/s, every 50 ms in ingest runs; probing methods without a rate limit (odhcpd) climb the distinct-target ladder from 3,000 NS/s only, and the seed (a second per unanswered ping) from 100.",
	"- floor (bench/floor.c) is not a competitor: ns-monitor’s intake (NFLOG, one message per NS) and the cheapest reaction (the NS written out of each slave by a packet socket). It is what this machine costs for waking a process and moving two packets. It sleeps in recv() on its one socket; the loop floor (floor -l) sleeps in epoll_wait() and then reads with recvmmsg(), as every daemon with more than one source of events must.",
	"- seed (bench/seed.c): a packet socket on the master, then `ping -c1 -W1 -I SLAVE X` per slave, forked and waited for; each slave gets `2001:db8:1::/64 dev SLAVE metric 200N`, or ping says \"Network is unreachable\". odhcpd (bench/odhcpd.c): a packet socket on the master, then per slave X/128 route add, echo request, route del (bench/odhcpd_route.c, shared with bench/egress.c). Both listeners are ETH_P_ALL: a socket bound to ETH_P_IPV6, as odhcpd’s is, never sees the host’s own NS.",
	"- ndppd (Debian 0.2.5) answers NS that arrive on its proxy interface; it never sees the host’s own NS, so it and ns-monitor --proxy-ndp are measured on NS from the upstream namespace (2001:db8:1:0:aa::/80 routed to s1). ndppd runs with one `iface sN` rule per slave: its `auto` rule serves only the first target per route (route::ifa() returns null once the interface is open), shown in the table with one run. ndppd has no counters: what it processed is the NS it sent out of s1.",
	"- CPU: utime+stime (+ children for the seed) from /proc/PID/stat, and the scheduler’s sum_exec_runtime from /proc/PID/task/*/schedstat; a probe’s kernel work (route lookup, neighbor entry, the NS on the slave, and the receiving namespace’s softirq that runs in the sender’s context on veth) is counted in the process that sends it.",
	"",
	"## Goals\n",
	"| goal | figure | met |",
	"|---|---:|---|",
	($r.goals[] | "| \(.goal) | \(if (.figure | type) == "array" then (.figure | map(tostring) | join(" / ")) + " KiB" else f(.figure) end)\(if .generator_max then " of \(f(.generator_max))" else "" end) | \(if .met then "yes" else "no" end) |"),
	""' "$RESULTS/latest.json" >"$RESULTS/latest.md.tmp" && mv "$RESULTS/latest.md.tmp" "$RESULTS/latest.md"
}

declare -A COLORS=([floor]='#888888' [floor-loop]='#bbbbbb' [floor-ring]='#555555' [nsmon]='#1b7837' [nsmon-proxy]='#7fbf7b'
	[odhcpd]='#e08214' [ndppd]='#762a83' [ndppd-auto]='#c2a5cf' [seed]='#d73027')

report_plot() {
	local s rate m f total title plot
	local gp=$TMP/plot.gp
	{
		echo "set terminal pngcairo size 1400,1000 font 'sans,10'"
		echo "set output '$RESULTS/latency.png'"
		echo "set multiplot layout 2,2 title 'Reaction latency: NS on the master to the first packet on a slave (CDF over all NS sent)'"
		echo "set logscale x"
		echo "set xrange [1:5e6]"
		echo "set yrange [0:1]"
		echo "set xlabel 'latency (µs)'"
		echo "set ylabel 'fraction of NS'"
		echo "set key bottom right"
		echo "set grid"
	} >"$gp"
	for s in 1 4; do
		for rate in 100 10000; do
			plot=""
			for m in floor floor-loop floor-ring nsmon nsmon-proxy odhcpd ndppd ndppd-auto seed; do
				for f in "$TMP"/lat-"$m"-?"$s"-"$rate".txt; do
					[ -s "$f" ] || continue
					total=$(jq -r --arg m "$m" --argjson s "$s" --argjson r "$rate" \
						'.latency[] | select(.method == $m and .slaves == $s and .rate == $r) | .cap.ns_on_master' \
						"$RESULTS/latest.json")
					[ "$total" -gt 0 ] 2>/dev/null || continue
					awk -v n="$total" '{ print $1, NR / n }' "$f" >"$f.cdf"
					title=$(jq -r --arg m "$m" '.[$m] // $m' <<<"$METHOD_NAMES")
					plot+="${plot:+, }'$f.cdf' using 1:2 with steps lw 2 lc rgb '${COLORS[$m]}' title '$title'"
				done
			done
			echo "set title '$s slave(s), $rate NS/s'" >>"$gp"
			if [ -n "$plot" ]; then
				echo "plot $plot" >>"$gp"
			else
				echo "set label 1 'no data' at graph 0.5,0.5; plot 2 notitle; unset label 1" >>"$gp"
			fi
		done
	done
	echo "unset multiplot" >>"$gp"
	gnuplot "$gp" 2>"$TMP/gnuplot.err" || { say "gnuplot failed:"; cat "$TMP/gnuplot.err" >&2; }
}

report() {
	report_json || { say "report: latest.json failed"; return 1; }
	report_md || say "report: latest.md failed"
	report_plot
}
