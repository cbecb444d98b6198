// IdentityService, continued: enrolment links, credential resets and API tokens.
#include <boost/json.hpp>

#include "app/identity_service.h"
#include "crypto/random.h"
#include "identity/source_rules.h"
#include "identity/totp.h"

namespace minato::app {

namespace json = boost::json;
namespace wa = identity::webauthn;

namespace {

bool api_client_roles(const std::vector<std::string>& roles) {
  for (const auto& r : roles) {
    if (r != "line_client" && r != "haulier_client") return false;
  }
  return !roles.empty();
}

}  // namespace

Result<CreatedUser> IdentityService::reset_credentials(const access::Actor& actor,
                                                       const std::string& username,
                                                       const std::string& why) {
  MINATO_TRY(check_username(username));
  if (why.empty() || why.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "give a reason of 1-200 characters", "reason");
  }
  const std::string token = crypto::random_bytes(32);
  auto out = writes_.execute<CreatedUser>(
      actor,
      {"user.credentials.reset", "user:" + username, access::Permission::kUserAdmin, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<CreatedUser> {
        auto user = tx.find_user(username);
        if (!user) return fail(user.error());
        if (!*user) return fail(ErrorCode::kNotFound, "no user " + username, "username");
        MINATO_TRY(tx.clear_credentials((*user)->id));
        auto revoked = tx.revoke_api_tokens((*user)->id, fx.now_us);
        if (!revoked) return fail(revoked.error());
        store::EnrolmentRecord e{0,       (*user)->id,  crypto::sha256(token),
                                 "reset", fx.now_us,    fx.now_us + enrolment_ttl_s_ * 1'000'000,
                                 0,       actor.subject};
        auto eid = tx.insert_enrolment(e);
        if (!eid) return fail(eid.error());
        fx.reason = why;
        fx.change = json::serialize(json::object{{"table", "users"},
                                                 {"op", "update"},
                                                 {"id", (*user)->id},
                                                 {"credentials", "cleared"},
                                                 {"api_tokens_revoked", *revoked},
                                                 {"enrolment", *eid}});
        CreatedUser c;
        c.username = username;
        c.enrolment_token = wa::base64url_encode(token);
        c.enrolment_expires_us = e.expires_us;
        return c;
      });
  if (out) sessions_.remove_user(username);
  return out;
}

Result<CreatedUser> IdentityService::complete_enrolment(const std::string& source,
                                                        const std::string& token,
                                                        const std::string& password) {
  const access::Actor anon = access::Actor::anonymous(source);
  const auto generic = [] {
    return fail(ErrorCode::kUnauthenticated, "the enrolment link is not valid or has expired");
  };
  if (sources_.blocked(source)) return generic();
  auto raw = wa::base64url_decode(token);
  std::optional<store::EnrolmentRecord> enrolment;
  std::optional<store::UserRecord> user;
  if (raw && raw->size() == 32 && password.size() <= 1024) {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto e = (*rx)->find_enrolment(crypto::sha256(*raw));
    if (!e) return fail(e.error());
    if (*e && (*e)->used_us == 0 && clock_.now_us() < (*e)->expires_us) {
      auto u = (*rx)->find_user_by_id((*e)->user_id);
      if (!u) return fail(u.error());
      if (*u && !(*u)->disabled) {
        enrolment = **e;
        user = **u;
      }
    }
  }
  if (!enrolment) {
    MINATO_TRY(writes_.execute_status(anon, {"user.enrol", "enrolment", access::Permission::kNone},
                                      [&](store::WriteTxn&, Effects& fx) -> Status {
                                        fx.result = "failure";
                                        fx.reason = "unknown, used or expired enrolment link";
                                        return ok();
                                      }));
    sources_.record_failure(source);
    return generic();
  }
  // The password policy applies as at any change; its message tells the owner what to fix.
  MINATO_TRY(identity::check_password(policy_, user->username, password));
  auto params = argon_;
  auto fut = login_pool_.submit([password, params] {
    auto h = identity::hash_password(password, params);
    return h ? *h : std::string();
  });
  if (!fut) return fail(ErrorCode::kResourceExhausted, "too many logins in progress; try again");
  const std::string hash = fut->get();
  if (hash.empty()) return fail(ErrorCode::kResourceExhausted, "cannot hash the password");
  auto secret = identity::TotpSecret::generate();
  const std::string sealed = sealing_.seal(secret.raw(), "user:" + user->username + "/totp");
  return writes_.execute<CreatedUser>(
      access::Actor{"user:" + user->username, source, 0},
      {"user.enrol", "user:" + user->username, access::Permission::kNone},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<CreatedUser> {
        auto fresh = tx.find_enrolment(enrolment->token_hash);
        if (!fresh) return fail(fresh.error());
        if (!*fresh || (*fresh)->used_us != 0) return generic();  // used meanwhile
        MINATO_TRY(tx.set_credentials(user->id, hash, sealed, fx.now_us));
        MINATO_TRY(tx.use_enrolment(enrolment->id, user->id, fx.now_us));
        fx.reason = enrolment->kind == "new" ? "account enrolled" : "credentials reset completed";
        fx.change = json::serialize(json::object{{"table", "users"},
                                                 {"op", "update"},
                                                 {"id", user->id},
                                                 {"password", "set"},
                                                 {"totp", "new secret"},
                                                 {"enrolment", enrolment->id}});
        return CreatedUser{
            user->username, secret.base32(), secret.otpauth_uri("Minato", user->username), {}, 0};
      });
}

// --- API tokens ---------------------------------------------------------------------------------

Result<IdentityService::IssuedToken> IdentityService::issue_api_token(
    const access::Actor& actor, const std::string& username, const std::string& name, int days,
    const std::string& allowed_sources) {
  MINATO_TRY(check_username(username));
  if (name.empty() || name.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "name the token in 1-64 characters", "name");
  }
  if (days < 1 || days > kMaxTokenDays) {
    return fail(ErrorCode::kInvalidArgument,
                "a token lives 1-" + std::to_string(kMaxTokenDays) + " days", "days");
  }
  auto rules = identity::SourceRules::parse(allowed_sources);
  if (!rules) return fail(rules.error());
  const std::string secret = crypto::random_bytes(32);
  return writes_.execute<IssuedToken>(
      actor,
      {"api_token.issue", "user:" + username, access::Permission::kUserAdmin, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<IssuedToken> {
        auto user = tx.find_user(username);
        if (!user) return fail(user.error());
        if (!*user) return fail(ErrorCode::kNotFound, "no user " + username, "username");
        if (!api_client_roles((*user)->roles)) {
          return fail(ErrorCode::kInvalidArgument,
                      "API tokens are only for line_client and haulier_client accounts; people "
                      "log in with MFA",
                      "username");
        }
        if ((*user)->disabled) return fail(ErrorCode::kConflict, username + " is disabled");
        store::ApiTokenRecord t;
        t.user_id = (*user)->id;
        t.name = name;
        t.secret_hash = crypto::sha256(secret);
        t.allowed_sources = rules->str();
        t.created_us = fx.now_us;
        t.expires_us = fx.now_us + int64_t{days} * 86400 * 1'000'000;
        t.created_by = actor.subject;
        auto id = tx.insert_api_token(t);
        if (!id) return fail(id.error());
        fx.reason = "token '" + name + "' valid until " + format_utc(t.expires_us);
        fx.change = json::serialize(json::object{{"table", "api_tokens"},
                                                 {"op", "insert"},
                                                 {"id", *id},
                                                 {"name", name},
                                                 {"allowed_sources", t.allowed_sources},
                                                 {"expires_us", t.expires_us}});
        return IssuedToken{*id, "mnt_" + std::to_string(*id) + "_" + wa::base64url_encode(secret),
                           t.expires_us};
      });
}

Result<IdentityService::IssuedToken> IdentityService::rotate_api_token(const access::Actor& actor,
                                                                       const std::string& username,
                                                                       int64_t id) {
  auto tokens = list_api_tokens(actor, username);
  if (!tokens) return fail(tokens.error());
  const store::ApiTokenRecord* old = nullptr;
  for (const auto& t : *tokens) {
    if (t.id == id) old = &t;
  }
  const int64_t now = clock_.now_us();
  if (old == nullptr || old->revoked_us != 0 || old->expires_us <= now) {
    return fail(ErrorCode::kNotFound, "no live token " + std::to_string(id) + " of " + username);
  }
  int days = static_cast<int>(
      std::max<int64_t>(1, (old->expires_us - old->created_us) / (int64_t{86400} * 1'000'000)));
  auto fresh = issue_api_token(actor, username, old->name, std::min(days, kMaxTokenDays),
                               old->allowed_sources);
  if (!fresh) return fail(fresh.error());
  MINATO_TRY(writes_.execute_status(
      actor,
      {"api_token.rotate", "user:" + username, access::Permission::kUserAdmin, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        // The predecessor lives on for a day so the client can switch without an outage.
        int64_t end = std::min(old->expires_us, fx.now_us + int64_t{86400} * 1'000'000);
        MINATO_TRY(tx.set_api_token_revoked(old->id, end));
        fx.reason = "token " + std::to_string(old->id) + " replaced by " +
                    std::to_string(fresh->id) + "; it ends " + format_utc(end);
        fx.change = json::serialize(json::object{
            {"table", "api_tokens"}, {"op", "update"}, {"id", old->id}, {"revoked_us", end}});
        return ok();
      }));
  return fresh;
}

Status IdentityService::revoke_api_token(const access::Actor& actor, const std::string& username,
                                         int64_t id) {
  MINATO_TRY(check_username(username));
  return writes_.execute_status(
      actor, {"api_token.revoke", "user:" + username, access::Permission::kUserAdmin},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto user = tx.find_user(username);
        if (!user) return fail(user.error());
        auto t = tx.find_api_token(id);
        if (!t) return fail(t.error());
        if (!*user || !*t || (*t)->user_id != (*user)->id || (*t)->revoked_us != 0) {
          return fail(ErrorCode::kNotFound,
                      "no live token " + std::to_string(id) + " of " + username);
        }
        MINATO_TRY(tx.set_api_token_revoked(id, fx.now_us));
        fx.change = json::serialize(json::object{
            {"table", "api_tokens"}, {"op", "update"}, {"id", id}, {"revoked_us", fx.now_us}});
        return ok();
      });
}

