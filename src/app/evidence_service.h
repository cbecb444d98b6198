// EvidenceService: an incident's evidence bundle (G3.1-b), made from the live store.
//
// write() records the request as an audited event that a checkpoint signs at once, then reads
// one snapshot: the audit events of the range (by time; by default from 14 days before the
// incident was opened until now, so the bundle ends with its own making), the login history
// among them, the signed checkpoints, range and consistency proofs against the newest one,
// the incident with its timeline and the measures in force, the media intake records of the
// range and the configuration file. The manifest of their hashes is signed with the audit
// key. The file appears only whole (written beside it, then linked into place); an existing
// file is never replaced. audit/evidence.h describes the format and checks it.
//
// Needs incident.manage (security officers) or audit.log (auditors).
#pragma once

#include <cstdint>
#include <string>

#include "access/roles.h"
#include "audit/evidence.h"
#include "common/result.h"

namespace minato::app {

class Runtime;

struct EvidenceRequest {
  int64_t incident_id = 0;
  int64_t from_us = 0;  // 0: 14 days before the incident was opened
  int64_t to_us = 0;    // exclusive; 0: until the bundle is made
  std::string path;     // the file to write; must not exist
};

struct EvidenceResult {
  audit::EvidenceManifest manifest;
  int64_t bytes = 0;
};

class EvidenceService {
 public:
  explicit EvidenceService(Runtime& rt) : rt_(rt) {}

  static constexpr int64_t kDefaultDaysBefore = 14;
  // At most this many checkpoints inside the range go into the bundle (evenly chosen, first
  // and last kept); each proves the log was not rewritten after it was signed.
  static constexpr size_t kMaxCheckpoints = 1000;

  Result<EvidenceResult> write(const access::Actor& actor, const EvidenceRequest& request);
  // Where a bundle made for the console is kept: <data>/evidence/incident-ID-TIME.tar (the
  // directory is made, 0700). The console hands it over; the copy stays for the officer.
  Result<std::string> kept_path(int64_t incident_id) const;

 private:
  Runtime& rt_;
};

}  // namespace minato::app
