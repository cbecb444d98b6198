#include "app/gate_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "app/eir.h"
#include "app/views.h"
#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;
using access::Permission;

namespace {

constexpr int64_t kMinute = 60LL * 1'000'000;

std::string window_text(const store::AppointmentRecord& a) {
  return format_utc(a.slot_start_us) + " to " + format_utc(a.slot_end_us);
}

}  // namespace

Result<Arrival> check_arrival(store::ReadTxn& tx, const GateSettings& settings,
                              t::GateDirection direction, const std::string& container_id,
                              const std::string& truck_plate, int64_t truck_visit_id,
                              int64_t appointment_id, int64_t now_us) {
  Arrival out;
  int64_t arrived_us = now_us;
  if (truck_visit_id != 0) {
    auto v = tx.find_truck_visit(truck_visit_id);
    if (!v) return fail(v.error());
    if (!*v) {
      return fail(ErrorCode::kNotFound, "no truck visit " + std::to_string(truck_visit_id),
                  "truck_visit");
    }
    if ((*v)->exited_us != 0) {
      return fail(ErrorCode::kConflict,
                  "truck visit " + std::to_string(truck_visit_id) + " has already exited",
                  "truck_visit");
    }
    if ((*v)->truck_plate != truck_plate) {
      return fail(ErrorCode::kConflict,
                  "truck visit " + std::to_string(truck_visit_id) + " is truck " +
                      (*v)->truck_plate + ", not " + truck_plate,
                  "truck_plate");
    }
    out.truck_visit_id = truck_visit_id;
    arrived_us = (*v)->arrived_us;  // the slot is kept by arriving in time, not by the queue
  }
  const std::string dir(t::to_string(direction));
  const int64_t grace = settings.appointment_grace_minutes * kMinute;
  std::optional<store::AppointmentRecord> appt;
  if (appointment_id != 0) {
    auto a = tx.find_appointment(appointment_id);
    if (!a) return fail(a.error());
    if (!*a) {
      return fail(ErrorCode::kNotFound, "no appointment " + std::to_string(appointment_id),
                  "appointment");
    }
    if ((*a)->state != "booked") {
      return fail(ErrorCode::kConflict,
                  "appointment " + std::to_string(appointment_id) + " is " + (*a)->state,
                  "appointment");
    }
    if ((*a)->container_id != container_id || (*a)->direction != direction) {
      return fail(ErrorCode::kConflict,
                  "appointment " + std::to_string(appointment_id) + " is for gate-" +
                      std::string(t::to_string((*a)->direction)) + " of " + (*a)->container_id +
                      ", not gate-" + dir + " of " + container_id,
                  "appointment");
    }
    appt = std::move(*a);
  } else {
    auto a = tx.find_booked_appointment(container_id, direction);
    if (!a) return fail(a.error());
    appt = std::move(*a);
  }
  if (appt) {
    bool in_window =
        arrived_us >= appt->slot_start_us - grace && arrived_us < appt->slot_end_us + grace;
    if (in_window) {
      out.appointment_id = appt->id;
    } else if (appointment_id != 0 || settings.appointments_required) {
      return fail(ErrorCode::kConflict,
                  "appointment " + std::to_string(appt->id) + " is for the slot " +
                      window_text(*appt) + "; the truck arrived at " + format_utc(arrived_us) +
                      " (" + std::to_string(settings.appointment_grace_minutes) +
                      " minutes' grace either side)",
                  "appointment");
    }
  }
  if (out.appointment_id == 0 && settings.appointments_required) {
    return fail(ErrorCode::kConflict,
                "gate-" + dir + " of " + container_id +
                    " needs a booked appointment (the terminal requires appointments)",
                "appointment");
  }
  return out;
}

GateService::GateService(store::Store& store, WritePath& writes, GateSettings settings)
    : store_(store), writes_(writes), settings_(std::move(settings)) {}

Status GateService::require(const access::Actor& actor, Permission p) const {
  if (!actor.has(p)) {
    return fail(ErrorCode::kPermissionDenied,
                "you need permission " + std::string(access::to_string(p)));
  }
  return ok();
}

// G2.2.1-a: a haulier's client sees and changes only its own appointments; another haulier's
// is answered as absent.
Status GateService::haulier_scope(const access::Actor& actor,
                                  const store::AppointmentRecord& a) const {
  if (actor.sees_haulier(a.haulier)) return ok();
  return fail(ErrorCode::kNotFound, "no appointment " + std::to_string(a.id));
}

