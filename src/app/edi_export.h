// EdiExport: the terminal's own record as EDIFACT for the lines (their EDI partners expect
// it): a vessel visit's bay plan (BAPLIE: the units loaded on it, departed with it or not yet,
// or with `arrival` those still
// on board to discharge), its discharge or load report (COARRI from the moves made), and gate
// reports of a period (CODECO from the gate transactions, as each unit was handed over).
// Reads only; REQUIRES terminal.read.
//
//   auto file = exporter.baplie(actor, "ONE042", false, "ONE");
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "access/roles.h"
#include "common/clock.h"
#include "edi/writer.h"
#include "store/store.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

class EdiExport {
 public:
  EdiExport(store::Store& store, const Clock& clock, std::string locode)
      : store_(store), clock_(clock), locode_(std::move(locode)) {}

  Result<std::string> baplie(const access::Actor& actor, const std::string& visit, bool arrival,
                             const std::string& recipient);
  Result<std::string> coarri(const access::Actor& actor, const std::string& visit,
                             edi::ReportKind kind, const std::string& recipient);
  Result<std::string> codeco(const access::Actor& actor, int64_t from_us, int64_t to_us,
                             edi::ReportKind kind, const std::string& recipient);

 private:
  // A read snapshot for `actor`, who needs terminal.read.
  Result<std::unique_ptr<store::ReadTxn>> snapshot(const access::Actor& actor);
  // The visit and every unit of it (inbound or outbound), from one snapshot.
  struct VisitUnits {
    std::unique_ptr<store::ReadTxn> rx;
    terminal::VesselVisit visit;
    std::vector<terminal::Unit> units;
  };
  Result<VisitUnits> visit_units(const access::Actor& actor, const std::string& visit);

  store::Store& store_;
  const Clock& clock_;
  std::string locode_;
};

}  // namespace minato::app
