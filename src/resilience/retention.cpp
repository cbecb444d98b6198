#include "resilience/retention.h"

#include <algorithm>
#include <ctime>
#include <functional>

namespace minato::resilience {

namespace {

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kDayUs = 24 * kHourUs;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t hour_of(int64_t us) { return floor_div(us, kHourUs); }
int64_t day_of(int64_t us) { return floor_div(us, kDayUs); }
// ISO weeks start on Monday; 1970-01-01 was a Thursday, so day 4 is the first Monday.
int64_t week_of(int64_t us) { return floor_div(day_of(us) - 4, 7); }
int64_t month_of(int64_t us) {
  std::time_t t = static_cast<std::time_t>(floor_div(us, 1'000'000));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return int64_t{tm.tm_year} * 12 + tm.tm_mon;
}

}  // namespace

Status check_policy(const RetentionPolicy& p) {
  for (int n : {p.last, p.hourly, p.daily, p.weekly, p.monthly}) {
    if (n < 0 || n > 100'000) {
      return fail(ErrorCode::kInvalidArgument, "retention counts must be between 0 and 100000");
    }
  }
  if (p.weekly < 2 && p.monthly < 2) {
    return fail(ErrorCode::kInvalidArgument,
                "retention must keep weeks-old generations (weekly or monthly of at least 2; "
                "G2.7.2-c)");
  }
  return {};
}

RetentionPlan plan_retention(std::vector<Generation> gens, const RetentionPolicy& policy) {
  std::sort(gens.begin(), gens.end(), [](const Generation& a, const Generation& b) {
    return a.created_us != b.created_us ? a.created_us > b.created_us : a.id > b.id;
  });
  std::vector<std::string> reasons(gens.size());
  struct Rule {
    const char* name;
    int count;
    std::function<int64_t(int64_t)> bucket;
  };
  int64_t seq = 0;
  const Rule rules[] = {
      {"last", policy.last, [&seq](int64_t) { return seq++; }},  // every set its own bucket
      {"hourly", policy.hourly, hour_of},
      {"daily", policy.daily, day_of},
      {"weekly", policy.weekly, week_of},
      {"monthly", policy.monthly, month_of},
  };
  for (const auto& rule : rules) {
    int kept = 0;
    bool have_last = false;
    int64_t last_bucket = 0;
    for (size_t i = 0; i < gens.size() && kept < rule.count; ++i) {
      int64_t b = rule.bucket(gens[i].created_us);
      if (have_last && b == last_bucket) continue;  // an older set of a bucket already seen
      have_last = true;
      last_bucket = b;
      ++kept;
      if (!reasons[i].empty()) reasons[i] += ",";
      reasons[i] += rule.name;
    }
  }
  RetentionPlan plan;
  for (size_t i = 0; i < gens.size(); ++i) {
    if (reasons[i].empty()) {
      plan.drop.push_back(gens[i].id);
    } else {
      plan.keep.push_back(gens[i].id);
      plan.reasons.push_back(reasons[i]);
    }
  }
  return plan;
}

}  // namespace minato::resilience
