// SourceGuard: counts failed logins per source address and blocks a source that fails too
// often, whichever accounts it tries (G2.2.2-f; with the per-account lockout, G2.1.1-e). A
// blocked source's new connections are closed at accept time, before any TLS work, and its
// login attempts are refused. Blocks expire by themselves. In memory, per process; thread-safe.
//
//   SourceGuard guard(clock, {.threshold = 20, .window_s = 600, .block_s = 900});
//   if (guard.record_failure("203.0.113.9")) audit("source.block", ...);
//   guard.blocked("203.0.113.9");
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace minato::identity {

struct SourcePolicy {
  int threshold = 20;            // failed logins from one source ...
  int64_t window_s = 600;        // ... within this many seconds ...
  int64_t block_s = 900;         // ... block it for this long
  size_t max_tracked = 100'000;  // bound on memory under a spoofing flood
};

class SourceGuard {
 public:
  SourceGuard(const Clock& clock, SourcePolicy policy) : clock_(clock), policy_(policy) {}

  // Records a failed login from `source`. Returns the time (µs) the block ends when this
  // failure starts a block, else 0.
  int64_t record_failure(const std::string& source);
  bool blocked(const std::string& source) const;
  // When the block of `source` ends (µs), or 0 when it is not blocked.
  int64_t blocked_until(const std::string& source) const;
  const SourcePolicy& policy() const { return policy_; }

  struct Block {
    std::string source;
    int64_t until_us = 0;
  };
  // The sources blocked now, the soonest to end first.
  std::vector<Block> blocks() const;
  // Ends the block of `source` early and forgets its failures. False if it was not blocked.
  bool unblock(const std::string& source);

 private:
  struct Entry {
    int64_t window_start_us = 0;
    int count = 0;
    int64_t blocked_until_us = 0;
  };
  void sweep_locked(int64_t now);

  const Clock& clock_;
  SourcePolicy policy_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace minato::identity
