// Shared by the scanner tests: every message of the bounce corpus, as written and with the
// case of its letters scrambled (a fixed seed), read once per test binary.
#pragma once

#include "monitor/ingest/bounce/message_source.hpp"

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace smtpprobe::ingest::test {

// Every corpus message, and a copy of each with the case of its letters scrambled.
inline std::vector<std::string> corpus_texts()
{
    std::vector<std::string> out;
    const std::string dir = std::string(SMTPPROBE_CORPUS_DIR) + "/bounces";
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".eml") {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    std::mt19937 random(5);
    for (const std::string& file : files) {
        read_messages(file, [&](SourceMessage& m) {
            out.push_back(m.content);
            std::string scrambled = m.content;
            for (char& c : scrambled) {
                if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && random() % 2 == 0) {
                    c = static_cast<char>(c ^ 0x20);
                }
            }
            out.push_back(std::move(scrambled));
            return true;
        });
    }
    return out;
}

inline const std::vector<std::string>& texts()
{
    static const std::vector<std::string> all = corpus_texts();
    return all;
}

} // namespace smtpprobe::ingest::test