Result<std::vector<store::GateSlotRecord>> GateService::define_slots(const access::Actor& actor,
                                                                     const SlotRun& run) {
  if (run.minutes < 5 || run.minutes > 24 * 60) {
    return fail(ErrorCode::kInvalidArgument, "a slot is 5 to 1440 minutes long", "minutes");
  }
  if (run.capacity < 0 || run.capacity > 10'000) {
    return fail(ErrorCode::kInvalidArgument, "a slot's capacity is 0 to 10000 trucks", "capacity");
  }
  const int64_t len = run.minutes * kMinute;
  if (run.to_us <= run.from_us || (run.to_us - run.from_us) % len != 0) {
    return fail(
        ErrorCode::kInvalidArgument,
        "the period must be a whole number of slots of " + std::to_string(run.minutes) + " minutes",
        "to");
  }
  if ((run.to_us - run.from_us) / len > 24 * 31) {
    return fail(ErrorCode::kInvalidArgument, "at most 744 slots at once", "to");
  }
  return writes_.execute<std::vector<store::GateSlotRecord>>(
      actor, {"gate.slots", "gate:slots", Permission::kGatePlan},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<std::vector<store::GateSlotRecord>> {
        auto existing = tx.gate_slots(run.from_us, run.to_us);
        if (!existing) return fail(existing.error());
        for (const auto& e : *existing) {
          bool aligned = (e.start_us - run.from_us) % len == 0 && e.end_us - e.start_us == len;
          if (!aligned) {
            return fail(ErrorCode::kConflict,
                        "the slot " + format_utc(e.start_us) + " to " + format_utc(e.end_us) +
                            " overlaps the new slots; change or remove it first",
                        "from");
          }
          if (e.booked > run.capacity) {
            return fail(ErrorCode::kConflict,
                        "the slot from " + format_utc(e.start_us) + " has " +
                            std::to_string(e.booked) + " appointments, more than capacity " +
                            std::to_string(run.capacity),
                        "capacity");
          }
        }
        for (int64_t s = run.from_us; s < run.to_us; s += len) {
          MINATO_TRY(tx.upsert_gate_slot({s, s + len, run.capacity, 0}));
        }
        fx.change = change_json(json::object{{"from", format_utc(run.from_us)},
                                             {"to", format_utc(run.to_us)},
                                             {"minutes", run.minutes},
                                             {"capacity", run.capacity}},
                                "gate_slots", "upsert");
        auto out = tx.gate_slots(run.from_us, run.to_us);
        if (!out) return fail(out.error());
        json::array arr;
        for (const auto& g : *out) arr.push_back(to_json(g));
        fx.response = json::serialize(json::object{{"slots", std::move(arr)}});
        return std::move(*out);
      });
}

