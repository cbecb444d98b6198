// SessionRegistry: the live login sessions of one server process.
//
// A session is identified by a 256-bit random token carried in a `__Host-` cookie; only its
// SHA-256 is kept, so a memory dump does not yield usable tokens. Each session has a CSRF token
// that every state-changing request must present. Idle and absolute timeouts end a session
// (the clock is injected, so tests do not sleep). A restart ends all sessions: users log in
// again, with MFA. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "identity/source_rules.h"
#include "identity/time_window.h"

namespace minato::identity {

// Where and when a session may be used: the account's and each of its roles' source lists and
// time windows must all allow (G2.1.1-a, G2.2.1-d), and never after `not_after_us` (the end
// of the account's validity or of a vendor's maintenance window, G1.3).
struct SessionRules {
  std::vector<SourceRules> sources;
  std::vector<TimeWindows> windows;
  int64_t not_after_us = 0;  // 0 = no end

  bool allows_source(std::string_view address) const {
    for (const auto& s : sources) {
      if (!s.allows(address)) return false;
    }
    return true;
  }
  bool allows_time(int64_t now_us) const {
    if (not_after_us != 0 && now_us >= not_after_us) return false;
    for (const auto& w : windows) {
      if (!w.allows(now_us)) return false;
    }
    return true;
  }
};

struct Session {
  std::string username;
  std::vector<std::string> roles;
  std::string csrf_token;
  SessionRules rules;
  std::string scope;   // object-level scope of the account (a line_client's line)
  std::string source;  // the address the session was created from
  // G2.2.2-c: the password is older than the maximum age; only changing it is allowed.
  bool password_expired = false;
  int64_t created_us = 0;
  int64_t last_seen_us = 0;
  // G2.1.2-a: when the holder last proved a second factor (at login, then at each step-up).
  // Credential changes and other sensitive operations need it to be recent.
  int64_t second_factor_us = 0;
};

struct SessionLimits {
  int64_t idle_timeout_s = int64_t{15} * 60;
  int64_t absolute_timeout_s = int64_t{8} * 3600;  // one shift
  size_t max_sessions = 10'000;
  // G2.2.1-d: concurrent sessions of one user. At the limit a new login either ends the
  // user's oldest session (evict_oldest) or is refused.
  size_t max_per_user = 3;
  bool evict_oldest = true;
};

class SessionRegistry {
 public:
  SessionRegistry(const Clock& clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

  struct Created {
    std::string token;  // for the cookie; never stored
    std::string csrf_token;
  };
  // Starts a session; evicts expired ones first, and the user's oldest ones beyond
  // max_per_user when evict_oldest. Returns nullopt when the registry is full, or the user is
  // at the limit and evict_oldest is off.
  std::optional<Created> create(const std::string& username, const std::vector<std::string>& roles,
                                SessionRules rules = {}, std::string scope = {},
                                std::string source = {});
  // Live sessions of `username`.
  size_t count_for(const std::string& username) const;
  // Finds a live session by token and refreshes its idle timer.
  std::optional<Session> touch(const std::string& token);
  // Whether the session is live, without refreshing its idle timer (the live view asks this
  // while it streams: streaming is not activity).
  bool alive(const std::string& token) const;
  // Ends a session; returns whether it existed.
  bool remove(const std::string& token);
  // Ends every session of `username`; returns how many there were.
  size_t remove_user(const std::string& username);
  void mark_password_expired(const std::string& token);
  // Records that the session's holder has just proved a second factor again (step-up).
  // Returns false when the session no longer exists.
  bool confirm_second_factor(const std::string& token);
  void clear_password_expired(const std::string& username);
  // Ends every session holding `role`; returns how many there were.
  size_t remove_role(const std::string& role);
  // Ends every session none of whose roles `keep` says to keep; returns how many there were.
  size_t remove_all_except(const std::function<bool(std::string_view role)>& keep);
  // A user's live sessions, oldest first, with a public id each (not the token).
  struct Listed {
    std::string id;  // first 16 hex digits of SHA-256(SHA-256(token))
    Session session;
  };
  std::vector<Listed> list_for(const std::string& username) const;
  // Ends the user's session with this public id; returns whether it existed.
  bool remove_by_id(const std::string& username, const std::string& id);
  size_t size() const;
  const SessionLimits& limits() const { return limits_; }

 private:
  bool expired(const Session& s, int64_t now) const;
  void sweep_locked(int64_t now);

  const Clock& clock_;
  SessionLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> by_hash_;
};

}  // namespace minato::identity
