#include "terminal/layout.h"

#include <array>
#include <set>

namespace minato::terminal {

namespace {

constexpr std::array<std::string_view, 3> kDirections = {"in", "out", "both"};

bool short_code(std::string_view s) {
  if (s.empty() || s.size() > 8) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(LaneDirection d) { return kDirections[static_cast<size_t>(d)]; }

std::optional<LaneDirection> lane_direction_from(std::string_view s) {
  for (size_t i = 0; i < kDirections.size(); ++i) {
    if (kDirections[i] == s) return static_cast<LaneDirection>(i);
  }
  return std::nullopt;
}

Status validate(const Berth& b) {
  if (!short_code(b.name)) {
    return fail(ErrorCode::kInvalidArgument, "berth name must be 1-8 of A-Z and 0-9", "name");
  }
  if (b.length_m < 50 || b.length_m > 2000) {
    return fail(ErrorCode::kInvalidArgument, "berth " + b.name + ": length must be 50-2000 m",
                "length_m");
  }
  return ok();
}

Status validate(const GateLane& l) {
  if (!short_code(l.name)) {
    return fail(ErrorCode::kInvalidArgument, "gate lane name must be 1-8 of A-Z and 0-9", "name");
  }
  return ok();
}

Status TerminalLayout::validate() const {
  if (blocks.size() > 4096 || berths.size() > 64 || lanes.size() > 256) {
    return fail(ErrorCode::kInvalidArgument,
                "a layout has at most 4096 blocks, 64 berths and 256 gate lanes");
  }
  std::set<std::string> seen;
  for (const auto& b : blocks) {
    auto st = b.validate();
    if (!st) {
      return fail(ErrorCode::kInvalidArgument, "block " + b.name + ": " + st.error().message(),
                  "blocks." + st.error().field());
    }
    if (!seen.insert(b.name).second) {
      return fail(ErrorCode::kInvalidArgument, "block " + b.name + " is listed twice", "blocks");
    }
  }
  seen.clear();
  for (const auto& b : berths) {
    MINATO_TRY(minato::terminal::validate(b));
    if (!seen.insert(b.name).second) {
      return fail(ErrorCode::kInvalidArgument, "berth " + b.name + " is listed twice", "berths");
    }
  }
  seen.clear();
  for (const auto& l : lanes) {
    MINATO_TRY(minato::terminal::validate(l));
    if (!seen.insert(l.name).second) {
      return fail(ErrorCode::kInvalidArgument, "gate lane " + l.name + " is listed twice", "lanes");
    }
  }
  return ok();
}

int TerminalLayout::capacity_teu() const {
  int teu = 0;
  for (const auto& b : blocks) teu += b.capacity_teu();
  return teu;
}

}  // namespace minato::terminal
