#!/bin/bash
# The Debian package. `make deb` builds it (into $TMP, not the tree); its
# files, conffiles, Depends and version are checked, and lintian's; then it
# is installed (apt install ./ns-monitor_*.deb, as the README says), run,
# removed, reinstalled over an edited conffile, upgraded and purged in a
# throwaway root, and nothing is left behind.
#
# The throwaway root is this host's / under an overlay whose upper layer
# lives in $TMP: every file the package or dpkg writes lands there, and the
# host's own files and dpkg database are never written. It runs in mount,
# network and PID namespaces of its own, with /run, /tmp and /dev of its
# own too: there is no running systemd in it (debhelper's parts only make
# the enablement links, offline), the postinst's nft loads the rules into
# the test's network namespace, and the host's systemd and ruleset are
# never touched. It needs no network: the host's packages are the root's.
# shellcheck disable=SC2016  # checks given to eval expand when they run
. "$(dirname "$0")/lib.sh"
need_root

STARTED=$(date +%s)
VERSION=$(cat "$TOP/VERSION")
mk() { env -u SANITIZE -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory "$@"; }

# 1. Build: make deb, from a copy of the tree, the .deb copied to $OUT.
OUT=$TMP/out
tree_status() { git -C "$TOP" status --porcelain --ignored 2>/dev/null; }
STATUS_BEFORE=$(tree_status)
t0=$(date +%s)
mk deb DEB_DIR="$TMP/debbuild" DEB_DEST="$OUT" >"$TMP/build.log" 2>&1
rc=$?
BUILD_SECONDS=$(($(date +%s) - t0))
DEB=$(ls "$OUT"/ns-monitor_*.deb 2>/dev/null)
ARCH=$(dpkg --print-architecture)
check "make deb: exit 0 (${BUILD_SECONDS} s)" [ $rc = 0 ]
[ $rc = 0 ] || tail -20 "$TMP/build.log"
check "make deb: ns-monitor_${VERSION}_$ARCH.deb, and only it" \
	[ "$DEB" = "$OUT/ns-monitor_${VERSION}_$ARCH.deb" ]
[ -f "$DEB" ] || { summary; exit 1; }
check "the package build ran the unit tests" grep -q 'PASSED' "$TMP/build.log"
tree_unchanged() { [ "$(tree_status)" = "$STATUS_BEFORE" ]; }
check "the source tree is left as it was (debian/ written in the copy only)" tree_unchanged

# 2. The version, written once: VERSION, debian/changelog, the package and
# ns-monitor --version agree.
check "debian/changelog's version is VERSION's ($VERSION)" \
	eval '[ "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)" = "$VERSION" ]'
check "the package's version is VERSION's" \
	eval '[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ]'
X=$TMP/extract
dpkg-deb -x "$DEB" "$X"
check "the packaged binary says ns-monitor $VERSION" \
	eval '[ "$("$X/usr/sbin/ns-monitor" --version)" = "ns-monitor $VERSION" ]'
# A changelog that disagrees stops the build at once.
BAD=$TMP/badversion
mkdir -p "$BAD"
cp -r "$TOP/debian" "$TOP/VERSION" "$BAD/"
sed -i '1s/(.*)/(0.0.0~mismatch)/' "$BAD/debian/changelog"
check "debian/rules refuses a changelog that is not VERSION" eval \
	'! (cd "$BAD" && debian/rules clean) >"$TMP/bad.log" 2>&1 &&
	 grep -q "VERSION says $VERSION but debian/changelog 0.0.0~mismatch" "$TMP/bad.log"'

# 3. What is in it.
LISTING=$(dpkg-deb -c "$DEB")
files_in_deb() { awk '$1 !~ /^d/ { print $NF }' <<<"$LISTING" | sed 's|^\./|/|' | sort; }
WANT="/etc/default/ns-monitor
/etc/iproute2/rt_protos.d/ns-monitor.conf
/etc/ns-monitor/ns-monitor.nft
/lib/systemd/system/ns-monitor.service
/usr/sbin/ns-monitor
/usr/share/doc/ns-monitor/changelog.gz
/usr/share/doc/ns-monitor/copyright
/usr/share/lintian/overrides/ns-monitor
/usr/share/man/man8/ns-monitor.8.gz"
same() {	# same WHAT GOT WANT
	[ "$2" = "$3" ] && return 0
	echo "  $1:"; diff <(echo "$3") <(echo "$2") | sed 's/^/    /'
	return 1
}
check "dpkg-deb -c: binary, man page, unit, rules, default file, rt_protos entry, doc, overrides" \
	eval 'same files "$(files_in_deb)" "$WANT"'
