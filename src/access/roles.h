// Roles and permissions (RBAC, least privilege). G2.2.1-a: every endpoint checks a permission.
//
// G2.1.1-j: administrative roles are split by purpose and carry no terminal-operation
// rights; operational roles carry no administrative rights; one account never holds both kinds
// (an administrator works in the terminal only through a separate, ordinary account).
//
// Administrative roles:
//   user_admin          create, lock/unlock, disable accounts; request privileged changes
//   security_officer    approve privileged changes (two-person rule), read the audit log
//   auditor             read the audit log, access review and its sign-off
//   backup_operator     run and verify backups, restore drills
//   config_reader       read the configuration and software inventory
//   config_changer      request configuration changes (approved by a security officer)
//   maintenance_vendor  a vendor's maintenance engineer: usable only inside an approved
//                       maintenance window (G1.3, A1.5.2), reads configuration
// Operational roles:
//   planner             vessel visits, units, yard, gate slots, appointments, releases
//   yard_clerk          read terminal state, yard moves
//   gate_clerk          gate transactions, truck arrivals and exits, appointments
//   line_client         a shipping line's API client: looks up its own line's units only and
//                       releases them for delivery (sets their PINs); its scope (the line
//                       operator code) is required
//   haulier_client      a haulier's API client: looks up single units; books and cancels its
//                       own haulier's truck appointments (its scope, required)
//   viewer              read terminal state
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
  kSelf = 1u << 7,           // act on one's own session and account
  kUnitLookup = 1u << 8,     // look up one unit by container number (API clients)
  kYardMove = 1u << 9,       // move units inside the yard
  kApprove = 1u << 10,       // approve another person's privileged change
  kAccessReview = 1u << 11,  // read the access review and sign it off
  kBackupRun = 1u << 12,
  kConfigRead = 1u << 13,
  kConfigWrite = 1u << 14,
  kAuditLog = 1u << 15,     // G2.7.3-e: read the audit log itself (the auditor only)
  kGatePlan = 1u << 16,     // set the gate's appointment slots and their capacity
  kAppointment = 1u << 17,  // book and cancel truck appointments
  kLineRelease = 1u << 18,  // release an import unit for delivery (its PIN): the line's act
  kEdiImport = 1u << 19,    // take in files from outside (media intake) and import EDI
  kIncident = 1u << 20,     // G3.1: open incidents, contain, record their timeline, close
  kAsset = 1u << 21,        // G1.2, G2.6.1-a: the asset register, work records, media loans
  kCompliance = 1u << 22,   // read the compliance report and its evidence register
  kEvidence = 1u << 23,     // record and withdraw evidence of organisational measures
};

std::string_view to_string(Permission p);
bool valid_role(std::string_view role);
// True for the administrative roles (see above).
bool admin_role(std::string_view role);
// True for maintenance_vendor: usable only inside an approved maintenance window.
bool vendor_role(std::string_view role);
const std::vector<std::string_view>& all_roles();
uint32_t permissions_of(const std::vector<std::string>& roles);
// Checks a role set: non-empty, known roles, no duplicates, not administrative and operational
// together (G2.1.1-j). The message names the offending role.
struct RoleCheck {
  bool ok = true;
  std::string message;
};
RoleCheck check_roles(const std::vector<std::string>& roles);

// Who is acting, from where, with which rights.
//
// G2.2.1-a object scope, fail closed: an API client's account acts for one line or one haulier.
// Which kind of client it is comes from its roles, never from whether a scope is set, so a client
// whose scope is empty (an account from before scopes were required, or a store edited by hand)
// sees no line's units and no haulier's appointments instead of everyone's.
struct Actor {
  enum class Client : uint8_t {
    kNone,     // a person or the system: no object scope
    kLine,     // line_client: scope is its line operator code
    kHaulier,  // haulier_client: scope is its haulier code
  };

  Actor() = default;
  Actor(std::string subj, std::string src, uint32_t perms)
      : subject(std::move(subj)), source(std::move(src)), permissions(perms) {}

  std::string subject;  // "user:alice", "cli:root", "anonymous"
  std::string source;   // client address or "local"
  uint32_t permissions = 0;
  Client client = Client::kNone;
  // The client's line operator code (kLine) or haulier code (kHaulier); empty otherwise.
  std::string scope;

  // G2.1.2-a: until when this actor counts as having proved a second factor recently (a
  // session's login or step-up time plus the step-up window); kAlwaysRecent for the operator
  // at the server's CLI (who holds the data directory, and so every secret) and for people in
  // unit tests that are not about step-up; 0 for an API token or a system job, which never
  // pass a step-up check.
  static constexpr int64_t kAlwaysRecent = INT64_MAX;
  int64_t step_up_until_us = 0;

  // An account's actor: its roles say which kind of client it is; its stored scope is the
  // line's code for a line_client and the haulier's code for a haulier_client.
  static Actor of_account(std::string subject, std::string source, uint32_t permissions,
                          const std::vector<std::string>& roles, std::string account_scope);

  bool line_scoped() const { return client == Client::kLine; }
  bool haulier_scoped() const { return client == Client::kHaulier; }
  // True when this actor may see an object of that line (units, bookings). False for a line
  // client of another line and for one with no line at all.
  bool sees_line(std::string_view line_operator) const {
    return client != Client::kLine || (!scope.empty() && line_operator == scope);
  }
  // True when this actor may see an object of that haulier (appointments, truck visits).
  bool sees_haulier(std::string_view haulier) const {
    return client != Client::kHaulier || (!scope.empty() && haulier == scope);
  }

  bool has(Permission p) const {
    return p == Permission::kNone || (permissions & static_cast<uint32_t>(p)) != 0;
  }
  static Actor anonymous(std::string source) { return Actor{"anonymous", std::move(source), 0}; }
  // The local operator at the CLI: holds the data directory, so holds every right (and is
  // audited like everyone else).
  static Actor local_operator();
};

}  // namespace minato::access
