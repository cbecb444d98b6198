#include "app/terminal_service.h"

#include <mutex>

#include <boost/json.hpp>

#include "app/views.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;
using access::Permission;

std::string gate_result_json(const GateResult& r) {
  return json::serialize(json::object{{"gate_id", r.gate_id}, {"unit", to_json(r.unit)}});
}

TerminalService::TerminalService(store::Store& store, WritePath& writes,
                                 const crypto::SealingKey& keys, GateSettings gate)
    : store_(store), writes_(writes), keys_(keys), gate_(std::move(gate)) {
  writes_.on_foreign_change([this](store::WriteTxn& tx) { return reload(tx); });
}

Status TerminalService::require(const access::Actor& actor, Permission p) const {
  if (!actor.has(p)) {
    return fail(ErrorCode::kPermissionDenied,
                "you need permission " + std::string(access::to_string(p)));
  }
  return ok();
}

Status TerminalService::load() {
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return reload(**rx);
}

Status TerminalService::reload(store::ReadTxn& rx) {
  auto layout = rx.layout();
  if (!layout) return fail(layout.error());
  t::Yard fresh;
  std::vector<std::string> problems;
  for (const auto& b : layout->blocks) {
    auto st = fresh.add_block(b);
    if (!st) problems.push_back("block " + b.name + ": " + st.error().message());
  }
  // Lowest tiers first, so every unit finds what it stands on already placed.
  std::vector<t::Unit> units;
  MINATO_TRY(rx.scan_units_in_yard([&](t::Unit&& u) { units.push_back(std::move(u)); }));
  std::stable_sort(units.begin(), units.end(), [](const t::Unit& a, const t::Unit& b) {
    return a.slot()->tier() < b.slot()->tier();
  });
  for (const auto& u : units) {
    auto st = fresh.place(u.stack_item(), *u.slot());
    if (!st) {
      problems.push_back("unit " + u.spec().container_id.str() + " at " + u.slot()->str() + ": " +
                         st.error().message());
    }
  }
  std::unique_lock lock(yard_mu_);
  yard_ = std::move(fresh);
  problems_ = std::move(problems);
  return ok();
}

std::vector<std::string> TerminalService::yard_problems() const {
  std::shared_lock lock(yard_mu_);
  return problems_;
}

Status TerminalService::check_yard() const {
  std::shared_lock lock(yard_mu_);
  return yard_.check_invariants();
}

Status TerminalService::yard_place(Effects& fx, const t::StackItem& item, const t::YardSlot& slot) {
  std::unique_lock lock(yard_mu_);
  MINATO_TRY(yard_.place(item, slot));
  fx.on_undo([this, id = item.unit_id] {
    std::unique_lock l(yard_mu_);
    yard_.forget(id);
  });
  return ok();
}

Status TerminalService::yard_remove(Effects& fx, int64_t unit_id) {
  std::unique_lock lock(yard_mu_);
  auto where = yard_.where(unit_id);
  const t::StackItem* item = yard_.item(unit_id);
  if (!where || item == nullptr) return ok();  // not in the model (left out at load)
  t::StackItem saved = *item;
  MINATO_TRY(yard_.remove(unit_id));
  fx.on_undo([this, saved, slot = *where] {
    std::unique_lock l(yard_mu_);
    yard_.restore(saved, slot);
  });
  return ok();
}

Result<t::YardSlot> TerminalService::choose_slot(const t::StackItem& item,
                                                 const std::optional<t::YardSlot>& wanted) const {
  std::shared_lock lock(yard_mu_);
  if (wanted) {
    MINATO_TRY(yard_.check(item, *wanted));
    return *wanted;
  }
  return yard_.allocate(item, {});
}

Result<t::Unit> TerminalService::current_unit(store::ReadTxn& tx, const t::ContainerId& id) {
  auto found = tx.find_current_unit(id);
  if (!found) return fail(found.error());
  if (!*found) {
    return fail(ErrorCode::kNotFound, "no unit for container " + id.str(), "container_id");
  }
  return std::move(**found);
}

bool TerminalService::pin_matches(int64_t unit_id, const std::string& pin,
                                  const std::string& stored) const {
  // Under the sealing key or an earlier one: a PIN issued before a rotation still works.
  bool match = false;
  for (const auto& m : keys_.macs(std::to_string(unit_id) + ":" + pin, "release-pin")) {
    match = crypto::constant_time_equal(crypto::to_hex(m), stored) || match;
  }
  return match;
}

std::string TerminalService::pin_mac(int64_t unit_id, const std::string& pin) const {
  return crypto::to_hex(keys_.mac(std::to_string(unit_id) + ":" + pin, "release-pin"));
}

// --- layout ------------------------------------------------------------------------------

