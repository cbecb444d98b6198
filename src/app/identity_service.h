// IdentityService: users, login and logout — every state change through the WritePath.
//
// Login (G2.1.1-b MFA, G2.1.1-e lockout, G2.2.1-g failed-login logging):
//   1. Argon2id verification runs on the bounded login pool, never on a network thread; an
//      unknown user is verified against a decoy hash so timing does not reveal existence.
//   2. TOTP within ±1 step, and only a step later than the last accepted one (no replay).
//   3. A command records the outcome: success resets the failure count; a failure counts, and
//      the threshold-th consecutive failure locks the account, for twice as long at each
//      further lock in a row (LockoutPolicy). While locked, even correct credentials are
//      refused. Every attempt is audited with its source.
//   4. The caller sees one generic answer for every failure (never whether the user exists).
//   5. Failures also count against the source address (SourceGuard, G2.2.2-f): a source that
//      fails too often, across any accounts, is blocked for a while; the block is audited.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/roles.h"
#include "app/alerts.h"
#include "app/containment.h"
#include "app/write_path.h"
#include "common/bounded_pool.h"
#include "crypto/keys.h"
#include "identity/challenges.h"
#include "identity/password_hash.h"
#include "identity/password_policy.h"
#include "identity/sessions.h"
#include "identity/source_guard.h"
#include "identity/webauthn.h"

namespace minato::app {

struct NewUser {
  NewUser() = default;
  NewUser(std::string name, std::string pw, std::vector<std::string> role_list,
          std::string sources = {})
      : username(std::move(name)),
        password(std::move(pw)),
        roles(std::move(role_list)),
        allowed_sources(std::move(sources)) {}

  std::string username;
  std::string password;
  std::vector<std::string> roles;
  std::string allowed_sources;  // CIDR list (G2.1.1-a); empty = any source
  std::string login_window;     // identity::TimeWindows text; empty = any time
  int64_t valid_until_us = 0;   // the account works until then; 0 = no end date
  std::string scope;            // a line_client's line operator code
  std::string email;            // for the user's own security notices (G2.1.1-f); optional
  // G2.1.1-d/i: create the account without a password and return a one-time enrolment link
  // (the owner sets the password and gets the TOTP secret); `password` is then ignored.
  bool enrolment_link = false;
};

struct CreatedUser {
  std::string username;
  std::string totp_secret_base32;  // empty for an enrolment link
  std::string otpauth_uri;
  std::string enrolment_token;  // base64url; only for an enrolment link
  int64_t enrolment_expires_us = 0;
};

// A WebAuthn assertion presented at login (raw bytes, decoded from the API's base64url).
struct WebAuthnLogin {
  std::string credential_id;
  identity::webauthn::AssertionResponse response;
};

// Exactly one second factor: a TOTP code, a WebAuthn assertion or a recovery code (G2.1.1-b:
// every account, administrators included, always uses MFA; there is no SMS). The first one set
// of webauthn, recovery_code and totp is the one checked.
struct SecondFactor {
  std::string totp;
  std::optional<WebAuthnLogin> webauthn;
  std::string recovery_code;
};

// Password plus a second factor.
struct LoginRequest : SecondFactor {
  LoginRequest() = default;
  LoginRequest(std::string user, std::string pw, std::string code)
      : username(std::move(user)), password(std::move(pw)) {
    totp = std::move(code);
  }

  std::string username;
  std::string password;
};

// What a browser needs for navigator.credentials.create()/get().
struct WebAuthnOptions {
  std::string challenge;  // raw
  std::string rp_id;
  std::string user_handle;  // raw, not personal data
  std::string username;
  std::vector<std::string> credential_ids;  // exclude (register) or allow (login) list, raw
  bool require_user_verification = false;
};

struct LoginResult {
  std::string session_token;
  std::string csrf_token;
  std::string username;
  std::vector<std::string> roles;
  bool password_expired = false;  // only a password change is allowed until it is changed
};

// G2.1.1-e: `threshold` consecutive failures lock the account for `lock_seconds`; every further
// lock before a successful login doubles the wait, up to `max_lock_seconds`.
struct LockoutPolicy {
  int threshold = 5;
  int64_t lock_seconds = 900;
  int64_t max_lock_seconds = 86400;

  // How long the account is locked when it is locked for the (lock_count+1)-th time in a row.
  int64_t lock_duration_s(int lock_count) const;
};

class IdentityService {
 public:
  IdentityService(store::Store& store, WritePath& writes, const Clock& clock,
                  const crypto::SealingKey& sealing, identity::SessionRegistry& sessions,
                  identity::SourceGuard& sources, BoundedPool& login_pool, LockoutPolicy lockout,
                  identity::Argon2Params argon = {});

