// Text values as PostgreSQL can hold them, and back, without losing a byte.
//
// SQLite keeps whatever bytes a peer sent; a PostgreSQL text value must be valid UTF-8 in a
// UTF8 database and can never hold NUL. Peer text is hostile and kept raw (the store's rule),
// so a history moved between the backends must keep it exactly: each byte that is not part
// of well-formed UTF-8 (and NUL) is written as the escape character U+10FFFF followed by
// U+10FE00 + the byte, and a real U+10FFFF in the text as two of them. Both are Plane 16
// private-use code points, valid UTF-8 that no mail system writes; the mapping is one-to-one,
// so equal texts stay equal (lookups by bound value match) and decoding gives back the bytes.
#pragma once

#include <string>
#include <string_view>

namespace smtpprobe::store::pg {

// Text as stored in PostgreSQL. Returns text itself (no copy made by the caller) when it
// needs no escape: the common case, checked at memchr speed for ASCII.
std::string encode_text(std::string_view text);
// Whether encode_text(text) would differ from text.
bool needs_encoding(std::string_view text);
// The bytes encode_text() was given.
std::string decode_text(std::string_view stored);

} // namespace smtpprobe::store::pg
