#include "terminal/unit.h"

#include <array>
#include <functional>

namespace minato::terminal {

namespace {

template <class E, size_t N>
std::optional<E> from_names(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 4> kStates = {"advised", "in_yard", "loaded", "departed"};
constexpr std::array<std::string_view, 5> kCategories = {"import", "export", "tranship", "storage",
                                                         "empty"};
constexpr std::array<std::string_view, 2> kFreight = {"full", "empty"};
constexpr std::array<std::string_view, 5> kMoves = {"gate_in", "gate_out", "yard_shift",
                                                    "discharge", "load"};
constexpr std::array<std::string_view, 3> kHolds = {"customs", "line", "terminal"};
constexpr std::array<std::string_view, 2> kVgmMethods = {"method1", "method2"};

bool code_chars(std::string_view s, size_t max, bool dash) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (dash && c == '-'))) return false;
  }
  return true;
}

// Printable text without control characters, 1..max bytes (UTF-8 allowed).
bool text_ok(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Error invalid(std::string message, std::string field) {
  return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

}  // namespace

std::string_view to_string(UnitState s) { return kStates[static_cast<size_t>(s)]; }
std::string_view to_string(UnitCategory c) { return kCategories[static_cast<size_t>(c)]; }
std::string_view to_string(FreightKind f) { return kFreight[static_cast<size_t>(f)]; }
std::string_view to_string(MoveKind k) { return kMoves[static_cast<size_t>(k)]; }
std::string_view to_string(HoldKind k) { return kHolds[static_cast<size_t>(k)]; }
std::string_view to_string(VgmMethod m) { return kVgmMethods[static_cast<size_t>(m)]; }
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
std::optional<HoldKind> hold_kind_from(std::string_view s) {
  return from_names<HoldKind>(kHolds, s);
}
std::optional<VgmMethod> vgm_method_from(std::string_view s) {
  return from_names<VgmMethod>(kVgmMethods, s);
}

bool valid_visit_code(std::string_view code) { return code_chars(code, 16, true); }
bool valid_line_operator(std::string_view code) {
  return code.size() >= 2 && code_chars(code, 6, false);
}
bool valid_reference(std::string_view number) { return code_chars(number, 20, true); }
bool valid_locode(std::string_view code) {
  return code.size() == 5 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z' &&
         code_chars(code, 5, false);
}

Result<std::string> parse_vessel_slot(std::string_view text) {
  std::string s(text);
  if (s.size() == 6) s = "0" + s;
  bool digits = s.size() == 7;
  for (char c : s) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return fail(ErrorCode::kInvalidArgument,
                "vessel slot must be BBBRRTT (bay, row, tier), e.g. 0340282", "vessel_slot");
  }
  int bay = std::stoi(s.substr(0, 3)), row = std::stoi(s.substr(3, 2)),
      tier = std::stoi(s.substr(5, 2));
  if (bay < 1 || bay > 199 || row > 30 || tier < 1) {
    return fail(ErrorCode::kInvalidArgument,
                "vessel slot " + s + " is out of range (bay 001-199, row 00-30, tier 01-99)",
                "vessel_slot");
  }
  return s;
}

