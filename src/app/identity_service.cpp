#include "app/identity_service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "app/step_up.h"
#include "crypto/random.h"
#include "identity/time_window.h"
#include "identity/totp.h"
#include "notify/transport.h"
#include "terminal/gate_transaction.h"

namespace minato::app {

namespace json = boost::json;

namespace {
Error corrupt_rules(const std::string& what) {
  return Error(ErrorCode::kDataLoss, "stored access rules of " + what + " are not valid");
}
}  // namespace

int64_t LockoutPolicy::lock_duration_s(int lock_count) const {
  int64_t d = lock_seconds;
  for (int i = 0; i < lock_count && d < max_lock_seconds; ++i) d *= 2;
  return std::min(d, max_lock_seconds);
}

Status check_username(std::string_view name) {
  bool good = name.size() >= 3 && name.size() <= 32 && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) {
    good = good &&
           ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (!good) {
    return fail(ErrorCode::kInvalidArgument,
                "user name must be 3-32 characters of a-z, 0-9, '.', '_' and '-', starting with "
                "a letter",
                "username");
  }
  return ok();
}

// (declared in identity_service.h)

// Where and when `u` may be used (G2.1.1-a, G2.2.1-d, G1.3): fills `rules` for its session and
// `window` with a vendor's current maintenance window. Returns why a login from `source` at
// `now_us` is refused, or an empty string when it is allowed.
Result<std::string> access_refusal(store::ReadTxn& tx, const store::UserRecord& u,
                                   const std::string& source, int64_t now_us, int utc_offset_s,
                                   identity::SessionRules* rules,
                                   std::optional<store::MaintenanceWindow>* window) {
  auto own_sources = identity::SourceRules::parse(u.allowed_sources);
  auto own_window = identity::TimeWindows::parse(u.login_window, utc_offset_s);
  if (!own_sources || !own_window) return fail(corrupt_rules("user " + u.username));
  rules->sources.push_back(std::move(*own_sources));
  rules->windows.push_back(std::move(*own_window));
  rules->not_after_us = u.valid_until_us;
  auto role_rules = tx.list_role_rules();
  if (!role_rules) return fail(role_rules.error());
  bool vendor = false;
  for (const auto& role : u.roles) {
    vendor = vendor || access::vendor_role(role);
    for (const auto& rr : *role_rules) {
      if (rr.role != role) continue;
      auto src = identity::SourceRules::parse(rr.allowed_sources);
      auto win = identity::TimeWindows::parse(rr.login_window, utc_offset_s);
      if (!src || !win) return fail(corrupt_rules("role " + role));
      rules->sources.push_back(std::move(*src));
      rules->windows.push_back(std::move(*win));
    }
  }
  if (u.valid_until_us != 0 && now_us >= u.valid_until_us) {
    return std::string("account expired at " + format_utc(u.valid_until_us));
  }
  // Such refusals do not count against the account (they would let anyone lock it out).
  if (!rules->allows_source(source)) {
    return std::string("source address not allowed for this account or its roles");
  }
  if (!rules->allows_time(now_us)) {
    return std::string("outside the login time window of this account or its roles");
  }
  if (vendor) {
    auto open = tx.open_maintenance_windows(u.username);
    if (!open) return fail(open.error());
    for (const auto& w : *open) {
      if (w.start_us <= now_us && now_us < w.end_us) *window = w;
    }
    if (!*window) return std::string("no approved maintenance window is open for this vendor");
    if (rules->not_after_us == 0 || (*window)->end_us < rules->not_after_us) {
      rules->not_after_us = (*window)->end_us;
    }
  }
  return std::string();
}

Status check_account_access(const std::vector<std::string>& roles, const std::string& scope) {
  auto rc = access::check_roles(roles);
  if (!rc.ok) return fail(ErrorCode::kInvalidArgument, rc.message, "roles");
  bool line = std::find(roles.begin(), roles.end(), "line_client") != roles.end();
  bool haulier = std::find(roles.begin(), roles.end(), "haulier_client") != roles.end();
  if (!line && !haulier && !scope.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "only a line_client or haulier_client account has a scope", "scope");
  }
  if (line && haulier) {
    return fail(ErrorCode::kInvalidArgument,
                "an account is either a line_client or a haulier_client, not both", "roles");
  }
  // G2.2.1-a: a client account acts for exactly one line or haulier; without one its object
  // checks would have nothing to compare with.
  if (haulier && !terminal::valid_haulier(scope)) {
    return fail(ErrorCode::kInvalidArgument,
                "a haulier_client needs its scope: the haulier code it acts for (2-12 of A-Z, 0-9)",
                "scope");
  }
  if (line) {
    bool good = scope.size() >= 2 && scope.size() <= 6;
    for (char c : scope) good = good && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    if (!good) {
      return fail(ErrorCode::kInvalidArgument,
                  "a line_client needs its scope: the line operator code it acts for (2-6 of A-Z, "
                  "0-9)",
                  "scope");
    }
  }
  return ok();
}

IdentityService::IdentityService(store::Store& store, WritePath& writes, const Clock& clock,
                                 const crypto::SealingKey& sealing,
                                 identity::SessionRegistry& sessions,
                                 identity::SourceGuard& sources, BoundedPool& login_pool,
                                 LockoutPolicy lockout, identity::Argon2Params argon)
    : store_(store),
      writes_(writes),
      clock_(clock),
      sealing_(sealing),
      sessions_(sessions),
      sources_(sources),
      login_pool_(login_pool),
      lockout_(lockout),
      argon_(argon) {}

