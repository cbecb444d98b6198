#include "app/jobs.h"

#include <cstdio>

namespace minato::app {

Jobs::Jobs(Runtime& runtime, std::chrono::milliseconds interval)
    : rt_(runtime), interval_(interval) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void Jobs::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Jobs::run_once() {
  access::Actor closer{"system:maintenance-windows",
                       "local",
                       static_cast<uint32_t>(access::Permission::kUserAdmin),
                       {}};
  auto closed = rt_.access().close_ended_maintenance(closer);
  if (!closed) {
    std::fprintf(stderr, "minato: closing maintenance windows failed: %s\n",
                 closed.error().message().c_str());
  }
  if (auto shed = rt_.flush_shed_log(); !shed) {
    std::fprintf(stderr, "minato: recording shed logins failed: %s\n",
                 shed.error().message().c_str());
  }
  auto now = std::chrono::steady_clock::now();
  if (swept_ && now - last_sweep_ < std::chrono::hours(1)) return;
  swept_ = true;
  last_sweep_ = now;
  access::Actor sweeper{"system:inactivity-sweep",
                        "local",
                        static_cast<uint32_t>(access::Permission::kUserAdmin),
                        {}};
  auto swept = rt_.identity().sweep_inactive(sweeper, rt_.config().inactive_days);
  if (!swept) {
    std::fprintf(stderr, "minato: inactivity sweep failed: %s\n", swept.error().message().c_str());
  } else if (!swept->empty()) {
    std::fprintf(stderr, "minato: inactivity sweep disabled %zu account(s)\n", swept->size());
  }
}

}  // namespace minato::app
