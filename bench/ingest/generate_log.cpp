// Writes a realistic, reproducible maillog to stdout for the ingest benchmark:
//   generate_log postfix|sendmail LINES [SEED]
// Postfix: per message smtpd connect/TLS/client/disconnect, cleanup, opendkim, qmgr
// from=/removed, per recipient the smtp TLS line and its delivery (one to
// three, to big providers and others), with sent, deferred (greylisting, Yahoo
// TSS04, Gmail 4.7.28) and bounced (Microsoft S3140, 5.7.606, user unknown) replies, bounce
// notifications and some noise. Sendmail: from=, to= with relay host. [ip], stat=, DSN lines.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::uint64_t g_state = 88172645463325252ULL;

std::uint64_t next_random()
{
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return g_state;
}

unsigned pick(unsigned n)
{
    return static_cast<unsigned>(next_random() % n);
}

struct Receiver {
    const char* domain;
    const char* mx;
    const char* ip;
};

constexpr Receiver k_receivers[] = {
    {"gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27"},
    {"hotmail.com", "hotmail-com.olc.protection.outlook.com", "52.101.68.20"},
    {"live.co.uk", "eur.olc.protection.outlook.com", "52.101.73.1"},
    {"mit.edu", "mit-edu.mail.protection.outlook.com", "52.101.41.12"},
    {"yahoo.com", "mta7.am0.yahoodns.net", "67.195.204.72"},
    {"web.de", "mx-ha03.web.de", "212.227.15.41"},
    {"example.org", "mx.example.org", "198.51.100.7"},
    {"icloud.com", "mx01.mail.icloud.com", "17.57.154.6"},
};

struct Outcome {
    const char* dsn;
    const char* status;
    const char* reply;
    unsigned weight;
};

constexpr Outcome k_outcomes[] = {
    {"2.0.0", "sent", "250 2.0.0 OK  1700000000 a1si123456wmq.5 - gsmtp", 70},
    {"2.6.0", "sent", "250 2.6.0 <id@example.com> [InternalId=1234] Queued mail for delivery", 10},
    {"4.7.1", "deferred",
     "host {mx}[{ip}] said: 451 4.7.1 Greylisted, please try again later (in reply to RCPT TO "
     "command)",
     4},
    {"4.7.0", "deferred",
     "host {mx}[{ip}] said: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due "
     "to unexpected volume or user complaints - 4.16.55.1; see "
     "https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)",
     3},
    {"4.7.28", "deferred",
     "host {mx}[{ip}] said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail "
     "originating from your IP address. 421 4.7.28 To protect our users from spam, mail sent "
     "from your IP address has been temporarily rate limited. (in reply to end of DATA command)",
     3},
    {"5.7.1", "bounced",
     "host {mx}[{ip}] said: 550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. "
     "Please contact your Internet service provider since part of their network is on our "
     "block list (S3140). You can also refer your provider to "
     "http://mail.live.com/mail/troubleshooting.aspx#errors. "
     "[AM0PR01MB1234.eurprd01.prod.exchangelabs.com] (in reply to MAIL FROM command)",
     4},
    {"5.7.606", "bounced",
     "host {mx}[{ip}] said: 550 5.7.606 Access denied, banned sending IP [203.0.113.5]. To "
     "request removal from this list please visit https://sender.office.com/ and follow the "
     "directions. (in reply to RCPT TO command)",
     2},
    {"5.1.1", "bounced",
     "host {mx}[{ip}] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in "
     "virtual mailbox table (in reply to RCPT TO command)",
     3},
    {"4.4.1", "deferred", "connect to {mx}[{ip}]:25: Connection timed out", 1},
};

std::string fill(std::string text, const Receiver& r, const std::string& rcpt)
{
    auto replace = [&](const std::string& key, const std::string& value) {
        for (std::size_t at = text.find(key); at != std::string::npos;
             at = text.find(key, at + value.size())) {
            text.replace(at, key.size(), value);
        }
    };
    replace("{mx}", r.mx);
    replace("{ip}", r.ip);
    replace("{rcpt}", rcpt);
    return text;
}

const Outcome& pick_outcome()
{
    unsigned total = 0;
    for (const Outcome& o : k_outcomes) {
        total += o.weight;
    }
    unsigned n = pick(total);
    for (const Outcome& o : k_outcomes) {
        if (n < o.weight) {
            return o;
        }
        n -= o.weight;
    }
    return k_outcomes[0];
}

const char* const k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Classic stamp for second t of a (non-leap) year.
std::string stamp(std::uint64_t t)
{
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    std::uint64_t day = (t / 86400) % 365;
    int month = 0;
    while (day >= static_cast<std::uint64_t>(days_in[month])) {
        day -= static_cast<std::uint64_t>(days_in[month]);
        ++month;
    }
    char out[32];
    std::snprintf(out, sizeof out, "%s %2d %02d:%02d:%02d", k_months[month],
                  static_cast<int>(day) + 1, static_cast<int>(t / 3600 % 24),
                  static_cast<int>(t / 60 % 60), static_cast<int>(t % 60));
    return out;
}

