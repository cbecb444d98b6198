// Checks of the accounts and their authentication (G2.1.1, G2.1.2, G2.1.3, G2.2.1-a/b/g,
// G2.2.2): they read the accounts, role rules, approvals and access reviews of the store, the
// settings in force and the password policy this binary enforces.
#include <algorithm>
#include <set>

#include "access/roles.h"
#include "app/compliance/check.h"
#include "app/identity_service.h"
#include "app/runtime.h"
#include "identity/password_policy.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;

bool is_client(const store::UserRecord& u) {
  return std::any_of(u.roles.begin(), u.roles.end(), [](const std::string& r) {
    return r == "line_client" || r == "haulier_client";
  });
}

bool is_admin(const store::UserRecord& u) {
  return std::any_of(u.roles.begin(), u.roles.end(),
                     [](const std::string& r) { return access::admin_role(r); });
}

// The active accounts without a second factor (TOTP or a WebAuthn credential).
Result<std::vector<std::string>> without_second_factor(Facts& f, bool admins_only) {
  std::vector<std::string> out;
  for (const auto* u : f.active_users()) {
    if (admins_only && !is_admin(*u)) continue;
    if (!u->totp_sealed.empty()) continue;
    auto keys = f.read().webauthn_credentials(u->id);
    if (!keys) return fail(keys.error());
    if (keys->empty()) out.push_back(u->username);
  }
  return out;
}

// Whether the account, or one of its roles, is bound to source addresses.
bool source_bound(const store::UserRecord& u, const std::vector<store::RoleRule>& rules) {
  if (!u.allowed_sources.empty()) return true;
  for (const auto& role : u.roles) {
    for (const auto& r : rules) {
      if (r.role == role && !r.allowed_sources.empty()) return true;
    }
  }
  return false;
}

Outcome G2_1_1_a(Facts& f) {
  const auto& c = f.rt().config();
  if (!f.users()) return read_error(f.users().error());
  if (!f.role_rules()) return read_error(f.role_rules().error());
  std::vector<std::string> open;
  for (const auto* u : f.active_users()) {
    if (!source_bound(*u, *f.role_rules())) open.push_back(u->username);
  }
  std::vector<Value> v{
      value("server.allow_sources", c.allow_sources.empty() ? "(any)" : c.allow_sources),
      value("accounts_without_source_rule", static_cast<int64_t>(open.size()))};
  if (!open.empty()) v.push_back(value("accounts_without_source_rule_names", names_of(open)));
  if (!c.allow_sources.empty()) {
    return pass({"the API listener accepts only the sources of server.allow_sources",
                 "APIの待受はserver.allow_sourcesの接続元のみを受け付けます"},
                std::move(v));
  }
  if (open.empty()) {
    return pass(
        {"every active account is bound to source addresses (its own or its role's)",
         "全ての有効なアカウントが接続元アドレスに限定されています（本人またはロールの規則）"},
        std::move(v));
  }
  if (open.size() < f.active_users().size()) {
    return partial({std::to_string(open.size()) +
                        " active accounts may log in from any address and the API listener "
                        "has no source list",
                    "接続元の制限がない有効なアカウントが" + std::to_string(open.size()) +
                        "件あり、APIの待受にも接続元の制限がありません"},
                   std::move(v));
  }
  return failed({"no source restriction: server.allow_sources is empty and no account or role "
                 "has a source rule",
                 "接続元の制限がありません（server.allow_"
                 "sourcesが空で、アカウントにもロールにも規則がありません）"},
                std::move(v));
}

Outcome G2_1_1_b(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  auto missing = without_second_factor(f, false);
  if (!missing) return read_error(missing.error());
  std::vector<Value> v{
      value("active_accounts", static_cast<int64_t>(f.active_users().size())),
      value("accounts_without_second_factor", static_cast<int64_t>(missing->size()))};
  if (missing->empty()) {
    return pass(
        {"every active account logs in with a password and a second factor (TOTP or "
         "WebAuthn)",
         "全ての有効なアカウントがパスワードと第二要素（TOTPまたはWebAuthn）でログインします"},
        std::move(v));
  }
  v.push_back(value("accounts_without_second_factor_names", names_of(*missing)));
  return failed({std::to_string(missing->size()) +
                     " active accounts have no second factor: " + names_of(*missing),
                 "第二要素のない有効なアカウントが" + std::to_string(missing->size()) +
                     "件あります: " + names_of(*missing)},
                std::move(v));
}

