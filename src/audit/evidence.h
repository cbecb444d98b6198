// Evidence: the signed bundle of an incident's evidence (G3.1-b), and its check on a machine
// without the database.
//
// A bundle is a tar archive (common/tar.h) of these members, in this order:
//   events.jsonl       the audit events of the time range (audit/event.h JSON, one per line)
//   logins.jsonl       those of them that are logins and sessions (the login history), byte
//                      for byte the same lines
//   checkpoints.jsonl  signed checkpoints: the one the bundle is proven against (its "anchor",
//                      last), the last one before the range and those inside it
//   proofs.json        {"range": [...]}: the range proof (audit/merkle_tree.h) of every event
//                      against the anchor; {"consistency": [{"size", "path"}]}: that each other
//                      checkpoint is a prefix of the anchor (RFC 9162 §2.1.4)
//   ...                what the service adds (the incident and its timeline, intake records,
//                      the assets with their software, the vulnerability register, the
//                      configuration), covered by their hashes
//   manifest.json      what the bundle is (kEvidenceFormat), for which incident, range and
//                      tree, who made it when, the public keys of its signatures, and each
//                      member's name, size and SHA-256
//   manifest.sig       the Ed25519 signature of manifest.json by the audit key, in hex
//
// verify_evidence() needs nothing but the archive (and, to pin the signer, trusted public
// keys): one changed byte anywhere fails it, and the error says where — the member and line,
// the event's seq, or the archive's byte offset.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "audit/log.h"
#include "common/result.h"
#include "common/tar.h"

namespace minato::audit {

inline constexpr std::string_view kEvidenceFormat = "minato/evidence/1";
inline constexpr std::string_view kEventsMember = "events.jsonl";
inline constexpr std::string_view kLoginsMember = "logins.jsonl";
inline constexpr std::string_view kCheckpointsMember = "checkpoints.jsonl";
inline constexpr std::string_view kProofsMember = "proofs.json";
inline constexpr std::string_view kManifestMember = "manifest.json";
inline constexpr std::string_view kSignatureMember = "manifest.sig";
// Members a bundle may hold at most (the format's and the service's).
inline constexpr size_t kMaxEvidenceMembers = 32;

// The events logins.jsonl repeats: session.* (logins, failed logins, logouts, ends).
bool is_login_action(std::string_view action);

struct EvidenceManifest {
  std::string format{kEvidenceFormat};
  std::string minato_version;
  std::string origin;  // the audit log's origin (checkpoint bodies)
  int64_t incident_id = 0;
  int64_t created_us = 0;
  std::string created_by;
  int64_t from_us = 0, to_us = 0;           // the time range asked ([from, to); to 0 = until made)
  int64_t from_seq = 0, to_seq = 0;         // the events in it
  int64_t tree_size = 0;                    // the anchor checkpoint's size
  std::string key_id;                       // who signed the manifest
  std::map<std::string, std::string> keys;  // key id -> public key (hex), every one used
  std::vector<TarMember> members;           // all but the manifest and its signature
};

std::string manifest_json(const EvidenceManifest& m);
Result<EvidenceManifest> parse_manifest(std::string_view text);

// proofs.json.
std::string proofs_json(const std::vector<Hash>& range,
                        const std::vector<std::pair<int64_t, std::vector<Hash>>>& consistency);

struct EvidenceCheck {
  EvidenceManifest manifest;
  int64_t events = 0;       // in the range
  int64_t pruned = 0;       // of them, content removed by retention (proven by hash only)
  int64_t logins = 0;       // lines of logins.jsonl
  int64_t checkpoints = 0;  // signed checkpoints checked (the anchor among them)
  bool pinned = false;      // every signing key was among the trusted keys given
};

// Checks a bundle. With `trusted` empty the bundle's own keys are used and `pinned` is false:
// it then proves that nothing changed since signing, not who signed it.
Result<EvidenceCheck> verify_evidence(std::string_view archive, const TrustedKeys& trusted);

}  // namespace minato::audit