Result<CreatedUser> IdentityService::create_user(const access::Actor& actor, const NewUser& u) {
  MINATO_TRY(check_username(u.username));
  // G2.1.1-j: an administrator account holds no operational role.
  MINATO_TRY(check_account_access(u.roles, u.scope));
  if (!u.email.empty() && !notify::valid_mail_address(u.email)) {
    return fail(ErrorCode::kInvalidArgument, "email must be a plain address like name@example.jp",
                "email");
  }
  if (!u.enrolment_link) MINATO_TRY(identity::check_password(policy_, u.username, u.password));
  auto sources = identity::SourceRules::parse(u.allowed_sources);
  if (!sources) return fail(sources.error());
  auto window = identity::TimeWindows::parse(u.login_window, utc_offset_s_);
  if (!window) return fail(window.error());
  bool grants_admin = false;
  for (const auto& r : u.roles) grants_admin = grants_admin || access::admin_role(r);
  if (grants_admin && actor.subject.rfind("cli:", 0) != 0) {
    return fail(ErrorCode::kPermissionDenied,
                "administrative roles are granted only by an approved change (two-person rule): "
                "create the account with an operational role and request the role change, or "
                "use `minato user add` on the server host",
                "roles");
  }
  if (!actor.has(access::Permission::kUserAdmin)) {
    // Let the write path audit the refusal.
    return writes_.execute<CreatedUser>(actor,
                                        {"user.create", "user:" + u.username,
                                         access::Permission::kUserAdmin, false, /*step_up=*/true},
                                        [](store::WriteTxn&, Effects&) -> Result<CreatedUser> {
                                          return fail(ErrorCode::kInternal, "unreachable");
                                        });
  }
  // Hash outside the writer: Argon2id takes tens of milliseconds.
  auto secret = identity::TotpSecret::generate();
  store::UserRecord rec;
  std::string link_token;
  if (u.enrolment_link) {
    // G2.1.1-d/i: no password is made up or sent: the owner sets one through the link.
    link_token = crypto::random_bytes(32);
  } else {
    auto hash = identity::hash_password(u.password, argon_);
    if (!hash) return fail(hash.error());
    rec.password_hash = *hash;
    rec.totp_sealed = sealing_.seal(secret.raw(), "user:" + u.username + "/totp");
  }
  rec.username = u.username;
  rec.roles = u.roles;
  rec.allowed_sources = sources->str();
  rec.login_window = window->str();
  rec.valid_until_us = u.valid_until_us;
  rec.scope = u.scope;
  rec.access_granted_by = "created by " + actor.subject;
  rec.email = u.email;
  return writes_.execute<CreatedUser>(
      actor,
      {"user.create", "user:" + u.username, access::Permission::kUserAdmin, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<CreatedUser> {
        rec.created_us = fx.now_us;
        auto id = tx.insert_user(rec);
        if (!id) {
          if (id.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "user " + u.username + " already exists",
                        "username");
          }
          return fail(id.error());
        }
        json::array roles;
        for (const auto& r : u.roles) roles.emplace_back(r);
        fx.change = json::serialize(json::object{{"table", "users"},
                                                 {"op", "insert"},
                                                 {"id", *id},
                                                 {"username", u.username},
                                                 {"email", rec.email},
                                                 {"roles", roles},
                                                 {"allowed_sources", rec.allowed_sources},
                                                 {"login_window", rec.login_window},
                                                 {"valid_until_us", rec.valid_until_us},
                                                 {"scope", rec.scope},
                                                 {"enrolment_link", u.enrolment_link}});
        if (u.enrolment_link) {
          store::EnrolmentRecord e{0,     *id,          crypto::sha256(link_token),
                                   "new", fx.now_us,    fx.now_us + enrolment_ttl_s_ * 1'000'000,
                                   0,     actor.subject};
          auto eid = tx.insert_enrolment(e);
          if (!eid) return fail(eid.error());
          CreatedUser out;
          out.username = u.username;
          out.enrolment_token = identity::webauthn::base64url_encode(link_token);
          out.enrolment_expires_us = e.expires_us;
          return out;
        }
        return CreatedUser{
            u.username, secret.base32(), secret.otpauth_uri("Minato", u.username), {}, 0};
      });
}

