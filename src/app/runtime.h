// Runtime: one opened Minato data directory with everything wired together — configuration,
// keys, store, write path, sessions and services. `serve`, the CLI subcommands and the
// integration of tests all start from here, so there is one way in.
//
// Data directory layout (0700; files 0600):
//   minato.toml        configuration
//   minato.db          the SQLite store (+ -wal, -shm)
//   keys/sealing.key   XChaCha20-Poly1305 key sealing secrets at rest
//   keys/signing.key   Ed25519 signing key (webhooks)
//   keys/audit.key     Ed25519 key that signs the audit log's checkpoints
//   keys/audit-trust.txt  public keys trusted for checkpoints, one "key-id hex" per line: the
//                      current key and every earlier one (rotation keeps old checkpoints valid)
//   tls/cert.pem, tls/key.pem
#pragma once

#include <memory>
#include <string>

#include "app/access_service.h"
#include "app/alerts.h"
#include "app/asset_service.h"
#include "app/audit_service.h"
#include "app/backup_service.h"
#include "app/compliance/compliance_service.h"
#include "app/config_service.h"
#include "app/containment.h"
#include "app/continuity.h"
#include "app/edi_export.h"
#include "app/edi_import.h"
#include "app/evidence_service.h"
#include "app/identity_service.h"
#include "app/incident_service.h"
#include "app/key_service.h"
#include "app/live_feed.h"
#include "app/media_intake.h"
#include "app/notifier.h"
#include "app/refusal_log.h"
#include "app/scanner_signatures.h"
#include "app/shed_log.h"
#include "app/software_service.h"
#include "app/terminal_service.h"
#include "app/upgrade_service.h"
#include "app/vulnerability_service.h"
#include "app/write_path.h"
#include "audit/log.h"
#include "audit/shipper.h"
#include "common/bounded_pool.h"
#include "common/metrics.h"
#include "config/config.h"
#include "crypto/keys.h"
#include "identity/sessions.h"
#include "store/store.h"

namespace minato::app {

struct DataPaths {
  std::string dir;
  std::string config() const { return dir + "/minato.toml"; }
  std::string database() const { return dir + "/minato.db"; }
  std::string keys() const { return dir + "/keys"; }
  std::string sealing_key() const { return dir + "/keys/sealing.key"; }
  std::string signing_key() const { return dir + "/keys/signing.key"; }
  std::string audit_key() const { return dir + "/keys/audit.key"; }
  std::string audit_trust() const { return dir + "/keys/audit-trust.txt"; }
  std::string tls() const { return dir + "/tls"; }
  std::string resolve(const std::string& p) const {
    return p.empty() || p[0] == '/' ? p : dir + "/" + p;
  }
};

struct RuntimeOptions {
  const Clock* clock = nullptr;  // default: the system clock
  WritePathOptions write_path;
  identity::Argon2Params argon;
  // Benchmarks only: false measures the write path without row images in the audit log (the
  // reference for their cost). A server always captures them: roll-forward needs them.
  bool row_images = true;
  // A restore or drill rewrote minato.toml of the restored copy (its checkpoint directory, its
  // listeners): the file is in force as it stands, and ConfigService::record_running records
  // it as "restored" with this note.
  std::string config_restored;
};

class Runtime {
 public:
  // Opens an initialised data directory. Refuses one that others can read (mode wider than
  // 0700), one without keys, or a database newer than this binary.
  static Result<std::unique_ptr<Runtime>> open(const std::string& data_dir,
                                               const RuntimeOptions& options = {});
  ~Runtime();

