#!/bin/bash
# Installation, staged under DESTDIR only: `make install` puts the six files
# where the Makefile says, systemd-analyze accepts the unit (and rejects a
# broken one), the man page renders, `make uninstall` and the install
# scripts leave nothing behind, and running install.sh again is harmless.
# The real /etc, /usr and the host's ruleset are never touched: everything
# goes under $TMP, and the scripts skip nft and systemctl with DESTDIR set.
# (install.sh runs scripts/deps.sh, which only looks: `make check` has
# installed the packages by then.)
# shellcheck disable=SC2016  # checks given to eval expand when they run
. "$(dirname "$0")/lib.sh"
need_root

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# A plain build, whatever the make that runs the tests was given (SANITIZE=1).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory "$@"; }
script() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DESTDIR="$1" PREFIX=/usr "$TOP/scripts/$2"; }

# The six files, as the Makefile's INSTALLED names them with PREFIX=/usr.
FILES="usr/sbin/ns-monitor
usr/share/man/man8/ns-monitor.8
usr/lib/systemd/system/ns-monitor.service
etc/ns-monitor/ns-monitor.nft
etc/default/ns-monitor
etc/iproute2/rt_protos.d/ns-monitor.conf"

all_there() {
	local f
	for f in $FILES; do
		[ -f "$1/$f" ] || { echo "  missing: $1/$f"; return 1; }
	done
}
nfiles() { find "$1" -type f | wc -l; }
empty_tree() {
	local left
	left=$(find "$1" -type f)
	[ -z "$left" ] || { echo "  left behind:"; echo "$left" | sed 's/^/    /'; return 1; }
}
ruleset_tables() { nft list tables 2>/dev/null; }
HOST_TABLES=$(ruleset_tables)

# 1. make install
R=$TMP/root
mk install DESTDIR="$R" PREFIX=/usr >"$TMP/make-install.log" 2>&1
check "make install DESTDIR PREFIX=/usr: exit 0" [ $? = 0 ]
check "make install: the six files are in place" all_there "$R"
check "make install: nothing else" [ "$(nfiles "$R")" = 6 ]
check "the binary is executable and runs" eval '"$R/usr/sbin/ns-monitor" --version >/dev/null'
UNIT=$R/usr/lib/systemd/system/ns-monitor.service
check "the unit's ExecStart is /usr/sbin/ns-monitor" \
	grep -qx 'ExecStart=/usr/sbin/ns-monitor \$NS_MONITOR_ARGS' "$UNIT"
check "no @SBINDIR@ is left in the unit" not grep -q '@SBINDIR@' "$UNIT"
check "the default file gives managed-mode arguments" \
	grep -q '^NS_MONITOR_ARGS=.*-g 135' "$R/etc/default/ns-monitor"
check "rt_protos.d names protocol 135 ns-monitor" \
	grep -Eq '^135[[:space:]]+ns-monitor$' "$R/etc/iproute2/rt_protos.d/ns-monitor.conf"

# 2. The man page: no warnings from man/groff, and mandoc's lint is clean.
MAN=$R/usr/share/man/man8/ns-monitor.8
man_clean() {
	local warn
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$MAN" 2>&1 >/dev/null)
	[ -z "$warn" ] || { echo "$warn" | sed 's/^/  /'; return 1; }
}
check "the man page renders without warnings" man_clean
has_sections() {
	local s
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS MODES SIGNALS FILES \
		"EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -Eq "^\.SH \"?$s\"?$" "$MAN" || { echo "  no section $s"; return 1; }
	done
}
check "the man page has every section" has_sections
if command -v mandoc >/dev/null; then
	check "mandoc -Tlint accepts the man page" mandoc -Tlint -W all "$MAN"
else
	fail "mandoc is missing (scripts/deps.sh installs it)"