Status validate(const UnitSpec& spec) {
  if (!valid_line_operator(spec.line_operator)) {
    return fail(invalid("line operator must be 2-6 characters of A-Z and 0-9", "line_operator"));
  }
  if (spec.gross_kg < 0 || spec.gross_kg > kMaxGrossKg) {
    return fail(
        invalid("gross weight must be 0-" + std::to_string(kMaxGrossKg) + " kg", "gross_kg"));
  }
  if (spec.category == UnitCategory::kEmpty && spec.freight != FreightKind::kEmpty) {
    return fail(invalid("a unit of category empty must have freight empty", "freight"));
  }
  if (spec.vgm) {
    if (spec.vgm->kg <= 0 || spec.vgm->kg > kMaxGrossKg) {
      return fail(invalid("VGM must be 1-" + std::to_string(kMaxGrossKg) + " kg", "vgm.kg"));
    }
    if (!text_ok(spec.vgm->party, 64)) {
      return fail(invalid("VGM needs the verifying party (1-64 characters)", "vgm.party"));
    }
  }
  if (spec.seals.size() > 8) return fail(invalid("at most 8 seals", "seals"));
  for (const auto& s : spec.seals) {
    if (!code_chars(s, 16, true)) {
      return fail(invalid("seal numbers are 1-16 of A-Z, 0-9 and '-'", "seals"));
    }
  }
  if (spec.dangerous_goods.size() > 8) {
    return fail(invalid("at most 8 dangerous goods entries", "dangerous_goods"));
  }
  for (const auto& dg : spec.dangerous_goods) {
    if (!valid_un_number(dg.un_number) || dg.un_number.size() != 4) {
      return fail(invalid("UN number must be 4 digits, 0004-3600", "dangerous_goods.un_number"));
    }
  }
  if (!spec.dangerous_goods.empty() && spec.freight == FreightKind::kEmpty) {
    // An uncleaned empty tank still carries its residue's class; it is declared as full.
    return fail(invalid("an empty unit carries no dangerous goods; declare residue as full",
                        "dangerous_goods"));
  }
  if (spec.reefer) {
    if (!spec.size_type.is_reefer()) {
      return fail(invalid("reefer settings need a reefer size type (R or H group), not " +
                              spec.size_type.iso_code(),
                          "reefer"));
    }
    if (spec.reefer->set_point_dc < -400 || spec.reefer->set_point_dc > 300) {
      return fail(invalid("reefer set point must be -40.0 to +30.0 °C", "reefer.set_point_c"));
    }
  }
  if (spec.over_dimensions) {
    const auto& o = *spec.over_dimensions;
    for (int v : {o.front_cm, o.back_cm, o.left_cm, o.right_cm, o.top_cm}) {
      if (v < 0 || v > 1000) {
        return fail(invalid("over-dimensions must be 0-1000 cm", "over_dimensions"));
      }
    }
  }
  if (spec.damages.size() > 16) return fail(invalid("at most 16 damages", "damages"));
  for (const auto& d : spec.damages) {
    if (!code_chars(d.code, 8, false)) {
      return fail(invalid("damage code must be 1-8 of A-Z and 0-9", "damages.code"));
    }
    if (!d.note.empty() && !text_ok(d.note, 120)) {
      return fail(invalid("damage note must be up to 120 printable characters", "damages.note"));
    }
  }
  if (!spec.booking.empty() && !valid_reference(spec.booking)) {
    return fail(invalid("booking must be 1-20 of A-Z, 0-9 and '-'", "booking"));
  }
  if (!spec.delivery_order.empty() && !valid_reference(spec.delivery_order)) {
    return fail(invalid("delivery order must be 1-20 of A-Z, 0-9 and '-'", "delivery_order"));
  }
  for (const auto* v : {&spec.inbound_visit, &spec.outbound_visit}) {
    if (!v->empty() && !valid_visit_code(*v)) {
      return fail(invalid("vessel visit codes are 1-16 of A-Z, 0-9 and '-'",
                          v == &spec.inbound_visit ? "inbound_visit" : "outbound_visit"));
    }
  }
  if (!spec.pod.empty() && !valid_locode(spec.pod)) {
    return fail(invalid("port of discharge must be a UN/LOCODE like USLAX", "pod"));
  }
  return ok();
}

Result<Unit> Unit::advise(UnitSpec spec) {
  MINATO_TRY(validate(spec));
  return Unit(std::move(spec));
}

Unit Unit::restore(int64_t id, UnitSpec spec, UnitStatus status) {
  Unit u(std::move(spec));
  u.id_ = id;
  u.status_ = std::move(status);
  return u;
}

Status Unit::expect(UnitState s, std::string_view doing) const {
  if (status_.state == s) return ok();
  return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " is " +
                                        std::string(to_string(status_.state)) + "; only a unit " +
                                        std::string(to_string(s)) + " can " + std::string(doing));
}

Result<Move> Unit::gate_in(const YardSlot& slot, int64_t at_us) {
  MINATO_TRY(expect(UnitState::kAdvised, "gate in"));
  status_.state = UnitState::kInYard;
  status_.slot = slot;
  status_.in_yard_us = at_us;
  return Move{MoveKind::kGateIn, "gate", slot.str()};
}

Result<Move> Unit::discharge(const YardSlot& slot, int64_t at_us) {
  MINATO_TRY(expect(UnitState::kAdvised, "be discharged"));
  if (spec_.inbound_visit.empty()) {
    return fail(ErrorCode::kConflict,
                "unit " + spec_.container_id.str() + " is not on an inbound vessel's list");
  }
  std::string from = "vessel:" + spec_.inbound_visit +
                     (status_.vessel_slot.empty() ? "" : ":" + status_.vessel_slot);
  status_.state = UnitState::kInYard;
  status_.slot = slot;
  status_.in_yard_us = at_us;
  status_.vessel_slot.clear();
  return Move{MoveKind::kDischarge, std::move(from), slot.str()};
}

