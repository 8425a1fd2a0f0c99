// Facts read from reply text by hand-written scanners (no regex): the normalized text the
// rules match on, the enhanced status code, the SMTP reply code and the IP the receiver names.
//
// Contract: every function is bounded by the input size (and normalize_text by k_max_text),
// never throws on any bytes, and never reads beyond the view.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/classify/rule.hpp"

#include <bit>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smtpprobe::classify {

// Text longer than this is cut before matching (diagnostics are far shorter).
inline constexpr std::size_t k_max_text = 4096;

// ASCII lowercase, every run of white space (space, tab, CR, LF) as one space, trimmed, at
// most k_max_text bytes of the input; negations in one spelling ("doesn't" and "does not" as
// "does not", "can't" and "can not" as "cannot", "won't" as "will not"; "e-mail" as "email"), so
// the output may be a few bytes longer than the input. Writes into `out` (reused to avoid
// allocation). Rule literals are normalized by the same function, so either spelling in a rule
// matches both.
void normalize_text(std::string_view text, std::string& out);

// The most specific enhanced status code in the text: the first X.Y.Z with Z != 0, else the
// first X.Y.0, else the first X.0.0. A code must stand alone ("5.7.1", not the tail of
// "192.5.7.1").
std::optional<PackedStatus> find_status(std::string_view text);

// The SMTP reply code: a leading "550"/"550-" (after an optional "smtp;"), else the first
// stand-alone 2xx/4xx/5xx token followed by a space or a dash.
std::optional<int> find_reply_code(std::string_view text);

// The IP the receiver names as the sender: the first bracketed IPv4 or IPv6 literal that does
// not follow a host name ("messages from [192.0.2.1]", "banned sender[192.0.2.1]",
// "[IPv6:2001:db8::1]"; not the "mx.example.com[198.51.100.7]" notation of a dotted host
// name, which gives that host's own address); if `bare_ok`,
// else the first stand-alone IPv4 address (not one written after a host name: "host
// 192.0.2.10" is the server the reporting MTA talked to).
std::string find_named_ip(std::string_view text, bool bare_ok);

// The address of a host the text names in "name[IP]" notation ("host mx.google.com[
// 74.125.203.27] said: ..."): in a delivery report, the receiver's own address. "" if none.
std::string find_host_address(std::string_view text);

// The name of that host ("mx.google.com" in "host mx.google.com[74.125.203.27] said:",
// "mail.example.net" in DragonFly's "mail.example.net [192.0.2.25] did not like our RCPT TO:"):
// the server that replied. "" if none.
std::string find_host_name(std::string_view text);

// Removes the reply-code prefixes of continuation lines inside a normalized multi-line reply
// ("... with multiple 550-5.7.1 addresses" -> "... with multiple addresses"), so phrases that
// span lines match. The leading code stays.
void strip_continuation_prefixes(std::string& text, int reply_code);

// The SMTP command a reply answered, read from the normalized text: Postfix's "(in reply to
// end of DATA command)" or the last ">>> CMD" line of a sendmail transcript. Uppercase:
// "DATA", "RCPT", "MAIL", "HELO", "EHLO", "CONNECT"; "" if the text does not say.
std::string_view find_command(std::string_view text);

// A lowercased host name without brackets or a trailing dot; "" if empty.
std::string normalize_host(std::string_view host);
// The same written into `out` (reused to avoid allocation).
void normalize_host(std::string_view host, std::string& out);
// Whether normalize_host(host) differs from `host` for a host it already returned (a second
// ';', or a cut at 255 bytes that left a trailing dot, bracket or space).
bool normalizes_again(std::string_view host);

// receiver_for_host() of a host normalize_host() returned and normalizes_again() refused.
Receiver receiver_for_normalized_host(std::string_view host);

// The first position in text[from, end) (end <= text.size()) of `a`, `b` or `c`, or `end`.
// Inline and sixteen bytes at a time: replies are short, so a memchr call per search costs
// more than the search.
inline std::size_t find_byte(std::string_view text, std::size_t from, std::size_t end, char a,
                             char b, char c)
{
#if defined(__SSE2__)
    const __m128i want_a = _mm_set1_epi8(a);
    const __m128i want_b = _mm_set1_epi8(b);
    const __m128i want_c = _mm_set1_epi8(c);
    for (; from + 16 <= end; from += 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
        const __m128i found =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, want_a), _mm_cmpeq_epi8(chunk, want_b)),
                         _mm_cmpeq_epi8(chunk, want_c));
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(found));
        if (mask != 0) {
            return from + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    while (from < end && text[from] != a && text[from] != b && text[from] != c) {
        ++from;
    }
    return from;
}

// The first position of `byte` in text[from, end), or `end`.
inline std::size_t find_byte(std::string_view text, std::size_t from, std::size_t end, char byte)
{
    return find_byte(text, from, end, byte, byte, byte);
}

} // namespace smtpprobe::classify