check "the binary is /usr/sbin/ns-monitor, root's, mode 0755" \
	eval 'grep -Eq "^-rwxr-xr-x root/root .* \./usr/sbin/ns-monitor$" <<<"$LISTING"'
UNIT=$X/lib/systemd/system/ns-monitor.service
check "the unit is dist/ns-monitor.service with @SBINDIR@ = /usr/sbin" \
	eval 'sed "s|@SBINDIR@|/usr/sbin|g" "$TOP/dist/ns-monitor.service" | cmp -s - "$UNIT"'
check "the unit's ExecStart is /usr/sbin/ns-monitor" \
	grep -qx 'ExecStart=/usr/sbin/ns-monitor \$NS_MONITOR_ARGS' "$UNIT"
check "/etc files are the shipped ones (rules, default file, rt_protos entry)" eval \
	'cmp -s "$TOP/nft/ns-monitor.nft" "$X/etc/ns-monitor/ns-monitor.nft" &&
	 cmp -s "$TOP/dist/ns-monitor.default" "$X/etc/default/ns-monitor" &&
	 cmp -s "$TOP/dist/rt_protos.conf" "$X/etc/iproute2/rt_protos.d/ns-monitor.conf"'
conffiles() { dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles | sort; }
check "conffiles: the rules, /etc/default/ns-monitor and the rt_protos entry" eval \
	'same conffiles "$(conffiles)" "$(grep "^/etc/" <<<"$WANT")"'
control_has() { dpkg-deb --ctrl-tarfile "$DEB" | tar -tf - | grep -qx "./$1"; }
check "maintainer scripts: postinst, prerm, postrm" eval \
	'control_has postinst && control_has prerm && control_has postrm'

# Depends: nftables (the postinst loads the rules), procps (the unit's
# ExecReload runs /bin/kill), and the package of every library the
# binary links against, from ${shlibs:Depends}.
DEPENDS=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort)
lib_package() {
	local path
	path=$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')
	[ -n "$path" ] || return 1
	{ dpkg -S "$path" || dpkg -S "$(readlink -f "$path")" || dpkg -S "/usr$path"; } 2>/dev/null |
		head -n1 | cut -d: -f1
}
depends_on_libs() {
	local lib pkg ok=0
	for lib in $(readelf -d "$X/usr/sbin/ns-monitor" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		pkg=$(lib_package "$lib")
		grep -qx "${pkg:-?}" <<<"$DEPENDS" || { echo "  $lib (${pkg:-?}) not in Depends"; ok=1; }
	done
	return $ok
}
check "Depends: nftables and procps" eval \
	'grep -qx nftables <<<"$DEPENDS" && grep -qx procps <<<"$DEPENDS"'
check "Depends: the package of every library the binary links (shlibs)" depends_on_libs
check "Depends: no -dev or build package" eval '! grep -q -- "-dev$\|^debhelper$" <<<"$DEPENDS"'

# Build-Depends: dpkg-checkbuilddeps is satisfied here, and every
# pkg-config module the Makefile asks for comes from one of them.
check "dpkg-checkbuilddeps: the Build-Depends are installed" \
	eval '(cd "$TOP" && dpkg-checkbuilddeps)'
BUILDDEPS=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$TOP/debian/control" |
	sed 's/^Build-Depends://; s/<[^>]*>//g; s/([^)]*)//g' | tr ',' '\n' |
	sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -E '^[a-z0-9]' | sort)
pc_modules_in_builddeps() {
	local m pc pkg ok=0
	for m in $(sed -n 's/^PKGS *:= *//p' "$TOP/Makefile") cmocka; do
		pc=$(pkg-config --variable=pcfiledir "$m")/$m.pc
		pkg=$(dpkg -S "$pc" 2>/dev/null | head -n1 | cut -d: -f1)
		grep -qx "${pkg:-?}" <<<"$BUILDDEPS" || { echo "  $m ($pc, ${pkg:-?}) not in Build-Depends"; ok=1; }
	done
	grep -qx pkg-config <<<"$BUILDDEPS" || { echo "  pkg-config not in Build-Depends"; ok=1; }
	return $ok
}
check "Build-Depends: every pkg-config module of the Makefile, and pkg-config" pc_modules_in_builddeps

# 4. lintian: no error, no warning (debian/ns-monitor.lintian-overrides says
# why each override is there).
lintian --fail-on error,warning -I --pedantic --tag-display-limit 0 "$DEB" \
	>"$TMP/lintian.log" 2>&1
