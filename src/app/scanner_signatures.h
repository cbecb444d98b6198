// ScannerSignatures: the malware scanner's signatures at a terminal without internet access
// (G2.7.1-b: "patterns always current"). freshclam cannot reach ClamAV's mirrors from an
// air-gapped network, and clamav-daemon does not start without signatures. The databases
// (daily.cvd, main.cvd, bytecode.cvd, or .cld) are fetched on a connected machine, carried in on
// media, and installed here:
//   1. every file passes the media intake as a signature database (quarantined, hashed,
//      recorded) and is checked by ClamAV's sigtool: signed by ClamAV and intact. An unsigned
//      container (.cud, e.g. the terminal's own signatures) needs a security officer's approved
//      override for its SHA-256 (two-person rule, used once). Anything else is refused;
//   2. a database not newer than the one installed under the same name is refused (no rollback
//      to older signatures);
//   3. it is written to intake.signature_dir (clamd's DatabaseDirectory) under its name,
//      atomically, and the other forms of that database (daily.cld beside a new daily.cvd) are
//      removed;
//   4. clamd is told to reload, and its VERSION is read back until it reports the database;
//   5. the installation is an audited command (scanner.signatures.install) with the file's
//      hash, version, build time and intake record.
//
//   auto r = signatures.install(actor, "daily.cvd", bytes, "cli");
//   r->database.version, r->installed_as, r->scanner (clamd's VERSION after the reload)
//
// Thread-safety: one installation at a time (a mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/media_intake.h"
#include "app/write_path.h"
#include "common/clock.h"
#include "secops/clamav_database.h"
#include "secops/clamd.h"

namespace minato::app {

struct SignatureInstall {
  store::MediaIntakeRecord intake;
  secops::ClamavDatabase database;
  std::string installed_as;          // the path written
  std::vector<std::string> removed;  // the other forms of the same database
  bool reloaded = false;             // clamd reloaded and reports the database
  std::string scanner;               // clamd's VERSION after the reload
  std::string note;                  // why clamd did not confirm (not running, ...)
  std::vector<std::string> warnings;
};

// One database in intake.signature_dir, as its header says.
struct InstalledDatabase {
  std::string file;  // "daily.cvd"
  int64_t version = 0;
  int64_t built_us = 0;
  int64_t signatures = 0;
};

// What the scanner runs with now.
struct ScannerStatus {
  std::string clamd;       // intake.clamd
  bool reachable = false;  // clamd answered VERSION
  std::string error;       // why not
  secops::ClamdVersion version;
  int64_t age_days = -1;  // of clamd's database; -1 when it gives no date
  int max_age_days = 0;   // intake.signature_max_age_days
  bool current = false;   // reachable, dated, and not older than the maximum
  std::string signature_dir;
  std::vector<InstalledDatabase> installed;
};

class ScannerSignatures {
 public:
  ScannerSignatures(WritePath& writes, MediaIntake& intake, const Clock& clock,
                    std::string signature_dir)
      : writes_(writes), intake_(intake), clock_(clock), dir_(std::move(signature_dir)) {}

  // REQUIRES config.write. See above; errors name the step and leave nothing half-written
  // (a refused file is kept in quarantine with its record, as every intake refusal is).
  Result<SignatureInstall> install(const access::Actor& actor, const std::string& file_name,
                                   std::string data, const std::string& channel);

  // REQUIRES config.read. The scanner's database and its age, and what is installed.
  Result<ScannerStatus> status(const access::Actor& actor);

 private:
  Result<std::vector<InstalledDatabase>> installed() const;

  WritePath& writes_;
  MediaIntake& intake_;
  const Clock& clock_;
  std::string dir_;
  std::mutex mu_;
};

}  // namespace minato::app
