# shellcheck shell=sh
# The Debian package, seen from install.sh and uninstall.sh (sourced from
# the top of the source tree). Where dpkg knows ns-monitor, it owns the
# binary, the unit and the configuration files: the scripts must not
# install, replace or remove them behind its back.

# debpkg_state: dpkg's state of the package (installed, config-files,
# unpacked...), empty where there is no dpkg or it never heard of it.
debpkg_state() {
	command -v dpkg-query >/dev/null 2>&1 || return 0
	dpkg-query -W -f='${db:Status-Status}' ns-monitor 2>/dev/null || true
}

# debpkg_absent: the package is not installed, nor its configuration kept.
debpkg_absent() {
	case "$(debpkg_state)" in
	'' | not-installed) return 0 ;;
	*) return 1 ;;
	esac
}

# debpkg_refuse SCRIPT ADVICE: say why SCRIPT stops, then exit 1.
debpkg_refuse() {
	state=$(debpkg_state)
	if [ "$state" = config-files ]; then
		echo "$1: the Debian package ns-monitor was removed but dpkg keeps its configuration in /etc: apt purge ns-monitor first, or install the package again (make deb && apt install ./ns-monitor_*.deb)" >&2
	else
		echo "$1: the Debian package ns-monitor is installed ($state): dpkg manages ns-monitor here; $2" >&2
	fi
	exit 1
}
