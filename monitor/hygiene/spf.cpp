// See spf.hpp. One Evaluation carries the counters across include/redirect recursion; each
// record is parsed into terms, then the directives are tried left to right.
#include "monitor/hygiene/spf.hpp"

#include "monitor/hygiene/spf_macro.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#pragma GCC diagnostic ignored "-Wmismatched-new-delete" // Boost 1.74 awaitable frames, g++ 12

namespace smtpprobe::hygiene {

namespace asio = boost::asio;
using dns::Answer;
using dns::Status;

namespace {

constexpr int k_max_lookups = 10;
constexpr int k_max_void_lookups = 2;
constexpr std::size_t k_max_names = 10;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

struct Term {
    bool modifier = false;
    char qualifier = '+';
    std::string name;   // mechanism or modifier name, lower case
    std::string domain; // domain-spec (mechanisms) or value (modifiers); "" if none
    std::string ip;     // ip4/ip6 address text
    int cidr4 = 32;
    int cidr6 = 128;
};

// The outcome of one step: a final result, or "no match, go on".
struct Step {
    std::optional<SpfResult> result;
    bool matched = false;
    std::string detail;
};

bool parse_cidr(std::string_view text, int max, int* out)
{
    int value = -1;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0 ||
        value > max || (text.size() > 1 && text[0] == '0')) {
        return false;
    }
    *out = value;
    return true;
}

// Splits "domain/24//64" style arguments; the domain part may hold macros.
bool parse_dual_cidr(std::string_view text, Term* term)
{
    const std::size_t slash = text.find('/');
    term->domain = std::string(text.substr(0, slash));
    if (slash == std::string_view::npos) {
        return true;
    }
    std::string_view cidrs = text.substr(slash);
    const std::size_t dual = cidrs.find("//");
    std::string_view v4 = dual == std::string_view::npos ? cidrs : cidrs.substr(0, dual);
    std::string_view v6 = dual == std::string_view::npos ? "" : cidrs.substr(dual + 2);
    if (!v4.empty()) {
        if (v4[0] != '/' || !parse_cidr(v4.substr(1), 32, &term->cidr4)) {
            return false;
        }
    }
    if (dual != std::string_view::npos && !parse_cidr(v6, 128, &term->cidr6)) {
        return false;
    }
    return true;
}

std::optional<Term> parse_term(const std::string& text, std::string* error)
{
    Term term;
    // Modifier: name "=" value, with the name [A-Za-z][A-Za-z0-9-_.]*.
    const std::size_t equals = text.find('=');
    const std::size_t name_end = text.find_first_of(":/");
    if (equals != std::string::npos && (name_end == std::string::npos || equals < name_end)) {
        term.modifier = true;
        term.name = lower(text.substr(0, equals));
        term.domain = text.substr(equals + 1);
        if (term.name.empty() || std::isalpha(static_cast<unsigned char>(term.name[0])) == 0) {
            *error = "bad modifier '" + text + "'";
            return std::nullopt;
        }
        return term;
    }
    std::string_view rest = text;
    if (!rest.empty() && std::string_view("+-~?").find(rest[0]) != std::string_view::npos) {
        term.qualifier = rest[0];
        rest.remove_prefix(1);
    }
    std::size_t end = 0;
    while (end < rest.size() && std::isalnum(static_cast<unsigned char>(rest[end])) != 0) {
        ++end;
    }
    term.name = lower(std::string(rest.substr(0, end)));
    std::string_view arg = rest.substr(end);
    auto bad = [&] {
        *error = "bad term '" + text + "'";
        return std::nullopt;
    };
    if (term.name == "all") {
        return arg.empty() ? std::optional<Term>(term) : bad();
    }
    if (term.name == "include" || term.name == "exists") {
        if (arg.size() < 2 || arg[0] != ':') {
            return bad();
        }
        term.domain = std::string(arg.substr(1));
        return term;
    }
    if (term.name == "a" || term.name == "mx") {
        if (!arg.empty() && arg[0] == ':') {
            arg.remove_prefix(1);
            if (arg.empty() || arg[0] == '/') {
                return bad();
            }
        } else if (!arg.empty() && arg[0] != '/') {
            return bad();
        }
        return parse_dual_cidr(arg, &term) ? std::optional<Term>(term) : bad();
    }
    if (term.name == "ptr") {
        if (!arg.empty()) {
            if (arg[0] != ':' || arg.size() < 2) {
                return bad();
            }
            term.domain = std::string(arg.substr(1));
        }
        return term;
    }
    if (term.name == "ip4" || term.name == "ip6") {
        if (arg.size() < 2 || arg[0] != ':') {
            return bad();
        }
        arg.remove_prefix(1);
        const std::size_t slash = arg.find('/');
        term.ip = std::string(arg.substr(0, slash));
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(term.ip, ec);
        if (ec || (term.name == "ip4") != address.is_v4()) {
            return bad();
        }
        if (slash != std::string_view::npos) {
            int* cidr = term.name == "ip4" ? &term.cidr4 : &term.cidr6;
            if (!parse_cidr(arg.substr(slash + 1), term.name == "ip4" ? 32 : 128, cidr)) {
                return bad();
            }
        }
        return term;
    }
    *error = "unknown mechanism '" + text + "'";
    return std::nullopt;
}

bool in_network(const asio::ip::address& ip, const asio::ip::address& network, int cidr4, int cidr6)
{
    if (ip.is_v4() != network.is_v4()) {
        return false;
    }
    const int bits = ip.is_v4() ? cidr4 : cidr6;
    auto compare = [bits](const auto& a, const auto& b) {
        for (int i = 0; i < bits; ++i) {
            const auto byte = static_cast<std::size_t>(i / 8);
            const int mask = 0x80 >> (i % 8);
            if ((a[byte] & mask) != (b[byte] & mask)) {
                return false;
            }
        }
        return true;
    };
    if (ip.is_v4()) {
        return compare(ip.to_v4().to_bytes(), network.to_v4().to_bytes());
    }
    return compare(ip.to_v6().to_bytes(), network.to_v6().to_bytes());
}

SpfResult qualifier_result(char qualifier)
{
    switch (qualifier) {
    case '-':
        return SpfResult::fail;
    case '~':
        return SpfResult::softfail;
    case '?':
        return SpfResult::neutral;
    default:
        return SpfResult::pass;
    }
}

class Evaluation {
public:
    Evaluation(dns::Resolver& resolver, MacroInputs inputs)
        : m_resolver(resolver), m_inputs(std::move(inputs))
    {
    }
    int lookups() const { return m_lookups; }

