# Configuration files the operator may edit, handled as dpkg handles
# conffiles. Sourced by install.sh and uninstall.sh, from the top of the
# source tree, with DESTDIR and SYSCONFDIR set.
#
# install.sh records the SHA-256 of each shipped version it installs in
# $CONFFILES_RECORD (sha256sum's format, live paths without DESTDIR); a file
# whose checksum is still the recorded one was not edited since, so an
# upgrade may replace it and uninstall.sh may remove it. An edited file is
# always left where it is.

# Live path and shipped source, one pair a line.
CONFFILES="$SYSCONFDIR/default/ns-monitor:dist/ns-monitor.default
$SYSCONFDIR/ns-monitor/ns-monitor.nft:nft/ns-monitor.nft"
CONFFILES_RECORD=$DESTDIR/var/lib/ns-monitor/conffiles

sha256() { sha256sum <"$1" | cut -d' ' -f1; }

# conffile_recorded PATH: the checksum install.sh recorded for PATH, if any.
conffile_recorded() {
	[ -f "$CONFFILES_RECORD" ] || return 0
	awk -v path="$1" '$2 == path { print $1 }' "$CONFFILES_RECORD"
}

# conffile_unedited PATH SHIPPED: PATH (under DESTDIR) is what was installed.
# Without a record (an install older than the record) only a file equal
# to the shipped one counts as unedited.
conffile_unedited() {
	recorded=$(conffile_recorded "$1")
	if [ -n "$recorded" ]; then
		[ "$(sha256 "$DESTDIR$1")" = "$recorded" ]
	else
		cmp -s "$DESTDIR$1" "$2"
	fi
}

# conffiles_record: remember the checksums of the shipped versions.
conffiles_record() {
	mkdir -p "${CONFFILES_RECORD%/*}"
	for pair in $CONFFILES; do
		printf '%s  %s\n' "$(sha256 "${pair#*:}")" "${pair%%:*}"
	done >"$CONFFILES_RECORD.new"
	mv "$CONFFILES_RECORD.new" "$CONFFILES_RECORD"
}
