#include "app/views.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;

namespace {

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

json::object to_json(const t::Unit& u) {
  const auto& s = u.spec();
  const auto& st = u.status();
  json::object o{{"id", u.id()},
                 {"container_id", s.container_id.str()},
                 {"size_type", s.size_type.code()},
                 {"iso_size_type", s.size_type.iso_code()},
                 {"teu", s.size_type.teu()},
                 {"category", t::to_string(s.category)},
                 {"freight", t::to_string(s.freight)},
                 {"line_operator", s.line_operator},
                 {"gross_kg", s.gross_kg},
                 {"state", t::to_string(u.state())},
                 {"slot", u.slot() ? json::value(u.slot()->str()) : json::value(nullptr)},
                 {"version", u.version()}};
  if (s.vgm) {
    o["vgm"] = json::object{
        {"kg", s.vgm->kg}, {"method", t::to_string(s.vgm->method)}, {"party", s.vgm->party}};
  } else {
    o["vgm"] = nullptr;
  }
  json::array seals;
  for (const auto& x : s.seals) seals.emplace_back(x);
  o["seals"] = std::move(seals);
  json::array dgs;
  for (const auto& dg : s.dangerous_goods) {
    dgs.push_back(json::object{{"un_number", dg.un_number}, {"imdg_class", dg.imdg_class.str()}});
  }
  o["dangerous_goods"] = std::move(dgs);
  if (s.reefer) {
    o["reefer"] = json::object{{"set_point_c", s.reefer->set_point_dc / 10.0},
                               {"needs_power", s.reefer->needs_power}};
  } else {
    o["reefer"] = nullptr;
  }
  if (s.over_dimensions) {
    const auto& d = *s.over_dimensions;
    o["over_dimensions"] = json::object{{"front_cm", d.front_cm},
                                        {"back_cm", d.back_cm},
                                        {"left_cm", d.left_cm},
                                        {"right_cm", d.right_cm},
                                        {"top_cm", d.top_cm}};
  } else {
    o["over_dimensions"] = nullptr;
  }
  json::array damages;
  for (const auto& d : s.damages)
    damages.push_back(json::object{{"code", d.code}, {"note", d.note}});
  o["damages"] = std::move(damages);
  json::array holds;
  for (const auto& h : st.holds) {
    holds.push_back(json::object{{"kind", t::to_string(h.kind)},
                                 {"reason", h.reason},
                                 {"by", h.by},
                                 {"at", format_utc(h.at_us)}});
  }
  o["holds"] = std::move(holds);
  o["booking"] = text_or_null(s.booking);
  o["delivery_order"] = text_or_null(s.delivery_order);
  o["pin_set"] = !st.pin_hash.empty();
  o["inbound_visit"] = text_or_null(s.inbound_visit);
  o["outbound_visit"] = text_or_null(s.outbound_visit);
  o["pod"] = text_or_null(s.pod);
  o["vessel_slot"] = text_or_null(st.vessel_slot);
  o["in_yard_since"] =
      st.in_yard_us == 0 ? json::value(nullptr) : json::value(format_utc(st.in_yard_us));
  return o;
}

json::object to_json(const t::VesselVisit& v) {
  const auto& s = v.spec();
  return json::object{{"id", s.id},
                      {"vessel_name", s.vessel_name},
                      {"imo", s.imo},
                      {"berth", s.berth},
                      {"eta", format_utc(s.eta_us)},
                      {"etd", format_utc(s.etd_us)},
                      {"phase", t::to_string(v.phase())}};
}

json::object to_json(const t::YardBlock& b) {
  json::array reefer;
  for (const auto& a : b.reefer) reefer.emplace_back(a.str());
  return json::object{{"name", b.name},
                      {"bays", b.bays},
                      {"rows", b.rows},
                      {"tiers", b.tiers},
                      {"reefer", std::move(reefer)},
                      {"hazardous", b.hazardous},
                      {"capacity_teu", b.capacity_teu()}};
}

json::object to_json(const t::TerminalLayout& l) {
  json::array blocks, berths, lanes;
  for (const auto& b : l.blocks) blocks.push_back(to_json(b));
  for (const auto& b : l.berths)
    berths.push_back(json::object{{"name", b.name}, {"length_m", b.length_m}});
  for (const auto& x : l.lanes) {
    lanes.push_back(json::object{{"name", x.name}, {"direction", t::to_string(x.direction)}});
  }
  return json::object{{"blocks", std::move(blocks)},
                      {"berths", std::move(berths)},
                      {"lanes", std::move(lanes)},
                      {"capacity_teu", l.capacity_teu()}};
}

json::object to_json(const store::BookingRecord& b) {
  return json::object{{"number", b.number},
                      {"line_operator", b.line_operator},
                      {"outbound_visit", b.outbound_visit},
                      {"pod", b.pod},
                      {"size_type", b.size_type},
                      {"quantity", b.quantity},
                      {"created", format_utc(b.created_us)},
                      {"created_by", b.created_by}};
}

std::string change_json(json::object o, const char* table, const char* op) {
  o["table"] = table;
  o["op"] = op;
  return json::serialize(o);
}

json::object to_json(const store::GateSlotRecord& g) {
  return json::object{{"start", format_utc(g.start_us)},
                      {"end", format_utc(g.end_us)},
                      {"capacity", g.capacity},
                      {"booked", g.booked},
                      {"free", std::max(0, g.capacity - g.booked)}};
}

json::object to_json(const store::AppointmentRecord& a) {
  json::object o{{"id", a.id},
                 {"slot_start", format_utc(a.slot_start_us)},
                 {"slot_end", format_utc(a.slot_end_us)},
                 {"direction", t::to_string(a.direction)},
                 {"container_id", a.container_id},
                 {"truck_plate", a.truck_plate},
                 {"haulier", a.haulier},
                 {"state", a.state},
                 {"created", format_utc(a.created_us)},
                 {"created_by", a.created_by}};
  o["gate_id"] = a.gate_id == 0 ? json::value(nullptr) : json::value(a.gate_id);
  return o;
}

json::object to_json(const store::TruckVisitRecord& v) {
  json::object o{
      {"id", v.id},     {"truck_plate", v.truck_plate},        {"haulier", v.haulier},
      {"lane", v.lane}, {"arrived", format_utc(v.arrived_us)}, {"arrived_by", v.arrived_by}};
  if (v.exited_us != 0) {
    o["exited"] = format_utc(v.exited_us);
    o["exited_by"] = v.exited_by;
    o["turn_time_s"] = (v.exited_us - v.arrived_us) / 1'000'000;
  } else {
    o["exited"] = nullptr;
    o["turn_time_s"] = nullptr;
  }
  return o;
}

json::object to_json(const store::IncidentRecord& i) {
  boost::system::error_code ec;
  json::value report = json::parse(i.report, ec);
  if (ec || !report.is_object()) report = json::object{};
  return json::object{
      {"id", i.id},
      {"opened", format_utc(i.opened_us)},
      {"opened_by", i.opened_by},
      {"severity", i.severity},
      {"summary", i.summary},
      {"state", i.state},
      {"closed", i.closed_us == 0 ? json::value(nullptr) : json::value(format_utc(i.closed_us))},
      {"report", std::move(report)}};
}

json::object to_json(const store::IncidentEntry& e) {
  return json::object{
      {"at", format_utc(e.at_us)}, {"kind", e.kind}, {"text", e.text}, {"by", e.by}};
}

json::object to_json(const store::ContainmentRecord& c) {
  return json::object{{"measure", c.measure},
                      {"incident", c.incident_id},
                      {"since", format_utc(c.since_us)},
                      {"by", c.set_by},
                      {"reason", c.reason}};
}

json::object to_json(const store::AssetRecord& a) {
  json::object o;
  for (const auto& f : kAssetFields) o[f.name] = a.*f.member;
  o["created"] = format_utc(a.created_us);
  o["updated"] = format_utc(a.updated_us);
  o["updated_by"] = a.updated_by;
  return o;
}

json::object to_json(const store::WorkRecord& w) {
  return json::object{{"id", w.id},
                      {"date", w.work_date},
                      {"work", w.work},
                      {"worker", w.worker},
                      {"approved_by", w.approved_by},
                      {"recorded", format_utc(w.recorded_us)},
                      {"recorded_by", w.recorded_by}};
}

json::object to_json(const store::MediaLoanRecord& l, int64_t now_us) {
  json::object o{{"id", l.id},
                 {"approval", l.approval_id},
                 {"holder", l.holder},
                 {"purpose", l.purpose},
                 {"out", format_utc(l.out_us)},
                 {"due", format_utc(l.due_us)},
                 {"out_by", l.out_by},
                 {"returned", l.returned_us != 0 ? json::value(format_utc(l.returned_us))
                                                 : json::value(nullptr)},
                 {"returned_by", l.returned_by},
                 {"note", l.return_note}};
  if (now_us != 0) o["overdue"] = l.returned_us == 0 && now_us > l.due_us;
  return o;
}

json::object to_json(const AssetView& v) {
  json::object o = to_json(v.asset);
  json::array work, loans;
  for (const auto& w : v.work) work.push_back(to_json(w));
  for (const auto& l : v.loans) loans.push_back(to_json(l));
  o["work"] = std::move(work);
  o["loans"] = std::move(loans);
  return o;
}

json::object to_json(const store::MediaIntakeRecord& r) {
  return json::object{{"id", r.id},
                      {"received", format_utc(r.received_us)},
                      {"received_by", r.received_by},
                      {"channel", r.channel},
                      {"file_name", r.file_name},
                      {"bytes", r.bytes},
                      {"sha256", r.sha256},
                      {"file_type", r.file_type},
                      {"verdict", r.verdict},
                      {"signature", r.signature},
                      {"engine", r.engine},
                      {"database", r.database},
                      {"database_built", r.database_us ? json::value(format_utc(r.database_us))
                                                       : json::value(nullptr)},
                      {"reason", r.reason},
                      {"override_id", r.override_id},
                      {"stored_as", r.stored_as}};
}

json::object to_json(const audit::VerifyReport& r) {
  json::object out{{"intact", r.intact()},
                   {"events_verified", r.events},
                   {"pruned", r.pruned},
                   {"root", r.root},
                   {"checkpoints_verified", r.checkpoints},
                   {"external_checkpoints_verified", r.external},
                   {"last_checkpoint", r.last_checkpoint}};
  if (!r.intact()) {
    out["first_bad_event"] = r.first_bad;
    if (r.bad_until != 0) out["bad_until"] = r.bad_until;
    out["problem"] = r.problem;
  }
  return out;
}

json::object enrolment_view(const std::string& origin, const CreatedUser& c) {
  return json::object{{"username", c.username},
                      {"enrolment_token", c.enrolment_token},
                      {"expires", format_utc(c.enrolment_expires_us)},
                      {"enrolment_api", origin + "/api/v1/enrolment"},
                      // The console's page for it; the token rides in the fragment, which a
                      // browser never sends to a server or in a Referer.
                      {"enrolment_link", origin + "/enrol#token=" + c.enrolment_token}};
}

json::object to_json(const secops::SoftwareComponent& c) {
  return json::object{{"type", c.type},
                      {"name", c.name},
                      {"version", c.version},
                      {"arch", c.arch},
                      {"purl", c.purl},
                      {"cpe", c.cpe},
                      {"supplier", c.supplier},
                      {"sha256", c.sha256},
                      {"note", c.note},
                      {"source", c.source},
                      {"source_version", c.source_version}};
}

json::object to_json(const SoftwareListView& l, bool with_components) {
  json::object o{{"tag", l.tag},
                 {"source", l.record.source},
                 {"file", l.record.file_name},
                 {"intake_id", l.record.intake_id},
                 {"count", l.record.count},
                 {"imported_at", l.record.imported_us ? format_utc(l.record.imported_us) : ""},
                 {"imported_by", l.record.imported_by}};
  if (with_components) {
    json::array cs;
    for (const auto& c : l.components) cs.push_back(to_json(c));
    o["components"] = std::move(cs);
  }
  return o;
}

json::object to_json(const UpgradeCheck& c) {
  json::array sets;
  for (const auto& s : c.backup_sets) sets.push_back(json::string(s));
  return json::object{{"from", c.from_version},         {"to", c.release.version},
                      {"artefact", c.artefact.name},    {"size", c.artefact.size},
                      {"sha256", c.artefact.sha256},    {"signer", c.release.signer},
                      {"backup_sets", std::move(sets)}, {"rollback_file", c.rollback_file}};
}

json::object to_json(const FindingView& v) {
  const auto& f = v.finding;
  return json::object{{"id", f.id},
                      {"tag", v.tag},
                      {"package", f.package},
                      {"version", f.version},
                      {"advisory", f.advisory_id},
                      {"fixed", f.fixed},
                      {"cves", f.cves},
                      {"summary", f.summary},
                      {"severity", f.severity},
                      {"kev", f.kev},
                      {"ransomware", f.ransomware},
                      {"kev_due", f.kev_due},
                      {"state", f.state},
                      {"owner", f.owner},
                      {"due_date", f.due_date},
                      {"need", f.need},
                      {"method", f.method},
                      {"workaround", f.workaround},
                      {"impact", f.impact},
                      {"schedule", f.schedule},
                      {"tests", f.tests},
                      {"compensating", f.compensating},
                      {"first_seen", format_utc(f.first_seen_us)},
                      {"resolved", f.resolved_us ? format_utc(f.resolved_us) : ""},
                      {"updated", format_utc(f.updated_us)},
                      {"updated_by", f.updated_by}};
}

json::object to_json(const VulnRegister& r) {
  json::array findings, feeds, warnings;
  for (const auto& f : r.findings) findings.push_back(to_json(f));
  for (const auto& s : r.feeds) {
    feeds.push_back(json::object{{"kind", s.kind},
                                 {"file", s.file_name},
                                 {"newest", s.newest},
                                 {"imported", format_utc(s.imported_us)},
                                 {"age_days", s.age_days},
                                 {"stale", s.stale}});
  }
  for (const auto& w : r.warnings) {
    warnings.push_back(json::object{{"code", w.code},
                                    {"kind", w.kind},
                                    {"age_days", w.age_days},
                                    {"limit", w.limit},
                                    {"text", w.text}});
  }
  return json::object{{"findings", std::move(findings)},
                      {"feeds", std::move(feeds)},
                      {"warnings", std::move(warnings)}};
}

json::object to_json(const FeedImport& f) {
  return json::object{
      {"feed", f.feed_id},    {"intake", f.intake_id},          {"kind", f.kind},
      {"entries", f.entries}, {"new_findings", f.new_findings}, {"resolved", f.resolved},
      {"open", f.open}};
}

}  // namespace minato::app
