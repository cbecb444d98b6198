#include "app/edi_export.h"

#include <boost/json.hpp>

#include "common/clock.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;
using access::Permission;

namespace {

// The unit as an equipment record of a message.
edi::Equipment equipment_of(const t::Unit& u) {
  const t::UnitSpec& s = u.spec();
  edi::Equipment e;
  e.container = s.container_id.str();
  e.size_type = s.size_type.code();
  e.full = s.freight == t::FreightKind::kFull;
  e.status = s.category == t::UnitCategory::kExport     ? "2"
             : s.category == t::UnitCategory::kTranship ? "6"
                                                        : "3";
  e.stowage = u.status().vessel_slot;
  e.discharge_port = s.pod;
  e.operator_code = s.line_operator;
  if (s.gross_kg > 0) e.gross_kg = s.gross_kg;
  if (s.vgm) e.vgm_kg = s.vgm->kg;
  e.seals = s.seals;
  for (const auto& dg : s.dangerous_goods) {
    e.dangerous_goods.push_back(
        edi::DangerousGoodsItem{std::string(dg.imdg_class.str()), dg.un_number});
  }
  if (s.reefer) e.set_point_dc = s.reefer->set_point_dc;
  e.booking = s.booking;
  return e;
}

Result<std::vector<t::Unit>> units_of(store::ReadTxn& rx, const std::string& visit) {
  std::vector<t::Unit> out;
  store::UnitQuery q;
  q.visit = visit;
  q.limit = 1000;
  for (;;) {
    auto page = rx.list_units(q);
    if (!page) return fail(page.error());
    if (page->empty()) return out;
    q.after_id = page->back().id();
    for (auto& u : *page) out.push_back(std::move(u));
  }
}

Result<t::VesselVisit> visit_of(store::ReadTxn& rx, const std::string& id) {
  auto v = rx.find_visit(id);
  if (!v) return fail(v.error());
  if (!*v) return fail(ErrorCode::kNotFound, "no vessel visit " + id, "visit");
  return **v;
}

edi::VesselCall call_of(const t::VesselVisit& v, const std::string& place) {
  edi::VesselCall c;
  c.voyage = v.spec().id;
  c.vessel_id = v.spec().imo;
  c.vessel_id_kind = "146";  // IMO number
  c.vessel_name = v.spec().vessel_name;
  c.place = place;
  return c;
}

edi::Interchange interchange(const std::string& locode, const std::string& recipient,
                             int64_t now_us) {
  std::string ref = std::to_string(now_us / 1'000'000);
  return edi::Interchange{locode.empty() ? "MINATO" : locode,
                          recipient.empty() ? "PARTNER" : recipient, ref, now_us};
}

}  // namespace

Result<std::unique_ptr<store::ReadTxn>> EdiExport::snapshot(const access::Actor& actor) {
  if (!actor.has(Permission::kTerminalRead)) {
    return fail(ErrorCode::kPermissionDenied, "exporting EDI needs terminal.read");
  }
  return store_.read();
}

Result<EdiExport::VisitUnits> EdiExport::visit_units(const access::Actor& actor,
                                                     const std::string& visit) {
  auto rx = snapshot(actor);
  if (!rx) return fail(rx.error());
  auto v = visit_of(**rx, visit);
  if (!v) return fail(v.error());
  auto units = units_of(**rx, visit);
  if (!units) return fail(units.error());
  return VisitUnits{std::move(*rx), std::move(*v), std::move(*units)};
}

Result<std::string> EdiExport::baplie(const access::Actor& actor, const std::string& visit,
                                      bool arrival, const std::string& recipient) {
  auto vu = visit_units(actor, visit);
  if (!vu) return fail(vu.error());
  auto& [rx, v, units] = *vu;
  std::vector<edi::Equipment> on_board;
  for (const auto& u : units) {
    bool take =
        arrival ? (u.state() == t::UnitState::kAdvised && u.spec().inbound_visit == visit)
                : ((u.state() == t::UnitState::kLoaded || u.state() == t::UnitState::kDeparted) &&
                   u.spec().outbound_visit == visit);
    if (!take || u.status().vessel_slot.empty()) continue;
    edi::Equipment e = equipment_of(u);
    if (!arrival) e.load_port = locode_;
    on_board.push_back(std::move(e));
  }
  return edi::write_baplie(interchange(locode_, recipient, clock_.now_us()), call_of(v, locode_),
                           on_board);
}