Outcome password_policy_outcome(const identity::PasswordPolicy& p, const std::string& what_en,
                                const std::string& what_ja) {
  std::vector<Value> v{value("min_length", static_cast<int64_t>(p.min_length)),
                       value_bool("upper_lower_digit_symbol", p.require_classes),
                       value("min_entropy_bits", static_cast<int64_t>(p.min_entropy_bits))};
  if (p.min_length >= 12 && p.require_classes) {
    return pass({what_en + " need 12+ characters with upper and lower case, a digit and a "
                           "symbol, and are refused when common or guessable",
                 what_ja + "は12文字以上で大文字・小文字・数字・記号を含む必要があり、推測されやす"
                           "いものは拒否されます"},
                std::move(v));
  }
  return failed({what_en + " may be shorter than 12 characters or lack a character class",
                 what_ja + "が12文字未満または文字種が不足していても受け付けられます"},
                std::move(v));
}

Outcome G2_1_1_c(Facts&) {
  return password_policy_outcome(identity::PasswordPolicy::for_use(identity::PasswordUse::kLogin),
                                 "login passwords", "ログインパスワード");
}

Outcome G2_1_1_d(Facts& f) {
  const int h = f.rt().config().enrolment_hours;
  std::vector<Value> v{value("auth.enrolment_hours", h)};
  if (h > 0 && h <= 72) {
    return pass({"accounts are handed over by one-time enrolment links valid " + std::to_string(h) +
                     " h; no password is ever sent",
                 "アカウントは有効期間" + std::to_string(h) +
                     "時間の一回限りの登録リンクで引き渡され、パスワードは送付されません"},
                std::move(v));
  }
  return partial(
      {"enrolment links stay valid " + std::to_string(h) + " h (72 h at most expected)",
       "登録リンクの有効期間が" + std::to_string(h) + "時間です（72時間以内が望まれます）"},
      std::move(v));
}

Outcome lockout(Facts& f) {
  const auto& c = f.rt().config();
  int64_t locked = 0;
  if (f.users()) {
    for (const auto& u : *f.users()) locked += u.locked_until_us > f.now_us() ? 1 : 0;
  }
  std::vector<Value> v{value("auth.lockout_threshold", c.lockout_threshold),
                       value("auth.lockout_seconds", c.lockout_seconds),
                       value("auth.lockout_max_seconds", c.lockout_max_seconds),
                       value("accounts_locked_now", locked)};
  if (c.lockout_threshold >= 1 && c.lockout_threshold <= 10 && c.lockout_seconds >= 60) {
    return pass(
        {"an account locks after " + std::to_string(c.lockout_threshold) + " failed logins for " +
             std::to_string(c.lockout_seconds) + " s, doubling on each further lock",
         std::to_string(c.lockout_threshold) + "回のログイン失敗でアカウントを" +
             std::to_string(c.lockout_seconds) + "秒ロックし、再ロックごとに倍にします"},
        std::move(v));
  }
  return failed(
      {"the lockout in force is too weak (threshold " + std::to_string(c.lockout_threshold) + ", " +
           std::to_string(c.lockout_seconds) + " s)",
       "ロックの設定が弱すぎます（しきい値" + std::to_string(c.lockout_threshold) + "回、" +
           std::to_string(c.lockout_seconds) + "秒）"},
      std::move(v));
}

Outcome G2_1_1_e(Facts& f) { return lockout(f); }

Outcome login_notices(Facts& f) {
  const auto& c = f.rt().config();
  if (!f.users()) return read_error(f.users().error());
  int64_t people = 0, without_mail = 0;
  for (const auto* u : f.active_users()) {
    if (is_client(*u)) continue;
    ++people;
    without_mail += u->email.empty() ? 1 : 0;
  }
  std::vector<Value> v{value_bool("notify.smtp_url_set", !c.smtp_url.empty()),
                       value_bool("notify.webhook_url_set", !c.webhook_url.empty()),
                       value_bool("notify.security_mail_set", !c.security_mail.empty()),
                       value("accounts_without_mail", without_mail)};
  if (c.smtp_url.empty() && c.webhook_url.empty()) {
    return failed({"logins from new addresses are detected but no one can be told: neither "
                   "notify.smtp_url nor notify.webhook_url is set",
                   "新しい接続元からのログインは検知されますが、notify.smtp_urlもnotify.webhook_"
                   "urlも未設定のため通知できません"},
                  std::move(v));
  }
  if (without_mail > 0 || c.security_mail.empty()) {
    return partial(
        {"logins from new addresses are told to security staff and owners, but " +
             std::to_string(without_mail) + " of " + std::to_string(people) +
             " accounts have no mail address" +
             (c.security_mail.empty() ? " and notify.security_mail is empty" : ""),
         "新しい接続元からのログインを通知しますが、" + std::to_string(people) + "件中" +
             std::to_string(without_mail) + "件のアカウントにメールアドレスがありません" +
             (c.security_mail.empty() ? "（notify.security_mailも未設定）" : "")},
        std::move(v));
  }
  return pass({"a login from a new address is mailed to the account's owner and to security "
               "staff",
               "新しい接続元からのログインを本人とセキュリティ担当者にメールで通知します"},
              std::move(v));
}

