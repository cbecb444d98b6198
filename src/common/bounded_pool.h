// BoundedPool: a fixed set of worker threads with a bounded queue. submit() refuses work when
// the queue is full instead of letting a flood grow memory or latency without bound.
// Used for Argon2id verification so a login flood cannot starve the terminal's operations.
//
//   BoundedPool pool(2, 16);
//   auto fut = pool.submit([] { return expensive(); });   // nullopt when full
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/request_context.h"

namespace minato {

class BoundedPool {
 public:
  // `nice` > 0 lowers the threads' CPU priority (Linux: per thread), so that work such as a
  // login flood's Argon2id hashing yields the CPU to the terminal's requests.
  BoundedPool(size_t threads, size_t max_queue, int nice = 0) : max_queue_(max_queue) {
    for (size_t i = 0; i < threads; ++i) {
      workers_.emplace_back([this, nice] {
        if (nice > 0) (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
        run();
      });
    }
  }
  ~BoundedPool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // Queues `fn`; returns its future, or nullopt when the queue is full or the pool stopping.
  // Thread-safe.
  template <class F>
  auto submit(F fn) -> std::optional<std::future<decltype(fn())>> {
    using R = decltype(fn());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    auto fut = task->get_future();
    {
      std::lock_guard lock(mu_);
      if (stop_ || queue_.size() >= max_queue_) return std::nullopt;
      queue_.emplace_back([task, context = current_request()] {
        ScopedRequest scope(context);
        (*task)();
      });
    }
    cv_.notify_one();
    return fut;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

}  // namespace minato
