// The continuity snapshot (G2.4-b, G3.1-c): what the terminal needs to keep working by hand
// when the system is down — the yard by position, units on hold, the vessel lists and the
// gate appointments — written every continuity.every_minutes to continuity.output_dir, a place
// meant to be outside the system (another host's share, removable media).
//
// Each snapshot is a directory "<YYYYMMDDTHHMMSSZ>/" with
//   yard.csv, holds.csv, vessels.csv, vessel-lists.csv, appointments.csv   (UTF-8, RFC 4180)
//   index.html     one printable page with every table (Japanese and English headings, no
//                  script, no external resource: it opens in any browser offline)
//   SHA256SUMS     the SHA-256 of each file
//   SHA256SUMS.sig Ed25519 over SHA256SUMS with the installation's signing key, and its public
//                  key: `minato continuity verify` (or any Ed25519 tool) checks it offline
// written under a temporary name and renamed whole; LATEST names the newest. Older snapshots
// beyond continuity.keep are removed.
#pragma once

#include <string>

#include "access/roles.h"
#include "common/result.h"

namespace minato::app {

class Runtime;

struct ContinuitySnapshot {
  std::string dir;
  int64_t at_us = 0;
  int64_t units_in_yard = 0;
  int64_t holds = 0;
  int64_t visits = 0;
  int64_t list_entries = 0;
  int64_t appointments = 0;
};

class Continuity {
 public:
  explicit Continuity(Runtime& rt) : rt_(rt) {}

  // Writes a snapshot now (audited as continuity.snapshot; needs terminal.read).
  Result<ContinuitySnapshot> write(const access::Actor& actor);
  // Jobs: a snapshot when the last is continuity.every_minutes old.
  void run_due(int64_t now_us);

 private:
  Runtime& rt_;
  int64_t last_us_ = 0;
  int64_t failed_us_ = 0;
};

// The installation's continuity key: the public half (hex) of the Ed25519 key its snapshots
// are signed with (keys/ in the data directory). Print it once and keep it with the people
// who would work by hand, so they can check a snapshot without the system.
Result<std::string> continuity_public_key(const std::string& data_dir);

struct ContinuityCheck {
  int files = 0;            // files listed in SHA256SUMS, each matching
  std::string public_key;   // the key the signature verified with (hex)
  bool key_beside = false;  // true: the key written beside the snapshot (no proof of origin)
};

// Checks a snapshot directory offline: every file's hash against SHA256SUMS and the signature
// over it against `public_key_hex` (or, if empty, the key written beside it — which proves
// integrity against accidents only, not against someone who could rewrite both).
// kNotFound: no such directory; kDataLoss: a file changed or missing, or the signature does
// not verify with that key (the message says which key was used and which signed it).
Result<ContinuityCheck> verify_continuity(const std::string& dir,
                                          const std::string& public_key_hex);

}  // namespace minato::app
