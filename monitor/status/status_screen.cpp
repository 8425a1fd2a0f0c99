// The status screen: selection and layout (see status_screen.hpp).
#include "monitor/status/status_screen.hpp"

#include "probe/printable.hpp"

#include <algorithm>
#include <sstream>

namespace smtpprobe::monitor {

namespace {

using evidence::ScopeState;
using evidence::Verdict;

constexpr std::size_t k_notes_shown = 3;

const char* const k_red = "\033[31m";
const char* const k_green = "\033[32m";
const char* const k_yellow = "\033[33m";
const char* const k_bold = "\033[1m";
const char* const k_reset = "\033[0m";

// Columns on a terminal: UTF-8 continuation bytes take none (printable() leaves no controls).
std::size_t columns(const std::string& text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string pad(const std::string& text, std::size_t width)
{
    const std::size_t used = columns(text);
    return used >= width ? text : text + std::string(width - used, ' ');
}

std::string paint(const std::string& text, const char* colour, bool on)
{
    return on ? std::string(colour) + text + k_reset : text;
}

const char* colour_of(Verdict state)
{
    return state == Verdict::blocked ? k_red : state == Verdict::clear ? k_green : k_yellow;
}

std::string ip_label(const std::string& ip)
{
    return ip.empty() ? std::string("this server") : printable(ip, 60);
}

bool is_list(const std::string& scope)
{
    return scope.rfind("dnsbl/", 0) == 0;
}

// "2026-11-20 08:12 UTC" of an ISO time.
std::string short_utc(const std::string& iso)
{
    if (iso.size() < 16) {
        return printable(iso, 40);
    }
    return printable(iso.substr(0, 10), 20) + " " + printable(iso.substr(11, 5), 10) + " UTC";
}

// Words of text on lines of at most width columns: the first after label, the others
// indented as far.
void wrap(std::ostream& out, const std::string& label, const std::string& text, std::size_t width)
{
    std::istringstream words(text);
    std::string word;
    std::string line;
    const std::size_t indent = columns(label);
    const std::size_t room = width > indent + 20 ? width - indent : 20;
    bool first = true;
    auto flush = [&] {
        out << (first ? label : std::string(indent, ' ')) << line << "\n";
        first = false;
        line.clear();
    };
    while (words >> word) {
        if (!line.empty() && columns(line) + 1 + columns(word) > room) {
            flush();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) {
        flush();
    }
}

// text cut to width columns, ending in "..." when cut.
std::string cut_end(const std::string& text, std::size_t width)
{
    if (columns(text) <= width || width < 4) {
        return text;
    }
    std::size_t kept = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++kept > width - 3) {
            break;
        }
    }
    return text.substr(0, i) + "...";
}

bool in_window(const ScopeState& s, const store::TimeRange& window)
{
    const std::string& t = s.last_evidence_time;
    return t >= window.since && (window.until.empty() || t < window.until);
}

void print_attention(std::ostream& out, const StatusScreen& screen, const ScreenOptions& o)
{
    const std::size_t n = screen.attention.size();
    // A few blocks get their reason and the whole action; many get one line of each.
    const bool roomy = n <= 3;
    out << paint("Blocked or listed now: " + std::to_string(n), k_red, o.colour) << "\n";
    const std::size_t shown = o.attention_limit == 0 ? n : std::min(n, o.attention_limit);
    for (std::size_t i = 0; i < shown; ++i) {
        const ScopeState& s = screen.attention[i];
        std::string head = ip_label(s.ip) + " x " + printable(s.scope, 80);
        head += is_list(s.scope) ? " listed" : " blocked";
        if (s.since) {
            head += " since " + short_utc(*s.since) + " (" + age_text(*s.since, o.now) + ")";
        }
        if (!s.provider_code.empty()) {
            head += " " + printable(s.provider_code, 40);
        }
        out << "  " << paint(shorten_middle(head, o.width - 2), k_bold, o.colour) << "\n";
        if (roomy) {
            std::string why = s.reason.empty() ? std::string() : printable(s.reason, 40);
            if (!s.receiver.empty()) {
                why += (why.empty() ? "" : "; ") + std::string("named by ") +
                       printable(s.receiver, 80);
            }
            if (!s.last_evidence_time.empty()) {
                why += (why.empty() ? "" : "; ") + std::string("last evidence ") +
                       age_text(s.last_evidence_time, o.now) + " ago";
            }
            if (!why.empty()) {
                wrap(out, "    ", why, o.width);
            }
        }
        if (!s.action.empty()) {
            const std::string action = printable(s.action, 400);
            if (roomy) {
                wrap(out, "    what to do: ", action, o.width);
            } else {
                out << "    what to do: " << cut_end(action, o.width > 20 ? o.width - 16 : 4)
                    << "\n";
            }
        }
    }
    if (n > shown) {
        out << "  and " << (n - shown) << " more (smtpprobe status --state blocked --all)\n";
    }
}

void print_silent_nodes(std::ostream& out, const StatusScreen& screen, const ScreenOptions& o)
{
    for (const SilentNode& n : screen.silent_nodes) {
        std::string head = printable(silent_node_title(n), 300) + " (" + age_text(n.since, o.now) +
                           " ago; its interval is " + std::to_string(n.interval_seconds) + " s)";
        out << "  " << paint(head, k_yellow, o.colour) << "\n";
        wrap(out, "    what to do: ",
             "check its timer (systemctl status smtpprobe-run.timer), its host and its access "
             "to the database",
             o.width);
    }
}

void print_findings(std::ostream& out, const StatusScreen& screen, const ScreenOptions& o)
{
    for (const store::FindingKindSummary& f : screen.findings) {
        std::string head = printable(f.kind, 40) + ": " + std::to_string(f.count) + " in " +
                           o.window_label + ", newest " + age_text(f.newest.time, o.now) + " ago";
        out << "  " << paint(head, k_yellow, o.colour) << "\n";
        if (!f.newest.detail.empty()) {
            wrap(out, "    ", printable(f.newest.detail, 200), o.width);
        }
        std::string action = f.newest.action;
        if (action.empty() && f.kind == "backscatter") {
            action = "our server sent a delivery notification to a sender it did not verify: "
                     "run smtpprobe --dsn-test against your MX and follow its advice";
        }
        if (!action.empty()) {
            wrap(out, "    what to do: ", printable(action, 400), o.width);
        }
    }
    print_silent_nodes(out, screen, o);
    for (const store::HygieneRow& h : screen.hygiene_problems) {
        std::string text = printable(h.ip, 60) + " sender hygiene:";
        if (!h.fcrdns) {
            text += " no forward-confirmed PTR;";
        }
        if (!h.helo_matches) {
            text += " HELO does not match the PTR;";
        }
        if (h.spf != "pass") {
            text += " SPF " + printable(h.spf, 20) + ";";
        }
        if (!h.dmarc_present) {
            text += " no DMARC record;";
        }
        if (h.unknown) {
            text += " some lookups failed;";
        }
        text.pop_back();
        out << "  " << paint(text, k_yellow, o.colour) << "\n";
    }
}

void print_table(std::ostream& out, const StatusScreen& screen, std::size_t shown,
                 const ScreenOptions& o)
{
    std::size_t ip_width = 11; // "this server"
    for (std::size_t i = 0; i < shown; ++i) {
        const ScopeState& s = screen.rows[i];
        ip_width = std::max(ip_width, columns(ip_label(s.ip)));
    }
    ip_width = std::min<std::size_t>(ip_width, 39);
    // IP, RECEIVER, STATE 7, SINCE 6, LAST 6, CODE: the receiver takes what is left.
    const std::size_t fixed = ip_width + 7 + 6 + 6 + 5;
    const std::size_t code_width = 12;
    const std::size_t scope_width =
        o.width > fixed + code_width + 16 ? o.width - fixed - code_width - 1 : 16;
    out << pad("IP", ip_width) << " " << pad("RECEIVER", scope_width) << " " << pad("STATE", 7)
        << " " << pad("SINCE", 6) << " " << pad("LAST", 6) << " CODE\n";
    for (std::size_t i = 0; i < shown; ++i) {
        const ScopeState& s = screen.rows[i];
        const std::string state(evidence::name(s.state));
        out << pad(shorten_middle(ip_label(s.ip), ip_width), ip_width) << " "
            << pad(shorten_middle(printable(s.scope, 200), scope_width), scope_width) << " "
            << paint(pad(state, 7), colour_of(s.state), o.colour) << " "
            << pad(s.since ? age_text(*s.since, o.now) : "-", 6) << " "
            << pad(s.last_evidence_time.empty() ? "-" : age_text(s.last_evidence_time, o.now), 6)
            << " "
            << (s.provider_code.empty()
                    ? "-"
                    : shorten_middle(printable(s.provider_code, 60), code_width))
            << "\n";
    }
}

} // namespace

std::string age_text(const std::string& iso_time, Clock::time_point now)
{
    const auto when = parse_iso_utc(iso_time);
    if (!when) {
        return "";
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *when).count();
    if (seconds < 0) {
        return "0 s";
    }
    if (seconds < 60) {
        return std::to_string(seconds) + " s";
    }
    if (seconds < 3600) {
        return std::to_string(seconds / 60) + " min";
    }
    if (seconds < 48 * 3600) {
        return std::to_string(seconds / 3600) + " h";
    }
    if (seconds < 730 * 86400) {
        return std::to_string(seconds / 86400) + " d";
    }
    return std::to_string(seconds / (365 * 86400)) + " y";
}

std::string shorten_middle(const std::string& text, std::size_t width)
{
    if (columns(text) <= width || width < 5) {
        return text;
    }
    // Cut on character boundaries: keep the head (provider) and the tail (cluster).
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            starts.push_back(i);
        }
    }
    const std::size_t keep = width - 2;
    const std::size_t head = (keep + 1) / 2;
    const std::size_t tail = keep - head;
    return text.substr(0, starts[head]) + ".." + text.substr(starts[starts.size() - tail]);
}

