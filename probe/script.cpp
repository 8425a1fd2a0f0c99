// The built-in scripts and template expansion of session scripts.
#include "probe/script.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

namespace smtpprobe::probe {

const char* on_failure_name(OnFailure f)
{
    switch (f) {
    case OnFailure::stop:
        return "stop";
    case OnFailure::skip_to_rset:
        return "skip-to-rset";
    case OnFailure::proceed:
        break;
    }
    return "continue";
}

std::optional<OnFailure> parse_on_failure(std::string_view name)
{
    if (name == "stop") {
        return OnFailure::stop;
    }
    if (name == "skip-to-rset") {
        return OnFailure::skip_to_rset;
    }
    if (name == "continue") {
        return OnFailure::proceed;
    }
    return std::nullopt;
}

bool Script::has_data() const
{
    return std::any_of(steps.begin(), steps.end(), [](const ScriptStep& s) { return s.is_data; });
}

namespace {

ScriptStep step(std::string label, std::string command, Stage stage, OnFailure on_failure,
                bool decisive = false)
{
    ScriptStep s;
    s.label = std::move(label);
    s.command = std::move(command);
    s.stage = stage;
    s.on_failure = on_failure;
    s.decisive = decisive;
    return s;
}

} // namespace

std::optional<Script> builtin_script(std::string_view name)
{
    Script script;
    script.name = std::string(name);
    if (name == "block-check") {
        // Does the receiver accept our IP up to RCPT? Never DATA.
        script.steps = {
            step("mail", "MAIL FROM:<{from}>", Stage::mail, OnFailure::stop),
            step("rcpt", "RCPT TO:<{rcpt}>", Stage::rcpt, OnFailure::stop, true),
            step("rset", "RSET", Stage::rset, OnFailure::proceed),
            step("quit", "QUIT", Stage::quit, OnFailure::proceed),
        };
        return script;
    }
    if (name == "dsn-test") {
        // DESIGN.md --dsn-test: A (with DSN parameters), RSET, B (without), RSET, QUIT.
        script.steps = {
            step("mail-dsn", "MAIL FROM:<{from}> RET=HDRS ENVID={envid}", Stage::mail,
                 OnFailure::skip_to_rset),
            step("rcpt-dsn", "RCPT TO:<{rcpt}> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;{rcpt}",
                 Stage::rcpt, OnFailure::proceed),
            step("rset-1", "RSET", Stage::rset, OnFailure::stop),
            step("mail-plain", "MAIL FROM:<{from}>", Stage::mail, OnFailure::skip_to_rset),
            step("rcpt-plain", "RCPT TO:<{rcpt}>", Stage::rcpt, OnFailure::proceed, true),
            step("rset-2", "RSET", Stage::rset, OnFailure::proceed),
            step("quit", "QUIT", Stage::quit, OnFailure::proceed),
        };
        return script;
    }
    if (name == "dsn-send") {
        // `--dsn-test --send`: one minimal message asking for a success DSN (RFC 3461), sent
        // only on explicit request; the DSN comes back to {from}.
        ScriptStep data = step("data", "DATA", Stage::data, OnFailure::stop);
        data.expect = 3;
        data.is_data = true;
        script.steps = {
            step("mail", "MAIL FROM:<{from}> RET=HDRS ENVID={envid}", Stage::mail, OnFailure::stop),
            step("rcpt", "RCPT TO:<{rcpt}> NOTIFY=SUCCESS ORCPT=rfc822;{rcpt}", Stage::rcpt,
                 OnFailure::stop),
            data,
            step("quit", "QUIT", Stage::quit, OnFailure::proceed),
        };
        script.steps[2].decisive = true;
        return script;
    }
    if (name == "deliver") {
        // A real delivery of a small generated message: only on explicit request.
        ScriptStep data = step("data", "DATA", Stage::data, OnFailure::stop);
        data.expect = 3;
        data.is_data = true;
        script.deliver = true;
        script.pipelining = true; // deliver as an MTA does
        script.steps = {
            step("mail", "MAIL FROM:<{from}>", Stage::mail, OnFailure::stop),
            step("rcpt", "RCPT TO:<{rcpt}>", Stage::rcpt, OnFailure::stop),
            data,
            step("quit", "QUIT", Stage::quit, OnFailure::proceed),
        };
        script.steps[2].decisive = true;
        return script;
    }
    return std::nullopt;
}

std::vector<std::string> builtin_script_names()
{
    return {"block-check", "dsn-test", "deliver"};
}

std::optional<std::string> expand_command(const std::string& tmpl, const ScriptValues& values,
                                          std::string* error)
{
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
        if (tmpl[i] != '{') {
            out += tmpl[i++];
            continue;
        }
        auto close = tmpl.find('}', i);
        if (close == std::string::npos) {
            *error = "unclosed '{' in command template '" + tmpl + "'";
            return std::nullopt;
        }
        std::string name = tmpl.substr(i + 1, close - i - 1);
        const std::string* value = nullptr;
        if (name == "from") {
            value = &values.from;
        } else if (name == "rcpt") {
            value = &values.rcpt;
        } else if (name == "helo") {
            value = &values.helo;
        } else if (name == "envid") {
            value = &values.envid;
        } else {
            *error = "unknown template {" + name + "} (known: {from} {rcpt} {helo} {envid})";
            return std::nullopt;
        }
        if (value->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            *error = "value of {" + name + "} contains CR, LF or NUL";
            return std::nullopt;
        }
        out += *value;
        i = close + 1;
    }
    return out;
}

