// The content of one MIME part as the fast path (simple_mime) reads it, the way the GMime
// walk (mime_reader.cpp: decoded_bytes, part_text) leaves it: the transfer encoding undone by
// GMime's own decoders (no objects), bounded to k_max_part_bytes, and text parts converted to
// UTF-8 from their charset by GMime's own charset filter, as g_mime_text_part_get_text does.
//
// Contract: peer data; output bounded by k_max_part_bytes (a longer part to convert is
// refused); never throws.
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

// The decoded bytes of a text part made what GMime's text of it is: converted from charset
// (nullptr: none given) where GMime converts (skipped where that changes nothing: ASCII in
// an ASCII superset, valid UTF-8 in UTF-8), then cut at the first NUL byte. false for a part
// of k_max_part_bytes or more that needs converting.
bool as_text_part(std::string& text, const std::string* charset);

} // namespace smtpprobe::ingest
