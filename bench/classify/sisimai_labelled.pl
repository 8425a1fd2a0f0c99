#!/usr/bin/perl
# Peer agreement: Sisimai's text-only reason matcher (Sisimai->match) on labelled replies
# ("reason<TAB>host<TAB>text" per line), the same file bench_classify --labelled reads.
# Usage: sisimai_labelled.pl FILE [-v]
use strict;
use warnings;
use Sisimai;

my ($file, $verbose) = @ARGV;
open my $fh, '<', $file or die "cannot read $file: $!\n";
my ($total, $agreed) = (0, 0);
while (my $line = <$fh>) {
    chomp $line;
    my ($want, $host, $text) = split /\t/, $line, 3;
    next unless defined $text;
    my $got = Sisimai->match($text) // '';
    $total++;
    if ($got eq $want) {
        $agreed++;
    } elsif ($verbose) {
        printf "  want %s got %s: %s\n", $want, $got, substr($text, 0, 120);
    }
}
close $fh;
die "no labelled replies in $file\n" unless $total;
printf "sisimai %s agreement: %d/%d = %.1f%%\n", Sisimai->version, $agreed, $total,
    100 * $agreed / $total;
