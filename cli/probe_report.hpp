// Human output of probe results: the transcript with >>> / <<< markers and elapsed ms, and
// one summary line per target. Every peer string passes through printable().
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/policy.hpp"
#include "probe/probe_result.hpp"

#include <ostream>

namespace smtpprobe::cli {

// "    12 ms >>> EHLO host" / "<<< 250 ..." / "*** connected ..." lines.
void print_transcript(std::ostream& out, const probe::ProbeResult& result);

// One line per target: which MX answered, where the dialogue stopped, the decisive reply,
// TLS, and the classification when there is one.
void print_summary(std::ostream& out, const probe::ProbeResult& result,
                   const classify::Result& classification, const evidence::Decision& decision);

} // namespace smtpprobe::cli
