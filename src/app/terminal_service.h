// TerminalService: the daily work of the terminal — layout, units, holds, bookings, the yard
// and the gate. Writes go through the WritePath (authorised, applied and audited in one
// transaction); reads run on store snapshots after a permission check.
//
// The service keeps the yard in memory (terminal::Yard): every placement is checked against
// its stacking rules and slots are allocated from it in microseconds. The writer thread
// changes it inside commands; a command that does not commit has its change undone, and
// another process's commits make it reload (WritePath::on_foreign_change).
//
// Refusals that depend on the terminal's state (an occupied slot, a hold, an unknown booking,
// a missing VGM) are decided inside the command, so they are audited with their reason.
#pragma once

#include <future>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/gate_service.h"
#include "app/write_path.h"
#include "crypto/keys.h"
#include "terminal/gate_transaction.h"
#include "terminal/layout.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"
#include "terminal/yard.h"

namespace minato::app {

struct GateInRequest {
  terminal::ContainerId container_id;
  std::string truck_plate;
  std::optional<terminal::YardSlot> slot;  // empty: the yard allocates one
  // When no unit has been advised for the container, the gate creates one from these.
  std::optional<terminal::UnitSpec> unit;
  int64_t truck_visit_id = 0;  // the truck's visit, registered at its arrival (turn time)
  int64_t appointment_id = 0;  // 0: the container's booked appointment, if any
};

struct GateOutRequest {
  terminal::ContainerId container_id;
  std::string truck_plate;
  std::string pin = {};  // the release PIN the line gave the haulier (import full units)
  int64_t truck_visit_id = 0;
  int64_t appointment_id = 0;
};

struct GateResult {
  int64_t gate_id = 0;
  terminal::Unit unit;
};

struct UnitView {
  terminal::Unit unit;
  std::vector<store::MoveRecord> moves;
};

struct VisitView {
  terminal::VesselVisit visit;
  store::VisitCounts counts;
};

struct BookingView {
  store::BookingRecord booking;
  int64_t delivered = 0;  // units received against it so far
};

// One block of the yard map: its shape and zones, and per 20-foot stack (index
// (bay20 - 1) * rows + row - 1) what stands there and whether a unit in it is held.
struct BlockMap {
  terminal::YardBlock block;
  std::vector<terminal::StackView> stacks;
  std::vector<uint8_t> held;  // 1 where a unit of the stack has an active hold
};

class TerminalService {
 public:
  TerminalService(store::Store& store, WritePath& writes, const crypto::SealingKey& keys,
                  GateSettings gate = {});

  // Builds the in-memory yard from the store. Units that break a rule (data written by an
  // older version) are left out and listed by yard_problems().
  Status load();
  std::vector<std::string> yard_problems() const;

  // --- layout (G: the terminal's own configuration, every change audited) -----------------
  // Adds or updates every block, berth and lane of `layout` in one command; a block change
  // that a unit standing in it would break is refused.
  Status apply_layout(const access::Actor& actor, const terminal::TerminalLayout& layout);
  Result<terminal::TerminalLayout> layout(const access::Actor& actor);
  Status create_block(const access::Actor& actor, const terminal::YardBlock& block);
  Status update_block(const access::Actor& actor, const terminal::YardBlock& block);
  Status delete_block(const access::Actor& actor, const std::string& name);
  Result<std::vector<store::BlockOccupancy>> yard_occupancy(const access::Actor& actor);

  // --- vessel visits ------------------------------------------------------------------------
  Result<terminal::VesselVisit> create_visit(const access::Actor& actor,
                                             terminal::VesselVisitSpec spec);
  Result<std::vector<terminal::VesselVisit>> list_visits(const access::Actor& actor);
  Result<VisitView> get_visit(const access::Actor& actor, const std::string& id);
  // Moves the visit to its next phase. Departure is refused while units of its discharge list
  // are still on board or units of its load list are still in the yard; at departure every
  // loaded unit departs with it.
  Result<VisitView> advance_visit(const access::Actor& actor, const std::string& id,
                                  terminal::VisitPhase to);
  // Confirms a discharge move: the unit (on the visit's discharge list) comes off the vessel
  // into the yard, at `slot` or the allocated best slot. The visit must be arrived or working
  // (an arrived visit starts working).
  Result<terminal::Unit> discharge(const access::Actor& actor, const std::string& visit_id,
                                   const terminal::ContainerId& id,
                                   std::optional<terminal::YardSlot> slot);
  // Confirms a load move: the unit (on the visit's load list, in the yard, no hold, with a VGM
  // if full, on top of its stack) goes on board at `vessel_slot` (BBBRRTT).
  Result<terminal::Unit> load(const access::Actor& actor, const std::string& visit_id,
                              const terminal::ContainerId& id, const std::string& vessel_slot);

