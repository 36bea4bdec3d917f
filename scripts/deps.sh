#!/bin/sh
# Install the Debian packages ns-monitor needs, by group:
#
#   runtime  what an installed ns-monitor needs on a production host: the
#            shared libraries it links against, nft (install.sh loads the
#            rules with it) and ip
#   build    what `make` needs: compiler, pkg-config, the -dev packages
#   package  what `make deb` needs beyond the build group: debhelper,
#            dpkg-dev, and cmocka (the package build runs the unit tests)
#   test     what `make check`, `make fuzz`, `make bench` and `make demo`
#            need beyond those: clang, ndppd, gnuplot, tcpdump, lintian...
#
#   scripts/deps.sh                  every group (make check, demo, bench, CI)
#   scripts/deps.sh runtime          the runtime group only
#   scripts/deps.sh build package    several groups
#   scripts/deps.sh --check GROUP... name the missing packages, install nothing
#                                    (exit 1 if any is missing)
#   scripts/deps.sh --list GROUP...  print the packages, one a line
#
# Idempotent: when everything is present it only runs dpkg-query.
set -eu

RUNTIME="libc6 libmnl0 libnetfilter-log1 libnetfilter-queue1 libnftables1 libnftnl11 libcap-ng0
nftables iproute2"

BUILD="build-essential pkg-config
libmnl-dev libnetfilter-log-dev libnetfilter-queue-dev libnftables-dev libnftnl-dev libcap-ng-dev"

# The Build-Depends of debian/control beyond the build group (which holds
# the rest of them).
PACKAGE="debhelper dpkg-dev
libcmocka-dev"

# One purpose a line.
TEST="clang libclang-rt-14-dev
cppcheck
iptables iputils-ping tcpdump procps kmod python3 jq
ndppd gnuplot-nox iperf3
systemd
man-db groff-base mandoc
prometheus
lintian
strace valgrind linux-perf
liburing-dev"
# prometheus: its promtool lints the stats file the daemon writes
# (tests/integration/test_hardening.sh, test_observe.sh).
# lintian: checks the package (tests/integration/test_deb.sh).
# strace: tests/integration/test_syscalls.sh, bench/per_target.sh; valgrind
# and linux-perf: bench/per_target.sh and bench/profile.sh.
# liburing-dev: the ring floor of make bench (bench/floor.c -u), a
# reference only; ns-monitor itself does not use io_uring.
# cppcheck and clang (--analyze): tests/analyze.sh, make check in CI.

usage() {
	echo "usage: scripts/deps.sh [--check|--list] [runtime|build|package|test|all]..." >&2
	exit 2
}

mode=install
case "${1:-}" in
--check) mode=check; shift ;;
--list) mode=list; shift ;;
-h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
[ $# -eq 0 ] && set -- all

PKGS=""
for group in "$@"; do
	case "$group" in
	runtime) PKGS="$PKGS $RUNTIME" ;;
	build) PKGS="$PKGS $BUILD" ;;
	package) PKGS="$PKGS $PACKAGE" ;;
	test) PKGS="$PKGS $TEST" ;;
	all) PKGS="$PKGS $RUNTIME $BUILD $PACKAGE $TEST" ;;
	*) echo "deps.sh: unknown group '$group' (runtime, build, package, test or all)" >&2; usage ;;
	esac
done

if [ "$mode" = list ]; then
	# shellcheck disable=SC2086  # one package per word
	printf '%s\n' $PKGS
	exit 0
fi

# One dpkg-query for all: a package it does not know is simply not listed.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
	awk '/ install ok installed$/ { printf "%s ", $1 }')"
missing=""
for p in $PKGS; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$mode" = check ]; then
	echo "deps.sh: missing packages:$missing" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root (sudo make ...)" >&2
	exit 1
fi

echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Install packages, never start their services (ndppd ships one, and only the
# benchmarks run it, in their own namespaces): a policy-rc.d that says no,
# for the time of the install, unless the system has one of its own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
