#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "common/files.h"
#include "identity/source_rules.h"
#include "secops/clamd.h"

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
    {"login", "lockout_max_seconds", &Config::lockout_max_seconds, 60, 30 * 24 * 3600},
    {"login", "source_failure_threshold", &Config::source_failure_threshold, 3, 10'000},
    {"login", "source_window_s", &Config::source_window_s, 60, 86400},
    {"login", "source_block_s", &Config::source_block_s, 60, 7 * 24 * 3600},
    {"login", "max_sessions_per_user", &Config::max_sessions_per_user, 1, 100},
    {"login", "inactive_days", &Config::inactive_days, 1, 3650},
    {"login", "session_idle_s", &Config::session_idle_s, 60, 24 * 3600},
    {"login", "session_absolute_s", &Config::session_absolute_s, 300, 7 * 24 * 3600},
    {"login", "new_source_prefix_v4", &Config::new_source_prefix_v4, 8, 32},
    {"login", "enrolment_hours", &Config::enrolment_hours, 1, 30 * 24},
    {"login", "password_max_days", &Config::password_max_days, 0, 3650},
    {"login", "step_up_seconds", &Config::step_up_seconds, 10, 900},
    {"login", "new_source_prefix_v6", &Config::new_source_prefix_v6, 16, 128},
    {"terminal", "appointment_grace_minutes", &Config::appointment_grace_minutes, 0, 720},
    {"terminal", "pin_attempts", &Config::pin_attempts, 1, 20},
    {"intake", "max_mb", &Config::intake_max_mb, 1, 1024},
    {"intake", "signature_max_age_days", &Config::signature_max_age_days, 1, 365},
    {"intake", "scan_timeout_s", &Config::scan_timeout_s, 1, 3600},
    {"audit", "checkpoint_events", &Config::checkpoint_events, 1, 1'000'000},
    {"audit", "checkpoint_seconds", &Config::checkpoint_seconds, 1, 3600},
    {"audit", "heartbeat_seconds", &Config::heartbeat_seconds, 5, 3600},
    {"audit", "retention_days", &Config::retention_days, 90, 36500},
    {"audit", "ship_queue_alert", &Config::ship_queue_alert, 10, 100'000'000},
    {"audit", "ship_stall_seconds", &Config::ship_stall_seconds, 10, 86400},
    {"monitor", "alert_login_failures_per_minute", &Config::alert_login_failures_per_minute, 1,
     1'000'000},
    {"monitor", "alert_denied_per_minute", &Config::alert_denied_per_minute, 1, 1'000'000},
    {"monitor", "alert_refused_per_minute", &Config::alert_refused_per_minute, 1, 1'000'000},
    {"backup", "database_minutes", &Config::backup_database_minutes, 1, 7 * 1440},
    {"backup", "config_minutes", &Config::backup_config_minutes, 1, 31 * 1440},
    {"backup", "logs_minutes", &Config::backup_logs_minutes, 1, 7 * 1440},
    {"backup", "release_minutes", &Config::backup_release_minutes, 1, 31 * 1440},
    {"backup", "keep_local", &Config::backup_keep_local, 1, 10'000},
    {"backup", "zstd_level", &Config::backup_zstd_level, 1, 19},
    {"continuity", "every_minutes", &Config::continuity_minutes, 1, 1440},
    {"continuity", "keep", &Config::continuity_keep, 1, 100'000},
    {"vulnerabilities", "feed_max_age_days", &Config::vuln_feed_max_age_days, 1, 365},
};

struct StrKey {
  const char* table;
  const char* key;
  std::string Config::*field;
};
constexpr StrKey kStrKeys[] = {
    {"server", "listen", &Config::listen},
    {"server", "allow_sources", &Config::allow_sources},
    {"login", "session_limit", &Config::session_limit},
    {"tls", "cert", &Config::tls_cert},
    {"tls", "key", &Config::tls_key},
    {"terminal", "utc_offset", &Config::utc_offset},
    {"terminal", "name", &Config::terminal_name},
    {"terminal", "appointments", &Config::appointments},
    {"terminal", "locode", &Config::locode},
    {"intake", "clamd", &Config::clamd},
    {"intake", "quarantine_dir", &Config::quarantine_dir},
    {"intake", "signature_age_action", &Config::signature_age_action},
    {"intake", "signature_dir", &Config::signature_dir},
    {"intake", "sigtool", &Config::sigtool},
    {"webauthn", "rp_id", &Config::webauthn_rp_id},
    {"webauthn", "origin", &Config::webauthn_origin},
    {"webauthn", "user_verification", &Config::webauthn_user_verification},
    {"notify", "smtp_url", &Config::smtp_url},
    {"notify", "smtp_from", &Config::smtp_from},
    {"notify", "smtp_user", &Config::smtp_user},
    {"notify", "smtp_password_file", &Config::smtp_password_file},
    {"notify", "smtp_ca_file", &Config::smtp_ca_file},
    {"notify", "security_mail", &Config::security_mail},
    {"notify", "webhook_url", &Config::webhook_url},
    {"notify", "webhook_ca_file", &Config::webhook_ca_file},
    {"server", "management_listen", &Config::management_listen},
    {"server", "management_allow_sources", &Config::management_allow_sources},
    {"audit", "origin", &Config::audit_origin},
    {"audit", "checkpoint_dir", &Config::checkpoint_dir},
    {"audit", "syslog_target", &Config::syslog_target},
    {"audit", "syslog_ca_file", &Config::syslog_ca_file},
    {"audit", "syslog_server_name", &Config::syslog_server_name},
    {"audit", "syslog_cert_file", &Config::syslog_cert_file},
    {"audit", "syslog_key_file", &Config::syslog_key_file},
    {"backup", "outbox_dir", &Config::backup_dir},
    {"backup", "vault_listen", &Config::backup_vault_listen},
    {"backup", "vault_clients", &Config::backup_vault_clients},
    {"backup", "vault_allow_sources", &Config::backup_vault_allow_sources},
    {"continuity", "output_dir", &Config::continuity_dir},
    {"incident", "break_glass_sources", &Config::break_glass_sources},
    {"incident", "escalation_mail", &Config::escalation_mail},
    {"incident", "escalation_severity", &Config::escalation_severity},
    {"upgrade", "release_keys", &Config::upgrade_release_keys},
};

// The sections of minato.toml, in the order `init` writes them.
constexpr std::string_view kTables[] = {
    "server", "login",  "tls",        "terminal", "intake",  "webauthn", "notify",
    "audit",  "backup", "continuity", "incident", "monitor", "upgrade",  "vulnerabilities"};

// "Z" or "+HH:MM" / "-HH:MM" within +-14:00.
bool valid_utc_offset(const std::string& o) {
  if (o == "Z") return true;
  if (o.size() != 6 || (o[0] != '+' && o[0] != '-') || o[3] != ':') return false;
  for (size_t j : {1u, 2u, 4u, 5u}) {
    if (o[j] < '0' || o[j] > '9') return false;
  }
  int h = (o[1] - '0') * 10 + (o[2] - '0');
  int m = (o[4] - '0') * 10 + (o[5] - '0');
  return m < 60 && (h < 14 || (h == 14 && m == 0));
}

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

namespace {

// One value of the configuration file: an integer or a string.
struct Value {
  bool is_int = false;
  int64_t i = 0;
  std::string s;
  int line = 0;
};

Error at(const std::string& origin, int line, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, origin + ":" + std::to_string(line) + ": " + what);
}

// Parses `"..."` (TOML basic string: escapes \" \\ \t \n) from the start of `v`; returns the
// rest of the line after the closing quote.
Result<std::string_view> parse_string(std::string_view v, std::string* out,
                                      const std::string& origin, int line) {
  size_t i = 1;
  while (i < v.size() && v[i] != '"') {
    if (v[i] == '\\') {
      if (i + 1 >= v.size()) break;
      char e = v[i + 1];
      if (e == '"' || e == '\\')
        out->push_back(e);
      else if (e == 't')
        out->push_back('\t');
      else if (e == 'n')
        out->push_back('\n');
      else
        return fail(at(origin, line, std::string("unsupported escape \\") + e));
      i += 2;
    } else {
      out->push_back(v[i++]);
    }
  }
  if (i >= v.size()) return fail(at(origin, line, "string is not closed"));
  return v.substr(i + 1);
}

}  // namespace

// minato.toml uses a small subset of TOML: [section] headers, `key = integer` and
// `key = "string"`, comments. It is parsed here rather than by a general TOML library because
// the file is input like any other: toml++ 3.3 (Debian 12) hit internal assertions on inputs
// that fuzz/fuzz_config found in minutes (a NUL, '#' or '[' after '[' in a header; '[}' in an
// array), which a release build turns into undefined behaviour.
Result<Config> parse(const std::string& text, const std::string& origin) {
  std::map<std::string, Value> values;  // "section.key"
  std::string section;
  int line_no = 0;
  size_t pos = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a UTF-8 byte-order mark
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (char ch : line) {
      auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return fail(at(origin, line_no, "control character in configuration"));
      }
      if (c >= 0x80) return fail(at(origin, line_no, "configuration must be ASCII text"));
    }
    auto trim_left = [](std::string_view v) {
      size_t f = v.find_first_not_of(" \t");
      return f == std::string_view::npos ? std::string_view() : v.substr(f);
    };
    line = trim_left(line);
    if (line.empty() || line[0] == '#') continue;

    if (line[0] == '[') {
      std::string_view header = line.substr(0, line.find('#'));
      while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) {
        header.remove_suffix(1);
      }
      bool known_table = false;
      std::string tables;
      for (std::string_view t : kTables) {
        known_table = known_table || header == "[" + std::string(t) + "]";
        tables += (tables.empty() ? "[" : ", [") + std::string(t) + "]";
      }
      if (!known_table) {
        return fail(at(origin, line_no, "unknown section; the sections are " + tables));
      }
      section = std::string(header.substr(1, header.size() - 2));
      continue;
    }

    size_t k = 0;
    while (k < line.size() && (std::isalnum(static_cast<unsigned char>(line[k])) != 0 ||
                               line[k] == '_' || line[k] == '-')) {
      ++k;
    }
    std::string key(line.substr(0, k));
    std::string_view rest = trim_left(line.substr(k));
    if (key.empty() || rest.empty() || rest[0] != '=') {
      return fail(at(origin, line_no, "expected `key = value`"));
    }
    if (section.empty())
      return fail(at(origin, line_no, "setting '" + key + "' is outside a section"));
    std::string name = section + "." + key;
    if (!known(section, key)) return fail(at(origin, line_no, "unknown setting '" + name + "'"));
    if (values.contains(name)) return fail(at(origin, line_no, "'" + name + "' is set twice"));

    std::string_view v = trim_left(rest.substr(1));
    Value val;
    val.line = line_no;
    std::string_view after;
    if (!v.empty() && v[0] == '"') {
      auto r = parse_string(v, &val.s, origin, line_no);
      if (!r) return fail(r.error());
      after = *r;
    } else {
      size_t i = 0;
      bool neg = false;
      if (i < v.size() && (v[i] == '-' || v[i] == '+')) neg = v[i++] == '-';
      size_t digits = 0;
      int64_t n = 0;
      while (i < v.size() && v[i] >= '0' && v[i] <= '9' && digits < 18) {
        n = n * 10 + (v[i++] - '0');
        ++digits;
      }
      if (digits == 0 || (i < v.size() && v[i] >= '0' && v[i] <= '9')) {
        return fail(at(origin, line_no, name + " must be an integer or a quoted string"));
      }
      val.is_int = true;
      val.i = neg ? -n : n;
      after = v.substr(i);
    }
    after = trim_left(after);
    if (!after.empty() && after[0] != '#') {
      return fail(at(origin, line_no, "unexpected text after the value of " + name));
    }
    values.emplace(name, std::move(val));
  }

  Config c;
  for (const auto& k : kIntKeys) {
    auto it = values.find(std::string(k.table) + "." + k.key);
    if (it == values.end()) continue;
    const Value& v = it->second;
    if (!v.is_int || v.i < k.min || v.i > k.max) {
      return fail(at(origin, v.line,
                     std::string(k.table) + "." + k.key + " must be an integer from " +
                         std::to_string(k.min) + " to " + std::to_string(k.max)));
    }
    c.*(k.field) = static_cast<int>(v.i);
  }
  for (const auto& k : kStrKeys) {
    auto it = values.find(std::string(k.table) + "." + k.key);
    if (it == values.end()) continue;
    if (it->second.is_int) {
      return fail(at(origin, it->second.line,
                     std::string(k.table) + "." + k.key + " must be a quoted string"));
    }
    c.*(k.field) = it->second.s;
  }
  if (auto rules = identity::SourceRules::parse(c.allow_sources); !rules) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": server.allow_sources: " + rules.error().message());
  }
  if (!valid_utc_offset(c.utc_offset)) {
    return fail(ErrorCode::kInvalidArgument,
                origin +
                    ": terminal.utc_offset must look like \"+09:00\" (the terminal's local "
                    "time, for login time windows)");
  }
  if (c.appointments != "optional" && c.appointments != "required") {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": terminal.appointments must be \"optional\" or \"required\"");
  }
  if (c.terminal_name.empty() || c.terminal_name.size() > 120) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": terminal.name must be 1-120 characters (it is printed on every EIR)");
  }
  if (!c.locode.empty() &&
      (c.locode.size() != 5 || !std::all_of(c.locode.begin(), c.locode.end(), [](char ch) {
         return (ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '9');
       }))) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": terminal.locode must be a UN/LOCODE of 5 characters, e.g. \"JPNGO\"");
  }
  if (auto addr = secops::ClamdAddress::parse(c.clamd); !addr) {
    return fail(ErrorCode::kInvalidArgument, origin + ": intake.clamd: " + addr.error().message());
  }
  if (!c.signature_dir.empty() && c.signature_dir.front() != '/') {
    return fail(ErrorCode::kInvalidArgument,
                origin +
                    ": intake.signature_dir must be an absolute path (clamd's "
                    "DatabaseDirectory, e.g. /var/lib/clamav)");
  }
  if (c.sigtool.empty() || c.sigtool.front() != '/') {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": intake.sigtool must be an absolute path (e.g. /usr/bin/sigtool)");
  }
  if (c.signature_age_action != "refuse" && c.signature_age_action != "warn") {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": intake.signature_age_action must be \"refuse\" or \"warn\"");
  }
  if (c.quarantine_dir.empty()) {
    return fail(ErrorCode::kInvalidArgument, origin + ": intake.quarantine_dir must be set");
  }
  // G2.1.1-b: WebAuthn runs only in a secure context, for one relying party.
  if (c.webauthn_origin.rfind("https://", 0) != 0) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": webauthn.origin must be the console's https:// origin");
  }
  if (c.webauthn_rp_id.empty() || c.webauthn_rp_id.find_first_of(":/ ") != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": webauthn.rp_id must be a host name such as tos.example.jp");
  }
  if (c.webauthn_user_verification != "preferred" && c.webauthn_user_verification != "required") {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": webauthn.user_verification must be \"preferred\" or \"required\"");
  }
  // G2.1.1-f: alerts leave only over verified TLS.
  if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 &&
      c.smtp_url.rfind("smtps://", 0) != 0) {
    return fail(ErrorCode::kInvalidArgument,
                origin +
                    ": notify.smtp_url must be smtp://HOST:PORT (STARTTLS is required) or "
                    "smtps://HOST:PORT");
  }
  if (!c.webhook_url.empty() && c.webhook_url.rfind("https://", 0) != 0) {
    return fail(ErrorCode::kInvalidArgument, origin + ": notify.webhook_url must be https://...");
  }
  if (c.smtp_from.empty() || c.smtp_from.find('@') == std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, origin + ": notify.smtp_from must be a mail address");
  }
  if (c.session_limit != "end_oldest" && c.session_limit != "refuse_new") {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": login.session_limit must be \"end_oldest\" or \"refuse_new\"");
  }
  if (auto rules = identity::SourceRules::parse(c.management_allow_sources); !rules) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": server.management_allow_sources: " + rules.error().message());
  }
  if (c.audit_origin.empty() || c.audit_origin.size() > 100 ||
      c.audit_origin.find_first_of("\n\r") != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": audit.origin must be a short name on one line");
  }
  std::string host;
  uint16_t port = 0;
  if (!c.management_listen.empty()) {
    if (auto m = split_listen(c.management_listen, &host, &port); !m) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ": server.management_listen: " + m.error().message());
    }
  }
  if (!c.syslog_target.empty()) {
    if (auto m = split_listen(c.syslog_target, &host, &port); !m || port == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ": audit.syslog_target must be HOST:PORT of a TLS syslog collector");
    }
  }
  // G2.7.2-d: the vault's listener and the vault certificates it accepts.
  if (!c.backup_vault_listen.empty()) {
    if (auto m = split_listen(c.backup_vault_listen, &host, &port); !m) {
      return fail(ErrorCode::kInvalidArgument,
                  origin + ": backup.vault_listen: " + m.error().message());
    }
  }
  if (auto clients = split_fingerprints(c.backup_vault_clients); !clients) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": backup.vault_clients: " + clients.error().message());
  }
  if (auto rules = identity::SourceRules::parse(c.backup_vault_allow_sources); !rules) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": backup.vault_allow_sources: " + rules.error().message());
  }
  if (auto keys = split_hex32(c.upgrade_release_keys, "an Ed25519 public key"); !keys) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": upgrade.release_keys: " + keys.error().message());
  }
  if (auto bg = identity::SourceRules::parse(c.break_glass_sources); !bg) {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": incident.break_glass_sources: " + bg.error().message());
  }
  if (c.escalation_severity != "low" && c.escalation_severity != "medium" &&
      c.escalation_severity != "high" && c.escalation_severity != "critical") {
    return fail(ErrorCode::kInvalidArgument,
                origin + ": incident.escalation_severity must be low, medium, high or critical");
  }
  if (c.backup_dir.empty() || c.continuity_dir.empty()) {
    return fail(
        ErrorCode::kInvalidArgument,
        origin + ": backup.outbox_dir and continuity.output_dir must be set (G2.7.2, G2.4-b)");
  }
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