Result<LoginResult> IdentityService::login(const std::string& source, const LoginRequest& req) {
  const auto generic = [] {
    return fail(ErrorCode::kUnauthenticated, "login failed: wrong user name, password or code");
  };
  access::Actor anon = access::Actor::anonymous(source);
  // Bound attacker-controlled sizes before any work; the name in the log is cut to 64 bytes.
  const std::string name = req.username.substr(0, 64);
  std::string refused;  // why the attempt was refused before the credentials were checked
  const int64_t source_blocked_until = sources_.blocked_until(source);
  if (source_blocked_until != 0) {
    refused = "source address blocked after repeated failures";
  } else if (req.username.empty() || req.username.size() > 64 || req.password.size() > 1024) {
    refused = "malformed login request";
  }

  std::optional<store::UserRecord> user;
  bool pool_busy = false;
  bool password_ok = false;
  if (refused.empty()) {
    {
      // The snapshot is released before waiting for Argon2id: a flood of logins must not
      // hold the read connections that the terminal's lookups need (found by
      // bench/load/login_flood.py: lookups waited ~60 ms for a connection).
      auto rx = store_.read();
      if (!rx) return fail(rx.error());
      auto found = (*rx)->find_user(req.username);
      if (!found) return fail(found.error());
      user = std::move(*found);
    }

    // 1. Password, on the bounded pool.
    // An account still waiting for its enrolment has no password: verify against the decoy
    // so the answer and its timing are those of a wrong password.
    std::string hash =
        user && !user->password_hash.empty() ? user->password_hash : identity::decoy_hash();
    std::string password = req.password;
    auto fut =
        login_pool_.submit([hash, password] { return identity::verify_password(hash, password); });
    if (fut) {
      password_ok = fut->get() && user.has_value();
    } else {
      pool_busy = true;
      refused = "login pool saturated";
    }
  }

  // Hashes made with weaker Argon2id settings than configured are upgraded on a successful
  // login (the password is in hand only now).
  std::optional<std::string> rehashed;
  if (password_ok && identity::hash_weaker_than(user->password_hash, argon_)) {
    std::string password = req.password;
    auto params = argon_;
    auto fut = login_pool_.submit([password, params] {
      auto h = identity::hash_password(password, params);
      return h ? *h : std::string();
    });
    if (fut) {
      std::string h = fut->get();
      if (!h.empty()) rehashed = std::move(h);
    }
  }

  // 2. The second factor: TOTP, a WebAuthn assertion or a recovery code.
  FactorProof proof;
  if (password_ok) {
    auto p = prove_factor(*user, req);
    if (!p) return fail(p.error());
    proof = std::move(*p);
  }

  // 3. Record the outcome (counts, lock, audit) as one command.
  enum class Outcome { kOk, kFailed, kTooManySessions, kLocked };
  int64_t locked_until_us = 0;
  const auto& limits = sessions_.limits();
  size_t live_sessions = 0;
  identity::SessionRules session_rules;
  std::optional<store::MaintenanceWindow> maintenance;
  auto outcome = writes_.execute<Outcome>(
      anon, {"session.create", "user:" + name, access::Permission::kNone},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<Outcome> {
        fx.result = "failure";
        if (!refused.empty()) {
          fx.reason = refused;  // audited, but counts against no account
          return Outcome::kFailed;
        }
        auto fresh = tx.find_user(req.username);
        if (!fresh) return fail(fresh.error());
        if (!*fresh) {
          fx.reason = "unknown user";
          return Outcome::kFailed;
        }
        store::UserRecord u = **fresh;
        if (u.disabled) {
          fx.reason = "account disabled";
          return Outcome::kFailed;
        }
        // G2.1.1-a, G2.2.1-d, G1.3: sources, time windows, validity, maintenance window.
        auto refusal =
            access_refusal(tx, u, source, fx.now_us, utc_offset_s_, &session_rules, &maintenance);
        if (!refusal) return fail(refusal.error());
        if (!refusal->empty()) {
          fx.reason = *refusal;
          return Outcome::kFailed;
        }
        // G3.1-c: vendors are shut out while an incident is contained (not counted against
        // the account).
        if (containment_ && containment_->on(Measure::kVendors) &&
            std::any_of(u.roles.begin(), u.roles.end(),
                        [](const std::string& r) { return access::vendor_role(r); })) {
          fx.reason = containment_->refusal(Measure::kVendors);
          return Outcome::kFailed;
        }
        if (u.locked_until_us > fx.now_us) {
          fx.reason = "account locked until " + format_utc(u.locked_until_us);
          // G2.1.1-e: the lock is told only to whoever holds both factors. Told on the
          // password alone, it would answer a guesser which password is right while the lock
          // stops counting (found by hydra, CI 2026-12-07); told to anyone, it would say which
          // accounts exist. The owner learns why and for how long; the factor is not spent.
          if (password_ok) {
            auto refusal = factor_refusal(tx, u, proof);
            if (!refusal) return fail(refusal.error());
            if (refusal->empty()) {
              locked_until_us = u.locked_until_us;
              return Outcome::kLocked;
            }
          }
          return Outcome::kFailed;
        }
        std::string why;
        if (!password_ok) {
          why = "wrong password";
        } else {
          auto refusal = factor_refusal(tx, u, proof);
          if (!refusal) return fail(refusal.error());
          why = std::move(*refusal);
        }
        if (!why.empty()) {
          auto counted = count_failure(tx, fx, u, source, why);
          if (!counted) return fail(counted.error());
          return Outcome::kFailed;
        }
        // G2.2.1-d: concurrent sessions of one user. A refused login changes nothing (the
        // code was not accepted, so it stays usable within its window).
        live_sessions = sessions_.count_for(u.username);
        if (live_sessions >= limits.max_per_user && !limits.evict_oldest) {
          fx.reason = "credentials right, but " + std::to_string(live_sessions) +
                      " sessions are open (the limit)";
          return Outcome::kTooManySessions;
        }
        u.failed_count = 0;
        u.lock_count = 0;
        int64_t recovery_left = 0;
        auto spent = spend_factor(tx, u, proof, fx.now_us, &recovery_left);
        if (!spent) return fail(spent.error());
        std::string method = "password and " + *spent;
        if (proof.kind == FactorProof::Kind::kRecovery) {
          Alert a;
          a.event = "login.recovery_code";
          a.username = u.username;
          a.user_email = u.email;
          a.title_ja = "リカバリーコードでログイン: " + u.username;
          a.title_en = "Login with a recovery code: " + u.username;
          a.text_ja = "アカウント " + u.username + " がリカバリーコードでログインしました (" +
                      local_time_text(fx.now_us, utc_offset_s_) + "、送信元 " + source + "、残り " +
                      std::to_string(recovery_left) +
                      " 個)。認証器を紛失した場合は再登録してください。心当たりがなければ直ちに"
                      "セキュリティ担当へ連絡してください。";
          a.text_en = "Account " + u.username + " logged in with a recovery code (" +
                      local_time_text(fx.now_us, utc_offset_s_) + ", from " + source + ", " +
                      std::to_string(recovery_left) +
                      " left). If an authenticator was lost, register a new one. If this was not "
                      "you, tell security staff at once.";
          a.details_json =
              json::serialize(json::object{{"source", source}, {"left", recovery_left}});
          auto q = queue_alert(tx, fx.now_us, alerts_, a);
          if (!q) return fail(q.error());
        }
        u.last_login_us = fx.now_us;
        MINATO_TRY(tx.update_user_login_state(u));
        if (rehashed && u.password_hash == user->password_hash) {
          MINATO_TRY(tx.set_password_hash(u.id, *rehashed, fx.now_us, false));
        }
        // G2.1.1-f: a login from a network never seen for this account raises an alert.
        std::string network = identity::network_of(source, prefix_v4_, prefix_v6_);
        bool new_source = false;
        int alerts_queued = 0;
        if (!network.empty()) {
          auto fresh_source = tx.note_known_source(u.id, network, fx.now_us);
          if (!fresh_source) return fail(fresh_source.error());
          new_source = *fresh_source;
        }
        if (new_source) {
          Alert a;
          a.event = "login.new_source";
          a.username = u.username;
          a.user_email = u.email;
          a.title_ja = "新しい接続元からのログイン: " + u.username;
          a.title_en = "Login from a new source: " + u.username;
          std::string when = local_time_text(fx.now_us, utc_offset_s_);
          a.text_ja = "アカウント " + u.username + " に、これまでにない接続元 " + source + " (" +
                      network + ") からログインがありました。\n日時: " + when +
                      "\n方式: パスワード + TOTP\n\n心当たりがない場合は、直ちにセキュリティ担当"
                      "へ連絡し、「認証情報の漏えい」を報告してください (POST "
                      "/api/v1/session/compromised)。";
          a.text_en = "Account " + u.username +
                      " logged in from a source never seen before: " + source + " (" + network +
                      ").\nTime: " + when +
                      "\nMethod: password + TOTP\n\nIf this was not you, tell security staff at "
                      "once and report your credentials compromised (POST "
                      "/api/v1/session/compromised).";
          a.details_json = json::serialize(json::object{{"source", source}, {"network", network}});
          auto q = queue_alert(tx, fx.now_us, alerts_, a);
          if (!q) return fail(q.error());
          alerts_queued = *q;
        }
        fx.result = "success";
        fx.reason = method;
        if (new_source) {
          fx.reason += "; new source " + network + " (" + std::to_string(alerts_queued) +
                       (alerts_queued == 1 ? " alert queued)" : " alerts queued)");
        }
        if (rehashed) fx.reason += "; password re-hashed with current Argon2id settings";
        if (live_sessions >= limits.max_per_user) {
          fx.reason += "; ended the oldest of " + std::to_string(live_sessions) + " open sessions";
        }
        fx.change = json::serialize(json::object{{"table", "users"},
                                                 {"op", "update"},
                                                 {"id", u.id},
                                                 {"failed_count", 0},
                                                 {"totp_last_step", u.totp_last_step},
                                                 {"last_login_us", fx.now_us}});
        return Outcome::kOk;
      });
  if (!outcome) return fail(outcome.error());
  if (pool_busy) {
    return fail(ErrorCode::kResourceExhausted, "too many logins in progress; try again");
  }
  if (source_blocked_until != 0) {
    // G2.2.2-f: said plainly, as it concerns the address and no account.
    return fail(ErrorCode::kResourceExhausted,
                "too many failed logins from your address " + source +
                    "; logins from it are refused until " + format_utc(source_blocked_until),
                "source");
  }
  if (*outcome == Outcome::kLocked) {
    return fail(ErrorCode::kPermissionDenied,
                "your account is locked after repeated failed logins until " +
                    format_utc(locked_until_us) + "; a user administrator can unlock it sooner",
                "account");
  }
  if (*outcome == Outcome::kTooManySessions) {
    return fail(ErrorCode::kConflict, "you already have " + std::to_string(live_sessions) +
                                          " open sessions; log out of one first");
  }
  if (*outcome != Outcome::kOk) {
    if (int64_t until = sources_.record_failure(source); until != 0) {
      const auto& p = sources_.policy();
      auto st = writes_.execute_status(
          anon, {"source.block", "source:" + source, access::Permission::kNone},
          [&](store::WriteTxn& tx, Effects& fx) -> Status {
            fx.reason = std::to_string(p.threshold) + " failed logins within " +
                        std::to_string(p.window_s) + " s; blocked until " + format_utc(until);
            fx.change =
                json::serialize(json::object{{"source", source}, {"blocked_until_us", until}});
            Alert a;
            a.event = "source.blocked";
            a.title_ja = "接続元を一時遮断しました: " + source;
            a.title_en = "Source blocked: " + source;
            a.text_ja = "接続元 " + source + " からのログイン失敗が " + std::to_string(p.window_s) +
                        " 秒間に " + std::to_string(p.threshold) + " 回に達したため、" +
                        local_time_text(until, utc_offset_s_) + " まで遮断しました。";
            a.text_en = "Source " + source + " failed " + std::to_string(p.threshold) +
                        " logins within " + std::to_string(p.window_s) +
                        " s and is blocked until " + local_time_text(until, utc_offset_s_) + ".";
            a.details_json = json::serialize(
                json::object{{"source", source}, {"blocked_until", format_utc(until)}});
            auto q = queue_alert(tx, fx.now_us, alerts_, a);
            if (!q) return fail(q.error());
            return ok();
          });
      if (!st) return fail(st.error());
    }
    return generic();
  }

  // G1.3: the first login inside a vendor's maintenance window records its start.
  if (maintenance && maintenance->started_us == 0) {
    auto st = writes_.execute_status(
        access::Actor{"user:" + user->username, source, 0},
        {"maintenance.start", "maintenance:" + std::to_string(maintenance->id),
         access::Permission::kNone},
        [&](store::WriteTxn& tx, Effects& fx) -> Status {
          auto w = tx.find_maintenance_window(maintenance->id);
          if (!w) return fail(w.error());
          if (!*w || (*w)->started_us != 0) return fail(ErrorCode::kConflict, "already started");
          store::MaintenanceWindow started = **w;
          started.started_us = fx.now_us;
          MINATO_TRY(tx.update_maintenance_window(started));
          fx.reason = "first login of " + user->username + " in the window " +
                      format_utc(started.start_us) + " - " + format_utc(started.end_us);
          fx.change = json::serialize(json::object{{"table", "maintenance_windows"},
                                                   {"op", "update"},
                                                   {"id", started.id},
                                                   {"started_us", fx.now_us}});
          return ok();
        });
    if (!st && st.error().code() != ErrorCode::kConflict) return fail(st.error());
  }
  auto created =
      sessions_.create(user->username, user->roles, std::move(session_rules), user->scope, source);
  if (!created) return fail(ErrorCode::kResourceExhausted, "too many sessions; try again later");
  // G2.2.2-c: a password older than the maximum age must be changed before anything else.
  const int64_t set_us = std::max(user->password_set_us, user->created_us);
  const bool expired = password_max_days_ > 0 &&
                       clock_.now_us() - set_us > int64_t{password_max_days_} * 86400 * 1'000'000;
  if (expired) sessions_.mark_password_expired(created->token);
  return LoginResult{created->token, created->csrf_token, user->username, user->roles, expired};
}

