// BackupService: the live server's side of G2.7.2 — backup sets per target, on schedules, in
// an outbox the vault pulls from.
//
// Targets (G2.7.2-a):
//   database  a consistent online snapshot of the store (SQLite's backup API)
//   config    minato.toml, keys/ and tls/ — sealed to the "keys" recipient, whose recovery
//             passphrase is not the data passphrase (G2.3-c: key backup sealed separately)
//   logs      the audit log (every event and checkpoint, as JSON lines) and <data>/logs/
//   release   the running program itself and its SHA-256
//
// The server holds the backup signing key and only the public halves of the recipients: it
// can make sets but cannot read them back, and nothing here deletes anything but its own
// outbox's older sets (the vault keeps history under its own policy).
//
// Data directory files (made by `minato backup init`):
//   keys/backup.key              Ed25519 key that signs manifests
//   keys/backup-data.recovery    recipient "data", its secret sealed under the data passphrase
//   keys/backup-keys.recovery    recipient "keys", sealed under the keys passphrase
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/write_path.h"
#include "common/result.h"
#include "resilience/backup_set.h"

namespace minato::app {

class Runtime;

inline constexpr std::array<std::string_view, 4> kBackupTargets = {"database", "config", "logs",
                                                                   "release"};

// A restore drill as recorded (G2.7.2-f): when, by whom, and its record (date, from, outcome,
// seconds, bytes, database set, audit size, units in the yard; or the error).
struct DrillRecord {
  int64_t seq = 0;  // its audit event
  int64_t at_us = 0;
  std::string subject;
  bool passed = false;
  std::string record;  // JSON
};

struct BackupTargetStatus {
  std::string target;
  int every_minutes = 0;
  std::string newest;  // set id, "" if none
  int64_t newest_us = 0;
  int64_t age_s = -1;  // -1: no set yet
  bool overdue = false;
  int sets = 0;
  uint64_t stored_bytes = 0;
  int64_t newest_pulled_us = 0;  // when a vault fetched the newest set; 0: not yet (G2.7.2-d)
};

// What the console's backup screen shows (G2.7.2-b/d/f).
struct BackupOverview {
  bool configured = false;  // `minato backup init` has been run
  std::vector<BackupTargetStatus> targets;
};

class BackupService {
 public:
  explicit BackupService(Runtime& rt);

  // `minato backup init`: the signing key and both recovery files. Refuses if they exist.
  static Status init_keys(const std::string& keys_dir, const std::string& data_passphrase,
                          const std::string& keys_passphrase, const resilience::Argon2Cost& cost);
  static std::string recovery_path(const std::string& keys_dir, std::string_view recipient);
  // `minato key rotate backup` (G2.3-c): a new signing key and recovery files under the given
  // passphrases (the rule of init_keys). The old recovery files are kept in keys/retired/
  // (named by the time) — the old sets are read with them — and the old signing key is
  // overwritten before it is replaced: nothing signs as the old installation any more. The
  // vault must then pin the new public key. Refuses unless backups are set up.
  static Status rotate_keys(const std::string& keys_dir, const std::string& data_passphrase,
                            const std::string& keys_passphrase, const resilience::Argon2Cost& cost,
                            int64_t now_us);

  // Whether `minato backup init` has been run (the keys load).
  bool configured();
  std::string outbox() const;
  int every_minutes(std::string_view target) const;

  // Writes one set of `target` now (audited as backup.create; needs backup.run).
  Result<resilience::Manifest> create(const access::Actor& actor, const std::string& target);

  // The scheduled work (Jobs): every target whose newest set is as old as its schedule gets a
  // new one; a failure, a target overdue by half its schedule again (G2.7.2-b), or backups not
  // set up at all once the first schedule has passed, alert security staff — once each.
  void run_due(int64_t now_us);

  // One set of `target` under `root` (which exists), sealed to `recipient` and signed by
  // `signer`: what create() writes to the outbox and `minato export` to its directory. The
  // caller authorizes and audits.
  Result<resilience::Manifest> write_to(const std::string& root, const std::string& target,
                                        const resilience::Recipient& recipient,
                                        const crypto::SigningKey& signer);

  std::vector<BackupTargetStatus> status(int64_t now_us);
  // The status for a person (needs backup.run or audit.read): every target, and whether its
  // newest set has reached a vault.
  Result<BackupOverview> overview(const access::Actor& actor);

  // Records a restore drill's outcome (audited as backup.drill; needs backup.run): `record`
  // is its JSON; a failed drill is recorded as a failure with its error.
  Status record_drill(const access::Actor& actor, const std::string& record, bool passed,
                      const std::string& error);
  // G2.7.2-c: what a vault keeps after a pull (`change`: its policy and per target the sets and
  // the oldest one's time, as JSON), recorded as backup.vault.report by the vault's subject —
  // when it differs from the last report, or once an hour otherwise — for the compliance check.
  Status record_vault_report(const access::Actor& vault, const std::string& change);
  // The recorded drills, newest first (needs backup.run or audit.read; the read is recorded).
  Result<std::vector<DrillRecord>> drills(const access::Actor& actor, int limit);
  // Set ids in the outbox, oldest first.
  std::vector<std::string> list_sets();

 private:
  Status load_keys();
  Result<std::vector<resilience::SourceFile>> stage(const std::string& target,
                                                    const std::string& stage_dir,
                                                    resilience::WriteOptions& options);
  void prune_outbox(const std::string& target);
  void alert_once(const std::string& key, const std::string& event, const std::string& target,
                  const std::string& en, const std::string& ja);

  Runtime& rt_;
  std::mutex vault_report_mu_;
  std::string last_vault_report_;
  int64_t last_vault_report_us_ = 0;
  std::mutex mu_;  // one set at a time; guards the fields below
  bool loaded_ = false;
  std::optional<crypto::SigningKey> signer_;
  resilience::Recipient data_, keys_;
  std::map<std::string, std::string> alerted_;  // alert key -> what it was raised for
  std::map<std::string, int64_t> failed_at_us_;
};

}  // namespace minato::app