std::string toml_quoted(const std::string& v) {
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
  }
  return out + "\"";
}

namespace {
// Settings that change how the terminal works, not how it is protected: they take effect
// without a second person's approval (each change is still detected and audited).
constexpr std::string_view kOperational[] = {
    "server.worker_threads", "login.threads",         "login.queue",
    "terminal.name",         "terminal.appointments", "terminal.appointment_grace_minutes",
    "terminal.locode",       "backup.zstd_level",
};
}  // namespace

const std::vector<SettingInfo>& settings() {
  static const std::vector<SettingInfo> all = [] {
    std::vector<SettingInfo> out;
    auto add = [&](std::string name, bool is_int) {
      bool security = std::find(std::begin(kOperational), std::end(kOperational), name) ==
                      std::end(kOperational);
      out.push_back(SettingInfo{std::move(name), is_int, security});
    };
    for (std::string_view table : kTables) {
      for (const auto& k : kStrKeys) {
        if (table == k.table) add(std::string(k.table) + "." + k.key, false);
      }
      for (const auto& k : kIntKeys) {
        if (table == k.table) add(std::string(k.table) + "." + k.key, true);
      }
    }
    return out;
  }();
  return all;
}

const SettingInfo* find_setting(std::string_view name) {
  for (const auto& s : settings()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace {
template <typename F>
bool with_field(std::string_view name, F&& f) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view table = name.substr(0, dot), key = name.substr(dot + 1);
  for (const auto& k : kIntKeys) {
    if (table == k.table && key == k.key) {
      f(k.field, static_cast<std::string Config::*>(nullptr));
      return true;
    }
  }
  for (const auto& k : kStrKeys) {
    if (table == k.table && key == k.key) {
      f(static_cast<int Config::*>(nullptr), k.field);
      return true;
    }
  }
  return false;
}
}  // namespace

std::string setting_value(const Config& c, std::string_view name) {
  std::string out;
  with_field(name, [&](int Config::*i, std::string Config::*s) {
    out = i != nullptr ? std::to_string(c.*i) : c.*s;
  });
  return out;
}

void copy_setting(Config& to, const Config& from, std::string_view name) {
  with_field(name, [&](int Config::*i, std::string Config::*s) {
    if (i != nullptr) {
      to.*i = from.*i;
    } else {
      to.*s = from.*s;
    }
  });
}

std::string to_toml(const Config& c) {
  std::ostringstream out;
  out << "# Minato configuration. Flags to `minato serve` override these settings.\n";
  for (std::string_view table : kTables) {
    out << "\n[" << table << "]\n";
    for (const auto& k : kStrKeys) {
      if (table == k.table) out << k.key << " = " << toml_quoted(c.*(k.field)) << "\n";
    }
    for (const auto& k : kIntKeys) {
      if (table == k.table) out << k.key << " = " << c.*(k.field) << "\n";
    }
  }
  return out.str();
}

Result<std::vector<std::string>> split_fingerprints(const std::string& list) {
  return split_hex32(list, "a SHA-256 certificate fingerprint");
}

Result<std::vector<std::string>> split_hex32(const std::string& list, std::string_view what) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&]() -> Status {
    while (!cur.empty() && cur.back() == ' ') cur.pop_back();
    size_t b = cur.find_first_not_of(' ');
    cur = b == std::string::npos ? "" : cur.substr(b);
    if (cur.rfind("sha256:", 0) == 0) cur = cur.substr(7);
    std::string hex;
    for (char ch : cur) {
      if (ch == ':') continue;  // "AB:CD:..." as openssl prints it
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
    if (hex.empty()) return ok();
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  "'" + cur + "' is not " + std::string(what) + " (64 hex digits)");
    }
    out.push_back(hex);
    cur.clear();
    return ok();
  };
  for (char ch : list) {
    if (ch == ',') {
      MINATO_TRY(flush());
    } else {
      cur.push_back(ch);
    }
  }
  MINATO_TRY(flush());
  return out;
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

