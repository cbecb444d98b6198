// Units the benchmarks advise: an export 22G1 of line ONE, 12 t, numbered OWNER + serial with
// its check digit (BNCU000000x, BNCU000001x, ...).
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

#include "terminal/unit.h"

namespace minato::bench {

inline terminal::UnitSpec next_unit(std::atomic<int>& serial, const char* owner = "BNCU") {
  char base[16];
  std::snprintf(base, sizeof base, "%.4s%06d", owner, serial.fetch_add(1));
  auto id = terminal::ContainerId::parse(std::string(base) +
                                         std::to_string(terminal::ContainerId::check_digit(base)));
  return terminal::UnitSpec{*id,
                            *terminal::SizeType::parse("22G1"),
                            terminal::UnitCategory::kExport,
                            terminal::FreightKind::kFull,
                            "ONE",
                            12000};
}

}  // namespace minato::bench