    // RFC 7208 section 4: check_host(ip, domain, sender). *record gets the record text.
    asio::awaitable<Step> check_host(std::string domain, std::string* record)
    {
        Answer txt = co_await m_resolver.query_txt(domain);
        if (txt.status == Status::timeout || txt.status == Status::error) {
            co_return final(SpfResult::temperror, "SPF record of " + domain + ": " + txt.error);
        }
        std::vector<std::string> records;
        for (const std::string& text : txt.texts) {
            const std::string head = lower(text.substr(0, 7));
            if (head == "v=spf1" || head == "v=spf1 ") {
                records.push_back(text);
            }
        }
        if (records.empty()) {
            co_return final(SpfResult::none, domain + " has no SPF record");
        }
        if (records.size() > 1) {
            co_return final(SpfResult::permerror, domain + " has several SPF records");
        }
        if (record != nullptr) {
            *record = records[0];
        }
        co_return co_await evaluate(domain, records[0]);
    }

private:
    static Step final(SpfResult result, std::string detail)
    {
        Step step;
        step.result = result;
        step.detail = std::move(detail);
        return step;
    }

    // Counts a DNS-querying term; false (permerror) past the limit.
    bool count_lookup() { return ++m_lookups <= k_max_lookups; }

    // Counts a void answer (NXDOMAIN or no data); false (permerror) past the limit.
    bool count_void(const Answer& answer)
    {
        if (answer.status == Status::nxdomain || answer.status == Status::nodata) {
            return ++m_voids <= k_max_void_lookups;
        }
        return true;
    }

    std::optional<std::string> expand(const std::string& spec, const std::string& domain,
                                      std::string* error)
    {
        if (spec.empty()) {
            return domain;
        }
        MacroInputs inputs = m_inputs;
        inputs.domain = domain;
        return expand_spf_macros(spec, inputs, error);
    }