Status IdentityService::logout(const access::Actor& actor, const std::string& session_token) {
  return writes_.execute_status(actor, {"session.delete", actor.subject, access::Permission::kSelf},
                                [&](store::WriteTxn&, Effects& fx) -> Status {
                                  if (!sessions_.remove(session_token)) {
                                    return fail(ErrorCode::kUnauthenticated, "no such session");
                                  }
                                  fx.change = R"({"session":"ended"})";
                                  return ok();
                                });
}

Status IdentityService::change_password(const access::Actor& actor, const std::string& username,
                                        const std::string& current,
                                        const std::string& replacement) {
  if (actor.subject != "user:" + username || !actor.has(access::Permission::kSelf)) {
    return fail(ErrorCode::kPermissionDenied, "you can change only your own password");
  }
  // G2.1.2-a: a session alone does not change a password. Refused (and audited) before any
  // Argon2id work.
  const CommandSpec spec{"user.password.change", "user:" + username, access::Permission::kSelf,
                         false, /*step_up=*/true};
  MINATO_TRY(writes_.authorize(actor, spec));
  MINATO_TRY(identity::check_password(policy_, username, replacement));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto found = (*rx)->find_user(username);
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no user " + username);
  const store::UserRecord user = **found;
  auto history = (*rx)->password_history(user.id, kPasswordHistory);
  if (!history) return fail(history.error());
  rx = fail(ErrorCode::kInternal, "closed");

  // All Argon2id work on the login pool: check the current password, compare the new one with
  // the current and the remembered hashes, and hash it.
  struct Checked {
    bool current_ok = false;
    bool reused = false;
    std::string hash;
  };
  auto params = argon_;
  auto fut = login_pool_.submit([&user, &history, current, replacement, params] {
    Checked c;
    c.current_ok = identity::verify_password(user.password_hash, current);
    if (!c.current_ok) return c;
    c.reused = identity::verify_password(user.password_hash, replacement);
    for (const auto& old : *history)
      c.reused = c.reused || identity::verify_password(old, replacement);
    if (!c.reused) {
      auto h = identity::hash_password(replacement, params);
      if (h) c.hash = *h;
    }
    return c;
  });
  if (!fut) return fail(ErrorCode::kResourceExhausted, "too many logins in progress; try again");
  Checked checked = fut->get();

  bool wrong_current = false;
  bool locked = false;
  MINATO_TRY(writes_.execute_status(actor, spec, [&](store::WriteTxn& tx, Effects& fx) -> Status {
    if (!checked.current_ok) {
      // G2.1.2-a: a guess through a session counts like a failed login (committed as a
      // failure, so that the count stays).
      auto fresh = tx.find_user(username);
      if (!fresh) return fail(fresh.error());
      if (!*fresh) return fail(ErrorCode::kNotFound, "no user " + username);
      store::UserRecord u = **fresh;
      auto counted = count_failure(tx, fx, u, actor.source, "wrong current password");
      if (!counted) return fail(counted.error());
      wrong_current = true;
      locked = *counted;
      return ok();
    }
    if (checked.reused) {
      return fail(ErrorCode::kInvalidArgument,
                  "the new password must differ from the last " +
                      std::to_string(kPasswordHistory + 1) + " passwords",
                  "new_password");
    }
    if (checked.hash.empty()) return fail(ErrorCode::kResourceExhausted, "cannot hash");
    auto fresh = tx.find_user(username);
    if (!fresh) return fail(fresh.error());
    if (!*fresh || (*fresh)->password_hash != user.password_hash) {
      return fail(ErrorCode::kConflict, "the password was changed meanwhile; try again");
    }
    MINATO_TRY(tx.set_password_hash(user.id, checked.hash, fx.now_us, true));
    fx.change = json::serialize(json::object{
        {"table", "users"}, {"op", "update"}, {"id", user.id}, {"password", "changed"}});
    return ok();
  }));
  if (wrong_current) {
    if (locked) sessions_.remove_user(username);
    return fail(ErrorCode::kUnauthenticated,
                locked ? "the current password is wrong; too many failures: the account is "
                         "locked and its sessions have ended"
                       : "the current password is wrong",
                "current_password");
  }
  sessions_.clear_password_expired(username);
  return ok();
}

