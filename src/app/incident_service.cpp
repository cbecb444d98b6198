#include "app/incident_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "app/alerts.h"
#include "app/runtime.h"
#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 5> kEntryKinds = {"detected", "reported", "notified",
                                                         "recovered", "note"};

// low < medium < high < critical.
int rank(std::string_view severity) {
  return static_cast<int>(std::find(kSeverities.begin(), kSeverities.end(), severity) -
                          kSeverities.begin());
}

std::string measure_list(const std::vector<Measure>& ms) {
  std::string out;
  for (Measure m : ms) out += (out.empty() ? "" : ", ") + std::string(to_string(m));
  return out.empty() ? "none" : out;
}

Result<store::IncidentRecord> open_incident(store::WriteTxn& tx, int64_t id) {
  auto found = tx.find_incident(id);
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no incident " + std::to_string(id), "incident");
  if ((*found)->state == "closed") {
    return fail(ErrorCode::kFailedPrecondition, "incident " + std::to_string(id) + " is closed",
                "incident");
  }
  return std::move(**found);
}

Status add_entry(store::WriteTxn& tx, int64_t incident, int64_t at_us, std::string kind,
                 std::string text, const access::Actor& actor) {
  auto id = tx.insert_incident_entry(
      store::IncidentEntry{0, incident, at_us, std::move(kind), std::move(text), actor.subject});
  if (!id) return fail(id.error());
  return ok();
}

Status check_text(const std::string& text, size_t max, const char* field) {
  if (text.empty() || text.size() > max) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(field) + " must be 1 to " + std::to_string(max) + " bytes", field);
  }
  return ok();
}

}  // namespace

Result<int64_t> IncidentService::open(const access::Actor& actor, const std::string& severity,
                                      const std::string& summary,
                                      const std::vector<Measure>& asked) {
  // Each measure once, in the order first asked ("sessions,sessions" is one measure).
  std::vector<Measure> measures;
  for (Measure m : asked) {
    if (std::find(measures.begin(), measures.end(), m) == measures.end()) measures.push_back(m);
  }
  if (std::find(kSeverities.begin(), kSeverities.end(), severity) == kSeverities.end()) {
    return fail(ErrorCode::kInvalidArgument, "severity is low, medium, high or critical",
                "severity");
  }
  MINATO_TRY(check_text(summary, kMaxSummary, "summary"));
  auto id = rt_.writes().execute<int64_t>(
      actor, {"incident.open", "incident:new", Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        store::IncidentRecord inc;
        inc.opened_us = fx.now_us;
        inc.opened_by = actor.subject;
        inc.severity = severity;
        inc.summary = summary;
        inc.state = measures.empty() ? "open" : "contained";
        auto id = tx.insert_incident(inc);
        if (!id) return fail(id.error());
        MINATO_TRY(add_entry(tx, *id, fx.now_us, "detected", summary, actor));
        for (Measure m : measures) {
          MINATO_TRY(tx.set_containment(store::ContainmentRecord{
              std::string(to_string(m)), *id, fx.now_us, actor.subject, "incident opened"}));
          MINATO_TRY(add_entry(tx, *id, fx.now_us, "measure_on", std::string(to_string(m)), actor));
        }
        // G3.1-a: escalation to security staff (mail, webhook) in the same command.
        Alert a;
        a.event = "incident.opened";
        a.title_ja = "インシデント " + std::to_string(*id) + " (" + severity + "): " + summary;
        a.title_en = "Incident " + std::to_string(*id) + " (" + severity + "): " + summary;
        a.text_ja = "インシデント " + std::to_string(*id) + " が " + actor.subject +
                    " により登録されました。\n重大度: " + severity + "\n概要: " + summary +
                    "\n封じ込め: " + measure_list(measures) +
                    "\n時刻: " + local_time_text(fx.now_us, rt_.alert_settings().utc_offset_s);
        a.text_en = "Incident " + std::to_string(*id) + " was opened by " + actor.subject +
                    ".\nSeverity: " + severity + "\nSummary: " + summary +
                    "\nContainment: " + measure_list(measures) +
                    "\nTime: " + local_time_text(fx.now_us, rt_.alert_settings().utc_offset_s);
        a.details_json = json::serialize(json::object{{"incident", *id}, {"severity", severity}});
        auto queued = queue_alert(tx, fx.now_us, rt_.alert_settings(), a);
        if (!queued) return fail(queued.error());
        if (*queued > 0) {
          MINATO_TRY(add_entry(tx, *id, fx.now_us, "notified",
                               std::to_string(*queued) + " alert(s) queued to security staff",
                               actor));
        }
        // ... and, at incident.escalation_severity or worse, to the escalation contacts (the
        // terminal's management, the authority's desk): who, and when, on the timeline.
        const auto& cfg = rt_.config();
        auto contacts = parse_mail_list(cfg.escalation_mail, "incident.escalation_mail");
        if (!contacts) return fail(contacts.error());
        if (!contacts->empty() && rank(severity) >= rank(cfg.escalation_severity)) {
          AlertSettings escalation = rt_.alert_settings();
          escalation.security_mail = *contacts;
          escalation.webhook = false;  // the webhook has been called once above
          a.event = "incident.escalated";
          auto sent = queue_alert(tx, fx.now_us, escalation, a);
          if (!sent) return fail(sent.error());
          std::string who;
          for (const auto& c : *contacts) who += (who.empty() ? "" : ", ") + c;
          MINATO_TRY(add_entry(
              tx, *id, fx.now_us, "notified",
              "escalated (" + severity + ", at or above " + cfg.escalation_severity + ") to " + who,
              actor));
        }
        fx.reason = severity + ": " + summary + "; containment: " + measure_list(measures);
        fx.change = json::serialize(json::object{
            {"incident", *id}, {"severity", severity}, {"measures", measure_list(measures)}});
        return *id;
      });
  if (!id) return id;
  apply();
  // G2.4-b: the yard, holds and vessel lists on paper, signed, for working by hand.
  if (!measures.empty()) {
    access::Actor system{"system:incident", "local",
                         static_cast<uint32_t>(Permission::kTerminalRead)};
    if (auto snap = rt_.continuity().write(system); !snap) {
      std::fprintf(stderr, "minato: continuity snapshot for incident %lld failed: %s\n",
                   static_cast<long long>(*id), snap.error().message().c_str());
    }
  }
  return id;
}

