#!/bin/sh
# Egress never calls the engine (DESIGN.md, "Boundaries the build
# enforces"): what an action or a part of the egress finds out goes back
# as an event, through the callbacks it was given at init. Fail when an
# egress object references any engine_* function.
#
#   tests/egress_purity.sh build/default/dispatch.o build/default/slaves.o ...
set -u

[ $# -gt 0 ] || { echo "usage: $0 OBJECT..." >&2; exit 2; }
names=$(for o in "$@"; do basename "$o"; done | paste -sd " " -)
calls=$(nm -A -u "$@" | awk '$NF ~ /^engine_/') || exit 2

if [ -n "$calls" ]; then
	echo "FAIL: egress purity: $names call into the engine:"
	echo "$calls" | sed 's/^/    /'
	exit 1
fi
echo "PASS: egress purity: $names call no engine_* function"
