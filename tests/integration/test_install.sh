#!/bin/bash
# Installation, staged under DESTDIR only: `make install` puts the six files
# where the Makefile says, systemd-analyze accepts the unit (and rejects a
# broken one), the man page renders, `make uninstall` and the install
# scripts leave nothing behind, and running install.sh again is harmless.
# The real /etc, /usr and the host's ruleset are never touched: everything
# goes under $TMP, and the scripts skip nft and systemctl with DESTDIR set.
# (install.sh with DESTDIR installs no packages; deps.sh is only asked what
# it would install.)
# shellcheck disable=SC2016  # checks given to eval expand when they run
. "$(dirname "$0")/lib.sh"
need_root

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
# Readiness and the watchdog (the daemon's side: test_watchdog.sh).
check "the unit is Type=notify, from the main process, with a watchdog" \
	eval "grep -qx 'Type=notify' '$UNIT' && grep -qx 'NotifyAccess=main' '$UNIT' &&
	      grep -q '^WatchdogSec=[1-9]' '$UNIT' && grep -q '^RestrictAddressFamilies=.*AF_UNIX' '$UNIT'"
check "the default file gives managed-mode arguments" \
	grep -q '^NS_MONITOR_ARGS=.*-g 135' "$R/etc/default/ns-monitor"
# The relay alone does not make the host reach a target: the service must
# learn routes (test_guests.sh shows both).
default_args() { sed -n 's/^NS_MONITOR_ARGS="\(.*\)"$/\1/p' "$R/etc/default/ns-monitor"; }
check "the default file's arguments include --learn-routes" \
	eval 'grep -qw -- "--learn-routes" <<<"$(default_args)"'
unit_args() { sed -n 's/^Environment="NS_MONITOR_ARGS=\(.*\)"$/\1/p' "$R/usr/lib/systemd/system/ns-monitor.service"; }
check "the default file's arguments keep set members across a firewall reload" \
	eval 'grep -qw -- "--restore-members" <<<"$(default_args)"'
check "the unit's own arguments are the default file's" \
	eval '[ -n "$(unit_args)" ] && [ "$(unit_args)" = "$(default_args)" ]'
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

# The hardening does not slip back: 2.0 with what it allows today, of
# which AF_PACKET (the daemon's own NS and NAs) costs 0.2.
exposure=$(systemd-analyze security --offline=true "$V/ns-monitor.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
check "systemd-analyze security: exposure ${exposure:-?} is at most 2.2" \
	awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.2) }'

# The unit lets the daemon open every address family its sources open
# (libmnl and libnftables: AF_NETLINK), or a feature fails under it alone.
allowed=$(sed -n 's/^RestrictAddressFamilies=//p' "$V/ns-monitor.service")
for fam in AF_NETLINK $(grep -rhoE 'socket\(AF_[A-Z0-9]+' "$TOP/src" |
	sed 's/socket(//' | sort -u); do
	check "the unit allows $fam, which the daemon opens" \
		eval 'case " $allowed " in *" $fam "*) true;; *) false;; esac'
done

# 4. make uninstall
mk uninstall DESTDIR="$R" PREFIX=/usr >"$TMP/make-uninstall.log" 2>&1
check "make uninstall: exit 0" [ $? = 0 ]
check "make uninstall leaves no file behind" empty_tree "$R"

# 5. scripts/install.sh and scripts/uninstall.sh with DESTDIR
RECORD=var/lib/ns-monitor/conffiles
# What install.sh must have recorded: the shipped versions' checksums.
shipped_sums() {
	printf '%s  /etc/default/ns-monitor\n%s  /etc/ns-monitor/ns-monitor.nft\n' \
		"$(sha256sum <"$TOP/dist/ns-monitor.default" | cut -d' ' -f1)" \
		"$(sha256sum <"$TOP/nft/ns-monitor.nft" | cut -d' ' -f1)"
}
S=$TMP/stage
script "$S" install.sh >"$TMP/install1.log" 2>&1
check "install.sh with DESTDIR: exit 0" [ $? = 0 ]
check "install.sh: the six files are in place" all_there "$S"
check "install.sh: records the checksums of the configuration it installed" \
	eval '[ "$(cat "$S/$RECORD" 2>/dev/null)" = "$(shipped_sums)" ]'
check "install.sh: nothing else" [ "$(nfiles "$S")" = 7 ]
check "install.sh: says it left the live system alone" \
	grep -q 'DESTDIR set: rules and service left alone' "$TMP/install1.log"

