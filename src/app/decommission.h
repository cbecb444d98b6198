// Decommissioning (G2.6.1-c, G2.6.3): the end of an installation — its data keys and its data
// directory destroyed, and a signed certificate record of what was destroyed, written outside.
//
// decommission() runs on the host (the CLI; no server may run: it takes the directory's lock):
//   1. refuses unless --confirm names the terminal as minato.toml does, the certificate's place
//      is outside the data directory and writable, and either the export given (`minato
//      export`, app/migration.h) is this installation's — signed by its key — and its last
//      event, or the operator said there is none to keep (--without-export);
//   2. verifies the audit log, records `system.decommission` (reason, export, operator) and
//      signs a checkpoint over it: the last word of the log, kept wherever checkpoints are
//      shipped;
//   3. reads the key inventory (fingerprints of every key) and the signing key into memory;
//   4. erases: the keys first (keys/, then tls/: crypto-erase of everything sealed under
//      them — TOTP seeds, recovery secrets — and the end of the installation's identity),
//      then the database and its journal, then every other file; each regular file is
//      overwritten once with random bytes, flushed, renamed to a random name and unlinked;
//      directories are removed; symbolic links are removed, never followed;
//   5. checks that the directory is gone, and writes the certificate (signed by the signing
//      key held in memory, which is then wiped) — "complete", or "incomplete" with every
//      error, so that a failure half way is on record too.
//
// What it does not reach, and the certificate says so: copies outside the directory (vault
// backup sets, shipped audit copies, exports) and the physical medium — on flash or copy-on-
// write storage an overwrite need not reach every block; the medium is sanitized or destroyed
// by the operator's procedure (the "O" of G2.6.1-c).
//
// The certificate's format and its check: app/decommission_certificate.h.
#pragma once

#include <cstdint>
#include <string>

#include "app/decommission_certificate.h"
#include "common/result.h"

namespace minato::app {

struct DecommissionOptions {
  std::string data_dir;
  std::string certificate;  // the file to write: outside data_dir, must not exist
  std::string confirm;      // the terminal's name (terminal.name in minato.toml)
  std::string reason;
  std::string export_dir;  // the export that carries the data on (app/migration.h)
  bool without_export = false;
};

struct DecommissionReport {
  bool complete = false;
  int64_t files = 0;
  uint64_t bytes = 0;
  int64_t directories = 0;
  int64_t links = 0;
  int keys = 0;
  double seconds = 0;
  std::string certificate;  // its path
  std::string fingerprint;  // the signing key's
  std::string first_error;
};

// Errors before anything is erased leave the directory as it was. Once erasing has begun it
// goes on past errors, and the certificate records them (then the result is kDataLoss).
Result<DecommissionReport> decommission(const DecommissionOptions& options);

}  // namespace minato::app
