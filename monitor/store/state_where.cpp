// The state queries' WHERE clause (see state_where.hpp).
#include "monitor/store/state_where.hpp"

namespace smtpprobe::store {

void StateWhere::add(const std::string& condition)
{
    sql += (sql.empty() ? " WHERE " : " AND ") + condition;
}

StateWhere state_where(const std::string& default_ip, const std::string& node,
                       const std::string& state, const std::vector<std::string>& ips)
{
    StateWhere w;
    if (!node.empty() && (!ips.empty() || state == "blocked" || state == "unknown")) {
        // Few pairs (a page of IPs, the blocked or unknown ones): each looked up in the
        // node's rows. A pair is the node's when it observed the pair's IP, or evidence
        // naming no IP that the fold keys to it.
        w.add("EXISTS (SELECT 1 FROM state_node n WHERE n.node = ? AND n.scope = s.scope AND "
              "n.ip IN (s.ip, CASE WHEN s.ip = ? THEN '' ELSE s.ip END))");
        w.values.push_back(node);
        w.values.push_back(default_ip);
    } else if (!node.empty()) {
        // Every pair of the node: driven from the node's rows (a fleet has far more pairs).
        w.add("(s.ip, s.scope) IN (SELECT CASE WHEN n.ip = '' THEN ? ELSE n.ip END, n.scope "
              "FROM state_node n WHERE n.node = ?)");
        w.values.push_back(default_ip);
        w.values.push_back(node);
    }
    if (!state.empty()) {
        w.add("s.state = ?");
        w.values.push_back(state);
    }
    if (!ips.empty()) {
        w.values.insert(w.values.end(), ips.begin(), ips.end());
        w.add("s.ip IN (" + placeholders(ips.size()) + ")");
    }
    return w;
}

std::string placeholders(std::size_t count)
{
    std::string list;
    for (std::size_t i = 0; i < count; ++i) {
        list += i == 0 ? "?" : ", ?";
    }
    return list;
}

int bind_all(Statement& st, const std::vector<std::string>& values, int first)
{
    for (const std::string& value : values) {
        st.bind(first++, value);
    }
    return first;
}

} // namespace smtpprobe::store
