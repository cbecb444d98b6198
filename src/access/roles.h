// Roles and permissions (RBAC, least privilege). G2.2.1-a: every endpoint checks a permission.
// G2.1.1-j: administration is its own role and carries no terminal-operation rights, so an
// administrator works in the terminal only through a separate, ordinary account.
//
// Roles:
//   security_admin  manage users and read the audit log; no terminal operations
//   planner         vessel visits, units, yard
//   gate_clerk      gate transactions
//   viewer          read terminal state
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minato::access {

enum class Permission : uint32_t {
  kNone = 0,  // any caller, including anonymous (login)
  kTerminalRead = 1u << 0,
  kVisitWrite = 1u << 1,
  kUnitWrite = 1u << 2,
  kGateWrite = 1u << 3,
  kYardWrite = 1u << 4,
  kUserAdmin = 1u << 5,
  kAuditRead = 1u << 6,
  kSelf = 1u << 7,  // act on one's own session
};

std::string_view to_string(Permission p);
bool valid_role(std::string_view role);
const std::vector<std::string_view>& all_roles();
uint32_t permissions_of(const std::vector<std::string>& roles);

// Who is acting, from where, with which rights.
struct Actor {
  std::string subject;  // "user:alice", "cli:root", "anonymous"
  std::string source;   // client address or "local"
  uint32_t permissions = 0;

  bool has(Permission p) const {
    return p == Permission::kNone || (permissions & static_cast<uint32_t>(p)) != 0;
  }
  static Actor anonymous(std::string source) { return Actor{"anonymous", std::move(source), 0}; }
  // The local operator at the CLI: holds the data directory, so holds every right (and is
  // audited like everyone else).
  static Actor local_operator();
};

}  // namespace minato::access
