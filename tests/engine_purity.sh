#!/bin/sh
# The engine is pure: fail when its objects reference a symbol that is
# neither defined by one of them nor allowed by tests/engine_symbols.allow.
#
#   tests/engine_purity.sh build/default/engine.o build/default/askers.o \
#       build/default/token_bucket.o
set -u

[ $# -gt 0 ] || { echo "usage: $0 OBJECT..." >&2; exit 2; }
allow="$(dirname "$0")/engine_symbols.allow"
names=$(for o in "$@"; do basename "$o"; done | paste -sd " " -)

# Patterns, one a line, comments and blank lines left out.
patterns=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$allow") || exit 2
defined=" $(nm --defined-only "$@" | awk 'NF == 3 { print $3 }' | tr '\n' ' ') " ||
	exit 2
undefined=$(nm -u "$@" | awk '$1 == "U" { print $2 }' | sort -u) || exit 2

bad=""
n=0
for sym in $undefined; do
	case $defined in *" $sym "*) continue ;; esac
	n=$((n + 1))
	ok=false
	for p in $patterns; do
		# shellcheck disable=SC2254 # p is a pattern
		case $sym in $p) ok=true; break ;; esac
	done
	$ok || bad="$bad $sym"
done

if [ -n "$bad" ]; then
	echo "FAIL: engine purity: $names reference symbols outside $allow:$bad"
	for sym in $bad; do
		nm -A -u "$@" | grep -w "U $sym" | sed 's/^/    /'
	done
	exit 1
fi
echo "PASS: engine purity: $names reference $n outside symbols, all in $allow"
