// One suite, two backends (see test_history.hpp).
#include "tests/support/test_history.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <libpq-fe.h>
#include <mutex>
#include <set>

namespace smtpprobe::test {

namespace {

const char* server_url()
{
    const char* url = std::getenv("SMTPPROBE_TEST_PG_URL");
    return url != nullptr && *url != '\0' ? url : nullptr;
}

// url with its database name replaced.
std::string with_database(const std::string& url, const std::string& name)
{
    const std::size_t query = url.find('?');
    const std::string base = url.substr(0, query);
    const std::size_t slash = base.rfind('/');
    return base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

[[noreturn]] void skip(const std::string& why)
{
    std::cout << "SKIP: the PostgreSQL run of this suite has no server: " << why << std::endl;
    std::exit(77);
}

} // namespace

bool testing_postgresql()
{
    return server_url() != nullptr;
}

std::string test_history(const TempDir& dir, const std::string& name)
{
    const char* url = server_url();
    if (url == nullptr) {
        return dir.file(name);
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(dir.file(name)));
    const std::string database = std::string("t_") + hex;

    static std::mutex lock;
    static std::set<std::string> created;
    std::lock_guard<std::mutex> guard(lock);
    if (created.insert(database).second) {
        PGconn* conn = PQconnectdb(url);
        if (PQstatus(conn) != CONNECTION_OK) {
            std::string why = PQerrorMessage(conn);
            PQfinish(conn);
            skip(why);
        }
        PGresult* result = PQexec(conn, ("CREATE DATABASE " + database).c_str());
        const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
        std::string why = PQresultErrorMessage(result);
        PQclear(result);
        PQfinish(conn);
        if (!ok) {
            throw std::runtime_error("CREATE DATABASE " + database + ": " + why);
        }
    }
    return with_database(url, database);
}

} // namespace smtpprobe::test
