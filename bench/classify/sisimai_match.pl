#!/usr/bin/perl
# Peer figure: Sisimai's text-only reason matcher (Sisimai->match) over the same mix, timed.
# Usage: sisimai_match.pl MIXFILE [SECONDS]
use strict;
use warnings;
use Sisimai;
use Time::HiRes qw(time);

my ($file, $seconds) = @ARGV;
$seconds ||= 3;
open my $fh, '<', $file or die "cannot read $file: $!\n";
my @mix;
while (my $line = <$fh>) {
    chomp $line;
    next unless length $line;
    $line =~ s/\A[^\t]*\t// if $line =~ /\t/;
    push @mix, $line;
}
close $fh;
Sisimai->match($_) for @mix;    # warm up (modules load lazily)
my ($count, $start) = (0, time);
my $deadline = $start + $seconds;
while (time < $deadline) {
    Sisimai->match($_) for @mix;
    $count += scalar @mix;
}
my $elapsed = time - $start;
printf "sisimai %s classifications/s: %d\n", Sisimai->version, $count / $elapsed;
