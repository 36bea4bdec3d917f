#!/bin/sh
# Install ns-monitor on this machine: packages, build, `make install`, the
# nftables rules, the systemd service. Safe to run again (upgrades, repairs).
#
#   sudo scripts/install.sh                  PREFIX=/usr/local by default
#   sudo PREFIX=/usr scripts/install.sh
#   sudo DESTDIR=/tmp/stage scripts/install.sh
#
# The operator's /etc/default/ns-monitor and /etc/ns-monitor/ns-monitor.nft
# are never overwritten: when they differ from the shipped ones, they stay,
# and the shipped versions are put beside them as *.dist.
#
# With DESTDIR set, this is a staged install (a package build, a test): the
# files go under DESTDIR and nothing live is touched, so no nft and no
# systemctl.
set -eu

cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
DESTDIR=${DESTDIR:-}
SBINDIR=$PREFIX/sbin

if [ "$(id -u)" -ne 0 ]; then
	echo "install.sh: must be run as root: sudo scripts/install.sh" >&2
	exit 1
fi

say() { echo "install.sh: $*"; }

sh scripts/deps.sh
make --no-print-directory

# Configuration files the operator may have edited: installed path, shipped
# source. Those that differ are saved now and put back after `make install`.
CONFFILES="$DESTDIR$SYSCONFDIR/default/ns-monitor:dist/ns-monitor.default
$DESTDIR$SYSCONFDIR/ns-monitor/ns-monitor.nft:nft/ns-monitor.nft"
SAVE=$(mktemp -d)
restored=no
restore() {
	[ "$restored" = yes ] && return 0
	restored=yes
	n=0
	for pair in $CONFFILES; do
		n=$((n + 1))
		[ -e "$SAVE/$n" ] && cp -p "$SAVE/$n" "${pair%%:*}"
	done
	return 0
}
trap 'restore; rm -rf "$SAVE"' EXIT
trap 'exit 130' INT TERM

n=0
for pair in $CONFFILES; do
	n=$((n + 1))
	conf=${pair%%:*} shipped=${pair#*:}
	if [ -e "$conf" ] && ! cmp -s "$conf" "$shipped"; then
		cp -p "$conf" "$SAVE/$n"
	fi
done

# Restart a running service only if the binary really changes.
changed=yes
cmp -s ns-monitor "$DESTDIR$SBINDIR/ns-monitor" 2>/dev/null && changed=no

make --no-print-directory install DESTDIR="$DESTDIR" PREFIX="$PREFIX" \
	SYSCONFDIR="$SYSCONFDIR"

n=0
for pair in $CONFFILES; do
	n=$((n + 1))
	conf=${pair%%:*}
	if [ -e "$SAVE/$n" ]; then
		cp -p "$conf" "$conf.dist"
		say "kept your $conf; the shipped version is $conf.dist"
	elif [ -e "$conf.dist" ]; then
		rm -f "$conf.dist"	# the file is the shipped one again
	fi
done
restore
say "installed in ${DESTDIR:-/} with PREFIX=$PREFIX"

if [ -n "$DESTDIR" ]; then
	say "DESTDIR set: rules and service left alone"
	exit 0
fi

if nft list table inet ns_monitor >/dev/null 2>&1; then
	say "table inet ns_monitor is already loaded"
else
	nft -f "$SYSCONFDIR/ns-monitor/ns-monitor.nft"
	say "loaded $SYSCONFDIR/ns-monitor/ns-monitor.nft"
fi

if [ -d /run/systemd/system ]; then
	active=no
	systemctl is-active --quiet ns-monitor.service && active=yes
	systemctl daemon-reload
	systemctl enable --now ns-monitor.service
	if [ "$active" = yes ] && [ "$changed" = yes ]; then
		systemctl restart ns-monitor.service
		say "restarted ns-monitor.service with the new binary"
	fi
	say "ns-monitor.service is enabled and running: systemctl status ns-monitor"
else
	ARGS=$(. "$SYSCONFDIR/default/ns-monitor" && echo "${NS_MONITOR_ARGS:-}")
	say "systemd is not running here; start the daemon with:"
	echo "    $SBINDIR/ns-monitor -d $ARGS"
fi
cat <<EOF
install.sh: say what to relay (group 135), for example:
    nft add element inet ns_monitor masters_135 { "eth0" }
    nft add element inet ns_monitor slaves_135 { "docker0" }
    $SBINDIR/ns-monitor --check -g 135
EOF