Status TerminalService::apply_layout(const access::Actor& actor, const t::TerminalLayout& layout) {
  MINATO_TRY(layout.validate());
  return writes_.execute_status(actor, {"yard.layout.apply", "layout", Permission::kYardWrite},
                                [&](store::WriteTxn& tx, Effects& fx) -> Status {
                                  json::array changed;
                                  for (const auto& b : layout.blocks) {
                                    auto existing = tx.find_block(b.name);
                                    if (!existing) return fail(existing.error());
                                    if (*existing && **existing == b) continue;
                                    std::unique_lock lock(yard_mu_);
                                    if (*existing) {
                                      MINATO_TRY(tx.update_block(b));
                                      MINATO_TRY(yard_.update_block(b));
                                      fx.on_undo([this, old = **existing] {
                                        std::unique_lock l(yard_mu_);
                                        (void)yard_.update_block(old);
                                      });
                                    } else {
                                      MINATO_TRY(tx.insert_block(b));
                                      MINATO_TRY(yard_.add_block(b));
                                      fx.on_undo([this, name = b.name] {
                                        std::unique_lock l(yard_mu_);
                                        (void)yard_.remove_block(name);
                                      });
                                    }
                                    changed.push_back(to_json(b));
                                  }
                                  for (const auto& b : layout.berths)
                                    MINATO_TRY(tx.upsert_berth(b));
                                  for (const auto& l : layout.lanes) MINATO_TRY(tx.upsert_lane(l));
                                  json::object all = to_json(layout);
                                  all["blocks_changed"] = std::move(changed);
                                  all.erase("blocks");
                                  fx.change = change_json(std::move(all), "yard_blocks", "upsert");
                                  // What the API answers, kept for a retried request.
                                  auto now = tx.layout();
                                  if (!now) return fail(now.error());
                                  fx.response = json::serialize(to_json(*now));
                                  return ok();
                                });
}

Result<t::TerminalLayout> TerminalService::layout(const access::Actor& actor) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->layout();
}

Status TerminalService::create_block(const access::Actor& actor, const t::YardBlock& block) {
  MINATO_TRY(block.validate());
  return writes_.execute_status(
      actor, {"yard.block.create", "block:" + block.name, Permission::kYardWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto st = tx.insert_block(block);
        if (!st) {
          if (st.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "yard block " + block.name + " exists", "name");
          }
          return st;
        }
        {
          std::unique_lock lock(yard_mu_);
          MINATO_TRY(yard_.add_block(block));
        }
        fx.on_undo([this, name = block.name] {
          std::unique_lock l(yard_mu_);
          (void)yard_.remove_block(name);
        });
        fx.response = json::serialize(to_json(block));
        fx.change = change_json(to_json(block), "yard_blocks", "insert");
        return ok();
      });
}

Status TerminalService::update_block(const access::Actor& actor, const t::YardBlock& block) {
  MINATO_TRY(block.validate());
  return writes_.execute_status(
      actor, {"yard.block.update", "block:" + block.name, Permission::kYardWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto old = tx.find_block(block.name);
        if (!old) return fail(old.error());
        if (!*old) {
          return fail(ErrorCode::kNotFound, "yard block " + block.name + " does not exist");
        }
        MINATO_TRY(tx.update_block(block));
        {
          std::unique_lock lock(yard_mu_);
          MINATO_TRY(yard_.update_block(block));
        }
        fx.on_undo([this, before = **old] {
          std::unique_lock l(yard_mu_);
          (void)yard_.update_block(before);
        });
        fx.response = json::serialize(to_json(block));
        json::object change = to_json(block);
        change["before"] = to_json(**old);
        fx.change = change_json(std::move(change), "yard_blocks", "update");
        return ok();
      });
}

