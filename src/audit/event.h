// The audit log's events and checkpoints as bytes: what a leaf hash and a checkpoint signature
// cover. These encodings are the log's format; a verifier outside Minato recomputes them from
// the exported JSON (docs/security.md, "Audit log format").
//
// Leaf data (version 2): the tag "minato/audit/2", then seq and at_us as 8-byte big-endian
// integers, then each text field as an 8-byte big-endian length and its bytes, in the order
// subject, credential, source, action, target, result, reason, request_id, change.
//
// Checkpoint body (signed with Ed25519, in the spirit of the C2SP signed-note checkpoints):
//   minato/audit/checkpoint/1\n<origin>\n<size>\n<root hex>\n<at_us>\n<key id>\n
#pragma once

#include <cstdint>
#include <string>

#include "audit/merkle.h"
#include "store/store.h"

namespace minato::audit {

// An event as a caller fills it in (at_us, subject, credential, source, action, target, result,
// reason, request_id, change); Log::append() assigns seq and the leaf hash in place.
using AuditEvent = store::AuditRecord;

std::string encode_event(const store::AuditRecord& record);
Hash event_leaf(const store::AuditRecord& record);
Hash event_leaf(const store::AuditRowView& row);

// The hex id of an Ed25519 public key: the first 8 bytes of its SHA-256.
std::string key_id_of(std::string_view public_key);

std::string checkpoint_body(std::string_view origin, const store::CheckpointRecord& c);

// The JSON forms used by the export, the shipped syslog copy and the checkpoint directory.
// `redact_personal` replaces personal data in `change` (mail addresses, names, telephone
// numbers) with a keyed hash, for copies that leave the system.
std::string event_json(const store::AuditRecord& r,
                       const std::function<std::string(std::string_view)>* redact = nullptr);
std::string checkpoint_json(std::string_view origin, const store::CheckpointRecord& c);

}  // namespace minato::audit