Outcome G2_1_1_f(Facts& f) { return login_notices(f); }

Outcome G2_1_1_g(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  int64_t admins = 0;
  for (const auto* u : f.active_users()) admins += is_admin(*u) ? 1 : 0;
  auto missing = without_second_factor(f, true);
  if (!missing) return read_error(missing.error());
  std::vector<Value> v{
      value("active_admin_accounts", admins),
      value("admin_accounts_without_second_factor", static_cast<int64_t>(missing->size()))};
  if (!missing->empty()) {
    return failed({"administrators without a second factor: " + names_of(*missing),
                   "第二要素のない管理者アカウント: " + names_of(*missing)},
                  std::move(v));
  }
  return pass({"every administrator uses a second factor; Minato ships no account and no "
               "default password (the first administrator is enrolled at init)",
               "全ての管理者が第二要素を使い、Minatoには既定のアカウントもパスワードもありません（"
               "最初の管理者はinitで登録）"},
              std::move(v));
}

// Approvals that break the two-person rule: decided by their requester.
Result<std::pair<int64_t, int64_t>> approval_counts(Facts& f) {
  auto all = f.read().list_approvals(false, 100000);
  if (!all) return fail(all.error());
  int64_t self = 0;
  for (const auto& a : *all) {
    if (!a.decided_by.empty() && a.decided_by == a.requested_by) ++self;
  }
  return std::pair<int64_t, int64_t>{static_cast<int64_t>(all->size()), self};
}

Outcome G2_1_1_h(Facts& f) {
  auto n = approval_counts(f);
  if (!n) return read_error(n.error());
  if (!f.users()) return read_error(f.users().error());
  std::vector<std::string> ungranted;
  for (const auto* u : f.active_users()) {
    if (u->access_granted_by.empty()) ungranted.push_back(u->username);
  }
  std::vector<Value> v{
      value("approvals", n->first), value("self_approved", n->second),
      value("accounts_without_recorded_grant", static_cast<int64_t>(ungranted.size()))};
  if (n->second > 0) {
    return failed({std::to_string(n->second) + " approvals were decided by their own requester",
                   "申請者自身が承認した承認が" + std::to_string(n->second) + "件あります"},
                  std::move(v));
  }
  if (!ungranted.empty()) {
    return failed({"accounts whose rights have no recorded grant (changed outside the approval "
                   "process?): " +
                       names_of(ungranted),
                   "権限付与の記録がないアカウント（承認手続の外で変更された可能性）: " +
                       names_of(ungranted)},
                  std::move(v));
  }
  return pass({"changes of users' rights are requested, approved by another person and executed, "
               "each step recorded; every account's rights name their grant",
               "利用者の権限変更は申請・別の者による承認・実施の各段階を記録して行われ、全アカウン"
               "トの権限に付与の記録があります"},
              std::move(v));
}

Outcome G2_1_1_i(Facts& f) {
  auto reviews = f.read().list_access_reviews(1);
  if (!reviews) return read_error(reviews.error());
  if (reviews->empty()) {
    return failed(
        {"no access review has been signed off", "アクセス権の見直しが一度も承認されていません"},
        {value("last_review", "(none)")});
  }
  const auto& r = reviews->front();
  const int64_t age = f.now_us() - r.at_us;
  std::vector<Value> v{value("last_review_age_days", age / kDayUs),
                       value("last_review_by", r.reviewer), value("accounts_reviewed", r.accounts)};
  if (age > 183 * kDayUs) {
    return failed({"the last access review was " + age_en(age) + " ago (more than six months)",
                   "最後のアクセス権の見直しは" + age_ja(age) + "前です（6か月超）"},
                  std::move(v));
  }
  return pass({"users' rights were reviewed and signed off " + age_en(age) + " ago",
               "利用者の権限は" + age_ja(age) + "前に見直され承認されています"},
              std::move(v));
}

