// Checks of the network edge and remote access (G1.3, G2.2.1-c/d/e/f, G2.4-c, G2.5, A1.5,
// A1.5.2): they read the listeners, limits and source lists in force (net/, config/) and the
// vendor accounts with their maintenance windows.
#include <algorithm>

#include "access/roles.h"
#include "app/compliance/check.h"
#include "app/runtime.h"

namespace minato::app::compliance {
namespace {

bool wildcard(const std::string& listen) {
  return listen.rfind("0.0.0.0:", 0) == 0 || listen.rfind("[::]:", 0) == 0 ||
         listen.rfind(":", 0) == 0;
}

std::vector<Value> listeners(const config::Config& c) {
  return {value("server.listen", c.listen), value("server.management_listen", c.management_listen),
          value("backup.vault_listen", c.backup_vault_listen)};
}

Outcome G1_3(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  int64_t vendors = 0, vendors_without_mfa = 0;
  for (const auto* u : f.active_users()) {
    if (std::find(u->roles.begin(), u->roles.end(), "maintenance_vendor") == u->roles.end()) {
      continue;
    }
    ++vendors;
    if (!u->totp_sealed.empty()) continue;
    auto keys = f.read().webauthn_credentials(u->id);
    if (!keys) return read_error(keys.error());
    vendors_without_mfa += keys->empty() ? 1 : 0;
  }
  std::vector<Value> v{value("vendor_accounts", vendors),
                       value("vendor_accounts_without_second_factor", vendors_without_mfa)};
  if (vendors_without_mfa > 0) {
    return failed({"remote maintenance accounts without a second factor exist",
                   "第二要素のないリモート保守用アカウントがあります"},
                  std::move(v));
  }
  return pass({"remote access is TLS with MFA only; vendors work inside approved maintenance "
               "windows that start and stop on record",
               "リモートアクセスはTLSと多要素認証のみで、保守業者は承認された保守時間帯の中でのみ作"
               "業し、開始と終了が記録されます"},
              std::move(v));
}

Outcome G2_2_1_c(Facts& f) {
  return not_applicable({"the listeners a firewall rule set must allow are listed here",
                         "ファイアウォールで許可すべき待受をここに示します"},
                        listeners(f.rt().config()));
}

Outcome G2_2_1_d(Facts& f) {
  const auto& c = f.rt().config();
  int64_t windows = 0;
  if (f.users()) {
    for (const auto& u : *f.users()) windows += u.login_window.empty() ? 0 : 1;
  }
  std::vector<Value> v{
      value("auth.max_sessions_per_user", c.max_sessions_per_user),
      value("auth.session_limit", c.session_limit), value("accounts_with_login_window", windows),
      value("server.listen", c.listen), value("server.management_listen", c.management_listen)};
  if (c.max_sessions_per_user < 1 || c.max_sessions_per_user > 10) {
    return failed({"concurrent sessions per user are limited to " +
                       std::to_string(c.max_sessions_per_user) + " (1–10 expected)",
                   "利用者ごとの同時セッション数の上限が" +
                       std::to_string(c.max_sessions_per_user) + "です（1〜10が望まれます）"},
                  std::move(v));
  }
  if (c.management_listen.empty() || c.management_listen == c.listen) {
    return partial(
        {"the management API shares the operations listener", "管理用APIが業務用の待受と同じです"},
        std::move(v));
  }
  return pass({"sessions per user are limited to " + std::to_string(c.max_sessions_per_user) +
                   "; login time windows and source rules apply; management has its own listener",
               "利用者ごとのセッション数を" + std::to_string(c.max_sessions_per_user) +
                   "に制限し、ログイン時間帯と接続元の規則を適用し、管理用には別の待受を使います"},
              std::move(v));
}

Outcome G2_2_1_e(Facts& f) {
  const auto& c = f.rt().config();
  auto v = listeners(c);
  if (wildcard(c.management_listen) && c.management_allow_sources.empty()) {
    return failed({"the management listener binds every address and accepts any source",
                   "管理用の待受が全アドレスで待ち受け、接続元の制限もありません"},
                  std::move(v));
  }
  return pass({"Minato serves HTTPS only, on the listeners named in its configuration; it opens "
               "no remote shell or file-sharing service",
               "MinatoはHTTPSのみを設定で指定した待受で提供し、リモートシェルやファイル共有のサービ"
               "スを開きません"},
              std::move(v));
}

Outcome dos_limits(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("server.max_connections", c.max_connections),
                       value("server.max_connections_per_source", c.max_connections_per_source),
                       value("server.header_limit_bytes", c.header_limit_bytes),
                       value("server.body_limit_bytes", c.body_limit_bytes),
                       value("server.handshake_timeout_s", c.handshake_timeout_s),
                       value("server.request_timeout_s", c.request_timeout_s)};
  const bool ok = c.max_connections > 0 && c.max_connections_per_source > 0 &&
                  c.max_connections_per_source <= c.max_connections && c.handshake_timeout_s > 0 &&
                  c.handshake_timeout_s <= 30 && c.request_timeout_s > 0 &&
                  c.request_timeout_s <= 60 && c.header_limit_bytes <= 64 * 1024;
  if (!ok) {
    return partial({"some connection limits or timeouts are off or long",
                    "接続数の上限またはタイムアウトの一部が無効または長すぎます"},
                   std::move(v));
  }
  return pass({"connections are capped in total and per source; handshakes and requests have "
               "short deadlines; headers and bodies are bounded",
               "接続数を全体と接続元ごとに制限し、ハンドシェイクと要求に短い期限を設け、ヘッダと本"
               "文の大きさを制限しています"},
              std::move(v));
}

Outcome G2_2_1_f(Facts& f) { return dos_limits(f); }
Outcome G2_4_c(Facts& f) { return dos_limits(f); }

Outcome G2_5_a(Facts& f) {
  const auto& c = f.rt().config();
  auto v = listeners(c);
  v.push_back(value("notify.smtp_url", c.smtp_url.empty() ? "(none)" : c.smtp_url));
  v.push_back(value("audit.syslog_target", c.syslog_target.empty() ? "(none)" : c.syslog_target));
  v.push_back(value("notify.webhook_url", c.webhook_url.empty() ? "(none)" : c.webhook_url));
  v.push_back(value("intake.clamd", c.clamd));
  return pass({"every listener and every outbound destination (mail, syslog, webhook, scanner) is "
               "explicit in the configuration",
               "全ての待受と送信先（メール、syslog、Webhook、スキャナ）が設定に明示されています"},
              std::move(v));
}

Outcome G2_5_b(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  const int days = f.rt().config().inactive_days;
  std::vector<std::string> unused;
  constexpr int64_t kDayUs = 86400LL * 1'000'000;
  for (const auto* u : f.active_users()) {
    const bool admin = std::any_of(u->roles.begin(), u->roles.end(),
                                   [](const std::string& r) { return access::admin_role(r); });
    if (!admin) continue;
    const int64_t last = std::max(u->last_login_us, u->created_us);
    if (f.now_us() - last > int64_t{days > 0 ? days : 90} * kDayUs) unused.push_back(u->username);
  }
  const auto& c = f.rt().config();
  std::vector<Value> v{value("unused_admin_accounts", static_cast<int64_t>(unused.size())),
                       value("server.management_listen", c.management_listen),
                       value("server.management_allow_sources", c.management_allow_sources)};
  if (!unused.empty()) {
    return partial({std::to_string(unused.size()) +
                        " administrator accounts have not been used "
                        "for " +
                        std::to_string(days) + " days",
                    std::to_string(days) + "日間使われていない管理者アカウントが" +
                        std::to_string(unused.size()) + "件あります"},
                   std::move(v));
  }
  if (c.management_allow_sources.empty()) {
    return partial(
        {"the management listener accepts any source", "管理用の待受に接続元の制限がありません"},
        std::move(v));
  }
  return pass({"management is on its own listener limited to its sources; no unused "
               "administrator accounts",
               "管理機能は接続元を限定した専用の待受にあり、未使用の管理者アカウントはありません"},
              std::move(v));
}

Outcome A1_5(Facts& f) {
  const auto& c = f.rt().config();
  auto v = listeners(c);
  v.push_back(value_bool("backup.vault_clients_set", !c.backup_vault_clients.empty()));
  if (wildcard(c.listen) || wildcard(c.management_listen)) {
    return partial({"a listener binds every address (IPv4 and IPv6) rather than named ones",
                    "特定のアドレスではなく全アドレス（IPv4とIPv6）で待ち受けている待受があります"},
                   std::move(v));
  }
  return pass({"every listener binds a named address (IPv6 only where configured); system links "
               "(vault, syslog) use TLS with certificates",
               "全ての待受は指定したアドレスで待ち受け（IPv6は設定時のみ）、システム間の接続（保管"
               "庫、syslog）は証明書付きTLSを使います"},
              std::move(v));
}

Outcome A1_5_2(Facts& f) {
  auto windows = f.read().list_approvals(false, 100000);
  if (!windows) return read_error(windows.error());
  int64_t approved = 0;
  for (const auto& a : *windows) {
    if (a.kind == "maintenance.window" && a.status == "executed") ++approved;
  }
  Outcome o = G1_3(f);
  o.values.push_back(value("maintenance_windows_approved", approved));
  if (o.status == ItemStatus::kPass) {
    o.reason = {
        "remote maintenance needs an approved, time-boxed window, MFA and TLS; its start, "
        "stop and every action are audited",
        "リモート保守には承認された時間制限付きの保守時間帯、多要素認証、TLSが必要で、開始・終了と"
        "全操作が監査記録されます"};
  }
  return o;
}

}  // namespace

void network_checks(std::vector<Check>& out) {
  out.push_back({"G1.3", G1_3, {"user.", "approval."}});
  out.push_back({"G2.2.1-c", G2_2_1_c, {}});
  out.push_back({"G2.2.1-d", G2_2_1_d, {"config."}});
  out.push_back({"G2.2.1-e", G2_2_1_e, {"config."}});
  out.push_back({"G2.2.1-f", G2_2_1_f, {"config."}});
  out.push_back({"G2.4-c", G2_4_c, {"config."}});
  out.push_back({"G2.5-a", G2_5_a, {"config."}});
  out.push_back({"G2.5-b", G2_5_b, {"config.", "user."}});
  out.push_back({"A1.5", A1_5, {"config."}});
  out.push_back({"A1.5.2", A1_5_2, {"user.", "approval."}});
}

}  // namespace minato::app::compliance