Result<std::vector<store::GateSlotRecord>> GateService::slots(const access::Actor& actor,
                                                              int64_t from_us, int64_t to_us) {
  if (!actor.has(Permission::kTerminalRead)) MINATO_TRY(require(actor, Permission::kAppointment));
  if (to_us <= from_us || to_us - from_us > 31LL * 24 * 60 * kMinute) {
    return fail(ErrorCode::kInvalidArgument, "give a period of up to 31 days", "to");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->gate_slots(from_us, to_us);
}

Result<store::AppointmentRecord> GateService::book(const access::Actor& actor,
                                                   AppointmentRequest req) {
  auto plate = t::normalise_truck_plate(req.truck_plate);
  if (!plate) return fail(plate.error());
  req.truck_plate = *plate;
  if (actor.haulier_scoped()) {
    if (actor.scope.empty()) {  // fail closed: it does not know whose trucks it books
      return fail(ErrorCode::kPermissionDenied,
                  "this API account has no haulier code (scope); ask for one to book appointments");
    }
    if (!req.haulier.empty() && req.haulier != actor.scope) {
      return fail(ErrorCode::kPermissionDenied,
                  "this account books for haulier " + actor.scope + " only", "haulier");
    }
    req.haulier = actor.scope;
  }
  if (!t::valid_haulier(req.haulier)) {
    return fail(ErrorCode::kInvalidArgument, "haulier must be its code, 2-12 of A-Z and 0-9",
                "haulier");
  }
  const std::string cid = req.container_id.str();
  return writes_.execute<store::AppointmentRecord>(
      actor, {"gate.appointment.book", "unit:" + cid, Permission::kAppointment, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<store::AppointmentRecord> {
        auto found = tx.gate_slots(req.slot_start_us, req.slot_start_us + 1);
        if (!found) return fail(found.error());
        if (found->empty() || found->front().start_us != req.slot_start_us) {
          return fail(ErrorCode::kNotFound,
                      "no gate slot starts at " + format_utc(req.slot_start_us), "slot");
        }
        const auto& slot = found->front();
        if (slot.end_us <= fx.now_us) {
          return fail(ErrorCode::kConflict,
                      "the slot from " + format_utc(slot.start_us) + " is over", "slot");
        }
        if (slot.booked >= slot.capacity) {
          return fail(ErrorCode::kConflict,
                      "the slot from " + format_utc(slot.start_us) + " is full (" +
                          std::to_string(slot.booked) + " of " + std::to_string(slot.capacity) +
                          " trucks)",
                      "slot");
        }
        if (req.direction == t::GateDirection::kOut) {
          // A collection needs a unit that is here or expected; whether it may leave (holds,
          // PIN) is decided at the gate, as releases often come after the booking.
          auto unit = tx.find_current_unit(req.container_id);
          if (!unit) return fail(unit.error());
          if (!*unit || (*unit)->state() == t::UnitState::kDeparted ||
              (*unit)->state() == t::UnitState::kLoaded) {
            return fail(ErrorCode::kNotFound, "no unit " + cid + " to collect", "container_id");
          }
        }
        store::AppointmentRecord a;
        a.slot_start_us = slot.start_us;
        a.slot_end_us = slot.end_us;
        a.direction = req.direction;
        a.container_id = cid;
        a.truck_plate = req.truck_plate;
        a.haulier = req.haulier;
        a.created_us = fx.now_us;
        a.created_by = actor.subject;
        auto id = tx.insert_appointment(a);
        if (!id) return fail(id.error());
        a.id = *id;
        json::object o = to_json(a);
        fx.response = json::serialize(o);
        fx.change = change_json(std::move(o), "appointments", "insert");
        return a;
      });
}

Result<store::AppointmentRecord> GateService::appointment(const access::Actor& actor, int64_t id) {
  if (!actor.has(Permission::kTerminalRead)) MINATO_TRY(require(actor, Permission::kAppointment));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto a = (*rx)->find_appointment(id);
  if (!a) return fail(a.error());
  if (!*a) return fail(ErrorCode::kNotFound, "no appointment " + std::to_string(id));
  MINATO_TRY(haulier_scope(actor, **a));
  return std::move(**a);
}

Result<store::AppointmentRecord> GateService::cancel(const access::Actor& actor, int64_t id) {
  return writes_.execute<store::AppointmentRecord>(
      actor,
      {"gate.appointment.cancel", "appointment:" + std::to_string(id), Permission::kAppointment,
       true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<store::AppointmentRecord> {
        auto a = tx.find_appointment(id);
        if (!a) return fail(a.error());
        if (!*a) return fail(ErrorCode::kNotFound, "no appointment " + std::to_string(id));
        MINATO_TRY(haulier_scope(actor, **a));
        if ((*a)->state != "booked") {
          return fail(ErrorCode::kConflict, "appointment " + std::to_string(id) + " is " +
                                                (*a)->state +
                                                "; only a booked one can be cancelled");
        }
        MINATO_TRY(tx.finish_appointment(id, "cancelled", 0));
        (*a)->state = "cancelled";
        json::object o = to_json(**a);
        fx.response = json::serialize(o);
        fx.change = change_json(std::move(o), "appointments", "update");
        return std::move(**a);
      });
}

Result<store::TruckVisitRecord> GateService::truck_arrived(const access::Actor& actor,
                                                           TruckArrival req) {
  auto plate = t::normalise_truck_plate(req.truck_plate);
  if (!plate) return fail(plate.error());
  if (!req.haulier.empty() && !t::valid_haulier(req.haulier)) {
    return fail(ErrorCode::kInvalidArgument, "haulier must be its code, 2-12 of A-Z and 0-9",
                "haulier");
  }
  return writes_.execute<store::TruckVisitRecord>(
      actor, {"gate.truck.arrive", "truck:" + *plate, Permission::kGateWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<store::TruckVisitRecord> {
        if (!req.lane.empty()) {
          auto layout = tx.layout();
          if (!layout) return fail(layout.error());
          bool known = false;
          for (const auto& l : layout->lanes) {
            known = known || (l.name == req.lane && l.direction != t::LaneDirection::kOut);
          }
          if (!known) {
            return fail(ErrorCode::kInvalidArgument,
                        "no in-gate lane " + req.lane + " in the terminal's layout", "lane");
          }
        }
        store::TruckVisitRecord v{0,         *plate,        req.haulier, req.lane,
                                  fx.now_us, actor.subject, 0,           ""};
        auto id = tx.insert_truck_visit(v);
        if (!id) return fail(id.error());
        v.id = *id;
        json::object o = to_json(v);
        fx.response = json::serialize(o);
        fx.change = change_json(std::move(o), "truck_visits", "insert");
        return v;
      });
}

Result<store::TruckVisitRecord> GateService::truck_exited(const access::Actor& actor, int64_t id) {
  return writes_.execute<store::TruckVisitRecord>(
      actor, {"gate.truck.exit", "truck_visit:" + std::to_string(id), Permission::kGateWrite, true},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<store::TruckVisitRecord> {
        auto v = tx.find_truck_visit(id);
        if (!v) return fail(v.error());
        if (!*v) return fail(ErrorCode::kNotFound, "no truck visit " + std::to_string(id));
        if ((*v)->exited_us != 0) {
          return fail(ErrorCode::kConflict, "truck " + (*v)->truck_plate + " has already exited");
        }
        MINATO_TRY(tx.close_truck_visit(id, fx.now_us, actor.subject));
        (*v)->exited_us = fx.now_us;
        (*v)->exited_by = actor.subject;
        json::object o = to_json(**v);
        fx.response = json::serialize(o);
        fx.change = change_json(std::move(o), "truck_visits", "update");
        return std::move(**v);
      });
}

Result<store::TruckVisitRecord> GateService::truck_visit(const access::Actor& actor, int64_t id) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto v = (*rx)->find_truck_visit(id);
  if (!v) return fail(v.error());
  if (!*v) return fail(ErrorCode::kNotFound, "no truck visit " + std::to_string(id));
  return std::move(**v);
}

Result<GateService::TrucksInside> GateService::trucks_inside(const access::Actor& actor,
                                                             int limit) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  if (limit < 1 || limit > 500) {
    return fail(ErrorCode::kInvalidArgument, "limit is 1 to 500", "limit");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto trucks = (*rx)->open_truck_visits(limit);
  if (!trucks) return fail(trucks.error());
  auto inside = (*rx)->count_open_truck_visits();
  if (!inside) return fail(inside.error());
  return TrucksInside{std::move(*trucks), *inside};
}

Result<TurnTimes> GateService::turn_times(const access::Actor& actor, int64_t from_us,
                                          int64_t to_us) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  if (to_us <= from_us || to_us - from_us > 31LL * 24 * 60 * kMinute) {
    return fail(ErrorCode::kInvalidArgument, "give a period of up to 31 days", "to");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto visits = (*rx)->exited_truck_visits(from_us, to_us);
  if (!visits) return fail(visits.error());
  auto inside = (*rx)->count_open_truck_visits();
  if (!inside) return fail(inside.error());
  TurnTimes out;
  out.inside = *inside;
  std::vector<double> s;
  s.reserve(visits->size());
  for (const auto& v : *visits) s.push_back(static_cast<double>(v.exited_us - v.arrived_us) / 1e6);
  if (s.empty()) return out;
  std::sort(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += x;
  // Nearest-rank percentiles.
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(s.size())));
    return s[std::max<size_t>(k, 1) - 1];
  };
  out.trucks = static_cast<int64_t>(s.size());
  out.mean_s = sum / static_cast<double>(s.size());
  out.p50_s = rank(0.5);
  out.p90_s = rank(0.9);
  out.max_s = s.back();
  return out;
}

Result<Eir> GateService::eir(const access::Actor& actor, int64_t gate_id,
                             const std::string& format) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  if (format != "html" && format != "pdf") {
    return fail(ErrorCode::kInvalidArgument, "format is html or pdf", "format");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto g = (*rx)->find_gate(gate_id);
  if (!g) return fail(g.error());
  if (!*g) return fail(ErrorCode::kNotFound, "no gate transaction " + std::to_string(gate_id));
  EirInput in{settings_.terminal_name, settings_.utc_offset_s, std::move(**g), {}, {}};
  if (in.gate.truck_visit_id != 0) {
    auto v = (*rx)->find_truck_visit(in.gate.truck_visit_id);
    if (!v) return fail(v.error());
    in.truck = std::move(*v);
  }
  if (in.gate.appointment_id != 0) {
    auto a = (*rx)->find_appointment(in.gate.appointment_id);
    if (!a) return fail(a.error());
    in.appointment = std::move(*a);
  }
  std::string name = "eir-" + std::to_string(gate_id) + "-" + in.gate.container_id;
  if (format == "pdf") {
    std::string pdf = eir_pdf(in);
    if (pdf.empty()) return fail(ErrorCode::kInternal, "the EIR's PDF could not be written");
    return Eir{"application/pdf", std::move(pdf), name + ".pdf"};
  }
  return Eir{"text/html; charset=utf-8", eir_html(in), name + ".html"};
}

}  // namespace minato::app