Outcome G2_1_1_j(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  std::vector<std::string> bad;
  for (const auto& u : *f.users()) {
    if (!u.disabled && !access::check_roles(u.roles).ok) bad.push_back(u.username);
  }
  std::vector<Value> v{
      value("accounts_mixing_admin_and_user_roles", static_cast<int64_t>(bad.size()))};
  if (!bad.empty()) {
    return failed({"accounts hold administrative and operational roles together: " + names_of(bad),
                   "管理者ロールと業務ロールを併せ持つアカウント: " + names_of(bad)},
                  std::move(v));
  }
  return pass(
      {"no account holds administrative and operational roles together; administrative "
       "roles are split by purpose",
       "管理者ロールと業務ロールを併せ持つアカウントはなく、管理者ロールは目的別に分かれています"},
      std::move(v));
}

Outcome G2_1_1_k(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  std::vector<std::string> leftover;
  int64_t disabled = 0;
  for (const auto& u : *f.users()) {
    if (!u.disabled) continue;
    ++disabled;
    bool left = f.rt().sessions().count_for(u.username) > 0;
    auto tokens = f.read().api_tokens(u.id);
    if (!tokens) return read_error(tokens.error());
    for (const auto& t : *tokens) {
      if (t.revoked_us == 0 && (t.expires_us == 0 || t.expires_us > f.now_us())) left = true;
    }
    if (left) leftover.push_back(u.username);
  }
  std::vector<Value> v{
      value("disabled_accounts", disabled),
      value("disabled_with_live_sessions_or_tokens", static_cast<int64_t>(leftover.size()))};
  if (!leftover.empty()) {
    return failed({"disabled accounts still hold sessions or API tokens: " + names_of(leftover),
                   "無効化されたアカウントにセッションまたはAPIトークンが残っています: " +
                       names_of(leftover)},
                  std::move(v));
  }
  return pass({"disabled accounts hold no session and no live API token",
               "無効化されたアカウントにはセッションも有効なAPIトークンも残っていません"},
              std::move(v));
}

Outcome G2_1_1_l(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  if (!f.role_rules()) return read_error(f.role_rules().error());
  int64_t clients = 0;
  std::vector<std::string> open;
  for (const auto* u : f.active_users()) {
    if (!is_client(*u)) continue;
    ++clients;
    if (!source_bound(*u, *f.role_rules())) open.push_back(u->username);
  }
  std::vector<Value> v{
      value("client_accounts", clients),
      value("client_accounts_without_source_rule", static_cast<int64_t>(open.size()))};
  if (clients == 0) {
    return not_applicable({"no system-to-system (client) accounts exist",
                           "システム間連携用（クライアント）アカウントはありません"},
                          std::move(v));
  }
  if (!open.empty()) {
    return partial(
        {"client accounts used by other systems are not bound to addresses: " + names_of(open),
         "他システムが使うクライアントアカウントが接続元に限定されていません: " + names_of(open)},
        std::move(v));
  }
  return pass({"every client account used by another system is bound to its addresses",
               "他システムが使う全てのクライアントアカウントは接続元アドレスに限定されています"},
              std::move(v));
}

Outcome G2_1_2_a(Facts& f) {
  const int s = f.rt().config().step_up_seconds;
  std::vector<Value> v{value("auth.step_up_seconds", s)};
  if (s > 0 && s <= 900) {
    return pass({"every request is authenticated; changes of classified data ask for a second "
                 "factor proved within " +
                     std::to_string(s) + " s",
                 "全ての要求を認証し、格付けの高いデータの変更には" + std::to_string(s) +
                     "秒以内に確認した第二要素を求めます"},
                std::move(v));
  }
  return partial(
      {"step-up authentication lasts " + std::to_string(s) +
           " s (15 min at most "
           "expected)",
       "ステップアップ認証の有効時間が" + std::to_string(s) + "秒です（15分以内が望まれます）"},
      std::move(v));
}

