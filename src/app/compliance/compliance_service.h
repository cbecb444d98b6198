// ComplianceService: the compliance register of the port-sector guideline — every item's live
// check (checks.h), the evidence of its organisational part, its state and since when, and the
// signed report (report.h).
//
// run() is the one way the checks run, for the console, the CLI and the hourly job alike: one
// read snapshot, every check, the evidence in force combined in, then one audited command
// (compliance.run) that records the totals, each item whose state changed (with the audit
// event that changed it, when one did) and the new states. An item that goes from pass to fail
// alerts security staff in that same command (G2.6.1-d).
//
// How an item's status is decided (Kind from the catalogue):
//   P    the check's outcome.
//   P+O  the check's outcome when it is not a pass; otherwise pass when evidence in force and
//        not past its review date covers the organisational part, else evidence-needed.
//   O    pass with current evidence; not-applicable with a current not-applicable record;
//        evidence-needed when there is none or all of it is past its review date.
// Evidence past its review date never makes a pass.
//
// The evidence register: add_evidence() takes each attached file through the media intake
// (IntakeKind::kEvidence: scanned, hashed, typed; a refused file attaches nothing and the
// record is not made), then records the evidence as compliance.evidence.add. Needs
// compliance.evidence (security officers); reading needs compliance.read (and auditors).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/compliance/catalogue.h"
#include "app/compliance/check.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {
class Runtime;
}

namespace minato::app::compliance {

struct EvidenceFile {
  std::string name;
  std::string data;
};

struct EvidenceInput {
  std::string item;
  std::string kind = "evidence";  // or "not_applicable"
  std::string title;
  std::string owner;
  std::string dated;      // YYYY-MM-DD, not in the future
  std::string review_by;  // YYYY-MM-DD, after `dated`
  std::string note;
  std::vector<EvidenceFile> files;
  std::string channel = "cli";
};

struct EvidenceView {
  store::ComplianceEvidenceRecord record;
  bool current = false;  // in force and not past its review date
};

// The evidence as the API, the CLI, the report and the audit event of its recording show it:
// its fields, its files ([{"intake_id", "name", "sha256", "bytes", "type"}]), whether it is
// current, when it was recorded and (if so) withdrawn.
boost::json::object to_json(const EvidenceView& e);

struct ItemResult {
  const Item* item = nullptr;
  ItemStatus status = ItemStatus::kFail;
  ItemStatus product = ItemStatus::kNotApplicable;  // the check's own outcome
  Text reason;
  std::vector<Value> values;
  std::vector<EvidenceView> evidence;  // in force (current or not)
  int64_t since_us = 0;                // in this status since
};

struct Change {
  std::string item;
  std::string from;  // "" the first run
  std::string to;
  int64_t cause_seq = 0;  // the audit event that changed it; 0 none found
  std::string cause;      // "config.apply by user:alice"
};

struct Assessment {
  int64_t at_us = 0;
  std::vector<ItemResult> items;
  std::map<ItemStatus, int> totals;
  std::vector<Change> changes;
};

class ComplianceService {
 public:
  explicit ComplianceService(Runtime& rt) : rt_(rt) {}

  // REQUIRES compliance.read (the job runs as system:compliance with it). See above.
  Result<Assessment> run(const access::Actor& actor);

  // REQUIRES compliance.evidence. Returns the record made.
  Result<EvidenceView> add_evidence(const access::Actor& actor, const EvidenceInput& in);
  // REQUIRES compliance.evidence. The record stays, marked withdrawn by whom and when.
  Status withdraw_evidence(const access::Actor& actor, int64_t id, const std::string& reason);
  // REQUIRES compliance.read. Oldest first; withdrawn ones too when asked.
  Result<std::vector<EvidenceView>> evidence(const access::Actor& actor, bool withdrawn);

  // The hourly job: run() as system:compliance when the last run is an hour old.
  void run_due(int64_t now_us);

  // Whether evidence is current at `now_us` (in force, review date today or later in UTC).
  static bool current(const store::ComplianceEvidenceRecord& e, int64_t now_us);

 private:
  Runtime& rt_;
  int64_t last_run_us_ = 0;
};

}  // namespace minato::app::compliance