namespace {

// The port of an https:// origin ("https://localhost:8443" -> 8443, no port -> 443); 0 when
// it is not one.
int origin_port(const std::string& origin, size_t* host_end) {
  constexpr std::string_view kScheme = "https://";
  if (origin.rfind(kScheme, 0) != 0) return 0;
  size_t start = kScheme.size();
  size_t end = origin.find('/', start);
  if (end == std::string::npos) end = origin.size();
  std::string authority = origin.substr(start, end - start);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) {
    *host_end = start + authority.size();
    return 443;
  }
  int p = 0;
  for (char ch : authority.substr(colon + 1)) {
    if (ch < '0' || ch > '9' || p > 65535) return 0;
    p = p * 10 + (ch - '0');
  }
  *host_end = start + colon;
  return p;
}

}  // namespace

Status apply_listeners(Config& c, const Listeners& l) {
  struct One {
    const std::string& value;
    std::string* setting;
    const char* flag;
    const char* name;
  };
  const One all[] = {
      {l.api, &c.listen, "--listen", "server.listen"},
      {l.management, &c.management_listen, "--management-listen", "server.management_listen"},
      {l.vault, &c.backup_vault_listen, "--vault-listen", "backup.vault_listen"}};
  for (const One& o : all) {
    if (o.value.empty()) continue;
    std::string host;
    uint16_t port = 0;
    if (auto st = split_listen(o.value, &host, &port); !st) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(o.flag) + " (" + o.name + "): " + st.error().message(), o.name);
    }
  }
  if (!l.api.empty()) {
    std::string host;
    uint16_t port = 0;
    if (split_listen(l.api, &host, &port) && port != 0 && origin_on_listener(c)) {
      set_origin_port(c, port);
    }
  }
  for (const One& o : all) {
    if (!o.value.empty()) *o.setting = o.value;
  }
  return ok();
}

bool origin_on_listener(const Config& c) {
  std::string host;
  uint16_t port = 0;
  size_t host_end = 0;
  if (!split_listen(c.listen, &host, &port)) return false;
  const int on = origin_port(c.webauthn_origin, &host_end);
  if (port != 0) return on == port;
  // A port picked at each start (HOST:0, a demo or a test beside another): an origin on this
  // host follows it; a name of the terminal's does not.
  const std::string origin_host = c.webauthn_origin.substr(8, host_end - 8);
  return on != 0 &&
         (origin_host == "localhost" || origin_host == "127.0.0.1" || origin_host == "[::1]");
}

void set_origin_port(Config& c, uint16_t port) {
  size_t host_end = 0;
  if (origin_port(c.webauthn_origin, &host_end) == 0) return;
  c.webauthn_origin = c.webauthn_origin.substr(0, host_end) +
                      (port == 443 ? std::string() : ":" + std::to_string(port));
}

}  // namespace minato::config
