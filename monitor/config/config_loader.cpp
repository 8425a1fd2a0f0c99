// TOML config → Config, with validation (see config_loader.hpp). Receivers and DNSBL zones in
// the file are merged with the built-in ones by name (same name overrides, `enabled = false`
// drops one) unless `[probes] default_receivers = false` / `[dnsbl] default_zones = false`.
#include "monitor/config/config_loader.hpp"

#include "monitor/config/config_checks.hpp"
#include "monitor/config/toml_reader.hpp"
#include "monitor/store/pg_connection.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <tuple>

namespace smtpprobe::config {

namespace {

std::string indexed(const std::string& key, std::size_t i)
{
    return key + "[" + std::to_string(i) + "]";
}

template <typename T>
void merge_by_name(std::vector<T>& base, std::vector<T> extra, bool keep_base)
{
    if (!keep_base) {
        base.clear();
    }
    for (T& item : extra) {
        bool replaced = false;
        for (T& existing : base) {
            if (existing.name == item.name) {
                existing = item;
                replaced = true;
            }
        }
        if (!replaced) {
            base.push_back(std::move(item));
        }
    }
    std::erase_if(base, [](const T& item) { return !item.enabled; });
}

void read_identities(TomlReader& top, Config& config)
{
    std::size_t i = 0;
    std::set<std::string> names;
    for (const toml::table* t : top.tables("identity")) {
        TomlReader r(*t, indexed("identity", i), top.file(), top.problems());
        Identity id;
        r.get("name", id.name);
        r.get("ip", id.ip);
        r.get("helo", id.helo);
        r.get("mail_from", id.mail_from);
        if (id.name.empty()) {
            id.name = id.ip.empty() ? "identity" + std::to_string(i) : id.ip;
        }
        if (!names.insert(id.name).second) {
            r.problem("name", "duplicate identity name \"" + id.name + "\"");
        }
        check_identity(r, id);
        r.finish();
        config.identities.push_back(std::move(id));
        ++i;
    }
}

void read_receivers(TomlReader& top, Config& config, bool keep_defaults)
{
    std::vector<Receiver> list;
    std::set<std::string> names;
    std::size_t i = 0;
    for (const toml::table* t : top.tables("receiver")) {
        TomlReader r(*t, indexed("receiver", i), top.file(), top.problems());
        Receiver rc;
        r.get("name", rc.name);
        r.get("domain", rc.domain);
        r.get("mx", rc.mx);
        r.get("port", rc.port, 1, 65535);
        r.get("recipient", rc.recipient);
        r.get("script", rc.script);
        r.get("identities", rc.identities);
        r.get_duration("interval", rc.interval);
        r.get_duration("min_interval", rc.min_interval);
        r.get_duration("jitter", rc.jitter);
        r.get("enabled", rc.enabled);
        r.get("allow_data", rc.allow_data);
        if (r.has("fleet_min_interval")) {
            std::chrono::seconds spacing{0};
            r.get_duration("fleet_min_interval", spacing);
            if (spacing.count() > 0) {
                rc.fleet_min_interval = spacing;
            }
        }
        r.get("fleet_concurrency", rc.fleet_concurrency, 1, 1000);
        if (rc.name.empty()) {
            rc.name = rc.target();
        }
        if (!names.insert(rc.name).second) {
            r.problem("name", "duplicate receiver name \"" + rc.name + "\"");
        }
        check_receiver(r, rc, config.identities);
        r.finish();
        list.push_back(std::move(rc));
        ++i;
    }
    if (top.has("receiver")) {
        merge_by_name(config.receivers, std::move(list), keep_defaults);
    } else if (!keep_defaults) {
        config.receivers.clear();
    }
}

void read_dnsbl(TomlReader& top, Config& config)
{
    const toml::table* t = top.table("dnsbl");
    if (!t) {
        return;
    }
    TomlReader r(*t, "dnsbl", top.file(), top.problems());
    bool keep_defaults = true;
    r.get("default_zones", keep_defaults);
    r.get_duration("interval", config.dnsbl.interval);
    r.get("dqs_key", config.dnsbl.dqs_key);
    std::vector<DnsblZone> zones;
    std::size_t i = 0;
    std::set<std::string> names;
    for (const toml::table* zt : r.tables("zone")) {
        TomlReader z(*zt, indexed("dnsbl.zone", i), top.file(), top.problems());
        DnsblZone zone;
        z.get("name", zone.name);
        z.get("zone", zone.zone);
        z.get("delist_url", zone.delist_url);
        z.get("ipv6", zone.ipv6);
        z.get("use_dqs", zone.use_dqs);
        z.get("dqs_zone", zone.dqs_zone);
        z.get("enabled", zone.enabled);
        std::size_t j = 0;
        for (const toml::table* ct : z.tables("code")) {
            TomlReader c(*ct, z.path() + "." + indexed("code", j), top.file(), top.problems());
            DnsblCode code;
            c.get("code", code.code);
            c.get("meaning", code.meaning);
            c.get("kind", code.kind);
            check_code(c, code);
            c.finish();
            zone.codes.push_back(std::move(code));
            ++j;
        }
        if (zone.name.empty()) {
            zone.name = zone.zone;
        }
        if (!names.insert(zone.name).second) {
            z.problem("name", "duplicate zone name \"" + zone.name + "\"");
        }
        check_zone(z, zone);
        z.finish();
        zones.push_back(std::move(zone));
        ++i;
    }
    merge_by_name(config.dnsbl.zones, std::move(zones), keep_defaults);
    r.finish();
}

void read_alerts(TomlReader& top, Config& config)
{
    const toml::table* t = top.table("alerts");
    if (!t) {
        return;
    }
    AlertSettings& a = config.alerts;
    TomlReader r(*t, "alerts", top.file(), top.problems());
    r.get("max_attempts", a.max_attempts, 1, 100);
    r.get_duration("retry_base", a.retry_base);
    std::set<std::string> names;
    auto unique = [&](TomlReader& reader, const std::string& kind, std::string& name,
                      std::size_t i) {
        if (name.empty()) {
            name = kind + std::to_string(i);
        }
        if (!names.insert(kind + ":" + name).second) {
            reader.problem("name", "duplicate " + kind + " name \"" + name + "\"");
        }
    };
    std::size_t i = 0;
    for (const toml::table* wt : r.tables("webhook")) {
        TomlReader w(*wt, indexed("alerts.webhook", i), top.file(), top.problems());
        Webhook hook;
        w.get("name", hook.name);
        w.get("url", hook.url);
        w.get("headers", hook.headers);
        w.get_duration("timeout", hook.timeout);
        w.get("verify_tls", hook.verify_tls);
        unique(w, "webhook", hook.name, i++);
        check_webhook(w, hook);
        w.finish();
        a.webhooks.push_back(std::move(hook));
    }
    i = 0;
    for (const toml::table* ct : r.tables("command")) {
        TomlReader c(*ct, indexed("alerts.command", i), top.file(), top.problems());
        CommandHook hook;
        c.get("name", hook.name);
        c.get("command", hook.command);
        c.get_duration("timeout", hook.timeout);
        unique(c, "command", hook.name, i++);
        if (hook.command.empty()) {
            c.problem("command", "a command hook needs a command");
        } else {
            check_command(c, "command", hook.command);
        }
        c.finish();
        a.commands.push_back(std::move(hook));
    }
    i = 0;
    for (const toml::table* mt : r.tables("mail")) {
        TomlReader m(*mt, indexed("alerts.mail", i), top.file(), top.problems());
        MailAlert mail;
        m.get("name", mail.name);
        m.get("sendmail", mail.sendmail);
        m.get("from", mail.from);
        m.get("to", mail.to);
        unique(m, "mail", mail.name, i++);
        check_mail(m, mail);
        m.finish();
        a.mails.push_back(std::move(mail));
    }
    r.finish();
}

void read_sections(TomlReader& top, Config& config)
{
    top.get("db", config.db);
    top.get("rules", config.rules);
    top.get("dns_server", config.dns_server);
    check_dns_server(top, config.dns_server);
    read_identities(top, config);
    bool keep_receivers = true;
    if (const toml::table* t = top.table("probes")) {
        TomlReader r(*t, "probes", top.file(), top.problems());
        r.get("default_receivers", keep_receivers);
        r.get_duration("timeout", config.probes.timeout);
        r.get("starttls", config.probes.starttls);
        r.finish();
    }
    read_receivers(top, config, keep_receivers);
    read_dnsbl(top, config);
    if (const toml::table* t = top.table("run")) {
        TomlReader r(*t, "run", top.file(), top.problems());
        r.get("node", config.run.node);
        check_node_name(r, config.run.node);
        r.get_duration("interval", config.run.interval);
        r.finish();
    }
    if (const toml::table* t = top.table("hygiene")) {
        TomlReader r(*t, "hygiene", top.file(), top.problems());
        r.get("enabled", config.hygiene.enabled);
        r.get_duration("interval", config.hygiene.interval);
        r.finish();
    }
    std::size_t i = 0;
    for (const toml::table* t : top.tables("log")) {
        TomlReader r(*t, indexed("log", i++), top.file(), top.problems());
        LogSource log;
        r.get("path", log.path);
        r.get("format", log.format);
        check_log(r, log);
        r.finish();
        config.logs.push_back(std::move(log));
    }
    i = 0;
    for (const toml::table* t : top.tables("bounce")) {
        TomlReader r(*t, indexed("bounce", i++), top.file(), top.problems());
        BounceSource bounce;
        r.get("path", bounce.path);
        if (bounce.path.empty()) {
            r.problem("path", "a bounce source needs a path (file, mbox or Maildir)");
        }
        r.finish();
        config.bounces.push_back(std::move(bounce));
    }
    if (const toml::table* t = top.table("snds")) {
        TomlReader r(*t, "snds", top.file(), top.problems());
        r.get("key", config.snds.key);
        r.get("key_file", config.snds.key_file);
        r.get("url", config.snds.url);
        r.get_duration("interval", config.snds.interval);
        r.get_duration("timeout", config.snds.timeout);
        check_snds(r, config.snds);
        r.finish();
    }
    read_alerts(top, config);
    // [scripts.NAME] tables are session scripts, validated by monitor/scripts when used.
    top.table("scripts");
    if (const toml::table* t = top.table("episodes")) {
        TomlReader r(*t, "episodes", top.file(), top.problems());
        r.get("open_after", config.episodes.open_after, 1, 100);
        r.get("close_after", config.episodes.close_after, 1, 100);
        r.finish();
    }
    top.finish();
}

} // namespace

void load_snds_key(Config& config, const std::string& config_path)
{
    SndsSettings& snds = config.snds;
    const bool inline_key = !snds.key.empty();
    if (!inline_key && snds.key_file.empty()) {
        return;
    }
    const std::string& file = inline_key ? config_path : snds.key_file;
    const char* key = inline_key ? "snds.key" : "snds.key_file";
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        throw ConfigError({{config_path, 0, 0, key, "cannot read the SNDS key file " + file}});
    }
    if ((st.st_mode & 007) != 0 || (st.st_mode & 020) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw ConfigError({{config_path, 0, 0, key,
                            file + " holds the SNDS key but is open to others (mode " + mode +
                                "): chmod 600 " + file}});
    }
    if (inline_key) {
        return;
    }
    std::ifstream in(file, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) {
        throw ConfigError({{config_path, 0, 0, key, "cannot read the SNDS key file " + file}});
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.pop_back();
    }
    if (line.empty() || line.size() > 200) {
        throw ConfigError(
            {{config_path, 0, 0, key, file + " does not hold an SNDS key on its first line"}});
    }
    snds.key = line;
}

