#!/usr/bin/env python3
"""One trial packet by packet: a capture and the daemon's own timestamps.

    python3 bench/timeline.py CAPTURE TRACE PATTERN [LINES]

CAPTURE is tcpdump -tt -nn output (bench/guest_ns.sh keeps its captures
with BENCH_GNS_KEEP=DIR), TRACE the file a trace build of ns-monitor
(make TRACE=1) writes at exit to $NS_MONITOR_TRACE. Both are on the wall
clock. The trial shown starts at the middle one of the capture lines that
match the regular expression PATTERN (the middle one: not a warm-up);
LINES entries (default 40) follow, in microseconds from its start.
"""
import re
import sys


def events(capture, trace):
    ev = []
    with open(capture) as f:
        for line in f:
            m = re.match(r"(\d+\.\d+) (.*)", line)
            if m:
                ev.append((float(m.group(1)), "packet", m.group(2).strip()))
    with open(trace) as f:
        for line in f:
            m = re.match(r"(\d+\.\d+) (.*)", line)
            if m:
                ev.append((float(m.group(1)), "daemon", m.group(2).strip()))
    ev.sort(key=lambda e: e[0])
    return ev


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    ev = events(argv[1], argv[2])
    lines = int(argv[4]) if len(argv) == 5 else 40
    pattern = re.compile(argv[3])
    starts = [i for i, e in enumerate(ev) if e[1] == "packet" and pattern.search(e[2])]
    if not starts:
        sys.stderr.write("timeline.py: no capture line matches %r\n" % argv[3])
        return 1
    first = starts[len(starts) // 2]
    t0 = ev[first][0]
    for t, who, what in ev[first:first + lines]:
        print("%9.1f  %-6s  %s" % ((t - t0) * 1e6, who, what[:110]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
