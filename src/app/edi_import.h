// EdiImport: an EDIFACT file, taken in by MediaIntake (quarantined, typed, scanned), applied to
// the terminal through the write path in one audited transaction: all or nothing.
//
//   BAPLIE            the arrival bay plan of a vessel visit: every container whose port of
//                     discharge is this terminal's (terminal.locode, or --port) becomes a unit
//                     on the visit's discharge list at its stowage cell; the others stay on
//                     board and are listed. A re-sent plan updates units still on board.
//   COPRAR            a load order (BGM 45) sets the outbound visit of each export unit,
//                     advising units not yet known; a discharge order is read like a bay plan.
//   VERMAS            verified gross masses (SOLAS VI/2) for units the terminal holds.
//   COARRI, CODECO    reports of moves made elsewhere: checked against the terminal's own
//                     record of each unit; differences are listed, nothing changes.
//
// Idempotent: a file's SHA-256 is recorded with its import, and the same content again changes
// nothing (the earlier report is returned). Strictness: lenient imports what can be imported
// and lists each rejected EQD with its reason; strict refuses the whole file on any error or
// rejection. Any failure while applying (a container with an active unit elsewhere, a unit
// rule broken) undoes the whole file and names the container and its line.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "access/roles.h"
#include "app/media_intake.h"
#include "app/write_path.h"
#include "edi/equipment.h"
#include "store/store.h"

namespace minato::app {

struct EdiImportOptions {
  std::string visit_id;  // the vessel visit a BAPLIE/COPRAR applies to
  std::string port;      // this terminal's UN/LOCODE (BAPLIE: which containers discharge here)
  edi::Strictness strictness = edi::Strictness::kLenient;
};

struct ImportLine {
  std::string container;
  std::string outcome;  // "created", "updated", "rejected", "on_board", "differs", "matches"
  std::string detail;
  size_t segment = 0;
  size_t line = 0;
};

struct EdiImportReport {
  std::string sha256;
  int64_t intake_id = 0;
  std::string kind;  // "BAPLIE", ...
  std::string visit_id;
  bool already_imported = false;  // the same content was imported before: nothing changed
  int64_t created = 0, updated = 0, rejected = 0, on_board = 0, differs = 0, matches = 0;
  std::vector<ImportLine> lines;
  std::vector<edi::Diagnostic> diagnostics;
  // What this intake of the file said beside its verdict (e.g. signatures of unknown age let in
  // with intake.signature_age_action = "warn"; a scan override).
  std::vector<std::string> warnings;
  std::string json;  // the report as stored
};

// The answer to an import, for the API and the CLI: the stored report (the first import's,
// when the content was imported before) with `already_imported`, this intake's record id
// (`this_intake_id`) and its `warnings`.
std::string response_json(const EdiImportReport& r);

// A file taken in and read, not imported: what the console shows before the import.
struct EdiInspection {
  int64_t intake_id = 0;
  std::string sha256;
  std::vector<std::string> warnings;  // the intake's (signature age...)
  // app/edi_inspection.h's JSON of the file (made while the file's bytes are at hand: the
  // reader's results point into them).
  boost::json::object inspection;
};

class EdiImport {
 public:
  EdiImport(store::Store& store, WritePath& writes, MediaIntake& intake)
      : store_(store), writes_(writes), intake_(intake) {}

  // Intake first (refused files go no further), then the import. REQUIRES edi.import.
  Result<EdiImportReport> import_file(const access::Actor& actor, const std::string& file_name,
                                      std::string data, const std::string& channel,
                                      const EdiImportOptions& options);
  // The preview: the file through the same intake (quarantined, typed, scanned, recorded),
  // then read and mapped as an import would, but nothing is applied. REQUIRES edi.import.
  Result<EdiInspection> inspect_file(const access::Actor& actor, const std::string& file_name,
                                     std::string data, const std::string& channel,
                                     edi::Strictness strictness);

 private:
  // The file through the media intake; refused unless it is EDIFACT.
  Result<IntakeOutcome> take_in(const access::Actor& actor, const std::string& file_name,
                                std::string data, const std::string& channel);

  store::Store& store_;
  WritePath& writes_;
  MediaIntake& intake_;
};

}  // namespace minato::app
