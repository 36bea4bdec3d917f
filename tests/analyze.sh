#!/bin/sh
# Static analysis of src/: cppcheck, then clang's static analyzer, both
# over every src/*.c and src/*/*.c. Run by `make analyze`, and by `make check` in CI.
# Fails on any finding not suppressed: cppcheck's are suppressed in place
# (/* cppcheck-suppress ID ; why */), clang's in tests/analyze.supp.
# CPPCHECK and CLANG override the tools (default cppcheck, clang).
set -u

cd "$(dirname "$0")/.." || exit 2
CPPCHECK=${CPPCHECK:-cppcheck}
CLANG=${CLANG:-clang}
PKGS="libmnl libnetfilter_log libnetfilter_queue libnftables libnftnl libcap-ng"
OUT=build/analyze
SUPP=tests/analyze.supp

for tool in "$CPPCHECK" "$CLANG"; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "analyze: $tool not found (scripts/deps.sh test)" >&2; exit 2; }
done
# shellcheck disable=SC2086 # PKGS is a list
pkg_cflags=$(pkg-config --cflags $PKGS) || exit 2
rm -rf "$OUT" && mkdir -p "$OUT" || exit 2
# Largest first, so that the longest analyses start at once.
files=$(ls -S src/*.c src/*/*.c)
nfiles=$(echo "$files" | wc -l)
jobs=$(nproc 2>/dev/null || echo 2)

# cppcheck in one process: its cross-file checks and their suppressions
# work only so, and the whole tree takes it seconds. Errors, warnings,
# portability and performance; style is left to review.
# shellcheck disable=SC2086
"$CPPCHECK" --std=c11 -D_GNU_SOURCE -DNS_MONITOR_VERSION='"analyze"' -Isrc/lib -Isrc/intake -Isrc/engine -Isrc/egress -Isrc/control -Isrc/cli $pkg_cflags \
	--enable=warning,portability,performance --inline-suppr --quiet \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	$files >"$OUT/cppcheck.log" 2>&1
cppcheck_rc=$?
cpp_n=$(grep -c '^src/[^:]*:[0-9]*: ' "$OUT/cppcheck.log")
if [ "$cppcheck_rc" -ne 0 ] && [ "$cpp_n" -eq 0 ]; then
	cat "$OUT/cppcheck.log"
	echo "FAIL: analyze: cppcheck exited $cppcheck_rc"
	exit 1
fi
grep '^src/[^:]*:[0-9]*: ' "$OUT/cppcheck.log"
echo "analyze: cppcheck: $nfiles files, $cpp_n findings"

# clang --analyze, one file a job. Its findings are matched against the
# suppressions by file, checker and message (not line: lines move).
# shellcheck disable=SC2086,SC2016
echo "$files" | xargs -P "$jobs" -n 1 sh -c \
	'"$0" --analyze -std=gnu11 -D_GNU_SOURCE -DNS_MONITOR_VERSION=\"analyze\" -Isrc/lib -Isrc/intake -Isrc/engine -Isrc/egress -Isrc/control -Isrc/cli '"$pkg_cflags"' \
		-o /dev/null "$1" >"'"$OUT"'/$(basename "$1").log" 2>&1 ||
		echo "$1: error: clang exited $?" >>"'"$OUT"'/$(basename "$1").log"' \
	"$CLANG"
cat "$OUT"/*.c.log >"$OUT/clang.log"
supp=$(sed -e '/^#/d' -e '/^$/d' "$SUPP" | cut -d'|' -f1-3)
clang_n=0
clang_s=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	key=$(echo "$line" | sed -n \
		's/^\([^:]*\):[0-9]*:[0-9]*: warning: \(.*\) \[\([^]]*\)\]$/\1|\3|\2/p')
	if [ -n "$key" ] && echo "$supp" | grep -qxF "$key"; then
		clang_s=$((clang_s + 1))
		continue
	fi
	echo "$line"
	clang_n=$((clang_n + 1))
done <<EOT
$(grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):|: error: clang exited' "$OUT/clang.log")
EOT
echo "analyze: clang --analyze: $nfiles files, $clang_n findings ($clang_s suppressed in $SUPP)"

total=$((cpp_n + clang_n))
if [ "$total" -ne 0 ]; then
	echo "FAIL: analyze: $total findings in $nfiles files (cppcheck $cpp_n, clang --analyze $clang_n); logs in $OUT"
	exit 1
fi
echo "PASS: analyze: $nfiles files analysed by cppcheck and clang --analyze, 0 findings"
