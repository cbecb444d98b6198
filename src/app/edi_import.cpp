#include "app/edi_import.h"

#include "app/edi_inspection.h"

#include <boost/json.hpp>

#include "app/views.h"
#include "terminal/container_id.h"
#include "terminal/size_type.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

namespace json = boost::json;
namespace t = minato::terminal;
using access::Permission;

namespace {

// The visit an import applies to: it exists and its lists can still change.
Result<t::VesselVisit> open_visit(store::ReadTxn& tx, const std::string& id) {
  auto v = tx.find_visit(id);
  if (!v) return fail(v.error());
  if (!*v) return fail(ErrorCode::kNotFound, "no vessel visit " + id, "visit");
  t::VisitPhase p = (*v)->phase();
  if (p == t::VisitPhase::kCompleted || p == t::VisitPhase::kDeparted ||
      p == t::VisitPhase::kClosed || p == t::VisitPhase::kCancelled) {
    return fail(ErrorCode::kConflict, "vessel visit " + id + " is " + std::string(t::to_string(p)) +
                                          ": its lists can no longer change");
  }
  return **v;
}

// What one import does to the terminal, gathered inside its command.
struct Apply {
  store::WriteTxn& tx;
  Effects& fx;
  const edi::MappedFile& file;
  const EdiImportOptions& opt;
  EdiImportReport& rep;
  json::array created, updated;  // unit views, for the audit change record

  void line(const edi::Equipment& e, std::string outcome, std::string detail) {
    rep.lines.push_back(
        ImportLine{e.container, std::move(outcome), std::move(detail), e.segment, e.line});
  }

  void reject(const edi::Equipment& e, std::string why) {
    ++rep.rejected;
    line(e, "rejected", std::move(why));
  }

  // The container's active unit, if the terminal holds one.
  Result<std::optional<t::Unit>> current(const edi::Equipment& e) {
    auto id = t::ContainerId::parse(e.container);
    if (!id) return fail(id.error());
    return tx.find_current_unit(*id);
  }

  Result<t::VesselVisit> visit() {
    if (opt.visit_id.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "a " + rep.kind + " applies to a vessel visit: give the visit (--visit)",
                  "visit");
    }
    return open_visit(tx, opt.visit_id);
  }

  // The unit's description from what the message says; an error is a rejection's reason.
  Result<t::UnitSpec> spec_of(const edi::Equipment& e, t::UnitCategory full_category,
                              const std::optional<t::Unit>& existing) {
    auto id = t::ContainerId::parse(e.container);
    if (!id) return fail(id.error());
    std::optional<t::SizeType> st;
    if (!e.size_type.empty()) {
      auto s = t::SizeType::parse(e.size_type);
      if (!s) return fail(s.error());
      st = *s;
    } else if (existing) {
      st = existing->spec().size_type;
    } else {
      return fail(ErrorCode::kInvalidArgument, "no size-type for a new unit", "size_type");
    }
    t::UnitSpec spec = existing ? existing->spec() : t::UnitSpec(*id, *st);
    spec.size_type = *st;
    if (!existing || !e.operator_code.empty()) {
      if (!t::valid_line_operator(e.operator_code)) {
        return fail(ErrorCode::kInvalidArgument,
                    e.operator_code.empty()
                        ? std::string("no line operator (NAD+CA or NAD+CF)")
                        : "line operator \"" + e.operator_code + "\" is not 2-6 of A-Z 0-9",
                    "line_operator");
      }
      spec.line_operator = e.operator_code;
    }
    if (!existing) {
      if (e.status == "6") {
        spec.category = t::UnitCategory::kTranship;
      } else {
        spec.category = e.full ? full_category : t::UnitCategory::kEmpty;
      }
      spec.freight = e.full ? t::FreightKind::kFull : t::FreightKind::kEmpty;
    }
    if (e.gross_kg) spec.gross_kg = *e.gross_kg;
    if (!e.seals.empty()) spec.seals = e.seals;
    if (!e.dangerous_goods.empty()) {
      spec.dangerous_goods.clear();
      for (const auto& dg : e.dangerous_goods) {
        auto c = t::ImdgClass::parse(dg.imdg_class);
        if (!c) return fail(c.error());
        spec.dangerous_goods.push_back(t::DangerousGoods{dg.un_number, *c});
      }
    }
    if (e.set_point_dc && st->is_reefer()) spec.reefer = t::ReeferSettings{*e.set_point_dc, true};
    if (!e.booking.empty()) spec.booking = e.booking;
    return spec;
  }

