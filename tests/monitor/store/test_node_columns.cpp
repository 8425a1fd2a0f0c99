// Schema 018: every row that records an observation names the node that made it (NULL when
// none is known); the writers of the DNSBL answers, hygiene checks, probe runs, bounces and
// evidence bind it.
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/store/bounce_rows.hpp"
#include "monitor/store/delivery_rows.hpp"
#include "monitor/store/dnsbl_rows.hpp"
#include "monitor/store/hygiene_rows.hpp"
#include "monitor/store/probe_store.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

namespace {

std::string node_of(store::Database& db, const std::string& table)
{
    store::Statement st(db, "SELECT coalesce(node, '(null)') FROM " + table + " ORDER BY id DESC");
    REQUIRE(st.step());
    return st.column_text(0);
}

} // namespace

TEST_CASE("store: observation rows carry the node that observed them")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    store::DnsblCheckRow dnsbl{
        "2026-03-11T20:00:00Z", "192.0.2.1", "zen.spamhaus.org", "clean", "[]", "", "", "mx1"};
    store::insert_dnsbl_check(db, dnsbl);
    CHECK(node_of(db, "dnsbl_check") == "mx1");
    dnsbl.node.clear();
    store::insert_dnsbl_check(db, dnsbl);
    CHECK(node_of(db, "dnsbl_check") == "(null)"); // unknown, not ""

    store::HygieneRow hygiene;
    hygiene.ip = "192.0.2.1";
    hygiene.time = "2026-03-11T20:00:00Z";
    hygiene.helo = "mx1.example.org";
    hygiene.mail_from_domain = "example.org";
    hygiene.ptr_names = "[]";
    hygiene.spf = "pass";
    hygiene.node = "mx2";
    store::insert_hygiene_check(db, hygiene);
    CHECK(node_of(db, "hygiene_check") == "mx2");

    probe::ProbeResult run;
    run.script = "probe";
    run.target = "gmail.com";
    store::ProbeAnnotations annotations;
    annotations.node = "mx3";
    store::store_probe_result(db, run, annotations);
    CHECK(node_of(db, "probe_run") == "mx3");

    {
        store::Transaction tx(db);
        store::DeliveryRows deliveries(db, "mx4");
        store::DeliveryRowView delivery;
        delivery.time = "2026-03-11T20:00:00Z";
        delivery.mta = "postfix";
        delivery.recipient = "a@example.org";
        delivery.status = "sent";
        delivery.source_key = "k1";
        CHECK(deliveries.insert(delivery));
        CHECK(deliveries.insert_finding(
            {"2026-03-11T20:00:00Z", "backscatter", "mx4", "Q1", "DSN: Return receipt", "k1"}));
        store::BounceRows bounces(db, "mx5");
        store::BounceRowView bounce;
        bounce.time = "2026-03-11T20:00:00Z";
        bounce.kind = "bounce";
        bounce.source_key = "b1";
        CHECK(bounces.insert_bounce(bounce));
        evidence::EvidenceWriter writer(db, "mx6");
        evidence::Decision decision;
        decision.recorded = true;
        decision.ip = "192.0.2.1";
        decision.scope = "google";
        decision.verdict = evidence::Verdict::clear;
        writer.record("2026-03-11T20:00:00Z", evidence::SourceKind::probe, 1, decision);
        writer.write();
        tx.commit();
    }
    CHECK(node_of(db, "delivery") == "mx4");
    CHECK(node_of(db, "finding") == "mx4");
    CHECK(node_of(db, "bounce") == "mx5");
    CHECK(node_of(db, "evidence") == "mx6");
}
