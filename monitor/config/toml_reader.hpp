// A strict reader over one toml++ table: typed getters that record a ConfigProblem (with the
// file, line and column of the offending node) instead of throwing, and a final check that
// every key of the table was consumed, so unknown keys (typos) are reported.
//
// Contract: getters leave the output untouched when the key is absent or has a problem.
#pragma once

#include "monitor/config/config_loader.hpp"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <toml++/toml.h>
#include <vector>

namespace smtpprobe::config {

class TomlReader {
public:
    TomlReader(const toml::table& table, std::string path, std::string file,
               std::vector<ConfigProblem>& problems);

    // Dotted path of a key in this table ("receiver[1].interval").
    std::string key_path(const std::string& key) const;

    void get(const std::string& key, std::string& out);
    void get(const std::string& key, bool& out);
    void get(const std::string& key, int& out, int min, int max);
    void get_duration(const std::string& key, std::chrono::seconds& out);
    void get(const std::string& key, std::vector<std::string>& out);
    void get(const std::string& key, std::map<std::string, std::string>& out);
    bool has(const std::string& key) const;

    // The tables of an array of tables ([[receiver]]); marks the key used.
    // A present key that is not an array of tables is a problem.
    std::vector<const toml::table*> tables(const std::string& key);
    // A sub-table ([dnsbl]); nullptr when absent or not a table.
    const toml::table* table(const std::string& key);

    // Records a problem at the key's node (or the table when the key is absent).
    void problem(const std::string& key, const std::string& message);
    // Reports every key that no getter asked for.
    void finish();

    const std::string& file() const { return m_file; }
    const std::string& path() const { return m_path; }
    std::vector<ConfigProblem>& problems() { return m_problems; }

private:
    const toml::node* node(const std::string& key);
    void problem_at(const toml::source_region& where, const std::string& key,
                    const std::string& message);

    const toml::table& m_table;
    std::string m_path;
    std::string m_file;
    std::vector<ConfigProblem>& m_problems;
    std::set<std::string> m_used;
};

} // namespace smtpprobe::config
