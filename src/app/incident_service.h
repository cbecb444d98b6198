// IncidentService: the incident register and incident mode (G3.1-a/c).
//
// open() starts an incident and, in the same audited command, puts the chosen containment
// measures in force (app/containment.h) and alerts security staff; once it is durable the
// measures take effect: sessions end (all but security staff's), API tokens and vendors are
// refused, the listener admits only break-glass sources, privileged changes are frozen,
// terminal commands stop — as chosen. The continuity snapshot (G2.4-b) is written at once so
// the terminal can work by hand. Each measure can also be put in force or ended alone, with a
// reason (contain / release); close() ends every measure still in force.
//
// The timeline: every step is an entry (detected, reported, notified, contained, recovered,
// closed, note, measure_on, measure_off) with who and when, beside its audit event. The report
// holds the fields an authority's report asks for (update_report).
//
// Commands need incident.manage (security officers); reads need incident.manage or
// audit.read. Commands made by the CLI beside a running server reach it through the store:
// sync() (the jobs thread, every second) reloads the measures and applies a newer `sessions`
// measure, so containment takes effect within a second wherever it was decided.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/containment.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

class Runtime;

struct IncidentView {
  store::IncidentRecord incident;
  std::vector<store::IncidentEntry> timeline;
};

// The report's fields (JSON keys of IncidentRecord::report), in the order a report lists them.
inline constexpr std::array<std::string_view, 8> kReportFields = {
    "occurred",           // when it began (as far as known)
    "detected_how",       // how and by whom it was found
    "affected_systems",   // servers, terminals, accounts
    "operations_impact",  // effect on cargo handling, gate, vessels; hours stopped
    "cause",              // the way in, the weakness used
    "data_affected",      // personal or customer data read, changed, lost
    "measures",           // containment and recovery done
    "reported_to"};       // authorities, lines, customers told, when

class IncidentService {
 public:
  explicit IncidentService(Runtime& rt) : rt_(rt) {}

  static constexpr int kMaxSummary = 500;
  static constexpr int kMaxText = 2000;

  // REQUIRE incident.manage. `severity`: low, medium, high or critical.
  Result<int64_t> open(const access::Actor& actor, const std::string& severity,
                       const std::string& summary, const std::vector<Measure>& measures);
  Status contain(const access::Actor& actor, int64_t incident_id, Measure m,
                 const std::string& reason);
  Status release(const access::Actor& actor, Measure m, const std::string& reason);
  // A timeline entry: detected, reported, notified, recovered or note. "recovered" moves the
  // incident's state to recovered.
  Status record(const access::Actor& actor, int64_t incident_id, const std::string& kind,
                const std::string& text);
  // Sets report fields (keys of kReportFields; others are refused by name).
  Status update_report(const access::Actor& actor, int64_t incident_id,
                       const std::vector<std::pair<std::string, std::string>>& fields);
  Status close(const access::Actor& actor, int64_t incident_id, const std::string& reason);

  // REQUIRE incident.manage or audit.read; each read is recorded.
  Result<std::vector<store::IncidentRecord>> list(const access::Actor& actor, int limit);
  Result<IncidentView> show(const access::Actor& actor, int64_t incident_id);
  Result<std::vector<store::ContainmentRecord>> measures(const access::Actor& actor);

  // Reloads the measures from the store and applies a `sessions` measure newer than the last
  // one applied. Thread-safe; cheap (one small query).
  void sync();

 private:
  Status require_reader(const access::Actor& actor) const;
  // After a command: the measures as stored, and what they do now.
  void apply();

  Runtime& rt_;
  std::mutex mu_;                     // serialises apply()
  int64_t sessions_applied_us_ = -1;  // since_us of the last `sessions` measure applied
};

}  // namespace minato::app
