#include "net/connection_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace minato::net {

ConnectionLimiter::ConnectionLimiter(int global, int per_source)
    : global_(global),
      per_source_(per_source),
      fair_share_(std::max(2, per_source / 8)),
      reserve_(global / 4) {}

std::string ConnectionLimiter::source_key(std::string_view address) {
  std::string text(address);
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;  // IPv4, or not an address
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMapped, sizeof kMapped) == 0) {
    char v4[INET_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET, v6.s6_addr + 12, v4, sizeof v4) != nullptr) return v4;
    return text;
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, &v6, out, sizeof out) == nullptr) return text;
  return std::string(out) + "/64";
}

ConnectionLimiter::Admission ConnectionLimiter::admit(const std::string& key) {
  std::lock_guard lock(mu_);
  if (total_ >= global_) return Admission::kServerFull;
  auto it = by_source_.find(key);
  const int held = it == by_source_.end() ? 0 : it->second;
  if (held >= per_source_) return Admission::kSourceFull;
  if (held >= fair_share_ && total_ >= global_ - reserve_) return Admission::kReservedForOthers;
  ++by_source_[key];
  ++total_;
  return Admission::kAdmitted;
}

void ConnectionLimiter::release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = by_source_.find(key);
  if (it == by_source_.end()) return;
  if (--it->second <= 0) by_source_.erase(it);
  --total_;
}

int ConnectionLimiter::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

int ConnectionLimiter::held_by(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = by_source_.find(key);
  return it == by_source_.end() ? 0 : it->second;
}

bool ConnectionLimiter::under_pressure() const {
  std::lock_guard lock(mu_);
  return total_ >= global_ - reserve_;
}

std::optional<std::string> ConnectionLimiter::heaviest_over_share() const {
  std::lock_guard lock(mu_);
  const std::pair<const std::string, int>* top = nullptr;
  for (const auto& entry : by_source_) {
    if (top == nullptr || entry.second > top->second) top = &entry;
  }
  if (top == nullptr || top->second <= fair_share_) return std::nullopt;
  return top->first;
}

}  // namespace minato::net