Result<std::vector<store::ApiTokenRecord>> IdentityService::list_api_tokens(
    const access::Actor& actor, const std::string& username) {
  MINATO_TRY(check_username(username));
  if (!actor.has(access::Permission::kUserAdmin) && !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "listing tokens needs user.admin or audit.read");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto user = (*rx)->find_user(username);
  if (!user) return fail(user.error());
  if (!*user) return fail(ErrorCode::kNotFound, "no user " + username, "username");
  return (*rx)->api_tokens((*user)->id);
}

std::optional<access::Actor> IdentityService::authenticate_token(const std::string& token,
                                                                 const std::string& source) {
  // "mnt_<id>_<secret>"
  if (token.size() > 128 || token.rfind("mnt_", 0) != 0 || sources_.blocked(source)) {
    return std::nullopt;
  }
  size_t sep = token.find('_', 4);
  int64_t id = 0;
  bool good = sep != std::string::npos && sep > 4 && sep - 4 <= 18;
  for (size_t i = 4; good && i < sep; ++i) {
    good = token[i] >= '0' && token[i] <= '9';
    id = id * 10 + (token[i] - '0');
  }
  auto secret = good ? wa::base64url_decode(token.substr(sep + 1))
                     : Result<std::string>(fail(ErrorCode::kInvalidArgument, ""));
  std::string refusal = "malformed token";
  std::optional<access::Actor> actor;
  std::string username;
  if (secret) {
    auto rx = store_.read();
    if (!rx) return std::nullopt;
    auto t = (*rx)->find_api_token(id);
    const int64_t now = clock_.now_us();
    refusal = "unknown token";
    if (t && *t && crypto::constant_time_equal((*t)->secret_hash, crypto::sha256(*secret))) {
      const auto& tok = **t;
      auto user = (*rx)->find_user_by_id(tok.user_id);
      if ((tok.revoked_us != 0 && tok.revoked_us <= now) || tok.expires_us <= now) {
        refusal = "token expired or revoked";
      } else if (containment_ && containment_->on(Measure::kTokens)) {
        refusal = containment_->refusal(Measure::kTokens);
      } else if (!user || !*user || (*user)->disabled) {
        refusal = "account disabled";
      } else {
        username = (*user)->username;
        identity::SessionRules rules;
        std::optional<store::MaintenanceWindow> unused;
        auto own = identity::SourceRules::parse(tok.allowed_sources);
        auto why = access_refusal(**rx, **user, source, now, utc_offset_s_, &rules, &unused);
        if (!own || !why) {
          refusal = "stored rules are not valid";
        } else if (!why->empty()) {
          refusal = *why;
        } else if (!own->allows(source)) {
          refusal = "source address not allowed for this token";
        } else {
          refusal.clear();
          uint32_t perms = access::permissions_of((*user)->roles) &
                           ~static_cast<uint32_t>(access::Permission::kSelf);
          actor = access::Actor::of_account("token:" + username + "/" + std::to_string(id), source,
                                            perms, (*user)->roles, (*user)->scope);
          // Record the use for the access review, at most every 10 minutes per token.
          std::lock_guard lock(token_use_mu_);
          int64_t& last = token_use_written_us_[id];
          if (now - last >= int64_t{600} * 1'000'000) {
            last = now;
            if (auto tx = writes_.execute_status(
                    *actor,
                    {"api_token.use", "api_token:" + std::to_string(id), access::Permission::kNone},
                    [&](store::WriteTxn& w, Effects& fx) -> Status {
                      return w.set_api_token_used(id, fx.now_us);
                    });
                !tx) {
              return std::nullopt;
            }
          }
        }
      }
    }
  }
  if (!actor) {
    sources_.record_failure(source);
    (void)writes_.execute_status(
        access::Actor::anonymous(source),
        {"api_token.refused", "api_token:" + std::to_string(id), access::Permission::kNone},
        [&](store::WriteTxn&, Effects& fx) -> Status {
          fx.result = "failure";
          fx.reason = refusal;
          return ok();
        });
  }
  return actor;
}

}  // namespace minato::app
