// TerminalService: vessel visits, units, gate and yard — the daily work of the terminal.
// Writes go through the WritePath (authorised, applied and audited in one transaction);
// reads run on store snapshots after a permission check.
#pragma once

#include <future>

#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/write_path.h"
#include "terminal/gate_transaction.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

struct GateInRequest {
  terminal::ContainerId container_id;
  std::string truck_plate;
  terminal::YardSlot slot;
  // When no unit has been advised for the container, the gate creates one from these.
  std::optional<terminal::UnitSpec> unit;
};

struct GateOutRequest {
  terminal::ContainerId container_id;
  std::string truck_plate;
};

struct GateResult {
  int64_t gate_id = 0;
  terminal::Unit unit;
};

struct UnitView {
  terminal::Unit unit;
  std::vector<store::MoveRecord> moves;
};

class TerminalService {
 public:
  TerminalService(store::Store& store, WritePath& writes) : store_(store), writes_(writes) {}

  Result<terminal::VesselVisit> create_visit(const access::Actor& actor,
                                             terminal::VesselVisitSpec spec);
  Result<std::vector<terminal::VesselVisit>> list_visits(const access::Actor& actor);

  Result<terminal::Unit> create_unit(const access::Actor& actor, terminal::UnitSpec spec);
  // The same, queued without waiting (bulk work such as an import keeps many in flight); the
  // future is ready when the unit is durable. REQUIRES: `actor` outlives the future.
  std::future<Status> submit_create_unit(const access::Actor& actor, terminal::UnitSpec spec);
  Result<UnitView> get_unit(const access::Actor& actor, const terminal::ContainerId& id);

  Result<GateResult> gate_in(const access::Actor& actor, const GateInRequest& req);
  Result<GateResult> gate_out(const access::Actor& actor, const GateOutRequest& req);

  Status create_block(const access::Actor& actor, const terminal::YardBlock& block);
  Result<std::vector<store::BlockOccupancy>> yard_occupancy(const access::Actor& actor);

 private:
  Status require(const access::Actor& actor, access::Permission p) const;
  store::Store& store_;
  WritePath& writes_;
};

}  // namespace minato::app