  // Creates the unit, or updates the one still waiting for this visit; a unit that exists
  // otherwise stops the whole import.
  Status put(const edi::Equipment& e, t::UnitCategory full_category,
             const std::function<void(t::UnitSpec&)>& adjust, const std::string& vessel_slot,
             bool allow_update) {
    auto found = current(e);
    if (!found) return fail(found.error());
    std::optional<t::Unit> existing = *found;
    if (existing && (!allow_update || !may_update(*existing))) {
      return fail(ErrorCode::kConflict, "container " + e.container + " (line " +
                                            std::to_string(e.line) +
                                            ") already has an active unit (" +
                                            std::string(t::to_string(existing->state())) +
                                            (existing->spec().inbound_visit.empty()
                                                 ? std::string()
                                                 : ", inbound " + existing->spec().inbound_visit) +
                                            "): the file is not imported");
    }
    auto spec = spec_of(e, full_category, existing);
    if (!spec) {
      reject(e, spec.error().message());
      return ok();
    }
    adjust(*spec);
    if (existing) {
      t::Unit u = *existing;
      if (auto st = u.amend(*spec); !st) {
        reject(e, st.error().message());
        return ok();
      }
      if (!vessel_slot.empty()) u.set_vessel_slot(vessel_slot);
      u.bump_version();
      MINATO_TRY(tx.update_unit(u, fx.now_us));
      updated.push_back(to_json(u));
      ++rep.updated;
      line(e, "updated", vessel_slot);
      return ok();
    }
    auto u = t::Unit::advise(*spec);
    if (!u) {
      reject(e, u.error().message());
      return ok();
    }
    if (!vessel_slot.empty()) u->set_vessel_slot(vessel_slot);
    auto new_id = tx.insert_unit(*u, fx.now_us);
    if (!new_id) {
      return fail(new_id.error().code(), "container " + e.container + " (line " +
                                             std::to_string(e.line) +
                                             "): " + new_id.error().message());
    }
    u->set_id(*new_id);
    created.push_back(to_json(*u));
    ++rep.created;
    line(e, "created", vessel_slot);
    return ok();
  }

  bool may_update(const t::Unit& u) const {
    return u.state() == t::UnitState::kAdvised &&
           (u.spec().inbound_visit == opt.visit_id || u.spec().outbound_visit == opt.visit_id ||
            (u.spec().inbound_visit.empty() && u.spec().outbound_visit.empty()));
  }

  Status discharge_list(bool needs_cells) {
    MINATO_TRY(visit());
    if (opt.port.empty()) {
      return fail(ErrorCode::kFailedPrecondition,
                  "which containers discharge here depends on this terminal's UN/LOCODE: set "
                  "terminal.locode or give --port",
                  "port");
    }
    for (const edi::Equipment& e : file.equipment) {
      if (e.discharge_port != opt.port) {
        ++rep.on_board;
        line(e, "on_board", "discharges at " + (e.discharge_port.empty() ? "?" : e.discharge_port));
        continue;
      }
      if (needs_cells && e.stowage.empty()) {
        reject(e, "no stowage cell");
        continue;
      }
      MINATO_TRY(put(
          e, t::UnitCategory::kImport,
          [&](t::UnitSpec& s) {
            s.inbound_visit = opt.visit_id;
            s.pod = opt.port;
          },
          e.stowage, true));
    }
    return ok();
  }

  Status load_order() {
    MINATO_TRY(visit());
    for (const edi::Equipment& e : file.equipment) {
      MINATO_TRY(put(
          e, t::UnitCategory::kExport,
          [&](t::UnitSpec& s) {
            s.outbound_visit = opt.visit_id;
            if (!e.discharge_port.empty()) s.pod = e.discharge_port;
          },
          "", true));
    }
    return ok();
  }

  Status verified_masses() {
    for (const edi::Equipment& e : file.equipment) {
      auto found = current(e);
      if (!found) return fail(found.error());
      if (!*found) {
        reject(e, "the terminal holds no unit for this container");
        continue;
      }
      if (!e.vgm_kg) {
        reject(e, "no verified gross mass (MEA+AAE+VGM)");
        continue;
      }
      if (e.vgm_method.empty() || e.vgm_party.empty()) {
        reject(e,
               "a VGM needs its SOLAS method (DOC+SM1/SM2) and the party that signed it "
               "(NAD+SPC)");
        continue;
      }
      t::Unit u = **found;
      t::UnitSpec spec = u.spec();
      spec.vgm =
          t::Vgm{*e.vgm_kg, e.vgm_method == "SM2" ? t::VgmMethod::kMethod2 : t::VgmMethod::kMethod1,
                 e.vgm_party.substr(0, 64)};
      if (auto st = u.amend(spec); !st) {
        reject(e, st.error().message());
        continue;
      }
      u.bump_version();
      MINATO_TRY(tx.update_unit(u, fx.now_us));
      updated.push_back(to_json(u));
      ++rep.updated;
      line(e, "updated", "VGM " + std::to_string(*e.vgm_kg) + " kg");
    }
    return ok();
  }