  // Validates (name 3-32 of a-z 0-9 . _ -, password policy, role set, rules) and creates the
  // user with a fresh TOTP secret. REQUIRES permission user.admin. Administrative roles are
  // granted only by an approved change (AccessService, two-person rule) or by the operator on
  // the server host (the CLI, which holds the data directory).
  Result<CreatedUser> create_user(const access::Actor& actor, const NewUser& user);

  // kUnauthenticated (generic) on any credential failure; kResourceExhausted when the login
  // pool is saturated.
  Result<LoginResult> login(const std::string& source, const LoginRequest& req);
  Status logout(const access::Actor& actor, const std::string& session_token);

  // G2.1.2-a step-up: the caller proves a second factor again within its session, so that
  // the operations that need a recent one (app/step_up.h) are allowed for the step-up window.
  // A wrong factor counts toward the account's lockout like a failed login; at the lock every
  // session of the account ends. kUnauthenticated on a wrong factor.
  Status step_up(const access::Actor& actor, const std::string& session_token,
                 const SecondFactor& factor);

  // G2.1.1-e: ends a lock and clears the failure counts. REQUIRES permission user.admin;
  // audited with the state before.
  Status unlock(const access::Actor& actor, const std::string& username);

  // G2.2.2-f: the source addresses blocked now after repeated failed logins (source_blocks.cpp).
  // REQUIRES user.admin, change.approve or audit.read.
  Result<std::vector<identity::SourceGuard::Block>> source_blocks(const access::Actor& actor);
  // When a source is blocked, and for how long (login.source_* in minato.toml).
  const identity::SourcePolicy& source_policy() const { return sources_.policy(); }
  // Ends a source's block early (a colleague locked out by a mistyped script, say). REQUIRES
  // user.admin; audited as source.unblock with the reason given.
  Status unblock_source(const access::Actor& actor, const std::string& source,
                        const std::string& reason);

  // G2.1.1-c, G2.2.2-b/c: the caller changes their own password: the current one must be
  // right, the new one must meet the policy and differ from the last kPasswordHistory ones.
  // G2.1.2-a: needs a recent second factor; a wrong current password counts toward the
  // account's lockout like a failed login, and at the lock every session of the account ends.
  static constexpr int kPasswordHistory = 5;
  Status change_password(const access::Actor& actor, const std::string& username,
                         const std::string& current, const std::string& replacement);

  // Disables an account and ends its sessions at once (G2.1.1-k offboarding; G2.2.2-g).
  // REQUIRES permission user.admin. `why` is recorded in the audit event.
  Status disable(const access::Actor& actor, const std::string& username, const std::string& why);
  // G2.2.2-g: disables every enabled account unused for `inactive_days` (since its last login,
  // or its creation if it never logged in) and ends its sessions. Returns the names disabled.
  // REQUIRES permission user.admin (the scheduled job acts as system:inactivity-sweep).
  Result<std::vector<std::string>> sweep_inactive(const access::Actor& actor, int inactive_days);

  // Enables a disabled account again. REQUIRES permission user.admin.
  Status enable(const access::Actor& actor, const std::string& username);
  // G2.1.2-b: "my credentials are compromised": the caller's own account is disabled and all
  // its sessions end at once. Security staff re-enable it after a credential reset.
  Status report_compromised(const access::Actor& actor, const std::string& username);

  // G2.2.2-e: the newest `limit` login attempts of `username` (time, source, result, detail).
  // A user may read their own; reading another's needs user.admin or audit.read.
  Result<std::vector<store::AuditRecord>> login_history(const access::Actor& actor,
                                                        const std::string& username, int limit);

  // --- WebAuthn and recovery codes (G2.1.1-b, G2.2.2-d) -------------------------------------
  static constexpr size_t kMaxAuthenticators = 10;
  static constexpr int kRecoveryCodes = 10;
  void set_webauthn(identity::webauthn::RelyingParty rp) { rp_ = std::move(rp); }
  const identity::webauthn::RelyingParty& relying_party() const { return rp_; }
  // Registration of another authenticator by the logged-in caller.
  Result<WebAuthnOptions> webauthn_register_begin(const access::Actor& actor);
  Result<store::WebAuthnCredentialRecord> webauthn_register_finish(
      const access::Actor& actor, const std::string& name,
      const identity::webauthn::RegistrationResponse& response);
  Result<std::vector<store::WebAuthnCredentialRecord>> webauthn_list(const access::Actor& actor);
  Status webauthn_remove(const access::Actor& actor, int64_t id);
  // Names one of the caller's own authenticators anew (1-64 characters), so that the list
  // tells "office key" from "spare key" before one is removed.
  Status webauthn_rename(const access::Actor& actor, int64_t id, const std::string& name);
  // Login options for `username`. An unknown user, or one without authenticators, gets a
  // decoy credential id derived from the name, so the answer does not reveal either.
  WebAuthnOptions webauthn_login_begin(const std::string& username);
  // Replaces the caller's recovery codes with kRecoveryCodes fresh ones, returned once. Each
  // logs in once in place of the second factor; only keyed hashes are stored.
  Result<std::vector<std::string>> new_recovery_codes(const access::Actor& actor);
  Result<int64_t> recovery_codes_left(const access::Actor& actor);

