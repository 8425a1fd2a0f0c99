// Where a test's history lives, so one suite runs on both backends (issue 20): a file in the
// test's temporary folder (SQLite), or, when ctest runs the suite's "[postgresql]" entries
// (environment SMTPPROBE_TEST_PG_URL, the server of tests/support/pg_server.sh), a fresh
// database on that server, one per folder and name, created on first use.
#pragma once

#include "tests/support/child_process.hpp"

#include <string>

namespace smtpprobe::test {

// Whether this run of the suite is the PostgreSQL one.
bool testing_postgresql();

// The history location for name in dir: dir.file(name), or a postgresql:// URL. On the
// PostgreSQL run with no server to reach, the test is skipped (exit 77, saying why).
std::string test_history(const TempDir& dir, const std::string& name = "history.db");

} // namespace smtpprobe::test
