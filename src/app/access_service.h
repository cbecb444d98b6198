// AccessService: privileged changes under the two-person rule, role rules, vendor maintenance
// windows and the access review.
//
// Two-person rule (G2.1.1-h, G2.1.3): a change of an account's roles or access rules, of a
// role's rules, or a vendor's maintenance window is first *requested* (validated then, so the
// approver sees exactly what will happen), then *approved* by a different person holding
// change.approve (a security officer), then *executed*. Each step is an audited command; the
// executed change records requester -> approver -> executor, and the account keeps who granted
// its access for the access review. Requests expire after 24 hours. The database refuses an
// approval by the requester even if a bug let one through (CHECK constraint).
//
// Maintenance windows (G1.3, A1.5.2): a maintenance_vendor account works only inside an
// approved window, only from its allowed sources, only with MFA. The first login inside the
// window records its start; stopping it early, or its end, records the stop and ends the
// vendor's sessions.
//
// Access review (G2.1.1-i): a report of every account with roles, rules, last use and who
// granted the access; an auditor signs off the exact report seen (by its SHA-256).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/write_path.h"
#include "identity/sessions.h"
#include "store/store.h"

namespace minato::app {

// The change of an account's access: only the fields given change.
struct AccessChange {
  std::optional<std::vector<std::string>> roles;
  std::optional<std::string> allowed_sources;
  std::optional<std::string> login_window;
  std::optional<int64_t> valid_until_us;  // 0 = no end date
  std::optional<std::string> scope;
  std::optional<std::string> email;  // where the user's security notices go (G2.1.1-f)
};

struct ApprovalView {
  store::ApprovalRecord record;
  bool expired = false;
};

struct AccessReviewEntry {
  store::UserRecord user;
  std::vector<std::string> permissions;
};

struct AccessReport {
  int64_t generated_us = 0;
  std::vector<AccessReviewEntry> accounts;
  std::vector<store::RoleRule> role_rules;
  // SHA-256 hex of `canonical`: every account's access (roles, permissions, rules, scope,
  // disabled, who granted it) and the role rules; last use and creation are shown beside it
  // but not covered, as they change without any change of access.
  std::string digest;
  std::string canonical;
};

// Refuses (kConflict, naming the request) an approval request that is not approved, or has
// expired: what every use of an approved request checks first.
Status check_usable(const store::ApprovalRecord& a, int64_t now_us);

class AccessService {
 public:
  static constexpr int64_t kRequestTtlS = 24 * 3600;
  static constexpr int64_t kMaxMaintenanceS = 12 * 3600;

  AccessService(store::Store& store, WritePath& writes, const Clock& clock,
                identity::SessionRegistry& sessions, int utc_offset_s)
      : store_(store),
        writes_(writes),
        clock_(clock),
        sessions_(sessions),
        utc_offset_s_(utc_offset_s) {}

  // Requests. REQUIRE user.admin. Return the approval id.
  Result<int64_t> request_access_change(const access::Actor& actor, const std::string& username,
                                        const AccessChange& change, const std::string& reason);
  Result<int64_t> request_role_rule(const access::Actor& actor, const std::string& role,
                                    const std::string& allowed_sources,
                                    const std::string& login_window, const std::string& reason);
  Result<int64_t> request_maintenance(const access::Actor& actor, const std::string& username,
                                      int64_t start_us, int64_t end_us, const std::string& reason);

  // G2.7.1-c: lets one file (by its SHA-256, hex) in unscanned while the malware scanner
  // cannot be reached. REQUIRES edi.import; used once by MediaIntake after approval.
  // G1.2: a removable medium (asset `tag`) out to `holder` for `purpose`, `days` long (1-30);
  // used by AssetService::checkout once approved. REQUIRES asset.manage.
  Result<int64_t> request_media_checkout(const access::Actor& actor, const std::string& tag,
                                         const std::string& holder, const std::string& purpose,
                                         int days);
  // Configuration control: a change of minato.toml, `payload` as ConfigService::propose makes
  // it. REQUIRES config.write.
  Result<int64_t> request_config_change(const access::Actor& actor, const std::string& target,
                                        const std::string& payload, const std::string& reason);
  Result<int64_t> request_scan_override(const access::Actor& actor, const std::string& sha256,
                                        const std::string& reason);

  // REQUIRES change.approve, and the approver is not the requester.
  Status approve(const access::Actor& actor, int64_t id, const std::string& note);
  // By an approver (rejects) or the requester (withdraws).
  Status reject(const access::Actor& actor, int64_t id, const std::string& note);
  // Applies an approved, unexpired request. REQUIRES user.admin.
  Status execute(const access::Actor& actor, int64_t id);
  // REQUIRES user.admin, change.approve or audit.read.
  Result<std::vector<ApprovalView>> list(const access::Actor& actor, bool open_only);

  // Stops a maintenance window now (the vendor, a user admin or a security officer).
  Status stop_maintenance(const access::Actor& actor, int64_t window_id, const std::string& why);
  // Records the stop of every window whose end has passed and ends the vendor's sessions
  // (run by the jobs thread). Returns how many were stopped.
  Result<int> close_ended_maintenance(const access::Actor& actor);
  // REQUIRES user.admin, change.approve or audit.read (or the vendor for their own).
  Result<std::vector<store::MaintenanceWindow>> maintenance_windows(const access::Actor& actor,
                                                                    const std::string& username);

  // The rules each role's accounts log in under (G2.1.1-a: sources; G2.2.1-d: times).
  // REQUIRES user.admin, change.approve or audit.read.
  Result<std::vector<store::RoleRule>> role_rules(const access::Actor& actor);

  // REQUIRES access.review or user.admin.
  Result<AccessReport> access_report(const access::Actor& actor);
  // REQUIRES access.review; `digest` must be the current report's.
  Result<int64_t> sign_off(const access::Actor& actor, const std::string& digest,
                           const std::string& note);
  Result<std::vector<store::AccessReviewRecord>> sign_offs(const access::Actor& actor);

 private:
  Result<int64_t> request(const access::Actor& actor, const std::string& kind,
                          const std::string& target, std::string payload, const std::string& reason,
                          access::Permission required = access::Permission::kUserAdmin);

  store::Store& store_;
  WritePath& writes_;
  const Clock& clock_;
  identity::SessionRegistry& sessions_;
  int utc_offset_s_;
};

}  // namespace minato::app
