#!/usr/bin/perl
# log_lengths.pl MAX FILE...: each log call's format in the C files, its
# literal text with every conversion counted as 8 characters, behind the
# "ns-monitor: " prefix; says which would make a line over MAX, exit 1 if any.
use strict; use warnings;
my $max = shift @ARGV;
my $bad = 0;
for my $f (@ARGV) {
	open(my $fh, '<', $f) or die "$f: $!";
	local $/; my $src = <$fh>; close $fh;
	while ($src =~ /\blog_(?:info|debug|warn|warnx|warnx_limited|info_limited|warn_limited|debug_limited)\s*\(((?:[^()"]|"(?:[^"\\]|\\.)*"|\((?1)\))*)\)/g) {
		my $args = $1;
		my $pos = $-[0];
		my $fmt = join('', $args =~ /"((?:[^"\\]|\\.)*)"/g);
		$fmt =~ s/\\(.)/$1/g;
		my $n = 0;
		$n++ while $fmt =~ s/%[-+ #0]*[0-9*]*(?:\.[0-9*]+)?(?:hh|h|ll|l|z|j|t)?[diouxXscpg%]//;
		my $len = length("ns-monitor: ") + length($fmt) + 8 * $n;
		if ($len > $max) {
			my $line = 1 + (substr($src, 0, $pos) =~ tr/\n//);
			print "$f:$line: about $len characters: ", substr($fmt, 0, 80), "...\n";
			$bad++;
		}
	}
}
exit($bad ? 1 : 0);