Outcome G2_1_2_b(Facts& f) {
  int64_t roles_without_self = 0;
  for (auto role : access::all_roles()) {
    if ((access::permissions_of({std::string(role)}) &
         static_cast<uint32_t>(access::Permission::kSelf)) == 0) {
      ++roles_without_self;
    }
  }
  auto last = f.read().newest_audit({"user.compromised"}, 0);
  if (!last) return read_error(last.error());
  std::vector<Value> v{value("roles_without_self_service", roles_without_self),
                       value("last_compromise_report",
                             *last ? std::to_string((*last)->at_us / 1'000'000) : "(none)")};
  if (roles_without_self > 0) {
    return failed({"some roles cannot report their own credentials as compromised",
                   "認証情報の漏えいを本人が報告できないロールがあります"},
                  std::move(v));
  }
  return pass({"every user can report a compromised credential, which locks the account and ends "
               "its sessions at once",
               "全ての利用者が認証情報の漏えいを報告でき、報告と同時にアカウントをロックしセッショ"
               "ンを終了します"},
              std::move(v));
}

Outcome G2_1_2_c(Facts& f) {
  auto o = password_policy_outcome(identity::PasswordPolicy::for_use(identity::PasswordUse::kLogin),
                                   "passwords", "パスワード");
  o.values.push_back(value("auth.password_max_days", f.rt().config().password_max_days));
  return o;
}

Outcome G2_1_3(Facts& f) {
  auto n = approval_counts(f);
  if (!n) return read_error(n.error());
  const int h = f.rt().config().enrolment_hours;
  std::vector<Value> v{value("approvals", n->first), value("self_approved", n->second),
                       value("auth.enrolment_hours", h)};
  if (n->second > 0) {
    return failed({std::to_string(n->second) + " privileged changes were approved by their "
                                               "requester",
                   "申請者自身が承認した特権変更が" + std::to_string(n->second) + "件あります"},
                  std::move(v));
  }
  return pass({"privileged changes need another person's approval; initial credentials go by "
               "one-time enrolment links; every change of roles and rules is audited with before "
               "and after",
               "特権変更には別の者の承認が必要で、初期認証情報は一回限りの登録リンクで配付し、ロー"
               "ルと規則の変更は前後の値とともに監査記録されます"},
              std::move(v));
}

Outcome G2_2_1_a(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  std::vector<std::string> bad;
  for (const auto* u : f.active_users()) {
    if (u->roles.empty() || !access::check_roles(u->roles).ok) bad.push_back(u->username);
  }
  std::vector<Value> v{value("active_accounts", static_cast<int64_t>(f.active_users().size())),
                       value("accounts_with_invalid_roles", static_cast<int64_t>(bad.size()))};
  if (!bad.empty()) {
    return failed({"accounts with no valid role set: " + names_of(bad),
                   "有効なロールを持たないアカウント: " + names_of(bad)},
                  std::move(v));
  }
  return pass({"every request is checked against the caller's roles and object scope",
               "全ての要求を呼出し元のロールと対象範囲で確認しています"},
              std::move(v));
}

Outcome G2_2_1_b(Facts& f) {
  Outcome a = lockout(f), b = login_notices(f);
  Outcome& worse = severity(a.status) <= severity(b.status) ? a : b;
  Outcome out{worse.status, worse.reason, a.values};
  out.values.insert(out.values.end(), b.values.begin(), b.values.end());
  return out;
}

Outcome G2_2_1_g(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("alerts.login_failures_per_minute", c.alert_login_failures_per_minute),
                       value("auth.lockout_threshold", c.lockout_threshold),
                       value_bool("notify.security_mail_set", !c.security_mail.empty()),
                       value_bool("notify.webhook_url_set", !c.webhook_url.empty())};
  if (c.alert_login_failures_per_minute <= 0 || c.lockout_threshold <= 0) {
    return failed({"repeated failed logins raise no alert or no lockout",
                   "繰り返しのログイン失敗で通知またはロックが行われません"},
                  std::move(v));
  }
  if (c.security_mail.empty() && c.webhook_url.empty()) {
    return partial(
        {"failed logins are audited and locked, but no security staff address is set "
         "for the alert",
         "ログイン失敗は記録されロックされますが、通知先のセキュリティ担当者が設定されていません"},
        std::move(v));
  }
  return pass(
      {"failed logins are audited; more than " + std::to_string(c.alert_login_failures_per_minute) +
           " a minute alert security staff; rapid failures lock the account",
       "ログイン失敗を記録し、毎分" + std::to_string(c.alert_login_failures_per_minute) +
           "回を超えるとセキュリティ担当者に通知し、連続失敗でアカウントをロックします"},
      std::move(v));
}

