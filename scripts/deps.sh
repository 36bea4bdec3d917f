#!/bin/sh
# Install every Debian package ns-monitor needs to build, run, test, fuzz and
# benchmark. Idempotent: when everything is present it only runs dpkg-query.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libmnl-dev libnetfilter-log-dev libnetfilter-queue-dev libnftables-dev libnftnl-dev libcap-ng-dev
libcmocka-dev
nftables iptables iproute2 iputils-ping tcpdump procps kmod ndppd gnuplot-nox jq python3
systemd
man-db groff-base mandoc"
# Test only: promtool (package prometheus) lints the stats file the daemon
# writes (tests/integration/test_hardening.sh, test_observe.sh).
PKGS="$PKGS prometheus"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

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