Status IdentityService::unlock(const access::Actor& actor, const std::string& username) {
  MINATO_TRY(check_username(username));
  return writes_.execute_status(
      actor, {"user.unlock", "user:" + username, access::Permission::kUserAdmin},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_user(username);
        if (!found) return fail(found.error());
        if (!*found) return fail(ErrorCode::kNotFound, "no user " + username, "username");
        store::UserRecord u = **found;
        json::object before{{"failed_count", u.failed_count},
                            {"locked_until_us", u.locked_until_us},
                            {"lock_count", u.lock_count}};
        u.failed_count = 0;
        u.locked_until_us = 0;
        u.lock_count = 0;
        MINATO_TRY(tx.update_user_login_state(u));
        fx.change = json::serialize(json::object{
            {"table", "users"},
            {"op", "update"},
            {"id", u.id},
            {"before", std::move(before)},
            {"after",
             json::object{{"failed_count", 0}, {"locked_until_us", 0}, {"lock_count", 0}}}});
        return ok();
      });
}

namespace {

// Sets the disabled flag of `username` inside a command; fills the audit change.
Status set_disabled(store::WriteTxn& tx, Effects& fx, const std::string& username, bool disabled) {
  auto found = tx.find_user(username);
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no user " + username, "username");
  if ((*found)->disabled == disabled) {
    return fail(ErrorCode::kConflict,
                "user " + username + " is already " + (disabled ? "disabled" : "enabled"));
  }
  MINATO_TRY(tx.set_user_disabled((*found)->id, disabled));
  fx.change = json::serialize(json::object{{"table", "users"},
                                           {"op", "update"},
                                           {"id", (*found)->id},
                                           {"before", json::object{{"disabled", !disabled}}},
                                           {"after", json::object{{"disabled", disabled}}}});
  return ok();
}

}  // namespace