Outcome G2_2_2_a(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  // Minato creates no account of its own: what can be seen live is how many accounts still
  // log in with the password they were given at creation (never changed by their owner).
  int64_t initial = 0;
  for (const auto* u : f.active_users()) initial += u->password_set_us == 0 ? 1 : 0;
  std::vector<Value> v{value("active_accounts", static_cast<int64_t>(f.active_users().size())),
                       value("accounts_on_their_initial_password", initial)};
  return pass({"Minato has no vendor default account or password; each account's password was "
               "checked against the policy (common and default passwords refused)",
               "Minatoには製品既定のアカウントもパスワードもなく、各パスワードは方針（推測されやす"
               "いもの・既定のものは拒否）で確認されています"},
              std::move(v));
}

Outcome G2_2_2_b(Facts&) {
  const auto login = identity::PasswordPolicy::for_use(identity::PasswordUse::kLogin);
  const auto backup = identity::PasswordPolicy::for_use(identity::PasswordUse::kBackupPassphrase);
  std::vector<Value> v{
      value("login.min_length", static_cast<int64_t>(login.min_length)),
      value("backup_passphrase.min_length", static_cast<int64_t>(backup.min_length)),
      value("backup_passphrase.min_entropy_bits", static_cast<int64_t>(backup.min_entropy_bits))};
  if (login.min_length >= 12 && backup.min_length >= 20) {
    return pass({"login passwords need 12+ characters of four kinds; backup passphrases 20+ "
                 "characters and 80 bits",
                 "ログインパスワードは4種の文字で12文字以上、バックアップのパスフレーズは20文字以上"
                 "かつ80ビット以上が必要です"},
                std::move(v));
  }
  return failed(
      {"a password policy is below its minimum", "パスワード方針が最低基準を下回っています"},
      std::move(v));
}

Outcome G2_2_2_c(Facts&) {
  std::vector<Value> v{value("password_history", IdentityService::kPasswordHistory)};
  return pass({"a new password must differ from the last " +
                   std::to_string(IdentityService::kPasswordHistory) +
                   " and is refused when common or breached-looking",
               "新しいパスワードは直近" + std::to_string(IdentityService::kPasswordHistory) +
                   "件と異なる必要があり、推測されやすいものは拒否されます"},
              std::move(v));
}

Outcome G2_2_2_d(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  int64_t with_key = 0;
  for (const auto* u : f.active_users()) {
    auto keys = f.read().webauthn_credentials(u->id);
    if (!keys) return read_error(keys.error());
    with_key += keys->empty() ? 0 : 1;
  }
  auto missing = without_second_factor(f, false);
  if (!missing) return read_error(missing.error());
  std::vector<Value> v{
      value("accounts_with_security_key", with_key),
      value("accounts_without_second_factor", static_cast<int64_t>(missing->size())),
      value("webauthn.user_verification", f.rt().config().webauthn_user_verification),
      value_bool("sms_offered", false)};
  if (!missing->empty()) {
    return failed(
        {std::to_string(missing->size()) + " active accounts have no second factor",
         "第二要素のない有効なアカウントが" + std::to_string(missing->size()) + "件あります"},
        std::move(v));
  }
  return pass({"every account has a second factor; security keys (WebAuthn) are offered and SMS "
               "is not",
               "全てのアカウントに第二要素があり、セキュリティキー（WebAuthn）を利用でき、SMSは提供"
               "していません"},
              std::move(v));
}

Outcome G2_2_2_e(Facts& f) {
  auto last = f.read().newest_audit({"session.create"}, 0);
  if (!last) return read_error(last.error());
  std::vector<Value> v{
      value("last_login_event", *last ? std::to_string((*last)->seq) : std::string("(none)"))};
  return pass({"logins are recorded with time, source, method and result; each user sees their "
               "own and administrators see all",
               "ログインを時刻・接続元・方式・結果とともに記録し、本人は自分の、管理者は全員の履歴"
               "を閲覧できます"},
              std::move(v));
}