StatusScreen load_status_screen(store::Database& db, const config::Config& config,
                                const evidence::StateFilter& filter, const ScreenOptions& options)
{
    StatusScreen screen;
    evidence::StateSnapshot state = evidence::read_state(db, config, filter);
    screen.unfolded_evidence = state.unfolded_evidence;
    screen.empty_history = state.scopes.empty();
    screen.node = filter.node;
    std::vector<ScopeState> table;
    for (ScopeState& s : state.scopes) {
        if (options.state && s.state != *options.state) {
            continue;
        }
        if (s.state == Verdict::blocked) {
            // What is wrong now is shown whatever the window.
            screen.attention.push_back(std::move(s));
        } else if (in_window(s, options.window)) {
            table.push_back(std::move(s));
        } else {
            ++screen.rows_outside_window;
        }
    }
    // The block seen most recently first: what is costing mail now (an old sample's block
    // nobody has sent to since waits below it).
    std::stable_sort(screen.attention.begin(), screen.attention.end(),
                     [](const ScopeState& a, const ScopeState& b) {
                         return a.last_evidence_time > b.last_evidence_time;
                     });
    std::stable_sort(table.begin(), table.end(), [](const ScopeState& a, const ScopeState& b) {
        return a.last_evidence_time > b.last_evidence_time;
    });
    screen.rows_in_window = table.size();
    if (options.limit > 0 && table.size() > options.limit) {
        table.resize(options.limit);
    }
    screen.rows = std::move(table);
    if (!options.state || *options.state == Verdict::blocked) {
        screen.findings = store::summarize_findings(db, options.window);
        for (store::HygieneRow& h : store::read_latest_hygiene(db)) {
            if (!h.all_ok && (filter.ip.empty() || h.ip == filter.ip)) {
                screen.hygiene_problems.push_back(std::move(h));
            }
        }
    }
    // Whatever --state says: a silent node is not a receiver's state.
    screen.silent_nodes = silent_nodes(db, options.now, filter.node);
    screen.notes = store::read_recent_notes(db, options.window, k_notes_shown, &screen.notes_total);
    screen.episodes_closed = store::count_closed_episodes(db, options.window);
    return screen;
}