Status IncidentService::contain(const access::Actor& actor, int64_t incident_id, Measure m,
                                const std::string& reason) {
  MINATO_TRY(check_text(reason, kMaxText, "reason"));
  auto st = rt_.writes().execute_status(
      actor, {"incident.contain", "incident:" + std::to_string(incident_id), Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto inc = open_incident(tx, incident_id);
        if (!inc) return fail(inc.error());
        MINATO_TRY(tx.set_containment(store::ContainmentRecord{
            std::string(to_string(m)), incident_id, fx.now_us, actor.subject, reason}));
        MINATO_TRY(add_entry(tx, incident_id, fx.now_us, "measure_on",
                             std::string(to_string(m)) + ": " + reason, actor));
        if (inc->state == "open") {
          inc->state = "contained";
          MINATO_TRY(tx.update_incident(*inc));
        }
        fx.reason = std::string(to_string(m)) + " in force: " + reason;
        fx.change = json::serialize(
            json::object{{"measure", to_string(m)}, {"incident", incident_id}, {"on", true}});
        return ok();
      });
  if (st) apply();
  return st;
}

Status IncidentService::release(const access::Actor& actor, Measure m, const std::string& reason) {
  MINATO_TRY(check_text(reason, kMaxText, "reason"));
  auto st = rt_.writes().execute_status(
      actor,
      {"incident.release", "containment:" + std::string(to_string(m)), Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto rows = tx.containment();
        if (!rows) return fail(rows.error());
        auto it = std::find_if(rows->begin(), rows->end(),
                               [&](const auto& r) { return r.measure == to_string(m); });
        if (it == rows->end()) {
          return fail(ErrorCode::kNotFound,
                      "the measure " + std::string(to_string(m)) + " is not in force", "measure");
        }
        auto gone = tx.clear_containment(to_string(m));
        if (!gone) return fail(gone.error());
        MINATO_TRY(add_entry(tx, it->incident_id, fx.now_us, "measure_off",
                             std::string(to_string(m)) + ": " + reason, actor));
        fx.reason = std::string(to_string(m)) + " ended: " + reason;
        fx.change = json::serialize(
            json::object{{"measure", to_string(m)}, {"incident", it->incident_id}, {"on", false}});
        return ok();
      });
  if (st) apply();
  return st;
}

Status IncidentService::record(const access::Actor& actor, int64_t incident_id,
                               const std::string& kind, const std::string& text) {
  if (std::find(kEntryKinds.begin(), kEntryKinds.end(), kind) == kEntryKinds.end()) {
    return fail(ErrorCode::kInvalidArgument,
                "kind is detected, reported, notified, recovered or note", "kind");
  }
  MINATO_TRY(check_text(text, kMaxText, "text"));
  return rt_.writes().execute_status(
      actor, {"incident.record", "incident:" + std::to_string(incident_id), Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto inc = open_incident(tx, incident_id);
        if (!inc) return fail(inc.error());
        MINATO_TRY(add_entry(tx, incident_id, fx.now_us, kind, text, actor));
        if (kind == "recovered" && inc->state != "recovered") {
          inc->state = "recovered";
          MINATO_TRY(tx.update_incident(*inc));
        }
        fx.reason = kind + ": " + text;
        return ok();
      });
}