Status IdentityService::disable(const access::Actor& actor, const std::string& username,
                                const std::string& why) {
  MINATO_TRY(check_username(username));
  if (why.empty() || why.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "give a reason of 1-200 characters", "reason");
  }
  MINATO_TRY(writes_.execute_status(
      actor, {"user.disable", "user:" + username, access::Permission::kUserAdmin},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        MINATO_TRY(set_disabled(tx, fx, username, true));
        // G2.1.1-k: offboarding ends the person's API tokens in the same step.
        auto user = tx.find_user(username);
        if (!user) return fail(user.error());
        auto revoked = tx.revoke_api_tokens((*user)->id, fx.now_us);
        if (!revoked) return fail(revoked.error());
        fx.reason = why;
        if (*revoked > 0) fx.reason += "; " + std::to_string(*revoked) + " API token(s) revoked";
        return ok();
      }));
  sessions_.remove_user(username);
  return ok();
}

Result<std::vector<std::string>> IdentityService::sweep_inactive(const access::Actor& actor,
                                                                 int inactive_days) {
  if (inactive_days < 1) {
    return fail(ErrorCode::kInvalidArgument, "inactive_days must be at least 1", "inactive_days");
  }
  if (!actor.has(access::Permission::kUserAdmin)) {
    return fail(ErrorCode::kPermissionDenied, "the inactivity sweep needs user.admin");
  }
  const int64_t cutoff = clock_.now_us() - int64_t{inactive_days} * 86400 * 1'000'000;
  auto last_use = [](const store::UserRecord& u) {
    return std::max(u.last_login_us, u.created_us);
  };
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto users = (*rx)->list_users();
  if (!users) return fail(users.error());
  rx = fail(ErrorCode::kInternal, "closed");
  std::vector<std::string> disabled;
  for (const auto& candidate : *users) {
    if (candidate.disabled || last_use(candidate) >= cutoff) continue;
    auto st = writes_.execute_status(
        actor, {"user.disable", "user:" + candidate.username, access::Permission::kUserAdmin},
        [&](store::WriteTxn& tx, Effects& fx) -> Status {
          // Re-check inside the transaction: a login may have happened meanwhile.
          auto fresh = tx.find_user(candidate.username);
          if (!fresh) return fail(fresh.error());
          if (!*fresh || (*fresh)->disabled || last_use(**fresh) >= cutoff) {
            return fail(ErrorCode::kConflict, "used again meanwhile");
          }
          fx.reason = "unused for " + std::to_string(inactive_days) + " days (last use " +
                      format_utc(last_use(**fresh)) + ")";
          return set_disabled(tx, fx, candidate.username, true);
        });
    if (st) {
      sessions_.remove_user(candidate.username);
      disabled.push_back(candidate.username);
    } else if (st.error().code() != ErrorCode::kConflict) {
      return fail(st.error());
    }
  }
  return disabled;
}

Status IdentityService::enable(const access::Actor& actor, const std::string& username) {
  MINATO_TRY(check_username(username));
  return writes_.execute_status(
      actor,
      {"user.enable", "user:" + username, access::Permission::kUserAdmin, false, /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        return set_disabled(tx, fx, username, false);
      });
}

Status IdentityService::report_compromised(const access::Actor& actor,
                                           const std::string& username) {
  if (actor.subject != "user:" + username) {
    return fail(ErrorCode::kPermissionDenied, "you can report only your own account");
  }
  MINATO_TRY(writes_.execute_status(
      actor, {"user.compromised", "user:" + username, access::Permission::kSelf},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        fx.reason = "reported by the user: credentials compromised";
        MINATO_TRY(set_disabled(tx, fx, username, true));
        auto user = tx.find_user(username);
        if (!user) return fail(user.error());
        Alert a;
        a.event = "account.compromised";
        a.username = username;
        a.user_email = *user ? (*user)->email : std::string();
        a.title_ja = "認証情報の漏えい報告: " + username;
        a.title_en = "Credentials reported compromised: " + username;
        a.text_ja = "利用者 " + username + " が認証情報の漏えいを報告しました (" +
                    local_time_text(fx.now_us, utc_offset_s_) + "、送信元 " + actor.source +
                    ")。アカウントは無効化され、全セッションを終了しました。本人確認の後、"
                    "認証情報を再発行してください。";
        a.text_en = "User " + username + " reported their credentials compromised (" +
                    local_time_text(fx.now_us, utc_offset_s_) + ", from " + actor.source +
                    "). The account is disabled and all its sessions ended. Verify the person, "
                    "then issue new credentials.";
        a.details_json = json::serialize(json::object{{"source", actor.source}});
        auto q = queue_alert(tx, fx.now_us, alerts_, a);
        if (!q) return fail(q.error());
        return ok();
      }));
  sessions_.remove_user(username);
  return ok();
}

Result<std::vector<store::AuditRecord>> IdentityService::login_history(const access::Actor& actor,
                                                                       const std::string& username,
                                                                       int limit) {
  MINATO_TRY(check_username(username));
  bool own = actor.subject == "user:" + username && actor.has(access::Permission::kSelf);
  if (!own && !actor.has(access::Permission::kUserAdmin) &&
      !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "you may read only your own login history");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->audit_by_target("session.create", "user:" + username, limit);
}

