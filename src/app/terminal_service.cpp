#include "app/terminal_service.h"

#include <boost/json.hpp>

#include "app/views.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;
using access::Permission;

namespace {

// The common end of a gate transaction: complete it, store the unit's new state, its move and
// the gate record, and describe the change for the audit event.
Result<GateResult> record_gate(store::WriteTxn& tx, Effects& fx, const access::Actor& actor,
                               t::GateTransaction& gate, const t::Unit& unit, const t::Move& move,
                               bool created) {
  MINATO_TRY(gate.complete());
  MINATO_TRY(tx.update_unit(unit, fx.now_us));
  MINATO_TRY(tx.insert_move(store::MoveRecord{unit.id(), move, fx.now_us, actor.subject}));
  auto gate_id = tx.insert_gate(store::GateRecord{0, gate.direction(), gate.container().str(),
                                                  gate.truck_plate(), gate.status(), unit.id(),
                                                  fx.now_us, actor.subject});
  if (!gate_id) return fail(gate_id.error());
  json::object change = to_json(unit);
  change["table"] = "units";
  change["op"] = created ? "insert" : "update";
  change["gate_id"] = *gate_id;
  change["gate"] = t::to_string(gate.direction());
  change["truck_plate"] = gate.truck_plate();
  fx.change = json::serialize(change);
  return GateResult{*gate_id, unit};
}

}  // namespace

Status TerminalService::require(const access::Actor& actor, Permission p) const {
  if (!actor.has(p)) {
    return fail(ErrorCode::kPermissionDenied,
                "you need permission " + std::string(access::to_string(p)));
  }
  return ok();
}

Result<t::VesselVisit> TerminalService::create_visit(const access::Actor& actor,
                                                     t::VesselVisitSpec spec) {
  auto visit = t::VesselVisit::create(std::move(spec));
  if (!visit) return fail(visit.error());
  return writes_.execute<t::VesselVisit>(
      actor, {"visit.create", "visit:" + visit->id(), Permission::kVisitWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<t::VesselVisit> {
        auto st = tx.insert_visit(*visit, fx.now_us);
        if (!st) {
          if (st.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "vessel visit " + visit->id() + " exists", "id");
          }
          return fail(st.error());
        }
        json::object change = to_json(*visit);
        change["table"] = "vessel_visits";
        change["op"] = "insert";
        fx.change = json::serialize(change);
        return *visit;
      });
}

Result<std::vector<t::VesselVisit>> TerminalService::list_visits(const access::Actor& actor) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_visits();
}

namespace {

// The write of a new unit and its row-level change record.
Result<t::Unit> insert_unit(store::WriteTxn& tx, Effects& fx, t::Unit u) {
  auto id = tx.insert_unit(u, fx.now_us);
  if (!id) return fail(id.error());
  u.set_id(*id);
  json::object change = to_json(u);
  change["table"] = "units";
  change["op"] = "insert";
  fx.change = json::serialize(change);
  return u;
}

}  // namespace

Result<t::Unit> TerminalService::create_unit(const access::Actor& actor, t::UnitSpec spec) {
  auto unit = t::Unit::advise(std::move(spec));
  if (!unit) return fail(unit.error());
  const std::string cid = unit->spec().container_id.str();
  return writes_.execute<t::Unit>(
      actor, {"unit.create", "unit:" + cid, Permission::kUnitWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) { return insert_unit(tx, fx, *unit); });
}

std::future<Status> TerminalService::submit_create_unit(const access::Actor& actor,
                                                        t::UnitSpec spec) {
  auto unit = t::Unit::advise(std::move(spec));
  if (!unit) {
    std::promise<Status> p;
    p.set_value(fail(unit.error()));
    return p.get_future();
  }
  const std::string cid = unit->spec().container_id.str();
  return writes_.submit(actor, {"unit.create", "unit:" + cid, Permission::kUnitWrite, true},
                        [u = std::move(*unit)](store::WriteTxn& tx, Effects& fx) -> Status {
                          auto r = insert_unit(tx, fx, u);
                          if (!r) return fail(r.error());
                          return ok();
                        });
}

