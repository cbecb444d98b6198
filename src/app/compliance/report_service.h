// ReportService: makes the signed compliance report (report.h) of the running system, and checks
// a report against this installation's audit log.
//
// make() runs the checks (ComplianceService::run, recorded as compliance.run), records the
// report (compliance.report, target "report:<id>", with its language and format) with a
// checkpoint signed at once, reads that checkpoint, renders the report and signs it with the
// audit key. Needs compliance.read.
//
// check_bound() is what `minato compliance verify --data DIR` adds to verify_report(): that the
// report's checkpoint is this log's (the root of the log's first `size` events equals it) and
// that the event it names is the compliance.report event of this report.
#pragma once

#include <string>

#include "access/roles.h"
#include "app/compliance/report.h"
#include "common/result.h"

namespace minato::app {
class Runtime;
}

namespace minato::app::compliance {

struct SignedReport {
  Report report;
  std::string bytes;
  std::string signature;  // the .sig file's content
};

class ReportService {
 public:
  explicit ReportService(Runtime& rt) : rt_(rt) {}
  Result<SignedReport> make(const access::Actor& actor, const std::string& lang,
                            ReportFormat format);
  Status check_bound(const ReportMeta& meta);

 private:
  Runtime& rt_;
};

}  // namespace minato::app::compliance
