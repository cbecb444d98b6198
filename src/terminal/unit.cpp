#include "terminal/unit.h"

#include <array>

namespace minato::terminal {

namespace {

template <class E, size_t N>
std::optional<E> from_names(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kStates = {"advised", "in_yard", "departed"};
constexpr std::array<std::string_view, 4> kCategories = {"import", "export", "tranship", "storage"};
constexpr std::array<std::string_view, 2> kFreight = {"full", "empty"};
constexpr std::array<std::string_view, 3> kMoves = {"gate_in", "gate_out", "yard_shift"};

}  // namespace

std::string_view to_string(UnitState s) { return kStates[static_cast<size_t>(s)]; }
std::string_view to_string(UnitCategory c) { return kCategories[static_cast<size_t>(c)]; }
std::string_view to_string(FreightKind f) { return kFreight[static_cast<size_t>(f)]; }
std::string_view to_string(MoveKind k) { return kMoves[static_cast<size_t>(k)]; }
std::optional<UnitState> unit_state_from(std::string_view s) {
  return from_names<UnitState>(kStates, s);
}
std::optional<UnitCategory> unit_category_from(std::string_view s) {
  return from_names<UnitCategory>(kCategories, s);
}
std::optional<FreightKind> freight_kind_from(std::string_view s) {
  return from_names<FreightKind>(kFreight, s);
}
std::optional<MoveKind> move_kind_from(std::string_view s) {
  return from_names<MoveKind>(kMoves, s);
}

Result<Unit> Unit::advise(UnitSpec spec) {
  const auto& op = spec.line_operator;
  bool op_ok = op.size() >= 2 && op.size() <= 6;
  for (char c : op) op_ok = op_ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  if (!op_ok) {
    return fail(ErrorCode::kInvalidArgument, "line operator must be 2-6 characters of A-Z and 0-9",
                "line_operator");
  }
  if (spec.gross_kg < 0 || spec.gross_kg > kMaxGrossKg) {
    return fail(ErrorCode::kInvalidArgument,
                "gross weight must be 0-" + std::to_string(kMaxGrossKg) + " kg", "gross_kg");
  }
  return Unit(std::move(spec));
}

Unit Unit::restore(int64_t id, UnitSpec spec, UnitState state, std::optional<YardSlot> slot) {
  Unit u(std::move(spec));
  u.id_ = id;
  u.state_ = state;
  u.slot_ = std::move(slot);
  return u;
}

Result<Move> Unit::gate_in(const YardSlot& slot) {
  if (state_ != UnitState::kAdvised) {
    return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " is " +
                                          std::string(to_string(state_)) +
                                          "; only an advised unit can gate in");
  }
  state_ = UnitState::kInYard;
  slot_ = slot;
  return Move{MoveKind::kGateIn, "gate", slot.str()};
}

Result<Move> Unit::gate_out() {
  if (state_ != UnitState::kInYard) {
    return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " is " +
                                          std::string(to_string(state_)) +
                                          "; only a unit in the yard can gate out");
  }
  std::string from = slot_ ? slot_->str() : "";
  state_ = UnitState::kDeparted;
  slot_.reset();
  return Move{MoveKind::kGateOut, from, "gate"};
}

Result<Move> Unit::yard_shift(const YardSlot& to) {
  if (state_ != UnitState::kInYard) {
    return fail(ErrorCode::kConflict,
                "unit " + spec_.container_id.str() + " is not in the yard; cannot shift it");
  }
  if (slot_ && *slot_ == to) {
    return fail(ErrorCode::kInvalidArgument, "unit is already at " + to.str(), "slot");
  }
  std::string from = slot_ ? slot_->str() : "";
  slot_ = to;
  return Move{MoveKind::kYardShift, from, to.str()};
}

}  // namespace minato::terminal