Status IncidentService::update_report(
    const access::Actor& actor, int64_t incident_id,
    const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& [key, value] : fields) {
    if (std::find(kReportFields.begin(), kReportFields.end(), key) == kReportFields.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  "the report has no field '" + key.substr(0, 40) + "'", key.substr(0, 40));
    }
    if (value.size() > kMaxText) {
      return fail(ErrorCode::kInvalidArgument,
                  key + " must be at most " + std::to_string(kMaxText) + " bytes", key);
    }
  }
  return rt_.writes().execute_status(
      actor, {"incident.report", "incident:" + std::to_string(incident_id), Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_incident(incident_id);
        if (!found) return fail(found.error());
        if (!*found) {
          return fail(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id),
                      "incident");
        }
        store::IncidentRecord inc = **found;
        boost::system::error_code ec;
        json::value report = json::parse(inc.report, ec);
        if (ec || !report.is_object()) report = json::object{};
        json::object changed;
        for (const auto& [key, value] : fields) {
          report.as_object()[key] = value;
          changed[key] = value;
        }
        inc.report = json::serialize(report);
        MINATO_TRY(tx.update_incident(inc));
        fx.change = json::serialize(json::object{{"incident", incident_id}, {"report", changed}});
        return ok();
      });
}

Status IncidentService::close(const access::Actor& actor, int64_t incident_id,
                              const std::string& reason) {
  MINATO_TRY(check_text(reason, kMaxText, "reason"));
  auto st = rt_.writes().execute_status(
      actor, {"incident.close", "incident:" + std::to_string(incident_id), Permission::kIncident},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto inc = open_incident(tx, incident_id);
        if (!inc) return fail(inc.error());
        auto rows = tx.containment();
        if (!rows) return fail(rows.error());
        std::string ended;
        for (const auto& r : *rows) {
          if (r.incident_id != incident_id) continue;
          auto gone = tx.clear_containment(r.measure);
          if (!gone) return fail(gone.error());
          MINATO_TRY(add_entry(tx, incident_id, fx.now_us, "measure_off",
                               r.measure + ": incident closed", actor));
          ended += (ended.empty() ? "" : ", ") + r.measure;
        }
        MINATO_TRY(add_entry(tx, incident_id, fx.now_us, "closed", reason, actor));
        inc->state = "closed";
        inc->closed_us = fx.now_us;
        MINATO_TRY(tx.update_incident(*inc));
        fx.reason = reason + (ended.empty() ? "" : "; measures ended: " + ended);
        return ok();
      });
  if (st) apply();
  return st;
}

Status IncidentService::require_reader(const access::Actor& actor) const {
  if (actor.has(Permission::kIncident) || actor.has(Permission::kAuditRead)) return ok();
  return fail(ErrorCode::kPermissionDenied,
              "the incident register needs incident.manage or "
              "audit.read");
}

Result<std::vector<store::IncidentRecord>> IncidentService::list(const access::Actor& actor,
                                                                 int limit) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto all = (*rx)->list_incidents(std::clamp(limit, 1, 500));
  if (!all) return fail(all.error());
  MINATO_TRY(rt_.audit().record_access(actor, "incident register", "incidents"));
  return all;
}

Result<IncidentView> IncidentService::show(const access::Actor& actor, int64_t incident_id) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto inc = (*rx)->find_incident(incident_id);
  if (!inc) return fail(inc.error());
  if (!*inc) {
    return fail(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id), "incident");
  }
  auto timeline = (*rx)->incident_entries(incident_id);
  if (!timeline) return fail(timeline.error());
  MINATO_TRY(rt_.audit().record_access(actor, "incident " + std::to_string(incident_id),
                                       "incident:" + std::to_string(incident_id)));
  return IncidentView{std::move(**inc), std::move(*timeline)};
}

Result<std::vector<store::ContainmentRecord>> IncidentService::measures(
    const access::Actor& actor) {
  MINATO_TRY(require_reader(actor));
  return rt_.containment().all();
}

void IncidentService::sync() { apply(); }

void IncidentService::apply() {
  std::lock_guard lock(mu_);
  auto rx = rt_.store().read();
  if (!rx) return;
  auto rows = (*rx)->containment();
  if (!rows) return;
  rt_.containment().load(*rows);
  // Vendors' sessions end while vendors are shut out (their logins are refused meanwhile).
  if (rt_.containment().on(Measure::kVendors)) rt_.sessions().remove_role("maintenance_vendor");
  auto sessions = rt_.containment().in_force(Measure::kSessions);
  if (!sessions) return;
  if (sessions_applied_us_ < 0 && rt_.started_us() > sessions->since_us) {
    // In force since before this process started: no session of then survives a restart.
    sessions_applied_us_ = sessions->since_us;
    return;
  }
  if (sessions->since_us <= sessions_applied_us_) return;
  sessions_applied_us_ = sessions->since_us;
  // Every session but security staff's ends; their owners log in again (from break-glass
  // sources when the listener is narrowed). API tokens are not sessions: see `tokens`.
  size_t ended = rt_.sessions().remove_all_except(security_staff_role);
  std::fprintf(stderr, "minato: incident %lld: %zu sessions ended\n",
               static_cast<long long>(sessions->incident_id), ended);
}

}  // namespace minato::app