void check_db_password(const Config& config, const std::string& config_path)
{
    if (!store::pg::has_password(config.db)) {
        return;
    }
    struct stat st {};
    if (::stat(config_path.c_str(), &st) == 0 &&
        ((st.st_mode & 007) != 0 || (st.st_mode & 020) != 0)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw ConfigError({{config_path, 0, 0, "db",
                            "the PostgreSQL URL holds a password but the file is open to others "
                            "(mode " +
                                std::string(mode) + "): chmod 600 " + config_path +
                                ", or keep the password in ~/.pgpass"}});
    }
}

Config parse_config(const std::string& text, const std::string& name)
{
    std::vector<ConfigProblem> problems;
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        problems.push_back({name, static_cast<int>(e.source().begin.line),
                            static_cast<int>(e.source().begin.column), "",
                            std::string(e.description())});
        throw ConfigError(std::move(problems));
    }
    Config config = default_config();
    config.source = name;
    TomlReader top(root, "", name, problems);
    read_sections(top, config);
    if (!problems.empty()) {
        std::stable_sort(problems.begin(), problems.end(),
                         [](const ConfigProblem& a, const ConfigProblem& b) {
                             return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                         });
        throw ConfigError(std::move(problems));
    }
    return config;
}

Config load_config(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError({{path, 0, 0, "", "cannot read the config file"}});
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > 4 * 1024 * 1024) {
        throw ConfigError({{path, 0, 0, "", "config file larger than 4 MiB"}});
    }
    Config config = parse_config(text.str(), path);
    load_snds_key(config, path);
    check_db_password(config, path);
    return config;
}

Config load_config_or_defaults(const std::string& path, bool explicit_choice)
{
    std::error_code ec;
    if (!explicit_choice && !std::filesystem::exists(path, ec)) {
        return default_config();
    }
    return load_config(path);
}

} // namespace smtpprobe::config
