// `minato edi inspect`: what an EDIFACT file holds, read without importing anything. Counts
// the messages, segments, containers (EQD+CN) with valid and invalid ISO 6346 numbers and
// stowage positions (LOC+147), and lists every warning and error with its place in the file.
//
//   InspectReport r = inspect(bytes, Strictness::kLenient);
//   r.containers == r.valid_ids + r.invalid_ids
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "edi/interchange.h"

namespace minato::edi {

struct MessageInfo {
  std::string reference;
  std::string type;         // "BAPLIE"
  std::string directory;    // "D95B"
  std::string association;  // "SMDG20"
  size_t segment = 0;       // where its UNH is
  size_t segments = 0;      // UNH to UNT (or to where it was cut off)
  bool complete = true;     // ended with a UNT
};

struct InspectReport {
  InspectReport(std::string_view input, Strictness strictness) : diagnostics(input, strictness) {}

  ReadSummary summary;
  std::vector<MessageInfo> messages;
  size_t containers = 0;   // EQD segments with equipment qualifier CN
  size_t valid_ids = 0;    // of those, an ISO 6346 number with its right check digit
  size_t invalid_ids = 0;  // missing, malformed or with a wrong check digit
  size_t positions = 0;    // LOC+147 (stowage cell) segments
  Diagnostics diagnostics;
};

InspectReport inspect(std::string_view input, Strictness strictness);

}  // namespace minato::edi
