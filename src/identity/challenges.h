// ChallengeStore: one-time WebAuthn challenges (W3C WebAuthn §13.4.3: random, at least 16
// bytes, used once). Each is bound to a purpose ("register", "login") and a user name, and
// expires after `ttl_s`. Memory is bounded: when full, expired entries go first, then the
// oldest. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace minato::identity {

class ChallengeStore {
 public:
  explicit ChallengeStore(const Clock& clock, int64_t ttl_s = 300, size_t max_entries = 20'000)
      : clock_(clock), ttl_us_(ttl_s * 1'000'000), max_(max_entries) {}

  // A fresh 32-byte challenge (raw bytes).
  std::string issue(std::string_view purpose, std::string_view username);
  // True once for a challenge issued for (purpose, username) and not expired; it is gone after.
  bool consume(std::string_view challenge, std::string_view purpose, std::string_view username);
  size_t size() const;

 private:
  struct Entry {
    std::string purpose, username;
    int64_t expires_us = 0;
  };
  const Clock& clock_;
  int64_t ttl_us_;
  size_t max_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_challenge_;
};

}  // namespace minato::identity