void print_status_screen(std::ostream& final_out, const StatusScreen& screen,
                         const ScreenOptions& o)
{
    std::ostringstream out;
    if (screen.empty_history) {
        if (!screen.silent_nodes.empty()) {
            out << "Findings:\n";
            print_silent_nodes(out, screen, o);
        }
        final_out << out.str();
        if (!screen.node.empty()) {
            final_out << "Nothing observed by node " << printable(screen.node, 253)
                      << " (no evidence names it).\n";
        } else {
            final_out << "No evidence yet: run `smtpprobe run` (or ingest logs/bounces) first.\n";
        }
        return;
    }
    if (screen.unfolded_evidence > 0) {
        out << screen.unfolded_evidence
            << " newer evidence not folded into episodes yet: `smtpprobe run` folds it.\n";
    }
    const bool findings = !screen.findings.empty() || !screen.hygiene_problems.empty() ||
                          !screen.silent_nodes.empty();
    if (!screen.attention.empty()) {
        print_attention(out, screen, o);
    } else if (!o.quiet) {
        out << paint("Nothing blocked or listed now.", k_green, o.colour) << "\n";
    }
    if (findings) {
        out << "Findings in " << o.window_label << ":\n";
        print_findings(out, screen, o);
    }
    if (o.quiet) {
        final_out << out.str();
        return;
    }
    out << "\n";
    const auto lines_before =
        static_cast<std::size_t>(std::count(out.view().begin(), out.view().end(), '\n'));
    // One screen: the table gets the lines the rest leaves (at least a few rows).
    std::size_t shown = screen.rows.size();
    if (o.screen_lines > 0) {
        const std::size_t footers = 5 + screen.notes.size();
        const std::size_t used = lines_before + footers + 1;
        const std::size_t room = o.screen_lines > used + 5 ? o.screen_lines - used : 5;
        shown = std::min(shown, room);
    }
    if (shown > 0) {
        print_table(out, screen, shown, o);
    }
    if (shown < screen.rows_in_window) {
        out << "Showing " << shown << " of " << screen.rows_in_window << " receivers seen in "
            << o.window_label << ", newest first (--limit N or --all).\n";
    } else if (screen.rows.empty()) {
        out << "No other receiver seen in " << o.window_label << ".\n";
    }
    if (screen.rows_outside_window > 0) {
        out << screen.rows_outside_window << " more last seen outside " << o.window_label
            << " (--since, --until or --all).\n";
    }
    if (screen.episodes_closed > 0) {
        out << screen.episodes_closed << " block episode"
            << (screen.episodes_closed == 1 ? "" : "s") << " ended in " << o.window_label
            << " (the dashboard's timeline, or status --json).\n";
    }
    if (!screen.notes.empty()) {
        out << "Notes (newest " << screen.notes.size() << " of " << screen.notes_total << "):\n";
        for (const store::NoteRow& n : screen.notes) {
            std::string line = short_utc(n.time) + "  " + ip_label(n.ip) +
                               (n.scope.empty() ? "" : " x " + printable(n.scope, 80)) + ": " +
                               printable(n.text, 300);
            wrap(out, "  ", line, o.width);
        }
    }
    final_out << out.str();
}

} // namespace smtpprobe::monitor
