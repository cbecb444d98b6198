#include "identity/challenges.h"

#include "crypto/random.h"

namespace minato::identity {

std::string ChallengeStore::issue(std::string_view purpose, std::string_view username) {
  std::string c = crypto::random_bytes(32);
  int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  if (by_challenge_.size() >= max_) {
    for (auto it = by_challenge_.begin(); it != by_challenge_.end();) {
      it = it->second.expires_us <= now ? by_challenge_.erase(it) : std::next(it);
    }
    while (by_challenge_.size() >= max_) {  // still full: drop the one expiring first
      auto oldest = by_challenge_.begin();
      for (auto it = by_challenge_.begin(); it != by_challenge_.end(); ++it) {
        if (it->second.expires_us < oldest->second.expires_us) oldest = it;
      }
      by_challenge_.erase(oldest);
    }
  }
  by_challenge_[c] = Entry{std::string(purpose), std::string(username), now + ttl_us_};
  return c;
}

bool ChallengeStore::consume(std::string_view challenge, std::string_view purpose,
                             std::string_view username) {
  std::lock_guard lock(mu_);
  auto it = by_challenge_.find(std::string(challenge));
  if (it == by_challenge_.end()) return false;
  bool good = it->second.purpose == purpose && it->second.username == username &&
              clock_.now_us() < it->second.expires_us;
  if (good) by_challenge_.erase(it);  // a mismatched one stays for its rightful owner
  return good;
}

size_t ChallengeStore::size() const {
  std::lock_guard lock(mu_);
  return by_challenge_.size();
}

}  // namespace minato::identity
