// SessionRegistry: the live login sessions of one server process.
//
// A session is identified by a 256-bit random token carried in a `__Host-` cookie; only its
// SHA-256 is kept, so a memory dump does not yield usable tokens. Each session has a CSRF token
// that every state-changing request must present. Idle and absolute timeouts end a session
// (the clock is injected, so tests do not sleep). A restart ends all sessions: users log in
// again, with MFA. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace minato::identity {

struct Session {
  std::string username;
  std::vector<std::string> roles;
  std::string csrf_token;
  int64_t created_us = 0;
  int64_t last_seen_us = 0;
};

struct SessionLimits {
  int64_t idle_timeout_s = int64_t{15} * 60;
  int64_t absolute_timeout_s = int64_t{8} * 3600;  // one shift
  size_t max_sessions = 10'000;
};

class SessionRegistry {
 public:
  SessionRegistry(const Clock& clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

  struct Created {
    std::string token;  // for the cookie; never stored
    std::string csrf_token;
  };
  // Starts a session; evicts expired ones first. Returns nullopt when the registry is full.
  std::optional<Created> create(const std::string& username, const std::vector<std::string>& roles);
  // Finds a live session by token and refreshes its idle timer.
  std::optional<Session> touch(const std::string& token);
  // Ends a session; returns whether it existed.
  bool remove(const std::string& token);
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