Status TerminalService::delete_block(const access::Actor& actor, const std::string& name) {
  if (!t::valid_block_name(name)) {  // never an unchecked name in the audit log
    return fail(ErrorCode::kNotFound, "no such yard block", "name");
  }
  return writes_.execute_status(
      actor, {"yard.block.delete", "block:" + name, Permission::kYardWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto old = tx.find_block(name);
        if (!old) return fail(old.error());
        if (!*old) return fail(ErrorCode::kNotFound, "yard block " + name + " does not exist");
        {
          std::unique_lock lock(yard_mu_);
          MINATO_TRY(yard_.remove_block(name));
        }
        fx.on_undo([this, before = **old] {
          std::unique_lock l(yard_mu_);
          (void)yard_.add_block(before);
        });
        MINATO_TRY(tx.delete_block(name));
        fx.change = change_json(to_json(**old), "yard_blocks", "delete");
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

Result<std::vector<t::BlockUse>> TerminalService::yard_usage(const access::Actor& actor) const {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  std::shared_lock lock(yard_mu_);
  return yard_.usage();
}

// --- vessel visits -------------------------------------------------------------------------

Result<t::VesselVisit> TerminalService::create_visit(const access::Actor& actor,
                                                     t::VesselVisitSpec spec) {
  auto visit = t::VesselVisit::create(std::move(spec));
  if (!visit) return fail(visit.error());
  return writes_.execute<t::VesselVisit>(
      actor, {"visit.create", "visit:" + visit->id(), Permission::kVisitWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<t::VesselVisit> {
        // The berth window: a berth of the layout (once the layout names berths), and not
        // another visit's at the same time.
        const auto& spec = visit->spec();
        auto layout = tx.layout();
        if (!layout) return fail(layout.error());
        if (!layout->berths.empty()) {
          std::string names;
          bool known = false;
          for (const auto& b : layout->berths) {
            known = known || b.name == spec.berth;
            names += (names.empty() ? "" : ", ") + b.name;
          }
          if (!known) {
            return fail(ErrorCode::kInvalidArgument,
                        "berth " + spec.berth + " is not in the terminal's layout (" + names + ")",
                        "berth");
          }
        }
        auto others = tx.list_visits();
        if (!others) return fail(others.error());
        for (const auto& o : *others) {
          const auto& os = o.spec();
          bool gone = o.phase() == t::VisitPhase::kDeparted ||
                      o.phase() == t::VisitPhase::kClosed || o.phase() == t::VisitPhase::kCancelled;
          if (!gone && os.berth == spec.berth && os.id != spec.id && os.eta_us < spec.etd_us &&
              spec.eta_us < os.etd_us) {
            return fail(ErrorCode::kConflict,
                        "berth " + spec.berth + " is planned for vessel visit " + os.id + " from " +
                            format_utc(os.eta_us) + " to " + format_utc(os.etd_us),
                        "berth");
          }
        }
        auto st = tx.insert_visit(*visit, fx.now_us);
        if (!st) {
          if (st.error().code() == ErrorCode::kAlreadyExists) {
            return fail(ErrorCode::kAlreadyExists, "vessel visit " + visit->id() + " exists", "id");
          }
          return fail(st.error());
        }
        fx.change = change_json(to_json(*visit), "vessel_visits", "insert");
        fx.response = json::serialize(to_json(*visit));
        return *visit;
      });
}

Result<std::vector<t::VesselVisit>> TerminalService::list_visits(const access::Actor& actor) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_visits();
}

Result<t::VesselVisit> TerminalService::visit_for(store::ReadTxn& tx, const std::string& id) {
  auto v = tx.find_visit(id);
  if (!v) return fail(v.error());
  if (!*v) return fail(ErrorCode::kNotFound, "no vessel visit " + id, "visit");
  return std::move(**v);
}

Result<VisitView> TerminalService::get_visit(const access::Actor& actor, const std::string& id) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  if (!t::valid_visit_code(id)) return fail(ErrorCode::kNotFound, "no such vessel visit");
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto v = visit_for(**rx, id);
  if (!v) return fail(v.error());
  auto counts = (*rx)->visit_counts(id);
  if (!counts) return fail(counts.error());
  return VisitView{std::move(*v), *counts};
}

Result<VisitView> TerminalService::advance_visit(const access::Actor& actor, const std::string& id,
                                                 t::VisitPhase to) {
  if (!t::valid_visit_code(id)) return fail(ErrorCode::kNotFound, "no such vessel visit");
  return writes_.execute<VisitView>(
      actor, {"visit.phase", "visit:" + id, Permission::kVisitWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<VisitView> {
        auto v = visit_for(tx, id);
        if (!v) return fail(v.error());
        std::string before(t::to_string(v->phase()));
        MINATO_TRY(v->advance(to));
        auto counts = tx.visit_counts(id);
        if (!counts) return fail(counts.error());
        if (to == t::VisitPhase::kDeparted) {
          // The counts must reconcile before the vessel leaves.
          if (counts->discharged < counts->discharge_list) {
            return fail(ErrorCode::kConflict,
                        std::to_string(counts->discharge_list - counts->discharged) +
                            " units of the discharge list of " + id + " are still on board");
          }
          if (counts->loaded < counts->load_list) {
            return fail(ErrorCode::kConflict,
                        std::to_string(counts->load_list - counts->loaded) +
                            " units of the load list of " + id +
                            " have not been loaded; load them or roll them to another visit "
                            "(their outbound_visit) first");
          }
          store::UnitQuery q;
          q.visit = id;
          q.state = "loaded";
          q.limit = 1000;
          for (;;) {
            auto page = tx.list_units(q);
            if (!page) return fail(page.error());
            for (auto& u : *page) {
              if (u.spec().outbound_visit != id) continue;
              MINATO_TRY(u.depart());
              u.bump_version();
              MINATO_TRY(tx.update_unit(u, fx.now_us));
            }
            if (static_cast<int>(page->size()) < q.limit) break;
            q.after_id = page->back().id();
          }
        }
        MINATO_TRY(tx.update_visit_phase(*v));
        json::object view = to_json(*v);
        view["before"] = before;
        fx.change = change_json(view, "vessel_visits", "update");
        view.erase("before");
        fx.response = json::serialize(view);
        return VisitView{std::move(*v), *counts};
      });
}

Result<t::Unit> TerminalService::discharge(const access::Actor& actor, const std::string& visit_id,
                                           const t::ContainerId& id,
                                           std::optional<t::YardSlot> slot) {
  if (!t::valid_visit_code(visit_id)) return fail(ErrorCode::kNotFound, "no such vessel visit");
  return change_unit(
      actor, {"vessel.discharge", "unit:" + id.str(), Permission::kYardMove}, id,
      [&](store::WriteTxn& tx, Effects& fx, t::Unit& u) -> Status {
        auto v = visit_for(tx, visit_id);
        if (!v) return fail(v.error());
        if (v->phase() == t::VisitPhase::kArrived) {
          MINATO_TRY(v->advance(t::VisitPhase::kWorking));
          MINATO_TRY(tx.update_visit_phase(*v));
        }
        if (v->phase() != t::VisitPhase::kWorking) {
          return fail(ErrorCode::kConflict, "vessel visit " + visit_id + " is " +
                                                std::string(t::to_string(v->phase())) +
                                                "; units are discharged while it is working");
        }
        if (u.spec().inbound_visit != visit_id) {
          return fail(ErrorCode::kConflict,
                      "unit " + id.str() + " is not on the discharge list of " + visit_id);
        }
        t::StackItem item = u.stack_item();
        auto where = choose_slot(item, slot);
        if (!where) return fail(where.error());
        auto move = u.discharge(*where, fx.now_us);
        if (!move) return fail(move.error());
        MINATO_TRY(yard_place(fx, item, *where));
        return tx.insert_move(store::MoveRecord{u.id(), *move, fx.now_us, actor.subject});
      });
}

Result<t::Unit> TerminalService::load(const access::Actor& actor, const std::string& visit_id,
                                      const t::ContainerId& id, const std::string& vessel_slot) {
  if (!t::valid_visit_code(visit_id)) return fail(ErrorCode::kNotFound, "no such vessel visit");
  auto stow = t::parse_vessel_slot(vessel_slot);
  if (!stow) return fail(stow.error());
  return change_unit(
      actor, {"vessel.load", "unit:" + id.str(), Permission::kYardMove}, id,
      [&](store::WriteTxn& tx, Effects& fx, t::Unit& u) -> Status {
        auto v = visit_for(tx, visit_id);
        if (!v) return fail(v.error());
        if (v->phase() == t::VisitPhase::kArrived) {
          MINATO_TRY(v->advance(t::VisitPhase::kWorking));
          MINATO_TRY(tx.update_visit_phase(*v));
        }
        if (v->phase() != t::VisitPhase::kWorking) {
          return fail(ErrorCode::kConflict, "vessel visit " + visit_id + " is " +
                                                std::string(t::to_string(v->phase())) +
                                                "; units are loaded while it is working");
        }
        if (u.state() != t::UnitState::kInYard) {
          return fail(ErrorCode::kConflict, "unit " + id.str() + " is not in the yard; it is " +
                                                std::string(t::to_string(u.state())));
        }
        // Holds, the vessel and the VGM are the unit's rules (Unit::load); the stack is the yard's.
        auto move = u.load(visit_id, *stow);
        if (!move) return fail(move.error());
        MINATO_TRY(yard_remove(fx, u.id()));
        return tx.insert_move(store::MoveRecord{u.id(), *move, fx.now_us, actor.subject});
      });
}

// --- units ---------------------------------------------------------------------------------

namespace {

// The write of a new unit and its row-level change record.
Result<t::Unit> insert_unit(store::WriteTxn& tx, Effects& fx, t::Unit u) {
  auto id = tx.insert_unit(u, fx.now_us);
  if (!id) return fail(id.error());
  u.set_id(*id);
  json::object view = to_json(u);
  fx.response = json::serialize(view);
  fx.change = change_json(std::move(view), "units", "insert");
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
  if (!*unit || !actor.sees_line((*unit)->spec().line_operator)) {
    return fail(ErrorCode::kNotFound, "no unit for container " + id.str());
  }
  if (!actor.has(Permission::kTerminalRead)) {  // API clients see the unit, not its history
    return UnitView{std::move(**unit), {}};
  }
  auto moves = (*rx)->unit_moves((*unit)->id());
  if (!moves) return fail(moves.error());
  return UnitView{std::move(**unit), std::move(*moves)};
}

Result<std::vector<t::Unit>> TerminalService::list_units(const access::Actor& actor,
                                                         const store::UnitQuery& query) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  store::UnitQuery q = query;
  if (actor.line_scoped()) {  // G2.2.1-a, fail closed: a client without a line sees nothing
    if (actor.scope.empty()) return std::vector<t::Unit>{};
    q.line_operator = actor.scope;
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_units(q);
}

Result<t::Unit> TerminalService::change_unit(
    const access::Actor& actor, CommandSpec spec, const t::ContainerId& id,
    std::function<Status(store::WriteTxn&, Effects&, t::Unit&)> change) {
  return writes_.execute<t::Unit>(actor, std::move(spec),
                                  [&](store::WriteTxn& tx, Effects& fx) -> Result<t::Unit> {
                                    auto unit = current_unit(tx, id);
                                    if (!unit) return fail(unit.error());
                                    json::object before = to_json(*unit);
                                    MINATO_TRY(change(tx, fx, *unit));
                                    unit->bump_version();
                                    MINATO_TRY(tx.update_unit(*unit, fx.now_us));
                                    json::object view = to_json(*unit);
                                    fx.response = json::serialize(view);
                                    if (fx.change.empty()) {
                                      view["before"] = std::move(before);
                                      fx.change = change_json(std::move(view), "units", "update");
                                    }
                                    return std::move(*unit);
                                  });
}

Result<t::Unit> TerminalService::amend_unit(const access::Actor& actor, t::UnitSpec spec,
                                            int64_t expected_version) {
  MINATO_TRY(t::validate(spec));
  const t::ContainerId id = spec.container_id;
  return change_unit(
      actor, {"unit.update", "unit:" + id.str(), Permission::kUnitWrite}, id,
      [&](store::WriteTxn&, Effects& fx, t::Unit& u) -> Status {
        if (u.version() != expected_version) {
          return fail(ErrorCode::kFailedPrecondition,
                      "unit " + id.str() + " is at version " + std::to_string(u.version()) +
                          ", not " + std::to_string(expected_version) +
                          "; someone changed it: read it again",
                      "If-Match");
        }
        if (u.state() == t::UnitState::kDeparted) {
          return fail(ErrorCode::kConflict, "unit " + id.str() + " has departed");
        }
        std::optional<t::YardSlot> slot = u.slot();
        MINATO_TRY(u.amend(spec));
        if (slot) {
          // What the yard knows of the unit may have changed (reefer, dangerous goods,
          // weight): it must still be allowed where it stands.
          std::unique_lock lock(yard_mu_);
          if (const t::StackItem* old = yard_.item(u.id())) {
            t::StackItem saved = *old;
            yard_.forget(u.id());
            auto fits = yard_.check(u.stack_item(), *slot);
            if (!fits) {
              yard_.restore(saved, *slot);
              return fail(ErrorCode::kConflict, "unit " + id.str() + " could not stay at " +
                                                    slot->str() + ": " + fits.error().message());
            }
            yard_.restore(u.stack_item(), *slot);
            fx.on_undo([this, saved, slot = *slot] {
              std::unique_lock l(yard_mu_);
              yard_.forget(saved.unit_id);
              yard_.restore(saved, slot);
            });
          }
        }
        return ok();
      });
}

namespace {

// G2.2.1-a: a line's client acts only on its own line's units; another line's unit is
// answered as absent, so that its existence is not disclosed.
Status line_scope(const access::Actor& actor, const t::Unit& u) {
  if (actor.sees_line(u.spec().line_operator)) return ok();
  return fail(ErrorCode::kNotFound, "no unit for container " + u.spec().container_id.str(),
              "container_id");
}

// Line holds are the line's to place and lift (its client or a planner); customs and
// terminal holds are the terminal's (planners).
Permission hold_permission(t::HoldKind kind) {
  return kind == t::HoldKind::kLine ? Permission::kLineRelease : Permission::kUnitWrite;
}

}  // namespace

Result<t::Unit> TerminalService::place_hold(const access::Actor& actor, const t::ContainerId& id,
                                            t::HoldKind kind, const std::string& reason) {
  return change_unit(
      actor,
      {"unit.hold." + std::string(t::to_string(kind)), "unit:" + id.str(), hold_permission(kind)},
      id, [&](store::WriteTxn&, Effects& fx, t::Unit& u) -> Status {
        MINATO_TRY(line_scope(actor, u));
        return u.place_hold(t::Hold{kind, reason, actor.subject, fx.now_us});
      });
}

Result<t::Unit> TerminalService::release_hold(const access::Actor& actor, const t::ContainerId& id,
                                              t::HoldKind kind) {
  return change_unit(actor,
                     {"unit.release." + std::string(t::to_string(kind)), "unit:" + id.str(),
                      hold_permission(kind)},
                     id, [&](store::WriteTxn&, Effects&, t::Unit& u) -> Status {
                       MINATO_TRY(line_scope(actor, u));
                       auto h = u.release_hold(kind);
                       if (!h) return fail(h.error());
                       return ok();
                     });
}

Result<t::Unit> TerminalService::set_release_pin(const access::Actor& actor,
                                                 const t::ContainerId& id, const std::string& pin) {
  bool digits = pin.size() >= 6 && pin.size() <= 12;
  for (char c : pin) digits = digits && c >= '0' && c <= '9';
  if (!digits) return fail(ErrorCode::kInvalidArgument, "a release PIN is 6-12 digits", "pin");
  return change_unit(actor, {"unit.release.pin", "unit:" + id.str(), Permission::kLineRelease}, id,
                     [&](store::WriteTxn&, Effects& fx, t::Unit& u) -> Status {
                       MINATO_TRY(line_scope(actor, u));
                       if (u.state() == t::UnitState::kDeparted) {
                         return fail(ErrorCode::kConflict, "unit " + id.str() + " has departed");
                       }
                       u.set_pin_hash(pin_mac(u.id(), pin));
                       // The change record says that a PIN was set, never the PIN.
                       fx.change =
                           change_json(json::object{{"container_id", id.str()}, {"pin_set", true}},
                                       "units", "update");
                       return ok();
                     });
}

// --- yard ------------------------------------------------------------------------------------

Result<t::Unit> TerminalService::yard_shift(const access::Actor& actor, const t::ContainerId& id,
                                            std::optional<t::YardSlot> to) {
  return change_unit(
      actor, {"yard.shift", "unit:" + id.str(), Permission::kYardMove}, id,
      [&](store::WriteTxn& tx, Effects& fx, t::Unit& u) -> Status {
        if (u.state() != t::UnitState::kInYard) {
          return fail(ErrorCode::kConflict, "unit " + id.str() + " is not in the yard");
        }
        std::unique_lock lock(yard_mu_);
        MINATO_TRY(yard_.check_remove(u.id()));
        t::StackItem item = *yard_.item(u.id());
        t::YardSlot from = *yard_.where(u.id());
        yard_.forget(u.id());
        Result<t::YardSlot> target =
            to ? Result<t::YardSlot>(*to) : yard_.allocate(item, {{}, {from.str()}});
        Status placed = target ? yard_.place(item, *target) : Status(fail(target.error()));
        if (!placed) {
          yard_.restore(item, from);
          return placed;
        }
        fx.on_undo([this, item, from] {
          std::unique_lock l(yard_mu_);
          yard_.forget(item.unit_id);
          yard_.restore(item, from);
        });
        lock.unlock();
        auto move = u.yard_shift(*target);
        if (!move) return fail(move.error());
        return tx.insert_move(store::MoveRecord{u.id(), *move, fx.now_us, actor.subject});
      });
}

Result<t::YardSlot> TerminalService::suggest_slot(const access::Actor& actor,
                                                  const t::ContainerId& id) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto unit = current_unit(**rx, id);
  if (!unit) return fail(unit.error());
  t::StackItem item = unit->stack_item();
  std::unique_lock lock(yard_mu_);
  auto where = yard_.where(unit->id());
  const t::StackItem* placed = yard_.item(unit->id());
  if (!where || placed == nullptr) return yard_.allocate(item, {});
  // For a unit already in the yard: the best other slot, as if it had been lifted; it is put
  // back exactly where it was before the lock is released.
  t::StackItem saved = *placed;
  yard_.forget(unit->id());
  auto slot = yard_.allocate(item, {{}, {where->str()}});
  yard_.restore(saved, *where);
  return slot;
}

Result<int64_t> TerminalService::purge_idempotency_keys(const access::Actor& actor,
                                                        int64_t older_than_us) {
  return writes_.execute<int64_t>(
      actor, {"idempotency.purge", "idempotency_keys", Permission::kNone},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        auto n = tx.purge_idempotency_keys(fx.now_us - older_than_us);
        if (!n) return fail(n.error());
        fx.change =
            "{\"table\":\"idempotency_keys\",\"op\":\"delete\",\"rows\":" + std::to_string(*n) +
            "}";
        return *n;
      });
}

// --- bookings ------------------------------------------------------------------------------

Status TerminalService::create_booking(const access::Actor& actor, store::BookingRecord b) {
  // The booking's fields are those of the units it will receive: checked by the same rules.
  auto invalid = [](const char* message, const char* field) {
    return fail(ErrorCode::kInvalidArgument, message, field);
  };
  if (!t::valid_reference(b.number)) {
    return invalid("booking number must be 1-20 of A-Z, 0-9 and '-'", "number");
  }
  if (!t::valid_line_operator(b.line_operator)) {
    return invalid("line operator must be 2-6 characters of A-Z and 0-9", "line_operator");
  }
  if (!t::valid_visit_code(b.outbound_visit)) {
    return invalid("a booking names its vessel visit (1-16 of A-Z, 0-9 and '-')", "outbound_visit");
  }
  if (!t::valid_locode(b.pod)) {
    return invalid("port of discharge must be a UN/LOCODE like USLAX", "pod");
  }
  auto st = t::SizeType::parse(b.size_type);
  if (!st) return fail(st.error());
  if (b.quantity < 1 || b.quantity > 10'000) {
    return fail(ErrorCode::kInvalidArgument, "quantity must be 1-10000", "quantity");
  }
  b.size_type = st->iso_code();
  return writes_.execute_status(
      actor, {"booking.create", "booking:" + b.number, Permission::kUnitWrite},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto visit = tx.find_visit(b.outbound_visit);
        if (!visit) return fail(visit.error());
        if (!*visit) {
          return fail(ErrorCode::kNotFound, "vessel visit " + b.outbound_visit + " does not exist",
                      "outbound_visit");
        }
        b.created_us = fx.now_us;
        b.created_by = actor.subject;
        MINATO_TRY(tx.insert_booking(b));
        json::object view = to_json(b);
        fx.response = json::serialize(view);
        fx.change = change_json(std::move(view), "bookings", "insert");
        return ok();
      });
}

Result<BookingView> TerminalService::get_booking(const access::Actor& actor,
                                                 const std::string& number) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto b = (*rx)->find_booking(number);
  if (!b) return fail(b.error());
  if (!*b || !actor.sees_line((*b)->line_operator)) {
    return fail(ErrorCode::kNotFound, "no booking " + number);
  }
  auto n = (*rx)->count_booking_units(number);
  if (!n) return fail(n.error());
  return BookingView{std::move(**b), *n};
}

