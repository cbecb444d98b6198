#include "identity/source_guard.h"

#include <algorithm>

namespace minato::identity {

void SourceGuard::sweep_locked(int64_t now) {
  const int64_t window = policy_.window_s * 1'000'000;
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool stale = it->second.blocked_until_us <= now && now - it->second.window_start_us > window;
    it = stale ? entries_.erase(it) : std::next(it);
  }
}

int64_t SourceGuard::record_failure(const std::string& source) {
  const int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = entries_.find(source);
  if (it == entries_.end()) {
    if (entries_.size() >= policy_.max_tracked) sweep_locked(now);
    if (entries_.size() >= policy_.max_tracked)
      return 0;  // full of live entries: count nothing new
    it = entries_.emplace(source, Entry{now, 0, 0}).first;
  }
  Entry& e = it->second;
  if (e.blocked_until_us > now) return 0;  // already blocked
  if (now - e.window_start_us > policy_.window_s * 1'000'000) {
    e.window_start_us = now;
    e.count = 0;
  }
  if (++e.count < policy_.threshold) return 0;
  e.blocked_until_us = now + policy_.block_s * 1'000'000;
  e.count = 0;
  e.window_start_us = now;
  return e.blocked_until_us;
}

bool SourceGuard::blocked(const std::string& source) const { return blocked_until(source) != 0; }

int64_t SourceGuard::blocked_until(const std::string& source) const {
  const int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = entries_.find(source);
  return it != entries_.end() && it->second.blocked_until_us > now ? it->second.blocked_until_us
                                                                   : 0;
}

std::vector<SourceGuard::Block> SourceGuard::blocks() const {
  const int64_t now = clock_.now_us();
  std::vector<Block> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [source, e] : entries_) {
      if (e.blocked_until_us > now) out.push_back(Block{source, e.blocked_until_us});
    }
  }
  std::sort(out.begin(), out.end(), [](const Block& a, const Block& b) {
    return a.until_us != b.until_us ? a.until_us < b.until_us : a.source < b.source;
  });
  return out;
}

bool SourceGuard::unblock(const std::string& source) {
  const int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = entries_.find(source);
  if (it == entries_.end() || it->second.blocked_until_us <= now) return false;
  entries_.erase(it);
  return true;
}

}  // namespace minato::identity
