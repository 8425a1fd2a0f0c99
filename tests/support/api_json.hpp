// The JSON answer of a dashboard API request in the web tests: asserts a 200 and a JSON body
// (doctest REQUIRE, with the target and body captured for a failure's message).
#pragma once

#include "tests/support/http_client.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace smtpprobe::test {

inline nlohmann::json get_api_json(int port, const std::string& target)
{
    auto reply = http_get(port, target);
    CAPTURE(target);
    CAPTURE(reply.body);
    REQUIRE(reply.status == 200);
    nlohmann::json parsed = nlohmann::json::parse(reply.body, nullptr, false);
    REQUIRE(!parsed.is_discarded());
    return parsed;
}

} // namespace smtpprobe::test