rc=$?
sed 's/^/  lintian: /' "$TMP/lintian.log" | grep -v 'root privileges'
check "lintian: no error or warning" eval '[ $rc = 0 ] && ! grep -q "^[EW]: " "$TMP/lintian.log"'

# 5. The throwaway root.
# The upper layer must be on a file system overlayfs can write to: where
# $TMP is not (a host whose / is itself an overlay, as in a container), or
# with DEB_ROOT_TMPFS=1, the layers go on a tmpfs of their own under $TMP,
# unmounted at exit.
L=$TMP/layers
mkdir -p "$L/upper" "$L/work" "$TMP/probe"
overlay_ok() {
	unshare --mount --propagation private sh -c \
		'mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$2"' \
		sh "$L" "$TMP/probe" 2>/dev/null
}
if [ -n "${DEB_ROOT_TMPFS:-}" ] || ! overlay_ok; then
	rm -rf "$L" && mkdir -p "$L" && mount -t tmpfs tmpfs "$L" && mkdir "$L/upper" "$L/work"
	trap 'umount -l "$L" 2>/dev/null; cleanup' EXIT
	echo "  the root's upper layer is on a tmpfs ($L)"
fi
rm -rf "$L/work"/* 2>/dev/null
R=$TMP/root UP=$L/upper WK=$L/work RUNDIR=$TMP/run CALLS=$TMP/calls
mkdir -p "$R" "$RUNDIR" "$CALLS" "$UP/usr/local/bin" "$UP/usr/local/sbin"
netns_add deb
export R UP WK RUNDIR CALLS OUT TOP
# Every systemctl the maintainer scripts run is written down, then run: a
# stand-in in /usr/sbin, first in PATH under dpkg and apt (its DPkg::Path)
# alike.
mkdir -p "$UP/usr/sbin"
printf '#!/bin/sh\necho "$*" >>/tmp/calls/systemctl\nexec /bin/systemctl "$@"\n' \
	>"$UP/usr/sbin/systemctl"
chmod 755 "$UP/usr/sbin/systemctl"

# in_root [--chroot] COMMAND...: run a shell command in the root, with its
# own PID namespace (a container: ischroot says no) or, with --chroot,
# the host's /proc (a chroot: ischroot says yes). The .deb is in /tmp/deb,
# the source tree (read-only) in /tmp/src.
SETUP='set -e
mount -t overlay overlay -o "lowerdir=/,upperdir=$UP,workdir=$WK" "$R"
mount --bind "$RUNDIR" "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
mkdir "$R/tmp/deb" "$R/tmp/src" "$R/tmp/calls"
mount --bind "$OUT" "$R/tmp/deb"
mount --bind "$CALLS" "$R/tmp/calls"
mount --bind "$TOP" "$R/tmp/src"
mount -o remount,bind,ro "$R/tmp/src"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
exec chroot "$R" /usr/bin/env -i LC_ALL=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c "$1"'
in_root() {
	local pid=--pid
	[ "$1" = --chroot ] && { pid=; shift; }
	# shellcheck disable=SC2086  # $pid is one option or none
	ip netns exec "$T-deb" unshare --mount --propagation private $pid --fork \
		sh -c "$SETUP" sh "$1"
}
in_deb_ns() { ip netns exec "$T-deb" "$@"; }
table_loaded() { in_deb_ns nft list table inet ns_monitor >/dev/null 2>&1; }

# What the root holds beyond the host's: the files of the upper layer,
# but dpkg's and apt's own records, caches and logs (and the stand-ins
# above), and /run. man-db's trigger rewrites its index cache when a man
# page comes or goes, and apt's debconf hook saves debconf's database
# again (the package has no debconf questions: checked below).
left_in_root() {
	(cd "$UP" && find . ! -type d) | sed 's|^\.||' |
		grep -Ev '^/var/lib/(dpkg|apt)/|^/var/log/(dpkg\.log$|apt/)|^/var/cache/(man|apt|debconf)/|^/usr/local/(s?bin)/|^/usr/sbin/systemctl$' | sort
	(cd "$RUNDIR" && find . -mindepth 1) | sed 's|^\.|/run|' | sort
}
state() { in_root "dpkg-query -W -f='\${db:Status-Status}' ns-monitor 2>/dev/null || true"; }

check "the root works, and ns-monitor is not installed in it" eval \
	'[ "$(in_root "echo ok")" = ok ] && [ "$(state)" = "" -o "$(state)" = not-installed ]'
in_root 'ischroot' && container=yes || container=no
check "the root looks like a system of its own to ischroot (PID namespace)" [ "$container" = no ]
BEFORE=$(left_in_root)
echo "  files in the root before the install (beyond the host's): ${BEFORE:-none}"

# 5a. Install as the README says (apt install of the .deb): files, the
# enabled unit, the rules loaded, the binary runs.
in_root 'apt-get install -y -q /tmp/deb/ns-monitor_*.deb' >"$TMP/install1.log" 2>&1
rc=$?
check "apt install ./ns-monitor_*.deb in the root: exit 0" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/  /' "$TMP/install1.log"
check "...installed" eval '[ "$(state)" = installed ]'
check "...ns-monitor --version runs there: ns-monitor $VERSION" \
	eval '[ "$(in_root "ns-monitor --version")" = "ns-monitor $VERSION" ]'
installed_files() {	# the documentation aside: a host may exclude it (path-exclude)
	local missing
	missing=$(in_root "for f in $(grep -v '^/usr/share/doc/' <<<"$WANT" | paste -sd' '); do
		[ -e \$f ] || echo \$f; done")
	[ -z "$missing" ] || { echo "  missing: $missing"; return 1; }
}
check "...the files are where the package says" installed_files
echo "  files in the root after the install (beyond the host's): $(left_in_root | paste -sd' ')"
check "...the unit is enabled (multi-user.target wants it)" \
	test -L "$UP/etc/systemd/system/multi-user.target.wants/ns-monitor.service"
check "...the postinst loaded the rules (in the root's network namespace)" table_loaded
check "...and said so" grep -q 'ns-monitor: loaded /etc/ns-monitor/ns-monitor.nft' "$TMP/install1.log"
check "...no systemd runs in the root (so debhelper's part starts nothing)" \
	not test -e "$RUNDIR/systemd/system"
# deb-systemd-helper enables a new unit with `systemctl --root=/ preset`.
offline_only() {
	grep -q -- '--root=/ .*preset ns-monitor.service' "$CALLS/systemctl" 2>/dev/null ||
		{ echo "  no systemctl --root preset seen"; return 1; }
	! grep -v -- '--root=\|^--version' "$CALLS/systemctl" | grep -q . ||
		{ echo "  systemctl run online:"; sed 's/^/    /' "$CALLS/systemctl"; return 1; }
}
check "...systemctl ran offline only (--root preset), never on a running systemd" offline_only

# 5b. install.sh and uninstall.sh leave the package alone.
in_root 'sh /tmp/src/scripts/install.sh' >"$TMP/install-sh.log" 2>&1
rc=$?
check "install.sh beside the package: refused (exit 1), saying why" eval \
	'[ $rc = 1 ] && grep -q "the Debian package ns-monitor is installed" "$TMP/install-sh.log"'
in_root 'sh /tmp/src/scripts/uninstall.sh' >"$TMP/uninstall-sh.log" 2>&1
rc=$?
check "uninstall.sh beside the package: refused (exit 1), pointing to apt remove" eval \
	'[ $rc = 1 ] && grep -q "apt remove ns-monitor" "$TMP/uninstall-sh.log"'
check "...and the package is untouched" eval \
	'[ "$(state)" = installed ] && [ -e "$UP/usr/sbin/ns-monitor" ] && table_loaded'

# 5c. dpkg keeps an edited conffile across remove and reinstall.
echo 'NS_MONITOR_ARGS="-g 136 -v"   # edited' >>"$UP/etc/default/ns-monitor"
cp "$UP/etc/default/ns-monitor" "$TMP/edited"
in_root 'apt-get remove -y -q ns-monitor' >"$TMP/remove.log" 2>&1
rc=$?
check "apt remove: exit 0, conffiles kept (config-files)" eval \
	'[ $rc = 0 ] && [ "$(state)" = config-files ]'
check "...the binary and unit are gone, the edited default file stays" eval \
	'[ ! -e "$UP/usr/sbin/ns-monitor" ] && [ ! -e "$UP/lib/systemd/system/ns-monitor.service" ] &&
	 cmp -s "$TMP/edited" "$UP/etc/default/ns-monitor"'
check "...the prerm deleted the table" not table_loaded
in_root 'dpkg -i /tmp/deb/ns-monitor_*.deb' >"$TMP/install2.log" 2>&1
check "dpkg -i again: exit 0, the edited default file kept as it is" eval \
	'[ $? = 0 ] && cmp -s "$TMP/edited" "$UP/etc/default/ns-monitor"'

# An upgrade whose shipped /etc/default/ns-monitor and rules changed (the
# package repacked as VERSION+up): the edited file stays, the new shipped
# one beside it as .dpkg-dist; the unedited rules file is replaced.
UPG=$TMP/upgrade
mkdir -p "$UPG/tree" "$OUT/up"
dpkg-deb -R "$DEB" "$UPG/tree"
sed -i "s/^Version: .*/Version: $VERSION+up/" "$UPG/tree/DEBIAN/control"
echo '# changed in the new version' >>"$UPG/tree/etc/default/ns-monitor"
echo '# changed in the new version' >>"$UPG/tree/etc/ns-monitor/ns-monitor.nft"
dpkg-deb -b --root-owner-group "$UPG/tree" "$OUT/up/ns-monitor_${VERSION}+up_$ARCH.deb" >/dev/null
in_root 'dpkg -i --force-confold /tmp/deb/up/ns-monitor_*.deb' >"$TMP/upgrade.log" 2>&1
rc=$?
version_in_root() { in_root 'dpkg-query -W -f="\${Version}" ns-monitor'; }
check "upgrade (dpkg -i, keep the old conffiles): exit 0, the new version installed" eval \
	'[ $rc = 0 ] && [ "$(version_in_root)" = "$VERSION+up" ]'