Outcome G2_2_2_f(Facts& f) {
  const auto& c = f.rt().config();
  std::vector<Value> v{value("auth.source_failure_threshold", c.source_failure_threshold),
                       value("auth.source_window_s", c.source_window_s),
                       value("auth.source_block_s", c.source_block_s)};
  if (c.source_failure_threshold > 0 && c.source_block_s > 0) {
    return pass(
        {"an address with " + std::to_string(c.source_failure_threshold) + " failed logins in " +
             std::to_string(c.source_window_s) + " s is blocked for " +
             std::to_string(c.source_block_s) + " s",
         std::to_string(c.source_window_s) + "秒間に" + std::to_string(c.source_failure_threshold) +
             "回ログインに失敗した接続元を" + std::to_string(c.source_block_s) + "秒遮断します"},
        std::move(v));
  }
  return failed({"offending source addresses are not blocked", "不審な接続元が遮断されません"},
                std::move(v));
}

Outcome G2_2_2_g(Facts& f) {
  if (!f.users()) return read_error(f.users().error());
  const int days = f.rt().config().inactive_days;
  std::vector<std::string> stale;
  for (const auto* u : f.active_users()) {
    const int64_t last = std::max(u->last_login_us, u->created_us);
    if (days > 0 && f.now_us() - last > (days + 1) * kDayUs) stale.push_back(u->username);
  }
  std::vector<Value> v{value("auth.inactive_days", days),
                       value("enabled_accounts_unused_longer", static_cast<int64_t>(stale.size()))};
  if (days <= 0 || days > 90) {
    return failed({"unused accounts are disabled only after " + std::to_string(days) + " days",
                   "未使用アカウントの無効化が" + std::to_string(days) + "日後です"},
                  std::move(v));
  }
  if (!stale.empty()) {
    return failed(
        {"accounts unused for more than " + std::to_string(days) +
             " days are still enabled: " + names_of(stale),
         std::to_string(days) + "日を超えて未使用のアカウントが有効なままです: " + names_of(stale)},
        std::move(v));
  }
  return pass({"accounts unused for " + std::to_string(days) + " days are disabled by the sweep",
               std::to_string(days) + "日間使われていないアカウントは定期処理で無効化されます"},
              std::move(v));
}

}  // namespace

void identity_checks(std::vector<Check>& out) {
  const std::vector<std::string> users{"user.", "approval.", "config."};
  out.push_back({"G2.1.1-a", G2_1_1_a, users});
  out.push_back({"G2.1.1-b", G2_1_1_b, {"user.", "enrolment.", "webauthn."}});
  out.push_back({"G2.1.1-c", G2_1_1_c, {}});
  out.push_back({"G2.1.1-d", G2_1_1_d, {"config."}});
  out.push_back({"G2.1.1-e", G2_1_1_e, {"config."}});
  out.push_back({"G2.1.1-f", G2_1_1_f, {"config.", "user."}});
  out.push_back({"G2.1.1-g", G2_1_1_g, {"user.", "enrolment.", "webauthn."}});
  out.push_back({"G2.1.1-h", G2_1_1_h, {"approval."}});
  out.push_back({"G2.1.1-i", G2_1_1_i, {"access_review.sign_off"}});
  out.push_back({"G2.1.1-j", G2_1_1_j, users});
  out.push_back({"G2.1.1-k", G2_1_1_k, {"user.", "api_token."}});
  out.push_back({"G2.1.1-l", G2_1_1_l, users});
  out.push_back({"G2.1.2-a", G2_1_2_a, {"config."}});
  out.push_back({"G2.1.2-b", G2_1_2_b, {}});
  out.push_back({"G2.1.2-c", G2_1_2_c, {"config."}});
  out.push_back({"G2.1.3", G2_1_3, {"approval.", "config."}});
  out.push_back({"G2.2.1-a", G2_2_1_a, users});
  out.push_back({"G2.2.1-b", G2_2_1_b, {"config."}});
  out.push_back({"G2.2.1-g", G2_2_1_g, {"config."}});
  out.push_back({"G2.2.2-a", G2_2_2_a, {}});
  out.push_back({"G2.2.2-b", G2_2_2_b, {}});
  out.push_back({"G2.2.2-c", G2_2_2_c, {}});
  out.push_back({"G2.2.2-d", G2_2_2_d, {"user.", "enrolment.", "webauthn."}});
  out.push_back({"G2.2.2-e", G2_2_2_e, {}});
  out.push_back({"G2.2.2-f", G2_2_2_f, {"config."}});
  out.push_back({"G2.2.2-g", G2_2_2_g, {"config.", "user."}});
}

}  // namespace minato::app::compliance
