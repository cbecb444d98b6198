// G2.7.2-c: retention keeps exactly the generations its policy names, weeks-old ones included,
// checked over 120 simulated days against an oracle written from the calendar (strftime
// buckets), not from the implementation's arithmetic.
#include "resilience/retention.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <set>

#include "common/clock.h"

namespace minato::resilience {
namespace {

constexpr int64_t kHour = 3'600'000'000;

std::string label(int64_t us, const char* layout) {
  std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, layout, &tm);
  return buf;
}

// The oracle: for each rule, the newest set of each of the N newest calendar labels.
std::set<std::string> expected(const std::vector<Generation>& gens, const RetentionPolicy& p) {
  std::set<std::string> keep;
  auto rule = [&](int n, const char* layout) {
    std::map<std::string, std::pair<int64_t, std::string>, std::greater<>> newest;  // label ->
    for (const auto& g : gens) {
      auto& slot = newest[label(g.created_us, layout)];
      if (g.created_us >= slot.first) slot = {g.created_us, g.id};
    }
    int taken = 0;
    for (const auto& [lbl, v] : newest) {
      if (taken++ >= n) break;
      keep.insert(v.second);
    }
  };
  // ISO 8601 week-based year and week ("%G-W%V") for weekly.
  rule(p.hourly, "%Y-%m-%d %H");
  rule(p.daily, "%Y-%m-%d");
  rule(p.weekly, "%G-W%V");
  rule(p.monthly, "%Y-%m");
  std::vector<Generation> sorted = gens;
  std::sort(sorted.begin(), sorted.end(),
            [](const Generation& a, const Generation& b) { return a.created_us > b.created_us; });
  for (int i = 0; i < p.last && i < static_cast<int>(sorted.size()); ++i) keep.insert(sorted[i].id);
  return keep;
}

TEST(Retention, OneHundredTwentyDaysOfHourlySetsKeepExactlyThePolicy_G2_7_2_c) {
  // A vault pulling an hourly set, applying retention after each pull, for 120 days, with a
  // clock the test moves. Start: 2026-07-01T00:17:00Z (sets are not taken on the hour).
  FakeClock clock(1'782'865'020'000'000);
  ASSERT_EQ(format_utc(clock.now_us()), "2026-07-01T00:17:00Z");
  RetentionPolicy p;  // 3 last, 48 hourly, 14 daily, 8 weekly, 12 monthly
  std::vector<Generation> held;
  std::vector<Generation> all;
  size_t peak = 0;
  for (int h = 0; h < 120 * 24; ++h) {
    Generation g{format_utc(clock.now_us()), clock.now_us()};
    held.push_back(g);
    all.push_back(g);
    auto plan = plan_retention(held, p);
    std::set<std::string> keep(plan.keep.begin(), plan.keep.end());
    std::vector<Generation> next;
    for (const auto& x : held) {
      if (keep.count(x.id)) next.push_back(x);
    }
    held = std::move(next);
    peak = std::max(peak, held.size());
    clock.advance_s(3600);
  }
  // What remains is exactly what the policy names over everything ever made: applying it
  // after every pull lost nothing that a single pass at the end would keep.
  std::set<std::string> have;
  for (const auto& g : held) have.insert(g.id);
  EXPECT_EQ(have, expected(all, p));
  EXPECT_EQ(have, expected(held, p));
  // Weeks-old generations are there: the newest set of July (4 months back) and of each
  // month since; and nothing else from July.
  EXPECT_TRUE(have.count("2026-07-31T23:17:00Z"));
  EXPECT_TRUE(have.count("2026-08-31T23:17:00Z"));
  EXPECT_TRUE(have.count("2026-09-30T23:17:00Z"));
  EXPECT_FALSE(have.count("2026-07-15T12:17:00Z"));
  int july = 0, older_than_4_weeks = 0;
  const int64_t last = all.back().created_us;
  for (const auto& g : held) {
    july += g.id.rfind("2026-07", 0) == 0;
    older_than_4_weeks += last - g.created_us > 28 * 24 * kHour;
  }
  EXPECT_EQ(july, 1);
  EXPECT_GE(older_than_4_weeks, 4);  // months and weeks
  // The newest 48 hours are all there.
  for (int i = 0; i < 48; ++i) EXPECT_TRUE(have.count(all[all.size() - 1 - i].id)) << i;
  // The last day of each of the newest 14 days.
  EXPECT_TRUE(have.count("2026-10-27T23:17:00Z"));
  EXPECT_TRUE(have.count("2026-10-16T23:17:00Z"));
  EXPECT_FALSE(have.count("2026-10-16T22:17:00Z"));
  // Bounded: never more than the rules can name.
  EXPECT_LE(peak, static_cast<size_t>(p.last + p.hourly + p.daily + p.weekly + p.monthly + 1));
  EXPECT_LT(held.size(), 48u + 14u + 8u + 12u);
}

TEST(Retention, AVaultThatCouldNotPullForAWeekKeepsItsNewestSets) {
  std::vector<Generation> gens;
  for (int h = 0; h < 24; ++h) gens.push_back({"a" + std::to_string(h), h * kHour});
  // A week of nothing, then one set.
  gens.push_back({"late", 24 * kHour + 7 * 24 * kHour});
  auto plan = plan_retention(gens, RetentionPolicy{});
  EXPECT_EQ(plan.drop.size(), 0u);  // 25 hourly buckets hold sets; 48 are kept
}

TEST(Retention, ReasonsNameTheRules) {
  std::vector<Generation> gens{{"x", 10 * kHour}, {"y", 9 * kHour}};
  RetentionPolicy p{1, 0, 1, 2, 0};
  auto plan = plan_retention(gens, p);
  ASSERT_EQ(plan.keep.size(), 1u);
  EXPECT_EQ(plan.keep[0], "x");
  EXPECT_EQ(plan.reasons[0], "last,daily,weekly");
  EXPECT_EQ(plan.drop, std::vector<std::string>{"y"});
}

TEST(Retention, APolicyWithoutWeeksOldGenerationsIsRefused) {
  EXPECT_FALSE(check_policy(RetentionPolicy{3, 48, 14, 0, 1}));
  EXPECT_FALSE(check_policy(RetentionPolicy{-1, 48, 14, 8, 12}));
  EXPECT_TRUE(check_policy(RetentionPolicy{}));
}

}  // namespace
}  // namespace minato::resilience
