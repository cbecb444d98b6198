// Unit: one visit of a container to the terminal — what it is, what it carries, what holds it,
// where it is, and the moves that took it there.
//
// A container may come back many times; each visit is a new Unit. States:
//   advised -> in_yard -> loaded -> departed      (export, tranship: out by vessel)
//   advised -> in_yard -> departed                (import, empty, storage: out by road)
// An advised unit arrives by truck (gate_in) or from its inbound vessel (discharge); yard_shift()
// moves it within the yard; gate_out() lets a truck take it; load() puts it on its outbound
// vessel and depart() closes it when that vessel leaves. Each move returns the Move it made,
// for the move history.
//
// What a planner and a customs officer need to know travels with the unit: VGM and its SOLAS
// method, seals, dangerous goods (UN number, IMDG class), reefer set point and whether it is
// plugged in, over-dimensions, damages, the export booking or import delivery order, and holds
// (customs, line, terminal) that stop delivery until released.
//
//   auto u = Unit::advise({id, size_type, UnitCategory::kImport, FreightKind::kFull, "ONE",
//   24000}); auto move = u->gate_in(slot, now_us);   // u->state() == UnitState::kInYard
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "terminal/container_id.h"
#include "terminal/imdg.h"
#include "terminal/size_type.h"
#include "terminal/yard.h"
#include "terminal/yard_slot.h"

namespace minato::terminal {

enum class UnitState { kAdvised, kInYard, kLoaded, kDeparted };
enum class UnitCategory { kImport, kExport, kTranship, kStorage, kEmpty };
enum class FreightKind { kFull, kEmpty };
enum class MoveKind { kGateIn, kGateOut, kYardShift, kDischarge, kLoad };
enum class HoldKind { kCustoms, kLine, kTerminal };
// SOLAS VI/2: method 1 weighs the packed container; method 2 adds up the contents' masses.
enum class VgmMethod { kMethod1, kMethod2 };

std::string_view to_string(UnitState s);
std::string_view to_string(UnitCategory c);
std::string_view to_string(FreightKind f);
std::string_view to_string(MoveKind k);
std::string_view to_string(HoldKind k);
std::string_view to_string(VgmMethod m);
std::optional<UnitState> unit_state_from(std::string_view s);
std::optional<UnitCategory> unit_category_from(std::string_view s);
std::optional<FreightKind> freight_kind_from(std::string_view s);
std::optional<MoveKind> move_kind_from(std::string_view s);
std::optional<HoldKind> hold_kind_from(std::string_view s);
std::optional<VgmMethod> vgm_method_from(std::string_view s);

// Heaviest gross mass a unit may declare (kg); ISO 668 allows 36,000 kg for 40 ft units, some
// special equipment more: 80 t is the sanity bound, not a rating.
inline constexpr int kMaxGrossKg = 80'000;

// Verified gross mass (SOLAS VI/2), required before an export unit may be loaded.
struct Vgm {
  int kg = 0;
  VgmMethod method = VgmMethod::kMethod1;
  std::string party;  // who verified and signed it (shipper), 1-64 characters
  friend bool operator==(const Vgm&, const Vgm&) = default;
};

struct DangerousGoods {
  std::string un_number;  // "1203" (stored without "UN")
  ImdgClass imdg_class;
  friend bool operator==(const DangerousGoods&, const DangerousGoods&) = default;
};

struct ReeferSettings {
  int set_point_dc = 0;  // tenths of a degree Celsius, -400 .. +300
  bool needs_power = true;
  friend bool operator==(const ReeferSettings&, const ReeferSettings&) = default;
};

// Cargo sticking out of the container's frame, in centimetres.
struct OverDimensions {
  int front_cm = 0, back_cm = 0, left_cm = 0, right_cm = 0, top_cm = 0;
  friend bool operator==(const OverDimensions&, const OverDimensions&) = default;
};

struct Damage {
  std::string code;  // the terminal's damage code, 1-8 of A-Z 0-9
  std::string note;  // up to 120 characters
  friend bool operator==(const Damage&, const Damage&) = default;
};

struct Hold {
  HoldKind kind = HoldKind::kTerminal;
  std::string reason;  // 1-120 characters
  std::string by;      // who placed it ("user:kato")
  int64_t at_us = 0;
  friend bool operator==(const Hold&, const Hold&) = default;
};

struct UnitSpec {
  UnitSpec(ContainerId id, SizeType st, UnitCategory cat = UnitCategory::kImport,
           FreightKind fk = FreightKind::kFull, std::string line = {}, int gross = 0)
      : container_id(std::move(id)),
        size_type(std::move(st)),
        category(cat),
        freight(fk),
        line_operator(std::move(line)),
        gross_kg(gross) {}