  // COARRI/CODECO from elsewhere: the terminal's own record is the reference.
  Status reports() {
    for (const edi::Equipment& e : file.equipment) {
      auto found = current(e);
      if (!found) return fail(found.error());
      if (!*found) {
        ++rep.differs;
        line(e, "differs", "the terminal has no active unit for this container");
        continue;
      }
      const t::Unit& u = **found;
      std::string detail = std::string(t::to_string(u.state()));
      bool same = true;
      if (!e.stowage.empty() && !u.status().vessel_slot.empty() &&
          e.stowage != u.status().vessel_slot) {
        same = false;
        detail += "; stowage here " + u.status().vessel_slot + ", report " + e.stowage;
      }
      if (!e.size_type.empty() && e.size_type != u.spec().size_type.code() &&
          e.size_type != u.spec().size_type.iso_code()) {
        same = false;
        detail += "; size-type here " + u.spec().size_type.code() + ", report " + e.size_type;
      }
      ++(same ? rep.matches : rep.differs);
      line(e, same ? "matches" : "differs", detail);
    }
    return ok();
  }
};

json::object report_json(const EdiImportReport& r) {
  json::array lines;
  for (const auto& l : r.lines) {
    lines.push_back(json::object{{"container", l.container},
                                 {"outcome", l.outcome},
                                 {"detail", l.detail},
                                 {"segment", l.segment},
                                 {"line", l.line}});
  }
  json::array diags;
  for (const auto& d : r.diagnostics) {
    diags.push_back(json::object{
        {"severity", d.severity == edi::Diagnostic::Severity::kError ? "error" : "warning"},
        {"code", d.code},
        {"message", d.message},
        {"segment", d.segment},
        {"line", d.line}});
  }
  return json::object{{"sha256", r.sha256},     {"intake_id", r.intake_id}, {"kind", r.kind},
                      {"visit", r.visit_id},    {"created", r.created},     {"updated", r.updated},
                      {"rejected", r.rejected}, {"on_board", r.on_board},   {"differs", r.differs},
                      {"matches", r.matches},   {"lines", lines},           {"diagnostics", diags}};
}

}  // namespace

std::string response_json(const EdiImportReport& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.json, ec);
  json::object out = !ec && v.is_object() ? v.as_object() : json::object{};
  out["already_imported"] = r.already_imported;
  out["this_intake_id"] = r.intake_id;
  json::array warnings;
  for (const auto& w : r.warnings) warnings.emplace_back(w);
  out["warnings"] = std::move(warnings);
  return json::serialize(out);
}

Result<IntakeOutcome> EdiImport::take_in(const access::Actor& actor, const std::string& file_name,
                                         std::string data, const std::string& channel) {
  auto in = intake_.receive(actor, file_name, std::move(data), channel);
  if (!in) return fail(in.error());
  if (in->type != secops::FileType::kEdifact) {
    return fail(ErrorCode::kInvalidArgument,
                file_name + " was taken in (intake record " + std::to_string(in->record.id) +
                    ") but is CSV, not EDIFACT: there is nothing to import as EDI");
  }
  return in;
}

Result<EdiInspection> EdiImport::inspect_file(const access::Actor& actor,
                                              const std::string& file_name, std::string data,
                                              const std::string& channel,
                                              edi::Strictness strictness) {
  MINATO_TRY(
      writes_.authorize(actor, {"edi.inspect", "file:" + file_name, Permission::kEdiImport}));
  auto in = take_in(actor, file_name, std::move(data), channel);
  if (!in) return fail(in.error());
  EdiInspection out;
  out.intake_id = in->record.id;
  out.sha256 = in->record.sha256;
  out.warnings = in->warnings;
  const edi::MappedFile mapped = edi::map_file(in->data, strictness);
  out.inspection = inspection_json(file_name, in->data.size(), mapped);
  return out;
}

