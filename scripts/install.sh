#!/bin/sh
# Install ns-monitor on this machine: packages, build, `make install`, the
# nftables rules, the systemd service. Safe to run again (upgrades, repairs).
#
# On Debian, the package is the way: `make deb && apt install
# ./ns-monitor_*.deb`, and dpkg keeps the configuration. This script is for
# other systems (or another PREFIX), and refuses to run beside the package:
# dpkg owns the files, the unit and the configuration then.
#
#   sudo scripts/install.sh                  PREFIX=/usr/local by default
#   sudo PREFIX=/usr scripts/install.sh
#   sudo DESTDIR=/tmp/stage scripts/install.sh
#
# Packages: only the runtime group of scripts/deps.sh (the libraries the
# daemon links against, nftables, iproute2), never the test and benchmark
# ones. The build group (compiler, -dev packages) only if the binary must
# be built here: run `make` on a build host first and a production host
# gets the runtime group alone.
#
# The operator's /etc/default/ns-monitor and /etc/ns-monitor/ns-monitor.nft
# are never overwritten: when they differ from the shipped ones, they stay,
# and the shipped versions are put beside them as *.dist. The checksums of
# the shipped versions go to /var/lib/ns-monitor/conffiles, so that
# uninstall.sh removes them only if nobody edited them since.
#
# With DESTDIR set, this is a staged install (a package build, a test): the
# files go under DESTDIR and nothing live is touched, so no nft, no
# systemctl and no packages at all (a package declares its dependencies:
# `scripts/deps.sh --list runtime`); a build that lacks its tools fails
# with the command that installs them.
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

. scripts/debpkg.sh
if [ -z "$DESTDIR" ] && ! debpkg_absent; then
	debpkg_refuse install.sh "upgrade with: make deb && apt install ./ns-monitor_*.deb"
fi

# `make -q` is true when ./ns-monitor is up to date: nothing to build.
must_build=no
make -q ns-monitor 2>/dev/null || must_build=yes
if [ -n "$DESTDIR" ]; then
	say "DESTDIR set: no packages installed (runtime: $(sh scripts/deps.sh --list runtime | paste -sd' '))"
	if [ "$must_build" = yes ] && ! sh scripts/deps.sh --check build; then
		say "building needs the packages above: sudo scripts/deps.sh build"
		exit 1
	fi
else
	sh scripts/deps.sh runtime
	if [ "$must_build" = yes ]; then
		say "building ns-monitor here: the build packages too (run make on a build host to keep them off this one)"
		sh scripts/deps.sh build
	fi
fi
make --no-print-directory

# Configuration files the operator edited (neither the shipped version nor
# the one installed last time) are saved now and put back after
# `make install`.
. scripts/conffiles.sh
SAVE=$(mktemp -d)
restored=no
restore() {
	[ "$restored" = yes ] && return 0
	restored=yes
	n=0
	for pair in $CONFFILES; do
		n=$((n + 1))
		[ -e "$SAVE/$n" ] && cp -p "$SAVE/$n" "$DESTDIR${pair%%:*}"
	done
	return 0
}
trap 'restore; rm -rf "$SAVE"' EXIT
trap 'exit 130' INT TERM

n=0
for pair in $CONFFILES; do
	n=$((n + 1))
	conf=$DESTDIR${pair%%:*} shipped=${pair#*:}
	if [ -e "$conf" ] && ! cmp -s "$conf" "$shipped" &&
	    ! conffile_unedited "${pair%%:*}" "$shipped"; then
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
	conf=$DESTDIR${pair%%:*}
	if [ -e "$SAVE/$n" ]; then
		cp -p "$conf" "$conf.dist"
		say "kept your $conf; the shipped version is $conf.dist"
	elif [ -e "$conf.dist" ]; then
		rm -f "$conf.dist"	# the file is the shipped one again
	fi
done
restore
conffiles_record
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