  // --- enrolment links and credential resets (G2.1.1-d/i, G2.1.2-b) -------------------------
  void set_enrolment_ttl(int64_t seconds) { enrolment_ttl_s_ = seconds; }
  // G2.1.2-a: how long a proved second factor counts as recent (login.step_up_seconds).
  void set_step_up_window(int64_t seconds) { step_up_window_s_ = seconds; }
  int64_t step_up_window_s() const { return step_up_window_s_; }
  // G2.2.2-c: optional maximum password age in days (0 = none).
  void set_password_max_days(int days) { password_max_days_ = days; }
  // Resets every credential of `username` at once (password, TOTP, WebAuthn keys, recovery
  // codes, sessions) and returns a one-time link for its owner to enrol again.
  // REQUIRES user.admin.
  Result<CreatedUser> reset_credentials(const access::Actor& actor, const std::string& username,
                                        const std::string& why);
  // The owner completes an enrolment link: sets a password (policy-checked) and receives a new
  // TOTP secret. A bad, used or expired link gets one generic answer and counts against the
  // source (G2.2.2-f).
  Result<CreatedUser> complete_enrolment(const std::string& source, const std::string& token,
                                         const std::string& password);

  // --- API tokens for lines' and hauliers' client accounts ------------------------------------
  static constexpr int kMaxTokenDays = 90;
  struct IssuedToken {
    int64_t id = 0;
    std::string token;  // shown once: "mnt_<id>_<secret>"
    int64_t expires_us = 0;
  };
  // REQUIRES user.admin; only for line_client/haulier_client accounts.
  Result<IssuedToken> issue_api_token(const access::Actor& actor, const std::string& username,
                                      const std::string& name, int days,
                                      const std::string& allowed_sources);
  // Issues a successor with the same name and rules; the old token ends in 24 hours (or at
  // its own expiry if sooner), so a client can switch without an outage.
  Result<IssuedToken> rotate_api_token(const access::Actor& actor, const std::string& username,
                                       int64_t id);
  Status revoke_api_token(const access::Actor& actor, const std::string& username, int64_t id);
  Result<std::vector<store::ApiTokenRecord>> list_api_tokens(const access::Actor& actor,
                                                             const std::string& username);
  // The actor for a bearer token, if it is valid and usable from `source` now.
  std::optional<access::Actor> authenticate_token(const std::string& token,
                                                  const std::string& source);

  // G2.2.2-e: the caller's live sessions; ending one of them by its public id.
  std::vector<identity::SessionRegistry::Listed> sessions_of(const access::Actor& actor);
  // Administrators see and end anyone's sessions: reading needs user.admin or audit.read,
  // ending needs user.admin (audited).
  Result<std::vector<identity::SessionRegistry::Listed>> sessions_of_user(
      const access::Actor& actor, const std::string& username);
  Status end_user_session(const access::Actor& actor, const std::string& username,
                          const std::string& session_id);
  Status end_session(const access::Actor& actor, const std::string& session_id);

  // The terminal's offset from UTC, for login time windows.
  void set_utc_offset(int seconds) { utc_offset_s_ = seconds; }
  // Where alerts go, and how coarsely login sources are compared (G2.1.1-f): a login from a
  // network (address at these prefix lengths) never seen for the account raises an alert.
  // G3.1-c: the containment measures in force (tokens, vendors), owned by the Runtime.
  void set_containment(const Containment* c) { containment_ = c; }
  void set_alerts(AlertSettings settings, int new_source_prefix_v4, int new_source_prefix_v6) {
    alerts_ = std::move(settings);
    prefix_v4_ = new_source_prefix_v4;
    prefix_v6_ = new_source_prefix_v6;
  }
  int utc_offset_s() const { return utc_offset_s_; }

