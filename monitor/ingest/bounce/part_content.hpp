// The content of one MIME part as the fast path (simple_mime) reads it, the way the GMime
// walk (mime_reader.cpp: decoded_bytes, part_text) leaves it: the transfer encoding undone by
// GMime's own decoders (no objects), bounded to k_max_part_bytes, and text parts as GMime's
// text would be, or refused where GMime would convert them from their charset.
//
// Contract: peer data; output bounded by k_max_part_bytes; never throws.
#pragma once

#include "monitor/ingest/bounce/header_block.hpp"

#include <gmime/gmime.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

// The part's transfer encoding as GMime reads it, where the fast path knows it: identity
// (GMIME_CONTENT_ENCODING_DEFAULT for none, 7bit, 8bit, binary), quoted-printable or base64;
// std::nullopt for any other.
std::optional<GMimeContentEncoding> transfer_encoding(const std::vector<RawField>& fields);

// content with encoding undone, at most k_max_part_bytes.
std::string transfer_decoded(std::string_view content, GMimeContentEncoding encoding);

// The decoded bytes of a text part as GMime's text of it: false when GMime would convert them
// from charset (nullptr: none given) into other bytes, or when that cannot be told without
// iconv (any charset but UTF-8 for non-ASCII text); else cut at the first NUL byte.
bool as_text_part(std::string& text, const std::string* charset);

} // namespace smtpprobe::ingest
