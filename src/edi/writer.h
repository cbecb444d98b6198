// EDIFACT out: BAPLIE (a vessel's bay plan), COARRI (discharge and load reports) and CODECO
// (gate reports) from equipment records, as D95B messages with SMDG's usage, syntax level UNOC
// (ISO 8859-1; text outside it is replaced by '?'), one segment per line. Values are escaped
// with the release character, so any text survives a round trip through map_file().
//
//   Interchange ic{.sender = "MINATO", .recipient = "ONE", .reference = "42", .prepared_us = now};
//   std::string file = write_baplie(ic, call, units);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edi/equipment.h"

namespace minato::edi {

struct Interchange {
  std::string sender;
  std::string recipient;
  std::string reference;  // interchange control reference, 1-14 characters
  int64_t prepared_us = 0;
};

// One BAPLIE message: every unit at its stowage cell (units without one are left out: a bay
// plan lists cells). The vessel call gives TDT and the header's ports.
std::string write_baplie(const Interchange& ic, const VesselCall& call,
                         const std::vector<Equipment>& units);

enum class ReportKind { kDischarge, kLoad, kGateIn, kGateOut };

// COARRI (kDischarge: BGM 44, kLoad: BGM 46) or CODECO (kGateIn: BGM 34, kGateOut: BGM 36).
std::string write_report(const Interchange& ic, const VesselCall& call, ReportKind kind,
                         const std::vector<Equipment>& units);

// The value with the separators and the release character escaped (UNOC default separators).
std::string escape(std::string_view value);

}  // namespace minato::edi