// --- WebAuthn and recovery codes ---------------------------------------------------------------

namespace {

// The challenge inside clientDataJSON (raw bytes), or empty.
std::string challenge_in(std::string_view client_data_json) {
  boost::system::error_code ec;
  json::value v = json::parse(client_data_json, ec);
  if (ec || !v.is_object()) return {};
  auto it = v.as_object().find("challenge");
  if (it == v.as_object().end() || !it->value().is_string()) return {};
  auto raw = identity::webauthn::base64url_decode(it->value().as_string());
  return raw ? *raw : std::string();
}

}  // namespace

std::string IdentityService::user_handle(const store::UserRecord& user) const {
  return sealing_.mac(std::to_string(user.id), "webauthn-user-handle").substr(0, 16);
}

Result<store::UserRecord> IdentityService::own_account(const access::Actor& actor) {
  if (actor.subject.rfind("user:", 0) != 0 || !actor.has(access::Permission::kSelf)) {
    return fail(ErrorCode::kPermissionDenied, "only a logged-in user manages their own factors");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto found = (*rx)->find_user(actor.subject.substr(5));
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no such user");
  return **found;
}

std::string IdentityService::check_webauthn_login(
    const store::UserRecord& user, const WebAuthnLogin& login,
    std::optional<store::WebAuthnCredentialRecord>* used, uint32_t* new_sign_count) {
  std::string challenge = challenge_in(login.response.client_data_json);
  if (challenge.empty() || !challenges_.consume(challenge, "login", user.username)) {
    return "WebAuthn challenge check failed: unknown, used or expired challenge";
  }
  auto rx = store_.read();
  if (!rx) return "WebAuthn: " + rx.error().message();
  auto keys = (*rx)->webauthn_credentials(user.id);
  if (!keys) return "WebAuthn: " + keys.error().message();
  for (const auto& k : *keys) {
    if (!crypto::constant_time_equal(k.credential_id, login.credential_id)) continue;
    identity::webauthn::Credential stored;
    stored.public_key = k.public_key;
    stored.alg = k.alg;
    stored.sign_count = static_cast<uint32_t>(k.sign_count);
    auto n = identity::webauthn::verify_assertion(rp_, challenge, stored, login.response);
    if (!n) return n.error().message();
    *used = k;
    *new_sign_count = *n;
    return {};
  }
  return "WebAuthn: not an authenticator of this account";
}

Result<WebAuthnOptions> IdentityService::webauthn_register_begin(const access::Actor& actor) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  MINATO_TRY(writes_.authorize(
      actor, {"webauthn.register", actor.subject, access::Permission::kSelf, false, true}));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto keys = (*rx)->webauthn_credentials(user->id);
  if (!keys) return fail(keys.error());
  if (keys->size() >= kMaxAuthenticators) {
    return fail(ErrorCode::kResourceExhausted, "at most " + std::to_string(kMaxAuthenticators) +
                                                   " authenticators per user; remove one first");
  }
  WebAuthnOptions o;
  o.challenge = challenges_.issue("register", user->username);
  o.rp_id = rp_.id;
  o.user_handle = user_handle(*user);
  o.username = user->username;
  for (const auto& k : *keys) o.credential_ids.push_back(k.credential_id);
  o.require_user_verification = rp_.require_user_verification;
  return o;
}

Result<store::WebAuthnCredentialRecord> IdentityService::webauthn_register_finish(
    const access::Actor& actor, const std::string& name,
    const identity::webauthn::RegistrationResponse& response) {
  if (name.empty() || name.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "name the authenticator in 1-64 characters", "name");
  }
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  std::string challenge = challenge_in(response.client_data_json);
  const bool issued =
      !challenge.empty() && challenges_.consume(challenge, "register", user->username);
  Result<identity::webauthn::Credential> cred =
      issued ? identity::webauthn::verify_registration(rp_, challenge, response)
             : Result<identity::webauthn::Credential>(
                   fail(ErrorCode::kUnauthenticated,
                        "WebAuthn challenge check failed: unknown, used or expired challenge",
                        "challenge"));
  return writes_.execute<store::WebAuthnCredentialRecord>(
      actor,
      {"webauthn.register", actor.subject, access::Permission::kSelf, false, /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<store::WebAuthnCredentialRecord> {
        if (!cred) return fail(cred.error());  // audited as a failure with the check named
        auto keys = tx.webauthn_credentials(user->id);
        if (!keys) return fail(keys.error());
        if (keys->size() >= kMaxAuthenticators) {
          return fail(ErrorCode::kResourceExhausted, "too many authenticators");
        }
        store::WebAuthnCredentialRecord r;
        r.user_id = user->id;
        r.credential_id = cred->id;
        r.public_key = cred->public_key;
        r.alg = cred->alg;
        r.sign_count = cred->sign_count;
        r.aaguid = cred->aaguid;
        r.name = name;
        r.created_us = fx.now_us;
        auto id = tx.insert_webauthn_credential(r);
        if (!id) {
          if (id.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "this authenticator is already registered");
          }
          return fail(id.error());
        }
        r.id = *id;
        fx.reason = "authenticator '" + name + "' (" +
                    (cred->alg == identity::webauthn::kES256 ? "ES256" : "EdDSA") +
                    ", attestation " + cred->fmt + ")";
        fx.change = json::serialize(json::object{{"table", "webauthn_credentials"},
                                                 {"op", "insert"},
                                                 {"id", *id},
                                                 {"name", name},
                                                 {"alg", cred->alg}});
        return r;
      });
}

Result<std::vector<store::WebAuthnCredentialRecord>> IdentityService::webauthn_list(
    const access::Actor& actor) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->webauthn_credentials(user->id);
}

