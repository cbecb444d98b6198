// AuditChain: the tamper-evident audit log, as a hash chain for now.
//
// Each event's hash is SHA-256 over the previous event's hash and a canonical, length-prefixed
// encoding of every field (seq, time, subject, source, action, target, result, reason, change).
// Changing, deleting, inserting or reordering a stored row breaks the chain from that row on;
// verify() recomputes it and names the first bad event. G2.7.3-a: who, what, on what, when,
// from where, with what result and why.
//
// The Merkle log with signed checkpoints (audit issue) replaces the linkage behind this same
// seam: append() inside the command's transaction, verify() over a read snapshot.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "store/store.h"

namespace minato::audit {

// The fields a caller supplies; seq and hashes are assigned by append().
struct AuditEvent {
  int64_t at_us = 0;
  std::string subject;
  std::string source;
  std::string action;
  std::string target;
  std::string result;  // "success" | "failure" | "denied"
  std::string reason;
  std::string change;  // JSON of the row-level change, or empty
};

// Hash of `record` given the previous hash (record.hash is ignored).
std::string chain_hash(const std::string& prev_hash, const store::AuditRecord& record);

// Appends `event` as the next record inside `tx`. Returns the assigned seq.
// REQUIRES: called inside the write transaction that makes the change the event describes.
Result<int64_t> append(store::WriteTxn& tx, const AuditEvent& event);

struct VerifyReport {
  int64_t events = 0;     // records checked
  int64_t first_bad = 0;  // seq of the first bad record, 0 if intact
  std::string problem;    // what is wrong with it
  std::string head_hash;  // hex of the last good hash
};

// Recomputes the chain over the whole log.
Result<VerifyReport> verify(store::ReadTxn& rx);

}  // namespace minato::audit