    asio::awaitable<Answer> addresses(const std::string& name)
    {
        // Two plain co_awaits: g++ 12 mishandles a conditional expression of awaitables.
        if (m_inputs.ip.is_v4()) {
            co_return co_await m_resolver.query_a(name);
        }
        co_return co_await m_resolver.query_aaaa(name);
    }

    asio::awaitable<Step> evaluate(const std::string& domain, const std::string& record)
    {
        std::vector<Term> terms;
        std::optional<std::string> redirect;
        std::size_t pos = 6; // after "v=spf1"
        while (pos < record.size()) {
            const std::size_t start = record.find_first_not_of(' ', pos);
            if (start == std::string::npos) {
                break;
            }
            const std::size_t end = std::min(record.find(' ', start), record.size());
            std::string error;
            auto term = parse_term(record.substr(start, end - start), &error);
            if (!term) {
                co_return final(SpfResult::permerror, domain + ": " + error);
            }
            if (term->modifier && term->name == "redirect") {
                if (redirect) {
                    co_return final(SpfResult::permerror, domain + ": two redirect= modifiers");
                }
                redirect = term->domain;
            } else if (!term->modifier) {
                terms.push_back(*term);
            }
            pos = end;
        }
        for (const Term& term : terms) {
            Step step = co_await mechanism(domain, term);
            if (step.result) {
                co_return step;
            }
            if (step.matched) {
                co_return final(qualifier_result(term.qualifier),
                                domain + ": matched " + std::string(1, term.qualifier) + term.name +
                                    (term.domain.empty() ? "" : ":" + term.domain) +
                                    (term.ip.empty() ? "" : ":" + term.ip));
            }
        }
        if (redirect) {
            if (!count_lookup()) {
                co_return final(SpfResult::permerror, "more than 10 DNS lookups");
            }
            std::string error;
            auto target = expand(*redirect, domain, &error);
            if (!target) {
                co_return final(SpfResult::permerror, domain + ": " + error);
            }
            Step step = co_await check_host(*target, nullptr);
            if (step.result == SpfResult::none) {
                co_return final(SpfResult::permerror,
                                domain + ": redirect to " + *target + " which has no SPF record");
            }
            co_return step;
        }
        co_return final(SpfResult::neutral, domain + ": no mechanism matched (neutral)");
    }

    asio::awaitable<Step> mechanism(const std::string& domain, const Term& term)
    {
        Step none;
        if (term.name == "all") {
            none.matched = true;
            co_return none;
        }
        if (term.name == "ip4" || term.name == "ip6") {
            none.matched =
                in_network(m_inputs.ip, asio::ip::make_address(term.ip), term.cidr4, term.cidr6);
            co_return none;
        }
        if (!count_lookup()) {
            co_return final(SpfResult::permerror, "more than 10 DNS lookups");
        }
        std::string error;
        auto target = expand(term.domain, domain, &error);
        if (!target) {
            co_return final(SpfResult::permerror, domain + ": " + error);
        }
        if (term.name == "include") {
            Step inner = co_await check_host(*target, nullptr);
            switch (inner.result.value_or(SpfResult::neutral)) {
            case SpfResult::pass:
                none.matched = true;
                co_return none;
            case SpfResult::fail:
            case SpfResult::softfail:
            case SpfResult::neutral:
                co_return none;
            case SpfResult::temperror:
                co_return inner;
            case SpfResult::none:
            case SpfResult::permerror:
                co_return final(SpfResult::permerror, "include:" + *target + ": " + inner.detail);
            }
        }
        if (term.name == "exists") {
            Answer answer = co_await m_resolver.query_a(*target);
            co_return co_await address_step(answer, "exists:" + *target,
                                            [](const Answer& a) { return !a.addresses.empty(); });
        }
        if (term.name == "a") {
            Answer answer = co_await addresses(*target);
            co_return co_await address_step(answer, "a:" + *target, [&](const Answer& a) {
                return std::any_of(a.addresses.begin(), a.addresses.end(), [&](const auto& n) {
                    return in_network(m_inputs.ip, n, term.cidr4, term.cidr6);
                });
            });
        }
        if (term.name == "mx") {
            Answer mx = co_await m_resolver.query_mx(*target);
            Step step =
                co_await address_step(mx, "mx:" + *target, [](const Answer&) { return false; });
            if (step.result || mx.status != Status::ok) {
                co_return step;
            }
            if (mx.mx.size() > k_max_names) {
                co_return final(SpfResult::permerror, "mx:" + *target + ": more than 10 MX");
            }
            for (const Answer::Mx& host : mx.mx) {
                if (host.host.empty()) {
                    continue;
                }
                Answer answer = co_await addresses(host.host);
                Step inner =
                    co_await address_step(answer, "mx host " + host.host, [&](const Answer& a) {
                        return std::any_of(
                            a.addresses.begin(), a.addresses.end(), [&](const auto& n) {
                                return in_network(m_inputs.ip, n, term.cidr4, term.cidr6);
                            });
                    });
                if (inner.result || inner.matched) {
                    co_return inner;
                }
            }
            co_return none;
        }
        // ptr (RFC 7208 5.5, "do not use"): validated reverse names equal to or under target.
        Answer ptr = co_await m_resolver.query_ptr(m_inputs.ip);
        if (!count_void(ptr)) {
            co_return final(SpfResult::permerror, "more than 2 void DNS lookups");
        }
        const std::string wanted = lower(*target);
        std::size_t checked = 0;
        for (const std::string& name : ptr.texts) {
            if (++checked > k_max_names) {
                break;
            }
            const std::string lname = lower(name);
            if (lname != wanted && !(lname.size() > wanted.size() &&
                                     lname.compare(lname.size() - wanted.size() - 1,
                                                   std::string::npos, "." + wanted) == 0)) {
                continue;
            }
            Answer forward = co_await addresses(name);
            if (std::find(forward.addresses.begin(), forward.addresses.end(), m_inputs.ip) !=
                forward.addresses.end()) {
                none.matched = true;
                co_return none;
            }
        }
        co_return none;
    }

