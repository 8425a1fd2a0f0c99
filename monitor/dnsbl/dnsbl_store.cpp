// See dnsbl_store.hpp.
#include "monitor/dnsbl/dnsbl_store.hpp"

#include "monitor/episodes/episode_builder.hpp"
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/store/dnsbl_rows.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace smtpprobe::dnsbl {

namespace {

std::string joined(const std::vector<std::string>& items, const char* separator)
{
    std::string out;
    for (const std::string& item : items) {
        out += (out.empty() ? "" : separator) + item;
    }
    return out;
}

} // namespace

RecordCounts record_dnsbl_report(store::Database& db, const config::Config& config,
                                 const DnsblReport& report, const std::string& time)
{
    RecordCounts counts;
    const evidence::OurIps ours = evidence::OurIps::of(config);
    {
        store::Transaction tx(db);
        const std::string node = monitor::node_name(config);
        evidence::EvidenceWriter writer(db, node);
        evidence::Decision decision;
        for (const IpReport& ip : report.ips) {
            const std::string address = ip.ip.to_string();
            for (const ZoneCheck& check : ip.zones) {
                store::DnsblCheckRow row{time,
                                         address,
                                         check.zone,
                                         to_string(check.result),
                                         json_text(nlohmann::json(check.codes)),
                                         joined(check.txt, "\n"),
                                         check.meaning,
                                         node};
                const std::int64_t id = store::insert_dnsbl_check(db, row);
                const std::string scope = "dnsbl/" + check.zone;
                const std::string codes = joined(check.codes, ",");
                const std::string meaning = printable(check.meaning, 300);
                evidence::Observation o;
                o.source = evidence::SourceKind::dnsbl;
                o.observed = evidence::Observed::statement;
                o.stated_scope = scope;
                o.stated_code = codes;
                o.source_ip = address;
                if (check.result == Listing::listed) {
                    o.stated_verdict = evidence::Verdict::blocked;
                    o.stated_reason = check.policy ? "policy-listed" : "listed";
                    ++counts.listed;
                } else if (check.result == Listing::clean) {
                    o.stated_verdict = evidence::Verdict::clear;
                    o.stated_reason = "not listed";
                } else {
                    o.stated_verdict = evidence::Verdict::unknown;
                    o.stated_reason = meaning;
                    ++counts.unknown;
                }
                evidence::decide(o, ours, decision);
                writer.record(time, evidence::SourceKind::dnsbl, id, decision);
            }
        }
        writer.write();
        tx.commit();
    }
    episodes::update_episodes(db, config);
    return counts;
}

} // namespace smtpprobe::dnsbl
