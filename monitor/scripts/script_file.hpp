// User-defined session scripts in TOML, either a file of its own (`--script FILE`) or a
// `[scripts.NAME]` table of the config file. Same fields as probe::ScriptStep:
//
//   name = "vrfy-check"            # optional in a file (defaults to the file name)
//   deliver = false                # true: the script may send DATA without --send
//   starttls = true
//   pipelining = false             # true: MAIL/RCPT/RSET + DATA or QUIT in one write when
//                                  # the server offers PIPELINING (RFC 2920)
//   [[step]]
//   command = "MAIL FROM:<{from}>" # templates: {from} {rcpt} {helo} {envid}
//   label = "mail"                 # optional; default: the verb in lower case
//   expect = 2                     # reply class wanted (2, or 3 for DATA)
//   on_failure = "stop"            # stop | continue | skip-to-rset
//   decisive = false               # this step's reply is the decisive one
//
// A step whose command is DATA is a data step (the generated message follows the 354).
#pragma once

#include "probe/script.hpp"

#include <stdexcept>
#include <string>

namespace smtpprobe::scripts {

// A script that cannot be used: one sentence with the file and the field at fault.
class ScriptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Loads a script file. Throws ScriptError on unreadable files, TOML errors or bad fields.
probe::Script load_script_file(const std::string& path);

// The script `name` from the config file's [scripts.NAME] table; nullopt when the config has
// none of that name (or no config file exists). Throws ScriptError when it is malformed.
std::optional<probe::Script> load_config_script(const std::string& config_path,
                                                const std::string& name);

} // namespace smtpprobe::scripts