fi
# Every long option of --help, and no other, in the man page's source.
options_match() {
	local help man
	help=$("$R/usr/sbin/ns-monitor" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	man=$(sed 's/\\-/-/g' "$MAN" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	[ "$help" = "$man" ] || { diff <(echo "$help") <(echo "$man") | sed 's/^/  /'; return 1; }
}
check "the man page has exactly the options of --help" options_match

# 3. systemd-analyze verify, without a running systemd: on a copy of the
# installed unit whose ExecStart points into $R (verify checks that the
# command exists on this host), with MANPATH so that Documentation=
# man:ns-monitor(8) is looked up in the installed man page. It exits non-zero
# for fatal errors only and just prints the rest (an unknown key, a bad
# value), so any line about the unit is a failure too.
V=$TMP/verify
mkdir -p "$V"
verify_unit() {	# verify_unit FILE: 0 if accepted without a word about it
	local out rc
	out=$(MANPATH=$R/usr/share/man SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify "$1" 2>&1)
	rc=$?
	out=$(grep -F -e "$(basename "$1")" -e "$1" <<<"$out")
	[ -n "$out" ] && echo "$out" | sed 's/^/  /'
	[ $rc = 0 ] && [ -z "$out" ]
}
sed "s|^ExecStart=/usr/sbin/ns-monitor|ExecStart=$R/usr/sbin/ns-monitor|" \
	"$UNIT" >"$V/ns-monitor.service"
check "systemd-analyze verify accepts the installed unit" verify_unit "$V/ns-monitor.service"

# It does catch a broken unit: a missing binary (fatal), a misspelled key.
mkdir -p "$V/broken1" "$V/broken2"
sed "s|^ExecStart=[^ ]*|ExecStart=$R/usr/sbin/no-such-binary|" \
	"$V/ns-monitor.service" >"$V/broken1/ns-monitor.service"
check "verify rejects a unit whose binary is missing" \
	not verify_unit "$V/broken1/ns-monitor.service"
sed 's/^ProtectSystem=/ProtectSystm=/' "$V/ns-monitor.service" \
	>"$V/broken2/ns-monitor.service"
check "verify rejects a unit with a misspelled key" \
	not verify_unit "$V/broken2/ns-monitor.service"

# The hardening does not slip back (exposure 2.2 before it was tightened).
exposure=$(systemd-analyze security --offline=true "$V/ns-monitor.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
check "systemd-analyze security: exposure ${exposure:-?} is at most 2.0" \
	awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'

# 4. make uninstall
mk uninstall DESTDIR="$R" PREFIX=/usr >"$TMP/make-uninstall.log" 2>&1
check "make uninstall: exit 0" [ $? = 0 ]
check "make uninstall leaves no file behind" empty_tree "$R"

# 5. scripts/install.sh and scripts/uninstall.sh with DESTDIR
S=$TMP/stage
script "$S" install.sh >"$TMP/install1.log" 2>&1
check "install.sh with DESTDIR: exit 0" [ $? = 0 ]
check "install.sh: the six files are in place" all_there "$S"
check "install.sh: nothing else" [ "$(nfiles "$S")" = 6 ]
check "install.sh: says it left the live system alone" \
	grep -q 'DESTDIR set' "$TMP/install1.log"

script "$S" install.sh >"$TMP/install2.log" 2>&1
check "install.sh again: exit 0" [ $? = 0 ]
check "install.sh again: the same six files, no .dist" eval \
	'all_there "$S" && [ "$(nfiles "$S")" = 6 ]'

# The operator edits both configuration files: they are kept.
echo 'NS_MONITOR_ARGS="-g 136 -v"' >"$S/etc/default/ns-monitor"
echo '# edited by the operator' >>"$S/etc/ns-monitor/ns-monitor.nft"
cp "$S/etc/ns-monitor/ns-monitor.nft" "$TMP/edited.nft"
for run in 3 4; do
	script "$S" install.sh >"$TMP/install$run.log" 2>&1
	check "install.sh over edited files (run $run): exit 0" [ $? = 0 ]
	check "install.sh (run $run): the edited /etc/default/ns-monitor is kept" \
		grep -qx 'NS_MONITOR_ARGS="-g 136 -v"' "$S/etc/default/ns-monitor"
	check "install.sh (run $run): the edited ns-monitor.nft is kept" \
		cmp -s "$TMP/edited.nft" "$S/etc/ns-monitor/ns-monitor.nft"
	check "install.sh (run $run): the shipped files are there as .dist" eval \
		'cmp -s "$TOP/dist/ns-monitor.default" "$S/etc/default/ns-monitor.dist" &&
		 cmp -s "$TOP/nft/ns-monitor.nft" "$S/etc/ns-monitor/ns-monitor.nft.dist"'
	check "install.sh (run $run): says so" grep -q 'kept your .*\.dist' "$TMP/install$run.log"
done
check "install.sh: six files and two .dist" [ "$(nfiles "$S")" = 8 ]

script "$S" uninstall.sh >"$TMP/uninstall1.log" 2>&1
check "uninstall.sh with DESTDIR: exit 0" [ $? = 0 ]
check "uninstall.sh leaves no file behind (.dist included)" empty_tree "$S"
check "uninstall.sh lists what it removed" eval \
	'[ "$(grep -c "^    $S/" "$TMP/uninstall1.log")" = 8 ]'
script "$S" uninstall.sh >"$TMP/uninstall2.log" 2>&1
rc=$?
check "uninstall.sh again: exit 0, nothing to remove" eval \
	'[ $rc = 0 ] && grep -q "nothing was installed" "$TMP/uninstall2.log"'

# 6. Root only, with a clear message.
for s in install.sh uninstall.sh; do
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		env DESTDIR="$TMP/nobody" sh "$TOP/scripts/$s" 2>&1)
	rc=$?
	check "$s as non-root: refused with a clear message" eval \
		'[ $rc != 0 ] && grep -q "must be run as root" <<<"$out"'
done
check "non-root runs installed nothing" not test -e "$TMP/nobody"

check "the host's nftables tables are as they were" \
	[ "$(ruleset_tables)" = "$HOST_TABLES" ]

summary