std::string queue_id(bool sendmail)
{
    static const char k_hex[] = "0123456789ABCDEF";
    static const char k_alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string id;
    if (sendmail) {
        for (int i = 0; i < 14; ++i) {
            id += k_alnum[pick(62)];
        }
    } else {
        for (int i = 0; i < 11; ++i) {
            id += k_hex[pick(16)];
        }
    }
    return id;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: generate_log postfix|sendmail LINES [SEED]\n");
        return 2;
    }
    std::string kind = argv[1];
    bool sendmail = kind == "sendmail";
    std::uint64_t lines = std::strtoull(argv[2], nullptr, 10);
    if (argc > 3) {
        g_state ^= std::strtoull(argv[3], nullptr, 10) * 0x9E3779B97F4A7C15ULL;
    }
    std::uint64_t written = 0;
    std::uint64_t t = 3600 * 24 * 30; // Jan 31
    unsigned pid = 1000;
    std::string line;
    auto emit = [&](const std::string& text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
        ++written;
    };
    while (written < lines) {
        t += pick(3);
        std::string ts = stamp(t);
        std::string qid = queue_id(sendmail);
        std::string sender = "user" + std::to_string(pick(5000)) + "@example.com";
        unsigned recipients = 1 + pick(3);
        unsigned size = 800 + pick(200000);
        if (sendmail) {
            emit(ts + " mail sm-mta[" + std::to_string(pid) + "]: " + qid + ": from=<" + sender +
                 ">, size=" + std::to_string(size) +
                 ", class=0, nrcpts=" + std::to_string(recipients) + ", msgid=<" + qid +
                 "@mail.example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]");
            for (unsigned i = 0; i < recipients; ++i) {
                const Receiver& r = k_receivers[pick(8)];
                const Outcome& o = pick_outcome();
                std::string rcpt = "r" + std::to_string(pick(100000)) + "@" + r.domain;
                std::string stat =
                    std::string(o.status) == "sent"       ? "Sent (" + fill(o.reply, r, rcpt) + ")"
                    : std::string(o.status) == "deferred" ? "Deferred: " + fill(o.reply, r, rcpt)
                                                          : std::string("User unknown");
                emit(ts + " mail sm-mta[" + std::to_string(pid + 1) + "]: " + qid + ": to=<" +
                     rcpt + ">, ctladdr=<" + sender + "> (1000/1000), delay=00:00:0" +
                     std::to_string(pick(10)) + ", xdelay=00:00:0" + std::to_string(pick(10)) +
                     ", mailer=esmtp, pri=" + std::to_string(30000 + size) + ", relay=" + r.mx +
                     ". [" + r.ip + "], dsn=" + o.dsn + ", stat=" + stat);
            }
            if (pick(50) == 0) {
                emit(ts + " mail sm-mta[" + std::to_string(pid + 1) + "]: " + qid + ": " +
                     queue_id(true) + ": DSN: Return receipt");
            }
            if (pick(10) == 0) {
                emit(ts + " mail sm-mta[" + std::to_string(pid) +
                     "]: STARTTLS=server, relay=localhost, version=TLSv1.3, verify=NO, "
                     "cipher=TLS_AES_256_GCM_SHA384, bits=256/256");
            }
            pid += 2;
            continue;
        }
        std::string smtpd = " mail postfix/smtpd[" + std::to_string(pid) + "]: ";
        std::string client = "client" + std::to_string(pick(200)) + ".example.net[192.0.2." +
                             std::to_string(pick(250) + 1) + "]";
        emit(ts + smtpd + "connect from " + client);
        emit(ts + smtpd + "Anonymous TLS connection established from " + client +
             ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
             "server-signature RSA-PSS (2048 bits) server-digest SHA256");
        emit(ts + smtpd + qid + ": client=" + client +
             ", sasl_method=PLAIN, sasl_username=" + sender);
        emit(ts + " mail postfix/cleanup[" + std::to_string(pid + 1) + "]: " + qid +
             ": message-id=<" + qid + "." + std::to_string(t) + "@mail.example.com>");
        emit(ts + " mail opendkim[555]: " + qid +
             ": DKIM-Signature field added (s=mail, "
             "d=example.com)");
        emit(ts + " mail postfix/qmgr[999]: " + qid + ": from=<" + sender + ">, size=" +
             std::to_string(size) + ", nrcpt=" + std::to_string(recipients) + " (queue active)");
        emit(ts + smtpd + "disconnect from " + client +
             " ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8");
        bool bounced = false;
        for (unsigned i = 0; i < recipients; ++i) {
            const Receiver& r = k_receivers[pick(8)];
            const Outcome& o = pick_outcome();
            std::string rcpt = "r" + std::to_string(pick(100000)) + "@" + r.domain;
            bounced = bounced || std::string(o.status) == "bounced";
            std::string relay = std::string(o.dsn) == "4.4.1"
                                    ? std::string("none")
                                    : std::string(r.mx) + "[" + r.ip + "]:25";
            if (relay != "none") {
                emit(ts + " mail postfix/smtp[" + std::to_string(pid + 2) +
                     "]: Trusted TLS connection established to " + relay +
                     ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange "
                     "X25519 server-signature ECDSA (P-256) server-digest SHA256");
            }
            emit(ts + " mail postfix/smtp[" + std::to_string(pid + 2) + "]: " + qid + ": to=<" +
                 rcpt + ">, relay=" + relay + ", delay=" + std::to_string(pick(5)) + "." +
                 std::to_string(pick(10)) + ", delays=0.1/0/0." + std::to_string(pick(10)) +
                 "/0.2, dsn=" + o.dsn + ", status=" + o.status + " (" + fill(o.reply, r, rcpt) +
                 ")");
        }
        if (bounced) {
            emit(ts + " mail postfix/bounce[" + std::to_string(pid + 3) + "]: " + qid +
                 ": sender non-delivery notification: " + queue_id(false));
        }
        emit(ts + " mail postfix/qmgr[999]: " + qid + ": removed");
        if (pick(40) == 0) {
            emit(ts +
                 " mail postfix/anvil[77]: statistics: max connection rate 3/60s for "
                 "(smtp:192.0.2.9) at " +
                 ts);
        }
        pid += 4;
        if (pid > 60000) {
            pid = 1000;
        }
    }
    return 0;
}
