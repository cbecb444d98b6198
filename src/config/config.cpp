#include "config/config.h"

// Header-only, without exceptions: a parse error is a value (parse_result), not a throw.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <sstream>

#include "common/files.h"

namespace minato::config {

namespace {

struct IntKey {
  const char* table;
  const char* key;
  int Config::*field;
  int min, max;
};

constexpr IntKey kIntKeys[] = {
    {"server", "max_connections", &Config::max_connections, 1, 100'000},
    {"server", "max_connections_per_source", &Config::max_connections_per_source, 1, 10'000},
    {"server", "header_limit_bytes", &Config::header_limit_bytes, 1024, 64 * 1024},
    {"server", "body_limit_bytes", &Config::body_limit_bytes, 1024, 64 * 1024 * 1024},
    {"server", "handshake_timeout_s", &Config::handshake_timeout_s, 1, 60},
    {"server", "request_timeout_s", &Config::request_timeout_s, 1, 300},
    {"server", "keepalive_timeout_s", &Config::keepalive_timeout_s, 1, 600},
    {"server", "worker_threads", &Config::worker_threads, 1, 256},
    {"login", "threads", &Config::login_threads, 1, 64},
    {"login", "queue", &Config::login_queue, 1, 10'000},
    {"login", "lockout_threshold", &Config::lockout_threshold, 1, 20},
    {"login", "lockout_seconds", &Config::lockout_seconds, 60, 7 * 24 * 3600},
    {"login", "session_idle_s", &Config::session_idle_s, 60, 24 * 3600},
    {"login", "session_absolute_s", &Config::session_absolute_s, 300, 7 * 24 * 3600},
};

struct StrKey {
  const char* table;
  const char* key;
  std::string Config::*field;
};
constexpr StrKey kStrKeys[] = {
    {"server", "listen", &Config::listen},
    {"tls", "cert", &Config::tls_cert},
    {"tls", "key", &Config::tls_key},
};

bool known(std::string_view table, std::string_view key) {
  for (const auto& k : kIntKeys) {
    if (table == k.table && key == k.key) return true;
  }
  for (const auto& k : kStrKeys) {
    if (table == k.table && key == k.key) return true;
  }
  return false;
}

}  // namespace

Result<Config> parse(const std::string& text, const std::string& origin) {
  // Configuration is text. Refusing control characters up front also keeps toml++ 3.3 away
  // from inputs that trip its internal assertions (a NUL inside a table header: found by
  // fuzz/fuzz_config).
  int line = 1;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') ++line;
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ":" + std::to_string(line) + ": control character in configuration");
    }
  }
  toml::parse_result parsed = toml::parse(text, origin);
  if (!parsed) {
    const auto& err = parsed.error();
    std::ostringstream msg;
    msg << origin << ":" << err.source().begin.line << ":" << err.source().begin.column << ": "
        << err.description();
    return fail(ErrorCode::kInvalidArgument, msg.str());
  }
  const toml::table& root = parsed.table();
  for (const auto& [tname, tnode] : root) {
    const toml::table* t = tnode.as_table();
    if (t == nullptr || (tname != "server" && tname != "login" && tname != "tls")) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ": unknown setting '" + std::string(tname.str()) + "'");
    }
    for (const auto& [k, v] : *t) {
      if (!known(tname.str(), k.str())) {
        return fail(ErrorCode::kInvalidArgument, origin + ": unknown setting '" +
                                                     std::string(tname.str()) + "." +
                                                     std::string(k.str()) + "'");
      }
    }
  }
  Config c;
  for (const auto& k : kIntKeys) {
    const toml::node* n = root[k.table][k.key].node();
    if (n == nullptr) continue;
    auto v = n->value<int64_t>();
    std::string name = std::string(k.table) + "." + k.key;
    if (!n->is_integer() || !v || *v < k.min || *v > k.max) {
      return fail(ErrorCode::kInvalidArgument, origin + ": " + name + " must be an integer from " +
                                                   std::to_string(k.min) + " to " +
                                                   std::to_string(k.max));
    }
    c.*(k.field) = static_cast<int>(*v);
  }
  for (const auto& k : kStrKeys) {
    const toml::node* n = root[k.table][k.key].node();
    if (n == nullptr) continue;
    if (!n->is_string()) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ": " + std::string(k.table) + "." + k.key + " must be a string");
    }
    c.*(k.field) = *n->value<std::string>();
  }
  std::string host;
  uint16_t port = 0;
  auto st = split_listen(c.listen, &host, &port);
  if (!st)
    return fail(ErrorCode::kInvalidArgument, origin + ": server.listen: " + st.error().message());
  return c;
}

Result<Config> load(const std::string& path) {
  auto text = read_file(path, 1 << 20);
  if (!text) return fail(text.error());
  return parse(*text, path);
}

std::string to_toml(const Config& c) {
  std::ostringstream out;
  out << "# Minato configuration. Flags to `minato serve` override these settings.\n";
  const char* current = "";
  for (const auto& k : kStrKeys) {
    if (std::string_view(k.table) == "server") {
      if (std::string_view(current) != "server") out << "\n[server]\n";
      current = "server";
      out << k.key << " = \"" << c.*(k.field) << "\"\n";
    }
  }
  for (const auto& k : kIntKeys) {
    if (std::string_view(current) != k.table) out << "\n[" << k.table << "]\n";
    current = k.table;
    out << k.key << " = " << c.*(k.field) << "\n";
  }
  out << "\n[tls]\n";
  for (const auto& k : kStrKeys) {
    if (std::string_view(k.table) == "tls") out << k.key << " = \"" << c.*(k.field) << "\"\n";
  }
  return out.str();
}

Status split_listen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return fail(ErrorCode::kInvalidArgument,
                "listen address must be HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)", "listen");
  }
  std::string h = listen.substr(0, colon);
  if (h.front() == '[') {
    if (h.back() != ']')
      return fail(ErrorCode::kInvalidArgument, "bad IPv6 listen address", "listen");
    h = h.substr(1, h.size() - 2);
  }
  int p = 0;
  for (char ch : listen.substr(colon + 1)) {
    if (ch < '0' || ch > '9' || p > 65535) {
      return fail(ErrorCode::kInvalidArgument, "listen port must be a number 1-65535", "listen");
    }
    p = p * 10 + (ch - '0');
  }
  if (p > 65535) {  // 0 asks the system for a free port (tests)
    return fail(ErrorCode::kInvalidArgument, "listen port must be a number 1-65535", "listen");
  }
  *host = h;
  *port = static_cast<uint16_t>(p);
  return ok();
}

}  // namespace minato::config