// --- gate ------------------------------------------------------------------------------------

namespace {

// The common end of a gate transaction: complete it, store the unit's new state, its move and
// the gate record, and describe the change for the audit event and a retried request.
Result<GateResult> record_gate(store::WriteTxn& tx, Effects& fx, const access::Actor& actor,
                               t::GateTransaction& gate, const t::Unit& unit, const t::Move& move,
                               bool created, const Arrival& arrival) {
  MINATO_TRY(gate.complete());
  if (created) {
    // A unit created at the gate is inserted in its gated-in state: one write, not two.
  } else {
    MINATO_TRY(tx.update_unit(unit, fx.now_us));
  }
  MINATO_TRY(tx.insert_move(store::MoveRecord{unit.id(), move, fx.now_us, actor.subject}));
  // The unit as it was handed over, with where in the yard: the EIR is printed from this. The
  // one JSON view of the unit also makes the response and the change record.
  json::object view = to_json(unit);
  json::object snapshot = view;
  snapshot["position"] = gate.direction() == t::GateDirection::kIn ? move.to : move.from;
  auto gate_id = tx.insert_gate(
      store::GateRecord{0, gate.direction(), gate.container().str(), gate.truck_plate(),
                        gate.status(), unit.id(), fx.now_us, actor.subject, arrival.truck_visit_id,
                        arrival.appointment_id, json::serialize(snapshot)});
  if (!gate_id) return fail(gate_id.error());
  if (arrival.appointment_id != 0) {
    MINATO_TRY(tx.finish_appointment(arrival.appointment_id, "used", *gate_id));
  }
  GateResult result{*gate_id, unit};
  fx.response = json::serialize(json::object{{"gate_id", *gate_id}, {"unit", view}});
  json::object change = std::move(view);
  change["gate_id"] = *gate_id;
  change["gate"] = t::to_string(gate.direction());
  change["truck_plate"] = gate.truck_plate();
  if (arrival.truck_visit_id != 0) change["truck_visit"] = arrival.truck_visit_id;
  if (arrival.appointment_id != 0) change["appointment"] = arrival.appointment_id;
  fx.change = change_json(std::move(change), "units", created ? "insert" : "update");
  return result;
}

// G: export full units are received only against a booking of their line, size/type and
// vessel, within its quantity, and with a VGM (SOLAS VI/2).
Status check_export_receipt(store::WriteTxn& tx, t::Unit& unit) {
  const auto& s = unit.spec();
  if (s.category != t::UnitCategory::kExport || s.freight != t::FreightKind::kFull) return ok();
  const std::string cid = s.container_id.str();
  if (s.booking.empty()) {
    return fail(ErrorCode::kConflict, "export unit " + cid + " has no booking; it is not received",
                "booking");
  }
  auto booking = tx.find_booking(s.booking);
  if (!booking) return fail(booking.error());
  if (!*booking) {
    return fail(ErrorCode::kConflict, "unknown booking " + s.booking + " for unit " + cid,
                "booking");
  }
  const auto& b = **booking;
  if (b.line_operator != s.line_operator) {
    return fail(
        ErrorCode::kConflict,
        "booking " + b.number + " is of line " + b.line_operator + ", not " + s.line_operator,
        "booking");
  }
  if (b.size_type != s.size_type.iso_code()) {
    return fail(
        ErrorCode::kConflict,
        "booking " + b.number + " is for " + b.size_type + " units, not " + s.size_type.iso_code(),
        "booking");
  }
  if (!s.outbound_visit.empty() && s.outbound_visit != b.outbound_visit) {
    return fail(ErrorCode::kConflict,
                "booking " + b.number + " is for vessel visit " + b.outbound_visit + ", not " +
                    s.outbound_visit,
                "booking");
  }
  auto delivered = tx.count_booking_units(b.number);
  if (!delivered) return fail(delivered.error());
  if (*delivered >= b.quantity) {
    return fail(ErrorCode::kConflict,
                "booking " + b.number + " is full: " + std::to_string(*delivered) + " of " +
                    std::to_string(b.quantity) + " units received",
                "booking");
  }
  if (!s.vgm) {
    return fail(ErrorCode::kConflict,
                "export unit " + cid + " has no VGM; SOLAS VI/2 requires it before receipt", "vgm");
  }
  if (s.outbound_visit.empty() || s.pod.empty()) {
    t::UnitSpec filled = s;
    filled.outbound_visit = b.outbound_visit;
    if (filled.pod.empty()) filled.pod = b.pod;
    MINATO_TRY(unit.amend(std::move(filled)));
  }
  return ok();
}

}  // namespace

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
        auto found = tx.find_current_unit(req.container_id);
        if (!found) return fail(found.error());
        std::optional<t::Unit> current;
        bool created = false;
        if (*found && (*found)->state() != t::UnitState::kDeparted) {
          current = **found;
          current->bump_version();
          // The clerk describes the box on the truck: it must be the one advised.
          if (inline_unit) {
            const auto &a = current->spec(), &g = inline_unit->spec();
            if (a.size_type.iso_code() != g.size_type.iso_code() ||
                a.line_operator != g.line_operator || a.category != g.category ||
                a.freight != g.freight) {
              return fail(ErrorCode::kConflict,
                          "unit " + cid + " was advised as " + a.size_type.iso_code() + " " +
                              std::string(t::to_string(a.category)) + " " +
                              std::string(t::to_string(a.freight)) + " of " + a.line_operator +
                              "; the gate saw " + g.size_type.iso_code() + " " +
                              std::string(t::to_string(g.category)) + " " +
                              std::string(t::to_string(g.freight)) + " of " + g.line_operator,
                          "size_type");
            }
          }
        } else if (inline_unit) {
          current = *inline_unit;
          created = true;
        } else {
          return fail(ErrorCode::kNotFound,
                      "no advised unit for container " + cid +
                          "; advise it first or give its size_type, category, freight, "
                          "line_operator and gross_kg",
                      "container_id");
        }
        t::Unit& unit = *current;
        auto arrival = check_arrival(tx, gate_, t::GateDirection::kIn, cid, gate->truck_plate(),
                                     req.truck_visit_id, req.appointment_id, fx.now_us);
        if (!arrival) return fail(arrival.error());
        if (unit.state() != t::UnitState::kAdvised) {
          return fail(ErrorCode::kConflict, "unit " + cid + " is " +
                                                std::string(t::to_string(unit.state())) +
                                                "; only an advised unit can gate in");
        }
        MINATO_TRY(check_export_receipt(tx, unit));
        // A new unit needs its id before the yard can hold it: the row is written with the
        // slot chosen now, so a second unit cannot take the slot in between.
        t::StackItem item = unit.stack_item();
        auto slot = choose_slot(item, req.slot);
        if (!slot) return fail(slot.error());
        auto move = unit.gate_in(*slot, fx.now_us);
        if (!move) return fail(move.error());
        if (created) {
          auto id = tx.insert_unit(unit, fx.now_us);
          if (!id) return fail(id.error());
          unit.set_id(*id);
          item.unit_id = *id;
        }
        MINATO_TRY(yard_place(fx, item, *slot));
        return record_gate(tx, fx, actor, *gate, unit, *move, created, *arrival);
      });
}

