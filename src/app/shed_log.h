// ShedLog: counts login attempts the server refused at once because every login worker was
// busy (load shedding under a flood). Writing an audit event for each of thousands of shed
// requests per second would turn the flood into an attack on the audit log, so they are
// counted per source here and written as one `session.shed` event per source when flushed —
// each minute by the jobs thread and when the server stops (G2.2.1-g: failed logins are
// recorded, with their source and number). Thread-safe; memory bounded.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace minato::app {

class ShedLog {
 public:
  static constexpr size_t kMaxSources = 10'000;

  void count(const std::string& source) {
    std::lock_guard lock(mu_);
    auto it = counts_.find(source);
    if (it == counts_.end() && counts_.size() >= kMaxSources) {
      ++counts_["(other sources)"];
      return;
    }
    ++counts_[source];
  }
  // Takes the counts so far and starts afresh.
  std::map<std::string, int64_t> take() {
    std::lock_guard lock(mu_);
    std::map<std::string, int64_t> out;
    out.swap(counts_);
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> counts_;
};

}  // namespace minato::app
