#include "access/roles.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>

namespace minato::access {

namespace {
using P = Permission;
constexpr uint32_t bit(P p) { return static_cast<uint32_t>(p); }

struct RoleDef {
  std::string_view name;
  bool admin;
  uint32_t perms;
};
constexpr uint32_t kSelfBit = bit(P::kSelf);
constexpr RoleDef kRoles[] = {
    // Administrative, split by purpose.
    {"user_admin", true, bit(P::kUserAdmin) | kSelfBit},
    {"security_officer", true,
     bit(P::kApprove) | bit(P::kAuditRead) | bit(P::kIncident) | bit(P::kCompliance) |
         bit(P::kEvidence) | kSelfBit},
    {"auditor", true,
     bit(P::kAuditRead) | bit(P::kAuditLog) | bit(P::kAccessReview) | bit(P::kCompliance) |
         kSelfBit},
    {"backup_operator", true, bit(P::kBackupRun) | kSelfBit},
    {"asset_manager", true, bit(P::kAsset) | kSelfBit},
    {"config_reader", true, bit(P::kConfigRead) | kSelfBit},
    {"config_changer", true, bit(P::kConfigRead) | bit(P::kConfigWrite) | kSelfBit},
    {"maintenance_vendor", true, bit(P::kConfigRead) | kSelfBit},
    // Operational.
    {"planner", false,
     bit(P::kTerminalRead) | bit(P::kUnitLookup) | bit(P::kVisitWrite) | bit(P::kUnitWrite) |
         bit(P::kYardWrite) | bit(P::kYardMove) | bit(P::kGatePlan) | bit(P::kAppointment) |
         bit(P::kLineRelease) | bit(P::kEdiImport) | kSelfBit},
    {"yard_clerk", false,
     bit(P::kTerminalRead) | bit(P::kUnitLookup) | bit(P::kYardMove) | kSelfBit},
    {"gate_clerk", false,
     bit(P::kTerminalRead) | bit(P::kUnitLookup) | bit(P::kGateWrite) | bit(P::kAppointment) |
         kSelfBit},
    {"line_client", false, bit(P::kUnitLookup) | bit(P::kLineRelease) | kSelfBit},
    {"haulier_client", false, bit(P::kUnitLookup) | bit(P::kAppointment) | kSelfBit},
    {"viewer", false, bit(P::kTerminalRead) | bit(P::kUnitLookup) | kSelfBit},
};

const RoleDef* find(std::string_view name) {
  for (const auto& r : kRoles) {
    if (r.name == name) return &r;
  }
  return nullptr;
}
}  // namespace

std::string_view to_string(Permission p) {
  switch (p) {
    case P::kNone:
      return "none";
    case P::kTerminalRead:
      return "terminal.read";
    case P::kVisitWrite:
      return "visit.write";
    case P::kUnitWrite:
      return "unit.write";
    case P::kGateWrite:
      return "gate.write";
    case P::kYardWrite:
      return "yard.write";
    case P::kUserAdmin:
      return "user.admin";
    case P::kAuditRead:
      return "audit.read";
    case P::kAuditLog:
      return "audit.log";
    case P::kSelf:
      return "self";
    case P::kUnitLookup:
      return "unit.lookup";
    case P::kYardMove:
      return "yard.move";
    case P::kApprove:
      return "change.approve";
    case P::kAccessReview:
      return "access.review";
    case P::kBackupRun:
      return "backup.run";
    case P::kConfigRead:
      return "config.read";
    case P::kConfigWrite:
      return "config.write";
    case P::kGatePlan:
      return "gate.plan";
    case P::kAppointment:
      return "gate.appointment";
    case P::kLineRelease:
      return "unit.release";
    case P::kEdiImport:
      return "edi.import";
    case P::kIncident:
      return "incident.manage";
    case P::kAsset:
      return "asset.manage";
    case P::kCompliance:
      return "compliance.read";
    case P::kEvidence:
      return "compliance.evidence";
  }
  return "unknown";
}

bool valid_role(std::string_view role) { return find(role) != nullptr; }

Actor Actor::of_account(std::string subject, std::string source, uint32_t permissions,
                        const std::vector<std::string>& roles, std::string account_scope) {
  Actor a{std::move(subject), std::move(source), permissions};
  for (const auto& r : roles) {
    if (r == "line_client") a.client = Client::kLine;
    if (r == "haulier_client") a.client = Client::kHaulier;
  }
  // A person's account carries no scope (check_account_access refuses one); should a store hold
  // one anyway, it must not narrow or widen anything.
  if (a.client != Client::kNone) a.scope = std::move(account_scope);
  return a;
}

bool admin_role(std::string_view role) {
  const RoleDef* r = find(role);
  return r != nullptr && r->admin;
}

bool vendor_role(std::string_view role) { return role == "maintenance_vendor"; }

const std::vector<std::string_view>& all_roles() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> v;
    for (const auto& r : kRoles) v.push_back(r.name);
    return v;
  }();
  return kNames;
}

uint32_t permissions_of(const std::vector<std::string>& roles) {
  uint32_t p = 0;
  for (const auto& role : roles) {
    if (const RoleDef* r = find(role)) p |= r->perms;
  }
  return p;
}

RoleCheck check_roles(const std::vector<std::string>& roles) {
  if (roles.empty()) return {false, "an account needs at least one role"};
  if (roles.size() > 8) return {false, "an account holds at most 8 roles"};
  std::string admin, ops;
  for (size_t i = 0; i < roles.size(); ++i) {
    const RoleDef* r = find(roles[i]);
    if (r == nullptr) return {false, "unknown role '" + roles[i].substr(0, 40) + "'"};
    if (std::find(roles.begin(), roles.begin() + static_cast<long>(i), roles[i]) !=
        roles.begin() + static_cast<long>(i)) {
      return {false, "role '" + roles[i] + "' is given twice"};
    }
    (r->admin ? admin : ops) = roles[i];
  }
  if (!admin.empty() && !ops.empty()) {
    return {false, "administrative role '" + admin +
                       "' cannot be combined with operational role '" + ops +
                       "'; use two accounts (G2.1.1-j)"};
  }
  for (const auto& r : roles) {
    if (vendor_role(r) && roles.size() > 1) {
      return {false, "maintenance_vendor is a role of its own and cannot be combined"};
    }
  }
  return {};
}

Actor Actor::local_operator() {
  std::string name = "uid" + std::to_string(::getuid());
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr) name = pw->pw_name;
  Actor a{"cli:" + name, "local", ~0u};
  a.step_up_until_us = kAlwaysRecent;
  return a;
}

}  // namespace minato::access