Result<GateResult> TerminalService::gate_out(const access::Actor& actor,
                                             const GateOutRequest& req) {
  auto gate = t::GateTransaction::open(t::GateDirection::kOut, req.container_id, req.truck_plate);
  if (!gate) return fail(gate.error());
  const std::string cid = req.container_id.str();
  // A wrong PIN is a refusal that is committed (the count of wrong PINs must survive it).
  std::optional<Error> refusal;
  auto r = writes_.execute<GateResult>(
      actor, {"gate.out", "unit:" + cid, Permission::kGateWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<GateResult> {
        refusal.reset();
        auto unit = current_unit(tx, req.container_id);
        if (!unit) return fail(unit.error());
        auto arrival = check_arrival(tx, gate_, t::GateDirection::kOut, cid, gate->truck_plate(),
                                     req.truck_visit_id, req.appointment_id, fx.now_us);
        if (!arrival) return fail(arrival.error());
        MINATO_TRY(unit->deliverable());
        const auto& s = unit->spec();
        if (!unit->status().pin_hash.empty() ||
            (s.category == t::UnitCategory::kImport && s.freight == t::FreightKind::kFull)) {
          if (unit->status().pin_hash.empty()) {
            return fail(ErrorCode::kConflict, "import unit " + cid +
                                                  " has not been released by line " +
                                                  s.line_operator + " (no release PIN)");
          }
          if (req.pin.empty()) {
            return fail(ErrorCode::kInvalidArgument,
                        "unit " + cid + " is released against a PIN; give the haulier's PIN",
                        "pin");
          }
          // Guessing is bounded: after pin_attempts wrong PINs the unit's PIN is dead until
          // the line issues a new one (G2.2.2-f in spirit: no unlimited trials of a secret).
          if (unit->status().pin_failures >= gate_.pin_attempts) {
            return fail(ErrorCode::kPermissionDenied,
                        std::to_string(unit->status().pin_failures) +
                            " wrong release PINs have been given for unit " + cid +
                            "; its PIN no longer works until line " + s.line_operator +
                            " issues a new one",
                        "pin");
          }
          if (!pin_matches(unit->id(), req.pin, unit->status().pin_hash)) {
            unit->count_pin_failure();
            unit->bump_version();
            MINATO_TRY(tx.update_unit(*unit, fx.now_us));
            const std::string count = std::to_string(unit->status().pin_failures) + " of " +
                                      std::to_string(gate_.pin_attempts);
            fx.result = "failure";
            fx.reason = "wrong release PIN (" + count + ")";
            fx.change = change_json(
                json::object{{"container_id", cid}, {"pin_failures", unit->status().pin_failures}},
                "units", "update");
            refusal =
                Error(ErrorCode::kPermissionDenied,
                      "the release PIN for unit " + cid + " is wrong (" + count + " attempts used)",
                      "pin");
            return GateResult{0, *unit};
          }
        }
        MINATO_TRY(yard_remove(fx, unit->id()));
        auto move = unit->gate_out();
        if (!move) return fail(move.error());
        unit->bump_version();
        return record_gate(tx, fx, actor, *gate, *unit, *move, false, *arrival);
      });
  if (r && refusal) return fail(*refusal);
  return r;
}

}  // namespace minato::app
