// MediaIntake: every file from outside (a BAPLIE on a USB stick from a vessel, a line's upload)
// passes here before anything parses it (G2.7.1-c, G2.7.1-d):
//   1. it is written to the quarantine directory (0600, fsynced) under a name of its own;
//   2. hashed (SHA-256) and size-checked;
//   3. typed by its bytes: EDIFACT or CSV text only (secops/file_type.h);
//   4. scanned by clamd over its socket (secops/clamd.h), on this host or a scanning host,
//      after its signature database's age is checked against intake.signature_max_age_days
//      (a ClamAV signature database itself, IntakeKind::kSignatures, is instead checked by
//      sigtool: signed by ClamAV, or an unsigned container that needs an approved override);
//   5. recorded — who, when, channel, name, size, hash, type, verdict, signature found,
//      engine and database version — as an audited command, whatever the verdict.
// A refused file (wrong type, too large, malware found, scanner unreachable, signatures too
// old) is kept in quarantine with its verdict in its name and never handed on. If clamd cannot
// be reached the intake fails closed, unless a security officer has approved an override for
// exactly this file's hash (two-person rule, AccessService); the override is used once.
//
//   auto in = intake.receive(actor, "BAPLIE.edi", bytes, "cli");
//   if (!in) ... in.error().message() says why (and the record number)
//   parse(in->data);   // the quarantined copy, scanned clean
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/alerts.h"
#include "app/write_path.h"
#include "secops/clamav_database.h"
#include "secops/clamd.h"
#include "secops/file_type.h"
#include "store/store.h"

namespace minato::app {

struct IntakeSettings {
  std::string quarantine_dir;  // absolute path; created 0700 when missing
  std::string clamd = "unix:/run/clamav/clamd.ctl";
  std::string sigtool = "/usr/bin/sigtool";  // checks signature database files
  int64_t max_bytes = 64ll << 20;
  int signature_max_age_days = 3;
  bool refuse_old_signatures = true;  // false: accept with a warning
  int scan_timeout_ms = 60'000;
};

// What a file is taken in as: data (EDIFACT or CSV), scanned by clamd; or a ClamAV signature
// database (G2.7.1-b, the offline update), checked by sigtool instead of scanned.
// Or an advisory archive (OSV's all.zip, G2.7.5): a ZIP of JSON records whose directory is
// checked against secops/feed_archive.h's limits before clamd scans it (inside, as it does).
// Or evidence for the compliance register: a PDF without active content, an image or text
// (secops::classify_evidence), scanned by clamd like data.
enum class IntakeKind { kData, kSignatures, kAdvisoryArchive, kEvidence };

struct IntakeOutcome {
  store::MediaIntakeRecord record;
  secops::FileType type = secops::FileType::kEdifact;
  std::optional<secops::ClamavDatabase> database;  // kSignatures: its header
  std::string data;                                // the quarantined copy's bytes
  std::vector<std::string> warnings;               // e.g. the signature database's age
};

class MediaIntake {
 public:
  static constexpr std::string_view kOverrideKind = "media.scan_override";

  // G2.7.1-b: malware found, a scanner that cannot scan or refuses a file, and signatures older
  // than the limit alert security staff (`alerts`) in the command that records them (old
  // signatures once a day per database version, not once per file).
  MediaIntake(store::Store& store, WritePath& writes, const Clock& clock, IntakeSettings settings,
              AlertSettings alerts = {})
      : store_(store),
        writes_(writes),
        clock_(clock),
        settings_(std::move(settings)),
        alerts_(std::move(alerts)) {}

  // REQUIRES `required` (edi.import; asset.manage for inventories). Refusals are recorded and
  // answered with an error that names the reason and the record (kPermissionDenied for malware or a
  // signature file that does not verify, kInvalidArgument for the type or size, kUnavailable for
  // the scanner, kFailedPrecondition for old signatures). With intake.signature_age_action =
  // "warn", a file scanned with signatures of unknown or excessive age is let in and the record's
  // reason and the outcome's warnings say so.
  Result<IntakeOutcome> receive(const access::Actor& actor, const std::string& file_name,
                                std::string data, const std::string& channel,
                                IntakeKind kind = IntakeKind::kData,
                                access::Permission required = access::Permission::kEdiImport);

  // REQUIRES edi.import or audit.read. The newest `limit` records.
  Result<std::vector<store::MediaIntakeRecord>> list(const access::Actor& actor, int limit);

  // The approval target of a scan override for a file with this SHA-256 (hex).
  static std::string override_target(const std::string& sha256) { return "file:" + sha256; }

  const IntakeSettings& settings() const { return settings_; }

 private:
  store::Store& store_;
  WritePath& writes_;
  const Clock& clock_;
  IntakeSettings settings_;
  AlertSettings alerts_;
  // Old signatures alert once a day per database version, not once per file taken in.
  std::mutex old_alerted_mu_;
  std::map<std::string, int64_t> old_alerted_us_;  // database version -> last alert
};

}  // namespace minato::app
