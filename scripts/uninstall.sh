#!/bin/sh
# Remove what scripts/install.sh installed: stop the service, unload the
# rules, `make uninstall`, and the *.dist files install.sh may have left.
# Safe to run again.
#
# /etc/default/ns-monitor and /etc/ns-monitor/ns-monitor.nft go only if
# they are still what install.sh installed (the checksums it recorded in
# /var/lib/ns-monitor/conffiles); edited, they stay, and it says so.
#
#   sudo scripts/uninstall.sh                PREFIX=/usr/local by default
#   sudo PREFIX=/usr scripts/uninstall.sh    the PREFIX it was installed with
#
# With DESTDIR set, only the files under DESTDIR go: nothing live is touched,
# so no systemctl and no nft.
#
# Where the Debian package is installed it refuses: `apt remove ns-monitor`
# (apt purge for the configuration too) removes what dpkg installed.
set -eu

cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
DESTDIR=${DESTDIR:-}

if [ "$(id -u)" -ne 0 ]; then
	echo "uninstall.sh: must be run as root: sudo scripts/uninstall.sh" >&2
	exit 1
fi

say() { echo "uninstall.sh: $*"; }

. scripts/debpkg.sh
if [ -z "$DESTDIR" ] && ! debpkg_absent; then
	debpkg_refuse uninstall.sh "remove it with: apt remove ns-monitor (apt purge ns-monitor: its configuration too)"
fi

if [ -z "$DESTDIR" ]; then
	if [ -d /run/systemd/system ] &&
	    systemctl cat ns-monitor.service >/dev/null 2>&1; then
		systemctl disable --now ns-monitor.service
		say "stopped and disabled ns-monitor.service"
	fi
	if nft list table inet ns_monitor >/dev/null 2>&1; then
		nft delete table inet ns_monitor
		say "deleted table inet ns_monitor"
	fi
fi

. scripts/conffiles.sh

# Edited configuration stays (live paths, as make's KEEP takes them).
keep=""
for pair in $CONFFILES; do
	conf=${pair%%:*}
	if [ -e "$DESTDIR$conf" ] && ! conffile_unedited "$conf" "${pair#*:}"; then
		keep="$keep $conf"
	fi
done

# The files `make install` puts in place (see INSTALLED in the Makefile),
# the shipped copies install.sh left beside edited configuration, and its
# record of checksums.
FILES="$DESTDIR$PREFIX/sbin/ns-monitor
$DESTDIR$PREFIX/share/man/man8/ns-monitor.8
$DESTDIR$PREFIX/lib/systemd/system/ns-monitor.service
$DESTDIR$SYSCONFDIR/ns-monitor/ns-monitor.nft
$DESTDIR$SYSCONFDIR/default/ns-monitor
$DESTDIR$SYSCONFDIR/iproute2/rt_protos.d/ns-monitor.conf"
OURS="$DESTDIR$SYSCONFDIR/default/ns-monitor.dist
$DESTDIR$SYSCONFDIR/ns-monitor/ns-monitor.nft.dist
$CONFFILES_RECORD"

present=""
for f in $FILES $OURS; do
	case " $keep " in *" ${f#"$DESTDIR"} "*) continue ;; esac
	[ -e "$f" ] && present="$present $f"
done

# shellcheck disable=SC2086  # one path per word
rm -f $OURS
rmdir "${CONFFILES_RECORD%/*}" 2>/dev/null || true
make --no-print-directory uninstall DESTDIR="$DESTDIR" PREFIX="$PREFIX" \
	SYSCONFDIR="$SYSCONFDIR" KEEP="$keep"

if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi

if [ -z "$present" ]; then
	say "nothing was installed under ${DESTDIR:-/} with PREFIX=$PREFIX"
else
	say "removed:"
	for f in $present; do
		[ -e "$f" ] && say "  (still there: $f)" || echo "    $f"
	done
fi
for conf in $keep; do
	say "kept $DESTDIR$conf: edited since it was installed; delete it yourself if it is no longer wanted"
done

if [ -z "$DESTDIR" ] && pids=$(pidof ns-monitor); then
	say "an ns-monitor process is still running (pid $pids): stop it with kill $pids"
fi
exit 0
