// Running a helper program (ClamAV's sigtool) and reading what it says: no shell, a fixed
// small environment, standard input from /dev/null, standard output and error read together
// up to a limit, and a deadline after which the program is killed.
//
//   auto r = run_program({"/usr/bin/sigtool", "--info=/path/daily.cvd"}, 30'000);
//   if (!r) ...                 // could not start, or did not finish in time (kUnavailable)
//   r->exit_status, r->output   // what it said; exit_status -1 when killed by a signal
//
// Thread-safety: each call is independent.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace minato {

struct ProgramResult {
  int exit_status = 0;  // the program's exit status; -1 when a signal ended it
  std::string output;   // standard output and standard error, interleaved, cut at the limit
};

// Runs argv[0] (an absolute path) with argv and the environment PATH=/usr/bin:/bin, LC_ALL=C.
// kNotFound when the program does not exist; kUnavailable when it cannot be started or has
// not finished after `timeout_ms` (it is then killed).
Result<ProgramResult> run_program(const std::vector<std::string>& argv, int timeout_ms,
                                  size_t max_output = 1 << 20);

}  // namespace minato
