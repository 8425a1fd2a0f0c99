// receiver_for_host: which provider runs a receiving host and at which granularity its blocks
// differ (Microsoft consumer clusters, Microsoft 365 tenants, or the host itself).
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/reply_facts.hpp"

namespace smtpprobe::classify {
namespace {

struct ProviderSuffix {
    std::string_view suffix;
    std::string_view provider;
};

// Hosted receivers and filtering services whose reputation systems act across all their
// customers: the provider is the scope. Longest, most specific suffixes first.
constexpr ProviderSuffix k_providers[] = {
    {"google.com", "google"},
    {"googlemail.com", "google"},
    {"gmail.com", "google"},
    {"yahoodns.net", "yahoo"},
    {"yahoo.com", "yahoo"},
    {"yahoo.net", "yahoo"},
    {"aol.com", "yahoo"},
    {"aol.net", "yahoo"},
    {"icloud.com", "apple"},
    {"me.com", "apple"},
    {"mac.com", "apple"},
    {"apple.com", "apple"},
    {"gmx.net", "gmx"},
    {"gmx.de", "gmx"},
    {"gmx.com", "gmx"},
    {"web.de", "gmx"},
    {"kundenserver.de", "gmx"},
    {"mail.com", "gmx"},
    {"mail.ru", "mailru"},
    {"yandex.net", "yandex"},
    {"yandex.ru", "yandex"},
    {"yandex.com", "yandex"},
    {"zoho.com", "zoho"},
    {"zoho.eu", "zoho"},
    {"zoho.in", "zoho"},
    {"zohomail.com", "zoho"},
    {"pphosted.com", "proofpoint"},
    {"ppe-hosted.com", "proofpoint"},
    {"proofpoint.com", "proofpoint"},
    {"mimecast.com", "mimecast"},
    {"mimecast.co.za", "mimecast"},
    {"mimecast-offshore.com", "mimecast"},
    {"barracudanetworks.com", "barracuda"},
    {"barracuda.com", "barracuda"},
    {"cudamail.com", "barracuda"},
    {"iphmx.com", "cisco-ironport"},
    {"messagelabs.com", "broadcom-messagelabs"},
    {"amazonses.com", "amazon-ses"},
    {"secureserver.net", "godaddy"},
    {"comcast.net", "comcast"},
    {"att.net", "att"},
    {"orange.fr", "orange"},
    {"qq.com", "tencent"},
};

bool has_suffix(std::string_view host, std::string_view suffix)
{
    if (host == suffix) {
        return true;
    }
    return host.size() > suffix.size() && host.ends_with(suffix) &&
           host[host.size() - suffix.size() - 1] == '.';
}

// The label just before `suffix` ("eur" in "eur.olc.protection.outlook.com").
std::string_view label_before(std::string_view host, std::string_view suffix)
{
    std::string_view head = host.substr(0, host.size() - suffix.size() - 1);
    const auto dot = head.rfind('.');
    return dot == std::string_view::npos ? head : head.substr(dot + 1);
}

} // namespace

Receiver receiver_for_host(std::string_view raw_host)
{
    return receiver_for_normalized_host(normalize_host(raw_host));
}

Receiver receiver_for_normalized_host(std::string_view host)
{
    if (host.empty()) {
        return {};
    }
    // Microsoft 365 tenants: <tenant>.mail.protection.outlook.com, one scope per tenant,
    // because each tenant keeps its own block and allow lists (5.7.511/5.7.513).
    constexpr std::string_view k_m365 = "mail.protection.outlook.com";
    if (has_suffix(host, k_m365) && host != k_m365) {
        return {"microsoft-365", "microsoft-365/" + std::string(label_before(host, k_m365))};
    }
    // Outlook.com / Hotmail consumer clusters: eur, nam, apc, hotmail-com, outlook-com ...
    constexpr std::string_view k_olc = "olc.protection.outlook.com";
    if (has_suffix(host, k_olc) && host != k_olc) {
        return {"microsoft-consumer",
                "microsoft-consumer/" + std::string(label_before(host, k_olc))};
    }
    if (has_suffix(host, "hotmail.com") || has_suffix(host, "live.com") ||
        has_suffix(host, "msn.com")) {
        return {"microsoft-consumer", "microsoft-consumer/hotmail-com"};
    }
    // Microsoft's own transport servers (*.prod.outlook.com, *.protection.outlook.com) carry
    // both services; they say Microsoft 365 without naming a tenant.
    if (has_suffix(host, "protection.outlook.com") || has_suffix(host, "prod.outlook.com") ||
        has_suffix(host, "outlook.office365.com")) {
        return {"microsoft-365", "microsoft-365"};
    }
    if (has_suffix(host, "outlook.com")) {
        return {"microsoft-consumer", "microsoft-consumer/outlook-com"};
    }
    for (const ProviderSuffix& entry : k_providers) {
        if (has_suffix(host, entry.suffix)) {
            return {std::string(entry.provider), std::string(entry.provider)};
        }
    }
    return {"other", "host/" + std::string(host)};
}

} // namespace smtpprobe::classify
