// Every Diagnostic-Code of the real bounce corpus (../shared/corpus/bounces, labels.tsv)
// through the classifier, against the reason published with the corpus (Sisimai's). The
// extraction here is deliberately simple (Diagnostic-Code with its folded lines, Status,
// Remote-MTA, quoted-printable soft breaks undone); files without a Diagnostic-Code are the
// bounce parser's business. Reasons that depend on facts the text does not carry (the SMTP
// command a reply answered, the MTA that wrote the bounce) are listed in k_known_differences.
#include "monitor/classify/classifier.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;

std::string slurp(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Undoes quoted-printable soft line breaks and =XX escapes (only when the file says QP).
std::string undo_quoted_printable(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
            i += text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n' ? 2 : 1;
            continue;
        }
        if (text[i] == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
            continue;
        }
        out.push_back(text[i]);
    }
    return out;
}

bool starts_with_nocase(const std::string& line, std::string_view prefix)
{
    if (line.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

struct Fields {
    std::vector<std::string> diagnostics;
    std::vector<std::string> statuses;
    std::vector<std::string> hosts;
    std::string command; // "DATA" when the prose says the refusal answered DATA
};

// The SMTP command from the bounce prose: Postfix's "(in reply to end of DATA command)" or
// sendmail's transcript ">>> DATA", with folding undone.
std::string command_from_prose(const std::string& text)
{
    std::string flat;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && !flat.empty()) {
            flat.push_back(' ');
        }
        space = false;
        flat.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (flat.find("in reply to end of data command") != std::string::npos ||
        flat.find(">>> data <<<") != std::string::npos) {
        return "DATA";
    }
    return {};
}

// Header-style fields with their folded continuation lines.
Fields extract_fields(std::string text)
{
    if (text.find("quoted-printable") != std::string::npos) {
        text = undo_quoted_printable(text);
    }
    Fields fields;
    fields.command = command_from_prose(text);
    std::istringstream in(text);
    std::string line;
    std::vector<std::string>* current = nullptr;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (current != nullptr && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            current->back() += " " + line;
            continue;
        }
        current = nullptr;
        auto take = [&](std::string_view name, std::vector<std::string>& into) {
            if (starts_with_nocase(line, name)) {
                into.push_back(line.substr(name.size()));
                current = &into;
                return true;
            }
            return false;
        };
        take("diagnostic-code:", fields.diagnostics) || take("status:", fields.statuses) ||
            take("remote-mta:", fields.hosts);
    }
    return fields;
}

struct Label {
    std::string file;
    std::size_t index = 0;
    std::string reason;
};

std::vector<Label> read_labels(const std::filesystem::path& path)
{
    std::vector<Label> labels;
    std::istringstream in(slurp(path));
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::vector<std::string> cols;
        std::istringstream row(line);
        std::string col;
        while (std::getline(row, col, '\t')) {
            cols.push_back(col);
        }
        if (cols.size() >= 5) {
            labels.push_back({cols[0], static_cast<std::size_t>(std::stoul(cols[1])), cols[4]});
        }
    }
    return labels;
}

