// The human `smtpprobe status`: one screen that a mail admin reads in ten seconds.
//
// It leads with what is wrong now (every IP x receiver blocked or listed, since when, with
// its age, the provider code and the one action; the findings and sender-hygiene problems of
// the window), then a compact table of the other (IP, receiver) states seen in the window,
// newest first, bounded to the screen. The state is the one state query's
// (monitor/evidence/state_query.hpp); this file only selects and lays it out. Peer text is
// escaped for the terminal; lines fit the width (long receivers are shortened in the middle).
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/state_query.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/status/silent_nodes.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/history_rows.hpp"
#include "monitor/store/status_rows.hpp"

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

struct ScreenOptions {
    store::TimeRange window;                // the table's rows: last evidence in [since, until)
    std::optional<evidence::Verdict> state; // only rows in this state (attention included)
    std::size_t limit = 0;                  // table rows at most (0: no limit)
    std::size_t screen_lines = 0;           // fit the whole screen in this many lines (0: no bound)
    std::size_t attention_limit = 6;        // blocked rows listed before "and N more" (0: all)
    std::size_t width = 100;                // columns of the terminal
    bool colour = false;                    // ANSI colours (red blocked, green clear)
    Clock::time_point now{};                // what ages are counted from
    std::string window_label;               // "the last 30 days" (for the footers)
    bool quiet = false;                     // only what is wrong: no table, no footers
};

struct StatusScreen {
    std::vector<evidence::ScopeState> attention; // blocked or listed now, newest evidence first
    std::vector<evidence::ScopeState> rows;      // the table, newest evidence first
    std::size_t rows_in_window = 0;              // before the limit
    std::size_t rows_outside_window = 0;         // states last seen outside the window
    std::vector<store::FindingKindSummary> findings;
    std::vector<store::HygieneRow> hygiene_problems;
    std::vector<SilentNode> silent_nodes; // nodes of the fleet whose `run` stopped (a finding)
    std::vector<store::NoteRow> notes;    // the newest notes of the window
    std::int64_t notes_total = 0;
    std::int64_t episodes_closed = 0; // block episodes that ended in the window
    std::int64_t unfolded_evidence = 0;
    bool empty_history = false; // no state at all (nothing ingested or probed yet)
    std::string node;           // the node filter ("" none): empty_history is then the node's
};

// Reads the screen's data: the state (filtered), findings, hygiene, silent nodes (of
// filter.node only, when it names one), notes of the window. Never writes.
StatusScreen load_status_screen(store::Database& db, const config::Config& config,
                                const evidence::StateFilter& filter, const ScreenOptions& options);

// Prints the screen.
void print_status_screen(std::ostream& out, const StatusScreen& screen,
                         const ScreenOptions& options);

// "45 s", "12 min", "3 h", "5 d", "3 y": how long ago from now (empty for an unparsable
// time).
std::string age_text(const std::string& iso_time, Clock::time_point now);

// text shortened to at most width columns by cutting its middle ("microsoft-365/te..ant-x").
std::string shorten_middle(const std::string& text, std::size_t width);

} // namespace smtpprobe::monitor