script "$S" install.sh >"$TMP/install2.log" 2>&1
check "install.sh again: exit 0" [ $? = 0 ]
check "install.sh again: the same six files and the record, no .dist" eval \
	'all_there "$S" && [ "$(nfiles "$S")" = 7 ]'

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
check "install.sh: six files, two .dist and the record" [ "$(nfiles "$S")" = 9 ]

# uninstall.sh keeps edited configuration, as dpkg keeps conffiles.
# only_left ROOT FILE...: exactly these files are left under ROOT.
only_left() {
	local root=$1 left want
	shift
	left=$(cd "$root" && find . -type f | sed 's|^\./||' | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$left" = "$want" ] || { echo "  left: $left"; echo "  want: $want"; return 1; }
}
script "$S" uninstall.sh >"$TMP/uninstall1.log" 2>&1
check "uninstall.sh with DESTDIR: exit 0" [ $? = 0 ]
check "uninstall.sh keeps both edited configuration files, unchanged" eval \
	'grep -qx "NS_MONITOR_ARGS=\"-g 136 -v\"" "$S/etc/default/ns-monitor" &&
	 cmp -s "$TMP/edited.nft" "$S/etc/ns-monitor/ns-monitor.nft"'
check "uninstall.sh says it kept each" eval \
	'grep -q "kept $S/etc/default/ns-monitor: edited" "$TMP/uninstall1.log" &&
	 grep -q "kept $S/etc/ns-monitor/ns-monitor.nft: edited" "$TMP/uninstall1.log"'
check "uninstall.sh leaves nothing else (.dist and record included)" \
	only_left "$S" etc/default/ns-monitor etc/ns-monitor/ns-monitor.nft
check "uninstall.sh lists what it removed" eval \
	'[ "$(grep -c "^    $S/" "$TMP/uninstall1.log")" = 7 ]'
script "$S" uninstall.sh >"$TMP/uninstall2.log" 2>&1
rc=$?
check "uninstall.sh again: exit 0, nothing to remove, the edited files kept" eval \
	'[ $rc = 0 ] && grep -q "nothing was installed" "$TMP/uninstall2.log" &&
	 only_left "$S" etc/default/ns-monitor etc/ns-monitor/ns-monitor.nft'

# One file edited, the other not: the edited one stays, the other goes.
for edited in etc/default/ns-monitor etc/ns-monitor/ns-monitor.nft; do
	E=$TMP/stage-$(basename "$edited")
	script "$E" install.sh >"$TMP/install-e.log" 2>&1
	echo '# edited by the operator' >>"$E/$edited"
	cp "$E/$edited" "$TMP/edited"
	script "$E" uninstall.sh >"$TMP/uninstall-e.log" 2>&1
	check "only $edited edited: uninstall.sh exits 0" [ $? = 0 ]
	check "...it is kept, unchanged" cmp -s "$TMP/edited" "$E/$edited"
	check "...and uninstall.sh says so" grep -q "kept $E/$edited: edited" "$TMP/uninstall-e.log"
	check "...nothing else is left (the unedited one removed)" only_left "$E" "$edited"
done

# Unedited, or edited back to what was installed: removed.
U=$TMP/stage-unedited
script "$U" install.sh >"$TMP/install-u.log" 2>&1
echo '# a passing edit' >>"$U/etc/default/ns-monitor"
cp "$TOP/dist/ns-monitor.default" "$U/etc/default/ns-monitor"
script "$U" uninstall.sh >"$TMP/uninstall-u.log" 2>&1
check "unedited configuration: uninstall.sh exits 0" [ $? = 0 ]
check "...and leaves no file behind" empty_tree "$U"
check "...and keeps nothing" not grep -q 'kept' "$TMP/uninstall-u.log"

# An upgrade replaces a file nobody edited although the shipped version
# changed: install.sh goes by the checksum it recorded, not by the new
# shipped file.
G=$TMP/stage-upgrade
script "$G" install.sh >"$TMP/install-g1.log" 2>&1
echo 'NS_MONITOR_ARGS="-g 135"   # an older shipped version' >"$G/etc/default/ns-monitor"
sed -i "s|^[0-9a-f]*  /etc/default/ns-monitor\$|$(sha256sum <"$G/etc/default/ns-monitor" | cut -d' ' -f1)  /etc/default/ns-monitor|" \
	"$G/$RECORD"
script "$G" install.sh >"$TMP/install-g2.log" 2>&1
check "upgrade over an unedited older version: exit 0" [ $? = 0 ]
check "...the file is the new shipped one" cmp -s "$TOP/dist/ns-monitor.default" "$G/etc/default/ns-monitor"
check "...no .dist, nothing said kept" eval \
	'[ ! -e "$G/etc/default/ns-monitor.dist" ] && ! grep -q kept "$TMP/install-g2.log"'
check "...the record holds the new checksums" eval '[ "$(cat "$G/$RECORD")" = "$(shipped_sums)" ]'

# 5b. Packages. The groups, and what each script asks apt-get for, seen
# through stand-ins for dpkg-query (nothing is installed) and apt-get (it
# writes down its arguments). deps.sh puts a policy-rc.d in /usr/sbin for
# the time of an install: it runs in a mount namespace of its own where
# /usr/sbin is an empty tmpfs, so the host's is never touched.
deps() { sh "$TOP/scripts/deps.sh" "$@"; }
FAKE=$TMP/fake-apt
mkdir -p "$FAKE"
printf '#!/bin/sh\nexit 1\n' >"$FAKE/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"%s"\nexit 0\n' "$FAKE/apt-get.log" >"$FAKE/apt-get"
chmod 755 "$FAKE/dpkg-query" "$FAKE/apt-get"
# asked COMMAND...: run it with the stand-ins; print the packages apt-get
# was asked to install, sorted, one a line.
asked() {
	rm -f "$FAKE/apt-get.log"
	unshare --mount --propagation private env PATH="$FAKE:$PATH" \
		sh -c 'mount -t tmpfs none /usr/sbin && exec "$@"' sh "$@" >/dev/null 2>&1
	[ -e "$FAKE/apt-get.log" ] || return 0
	sed -n 's/^install //p' "$FAKE/apt-get.log" | tr ' ' '\n' | grep -v '^-' | grep . | sort
}
sorted() { deps --list "$@" | sort; }
check "deps.sh runtime asks apt-get for the runtime group, exactly" eval \
	'[ "$(asked sh "$TOP/scripts/deps.sh" runtime)" = "$(sorted runtime)" ] && [ -n "$(sorted runtime)" ]'
check "deps.sh with no argument asks for every group" eval \
	'[ "$(asked sh "$TOP/scripts/deps.sh")" = "$(sorted runtime build package test)" ]'
no_dev_tools() {
	local bad
	bad=$(sorted runtime | grep -E -- '-dev$|^(build-essential|gcc|clang|pkg-config|libcmocka|ndppd|gnuplot|tcpdump|jq|mandoc)' || true)
	[ -z "$bad" ] || { echo "  in runtime: $bad"; return 1; }
}
check "the runtime group has no build, test or benchmark package" no_dev_tools
check "no package is in two groups" eval \
	'[ -z "$(sorted runtime build package test | uniq -d)" ]'
# Every library the binary links against directly comes from a runtime package.
lib_package() {	# the package that holds the shared library $1 (usrmerge or not)
	local path
	path=$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')
	[ -n "$path" ] || return 1
	{ dpkg -S "$path" || dpkg -S "$(readlink -f "$path")" || dpkg -S "/usr$path"; } 2>/dev/null |
		head -n1 | cut -d: -f1
}
runtime_has_libs() {
	local lib pkg ok=0
	for lib in $(readelf -d "$TOP/ns-monitor" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		pkg=$(lib_package "$lib")
		if [ -z "$pkg" ] || ! sorted runtime | grep -qx "$pkg"; then
			echo "  $lib (package ${pkg:-?}) is not in the runtime group"
			ok=1
		fi
	done
	return $ok
}
check "the runtime group holds the package of every library the binary links" runtime_has_libs
check "deps.sh --check: every group is installed here" deps --check runtime build package test
out=$(deps nonsense 2>&1)
rc=$?
check "deps.sh with an unknown group: exit 2 and says which" eval \
	'[ $rc = 2 ] && grep -q "unknown group .nonsense." <<<"$out"'
staged_asks_nothing() {
	local stage=$TMP/stage-packages
	[ -z "$(asked env DESTDIR="$stage" PREFIX=/usr "$TOP/scripts/install.sh")" ] &&
		all_there "$stage"
}
check "install.sh with DESTDIR asks apt-get for nothing, and installs" staged_asks_nothing

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