Result<Move> Unit::yard_shift(const YardSlot& to) {
  MINATO_TRY(expect(UnitState::kInYard, "be shifted in the yard"));
  if (status_.slot && *status_.slot == to) {
    return fail(ErrorCode::kInvalidArgument, "unit is already at " + to.str(), "slot");
  }
  std::string from = status_.slot ? status_.slot->str() : "";
  status_.slot = to;
  return Move{MoveKind::kYardShift, from, to.str()};
}

Status Unit::deliverable() const {
  MINATO_TRY(expect(UnitState::kInYard, "leave the terminal"));
  if (!status_.holds.empty()) {
    const Hold& h = status_.holds.front();
    return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " is on " +
                                          std::string(to_string(h.kind)) + " hold (" + h.reason +
                                          "); it cannot leave until the hold is released");
  }
  return ok();
}

Result<Move> Unit::gate_out() {
  MINATO_TRY(deliverable());
  std::string from = status_.slot ? status_.slot->str() : "";
  status_.state = UnitState::kDeparted;
  status_.slot.reset();
  status_.in_yard_us = 0;
  return Move{MoveKind::kGateOut, from, "gate"};
}

Result<Move> Unit::load(const std::string& visit, const std::string& vessel_slot) {
  MINATO_TRY(deliverable());
  if (spec_.outbound_visit != visit) {
    return fail(ErrorCode::kConflict,
                "unit " + spec_.container_id.str() + " is booked on " +
                    (spec_.outbound_visit.empty() ? std::string("no vessel")
                                                  : "vessel visit " + spec_.outbound_visit) +
                    ", not " + visit);
  }
  if (spec_.freight == FreightKind::kFull && !spec_.vgm) {
    return fail(ErrorCode::kConflict,
                "unit " + spec_.container_id.str() + " has no VGM; SOLAS VI/2 forbids loading it");
  }
  std::string from = status_.slot ? status_.slot->str() : "";
  status_.state = UnitState::kLoaded;
  status_.slot.reset();
  status_.in_yard_us = 0;
  status_.vessel_slot = vessel_slot;
  return Move{MoveKind::kLoad, from, "vessel:" + visit + ":" + vessel_slot};
}

Status Unit::depart() {
  MINATO_TRY(expect(UnitState::kLoaded, "depart with its vessel"));
  status_.state = UnitState::kDeparted;
  return ok();
}

Status Unit::amend(UnitSpec spec) {
  if (!(spec.container_id == spec_.container_id)) {
    return fail(ErrorCode::kInvalidArgument, "the container number of a unit cannot change",
                "container_id");
  }
  MINATO_TRY(validate(spec));
  if (status_.state == UnitState::kInYard && spec.size_type.teu() != spec_.size_type.teu()) {
    return fail(ErrorCode::kConflict, "the unit's length cannot change while it stands in the yard",
                "size_type");
  }
  spec_ = std::move(spec);
  return ok();
}

Status Unit::place_hold(Hold hold) {
  if (!text_ok(hold.reason, 120)) {
    return fail(ErrorCode::kInvalidArgument, "a hold needs a reason (1-120 characters)", "reason");
  }
  if (status_.state == UnitState::kDeparted) {
    return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " has departed");
  }
  for (const auto& h : status_.holds) {
    if (h.kind == hold.kind) {
      return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " is already on " +
                                            std::string(to_string(hold.kind)) + " hold");
    }
  }
  status_.holds.push_back(std::move(hold));
  return ok();
}

Result<Hold> Unit::release_hold(HoldKind kind) {
  for (auto it = status_.holds.begin(); it != status_.holds.end(); ++it) {
    if (it->kind == kind) {
      Hold h = std::move(*it);
      status_.holds.erase(it);
      return h;
    }
  }
  return fail(ErrorCode::kConflict, "unit " + spec_.container_id.str() + " has no " +
                                        std::string(to_string(kind)) + " hold");
}

StackItem Unit::stack_item() const {
  StackItem s;
  s.unit_id = id_;
  s.length_ft = spec_.size_type.length_ft();
  s.powered = spec_.reefer && spec_.reefer->needs_power && spec_.freight == FreightKind::kFull;
  for (const auto& dg : spec_.dangerous_goods) s.add_dangerous_goods(dg.imdg_class);
  s.weight_class = weight_class(spec_.vgm ? spec_.vgm->kg : spec_.gross_kg,
                                spec_.freight == FreightKind::kEmpty);
  std::string key = std::string(to_string(spec_.category)) + "|" + spec_.line_operator + "|" +
                    spec_.outbound_visit + "|" + spec_.pod + "|" +
                    (spec_.freight == FreightKind::kEmpty ? spec_.size_type.iso_code() : "");
  s.group = static_cast<uint32_t>(std::hash<std::string>{}(key)) | 1u;
  return s;
}

}  // namespace minato::terminal
