// TerminalLayout: the fixed shape of a terminal — yard blocks, berths and gate lanes — as a
// planner describes it in a layout file and edits it later.
//
//   TerminalLayout l;
//   l.blocks.push_back(*YardBlock::make("A1", 20, 6, 5));
//   l.berths.push_back({"B1", 350});
//   l.lanes.push_back({"IN1", LaneDirection::kIn});
//   MINATO_TRY(l.validate());     // names unique, every part valid
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "terminal/yard_block.h"

namespace minato::terminal {

struct Berth {
  std::string name;  // 1-8 of A-Z 0-9 (vessel visits name their berth)
  int length_m = 0;  // 50-2000
  friend bool operator==(const Berth&, const Berth&) = default;
};

enum class LaneDirection { kIn, kOut, kBoth };
std::string_view to_string(LaneDirection d);
std::optional<LaneDirection> lane_direction_from(std::string_view s);

struct GateLane {
  std::string name;  // 1-8 of A-Z 0-9
  LaneDirection direction = LaneDirection::kBoth;
  friend bool operator==(const GateLane&, const GateLane&) = default;
};

Status validate(const Berth& berth);
Status validate(const GateLane& lane);

struct TerminalLayout {
  std::vector<YardBlock> blocks;
  std::vector<Berth> berths;
  std::vector<GateLane> lanes;

  // Every part valid, names unique within their kind, at most 4096 blocks, 64 berths and
  // 256 lanes. The message names the offending part.
  Status validate() const;
  int capacity_teu() const;
};

}  // namespace minato::terminal
