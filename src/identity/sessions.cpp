#include "identity/sessions.h"

#include <algorithm>

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
    const std::string& username, const std::vector<std::string>& roles, SessionRules rules,
    std::string scope, std::string source) {
  int64_t now = clock_.now_us();
  Created c{crypto::random_token(32), crypto::random_token(32)};
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= limits_.max_sessions) sweep_locked(now);
  if (by_hash_.size() >= limits_.max_sessions) return std::nullopt;
  for (;;) {
    // The user's live sessions, oldest first by creation.
    auto oldest = by_hash_.end();
    size_t mine = 0;
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.username != username || expired(it->second, now)) continue;
      ++mine;
      if (oldest == by_hash_.end() || it->second.created_us < oldest->second.created_us)
        oldest = it;
    }
    if (mine < limits_.max_per_user) break;
    if (!limits_.evict_oldest) return std::nullopt;
    by_hash_.erase(oldest);
  }
  by_hash_[crypto::sha256(c.token)] = Session{
      username, roles, c.csrf_token, std::move(rules), std::move(scope), std::move(source), false,
      now,      now,   now};
  return c;
}

size_t SessionRegistry::count_for(const std::string& username) const {
  int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [k, s] : by_hash_) {
    if (s.username == username && !expired(s, now)) ++n;
  }
  return n;
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

bool SessionRegistry::alive(const std::string& token) const {
  if (token.empty() || token.size() > 128) return false;
  const int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(crypto::sha256(token));
  return it != by_hash_.end() && !expired(it->second, now);
}

bool SessionRegistry::remove(const std::string& token) {
  std::lock_guard lock(mu_);
  return by_hash_.erase(crypto::sha256(token)) > 0;
}

size_t SessionRegistry::remove_user(const std::string& username) {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    if (it->second.username == username) {
      it = by_hash_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

void SessionRegistry::mark_password_expired(const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(crypto::sha256(token));
  if (it != by_hash_.end()) it->second.password_expired = true;
}

bool SessionRegistry::confirm_second_factor(const std::string& token) {
  int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(crypto::sha256(token));
  if (it == by_hash_.end() || expired(it->second, now)) return false;
  it->second.second_factor_us = now;
  return true;
}

void SessionRegistry::clear_password_expired(const std::string& username) {
  std::lock_guard lock(mu_);
  for (auto& [hash, s] : by_hash_) {
    if (s.username == username) s.password_expired = false;
  }
}

size_t SessionRegistry::remove_role(const std::string& role) {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    const auto& roles = it->second.roles;
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) {
      it = by_hash_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t SessionRegistry::remove_all_except(const std::function<bool(std::string_view)>& keep) {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    const auto& roles = it->second.roles;
    if (std::none_of(roles.begin(), roles.end(), [&](const std::string& r) { return keep(r); })) {
      it = by_hash_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

namespace {
std::string public_id(const std::string& token_hash) {
  return crypto::to_hex(crypto::sha256(token_hash)).substr(0, 16);
}
}  // namespace

std::vector<SessionRegistry::Listed> SessionRegistry::list_for(const std::string& username) const {
  int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  std::vector<Listed> out;
  for (const auto& [hash, s] : by_hash_) {
    if (s.username == username && !expired(s, now)) out.push_back({public_id(hash), s});
  }
  std::sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) {
    return a.session.created_us < b.session.created_us;
  });
  return out;
}

bool SessionRegistry::remove_by_id(const std::string& username, const std::string& id) {
  std::lock_guard lock(mu_);
  for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
    if (it->second.username == username && public_id(it->first) == id) {
      by_hash_.erase(it);
      return true;
    }
  }
  return false;
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

}  // namespace minato::identity
