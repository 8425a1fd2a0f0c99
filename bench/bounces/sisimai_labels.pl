#!/usr/bin/perl
# Prints Sisimai's verdict for every message file given: file, index, status, reply code,
# reason (tab-separated, one line per recipient), then the elapsed seconds on stderr.
use strict;
use warnings;
use Sisimai;
use Time::HiRes qw(time);
use File::Basename qw(basename);

my $start = time;
my $messages = 0;
for my $path (@ARGV) {
    my $records = Sisimai->make($path, 'delivered' => 1) || [];
    $messages++;
    my $index = 0;
    for my $r (@$records) {
        $index++;
        my $code = eval { $r->replycode } // '';
        printf "%s\t%d\t%s\t%s\t%s\n", basename($path), $index, $r->deliverystatus // '',
            $code, $r->reason // '';
    }
}
printf STDERR "sisimai %d messages %.3f s\n", $messages, time - $start;
