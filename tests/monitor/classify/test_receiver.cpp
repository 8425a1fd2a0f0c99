// receiver_for_host: provider and scope per receiving host, table-driven.
#include "monitor/classify/classifier.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using smtpprobe::classify::receiver_for_host;

TEST_CASE("receiver: provider and scope from the receiving host")
{
    struct Row {
        std::string host, provider, scope;
    };
    const std::vector<Row> rows = {
        {"eur.olc.protection.outlook.com", "microsoft-consumer", "microsoft-consumer/eur"},
        {"EUR.OLC.PROTECTION.OUTLOOK.COM.", "microsoft-consumer", "microsoft-consumer/eur"},
        {"nam.olc.protection.outlook.com", "microsoft-consumer", "microsoft-consumer/nam"},
        {"apc.olc.protection.outlook.com", "microsoft-consumer", "microsoft-consumer/apc"},
        {"hotmail-com.olc.protection.outlook.com", "microsoft-consumer",
         "microsoft-consumer/hotmail-com"},
        {"mx1.hotmail.com", "microsoft-consumer", "microsoft-consumer/hotmail-com"},
        {"outlook-com.olc.protection.outlook.com", "microsoft-consumer",
         "microsoft-consumer/outlook-com"},
        {"mit-edu.mail.protection.outlook.com.", "microsoft-365", "microsoft-365/mit-edu"},
        {"dns; contoso-com.mail.protection.outlook.com", "microsoft-365",
         "microsoft-365/contoso-com"},
        {"AM6EUR05HT060.eop-eur05.prod.protection.outlook.com", "microsoft-365", "microsoft-365"},
        {"gmail-smtp-in.l.google.com", "google", "google"},
        {"aspmx.l.google.com", "google", "google"},
        {"mta7.am0.yahoodns.net", "yahoo", "yahoo"},
        {"mx-aol.mail.gm0.yahoodns.net", "yahoo", "yahoo"},
        {"mx01.mail.icloud.com", "apple", "apple"},
        {"mx00.emig.gmx.net", "gmx", "gmx"},
        {"mx-ha03.web.de", "gmx", "gmx"},
        {"mxs.mail.ru", "mailru", "mailru"},
        {"mx.yandex.net", "yandex", "yandex"},
        {"mx.zoho.com", "zoho", "zoho"},
        {"mx0a-001b2d01.pphosted.com", "proofpoint", "proofpoint"},
        {"eu-smtp-inbound-1.mimecast.com", "mimecast", "mimecast"},
        {"d123456a.ess.barracudanetworks.com", "barracuda", "barracuda"},
        {"mx1.hc1234-56.iphmx.com", "cisco-ironport", "cisco-ironport"},
        {"mail.example.org", "other", "host/mail.example.org"},
        {"[192.0.2.1]", "other", "host/192.0.2.1"},
        {"notgoogle.com", "other", "host/notgoogle.com"},
        {"", "", ""},
    };
    for (const Row& row : rows) {
        INFO("host: " << row.host);
        const auto receiver = receiver_for_host(row.host);
        CHECK(receiver.provider == row.provider);
        CHECK(receiver.scope == row.scope);
    }
}