  const DataPaths& paths() const { return paths_; }
  const config::Config& config() const { return config_; }
  config::Config& mutable_config() { return config_; }
  // Moves the console's origin (webauthn.origin) to where this run serves it: WebAuthn checks
  // and enrolment addresses use it. REQUIRES: before any request is served.
  void set_console_origin(const std::string& origin);
  const Clock& clock() const { return *clock_; }
  store::Store& store() { return *store_; }
  WritePath& writes() { return *writes_; }
  identity::SessionRegistry& sessions() { return *sessions_; }
  identity::SourceGuard& source_guard() { return *source_guard_; }
  IdentityService& identity() { return *identity_; }
  TerminalService& terminal() { return *terminal_; }
  GateService& gate() { return *gate_; }
  MediaIntake& intake() { return *intake_; }
  EdiImport& edi() { return *edi_; }
  ScannerSignatures& signatures() { return *signatures_; }
  EdiExport& edi_export() { return *edi_export_; }
  AccessService& access() { return *access_; }
  AuditService& audit() { return *audit_; }
  BackupService& backup() { return *backup_; }
  Continuity& continuity() { return *continuity_; }
  // G3.1: the incident register and the containment measures in force.
  IncidentService& incidents() { return *incidents_; }
  EvidenceService& evidence() { return *evidence_; }
  // G1.2, G2.6.1-a: the asset register, work records, media loans.
  AssetService& assets() { return *assets_; }
  // G2.6.1-b, G2.7.4: the software on each asset and Minato's own SBOM; upgrade checks.
  SoftwareService& software() { return *software_; }
  UpgradeService& upgrades() { return *upgrades_; }
  // G2.7.5: advisory feeds, findings and their plans.
  VulnerabilityService& vulnerabilities() { return *vulnerabilities_; }
  // Configuration control: versions of minato.toml, held changes, proposals (two-person rule).
  ConfigService& config_control() { return *config_control_; }
  // G2.3-c: the key inventory, rotation and expiry alerts.
  KeyService& keys() { return *keys_; }
  // The compliance register: the live check of every guideline item, its evidence and state.
  compliance::ComplianceService& compliance() { return *compliance_; }
  Containment& containment() { return *containment_; }
  const AlertSettings& alert_settings() const { return alerts_; }
  // The console's live view: committed commands told to the open streams.
  LiveFeed& live() { return *live_; }
  // G2.6.1-d: the counters behind /metrics and the threshold alerts.
  struct SecurityCounters {
    Counter* login_failures = nullptr;
    Counter* lockouts = nullptr;
    Counter* source_blocks = nullptr;
    Counter* denied = nullptr;
  };
  Metrics& metrics() { return metrics_; }
  const SecurityCounters& security_counters() const { return counters_; }
  int64_t started_us() const { return started_us_; }
  // G2.7.3-b: starts shipping the audit log to audit.syslog_target (serve only; no-op when
  // none is configured). The shipper's alerts go to security staff (G2.7.3-c).
  Status start_shipping();
  audit::Shipper* shipper() { return shipper_.get(); }
  // Waits up to `timeout_ms` for the shipper to deliver everything committed, then stops it.
  void stop_shipping(int timeout_ms);
  // Records `action` as an audited event of `subject` and queues `alert` for security staff,
  // in one transaction.
  Status raise_alert(const std::string& subject, const std::string& action, const Alert& alert);
  // For copies of the log that leave the system: a keyed hash in place of personal data.
  std::function<std::string(std::string_view)> redactor() const;
  Notifier& notifier() { return *notifier_; }
  ShedLog& shed_log() { return shed_log_; }
  // Writes the shed-login counts as audit events (one per source). Returns how many events.
  Result<int> flush_shed_log();
  RefusalLog& refusal_log() { return refusal_log_; }
  // Writes the counts of refused connections and requests as `http.refused` audit events (one
  // per source). Returns how many events.
  Result<int> flush_refusal_log();
  const crypto::SigningKey& signing_key() const { return signing_; }

  // G2.7.3-d: what `audit verify` trusts: this data directory's audit keys (plus any given),
  // and the checkpoint directory's copies when one is configured.
  Result<audit::VerifyOptions> verify_options() const;
  // The public keys of keys/audit-trust.txt (the audit key and every earlier one).
  Result<audit::TrustedKeys> trusted_audit_keys() const;
  // Signs the audit log's checkpoints and evidence manifests (G3.1-b).
  const crypto::SigningKey& audit_key() const { return audit_key_; }
  // Replaces the checkpoint key by a new one; the old public key stays trusted. Takes effect
  // for a running server at its next start. Returns the new key id.
  Result<std::string> rotate_audit_key();
  // G2.3-c: a new sealing key; every TOTP secret is re-sealed under it in one audited command.
  // The old key is kept (keys/sealing.key.previous) to compare recovery codes and release PINs
  // made under it, unless `forget` — after a compromise: those become void, and their owners
  // make new ones. The files are written so that a crash at any point leaves every secret
  // readable. REQUIRES: no server runs on the directory (the caller holds its DirLock).
  Status rotate_sealing_key(bool forget);

 private:
  Runtime() = default;
  void register_metrics();
  DataPaths paths_;
  config::Config config_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  crypto::SealingKey sealing_ = crypto::SealingKey::generate();
  crypto::SigningKey signing_ = crypto::SigningKey::generate();
  crypto::SigningKey audit_key_ = crypto::SigningKey::generate();
  std::unique_ptr<WritePath> writes_;
  std::unique_ptr<identity::SessionRegistry> sessions_;
  std::unique_ptr<identity::SourceGuard> source_guard_;
  std::unique_ptr<BoundedPool> login_pool_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<AccessService> access_;
  std::unique_ptr<AuditService> audit_;
  AlertSettings alerts_;
  Metrics metrics_;
  SecurityCounters counters_;
  int64_t started_us_ = 0;
  std::unique_ptr<audit::Shipper> shipper_;
  std::unique_ptr<notify::Transport> transport_;
  std::unique_ptr<Notifier> notifier_;
  ShedLog shed_log_;
  RefusalLog refusal_log_;
  std::unique_ptr<TerminalService> terminal_;
  std::unique_ptr<GateService> gate_;
  std::unique_ptr<MediaIntake> intake_;
  std::unique_ptr<EdiImport> edi_;
  std::unique_ptr<ScannerSignatures> signatures_;
  std::unique_ptr<EdiExport> edi_export_;
  std::unique_ptr<BackupService> backup_;
  std::unique_ptr<Continuity> continuity_;
  std::unique_ptr<Containment> containment_;
  std::unique_ptr<IncidentService> incidents_;
  std::unique_ptr<EvidenceService> evidence_;
  std::unique_ptr<AssetService> assets_;
  std::unique_ptr<SoftwareService> software_;
  std::unique_ptr<UpgradeService> upgrades_;
  std::unique_ptr<VulnerabilityService> vulnerabilities_;
  std::unique_ptr<ConfigService> config_control_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<compliance::ComplianceService> compliance_;
  std::unique_ptr<LiveFeed> live_;
};

}  // namespace minato::app