  // --- units --------------------------------------------------------------------------------
  Result<terminal::Unit> create_unit(const access::Actor& actor, terminal::UnitSpec spec);
  // The same, queued without waiting (bulk work such as an import keeps many in flight); the
  // future is ready when the unit is durable. REQUIRES: `actor` outlives the future.
  std::future<Status> submit_create_unit(const access::Actor& actor, terminal::UnitSpec spec);
  Result<UnitView> get_unit(const access::Actor& actor, const terminal::ContainerId& id);
  Result<std::vector<terminal::Unit>> list_units(const access::Actor& actor,
                                                 const store::UnitQuery& query);
  // Replaces the unit's description. `expected_version` (If-Match) must be the stored version.
  Result<terminal::Unit> amend_unit(const access::Actor& actor, terminal::UnitSpec spec,
                                    int64_t expected_version);
  Result<terminal::Unit> place_hold(const access::Actor& actor, const terminal::ContainerId& id,
                                    terminal::HoldKind kind, const std::string& reason);
  Result<terminal::Unit> release_hold(const access::Actor& actor, const terminal::ContainerId& id,
                                      terminal::HoldKind kind);
  // The line releases an import unit for delivery: the PIN (6-12 digits) its haulier must give
  // at the gate; only a keyed hash is stored.
  Result<terminal::Unit> set_release_pin(const access::Actor& actor,
                                         const terminal::ContainerId& id, const std::string& pin);

  // --- yard -----------------------------------------------------------------------------------
  // Moves a unit within the yard; to the allocated best slot when `to` is empty.
  Result<terminal::Unit> yard_shift(const access::Actor& actor, const terminal::ContainerId& id,
                                    std::optional<terminal::YardSlot> to);
  // The slot the yard would give this unit now (no change is made).
  Result<terminal::YardSlot> suggest_slot(const access::Actor& actor,
                                          const terminal::ContainerId& id);
  Result<std::vector<terminal::BlockUse>> yard_usage(const access::Actor& actor) const;
  // The whole yard, stack by stack, for the console's map (terminal_yard_view.cpp).
  Result<std::vector<BlockMap>> yard_map(const access::Actor& actor);
  // The units of one 20-foot stack, tier 1 first.
  Result<std::vector<terminal::Unit>> stack_units(const access::Actor& actor,
                                                  const std::string& block, int bay20, int row);

  // --- bookings -------------------------------------------------------------------------------
  Status create_booking(const access::Actor& actor, store::BookingRecord booking);
  Result<BookingView> get_booking(const access::Actor& actor, const std::string& number);

  // --- gate -----------------------------------------------------------------------------------
  Result<GateResult> gate_in(const access::Actor& actor, const GateInRequest& req);
  Result<GateResult> gate_out(const access::Actor& actor, const GateOutRequest& req);

  // Forgets Idempotency-Keys older than `older_than_us` (a retry comes within minutes; a day
  // is kept). Returns how many.
  Result<int64_t> purge_idempotency_keys(const access::Actor& actor, int64_t older_than_us);

  // For tests and the consistency check: the yard's own rule check over every unit.
  Status check_yard() const;

 private:
  Status require(const access::Actor& actor, access::Permission p) const;
  // Reloads the yard inside the writer's transaction (another process changed the store).
  Status reload(store::ReadTxn& rx);
  // Yard changes made by a command, undone if the command does not commit.
  Status yard_place(Effects& fx, const terminal::StackItem& item, const terminal::YardSlot& slot);
  Status yard_remove(Effects& fx, int64_t unit_id);
  Result<terminal::YardSlot> choose_slot(const terminal::StackItem& item,
                                         const std::optional<terminal::YardSlot>& wanted) const;
  // Loads the current unit for a command, or refuses with kNotFound.
  static Result<terminal::Unit> current_unit(store::ReadTxn& tx, const terminal::ContainerId& id);
  // A change to one unit: load it, let `change` alter it, store it with its version bumped.
  Result<terminal::Unit> change_unit(
      const access::Actor& actor, CommandSpec spec, const terminal::ContainerId& id,
      std::function<Status(store::WriteTxn&, Effects&, terminal::Unit&)> change);
  std::string pin_mac(int64_t unit_id, const std::string& pin) const;
  // Whether `pin` is the one whose keyed hash is `stored` (hex), under any sealing key kept.
  bool pin_matches(int64_t unit_id, const std::string& pin, const std::string& stored) const;
  // The visit, for a command: kNotFound if there is none.
  static Result<terminal::VesselVisit> visit_for(store::ReadTxn& tx, const std::string& id);

  store::Store& store_;
  WritePath& writes_;
  const crypto::SealingKey& keys_;
  GateSettings gate_;
  mutable std::shared_mutex yard_mu_;
  terminal::Yard yard_;
  std::vector<std::string> problems_;
};

// JSON of a gate result, as the API answers and as a retried request gets it again.
std::string gate_result_json(const GateResult& r);

}  // namespace minato::app
