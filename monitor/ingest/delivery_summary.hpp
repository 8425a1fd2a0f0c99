// What an ingest run found, for people and for scripts: delivery attempts by MTA status and by
// outcome class (delivery_classification.hpp: blocked, rejected, deferred, unreachable, tls,
// auth, config, failed), and the failed ones grouped by outcome class, receiver scope, reason
// and provider code (with the status, the provider's action and one sample reply) —
// pflogsumm's "bounce detail", but grouped the way each class is handled. Only "blocked"
// counts as a block of our IP or domain. Bounded: at most k_group_limit groups (the rest are
// counted apart).
#pragma once

#include "monitor/evidence/outcome_class.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "monitor/ingest/log_ingester.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

namespace smtpprobe::ingest {

class DeliverySummary {
public:
    static constexpr std::size_t k_group_limit = 10000;

    void add(const DeliveryEvent& event);

    // Human summary (peer text escaped).
    std::string render_text(const IngestCounts& counts) const;
    // {"summary": {...counts..., "groups": [...]}}
    nlohmann::json to_json(const IngestCounts& counts) const;

    std::uint64_t blocked() const { return m_blocked; }

private:
    struct Group {
        std::string provider;
        std::string status;
        std::string action;
        std::string sample;
        std::uint64_t attempts = 0;
        std::uint64_t blocks = 0;
        std::int64_t first = 0;
        std::int64_t last = 0;
    };
    // outcome class, scope, reason, code
    using Key = std::tuple<evidence::OutcomeClass, std::string, std::string, std::string>;
    static constexpr std::size_t k_classes =
        static_cast<std::size_t>(evidence::OutcomeClass::unclassified) + 1;

    std::map<Key, Group> m_groups;
    std::array<std::uint64_t, k_classes> m_outcomes{};
    std::set<std::string> m_mtas; // MTAs whose lines were read (for the remedy text)
    std::uint64_t m_sent = 0;
    std::uint64_t m_deferred = 0;
    std::uint64_t m_bounced = 0;
    std::uint64_t m_other = 0;
    std::uint64_t m_blocked = 0;
    std::uint64_t m_ungrouped = 0;
};

// One delivery attempt as a JSON object (the --json line): time, mta, host, queue_id,
// recipient, relay_host, relay_ip, dsn, status, reply, reply_truncated, provider, scope,
// reason, provider_code, outcome (the class) (+ sender, about, verdict).
nlohmann::json delivery_json(const DeliveryEvent& event);

} // namespace smtpprobe::ingest
