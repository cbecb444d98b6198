#include "app/containment.h"

#include "app/write_path.h"

namespace minato::app {

namespace {

constexpr std::array<std::string_view, kAllMeasures.size()> kNames = {
    "sessions", "tokens", "vendors", "listener", "freeze", "operations"};

size_t index_of(Measure m) { return static_cast<size_t>(m); }

}  // namespace

std::string_view to_string(Measure m) { return kNames[index_of(m)]; }

std::optional<Measure> measure_from(std::string_view name) {
  for (Measure m : kAllMeasures) {
    if (kNames[index_of(m)] == name) return m;
  }
  return std::nullopt;
}

bool security_staff_role(std::string_view role) {
  return role == "security_officer" || role == "auditor";
}

bool operational_permission(access::Permission p) {
  using P = access::Permission;
  switch (p) {
    case P::kVisitWrite:
    case P::kUnitWrite:
    case P::kGateWrite:
    case P::kYardWrite:
    case P::kYardMove:
    case P::kGatePlan:
    case P::kAppointment:
    case P::kLineRelease:
    case P::kEdiImport:
      return true;
    default:
      return false;
  }
}

void Containment::load(const std::vector<store::ContainmentRecord>& rows) {
  std::lock_guard lock(mu_);
  rows_ = {};
  for (const auto& r : rows) {
    if (auto m = measure_from(r.measure)) rows_[index_of(*m)] = r;
  }
}

std::optional<store::ContainmentRecord> Containment::in_force(Measure m) const {
  std::lock_guard lock(mu_);
  return rows_[index_of(m)];
}

std::vector<store::ContainmentRecord> Containment::all() const {
  std::lock_guard lock(mu_);
  std::vector<store::ContainmentRecord> out;
  for (const auto& r : rows_) {
    if (r) out.push_back(*r);
  }
  return out;
}

bool Containment::admits(const std::string& source) const {
  return !on(Measure::kListener) || break_glass_.allows(source);
}

std::string Containment::refusal(Measure m) const {
  auto r = in_force(m);
  if (!r) return {};
  std::string what;
  switch (m) {
    case Measure::kTokens:
      what = "API tokens are suspended";
      break;
    case Measure::kVendors:
      what = "vendor access is suspended";
      break;
    case Measure::kFreeze:
      what = "privileged changes are frozen";
      break;
    case Measure::kOperations:
      what = "terminal commands are stopped";
      break;
    case Measure::kListener:
      what = "only break-glass sources are admitted";
      break;
    case Measure::kSessions:
      what = "sessions were ended";
      break;
  }
  return what + " while incident " + std::to_string(r->incident_id) + " is contained";
}

std::string containment_refusal(const Containment& c, const CommandSpec& spec) {
  if (operational_permission(spec.required)) return c.refusal(Measure::kOperations);
  static constexpr std::array<std::string_view, 11> kFrozen = {
      "approval.request",       "approval.approve", "approval.execute", "config.apply",
      "api_token.issue",        "api_token.rotate", "source.unblock",   "user.create",
      "user.credentials.reset", "user.enable",      "user.unlock"};
  for (auto a : kFrozen) {
    if (spec.action == a) return c.refusal(Measure::kFreeze);
  }
  return {};
}

}  // namespace minato::app