Result<EdiImportReport> EdiImport::import_file(const access::Actor& actor,
                                               const std::string& file_name, std::string data,
                                               const std::string& channel,
                                               const EdiImportOptions& options) {
  // The arguments first: a mistyped visit refuses the file before it is taken in, so it
  // leaves no intake record (the check is made again inside the import's transaction).
  const CommandSpec spec{"edi.import", "file:" + file_name, Permission::kEdiImport};
  MINATO_TRY(writes_.authorize(actor, spec));
  if (!options.visit_id.empty()) {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto v = open_visit(**rx, options.visit_id);
    if (!v) return fail(v.error());
  }
  auto in = take_in(actor, file_name, std::move(data), channel);
  if (!in) return fail(in.error());
  const edi::MappedFile f = edi::map_file(in->data, options.strictness);
  EdiImportReport rep;
  rep.sha256 = in->record.sha256;
  rep.intake_id = in->record.id;
  rep.visit_id = options.visit_id;
  rep.diagnostics = f.diagnostics.list();
  rep.warnings = in->warnings;
  auto first_error = [&]() -> std::string {
    for (const auto& d : f.diagnostics.list()) {
      if (d.severity == edi::Diagnostic::Severity::kError) {
        return d.message + " (line " + std::to_string(d.line) + ", segment " +
               std::to_string(d.segment) + ")";
      }
    }
    return "";
  };
  std::string refusal;
  edi::MessageKind kind = edi::MessageKind::kOther;
  for (const auto& m : f.messages) {
    if (kind == edi::MessageKind::kOther) kind = m.kind;
    if (m.kind != kind) {
      refusal = "the file mixes " + std::string(edi::to_string(kind)) + " and " + m.info.type +
                " messages; send one kind per file";
    }
  }
  rep.kind = std::string(edi::to_string(kind));
  if (f.messages.empty()) refusal = "the file holds no message";
  if (refusal.empty() && kind == edi::MessageKind::kOther) {
    refusal = "message type " + f.messages[0].info.type +
              " is not imported (BAPLIE, COPRAR, VERMAS, COARRI, CODECO are)";
  }
  if (refusal.empty() && f.diagnostics.errors() > 0) {
    refusal = "the file has " + std::to_string(f.diagnostics.errors()) +
              (f.diagnostics.errors() == 1 ? " error: " : " errors; the first: ") + first_error();
  }
  const std::string target = "file:" + rep.sha256;
  auto st = writes_.execute_status(
      actor, {"edi.import", target, Permission::kEdiImport},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        if (!refusal.empty()) return fail(ErrorCode::kInvalidArgument, refusal);
        auto prev = tx.find_edi_import(rep.sha256);
        if (!prev) return fail(prev.error());
        if (*prev) {
          rep.already_imported = true;
          rep.json = (*prev)->report;
          fx.reason = "already imported on intake " + std::to_string((*prev)->intake_id) +
                      ": nothing changed";
          return ok();
        }
        Apply a{tx, fx, f, options, rep, {}, {}};
        for (const edi::Rejection& r : f.rejected) {
          ++rep.rejected;
          rep.lines.push_back(ImportLine{r.container, "rejected", r.reason, r.segment, r.line});
        }
        const std::string doc = f.messages[0].call.document_code;
        switch (kind) {
          case edi::MessageKind::kBaplie:
            MINATO_TRY(a.discharge_list(true));
            break;
          case edi::MessageKind::kCoprar:
            MINATO_TRY(doc == "45" ? a.load_order() : a.discharge_list(false));
            break;
          case edi::MessageKind::kVermas:
            MINATO_TRY(a.verified_masses());
            break;
          default:
            MINATO_TRY(a.reports());
            break;
        }
        json::object report = report_json(rep);
        rep.json = json::serialize(report);
        MINATO_TRY(tx.insert_edi_import(store::EdiImportRecord{
            rep.sha256, rep.intake_id, fx.now_us, actor.subject, rep.kind, rep.visit_id,
            rep.created + rep.updated, rep.rejected, rep.json}));
        fx.reason = rep.kind + ": " + std::to_string(rep.created) + " created, " +
                    std::to_string(rep.updated) + " updated, " + std::to_string(rep.rejected) +
                    " rejected";
        fx.change = json::serialize(json::object{{"table", "units"},
                                                 {"op", "edi.import"},
                                                 {"sha256", rep.sha256},
                                                 {"kind", rep.kind},
                                                 {"visit", rep.visit_id},
                                                 {"insert", std::move(a.created)},
                                                 {"update", std::move(a.updated)}});
        return ok();
      });
  if (!st) return fail(st.error());
  return rep;
}

}  // namespace minato::app
