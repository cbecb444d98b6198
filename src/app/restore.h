// Restore (G2.7.2-f): a new data directory from backup sets, verified before it is trusted.
//
//   1. find the sets under --from (a vault directory or an outbox), pick the database set
//      (the newest, or the newest at or before --at), the newest config set and logs set;
//   2. open the recovery files with their passphrases: the data recipient for the database
//      and logs, the keys recipient for the configuration and keys; the recovery file's
//      authenticated signer is the only key whose manifests are accepted;
//   3. check every manifest's signature; then, chunk by chunk, check its hash against the
//      manifest, decrypt, decompress and write the files, checking each file's SHA-256;
//   4. open the rebuilt directory as the server would (migrations included), recompute the
//      audit log's Merkle tree and check it against the manifest's size and root and against
//      every checkpoint shipped with the logs set (and any --checkpoints copies) up to that
//      size;
//   5. roll forward (app/roll_forward.h): replay the logs set's audit events after the
//      snapshot, up to --at (or all of them), and verify the whole log again, now against
//      every shipped checkpoint up to the new restore point; record the restore as an audit
//      event in the restored log.
//
// Everything is written under "<to>.partial-<pid>" and renamed to <to> only when all checks
// passed: a failed restore leaves nothing that looks like a data directory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/roll_forward.h"
#include "common/result.h"
#include "config/config.h"
#include "resilience/backup_set.h"

namespace minato::app {

struct RestoreOptions {
  std::string from;          // vault directory or outbox
  std::string to;            // the new data directory; must not exist (or be empty)
  std::string recovery_dir;  // holds backup-data.recovery and backup-keys.recovery;
                             // default: <from>/recovery
  std::string data_passphrase;
  std::string keys_passphrase;
  std::string set;           // a database set id; "" = choose by `at_us`
  int64_t at_us = 0;         // the newest database set at or before this time, rolled forward
                             // to this time; 0 = the newest set, rolled forward as far as the
                             // logs set goes
  bool roll_forward = true;  // false: the snapshot only
  std::string checkpoints;   // more checkpoint copies (file or directory), optional
  config::Listeners listen;  // listeners of the restored directory (else the backed-up ones)
  // How the restore is recorded in the restored log: the action and its target ("" names the
  // database set). `minato import` records "data.import" of its export.
  std::string record_as = "backup.restore";
  std::string record_target;
  // stage ("verify", "database", ...), stored bytes done and total of the whole restore.
  std::function<void(const std::string& stage, uint64_t done, uint64_t total)> progress;
};

struct RestoreReport {
  std::string database_set, config_set, logs_set;
  int64_t snapshot_us = 0;
  int schema_version = 0;
  int schema_after = 0;  // after this binary's migrations
  int64_t audit_size = 0;
  std::string audit_root;
  int64_t audit_last_at_us = 0;
  int64_t checkpoints_checked = 0;  // in the database
  int64_t external_checked = 0;     // shipped copies
  uint64_t stored_bytes = 0;
  uint64_t restored_bytes = 0;
  bool rolled_forward = false;  // roll-forward ran (see `forward`)
  RollForwardReport forward;
  int64_t units_in_yard = 0;
  int64_t visits = 0;
  double seconds = 0;
  // The restored configuration's audit.checkpoint_dir, which restore clears: that directory
  // belongs to the installation the backup was taken from (empty when none was set).
  std::string checkpoint_dir_was;
  // The restored directory's listeners, as its minato.toml now says.
  std::string listen, management_listen, vault_listen, webauthn_origin;
  bool listeners_changed = false;  // false: where the backed-up installation listened
};

// A set found under a directory.
struct FoundSet {
  std::string dir;
  std::string id;
  std::string target;
  int64_t created_us = 0;
};

// Sets under `root` (at most three levels down), oldest first.
std::vector<FoundSet> find_sets(const std::string& root);

Result<RestoreReport> restore(const RestoreOptions& options);

// The report as JSON (for --json and the drill's record).
std::string to_json(const RestoreReport& r);

}  // namespace minato::app
