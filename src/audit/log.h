// Log: the audit log as a verifiable log (G2.7.3-a/d).
//
// Every committed audit event is a leaf of an RFC 6962 Merkle tree (audit/merkle.h). Events are
// appended inside the write transaction of the change they record; a signed checkpoint (tree
// size, root, time, key id; Ed25519) is written in the same transaction every N events or T
// seconds, whichever comes first. Checkpoints are also copied off-system (a directory, the
// syslog collector), so verify() can prove that nobody with write access to the database
// changed, removed, reordered or truncated events: the leaves must recompute, sequence numbers
// must be contiguous, and the tree must match every checkpoint — those in the database and
// those kept outside — under trusted keys.
//
// Only the writer thread calls begin/append/drop_last/checkpoint_if_due/committed/aborted:
//   log.begin(tx);                       // once per transaction
//   auto seq = log.append(tx, event);    // per command (drop_last() if its savepoint rolls back)
//   log.checkpoint_if_due(tx, now, false);
//   tx.commit() ? log.committed() : log.aborted();
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/event.h"
#include "audit/merkle.h"
#include "common/result.h"
#include "crypto/keys.h"
#include "store/store.h"

namespace minato::audit {

struct CheckpointPolicy {
  int64_t every_events = 1000;
  int64_t every_seconds = 60;
};

class Log {
 public:
  // `key` signs checkpoints; it must outlive the log.
  Log(const crypto::SigningKey& key, std::string origin, CheckpointPolicy policy);

  Status begin(store::WriteTxn& tx);
  // Assigns `event`'s seq and leaf hash and appends it.
  Result<int64_t> append(store::WriteTxn& tx, AuditEvent& event);
  void drop_last();
  // Writes a checkpoint of everything appended so far if one is due (or `force` and the tree
  // grew since the last one). Returns whether it wrote one.
  Result<bool> checkpoint_if_due(store::WriteTxn& tx, int64_t now_us, bool force);
  // The transaction committed: the staged leaves are now part of the tree. Returns the
  // checkpoint written in it, if any.
  std::optional<store::CheckpointRecord> committed();
  void aborted();

  // Microseconds until a checkpoint falls due by time (0 = now), or -1 if nothing is waiting.
  int64_t us_until_due(int64_t now_us) const;

  // Read from any thread (metrics).
  int64_t size() const { return size_.load(); }
  int64_t checkpointed_size() const { return checkpointed_.load(); }
  // How many times begin() found events another process had appended (or a log it had to
  // load afresh): a change of this number tells in-memory models to reload. Writer only.
  int64_t foreign_changes() const { return foreign_changes_; }

 private:
  Status load(store::WriteTxn& tx, int64_t head);

  const crypto::SigningKey& key_;  // may be replaced in place by a rotation (writer thread)
  std::string origin_;
  CheckpointPolicy policy_;
  bool loaded_ = false;
  int64_t next_seq_ = 1;
  CompactRange edge_;
  std::vector<Hash> staged_;
  std::optional<store::CheckpointRecord> pending_;
  int64_t last_cp_size_ = 0;
  int64_t last_cp_at_us_ = 0;
  std::atomic<int64_t> size_{0};
  std::atomic<int64_t> checkpointed_{0};
  int64_t foreign_changes_ = 0;
};

// Signs a checkpoint of `edge` (used by Log and by tests that forge).
store::CheckpointRecord make_checkpoint(const crypto::SigningKey& key, std::string_view origin,
                                        const CompactRange& edge, int64_t at_us);
bool checkpoint_signature_ok(std::string_view origin, const store::CheckpointRecord& c,
                             std::string_view public_key);

// Public keys trusted to sign checkpoints, by key id.
using TrustedKeys = std::map<std::string, std::string>;

struct VerifyOptions {
  std::string origin = "minato";
  TrustedKeys keys;
  // Copies kept outside the database: checkpoints, and events' leaf hashes (seq -> leaf).
  std::vector<store::CheckpointRecord> external_checkpoints;
  std::map<int64_t, std::string> external_leaves;
  // The files read into them (device, inode): each is read once.
  std::set<std::pair<uint64_t, uint64_t>> files_read;
  // Logs at least this long are read in two ranges at once (tests lower it).
  int64_t parallel_min_events = 100'000;
};

struct VerifyReport {
  int64_t events = 0;           // events read
  int64_t pruned = 0;           // events whose content was removed by retention
  int64_t checkpoints = 0;      // checkpoints in the database that were checked
  int64_t external = 0;         // checkpoints from outside that were checked
  int64_t first_bad = 0;        // seq of the first bad position, 0 if intact
  int64_t bad_until = 0;        // when known only as a range: its last seq
  std::string problem;          // what is wrong
  std::string root;             // hex root of the whole tree (as read)
  int64_t last_checkpoint = 0;  // size of the newest valid checkpoint
  bool intact() const { return first_bad == 0; }
};

// Reads the log with several read connections at once (large logs); events committed while
// it runs, after the head it read first, are not checked.
Result<VerifyReport> verify(store::Store& store, const VerifyOptions& options);

// Reads checkpoints and event leaves from a file or directory of JSON lines in any of the
// forms Minato writes (checkpoint directory, `audit export`, the syslog copy: the JSON object
// that starts at the first '{' of a line).
Status read_external(const std::string& path, VerifyOptions& into);
// The same for text already read; `path` names it in errors.
Status parse_external(std::string_view text, const std::string& path, VerifyOptions& into);

}  // namespace minato::audit
