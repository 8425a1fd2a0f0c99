// The stage table: names, defaults, and "STAGE=SECONDS" overrides.
#include "probe/limits.hpp"

#include <charconv>
#include <cmath>

namespace smtpprobe::probe {

namespace {

constexpr std::array<const char*, k_stage_count> k_stage_names = {
    "connect", "banner", "ehlo",     "helo", "starttls", "tls-handshake", "mail",
    "rcpt",    "data",   "data-end", "rset", "quit",     "session",
};

} // namespace

const char* stage_name(Stage stage)
{
    return k_stage_names[static_cast<std::size_t>(stage)];
}

std::optional<Stage> parse_stage(std::string_view name)
{
    for (std::size_t i = 0; i < k_stage_count; ++i) {
        if (name == k_stage_names[i]) {
            return static_cast<Stage>(i);
        }
    }
    if (name == "tls") {
        return Stage::tls_handshake;
    }
    return std::nullopt;
}

Limits::Limits()
{
    using std::chrono::seconds;
    auto set_default = [this](Stage s, seconds d) { deadline[static_cast<std::size_t>(s)] = d; };
    set_default(Stage::connect, seconds(20));
    set_default(Stage::banner, seconds(60));
    set_default(Stage::ehlo, seconds(60));
    set_default(Stage::helo, seconds(60));
    set_default(Stage::starttls, seconds(60));
    set_default(Stage::tls_handshake, seconds(30));
    set_default(Stage::mail, seconds(60));
    set_default(Stage::rcpt, seconds(60));
    set_default(Stage::data, seconds(60));
    set_default(Stage::data_end, seconds(120));
    set_default(Stage::rset, seconds(30));
    set_default(Stage::quit, seconds(10));
    set_default(Stage::session, seconds(300));
}

std::string default_deadlines_text()
{
    const Limits defaults;
    std::string out;
    for (std::size_t i = 0; i < k_stage_count; ++i) {
        const auto ms = defaults.deadline[i].count();
        out += (out.empty() ? "" : ", ") + std::string(k_stage_names[i]) + " " +
               (ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(ms / 1000.0)) + " s";
    }
    return out;
}

bool Limits::set(std::string_view spec, std::string* error)
{
    auto eq = spec.find('=');
    if (eq == std::string_view::npos) {
        *error = "--timeout wants STAGE=SECONDS, got '" + std::string(spec) + "'";
        return false;
    }
    std::string_view name = spec.substr(0, eq);
    std::string_view value = spec.substr(eq + 1);
    double seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(seconds) ||
        seconds <= 0 || seconds > 86400) {
        *error = "--timeout " + std::string(name) + ": '" + std::string(value) +
                 "' is not a number of seconds between 0 and 86400";
        return false;
    }
    auto ms = std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
    if (ms.count() == 0) {
        ms = std::chrono::milliseconds(1);
    }
    if (name == "all") {
        for (std::size_t i = 0; i < k_stage_count; ++i) {
            if (static_cast<Stage>(i) != Stage::session) {
                deadline[i] = ms;
            }
        }
        return true;
    }
    auto stage = parse_stage(name);
    if (!stage) {
        std::string names;
        for (const char* n : k_stage_names) {
            names += names.empty() ? "" : ", ";
            names += n;
        }
        *error =
            "--timeout: unknown stage '" + std::string(name) + "' (one of: " + names + ", all)";
        return false;
    }
    deadline[static_cast<std::size_t>(*stage)] = ms;
    return true;
}

} // namespace smtpprobe::probe