Result<std::string> EdiExport::coarri(const access::Actor& actor, const std::string& visit,
                                      edi::ReportKind kind, const std::string& recipient) {
  auto vu = visit_units(actor, visit);
  if (!vu) return fail(vu.error());
  auto& [rx, v, units] = *vu;
  const t::MoveKind wanted =
      kind == edi::ReportKind::kLoad ? t::MoveKind::kLoad : t::MoveKind::kDischarge;
  std::vector<edi::Equipment> moved;
  for (const auto& u : units) {
    auto moves = rx->unit_moves(u.id());
    if (!moves) return fail(moves.error());
    for (const auto& m : *moves) {
      if (m.move.kind != wanted) continue;
      edi::Equipment e = equipment_of(u);
      e.event_time = format_utc(m.at_us, "%Y%m%d%H%M");
      // The cell it left (discharge) or went to (load): "vessel:VISIT:BBBRRTT", or
      // "vessel:VISIT" for a unit discharged without a known cell (no LOC+147 then: the visit
      // is not a cell).
      const std::string& where = wanted == t::MoveKind::kLoad ? m.move.to : m.move.from;
      const size_t first = where.find(':');
      const size_t last = where.rfind(':');
      if (first != std::string::npos && last != first) e.stowage = where.substr(last + 1);
      moved.push_back(std::move(e));
      break;
    }
  }
  return edi::write_report(interchange(locode_, recipient, clock_.now_us()), call_of(v, locode_),
                           kind, moved);
}

Result<std::string> EdiExport::codeco(const access::Actor& actor, int64_t from_us, int64_t to_us,
                                      edi::ReportKind kind, const std::string& recipient) {
  auto rx = snapshot(actor);
  if (!rx) return fail(rx.error());
  const t::GateDirection dir =
      kind == edi::ReportKind::kGateOut ? t::GateDirection::kOut : t::GateDirection::kIn;
  constexpr int kMax = 200'000;
  auto gates = (*rx)->list_gates(from_us, to_us, kMax + 1);
  if (!gates) return fail(gates.error());
  if (gates->size() > static_cast<size_t>(kMax)) {
    return fail(ErrorCode::kResourceExhausted,
                "more than 200,000 gate transactions in the period: export a shorter one");
  }
  std::vector<edi::Equipment> out;
  for (const auto& g : *gates) {
    if (g.direction != dir) continue;
    // The unit as it was handed over (the EIR's snapshot).
    json::error_code ec;
    json::value snap = json::parse(g.snapshot, ec);
    edi::Equipment e;
    e.container = g.container_id;
    e.event_time = format_utc(g.at_us, "%Y%m%d%H%M");
    if (!ec && snap.is_object()) {
      const json::object& o = snap.as_object();
      auto text = [&](const char* k) -> std::string {
        auto it = o.find(k);
        return it != o.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                        : std::string();
      };
      e.size_type = text("size_type");
      e.full = text("freight") != "empty";
      e.operator_code = text("line_operator");
      e.booking = text("booking");
      std::string category = text("category");
      e.status = category == "export" ? "2" : category == "tranship" ? "6" : "3";
      if (auto it = o.find("gross_kg");
          it != o.end() && it->value().is_int64() && it->value().as_int64() > 0) {
        e.gross_kg = static_cast<int>(it->value().as_int64());
      }
    }
    out.push_back(std::move(e));
  }
  edi::VesselCall call;
  call.place = locode_;
  return edi::write_report(interchange(locode_, recipient, clock_.now_us()), call, kind, out);
}

}  // namespace minato::app
