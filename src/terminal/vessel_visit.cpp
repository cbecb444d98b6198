#include "terminal/vessel_visit.h"

#include <array>
#include <cctype>

namespace minato::terminal {

namespace {

constexpr std::array<std::string_view, 8> kPhaseNames = {
    "created", "inbound", "arrived", "working", "completed", "departed", "closed", "cancelled"};

bool code_chars(std::string_view s, size_t max, bool allow_dash) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    bool okc = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (allow_dash && c == '-');
    if (!okc) return false;
  }
  return true;
}

bool allowed(VisitPhase from, VisitPhase to) {
  using P = VisitPhase;
  switch (from) {
    case P::kCreated:
      return to == P::kInbound || to == P::kArrived || to == P::kCancelled;
    case P::kInbound:
      return to == P::kArrived || to == P::kCancelled;
    case P::kArrived:
      return to == P::kWorking || to == P::kDeparted;
    case P::kWorking:
      return to == P::kCompleted;
    case P::kCompleted:
      return to == P::kDeparted;
    case P::kDeparted:
      return to == P::kClosed;
    case P::kClosed:
    case P::kCancelled:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(VisitPhase p) { return kPhaseNames[static_cast<size_t>(p)]; }

std::optional<VisitPhase> visit_phase_from(std::string_view s) {
  for (size_t i = 0; i < kPhaseNames.size(); ++i) {
    if (kPhaseNames[i] == s) return static_cast<VisitPhase>(i);
  }
  return std::nullopt;
}

bool valid_imo_number(std::string_view imo) {
  if (imo.size() == 10 && imo.substr(0, 3) == "IMO") imo.remove_prefix(3);
  if (imo.size() != 7) return false;
  int sum = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (imo[i] < '0' || imo[i] > '9') return false;
  }
  for (size_t i = 0; i < 6; ++i) sum += (imo[i] - '0') * static_cast<int>(7 - i);
  return sum % 10 == imo[6] - '0';
}

Result<VesselVisit> VesselVisit::create(VesselVisitSpec spec) {
  if (!code_chars(spec.id, 16, true)) {
    return fail(ErrorCode::kInvalidArgument, "visit id must be 1-16 characters of A-Z, 0-9 and '-'",
                "id");
  }
  if (spec.vessel_name.empty() || spec.vessel_name.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "vessel name must be 1-64 characters", "vessel_name");
  }
  for (char c : spec.vessel_name) {
    if (std::isprint(static_cast<unsigned char>(c)) == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  "vessel name must contain printable ASCII characters only", "vessel_name");
    }
  }
  if (!valid_imo_number(spec.imo)) {
    return fail(ErrorCode::kInvalidArgument,
                "IMO number must be 7 digits whose last digit is the check digit", "imo");
  }
  if (spec.imo.size() == 10) spec.imo = spec.imo.substr(3);
  if (!code_chars(spec.berth, 8, false)) {
    return fail(ErrorCode::kInvalidArgument, "berth must be 1-8 characters of A-Z and 0-9",
                "berth");
  }
  if (spec.etd_us < spec.eta_us) {
    return fail(ErrorCode::kInvalidArgument, "etd must not be before eta", "etd");
  }
  return VesselVisit(std::move(spec), VisitPhase::kCreated);
}

VesselVisit VesselVisit::restore(VesselVisitSpec spec, VisitPhase phase) {
  return VesselVisit(std::move(spec), phase);
}

Status VesselVisit::advance(VisitPhase to) {
  if (!allowed(phase_, to)) {
    std::string msg = "vessel visit " + spec_.id + " cannot go from " +
                      std::string(to_string(phase_)) + " to " + std::string(to_string(to));
    return fail(ErrorCode::kConflict, msg, "phase");
  }
  phase_ = to;
  return ok();
}

}  // namespace minato::terminal
