// AuditService: the audit log as auditors and operators use it (G2.7.3-d/e).
//
// Reading the log needs the auditor's permission (audit.log) and is itself an audited access
// event (A1.4.4), recorded before the data is read. Proofs let anyone holding a checkpoint check
// an event's inclusion, or that a later tree extends an earlier one, without trusting Minato.
// Retention removes the content of whole months past the retention period; the removal is
// audited, covered by a new checkpoint, and `audit verify` checks it against its record.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/write_path.h"
#include "audit/log.h"
#include "store/store.h"

namespace minato::app {

struct InclusionProof {
  int64_t seq = 0;
  int64_t size = 0;
  std::string leaf;               // hex
  std::vector<std::string> path;  // hex, leaf-first (RFC 9162)
  std::string root;               // hex root of the first `size` events
};

struct ConsistencyProof {
  int64_t from = 0, to = 0;
  std::string old_root, new_root;  // hex
  std::vector<std::string> path;   // hex (RFC 9162)
};

struct PruneResult {
  std::string before;      // "2023-04-01"
  int64_t before_seq = 0;  // events with seq < this lost their content
  int64_t events = 0;      // how many were pruned now
};

class AuditService {
 public:
  AuditService(store::Store& store, WritePath& writes, const Clock& clock, int retention_days);

  Result<std::vector<store::AuditRecord>> events(const access::Actor& actor,
                                                 const store::AuditQuery& query);
  Result<std::vector<store::CheckpointRecord>> checkpoints(const access::Actor& actor,
                                                           int64_t after_size, int limit);
  Result<InclusionProof> inclusion(const access::Actor& actor, int64_t seq, int64_t size);
  Result<ConsistencyProof> consistency(const access::Actor& actor, int64_t from, int64_t to);

  // A1.4.4: records that `actor` read personal or security data of `target` (another user's
  // login history, sessions or tokens; the access review; the notification outbox). Called
  // after the read was allowed.
  Status record_access(const access::Actor& actor, const std::string& what,
                       const std::string& target);

  // `minato audit export`: events `from`..`to` (0: the newest) as JSON lines, each followed by
  // the checkpoints that end at it (signed as `origin`), handed to `line` (false stops). Needs
  // audit.log; the read is recorded first, with its range (A1.4.4). With `redact`, personal
  // data is replaced by keyed hashes as in the shipped copy. Returns the events written.
  Result<int64_t> export_lines(const access::Actor& actor, int64_t from, int64_t to,
                               const std::string& origin,
                               const std::function<std::string(std::string_view)>* redact,
                               const std::function<bool(const std::string&)>& line);

  // G2.7.3-d: `audit verify` for the console: every event against the Merkle tree and the
  // signed checkpoints (and the copies kept outside, as `options` give them). Needs audit.log;
  // the check is recorded with its outcome ("audit.verify": success when intact).
  Result<audit::VerifyReport> verify(const access::Actor& actor,
                                     const audit::VerifyOptions& options);
  // Removes the content of every event before the first day of `year`-`month` (UTC). Refused
  // unless that whole period lies past the retention period.
  Result<PruneResult> prune(const access::Actor& actor, int year, int month);

 private:
  Status record_read(const access::Actor& actor, const std::string& what);
  Result<std::vector<audit::Hash>> leaves(int64_t size);

  store::Store& store_;
  WritePath& writes_;
  const Clock& clock_;
  int retention_days_;
};

}  // namespace minato::app
