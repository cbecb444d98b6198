#include "app/refusal_log.h"

namespace minato::app {

size_t RefusalLog::kind_index(std::string_view kind) {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (kKinds[i] == kind) return i;
  }
  return kKinds.size();
}

void RefusalLog::count(const std::string& source, std::string_view kind) {
  const size_t k = kind_index(kind);
  if (k == kKinds.size()) return;
  std::lock_guard lock(mu_);
  auto slot = [&](std::map<std::string, Counts>& m, size_t cap) -> Counts& {
    auto it = m.find(source);
    if (it != m.end()) return it->second;
    if (m.size() >= cap) return m[kOtherSources];
    return m[source];
  };
  ++slot(pending_, kMaxSources)[k];
  ++slot(totals_, kMaxMetricSources)[k];
  ++by_kind_[k];
  ++total_;
}

std::map<std::string, RefusalLog::Counts> RefusalLog::take() {
  std::lock_guard lock(mu_);
  std::map<std::string, Counts> out;
  out.swap(pending_);
  return out;
}

int64_t RefusalLog::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

int64_t RefusalLog::total_of(std::string_view kind) const {
  const size_t k = kind_index(kind);
  if (k == kKinds.size()) return 0;
  std::lock_guard lock(mu_);
  return by_kind_[k];
}

std::map<std::string, RefusalLog::Counts> RefusalLog::totals_by_source() const {
  std::lock_guard lock(mu_);
  return totals_;
}

std::string RefusalLog::describe(const Counts& counts) {
  static constexpr std::array<const char*, kKinds.size()> kWords = {
      "malformed requests (400)",
      "requests with oversized headers (431)",
      "requests with oversized bodies (413)",
      "requests in an unsupported HTTP version (505)",
      "connections over the connection limits",
      "TLS handshakes that failed or never came",
      "requests that did not arrive whole in time",
      "requests without a valid session or token (401)"};
  std::string out;
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(counts[i]) + " " + kWords[i];
  }
  return out;
}

}  // namespace minato::app
