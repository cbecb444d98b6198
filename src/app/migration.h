// Migration to new hardware (G2.6.3): a signed export of a stopped installation, and its
// import on the new host.
//
// `minato export` takes the data directory's lock (no server may run: nothing is written after
// the snapshot) and writes, into a new directory:
//   EXPORT.json     the index: the export's id, terminal, host, version, the audit log's size and
//                   root, and every set with the SHA-256 of its manifest
//   EXPORT.sig      Ed25519 over the exact bytes of EXPORT.json, by the data directory's signing
//                   key (keys/signing.key — "signing" in `minato key list`)
//   recovery/       the two recovery files, both sealed under the one transfer passphrase
//   <sets>          a database, a config (minato.toml, keys/, tls/) and a logs set, as backup
//                   sets are written (resilience/backup_set.h): compressed, encrypted, signed;
//                   and a files set — the quarantined intake files and the incidents' evidence
//                   bundles, which the database names but does not hold — when there are any
// and records `data.export` in the source's audit log.
//
// `minato import` trusts nothing in the directory until EXPORT.sig verifies under the public key
// whose fingerprint (SHA-256, hex) the operator gives — read from the old host's `minato key
// list` or its decommission certificate, never from the export itself. The sets must be exactly
// those the index names, with those manifests; then the restore pipeline (app/restore.h)
// checks every chunk, every file's hash, the audit log against its checkpoints, and records
// `data.import` of the export in the imported log.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/restore.h"
#include "common/result.h"
#include "config/config.h"
#include "resilience/backup_set.h"

namespace minato::app {

inline constexpr std::string_view kExportIndexFile = "EXPORT.json";
inline constexpr std::string_view kExportSignatureFile = "EXPORT.sig";

struct ExportIndex {
  struct Set {
    std::string id, target, manifest_sha256;
  };
  std::string id;  // "20261207T231500Z": the time of the export
  std::string terminal, host, minato_version;
  int64_t created_us = 0;
  std::string signer_public;  // 32 bytes
  resilience::AuditHead audit;
  std::vector<Set> sets;
  std::string fingerprint() const;  // hex SHA-256 of signer_public
};

struct ExportOptions {
  std::string data_dir;
  std::string out;  // must not exist (or be empty)
  std::string passphrase;
  resilience::Argon2Cost cost;
  std::function<void(const std::string& stage)> progress;
};

struct ExportReport {
  ExportIndex index;
  std::string dir;
  uint64_t stored_bytes = 0;
  uint64_t plain_bytes = 0;
  double seconds = 0;
};

Result<ExportReport> export_installation(const ExportOptions& options);

// Reads and verifies an export's index: its signature under the key whose fingerprint is
// `fingerprint` (64 hex digits), and that the directory holds exactly the sets it names, with
// those manifests.
Result<ExportIndex> read_export(const std::string& dir, const std::string& fingerprint);

struct ImportOptions {
  std::string from, to;
  std::string fingerprint;
  std::string passphrase;
  config::Listeners listen;
  std::function<void(const std::string& stage, uint64_t done, uint64_t total)> progress;
};

Result<RestoreReport> import_installation(const ImportOptions& options);

std::string to_json(const ExportIndex& index);

}  // namespace minato::app
