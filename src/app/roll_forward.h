// Roll-forward (G2.7.2-f): a restored database snapshot brought forward to a later point in time
// by replaying the audit log written after it.
//
// Every command's audit event carries the rows it wrote (store/sqlite/row_images.h, "redo" in
// its change record). The logs backup set holds every event as JSON lines. Roll-forward takes
// the events after the snapshot's last one, in order and up to a time, and for each
//   1. recomputes its leaf hash and requires the one recorded (and the snapshot's own last leaf
//      to be the events file's at that seq: the same history);
//   2. replays its row images inside a savepoint (an audit.prune event prunes again);
//   3. appends the event verbatim (same seq, time, subject, change), so the restored log is
//      the live one; at each shipped checkpoint's size the recomputed root must equal the
//      signed root, and the checkpoint is stored with its tree edge.
// All of it is one transaction: an event stream that is not this snapshot's continuation, a
// changed event or a root that differs from a signed checkpoint aborts it (kDataLoss) and the
// snapshot stays as it was.
//
// Some events cannot be replayed; roll-forward then stops before the first of them and says
// which and why: a change that set a secret (a new password, a release PIN, a token: the log
// never holds them), an event whose content audit retention removed, rows that do not apply
// (the snapshot and the log disagree). What came before it is restored; the operator re-enters
// what came after, or restores to an earlier --at.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "audit/log.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

struct RollForwardOptions {
  std::string events_path;  // JSON lines of audit events (`audit export`, the logs set)
  int64_t until_us = 0;     // replay events at or before this time; 0 = every event there is
  int snapshot_schema = 0;  // the snapshot's schema version as backed up
  // Checkpoints that cover the events (the logs set's, checked against `keys`), and what the
  // logs set's signed manifest says of the whole log: size and hex root.
  audit::VerifyOptions trust;
  int64_t expect_size = 0;
  std::string expect_root;
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;
};

struct RollForwardReport {
  int64_t snapshot_size = 0;  // events in the snapshot
  int64_t to_seq = 0;         // the restore point: the last event applied
  int64_t to_at_us = 0;       // ... and its time
  int64_t events = 0;         // events replayed
  int64_t row_images = 0;     // rows replayed
  int64_t checkpoints = 0;    // shipped checkpoints matched and stored
  int64_t available = 0;      // the last event the events file holds
  // The event roll-forward stopped before (0 = it did not stop early), and why.
  int64_t stopped_seq = 0;
  int64_t stopped_at_us = 0;
  std::string stopped_action, stopped_target, stopped_reason;
};

Result<RollForwardReport> roll_forward(store::Store& store, const RollForwardOptions& options);

}  // namespace minato::app