    template <typename Matches>
    asio::awaitable<Step> address_step(const Answer& answer, const std::string& what,
                                       Matches matches)
    {
        if (answer.status == Status::timeout || answer.status == Status::error) {
            co_return final(SpfResult::temperror, what + ": " + answer.error);
        }
        if (!count_void(answer)) {
            co_return final(SpfResult::permerror, "more than 2 void DNS lookups");
        }
        Step step;
        step.matched = answer.status == Status::ok && matches(answer);
        co_return step;
    }

    dns::Resolver& m_resolver;
    MacroInputs m_inputs;
    int m_lookups = 0;
    int m_voids = 0;
};

} // namespace

const char* to_string(SpfResult result)
{
    switch (result) {
    case SpfResult::none:
        return "none";
    case SpfResult::neutral:
        return "neutral";
    case SpfResult::pass:
        return "pass";
    case SpfResult::fail:
        return "fail";
    case SpfResult::softfail:
        return "softfail";
    case SpfResult::temperror:
        return "temperror";
    case SpfResult::permerror:
        return "permerror";
    }
    return "none";
}

asio::awaitable<SpfOutcome> check_spf(dns::Resolver& resolver, asio::ip::address ip,
                                      std::string sender, std::string helo)
{
    if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
        ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
    }
    MacroInputs inputs;
    inputs.ip = ip;
    inputs.helo = helo;
    const std::size_t at = sender.rfind('@');
    inputs.sender_local = at == std::string::npos ? "" : sender.substr(0, at);
    inputs.sender_domain = at == std::string::npos ? sender : sender.substr(at + 1);
    if (inputs.sender_local.empty()) {
        inputs.sender_local = "postmaster";
    }
    while (!inputs.sender_domain.empty() && inputs.sender_domain.back() == '.') {
        inputs.sender_domain.pop_back();
    }
    SpfOutcome outcome;
    if (inputs.sender_domain.empty() || inputs.sender_domain.find('.') == std::string::npos) {
        outcome.result = SpfResult::none;
        outcome.detail = "'" + inputs.sender_domain + "' is not a domain";
        co_return outcome;
    }
    Evaluation evaluation(resolver, inputs);
    Step step = co_await evaluation.check_host(inputs.sender_domain, &outcome.record);
    outcome.result = step.result.value_or(SpfResult::neutral);
    outcome.detail = step.detail;
    outcome.dns_lookups = evaluation.lookups();
    co_return outcome;
}

} // namespace smtpprobe::hygiene
