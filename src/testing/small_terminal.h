// A small terminal day for tests that need realistic data in the store: the demo scenario
// scaled down (1 % of the yard, 40-60 moves per visit, 80 gate moves).
#pragma once

#include <cstdint>

#include "sim/scenario.h"

namespace minato::testing {

inline sim::Scenario small_terminal(int64_t now_us) {
  sim::ScenarioOptions o;
  o.start_us = now_us / 3'600'000'000 * 3'600'000'000;
  o.yard_fill = 0.01;
  o.min_moves = 40;
  o.max_moves = 60;
  o.gate_moves = 80;
  o.slot_capacity = 40;
  return sim::make_scenario(o);
}

}  // namespace minato::testing
