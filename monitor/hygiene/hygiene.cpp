// See hygiene.hpp.
#include "monitor/hygiene/hygiene.hpp"

#include "probe/dns/gather.hpp"

#include <algorithm>
#include <cctype>

#pragma GCC diagnostic ignored "-Wmismatched-new-delete" // Boost 1.74 awaitable frames, g++ 12

namespace smtpprobe::hygiene {

namespace asio = boost::asio;
using dns::Answer;
using dns::Status;

namespace {

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!text.empty() && text.back() == '.') {
        text.pop_back();
    }
    return text;
}

std::string trim(std::string_view text)
{
    const std::size_t start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) {
        return "";
    }
    const std::size_t end = text.find_last_not_of(" \t");
    return std::string(text.substr(start, end - start + 1));
}

asio::awaitable<DmarcCheck> dmarc_at(dns::Resolver& resolver, std::string domain)
{
    DmarcCheck check;
    check.domain = domain;
    Answer answer = co_await resolver.query_txt("_dmarc." + domain);
    if (answer.status == Status::timeout || answer.status == Status::error) {
        check.unknown = true;
        check.detail = answer.error;
        co_return check;
    }
    std::vector<std::string> records;
    for (const std::string& text : answer.texts) {
        if (lower(trim(text.substr(0, 9))).rfind("v=dmarc1", 0) == 0) {
            records.push_back(text);
        }
    }
    if (records.empty()) {
        check.detail = "no DMARC record at _dmarc." + domain;
        co_return check;
    }
    check.present = true;
    check.record = records[0];
    if (records.size() > 1) {
        check.detail = "several DMARC records at _dmarc." + domain + ": receivers ignore them all";
        co_return check;
    }
    check.policy = dmarc_policy(records[0]);
    check.detail = check.policy.empty() ? "DMARC record without a valid p= policy"
                                        : "DMARC policy p=" + check.policy;
    co_return check;
}

} // namespace

std::string dmarc_policy(const std::string& record)
{
    std::vector<std::string> tags;
    std::size_t start = 0;
    while (start <= record.size()) {
        const std::size_t end = std::min(record.find(';', start), record.size());
        tags.push_back(trim(std::string_view(record).substr(start, end - start)));
        start = end + 1;
    }
    if (tags.empty() || lower(tags[0]).substr(0, 8) != "v=dmarc1" ||
        trim(std::string_view(tags[0]).substr(tags[0].find('=') + 1)).size() != 6) {
        return "";
    }
    for (std::size_t i = 1; i < tags.size(); ++i) {
        const std::size_t equals = tags[i].find('=');
        if (equals == std::string::npos) {
            continue;
        }
        if (lower(trim(std::string_view(tags[i]).substr(0, equals))) == "p") {
            const std::string value = lower(trim(std::string_view(tags[i]).substr(equals + 1)));
            if (value == "none" || value == "quarantine" || value == "reject") {
                return value;
            }
            return "";
        }
    }
    return "";
}

asio::awaitable<DmarcCheck> check_dmarc(dns::Resolver& resolver, std::string domain)
{
    domain = lower(domain);
    DmarcCheck check = co_await dmarc_at(resolver, domain);
    if (check.present || check.unknown) {
        co_return check;
    }
    const std::size_t last = domain.rfind('.');
    const std::size_t second = last == std::string::npos ? last : domain.rfind('.', last - 1);
    if (second == std::string::npos) {
        co_return check;
    }
    DmarcCheck organisational = co_await dmarc_at(resolver, domain.substr(second + 1));
    if (organisational.present || organisational.unknown) {
        co_return organisational;
    }
    co_return check;
}

