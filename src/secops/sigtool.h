// ClamAV's own check of a signature database file (G2.7.1-b): `sigtool --info=FILE` verifies a
// .cvd's MD5 and its RSA signature by ClamAV (and a .cld's signed index) with the key built
// into libclamav, and says "Verification OK."; a .cud is an unsigned container and says so.
// Minato does not link ClamAV (GPL): the program is run (common/subprocess.h).
//
//   auto v = check_with_sigtool("/usr/bin/sigtool", "/quarantine/check-1/daily.cvd", 60'000);
//   v->verdict == SigtoolVerdict::kVerified
//
// The file must carry its database name and extension ("daily.cvd"): sigtool decides by them.
#pragma once

#include <string>

#include "common/result.h"

namespace minato::secops {

struct SigtoolCheck {
  enum Verdict {
    kVerified,  // "Verification OK.": signed by ClamAV, content intact
    kUnsigned,  // "Verification: Unsigned container" (.cud): nobody vouches for it
    kFailed,    // anything else: changed, damaged, or not signed by ClamAV
  };
  Verdict verdict = kFailed;
  std::string detail;  // sigtool's own words for a failure (its ERROR lines), or its verdict
  std::string output;  // everything it printed (bounded)
};

// Runs sigtool on `path`. An error only when sigtool cannot be run (kNotFound: not installed,
// with the package to install; kUnavailable: it did not finish); a file that does not verify
// is a kFailed check, not an error.
Result<SigtoolCheck> check_with_sigtool(const std::string& sigtool, const std::string& path,
                                        int timeout_ms);

}  // namespace minato::secops