Status IdentityService::webauthn_remove(const access::Actor& actor, int64_t id) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  return writes_.execute_status(
      actor, {"webauthn.remove", actor.subject, access::Permission::kSelf, false, /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto gone = tx.delete_webauthn_credential(user->id, id);
        if (!gone) return fail(gone.error());
        if (!*gone)
          return fail(ErrorCode::kNotFound, "you have no authenticator " + std::to_string(id));
        fx.change = json::serialize(
            json::object{{"table", "webauthn_credentials"}, {"op", "delete"}, {"id", id}});
        return ok();
      });
}

Status IdentityService::webauthn_rename(const access::Actor& actor, int64_t id,
                                        const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "name the authenticator in 1-64 characters", "name");
  }
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  return writes_.execute_status(
      actor, {"webauthn.rename", actor.subject, access::Permission::kSelf},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto done = tx.rename_webauthn_credential(user->id, id, name);
        if (!done) return fail(done.error());
        if (!*done) {
          return fail(ErrorCode::kNotFound, "you have no authenticator " + std::to_string(id));
        }
        fx.reason = "authenticator " + std::to_string(id) + " now named '" + name + "'";
        return ok();
      });
}

WebAuthnOptions IdentityService::webauthn_login_begin(const std::string& username) {
  WebAuthnOptions o;
  o.rp_id = rp_.id;
  o.username = username.substr(0, 64);
  o.require_user_verification = rp_.require_user_verification;
  o.challenge = challenges_.issue("login", o.username);
  std::vector<std::string> real;
  if (auto rx = store_.read(); rx) {
    auto user = (*rx)->find_user(o.username);
    if (user && *user) {
      auto keys = (*rx)->webauthn_credentials((*user)->id);
      if (keys) {
        for (const auto& k : *keys) real.push_back(k.credential_id);
      }
    }
  }
  if (real.empty())
    real.push_back(sealing_.mac(o.username, "webauthn-decoy") +
                   sealing_.mac(o.username, "webauthn-decoy-2"));
  o.credential_ids = std::move(real);
  return o;
}

Result<std::vector<std::string>> IdentityService::new_recovery_codes(const access::Actor& actor) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";  // no 0/o, 1/l/i
  std::vector<std::string> codes, macs;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    std::string raw = crypto::random_bytes(12), code;
    for (size_t j = 0; j < raw.size(); ++j) {
      if (j > 0 && j % 4 == 0) code.push_back('-');
      code.push_back(kAlphabet[static_cast<uint8_t>(raw[j]) % (sizeof kAlphabet - 1)]);
    }
    std::string bare;
    for (char ch : code) {
      if (ch != '-') bare.push_back(ch);
    }
    macs.push_back(sealing_.mac(bare, "recovery-code:" + user->username));
    codes.push_back(std::move(code));
  }
  MINATO_TRY(writes_.execute_status(
      actor,
      {"recovery_codes.create", actor.subject, access::Permission::kSelf, false, /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        MINATO_TRY(tx.replace_recovery_codes(user->id, macs, fx.now_us));
        fx.reason = std::to_string(kRecoveryCodes) + " new recovery codes; earlier ones void";
        fx.change = json::serialize(json::object{
            {"table", "recovery_codes"}, {"op", "replace"}, {"count", kRecoveryCodes}});
        return ok();
      }));
  return codes;
}

Result<int64_t> IdentityService::recovery_codes_left(const access::Actor& actor) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->count_recovery_codes(user->id);
}

std::vector<identity::SessionRegistry::Listed> IdentityService::sessions_of(
    const access::Actor& actor) {
  if (actor.subject.rfind("user:", 0) != 0) return {};
  return sessions_.list_for(actor.subject.substr(5));
}

Result<std::vector<identity::SessionRegistry::Listed>> IdentityService::sessions_of_user(
    const access::Actor& actor, const std::string& username) {
  MINATO_TRY(check_username(username));
  if (!actor.has(access::Permission::kUserAdmin) && !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "reading others' sessions needs user.admin");
  }
  return sessions_.list_for(username);
}

Status IdentityService::end_user_session(const access::Actor& actor, const std::string& username,
                                         const std::string& session_id) {
  MINATO_TRY(check_username(username));
  return writes_.execute_status(
      actor, {"session.end", "user:" + username, access::Permission::kUserAdmin},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        if (!sessions_.remove_by_id(username, session_id)) {
          return fail(ErrorCode::kNotFound,
                      username + " has no session " + session_id.substr(0, 16));
        }
        fx.change = json::serialize(json::object{{"session", session_id}, {"op", "end"}});
        return ok();
      });
}

Status IdentityService::end_session(const access::Actor& actor, const std::string& session_id) {
  return writes_.execute_status(
      actor, {"session.end", actor.subject, access::Permission::kSelf},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        if (actor.subject.rfind("user:", 0) != 0 ||
            !sessions_.remove_by_id(actor.subject.substr(5), session_id)) {
          return fail(ErrorCode::kNotFound, "you have no session " + session_id.substr(0, 16));
        }
        fx.change = json::serialize(json::object{{"session", session_id}, {"op", "end"}});
        return ok();
      });
}

std::optional<std::pair<identity::Session, access::Actor>> IdentityService::authenticate(
    const std::string& session_token, const std::string& source) {
  auto s = sessions_.touch(session_token);
  if (!s || !s->rules.allows_source(source)) return std::nullopt;  // G2.1.1-a on every request
  if (!s->rules.allows_time(clock_.now_us())) {  // G2.2.1-d, G1.3: the window has closed
    sessions_.remove(session_token);
    return std::nullopt;
  }
  auto actor = access::Actor::of_account("user:" + s->username, source,
                                         access::permissions_of(s->roles), s->roles, s->scope);
  actor.step_up_until_us = s->second_factor_us + step_up_window_s_ * 1'000'000;
  return std::make_pair(std::move(*s), std::move(actor));
}

}  // namespace minato::app
