// Retention of backup generations (G2.7.2-c): how many sets the vault keeps, by calendar
// bucket, in the manner of restic's `forget --keep-*` policies: walking the sets newest first,
// each rule keeps the newest set of each of its N most recent buckets (hours, days, ISO weeks,
// months, in UTC) that hold a set. A set is kept if any rule keeps it. Monthly and weekly rules
// are what keep weeks-old generations, for malware that lies dormant before it strikes.
//
// The policy counts buckets that hold sets, not buckets of the calendar, so a vault that could
// not pull for a week still keeps its N newest hourly sets rather than none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace minato::resilience {

struct RetentionPolicy {
  int last = 3;  // the newest sets, whatever their time
  int hourly = 48;
  int daily = 14;
  int weekly = 8;
  int monthly = 12;
};

// Refuses negative counts and a policy that keeps nothing older than a day (G2.7.2-c asks for
// weeks-old generations: weekly or monthly must be at least 2).
Status check_policy(const RetentionPolicy& p);

struct Generation {
  std::string id;
  int64_t created_us = 0;
};

struct RetentionPlan {
  std::vector<std::string> keep;  // newest first
  std::vector<std::string> drop;
  // For each kept id, the rules that keep it ("last", "hourly", ...), in `keep`'s order.
  std::vector<std::string> reasons;
};

// Which of one target's generations to keep. Ties in time keep the larger id.
RetentionPlan plan_retention(std::vector<Generation> generations, const RetentionPolicy& policy);

}  // namespace minato::resilience