  ContainerId container_id;
  SizeType size_type;
  UnitCategory category = UnitCategory::kImport;
  FreightKind freight = FreightKind::kFull;
  std::string line_operator;  // 2-6 of A-Z 0-9 (carrier code as in EDI)
  int gross_kg = 0;           // 0..kMaxGrossKg
  std::optional<Vgm> vgm;
  std::vector<std::string> seals;               // up to 8, each 1-16 of A-Z 0-9 '-'
  std::vector<DangerousGoods> dangerous_goods;  // up to 8
  std::optional<ReeferSettings> reefer;         // only for a reefer size type
  std::optional<OverDimensions> over_dimensions;
  std::vector<Damage> damages;  // up to 16
  std::string booking;          // export: the line's booking number, 1-20 of A-Z 0-9 '-'
  std::string delivery_order;   // import: the line's delivery order, 1-20 of A-Z 0-9 '-'
  std::string inbound_visit;    // the vessel visit bringing it (discharge), if by vessel
  std::string outbound_visit;   // the vessel visit taking it (load), if by vessel
  std::string pod;              // port of discharge, UN/LOCODE ("USLAX")
  friend bool operator==(const UnitSpec&, const UnitSpec&) = default;
};

// The state of a unit, as stored.
struct UnitStatus {
  UnitState state = UnitState::kAdvised;
  std::optional<YardSlot> slot;  // while in the yard
  std::string vessel_slot;       // BBBRRTT: on the inbound vessel, or loaded on the outbound
  std::vector<Hold> holds;       // active holds
  std::string pin_hash;          // the release PIN's keyed hash (import); empty: none set
  int pin_failures = 0;          // wrong PINs given at the gate since the PIN was set
  int64_t in_yard_us = 0;        // when it came into the yard (dwell time); 0 if not in it
  int64_t version = 1;           // grows with every change (optimistic concurrency)
};

struct Move {
  MoveKind kind;
  std::string from;  // slot text, "gate", or "vessel:VISIT:BBBRRTT"
  std::string to;
};

// Validates and normalises a vessel stowage position: BBBRRTT (bay 001-199, row 00-30, tier
// 01-99); the six-digit BBRRTT form is accepted and widened.
Result<std::string> parse_vessel_slot(std::string_view text);

class Unit {
 public:
  static Result<Unit> advise(UnitSpec spec);
  // Rebuilds a stored unit (validated when it was written).
  static Unit restore(int64_t id, UnitSpec spec, UnitStatus status);

  Result<Move> gate_in(const YardSlot& slot, int64_t at_us);
  Result<Move> discharge(const YardSlot& slot, int64_t at_us);
  Result<Move> yard_shift(const YardSlot& to);
  // Ok when nothing stops the unit from leaving the terminal now: it is in the yard and has
  // no active hold (the first one is named).
  Status deliverable() const;
  Result<Move> gate_out();
  Result<Move> load(const std::string& visit, const std::string& vessel_slot);
  Status depart();  // loaded -> departed, when its vessel leaves

  // Replaces the description; the container number stays. Validated like advise().
  Status amend(UnitSpec spec);
  Status place_hold(Hold hold);  // one active hold per kind
  Result<Hold> release_hold(HoldKind kind);
  // A new PIN clears the count of wrong ones.
  void set_pin_hash(std::string hash) {
    status_.pin_hash = std::move(hash);
    status_.pin_failures = 0;
  }
  void count_pin_failure() { ++status_.pin_failures; }
  void set_vessel_slot(std::string slot) { status_.vessel_slot = std::move(slot); }
  // Marks a change (optimistic concurrency): every stored change bumps the version once.
  void bump_version() { ++status_.version; }

  int64_t id() const { return id_; }  // 0 until stored
  void set_id(int64_t id) { id_ = id; }
  const UnitSpec& spec() const { return spec_; }
  const UnitStatus& status() const { return status_; }
  UnitState state() const { return status_.state; }
  const std::optional<YardSlot>& slot() const { return status_.slot; }
  int64_t version() const { return status_.version; }
  bool on_hold() const { return !status_.holds.empty(); }

  // How the yard sees the unit: its length, whether it needs a plug, its dangerous goods,
  // its weight class and its stacking group (same line, category and outbound vessel/POD).
  StackItem stack_item() const;

 private:
  explicit Unit(UnitSpec spec) : spec_(std::move(spec)) {}
  Status expect(UnitState s, std::string_view doing) const;
  int64_t id_ = 0;
  UnitSpec spec_;
  UnitStatus status_;
};

// Validates a unit description (what advise() and amend() check).
Status validate(const UnitSpec& spec);
// A visit code: 1-16 of A-Z 0-9 '-'.
bool valid_visit_code(std::string_view code);
// A carrier code: 2-6 of A-Z 0-9.
bool valid_line_operator(std::string_view code);
// A booking or delivery order number: 1-20 of A-Z 0-9 '-'.
bool valid_reference(std::string_view number);
// A UN/LOCODE: two letters of country, three letters or digits of place ("USLAX").
bool valid_locode(std::string_view code);

}  // namespace minato::terminal
