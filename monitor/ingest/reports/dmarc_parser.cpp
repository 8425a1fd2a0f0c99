// DMARC aggregate report XML → DmarcReport with libxml2 (see dmarc_report.hpp).
#include "monitor/ingest/reports/dmarc_report.hpp"

#include <charconv>
#include <cstring>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <memory>

namespace smtpprobe::ingest {

namespace {

constexpr const char* k_dmarcbis_namespace = "urn:ietf:params:xml:ns:dmarc-2.0";

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct CtxtFree {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// SAX hook for <!DOCTYPE ...>: a DMARC report has none, and refusing it before its internal
// subset is read means no entity is ever declared (billion laughs, external entities).
void refuse_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*)
{
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    *static_cast<bool*>(ctxt->_private) = true;
    xmlStopParser(ctxt);
}

bool is(const xmlNode* node, const char* name)
{
    return node->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

const xmlNode* child(const xmlNode* parent, const char* name)
{
    for (const xmlNode* n = parent ? parent->children : nullptr; n; n = n->next) {
        if (is(n, name)) {
            return n;
        }
    }
    return nullptr;
}

std::string trimmed(std::string text)
{
    const char* blanks = " \t\r\n";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(blanks);
    return text.substr(first, last - first + 1);
}

// The text of an element (its descendants' text joined), trimmed; "" for nullptr.
std::string text_of(const xmlNode* node)
{
    if (node == nullptr) {
        return {};
    }
    // The usual element holds one text node: read it in place (no copy by libxml2).
    const xmlNode* only = node->children;
    if (only == nullptr) {
        return {};
    }
    if (only->next == nullptr && only->type == XML_TEXT_NODE && only->content != nullptr) {
        return trimmed(reinterpret_cast<const char*>(only->content));
    }
    xmlChar* content = xmlNodeGetContent(node);
    std::string out = content ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return trimmed(std::move(out));
}

std::string text(const xmlNode* parent, const char* name)
{
    return text_of(child(parent, name));
}

std::string lower(std::string s)
{
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

std::optional<std::int64_t> integer(const std::string& s)
{
    std::int64_t value = 0;
    // Some reporters write a fraction ("1706159544.0"): the whole part is the value.
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, value);
    if (ec != std::errc() || ptr == s.data() || (ptr != end && *ptr != '.')) {
        return std::nullopt;
    }
    return value;
}

void read_policy(const xmlNode* node, DmarcPolicy& p)
{
    p.domain = lower(text(node, "domain"));
    p.adkim = lower(text(node, "adkim"));
    p.aspf = lower(text(node, "aspf"));
    p.p = lower(text(node, "p"));
    p.sp = lower(text(node, "sp"));
    p.np = lower(text(node, "np"));
    if (const xmlNode* pct = child(node, "pct")) {
        p.pct = integer(text_of(pct));
    }
    p.fo = text(node, "fo");
    p.testing = lower(text(node, "testing"));
    p.discovery_method = lower(text(node, "discovery_method"));
}

bool read_record(const xmlNode* node, DmarcRecord& r)
{
    const xmlNode* row = child(node, "row");
    r.source_ip = text(row, "source_ip");
    const auto count = integer(text(row, "count"));
    if (r.source_ip.empty() || !count || *count < 0) {
        return false;
    }
    r.count = *count;
    const xmlNode* evaluated = child(row, "policy_evaluated");
    r.disposition = lower(text(evaluated, "disposition"));
    r.dkim = lower(text(evaluated, "dkim"));
    r.spf = lower(text(evaluated, "spf"));
    for (const xmlNode* n = evaluated ? evaluated->children : nullptr; n; n = n->next) {
        if (is(n, "reason")) {
            r.reasons.push_back({lower(text(n, "type")), text(n, "comment")});
        }
    }
    const xmlNode* ids = child(node, "identifiers");
    r.header_from = lower(text(ids, "header_from"));
    r.envelope_from = lower(text(ids, "envelope_from"));
    r.envelope_to = lower(text(ids, "envelope_to"));
    const xmlNode* auth = child(node, "auth_results");
    for (const xmlNode* n = auth ? auth->children : nullptr; n; n = n->next) {
        if (is(n, "dkim")) {
            r.dkim_results.push_back({lower(text(n, "domain")), text(n, "selector"),
                                      lower(text(n, "result")), text(n, "human_result")});
        } else if (is(n, "spf")) {
            r.spf_results.push_back({lower(text(n, "domain")), lower(text(n, "scope")),
                                     lower(text(n, "result")), text(n, "human_result")});
        }
    }
    return true;
}

// Whether the XML declaration names an encoding other than UTF-8 (libxml2 converts those
// itself; only UTF-8 text is checked and repaired here).
bool declares_other_encoding(std::string_view xml)
{
    const std::string head =
        lower(std::string(xml.substr(0, std::min<std::size_t>(200, xml.size()))));
    if (head.rfind("<?xml", 0) != 0) {
        return false;
    }
    const auto at = head.find("encoding");
    if (at == std::string::npos || head.find("?>") < at) {
        return false;
    }
    return head.find("utf-8", at) == std::string::npos &&
           head.find("utf8", at) == std::string::npos;
}

} // namespace

std::int64_t DmarcReport::messages() const
{
    std::int64_t total = 0;
    for (const DmarcRecord& r : records) {
        total += r.count;
    }
    return total;
}

DmarcParseResult parse_dmarc_report(std::string_view xml)
{
    DmarcParseResult result;
    if (xml.size() > k_max_dmarc_xml_bytes) {
        result.error = "XML larger than 64 MiB";
        return result;
    }
    std::vector<std::string> notes;
    std::unique_ptr<gchar, decltype(&g_free)> repaired(nullptr, g_free);
    if (!declares_other_encoding(xml) &&
        !g_utf8_validate(xml.data(), static_cast<gssize>(xml.size()), nullptr)) {
        repaired.reset(g_utf8_make_valid(xml.data(), static_cast<gssize>(xml.size())));
        xml = std::string_view(repaired.get());
        notes.push_back("invalid UTF-8 replaced by U+FFFD");
    }
    // One parser context per thread, reset for each document (its name dictionary and
    // buffers are reused: a third of a small report's parse went to allocating them).
    thread_local std::unique_ptr<xmlParserCtxt, CtxtFree> owned(xmlNewParserCtxt());
    xmlParserCtxt* ctxt = owned.get();
    if (ctxt == nullptr) {
        result.error = "cannot start the XML parser";
        return result;
    }
    bool doctype = false;
    ctxt->_private = &doctype;
    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->externalSubset = refuse_doctype;
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                        XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;
    std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
        ctxt, xml.data(), static_cast<int>(xml.size()), "report.xml", nullptr, options));
    if (doctype) {
        result.error = "XML with a document type declaration (<!DOCTYPE>, entities) refused";
        return result;
    }
    if (!doc || !ctxt->wellFormed) {
        const xmlError* e = xmlCtxtGetLastError(ctxt);
        std::string why = e && e->message ? trimmed(e->message) : "not well-formed";
        const std::string line = e ? "line " + std::to_string(e->line) : std::string();
        result.error =
            "not well-formed XML: " + why +
            (line.empty() || why.find(line) != std::string::npos ? "" : " (" + line + ")");
        return result;
    }
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (root == nullptr || !is(root, "feedback")) {
        result.error = "not a DMARC aggregate report (no <feedback> root element)";
        return result;
    }
    DmarcReport report;
    report.notes = std::move(notes);
    report.version = text(root, "version");
    const bool bis_namespace =
        root->ns && root->ns->href &&
        std::strcmp(reinterpret_cast<const char*>(root->ns->href), k_dmarcbis_namespace) == 0;
    report.format = bis_namespace || report.version.rfind("2", 0) == 0
                        ? "dmarcbis"
                        : (report.version.empty() ? "draft" : "rfc7489");
    const xmlNode* meta = child(root, "report_metadata");
    report.org_name = text(meta, "org_name");
    report.email = text(meta, "email");
    report.extra_contact_info = text(meta, "extra_contact_info");
    report.report_id = text(meta, "report_id");
    report.generator = text(meta, "generator");
    const xmlNode* range = child(meta, "date_range");
    const auto begin = integer(text(range, "begin"));
    const auto end = integer(text(range, "end"));
    for (const xmlNode* n = meta ? meta->children : nullptr; n; n = n->next) {
        if (is(n, "error")) {
            if (std::string e = text_of(n); !e.empty()) {
                report.errors.push_back(std::move(e));
            }
        }
    }
    if (report.report_id.empty()) {
        result.error = "DMARC report without <report_id>";
        return result;
    }
    if (report.org_name.empty() && report.email.empty()) {
        result.error = "DMARC report without <org_name> or <email>";
        return result;
    }
    if (!begin || !end || *end < *begin) {
        result.error = "DMARC report without a valid <date_range>";
        return result;
    }
    report.begin = *begin;
    report.end = *end;
    read_policy(child(root, "policy_published"), report.policy);
    for (const xmlNode* n = root->children; n; n = n->next) {
        if (!is(n, "record")) {
            continue;
        }
        if (report.records.size() >= k_max_dmarc_records) {
            ++report.skipped_records;
            continue;
        }
        DmarcRecord record;
        if (read_record(n, record)) {
            report.records.push_back(std::move(record));
        } else {
            ++report.skipped_records;
        }
    }
    result.report = std::move(report);
    return result;
}

} // namespace smtpprobe::ingest