check "...the edited default file kept, the new shipped one beside it (.dpkg-dist)" eval \
	'cmp -s "$TMP/edited" "$UP/etc/default/ns-monitor" &&
	 cmp -s "$UPG/tree/etc/default/ns-monitor" "$UP/etc/default/ns-monitor.dpkg-dist"'
check "...the unedited rules file replaced by the new one" \
	cmp -s "$UPG/tree/etc/ns-monitor/ns-monitor.nft" "$UP/etc/ns-monitor/ns-monitor.nft"
check "...the table, already loaded, left as it was" eval \
	'table_loaded && grep -q "already loaded" "$TMP/upgrade.log"'
rm -rf "$OUT/up"

# 5d. Purge: nothing is left, .dpkg-dist and the runtime directory too.
mkdir -p "$RUNDIR/ns-monitor" && echo 1 >"$RUNDIR/ns-monitor/ns-monitor.pid"
in_root 'apt-get purge -y -q ns-monitor' >"$TMP/purge1.log" 2>&1
rc=$?
check "apt purge: exit 0, unknown to dpkg again" eval \
	'[ $rc = 0 ] && [ "$(state)" = "" -o "$(state)" = not-installed ]'
AFTER=$(left_in_root)
check "...nothing left in the root (files before: ${BEFORE:-none}; after: ${AFTER:-none})" \
	eval 'same "files left" "$AFTER" "$BEFORE"'