std::string new_envid()
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "smtpprobe.%016llx",
                  static_cast<unsigned long long>(engine()));
    return buffer;
}

std::string validate_script(const Script& script, bool send_allowed)
{
    if (script.steps.empty()) {
        return "script '" + script.name + "' has no steps";
    }
    for (const auto& s : script.steps) {
        if (s.command.empty()) {
            return "script '" + script.name + "': step '" + s.label + "' has no command";
        }
        if (s.command.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            return "script '" + script.name + "': step '" + s.label +
                   "' command contains CR, LF or NUL";
        }
        if (s.expect < 2 || s.expect > 3) {
            return "script '" + script.name + "': step '" + s.label + "' expects class " +
                   std::to_string(s.expect) + " (2 or 3)";
        }
        if (s.stage == Stage::data && !s.is_data) {
            return "script '" + script.name + "': DATA must be a data step";
        }
    }
    if (script.has_data() && !send_allowed) {
        return "script '" + script.name +
               "' sends DATA (a real message): refused without --send (command line) or "
               "allow_data = true on the receiver (config)";
    }
    return {};
}

namespace {

// The command's verb in upper case ("MAIL" of "mail from:<a@b>").
std::string verb_of(std::string_view command)
{
    std::string verb;
    for (char c : command.substr(0, command.find(' '))) {
        verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return verb;
}

} // namespace

bool groups_with_next(const ScriptStep& step)
{
    std::string verb = verb_of(step.command);
    return !step.is_data && (verb == "MAIL" || verb == "RCPT" || verb == "RSET");
}

bool ends_group(const ScriptStep& step)
{
    std::string verb = verb_of(step.command);
    return step.is_data || verb == "DATA" || verb == "QUIT" || verb == "NOOP";
}

Stage stage_for_command(std::string_view command)
{
    std::string verb = verb_of(command);
    if (verb == "MAIL") {
        return Stage::mail;
    }
    if (verb == "RCPT") {
        return Stage::rcpt;
    }
    if (verb == "DATA" || verb == "BDAT") {
        return Stage::data;
    }
    if (verb == "RSET") {
        return Stage::rset;
    }
    if (verb == "QUIT") {
        return Stage::quit;
    }
    if (verb == "EHLO") {
        return Stage::ehlo;
    }
    if (verb == "HELO") {
        return Stage::helo;
    }
    // NOOP, VRFY, ...: a command stage with MAIL's deadline.
    return Stage::mail;
}

} // namespace smtpprobe::probe