Result<UnitView> TerminalService::get_unit(const access::Actor& actor, const t::ContainerId& id) {
  MINATO_TRY(require(actor, Permission::kUnitLookup));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto unit = (*rx)->find_current_unit(id);
  if (!unit) return fail(unit.error());
  // G2.2.1-a object-level check: a line's client sees only its own line's units, and cannot
  // tell another line's unit from a missing one.
  if (!*unit || (!actor.scope.empty() && (*unit)->spec().line_operator != actor.scope)) {
    return fail(ErrorCode::kNotFound, "no unit for container " + id.str());
  }
  if (!actor.has(Permission::kTerminalRead)) {  // API clients see the unit, not its history
    return UnitView{std::move(**unit), {}};
  }
  auto moves = (*rx)->unit_moves((*unit)->id());
  if (!moves) return fail(moves.error());
  return UnitView{std::move(**unit), std::move(*moves)};
}

Result<GateResult> TerminalService::gate_in(const access::Actor& actor, const GateInRequest& req) {
  auto gate = t::GateTransaction::open(t::GateDirection::kIn, req.container_id, req.truck_plate);
  if (!gate) return fail(gate.error());
  std::optional<t::Unit> inline_unit;
  if (req.unit) {
    auto u = t::Unit::advise(*req.unit);
    if (!u) return fail(u.error());
    inline_unit = std::move(*u);
  }
  const std::string cid = req.container_id.str();
  return writes_.execute<GateResult>(
      actor, {"gate.in", "unit:" + cid, Permission::kGateWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<GateResult> {
        auto block = tx.find_block(req.slot.block());
        if (!block) return fail(block.error());
        if (!*block || !(*block)->contains(req.slot)) {
          return fail(ErrorCode::kInvalidArgument,
                      "yard slot " + req.slot.str() + " does not exist in the yard", "slot");
        }
        auto occupied = tx.slot_occupied(req.slot);
        if (!occupied) return fail(occupied.error());
        if (*occupied) {
          return fail(ErrorCode::kConflict, "yard slot " + req.slot.str() + " is occupied", "slot");
        }
        auto found = tx.find_current_unit(req.container_id);
        if (!found) return fail(found.error());
        std::optional<t::Unit> current;
        bool created = false;
        if (*found && (*found)->state() != t::UnitState::kDeparted) {
          current = **found;
        } else if (inline_unit) {
          current = *inline_unit;
          auto id = tx.insert_unit(*current, fx.now_us);
          if (!id) return fail(id.error());
          current->set_id(*id);
          created = true;
        } else {
          return fail(ErrorCode::kNotFound,
                      "no advised unit for container " + cid +
                          "; advise it first or give its size_type, category, freight, "
                          "line_operator and gross_kg",
                      "container_id");
        }
        t::Unit& unit = *current;
        auto move = unit.gate_in(req.slot);
        if (!move) return fail(move.error());
        return record_gate(tx, fx, actor, *gate, unit, *move, created);
      });
}

Result<GateResult> TerminalService::gate_out(const access::Actor& actor,
                                             const GateOutRequest& req) {
  auto gate = t::GateTransaction::open(t::GateDirection::kOut, req.container_id, req.truck_plate);
  if (!gate) return fail(gate.error());
  const std::string cid = req.container_id.str();
  return writes_.execute<GateResult>(
      actor, {"gate.out", "unit:" + cid, Permission::kGateWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<GateResult> {
        auto found = tx.find_current_unit(req.container_id);
        if (!found) return fail(found.error());
        if (!*found) {
          return fail(ErrorCode::kNotFound, "no unit for container " + cid, "container_id");
        }
        t::Unit unit = **found;
        auto move = unit.gate_out();
        if (!move) return fail(move.error());
        return record_gate(tx, fx, actor, *gate, unit, *move, false);
      });
}

Status TerminalService::create_block(const access::Actor& actor, const t::YardBlock& block) {
  auto checked = t::YardBlock::make(block.name, block.bays, block.rows, block.tiers);
  if (!checked) return fail(checked.error());
  return writes_.execute_status(
      actor, {"yard.block.create", "block:" + block.name, Permission::kYardWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto st = tx.insert_block(*checked);
        if (!st) {
          if (st.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "yard block " + block.name + " exists", "name");
          }
          return st;
        }
        fx.change = json::serialize(json::object{{"table", "yard_blocks"},
                                                 {"op", "insert"},
                                                 {"name", checked->name},
                                                 {"bays", checked->bays},
                                                 {"rows", checked->rows},
                                                 {"tiers", checked->tiers}});
        return ok();
      });
}

Result<std::vector<store::BlockOccupancy>> TerminalService::yard_occupancy(
    const access::Actor& actor) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->yard_occupancy();
}

}  // namespace minato::app
