// IdentityService, continued: second factors (proving, spending), failure counting and lockout,
// and step-up within a session (G2.1.1-b/e, G2.1.2-a).
#include "app/step_up.h"

#include <boost/json.hpp>

#include "app/identity_service.h"
#include "identity/totp.h"

namespace minato::app {

namespace json = boost::json;

Status require_recent_factor(const access::Actor& actor, int64_t now_us) {
  if (now_us <= actor.step_up_until_us) return ok();
  return fail(ErrorCode::kPermissionDenied,
              "this needs a recently proved second factor: confirm with POST "
              "/api/v1/session/step-up (a TOTP code, a security key or a recovery code), then try "
              "again",
              "step_up");
}

Result<IdentityService::FactorProof> IdentityService::prove_factor(const store::UserRecord& user,
                                                                   const SecondFactor& factor) {
  FactorProof p;
  p.kind = factor.webauthn                 ? FactorProof::Kind::kWebAuthn
           : !factor.recovery_code.empty() ? FactorProof::Kind::kRecovery
                                           : FactorProof::Kind::kTotp;
  switch (p.kind) {
    case FactorProof::Kind::kTotp: {
      auto secret = sealing_.open(user.totp_sealed, "user:" + user.username + "/totp");
      if (!secret) return fail(secret.error());
      auto s = identity::verify_totp(*secret, factor.totp, clock_.now_s());
      if (s) p.step = *s;
      if (p.step < 0) p.failure = "wrong TOTP code";
      break;
    }
    case FactorProof::Kind::kWebAuthn:
      p.failure = check_webauthn_login(user, *factor.webauthn, &p.key, &p.sign_count);
      break;
    case FactorProof::Kind::kRecovery: {
      std::string code;
      for (char ch : factor.recovery_code) {
        if (ch != '-' && ch != ' ') code.push_back(static_cast<char>(std::tolower(ch)));
      }
      p.recovery_macs = sealing_.macs(code, "recovery-code:" + user.username);
      break;
    }
  }
  return p;
}

Result<std::string> IdentityService::factor_refusal(store::WriteTxn& tx, const store::UserRecord& u,
                                                    const FactorProof& proof) const {
  if (!proof.failure.empty()) return proof.failure;
  switch (proof.kind) {
    case FactorProof::Kind::kTotp:
      if (proof.step <= u.totp_last_step) return std::string("TOTP code already used");
      break;
    case FactorProof::Kind::kRecovery: {
      for (const auto& mac : proof.recovery_macs) {
        auto unused = tx.recovery_code_unused(u.id, mac);
        if (!unused) return fail(unused.error());
        if (*unused) return std::string();
      }
      return std::string("wrong or used recovery code");
    }
    case FactorProof::Kind::kWebAuthn: {
      // Re-check the counter against the row now (two uses of one assertion race).
      auto keys = tx.webauthn_credentials(u.id);
      if (!keys) return fail(keys.error());
      for (const auto& k : *keys) {
        if (k.id == proof.key->id && (proof.sign_count != 0 || k.sign_count != 0) &&
            proof.sign_count <= k.sign_count) {
          return std::string("WebAuthn counter check failed: sign counter did not grow");
        }
      }
      break;
    }
  }
  return std::string();
}

Result<std::string> IdentityService::spend_factor(store::WriteTxn& tx, store::UserRecord& u,
                                                  const FactorProof& proof, int64_t now_us,
                                                  int64_t* recovery_left) const {
  switch (proof.kind) {
    case FactorProof::Kind::kTotp:
      u.totp_last_step = proof.step;
      return std::string("TOTP");
    case FactorProof::Kind::kWebAuthn:
      MINATO_TRY(tx.update_webauthn_use(proof.key->id, proof.sign_count, now_us));
      return "WebAuthn (" + proof.key->name + ")";
    case FactorProof::Kind::kRecovery: {
      bool spent = false;
      for (size_t i = 0; !spent && i < proof.recovery_macs.size(); ++i) {
        auto used = tx.use_recovery_code(u.id, proof.recovery_macs[i], now_us);
        if (!used) return fail(used.error());
        spent = *used;
      }
      auto left = tx.count_recovery_codes(u.id);
      if (!left) return fail(left.error());
      *recovery_left = *left;
      return "recovery code (" + std::to_string(*left) + " left)";
    }
  }
  return fail(ErrorCode::kInternal, "unknown second factor");
}

Result<bool> IdentityService::count_failure(store::WriteTxn& tx, Effects& fx, store::UserRecord& u,
                                            const std::string& source,
                                            const std::string& why) const {
  fx.result = "failure";
  u.failed_count += 1;
  fx.reason = why + " (" + std::to_string(u.failed_count) + " consecutive failures)";
  const bool locks = u.failed_count >= lockout_.threshold;
  if (locks) {
    u.locked_until_us = fx.now_us + lockout_.lock_duration_s(u.lock_count) * 1'000'000;
    u.lock_count += 1;
    u.failed_count = 0;
    fx.reason += "; account locked until " + format_utc(u.locked_until_us);
    // G2.1.1-e: security staff hear of repeated failures.
    Alert a;
    a.event = "account.locked";
    a.username = u.username;
    a.title_ja = "アカウントがロックされました: " + u.username;
    a.title_en = "Account locked: " + u.username;
    std::string when = local_time_text(fx.now_us, utc_offset_s_);
    std::string until = local_time_text(u.locked_until_us, utc_offset_s_);
    a.text_ja = "アカウント " + u.username + " は認証 (ログイン、再認証、パスワード変更) に " +
                std::to_string(lockout_.threshold) + " 回連続で失敗したため、" + until +
                " までロックされ、すべてのセッションが終了しました。\n最後の試行: " + when +
                "、送信元 " + source + " (" + why + ")\n心当たりがなければ攻撃の可能性があります。";
    a.text_en = "Account " + u.username + " failed to prove its credentials (login, step-up or " +
                "password change) " + std::to_string(lockout_.threshold) +
                " times in a row; it is locked until " + until +
                " and all its sessions have ended.\nLast attempt: " + when + " from " + source +
                " (" + why + ")\nIf this was not the user, it may be an attack.";
    a.details_json = json::serialize(
        json::object{{"source", source}, {"locked_until", format_utc(u.locked_until_us)}});
    auto q = queue_alert(tx, fx.now_us, alerts_, a);
    if (!q) return fail(q.error());
  }
  MINATO_TRY(tx.update_user_login_state(u));
  fx.change = json::serialize(json::object{{"table", "users"},
                                           {"op", "update"},
                                           {"id", u.id},
                                           {"failed_count", u.failed_count},
                                           {"locked_until_us", u.locked_until_us},
                                           {"lock_count", u.lock_count}});
  return locks;
}

Status IdentityService::step_up(const access::Actor& actor, const std::string& session_token,
                                const SecondFactor& factor) {
  auto user = own_account(actor);
  if (!user) return fail(user.error());
  auto proof = prove_factor(*user, factor);
  if (!proof) return fail(proof.error());
  bool proved = false;
  bool locked = false;
  MINATO_TRY(writes_.execute_status(
      actor, {"session.step_up", actor.subject, access::Permission::kSelf},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto fresh = tx.find_user(user->username);
        if (!fresh) return fail(fresh.error());
        if (!*fresh) return fail(ErrorCode::kNotFound, "no such user");
        store::UserRecord u = **fresh;
        auto refusal = factor_refusal(tx, u, *proof);
        if (!refusal) return fail(refusal.error());
        if (!refusal->empty()) {
          auto counted = count_failure(tx, fx, u, actor.source, "step-up: " + *refusal);
          if (!counted) return fail(counted.error());
          locked = *counted;
          return ok();  // recorded (and counted) as a failure
        }
        u.failed_count = 0;
        u.lock_count = 0;
        int64_t left = 0;
        auto spent = spend_factor(tx, u, *proof, fx.now_us, &left);
        if (!spent) return fail(spent.error());
        MINATO_TRY(tx.update_user_login_state(u));
        fx.reason = "second factor proved again: " + *spent;
        fx.change = json::serialize(json::object{{"table", "users"},
                                                 {"op", "update"},
                                                 {"id", u.id},
                                                 {"failed_count", 0},
                                                 {"totp_last_step", u.totp_last_step}});
        proved = true;
        return ok();
      }));
  if (locked) sessions_.remove_user(user->username);
  if (!proved) {
    return fail(ErrorCode::kUnauthenticated,
                locked ? "wrong second factor; the account is locked and this session has ended"
                       : "wrong second factor",
                "second_factor");
  }
  if (!sessions_.confirm_second_factor(session_token)) {
    return fail(ErrorCode::kUnauthenticated, "the session has ended; log in again");
  }
  return ok();
}

}  // namespace minato::app
