// TimeWindows: when an account or a role may be used (G2.1.1-a, G2.2.1-d) — a day shift only
// on weekdays, a night shift across midnight. Times are the terminal's local time, given as a
// fixed offset from UTC (Japan keeps no daylight saving time).
//
//   auto w = TimeWindows::parse("mon-fri 07:00-19:00; sat 08:00-12:00", 9 * 3600);
//   w->allows(now_us)        // inside one of the windows?
//
// Grammar: window (";" window)*, window = days " " HH:MM "-" HH:MM, days = "daily" | day
// ("-" day)? ("," day ("-" day)?)*, day = mon|tue|wed|thu|fri|sat|sun. A window whose end is
// not after its start runs past midnight; the part after midnight belongs to the start day
// ("fri 22:00-06:00" allows Saturday 05:00). The empty text allows every time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::identity {

class TimeWindows {
 public:
  static Result<TimeWindows> parse(std::string_view text, int utc_offset_s);

  bool allows(int64_t utc_us) const;
  bool empty() const { return windows_.empty(); }
  // Canonical text, as stored: "mon-fri 07:00-19:00; sat 08:00-12:00".
  std::string str() const;

 private:
  struct Window {
    uint8_t days = 0;  // bit 0 = Monday
    int start_min = 0;
    int end_min = 0;
  };
  std::vector<Window> windows_;
  int offset_s_ = 0;
};

// Parses a UTC offset "+09:00" / "-05:30" / "Z" into seconds.
Result<int> parse_utc_offset(std::string_view text);

}  // namespace minato::identity