check "...no table left" not table_loaded
check "...debconf's database holds nothing of ns-monitor" \
	not grep -rqs ns-monitor "$UP/var/cache/debconf"

# 5e. Where nft cannot load the rules, the install goes on and says so.
printf '#!/bin/sh\necho "Error: Could not process rule: Operation not supported" >&2\nexit 1\n' \
	>"$UP/usr/local/sbin/nft"
chmod 755 "$UP/usr/local/sbin/nft"
in_root 'dpkg -i /tmp/deb/ns-monitor_*.deb' >"$TMP/install3.log" 2>&1
rc=$?
check "nft failing: dpkg -i still exits 0, installed" eval \
	'[ $rc = 0 ] && [ "$(state)" = installed ]'
check "...and says it could not load the rules, and how to later" eval \
	'grep -q "could not load /etc/ns-monitor/ns-monitor.nft" "$TMP/install3.log" &&
	 grep -q "nft -f /etc/ns-monitor/ns-monitor.nft" "$TMP/install3.log"'
rm -f "$UP/usr/local/sbin/nft"

# 5f. In a chroot the rules are not loaded, and the postinst says so.
in_root --chroot '/var/lib/dpkg/info/ns-monitor.postinst configure' >"$TMP/chroot.log" 2>&1
rc=$?
check "in a chroot: the postinst exits 0 without loading the rules" eval \
	'[ $rc = 0 ] && grep -q "in a chroot" "$TMP/chroot.log" && ! table_loaded'
in_root 'dpkg --purge ns-monitor' >"$TMP/purge2.log" 2>&1
check "dpkg --purge again: nothing left" eval \
	'[ $? = 0 ] && same "files left" "$(left_in_root)" "$BEFORE"'

check "the host has no ns-monitor package" \
	eval '[ -z "$(dpkg-query -W -f="\${db:Status-Status}" ns-monitor 2>/dev/null | grep -v not-installed)" ]'

echo "  duration: $(($(date +%s) - STARTED)) s (package build ${BUILD_SECONDS} s)"
summary
