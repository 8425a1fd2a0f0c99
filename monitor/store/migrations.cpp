// Turns the embedded schema/ files into ordered migrations (see migrations.hpp).
#include "monitor/store/migrations.hpp"

#include "probe/embedded_file.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace smtpprobe {
std::span<const EmbeddedFile> embedded_schema();
}

namespace smtpprobe::store {

const std::vector<Migration>& migrations()
{
    static const std::vector<Migration> list = [] {
        std::vector<Migration> out;
        for (const EmbeddedFile& file : embedded_schema()) {
            int version = 0;
            auto [end, ec] =
                std::from_chars(file.name.data(), file.name.data() + file.name.size(), version);
            if (ec != std::errc() || end == file.name.data() || *end != '_') {
                throw std::logic_error("schema file without a number: " + std::string(file.name));
            }
            out.push_back({version, file.name, file.data});
        }
        std::sort(out.begin(), out.end(),
                  [](const Migration& a, const Migration& b) { return a.version < b.version; });
        return out;
    }();
    return list;
}

} // namespace smtpprobe::store
