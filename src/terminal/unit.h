// Unit: one visit of a container to the terminal, with its state in the yard and its moves.
//
// A container may come back many times; each visit is a new Unit. States:
//   advised -> in_yard -> departed
// gate_in() places an advised unit in a yard slot, yard_shift() moves it within the yard,
// gate_out() lets it leave. Each returns the Move it made, for the move history.
//
//   auto u = Unit::advise({id, size_type, UnitCategory::kImport, FreightKind::kFull, "ONE",
//   24000}); auto move = u->gate_in(slot);    // u->state() == UnitState::kInYard
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "terminal/container_id.h"
#include "terminal/size_type.h"
#include "terminal/yard_slot.h"

namespace minato::terminal {

enum class UnitState { kAdvised, kInYard, kDeparted };
enum class UnitCategory { kImport, kExport, kTranship, kStorage };
enum class FreightKind { kFull, kEmpty };
enum class MoveKind { kGateIn, kGateOut, kYardShift };

std::string_view to_string(UnitState s);
std::string_view to_string(UnitCategory c);
std::string_view to_string(FreightKind f);
std::string_view to_string(MoveKind k);
std::optional<UnitState> unit_state_from(std::string_view s);
std::optional<UnitCategory> unit_category_from(std::string_view s);
std::optional<FreightKind> freight_kind_from(std::string_view s);
std::optional<MoveKind> move_kind_from(std::string_view s);

// Heaviest gross mass a unit may declare (kg); ISO 668 allows 36,000 kg for 40 ft units, some
// special equipment more: 80 t is the sanity bound, not a rating.
inline constexpr int kMaxGrossKg = 80'000;

struct UnitSpec {
  ContainerId container_id;
  SizeType size_type;
  UnitCategory category = UnitCategory::kImport;
  FreightKind freight = FreightKind::kFull;
  std::string line_operator;  // 2-6 of A-Z 0-9 (carrier code as in EDI)
  int gross_kg = 0;           // 0..kMaxGrossKg
};

struct Move {
  MoveKind kind;
  std::string from;  // slot text, or "gate"
  std::string to;    // slot text, or "gate"
};

class Unit {
 public:
  static Result<Unit> advise(UnitSpec spec);
  static Unit restore(int64_t id, UnitSpec spec, UnitState state, std::optional<YardSlot> slot);

  Result<Move> gate_in(const YardSlot& slot);
  Result<Move> gate_out();
  Result<Move> yard_shift(const YardSlot& to);

  int64_t id() const { return id_; }  // 0 until stored
  void set_id(int64_t id) { id_ = id; }
  const UnitSpec& spec() const { return spec_; }
  UnitState state() const { return state_; }
  const std::optional<YardSlot>& slot() const { return slot_; }

 private:
  Unit(UnitSpec spec) : spec_(std::move(spec)) {}
  int64_t id_ = 0;
  UnitSpec spec_;
  UnitState state_ = UnitState::kAdvised;
  std::optional<YardSlot> slot_;
};

}  // namespace minato::terminal