  // Whether the session of `session_token` is still live; its idle timer is not refreshed.
  bool session_alive(const std::string& session_token) const {
    return sessions_.alive(session_token);
  }
  // The session for a cookie token, with the actor it stands for; nullopt if none or expired.
  // A session used outside its time window or past its end (G2.2.1-d, G1.3) is ended.
  std::optional<std::pair<identity::Session, access::Actor>> authenticate(
      const std::string& session_token, const std::string& source);

 private:
  store::Store& store_;
  WritePath& writes_;
  const Clock& clock_;
  const crypto::SealingKey& sealing_;
  identity::SessionRegistry& sessions_;
  identity::SourceGuard& sources_;
  const Containment* containment_ = nullptr;
  BoundedPool& login_pool_;
  LockoutPolicy lockout_;
  identity::Argon2Params argon_;
  identity::PasswordPolicy policy_;
  int utc_offset_s_ = 9 * 3600;
  AlertSettings alerts_;
  int prefix_v4_ = 32;
  int prefix_v6_ = 64;
  // A second factor checked as far as it can be outside the write transaction.
  struct FactorProof {
    enum class Kind { kTotp, kWebAuthn, kRecovery } kind = Kind::kTotp;
    std::string failure;  // why it failed already; empty when it may hold
    int64_t step = -1;    // the TOTP step matched
    std::optional<store::WebAuthnCredentialRecord> key;
    uint32_t sign_count = 0;
    // The code's keyed hash under the sealing key and every earlier one (a code made before a
    // rotation of the sealing key still works until it is used or replaced).
    std::vector<std::string> recovery_macs;
  };
  Result<FactorProof> prove_factor(const store::UserRecord& user, const SecondFactor& factor);
  // Inside the transaction: why the proof does not hold against the account as it is now (a
  // TOTP code used already, a spent recovery code, a WebAuthn counter that did not grow), or "".
  Result<std::string> factor_refusal(store::WriteTxn& tx, const store::UserRecord& u,
                                     const FactorProof& proof) const;
  // Spends the factor: the TOTP step, the key's counter and last use, or the recovery code.
  // Returns how it is described in the audit event ("password and TOTP", ...) and, for a
  // recovery code, how many are left in `recovery_left`.
  Result<std::string> spend_factor(store::WriteTxn& tx, store::UserRecord& u,
                                   const FactorProof& proof, int64_t now_us,
                                   int64_t* recovery_left) const;
  // G2.1.1-e: counts one failed proof of `u`'s credentials (`why`) in `u` and the command's
  // audit event; at the threshold locks the account and alerts security staff. Returns whether
  // the account is now locked.
  Result<bool> count_failure(store::WriteTxn& tx, Effects& fx, store::UserRecord& u,
                             const std::string& source, const std::string& why) const;
  // Checks a WebAuthn login assertion of `user`; returns why it failed, or "" with the key used
  // and its new sign count.
  std::string check_webauthn_login(const store::UserRecord& user, const WebAuthnLogin& login,
                                   std::optional<store::WebAuthnCredentialRecord>* used,
                                   uint32_t* new_sign_count);
  std::string user_handle(const store::UserRecord& user) const;
  // The caller's own account, for self-service (WebAuthn, recovery codes).
  Result<store::UserRecord> own_account(const access::Actor& actor);

  identity::webauthn::RelyingParty rp_{"localhost", "https://localhost:8443", false};
  identity::ChallengeStore challenges_{clock_};
  int64_t enrolment_ttl_s_ = 72 * 3600;
  int password_max_days_ = 0;
  int64_t step_up_window_s_ = 5 * 60;
  std::mutex token_use_mu_;
  std::unordered_map<int64_t, int64_t> token_use_written_us_;  // last-use writes, throttled
};

// Where and when `u` may be used (G2.1.1-a, G2.2.1-d, G1.3): fills `rules` (its sources, time
// windows and end) and `window` with a vendor's open maintenance window. Returns why a use from
// `source` at `now_us` is refused, or "" when it is allowed. Shared by logins and API tokens.
Result<std::string> access_refusal(store::ReadTxn& tx, const store::UserRecord& u,
                                   const std::string& source, int64_t now_us, int utc_offset_s,
                                   identity::SessionRules* rules,
                                   std::optional<store::MaintenanceWindow>* window);

// Validates a user name: 3-32 characters of a-z, 0-9, '.', '_', '-', starting with a letter.
Status check_username(std::string_view name);

// Checks a role set (access::check_roles) with its object scope: a line_client needs the line
// operator code it acts for (2-6 of A-Z 0-9); other accounts have none.
Status check_account_access(const std::vector<std::string>& roles, const std::string& scope);

}  // namespace minato::app
