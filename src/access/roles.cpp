#include "access/roles.h"

#include <pwd.h>
#include <unistd.h>

namespace minato::access {

namespace {
using P = Permission;
constexpr uint32_t bit(P p) { return static_cast<uint32_t>(p); }

struct RoleDef {
  std::string_view name;
  uint32_t perms;
};
constexpr RoleDef kRoles[] = {
    {"security_admin", bit(P::kUserAdmin) | bit(P::kAuditRead) | bit(P::kSelf)},
    {"planner", bit(P::kTerminalRead) | bit(P::kVisitWrite) | bit(P::kUnitWrite) |
                    bit(P::kYardWrite) | bit(P::kSelf)},
    {"gate_clerk", bit(P::kTerminalRead) | bit(P::kGateWrite) | bit(P::kSelf)},
    {"viewer", bit(P::kTerminalRead) | bit(P::kSelf)},
};
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
    case P::kSelf:
      return "self";
  }
  return "unknown";
}

bool valid_role(std::string_view role) {
  for (const auto& r : kRoles) {
    if (r.name == role) return true;
  }
  return false;
}

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
    for (const auto& r : kRoles) {
      if (r.name == role) p |= r.perms;
    }
  }
  return p;
}

Actor Actor::local_operator() {
  std::string name = "uid" + std::to_string(::getuid());
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr) name = pw->pw_name;
  return Actor{"cli:" + name, "local", ~0u};
}

}  // namespace minato::access
