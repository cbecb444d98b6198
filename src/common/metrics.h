// Metrics: a small Prometheus registry (G2.6.1-d). Counters and histograms are lock-free
// atomics updated on the request path; gauges are read by callbacks when /metrics is scraped.
// render() writes the Prometheus text exposition format (version 0.0.4).
//
//   Metrics m;
//   auto& failures = m.counter("minato_login_failures_total", "Failed logins");
//   failures.add();
//   m.gauge("minato_write_queue_depth", "Commands waiting", [&] { return double(depth()); });
//   std::string text = m.render();
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace minato {

class Counter {
 public:
  void add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Latency histogram in seconds with fixed buckets (0.5 ms .. 10 s).
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  void observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Metrics;
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

class Metrics {
 public:
  // Each returns a reference valid for the registry's life. Register at start-up; a name with
  // labels is one series: counter("minato_http_requests_total", "...", "code=\"2xx\"").
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::string& labels = "");
  // A value read when scraped; `counter` marks one that only grows (exposed as a counter).
  void gauge(const std::string& name, const std::string& help, std::function<double()> read,
             const std::string& labels = "", bool counter = false);
  // Series whose labels are known only when scraped (one per source, say): `read` returns
  // (labels, value) pairs; `counter` as for gauge.
  using LabelledValues = std::vector<std::pair<std::string, double>>;
  void family(const std::string& name, const std::string& help,
              std::function<LabelledValues()> read, bool counter = false);
  std::string render() const;

 private:
  struct Series {
    std::string name, help, labels, type;
    Counter* counter = nullptr;
    Histogram* histogram = nullptr;
    std::function<double()> gauge;
    std::function<LabelledValues()> family;
  };
  mutable std::mutex mu_;
  std::deque<Counter> counters_;
  std::deque<Histogram> histograms_;
  std::vector<Series> series_;
};

}  // namespace minato
