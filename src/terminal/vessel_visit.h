// VesselVisit: one call of a vessel at the terminal, from announcement to closing.
//
// Phases follow the usual TOS life cycle:
//   created -> inbound -> arrived -> working -> completed -> departed -> closed
// and a visit that has not arrived may be cancelled. advance() refuses any other step and says
// which steps are allowed.
//
//   auto v = VesselVisit::create({"ONE2611", "ONE HARMONY", "9321483", "B1", eta, etd});
//   v->advance(VisitPhase::kArrived);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::terminal {

enum class VisitPhase {
  kCreated,
  kInbound,
  kArrived,
  kWorking,
  kCompleted,
  kDeparted,
  kClosed,
  kCancelled
};

std::string_view to_string(VisitPhase p);
std::optional<VisitPhase> visit_phase_from(std::string_view s);

// True when `imo` is a valid 7-digit IMO ship number (with or without an "IMO" prefix):
// the last digit is the check digit over the first six, weighted 7..2.
bool valid_imo_number(std::string_view imo);

struct VesselVisitSpec {
  std::string id;           // visit code, 1-16 of A-Z 0-9 '-'
  std::string vessel_name;  // 1-64 printable characters
  std::string imo;          // 7-digit IMO number, "IMO" prefix allowed
  std::string berth;        // 1-8 of A-Z 0-9
  int64_t eta_us = 0;
  int64_t etd_us = 0;  // must not be before eta
};

class VesselVisit {
 public:
  static Result<VesselVisit> create(VesselVisitSpec spec);
  // Rebuilds a stored visit (already validated when created).
  static VesselVisit restore(VesselVisitSpec spec, VisitPhase phase);

  Status advance(VisitPhase to);

  const VesselVisitSpec& spec() const { return spec_; }
  const std::string& id() const { return spec_.id; }
  VisitPhase phase() const { return phase_; }

 private:
  VesselVisit(VesselVisitSpec spec, VisitPhase phase) : spec_(std::move(spec)), phase_(phase) {}
  VesselVisitSpec spec_;
  VisitPhase phase_;
};

}  // namespace minato::terminal