asio::awaitable<PtrCheck> check_ptr(dns::Resolver& resolver, asio::ip::address ip, std::string helo)
{
    if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
        ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
    }
    PtrCheck check;
    Answer ptr = co_await resolver.query_ptr(ip);
    if (ptr.status == Status::timeout || ptr.status == Status::error) {
        check.unknown = true;
        check.detail = ptr.error;
        co_return check;
    }
    if (ptr.status != Status::ok) {
        check.detail = "no PTR record for " + ip.to_string() + " (many receivers refuse mail " +
                       "from addresses without reverse DNS)";
        co_return check;
    }
    check.names = ptr.texts;
    if (check.names.size() > 10) {
        check.names.resize(10);
    }
    std::vector<asio::awaitable<Answer>> forward;
    for (const std::string& name : check.names) {
        if (ip.is_v4()) {
            forward.push_back(resolver.query_a(name));
        } else {
            forward.push_back(resolver.query_aaaa(name));
        }
    }
    std::vector<Answer> answers = co_await dns::gather(std::move(forward));
    const std::string wanted_helo = lower(helo);
    bool forward_failed = false;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        forward_failed = forward_failed || answers[i].status == Status::timeout ||
                         answers[i].status == Status::error;
        const auto& addresses = answers[i].addresses;
        if (std::find(addresses.begin(), addresses.end(), ip) == addresses.end()) {
            continue;
        }
        if (!check.forward_confirmed) {
            check.forward_confirmed = true;
            check.confirmed_name = check.names[i];
        }
        if (!wanted_helo.empty() && lower(check.names[i]) == wanted_helo) {
            check.matches_helo = true;
            check.confirmed_name = check.names[i];
        }
    }
    if (!check.forward_confirmed) {
        check.unknown = forward_failed;
        check.detail = "PTR " + check.names.front() + " does not resolve back to " +
                       ip.to_string() + " (no forward-confirmed reverse DNS)";
    } else if (!check.matches_helo) {
        check.detail = "HELO '" + helo + "' is not the PTR name " + check.confirmed_name;
    } else {
        check.detail = "PTR " + check.confirmed_name + " resolves back and matches HELO";
    }
    co_return check;
}

namespace {

// Free coroutines, not capturing lambdas: a lambda's captures die with the closure object,
// before the coroutine that refers to them has finished.
asio::awaitable<int> ptr_part(dns::Resolver& resolver, asio::ip::address ip, std::string helo,
                              PtrCheck* out)
{
    *out = co_await check_ptr(resolver, ip, std::move(helo));
    co_return 0;
}

asio::awaitable<int> spf_part(dns::Resolver& resolver, asio::ip::address ip, std::string sender,
                              std::string helo, SpfOutcome* out)
{
    *out = co_await check_spf(resolver, ip, std::move(sender), std::move(helo));
    co_return 0;
}

asio::awaitable<int> dmarc_part(dns::Resolver& resolver, std::string domain, DmarcCheck* out)
{
    *out = co_await check_dmarc(resolver, std::move(domain));
    co_return 0;
}

} // namespace

bool HygieneReport::all_ok() const
{
    return ptr.forward_confirmed && ptr.matches_helo && spf.result == SpfResult::pass &&
           dmarc.present && !dmarc.policy.empty();
}

bool HygieneReport::any_unknown() const
{
    return ptr.unknown || dmarc.unknown || spf.result == SpfResult::temperror;
}

asio::awaitable<HygieneReport> check_hygiene(dns::Resolver& resolver, asio::ip::address ip,
                                             std::string helo, std::string mail_from_domain)
{
    HygieneReport report;
    report.ip = ip.to_string();
    report.helo = helo;
    const std::size_t at = mail_from_domain.rfind('@');
    report.mail_from_domain =
        at == std::string::npos ? mail_from_domain : mail_from_domain.substr(at + 1);
    // The three checks run at once, each writing its own part of the report.
    std::vector<asio::awaitable<int>> parts;
    parts.push_back(ptr_part(resolver, ip, helo, &report.ptr));
    parts.push_back(spf_part(resolver, ip, mail_from_domain, helo, &report.spf));
    parts.push_back(dmarc_part(resolver, report.mail_from_domain, &report.dmarc));
    co_await dns::gather(std::move(parts));
    co_return report;
}

} // namespace smtpprobe::hygiene
