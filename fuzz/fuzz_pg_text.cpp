// libFuzzer target for the PostgreSQL text codec (monitor/store/pg_text.hpp), which every peer
// text (replies, log lines, bounce diagnostics) passes through on its way into a PostgreSQL
// history: arbitrary bytes encoded must give well-formed UTF-8 without NUL (what a UTF8
// database accepts), decode back to the same bytes, and needs_encoding() must say whether
// encoding changed them; arbitrary bytes decoded (a value another writer left) must not crash.
// The SQL dialect translator has no target: its input is our own statement text, never a
// peer's, and the suites run every statement of ours on a real PostgreSQL.
#include "monitor/store/pg_text.hpp"
#include "probe/text/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace pg = smtpprobe::store::pg;
    const std::string raw(reinterpret_cast<const char*>(data), size);
    const std::string stored = pg::encode_text(raw);
    if (!smtpprobe::is_valid_utf8(stored) || stored.find('\0') != std::string::npos) {
        __builtin_trap(); // PostgreSQL would refuse the value
    }
    if (pg::decode_text(stored) != raw) {
        __builtin_trap(); // a byte of peer text lost or changed
    }
    if (pg::needs_encoding(raw) != (stored != raw)) {
        __builtin_trap();
    }
    (void)pg::decode_text(raw);
    return 0;
}