// file#index -> why the text alone cannot give the corpus' reason.
const std::map<std::string, std::string> k_known_differences = {
    {"lhost-amavis-03.eml#1",
     "amavis 'Reject ... - SPAM': Sisimai's amavis module says notcompliantrfc"},
    {"lhost-exim-49.eml#1", "a bare '550 Rejected': Sisimai decides from the exim prose"},
    {"rhost-messagelabs-03.eml#1",
     "a bare '542 ... Rejected': Sisimai's rhost module says userunknown"},
    {"lhost-mcafee-01.eml#1", "'Unknown user' filtered by McAfee's gateway: the MTA, not the text"},
    {"lhost-mcafee-05.eml#1",
     "'User not exist' filtered by McAfee's gateway: the MTA, not the text"},
    {"lhost-surfcontrol-01.eml#1", "'No such user' from SurfControl: the MTA, not the text"},
    {"lhost-messagingserver-03.eml#1", "'550 5.7.1 550 User Unknown' rewritten by the MTA"},
    {"lhost-messagingserver-03.eml#2", "'550 5.7.1 550 User Unknown' rewritten by the MTA"},
    {"lhost-powermta-01.eml#1", "status 5.2.1 (disabled) against the words 'User Unknown'"},
    {"lhost-powermta-03.eml#1", "status 5.2.1 (disabled) against the words 'User Unknown'"},
    {"lhost-sendmail-13.eml#1", "'X-Unix; 77': a mailer exit code, Sisimai maps it by number"},
    {"rhost-nttdocomo-03.eml#1", "'Unknown user' at docomo: Sisimai's rhost module says rejected"},
    // Issue 15: a connection timeout alone is a deferral (networkerror, about unreachable); it
    // is "expired" only once the MTA gave the message up, which the report's Action: failed
    // says, not the Diagnostic-Code (bounce_classification passes it as Input::given_up).
    {"lhost-postfix-15.eml#1", "a timeout in a failed report: expired from the Action, not text"},
    {"lhost-postfix-37.eml#1", "a timeout in a failed report: expired from the Action, not text"},
    {"lhost-sendgrid-03.eml#1", "a timeout in a failed report: expired from the Action, not text"},
    {"lhost-yandex-03.eml#1", "a timeout in a failed report: expired from the Action, not text"},
    // An unknown user answered after DATA (or with no stage named) is a filter's refusal: the
    // bounce decision model's stage convention (docs/bounce-decision-model.md), which reads
    // the stage the report names; the classifier alone reads the words.
    {"lhost-postfix-03.eml#1", "unknown user without a stage: filtered by the decision model"},
    {"lhost-postfix-35.eml#1", "unknown user without a stage: filtered by the decision model"},
    {"lhost-sendmail-19.eml#1", "unknown user after DATA: filtered by the decision model"},
    {"lhost-sendmail-27.eml#1", "unknown user after DATA: filtered by the decision model"},
    {"lhost-sendmail-51.eml#1", "unknown user after DATA: filtered by the decision model"},
    {"rhost-kddi-01.eml#1", "unknown user after DATA: filtered by the decision model"},
    {"rhost-nttdocomo-01.eml#1", "unknown user after DATA: filtered by the decision model"},
};

} // namespace

TEST_CASE("corpus: every Diagnostic-Code gets the labelled reason")
{
    const std::filesystem::path dir = std::filesystem::path(SMTPPROBE_CORPUS_DIR) / "bounces";
    REQUIRE(std::filesystem::exists(dir / "labels.tsv"));
    const Classifier& classifier = Classifier::builtin();
    std::size_t checked = 0;
    std::size_t agreed = 0;
    std::size_t known = 0;
    std::ostringstream report;
    for (const Label& label : read_labels(dir / "labels.tsv")) {
        const Fields fields = extract_fields(slurp(dir / label.file));
        if (fields.diagnostics.empty()) {
            continue;
        }
        const std::size_t i = label.index - 1;
        const std::string& diagnostic =
            i < fields.diagnostics.size() ? fields.diagnostics[i] : fields.diagnostics.front();
        if (diagnostic.find_first_not_of(" \t;smtpSMTP") == std::string::npos) {
            continue; // an empty "smtp;" carries nothing to classify
        }
        Input input;
        input.text = diagnostic;
        if (i < fields.statuses.size()) {
            input.enhanced = fields.statuses[i];
        }
        if (i < fields.hosts.size()) {
            input.remote_host = fields.hosts[i];
        }
        input.command = fields.command;
        const auto result = classifier.classify(input);
        ++checked;
        const std::string key = label.file + "#" + std::to_string(label.index);
        if (result.reason == label.reason) {
            ++agreed;
        } else if (k_known_differences.count(key) != 0) {
            ++known;
        } else {
            report << key << ": want " << label.reason << ", got " << result.reason << " ("
                   << result.rule_id << ") <- " << diagnostic.substr(0, 160) << "\n";
        }
    }
    MESSAGE("corpus diagnostics: " << agreed << "/" << checked << " agree, " << known
                                   << " known differences");
    INFO(report.str());
    CHECK(checked >= 130);
    CHECK(agreed + known == checked);
}
