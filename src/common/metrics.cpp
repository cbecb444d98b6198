#include "common/metrics.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace minato {

void Histogram::observe(double seconds) {
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) buckets_[i].fetch_add(1, std::memory_order_relaxed);
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6), std::memory_order_relaxed);
}

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const std::string& labels) {
  std::lock_guard lock(mu_);
  counters_.emplace_back();
  series_.push_back({name, help, labels, "counter", &counters_.back(), nullptr, {}, {}});
  return counters_.back();
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const std::string& labels) {
  std::lock_guard lock(mu_);
  histograms_.emplace_back();
  series_.push_back({name, help, labels, "histogram", nullptr, &histograms_.back(), {}, {}});
  return histograms_.back();
}

void Metrics::gauge(const std::string& name, const std::string& help, std::function<double()> read,
                    const std::string& labels, bool counter) {
  std::lock_guard lock(mu_);
  series_.push_back(
      {name, help, labels, counter ? "counter" : "gauge", nullptr, nullptr, std::move(read), {}});
}

void Metrics::family(const std::string& name, const std::string& help,
                     std::function<LabelledValues()> read, bool counter) {
  std::lock_guard lock(mu_);
  series_.push_back(
      {name, help, "", counter ? "counter" : "gauge", nullptr, nullptr, {}, std::move(read)});
}

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  return buf;
}

std::string with_labels(const std::string& name, const std::string& labels,
                        const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

}  // namespace

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::set<std::string> described;
  for (const auto& s : series_) {
    if (described.insert(s.name).second) {
      out += "# HELP " + s.name + " " + s.help + "\n# TYPE " + s.name + " " + s.type + "\n";
    }
    if (s.counter != nullptr) {
      out += with_labels(s.name, s.labels) + " " + std::to_string(s.counter->value()) + "\n";
    } else if (s.histogram != nullptr) {
      const Histogram& h = *s.histogram;
      for (size_t i = 0; i < Histogram::kBounds.size(); ++i) {
        out += with_labels(s.name + "_bucket", s.labels,
                           "le=\"" + number(Histogram::kBounds[i]) + "\"") +
               " " + std::to_string(h.buckets_[i].load(std::memory_order_relaxed)) + "\n";
      }
      uint64_t count = h.count_.load(std::memory_order_relaxed);
      out += with_labels(s.name + "_bucket", s.labels, "le=\"+Inf\"") + " " +
             std::to_string(count) + "\n";
      out += with_labels(s.name + "_sum", s.labels) + " " +
             number(static_cast<double>(h.sum_us_.load(std::memory_order_relaxed)) / 1e6) + "\n";
      out += with_labels(s.name + "_count", s.labels) + " " + std::to_string(count) + "\n";
    } else if (s.family) {
      for (const auto& [labels, value] : s.family()) {
        out += with_labels(s.name, labels) + " " + number(value) + "\n";
      }
    } else {
      out += with_labels(s.name, s.labels) + " " + number(s.gauge()) + "\n";
    }
  }
  return out;
}

}  // namespace minato
