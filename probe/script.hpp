// Session scripts are data: a table of steps the session coroutine walks through after the
// banner, EHLO and STARTTLS. Each step is a command template, the reply class it expects,
// what to do when another reply comes, and whether it is DATA (then a small generated message
// follows the 354). Built-in scripts: `block-check`, `dsn-test` and `deliver`; users add their
// own from TOML (monitor/scripts/script_file.hpp) with the same fields.
//
// Templates: {from}, {rcpt}, {helo}, {envid}; nothing else is expanded. A script that
// contains DATA is refused unless the user asked to send: --send on the command line, or
// allow_data = true on the receiver in the config. A script cannot grant itself permission.
#pragma once

#include "probe/limits.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::probe {

enum class OnFailure {
    stop,         // end the dialogue here (QUIT), this reply is the decisive one
    skip_to_rset, // skip the following steps up to the next RSET (the A/B blocks of dsn-test)
    proceed,      // carry on with the next step
};
const char* on_failure_name(OnFailure f);
std::optional<OnFailure> parse_on_failure(std::string_view name);

struct ScriptStep {
    std::string label;   // "mail", "rcpt-dsn": names the step in results and storage
    std::string command; // template, "MAIL FROM:<{from}>"
    Stage stage = Stage::mail;
    int expect = 2; // the reply class wanted (2, or 3 for DATA)
    OnFailure on_failure = OnFailure::stop;
    bool is_data = false;  // the DATA command: after a 3xx the message follows
    bool decisive = false; // this step's reply is the decisive one when the dialogue completes
};

struct Script {
    std::string name;
    std::vector<ScriptStep> steps;
    bool deliver = false; // the script is meant to deliver (documentation only: never permission)
    bool starttls = true; // try STARTTLS when offered (subject to --tls)
    // Send MAIL, RCPT and RSET steps together, closed by a DATA or QUIT step, in one write when
    // the server offers PIPELINING (RFC 2920), as MTAs do. Off: one command, one reply.
    bool pipelining = false;

    bool has_data() const;
};

// What the templates expand to.
struct ScriptValues {
    std::string from;
    std::string rcpt;
    std::string helo;
    std::string envid; // new_envid()
};

// "block-check", "dsn-test", "deliver"; nullopt for another name.
std::optional<Script> builtin_script(std::string_view name);
std::vector<std::string> builtin_script_names();

// Expands the templates of one command. Fails (nullopt, *error set) on an unknown {name} or
// when an expanded value holds CR, LF or NUL (header/command injection).
std::optional<std::string> expand_command(const std::string& tmpl, const ScriptValues& values,
                                          std::string* error);

// RFC 2920 section 3.1: MAIL, RCPT and RSET may be anywhere in a group of pipelined commands
// (true); DATA, QUIT and NOOP only last (false from this, see ends_group).
bool groups_with_next(const ScriptStep& step);
// A command that may close a group: DATA, QUIT, NOOP.
bool ends_group(const ScriptStep& step);

// A fresh ENVID (RFC 3461) for one session: "smtpprobe.<16 hex digits>", the one format every
// probe uses (xtext-safe: letters, digits and '.').
std::string new_envid();

// Checks a script before use: steps present, commands non-empty, no CR/LF in templates,
// expect 2..3, DATA only with permission (send_allowed: --send or the receiver's allow_data).
// "" when fine, else the one-sentence reason.
std::string validate_script(const Script& script, bool send_allowed);

// The stage (and so the deadline) of a command by its verb: MAIL, RCPT, DATA, RSET, QUIT,
// EHLO, HELO; any other verb (NOOP, VRFY) gets the mail stage.
Stage stage_for_command(std::string_view command);

} // namespace smtpprobe::probe
