#include "secops/sigtool.h"

#include <sstream>

#include "common/subprocess.h"

namespace minato::secops {

Result<SigtoolCheck> check_with_sigtool(const std::string& sigtool, const std::string& path,
                                        int timeout_ms) {
  auto run = run_program({sigtool, "--info=" + path}, timeout_ms, 64 << 10);
  if (!run) {
    if (run.error().code() == ErrorCode::kNotFound) {
      return fail(ErrorCode::kFailedPrecondition,
                  run.error().message() +
                      ": ClamAV's sigtool checks signature files (Debian package clamav; "
                      "intake.sigtool names it)");
    }
    return fail(run.error());
  }
  SigtoolCheck c;
  c.output = run->output;
  std::istringstream lines(run->output);
  std::string line, errors;
  bool ok = false, unsigned_container = false;
  while (std::getline(lines, line)) {
    if (line == "Verification OK.") ok = true;
    if (line == "Verification: Unsigned container") unsigned_container = true;
    // "ERROR: cvdinfo: Verification: Can't verify database integrity", "LibClamAV Error: ..."
    size_t e = line.find("ERROR: ");
    if (e == std::string::npos) e = line.find("Error: ");
    if (e != std::string::npos) {
      if (!errors.empty()) errors += "; ";
      errors += line.substr(e + 7);
    }
  }
  if (run->exit_status == 0 && ok && errors.empty()) {
    c.verdict = SigtoolCheck::kVerified;
    c.detail = "Verification OK.";
  } else if (run->exit_status == 0 && unsigned_container && errors.empty()) {
    c.verdict = SigtoolCheck::kUnsigned;
    c.detail = "an unsigned container: not signed by ClamAV";
  } else {
    c.verdict = SigtoolCheck::kFailed;
    c.detail = errors.empty() ? "sigtool did not report \"Verification OK.\" (exit status " +
                                    std::to_string(run->exit_status) + ")"
                              : errors;
  }
  return c;
}

}  // namespace minato::secops
