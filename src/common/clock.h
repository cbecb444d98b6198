// Clock: the source of "now" for everything that depends on time (lockout windows, TOTP steps,
// session timeouts, audit timestamps). Tests use FakeClock and never sleep.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace minato {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC). Thread-safe.
  virtual int64_t now_us() const = 0;
  int64_t now_s() const { return now_us() / 1'000'000; }
};

class SystemClock final : public Clock {
 public:
  int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_us = 1'700'000'000'000'000) : now_(start_us) {}
  int64_t now_us() const override { return now_.load(); }
  void advance_s(int64_t s) { now_ += s * 1'000'000; }
  void set_us(int64_t us) { now_ = us; }

 private:
  std::atomic<int64_t> now_;
};

// ISO 8601 UTC ("2026-11-25T21:42:05Z") for a time in microseconds since the epoch.
std::string format_utc(int64_t us);
// The same instant in another strftime layout (UTC), e.g. "%Y%m%d%H%M" for EDIFACT.
std::string format_utc(int64_t us, const char* layout);

// Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC only, as the API and EDI mapping use it) to microseconds.
// Returns false on any other shape or an impossible date.
bool parse_utc(std::string_view text, int64_t* us);

}  // namespace minato
