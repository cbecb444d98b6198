#include "identity/time_window.h"

namespace minato::identity {

namespace {

constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

int day_index(std::string_view d) {
  for (int i = 0; i < 7; ++i) {
    if (kDays[i] == d) return i;
  }
  return -1;
}

Error bad(std::string_view window, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument,
               "time window '" + std::string(window.substr(0, 60)) + "': " + std::string(why),
               "window");
}

// "HH:MM" -> minutes; -1 if malformed. "24:00" is allowed as an end.
int parse_hhmm(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (t[i] < '0' || t[i] > '9') return -1;
  }
  int h = (t[0] - '0') * 10 + (t[1] - '0');
  int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string hhmm(int minutes) {
  std::string out(5, '0');
  out[0] = static_cast<char>('0' + minutes / 600);
  out[1] = static_cast<char>('0' + minutes / 60 % 10);
  out[2] = ':';
  out[3] = static_cast<char>('0' + minutes % 60 / 10);
  out[4] = static_cast<char>('0' + minutes % 10);
  return out;
}

}  // namespace

Result<int> parse_utc_offset(std::string_view text) {
  if (text == "Z" || text == "+00:00") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-')) {
    return fail(ErrorCode::kInvalidArgument, "UTC offset must look like +09:00", "utc_offset");
  }
  int m = parse_hhmm(text.substr(1));
  if (m < 0 || m > 14 * 60) {
    return fail(ErrorCode::kInvalidArgument, "UTC offset must be between -14:00 and +14:00",
                "utc_offset");
  }
  return (text[0] == '-' ? -m : m) * 60;
}

Result<TimeWindows> TimeWindows::parse(std::string_view text, int utc_offset_s) {
  TimeWindows out;
  out.offset_s_ = utc_offset_s;
  text = trim(text);
  if (text.empty()) return out;
  if (text.size() > 400) return fail(bad(text, "longer than 400 characters"));
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view w = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (semi != std::string_view::npos && trim(text).empty()) {
      return fail(bad(w, "nothing follows ';'"));
    }
    size_t sp = w.find(' ');
    if (sp == std::string_view::npos) return fail(bad(w, "expected 'days HH:MM-HH:MM'"));
    std::string_view days = w.substr(0, sp);
    std::string_view hours = trim(w.substr(sp + 1));
    Window win;
    if (days == "daily") {
      win.days = 0x7f;
    } else {
      while (!days.empty()) {
        size_t comma = days.find(',');
        std::string_view part = days.substr(0, comma);
        days = comma == std::string_view::npos ? std::string_view() : days.substr(comma + 1);
        size_t dash = part.find('-');
        int a = day_index(part.substr(0, dash));
        int b = dash == std::string_view::npos ? a : day_index(part.substr(dash + 1));
        if (a < 0 || b < 0) return fail(bad(w, "days are mon, tue, wed, thu, fri, sat, sun"));
        for (int d = a;; d = (d + 1) % 7) {  // "fri-mon" wraps over the weekend
          win.days |= static_cast<uint8_t>(1u << d);
          if (d == b) break;
        }
      }
    }
    if (win.days == 0) return fail(bad(w, "no days given"));
    size_t dash = hours.find('-');
    if (dash == std::string_view::npos) return fail(bad(w, "hours must be HH:MM-HH:MM"));
    win.start_min = parse_hhmm(hours.substr(0, dash));
    win.end_min = parse_hhmm(hours.substr(dash + 1));
    if (win.start_min < 0 || win.end_min < 0 || win.start_min == 24 * 60) {
      return fail(bad(w, "hours must be HH:MM-HH:MM between 00:00 and 24:00"));
    }
    if (win.start_min == win.end_min) return fail(bad(w, "the window is empty"));
    if (out.windows_.size() >= 16) return fail(bad(w, "at most 16 windows"));
    out.windows_.push_back(win);
  }
  return out;
}

bool TimeWindows::allows(int64_t utc_us) const {
  if (windows_.empty()) return true;
  int64_t local_s = utc_us / 1'000'000 + offset_s_;
  int64_t days = local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400;
  int minute = static_cast<int>((local_s - days * 86400) / 60);
  int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  int yesterday = (weekday + 6) % 7;
  for (const auto& w : windows_) {
    if (w.start_min < w.end_min) {
      if ((w.days & (1u << weekday)) && minute >= w.start_min && minute < w.end_min) return true;
    } else {  // past midnight
      if ((w.days & (1u << weekday)) && minute >= w.start_min) return true;
      if ((w.days & (1u << yesterday)) && minute < w.end_min) return true;
    }
  }
  return false;
}

std::string TimeWindows::str() const {
  std::string out;
  for (const auto& w : windows_) {
    if (!out.empty()) out += "; ";
    if (w.days == 0x7f) {
      out += "daily";
    } else {
      std::string days;
      for (int d = 0; d < 7;) {
        if (!(w.days & (1u << d))) {
          ++d;
          continue;
        }
        int e = d;
        while (e + 1 < 7 && (w.days & (1u << (e + 1)))) ++e;
        if (!days.empty()) days += ",";
        days += std::string(kDays[d]);
        if (e > d) days += "-" + std::string(kDays[e]);
        d = e + 1;
      }
      out += days;
    }
    out += " " + hhmm(w.start_min) + "-" + hhmm(w.end_min);
  }
  return out;
}

}  // namespace minato::identity
