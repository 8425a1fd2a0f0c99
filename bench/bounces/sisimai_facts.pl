#!/usr/bin/perl
# Sisimai's reading of every message file given, one line per recipient, tab-separated:
# file, index, status, reply code, reason, recipient, SMTP command, action, lhost module
# (smtpagent), rhost, diagnostic (tabs and newlines as spaces, at most 300 bytes).
# Used by differential.py (bench/bounces); delivered reports included.
use strict;
use warnings;
use Sisimai;
use File::Basename qw(basename);

for my $path (@ARGV) {
    my $records = eval { Sisimai->make($path, 'delivered' => 1) } || [];
    my $index = 0;
    for my $r (@$records) {
        $index++;
        my $diagnostic = $r->diagnosticcode // '';
        $diagnostic =~ s/[\t\r\n]+/ /g;
        printf "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", basename($path), $index,
            $r->deliverystatus // '', (eval { $r->replycode } // ''), $r->reason // '',
            $r->recipient->address // '', $r->smtpcommand // '', $r->action // '',
            $r->smtpagent // '', $r->rhost // '', substr($diagnostic, 0, 300);
    }
}
