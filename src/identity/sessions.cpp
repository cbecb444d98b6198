#include "identity/sessions.h"

#include "crypto/random.h"

namespace minato::identity {

bool SessionRegistry::expired(const Session& s, int64_t now) const {
  return now - s.last_seen_us > limits_.idle_timeout_s * 1'000'000 ||
         now - s.created_us > limits_.absolute_timeout_s * 1'000'000;
}

void SessionRegistry::sweep_locked(int64_t now) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = expired(it->second, now) ? by_hash_.erase(it) : std::next(it);
  }
}

std::optional<SessionRegistry::Created> SessionRegistry::create(
    const std::string& username, const std::vector<std::string>& roles) {
  int64_t now = clock_.now_us();
  Created c{crypto::random_token(32), crypto::random_token(32)};
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= limits_.max_sessions) sweep_locked(now);
  if (by_hash_.size() >= limits_.max_sessions) return std::nullopt;
  by_hash_[crypto::sha256(c.token)] = Session{username, roles, c.csrf_token, now, now};
  return c;
}

std::optional<Session> SessionRegistry::touch(const std::string& token) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  int64_t now = clock_.now_us();
  std::string key = crypto::sha256(token);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen_us = now;
  return it->second;
}

bool SessionRegistry::remove(const std::string& token) {
  std::lock_guard lock(mu_);
  return by_hash_.erase(crypto::sha256(token)) > 0;
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

}  // namespace minato::identity
