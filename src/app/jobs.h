// Jobs: the scheduled work of a running server. Every second: containment decided elsewhere
// (G3.1-c) and an edit of minato.toml (configuration control, ConfigService::check_file). Every
// `interval` (a minute in serve, less when audit.heartbeat_seconds is shorter): the audit heartbeat
// event (G2.7.3-c), threshold alerts on security events each minute (G2.6.1-d), recording the end
// of vendor maintenance windows and ending their sessions (G1.3), stale advisory feeds (G2.7.5),
// and, at start and then hourly, the inactivity sweep (G2.2.2-g) and forgetting Idempotency-Keys
// older than a day; hourly (the first five minutes after start), the compliance checks of every
// guideline item, alerting on an item that stops passing. Each run goes through the services, so
// through the write path and the audit log, as the actor `system:<job>`. Stops (and joins) on
// stop() or destruction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/runtime.h"

namespace minato::app {

class Jobs {
 public:
  Jobs(Runtime& runtime, std::chrono::milliseconds interval);
  ~Jobs() { stop(); }
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;
  void stop();

  // One pass of every job now (also what the thread runs). Thread-compatible.
  void run_once();

 private:
  Runtime& rt_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_sweep_{};
  bool swept_ = false;
  // G2.7.3-c heartbeat and G2.6.1-d threshold alerts.
  void heartbeat();
  void monitor(int64_t now_us);
  int64_t last_heartbeat_us_ = 0;
  int64_t last_monitor_us_ = 0;
  uint64_t seen_login_failures_ = 0, seen_denied_ = 0, seen_refused_ = 0;
  int64_t login_alert_until_us_ = 0, denied_alert_until_us_ = 0, refused_alert_until_us_ = 0;
  std::thread thread_;
};

}  // namespace minato::app
