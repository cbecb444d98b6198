#include "app/access_service.h"

#include "app/config_service.h"

#include "app/asset_service.h"
#include "app/media_intake.h"

#include <boost/json.hpp>

#include "app/identity_service.h"
#include "crypto/random.h"
#include "identity/source_rules.h"
#include "identity/time_window.h"
#include "notify/transport.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr std::string_view kAccessKind = "user.access";
constexpr std::string_view kRoleRuleKind = "role.rule";
constexpr std::string_view kMaintenanceKind = "maintenance.window";

Status check_reason(const std::string& reason, const char* field = "reason") {
  if (reason.empty() || reason.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "give a reason of 1-200 characters", field);
  }
  return ok();
}

json::array str_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> from_array(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}

std::string who_granted(const store::ApprovalRecord& a, const std::string& executor) {
  return "approval " + std::to_string(a.id) + ": requested by " + a.requested_by +
         ", approved by " + a.decided_by + ", executed by " + executor;
}

json::object chain_json(const store::ApprovalRecord& a, const std::string& executor) {
  return json::object{{"approval", a.id},
                      {"requested_by", a.requested_by},
                      {"approved_by", a.decided_by},
                      {"executed_by", executor}};
}

}  // namespace

Status check_usable(const store::ApprovalRecord& a, int64_t now_us) {
  const std::string name = "request " + std::to_string(a.id);
  if (a.status != "approved") {
    return fail(ErrorCode::kConflict, name + " is " + a.status + ", not approved");
  }
  if (now_us >= a.expires_us) return fail(ErrorCode::kConflict, name + " has expired");
  return ok();
}

Result<int64_t> AccessService::request(const access::Actor& actor, const std::string& kind,
                                       const std::string& target, std::string payload,
                                       const std::string& reason, Permission required) {
  MINATO_TRY(check_reason(reason));
  return writes_.execute<int64_t>(
      actor, {"approval.request", target, required},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        store::ApprovalRecord a;
        a.kind = kind;
        a.target = target;
        a.payload = payload;
        a.reason = reason;
        a.requested_by = actor.subject;
        a.requested_us = fx.now_us;
        a.expires_us = fx.now_us + kRequestTtlS * 1'000'000;
        a.status = "pending";
        auto id = tx.insert_approval(a);
        if (!id) return fail(id.error());
        fx.reason = reason;
        fx.change = json::serialize(json::object{{"table", "approvals"},
                                                 {"op", "insert"},
                                                 {"id", *id},
                                                 {"kind", kind},
                                                 {"payload", json::parse(payload)}});
        return *id;
      });
}

Result<int64_t> AccessService::request_media_checkout(const access::Actor& actor,
                                                      const std::string& tag,
                                                      const std::string& holder,
                                                      const std::string& purpose, int days) {
  if (holder.empty() || holder.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "holder must be 1 to 200 bytes", "holder");
  }
  if (purpose.empty() || purpose.size() > 2000) {
    return fail(ErrorCode::kInvalidArgument, "purpose must be 1 to 2000 bytes", "purpose");
  }
  if (days < 1 || days > 30) {
    return fail(ErrorCode::kInvalidArgument, "a loan lasts 1 to 30 days", "days");
  }
  {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto a = (*rx)->find_asset(tag);
    if (!a) return fail(a.error());
    if (!*a) return fail(ErrorCode::kNotFound, "no asset " + tag, "tag");
    if ((*a)->kind != "media" || (*a)->state != "in_service") {
      return fail(ErrorCode::kConflict, tag + " is not a removable medium in service", "tag");
    }
  }
  return request(actor, std::string(kMediaCheckoutKind), "asset:" + tag,
                 json::serialize(json::object{
                     {"tag", tag}, {"holder", holder}, {"purpose", purpose}, {"days", days}}),
                 purpose, Permission::kAsset);
}

Result<int64_t> AccessService::request_config_change(const access::Actor& actor,
                                                     const std::string& target,
                                                     const std::string& payload,
                                                     const std::string& reason) {
  return request(actor, std::string(kConfigChangeKind), target, payload, reason,
                 Permission::kConfigWrite);
}

Result<int64_t> AccessService::request_scan_override(const access::Actor& actor,
                                                     const std::string& sha256,
                                                     const std::string& reason) {
  bool hex = sha256.size() == 64;
  for (char c : sha256) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex) {
    return fail(ErrorCode::kInvalidArgument,
                "the file's SHA-256 must be 64 lower-case hex digits (as the refusal gave it)",
                "sha256");
  }
  return request(actor, std::string(MediaIntake::kOverrideKind),
                 MediaIntake::override_target(sha256),
                 json::serialize(json::object{{"sha256", sha256}}), reason, Permission::kEdiImport);
}

Result<int64_t> AccessService::request_access_change(const access::Actor& actor,
                                                     const std::string& username,
                                                     const AccessChange& c,
                                                     const std::string& reason) {
  MINATO_TRY(check_username(username));
  json::object p{{"username", username}};
  if (!c.roles && !c.allowed_sources && !c.login_window && !c.valid_until_us && !c.scope &&
      !c.email) {
    return fail(ErrorCode::kInvalidArgument, "the request changes nothing");
  }
  if (c.roles) p["roles"] = str_array(*c.roles);
  if (c.allowed_sources) {
    auto rules = identity::SourceRules::parse(*c.allowed_sources);
    if (!rules) return fail(rules.error());
    p["allowed_sources"] = rules->str();
  }
  if (c.login_window) {
    auto w = identity::TimeWindows::parse(*c.login_window, utc_offset_s_);
    if (!w) return fail(w.error());
    p["login_window"] = w->str();
  }
  if (c.valid_until_us) p["valid_until_us"] = *c.valid_until_us;
  if (c.scope) p["scope"] = *c.scope;
  if (c.email) {
    if (!c.email->empty() && !notify::valid_mail_address(*c.email)) {
      return fail(ErrorCode::kInvalidArgument, "email must be a plain address", "email");
    }
    p["email"] = *c.email;
  }
  // Validate against the account as it is now, so the approver sees a change that can apply.
  {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto found = (*rx)->find_user(username);
    if (!found) return fail(found.error());
    if (!*found) return fail(ErrorCode::kNotFound, "no user " + username, "username");
    MINATO_TRY(
        check_account_access(c.roles.value_or((*found)->roles), c.scope.value_or((*found)->scope)));
  }
  return request(actor, std::string(kAccessKind), "user:" + username, json::serialize(p), reason);
}

Result<int64_t> AccessService::request_role_rule(const access::Actor& actor,
                                                 const std::string& role,
                                                 const std::string& allowed_sources,
                                                 const std::string& login_window,
                                                 const std::string& reason) {
  if (!access::valid_role(role)) {
    return fail(ErrorCode::kInvalidArgument, "unknown role '" + role.substr(0, 40) + "'", "role");
  }
  auto rules = identity::SourceRules::parse(allowed_sources);
  if (!rules) return fail(rules.error());
  auto w = identity::TimeWindows::parse(login_window, utc_offset_s_);
  if (!w) return fail(w.error());
  json::object p{{"role", role}, {"allowed_sources", rules->str()}, {"login_window", w->str()}};
  return request(actor, std::string(kRoleRuleKind), "role:" + role, json::serialize(p), reason);
}

Result<int64_t> AccessService::request_maintenance(const access::Actor& actor,
                                                   const std::string& username, int64_t start_us,
                                                   int64_t end_us, const std::string& reason) {
  MINATO_TRY(check_username(username));
  if (end_us <= start_us) {
    return fail(ErrorCode::kInvalidArgument, "the window must end after it starts", "end");
  }
  if (end_us - start_us > kMaxMaintenanceS * 1'000'000) {
    return fail(ErrorCode::kInvalidArgument, "a maintenance window lasts at most 12 hours", "end");
  }
  if (end_us <= clock_.now_us()) {
    return fail(ErrorCode::kInvalidArgument, "the window is already over", "end");
  }
  {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto found = (*rx)->find_user(username);
    if (!found) return fail(found.error());
    if (!*found) return fail(ErrorCode::kNotFound, "no user " + username, "username");
    const auto& roles = (*found)->roles;
    if (std::find(roles.begin(), roles.end(), "maintenance_vendor") == roles.end()) {
      return fail(ErrorCode::kInvalidArgument, username + " is not a maintenance_vendor account",
                  "username");
    }
  }
  json::object p{{"username", username}, {"start_us", start_us}, {"end_us", end_us}};
  return request(actor, std::string(kMaintenanceKind), "user:" + username, json::serialize(p),
                 reason);
}

Status AccessService::approve(const access::Actor& actor, int64_t id, const std::string& note) {
  return writes_.execute_status(
      actor,
      {"approval.approve", "approval:" + std::to_string(id), Permission::kApprove, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_approval(id);
        if (!found) return fail(found.error());
        if (!*found) return fail(ErrorCode::kNotFound, "no approval request " + std::to_string(id));
        store::ApprovalRecord a = **found;
        if (a.status != "pending") {
          return fail(ErrorCode::kConflict, "request " + std::to_string(id) + " is " + a.status);
        }
        if (fx.now_us >= a.expires_us) {
          return fail(ErrorCode::kConflict, "request " + std::to_string(id) + " has expired");
        }
        // G2.1.1-h, G2.1.3: the two-person rule.
        if (a.requested_by == actor.subject) {
          return fail(ErrorCode::kPermissionDenied,
                      "a change must be approved by someone other than its requester");
        }
        a.status = "approved";
        a.decided_by = actor.subject;
        a.decided_us = fx.now_us;
        a.decision_note = note.substr(0, 200);
        MINATO_TRY(tx.update_approval(a));
        fx.reason = a.kind + " " + a.target + " requested by " + a.requested_by;
        fx.change = json::serialize(json::object{
            {"table", "approvals"}, {"op", "update"}, {"id", id}, {"status", "approved"}});
        return ok();
      });
}

Status AccessService::reject(const access::Actor& actor, int64_t id, const std::string& note) {
  MINATO_TRY(check_reason(note, "note"));
  // Either an approver (rejects) or the requester (withdraws): checked inside.
  return writes_.execute_status(
      actor, {"approval.reject", "approval:" + std::to_string(id), Permission::kSelf},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_approval(id);
        if (!found) return fail(found.error());
        if (!*found) return fail(ErrorCode::kNotFound, "no approval request " + std::to_string(id));
        store::ApprovalRecord a = **found;
        bool requester = a.requested_by == actor.subject;
        if (!requester && !actor.has(Permission::kApprove)) {
          return fail(ErrorCode::kPermissionDenied,
                      "only an approver or the requester can reject a request");
        }
        if (a.status != "pending" && a.status != "approved") {
          return fail(ErrorCode::kConflict, "request " + std::to_string(id) + " is " + a.status);
        }
        a.status = "rejected";
        a.decided_by = requester ? std::string() : actor.subject;
        a.decided_us = fx.now_us;
        a.decision_note = (requester ? "withdrawn: " : "") + note;
        MINATO_TRY(tx.update_approval(a));
        fx.reason = a.decision_note;
        fx.change = json::serialize(json::object{
            {"table", "approvals"}, {"op", "update"}, {"id", id}, {"status", "rejected"}});
        return ok();
      });
}

Status AccessService::execute(const access::Actor& actor, int64_t id) {
  std::string end_sessions_user, end_sessions_role;
  MINATO_TRY(writes_.execute_status(
      actor,
      {"approval.execute", "approval:" + std::to_string(id), Permission::kUserAdmin, false,
       /*step_up=*/true},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_approval(id);
        if (!found) return fail(found.error());
        if (!*found) return fail(ErrorCode::kNotFound, "no approval request " + std::to_string(id));
        store::ApprovalRecord a = **found;
        MINATO_TRY(check_usable(a, fx.now_us));
        json::object p = json::parse(a.payload).as_object();
        json::object change{{"kind", a.kind}, {"chain", chain_json(a, actor.subject)}};
        if (a.kind == kAccessKind) {
          std::string username(p.at("username").as_string());
          auto user = tx.find_user(username);
          if (!user) return fail(user.error());
          if (!*user) return fail(ErrorCode::kNotFound, "no user " + username);
          store::UserRecord u = **user;
          json::object before{{"roles", str_array(u.roles)},
                              {"allowed_sources", u.allowed_sources},
                              {"login_window", u.login_window},
                              {"valid_until_us", u.valid_until_us},
                              {"scope", u.scope},
                              {"email", u.email}};
          if (p.contains("roles")) u.roles = from_array(p.at("roles"));
          if (p.contains("allowed_sources"))
            u.allowed_sources = p.at("allowed_sources").as_string();
          if (p.contains("login_window")) u.login_window = p.at("login_window").as_string();
          if (p.contains("valid_until_us")) u.valid_until_us = p.at("valid_until_us").as_int64();
          if (p.contains("scope")) u.scope = p.at("scope").as_string();
          if (p.contains("email")) u.email = p.at("email").as_string();
          // The account may have changed since the request: check the result again.
          MINATO_TRY(check_account_access(u.roles, u.scope));
          u.access_granted_by = who_granted(a, actor.subject);
          MINATO_TRY(tx.update_user_access(u));
          change["table"] = "users";
          change["id"] = u.id;
          change["before"] = std::move(before);
          change["after"] = p;
          end_sessions_user = username;
        } else if (a.kind == kRoleRuleKind) {
          store::RoleRule r{std::string(p.at("role").as_string()),
                            std::string(p.at("allowed_sources").as_string()),
                            std::string(p.at("login_window").as_string()), fx.now_us,
                            who_granted(a, actor.subject)};
          MINATO_TRY(tx.upsert_role_rule(r));
          change["table"] = "role_rules";
          change["after"] = p;
          end_sessions_role = r.role;
        } else if (a.kind == kMaintenanceKind) {
          store::MaintenanceWindow w;
          w.username = p.at("username").as_string();
          w.start_us = p.at("start_us").as_int64();
          w.end_us = p.at("end_us").as_int64();
          w.approval_id = a.id;
          w.reason = a.reason;
          if (w.end_us <= fx.now_us) {
            return fail(ErrorCode::kConflict, "the maintenance window is already over");
          }
          auto wid = tx.insert_maintenance_window(w);
          if (!wid) return fail(wid.error());
          change["table"] = "maintenance_windows";
          change["id"] = *wid;
          change["after"] = p;
        } else if (a.kind == kMediaCheckoutKind) {
          return fail(ErrorCode::kConflict,
                      "a media checkout is started by `minato asset checkout`, not executed");
        } else if (a.kind == kConfigChangeKind) {
          return fail(ErrorCode::kConflict,
                      "a configuration change is applied by `minato config apply` (or the "
                      "console's configuration page), not executed");
        } else if (a.kind == MediaIntake::kOverrideKind) {
          return fail(ErrorCode::kConflict,
                      "a scan override is used by the intake of its file (minato edi import), "
                      "not executed");
        } else {
          return fail(ErrorCode::kDataLoss, "unknown approval kind '" + a.kind + "'");
        }
        a.status = "executed";
        a.executed_by = actor.subject;
        a.executed_us = fx.now_us;
        MINATO_TRY(tx.update_approval(a));
        fx.reason = a.kind + " " + a.target + ": " + who_granted(a, actor.subject);
        fx.change = json::serialize(change);
        return ok();
      }));
  // Sessions carry the roles and rules they were created with: end them so the change holds
  // at once.
  if (!end_sessions_user.empty()) sessions_.remove_user(end_sessions_user);
  if (!end_sessions_role.empty()) sessions_.remove_role(end_sessions_role);
  return ok();
}

Result<std::vector<ApprovalView>> AccessService::list(const access::Actor& actor, bool open_only) {
  if (!actor.has(Permission::kUserAdmin) && !actor.has(Permission::kApprove) &&
      !actor.has(Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied,
                "reading approvals needs user.admin, "
                "change.approve or audit.read");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto all = (*rx)->list_approvals(open_only, 200);
  if (!all) return fail(all.error());
  std::vector<ApprovalView> out;
  int64_t now = clock_.now_us();
  for (auto& a : *all) {
    bool expired = (a.status == "pending" || a.status == "approved") && now >= a.expires_us;
    out.push_back({std::move(a), expired});
  }
  return out;
}

namespace {

Status stop_window(store::WriteTxn& tx, Effects& fx, int64_t window_id, const std::string& why,
                   std::string* username) {
  auto found = tx.find_maintenance_window(window_id);
  if (!found) return fail(found.error());
  if (!*found) {
    return fail(ErrorCode::kNotFound, "no maintenance window " + std::to_string(window_id));
  }
  store::MaintenanceWindow w = **found;
  if (w.stopped_us != 0) {
    return fail(ErrorCode::kConflict,
                "maintenance window " + std::to_string(window_id) + " is already stopped");
  }
  w.stopped_us = std::min(fx.now_us, w.end_us);
  w.stop_reason = why;
  MINATO_TRY(tx.update_maintenance_window(w));
  *username = w.username;
  fx.reason = why;
  fx.change = json::serialize(json::object{{"table", "maintenance_windows"},
                                           {"op", "update"},
                                           {"id", w.id},
                                           {"username", w.username},
                                           {"started_us", w.started_us},
                                           {"stopped_us", w.stopped_us}});
  return ok();
}

}  // namespace

Status AccessService::stop_maintenance(const access::Actor& actor, int64_t window_id,
                                       const std::string& why) {
  MINATO_TRY(check_reason(why));
  std::string username;
  MINATO_TRY(writes_.execute_status(
      actor, {"maintenance.stop", "maintenance:" + std::to_string(window_id), Permission::kSelf},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto found = tx.find_maintenance_window(window_id);
        if (!found) return fail(found.error());
        bool own = *found && actor.subject == "user:" + (*found)->username;
        if (!own && !actor.has(Permission::kUserAdmin) && !actor.has(Permission::kApprove)) {
          return fail(ErrorCode::kPermissionDenied,
                      "only the vendor, a user admin or a security officer can stop a window");
        }
        return stop_window(tx, fx, window_id, why, &username);
      }));
  sessions_.remove_user(username);
  return ok();
}

Result<int> AccessService::close_ended_maintenance(const access::Actor& actor) {
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto open = (*rx)->open_maintenance_windows("");
  if (!open) return fail(open.error());
  rx = fail(ErrorCode::kInternal, "closed");
  int n = 0;
  int64_t now = clock_.now_us();
  for (const auto& w : *open) {
    if (w.end_us > now) continue;
    std::string username;
    auto st = writes_.execute_status(
        actor, {"maintenance.stop", "maintenance:" + std::to_string(w.id), Permission::kUserAdmin},
        [&](store::WriteTxn& tx, Effects& fx) -> Status {
          return stop_window(tx, fx, w.id, "the window ended", &username);
        });
    if (!st && st.error().code() != ErrorCode::kConflict) return fail(st.error());
    if (st) {
      sessions_.remove_user(username);
      ++n;
    }
  }
  return n;
}

Result<std::vector<store::MaintenanceWindow>> AccessService::maintenance_windows(
    const access::Actor& actor, const std::string& username) {
  bool own = !username.empty() && actor.subject == "user:" + username;
  if (!own && !actor.has(Permission::kUserAdmin) && !actor.has(Permission::kApprove) &&
      !actor.has(Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied, "you may read only your own maintenance windows");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->open_maintenance_windows(username);
}

Result<std::vector<store::RoleRule>> AccessService::role_rules(const access::Actor& actor) {
  if (!actor.has(Permission::kUserAdmin) && !actor.has(Permission::kApprove) &&
      !actor.has(Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied,
                "the role rules need user.admin, change.approve or audit.read");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_role_rules();
}

Result<AccessReport> AccessService::access_report(const access::Actor& actor) {
  if (!actor.has(Permission::kAccessReview) && !actor.has(Permission::kUserAdmin)) {
    return fail(ErrorCode::kPermissionDenied,
                "the access review needs access.review or user.admin");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto users = (*rx)->list_users();
  if (!users) return fail(users.error());
  auto rules = (*rx)->list_role_rules();
  if (!rules) return fail(rules.error());
  AccessReport report;
  report.generated_us = clock_.now_us();
  json::array accounts;
  for (auto& u : *users) {
    AccessReviewEntry e;
    uint32_t perms = access::permissions_of(u.roles);
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (perms & bit) e.permissions.emplace_back(access::to_string(static_cast<Permission>(bit)));
    }
    accounts.push_back(json::object{{"username", u.username},
                                    {"roles", str_array(u.roles)},
                                    {"permissions", str_array(e.permissions)},
                                    {"disabled", u.disabled},
                                    {"allowed_sources", u.allowed_sources},
                                    {"login_window", u.login_window},
                                    {"valid_until_us", u.valid_until_us},
                                    {"scope", u.scope},
                                    {"granted_by", u.access_granted_by}});
    e.user = std::move(u);
    report.accounts.push_back(std::move(e));
  }
  json::array role_rules;
  for (const auto& r : *rules) {
    role_rules.push_back(json::object{{"role", r.role},
                                      {"allowed_sources", r.allowed_sources},
                                      {"login_window", r.login_window},
                                      {"granted_by", r.granted_by}});
  }
  report.role_rules = std::move(*rules);
  // The digest covers who may do what (not when they last logged in, which changes all day),
  // so a sign-off fails only when access itself changed since the review.
  report.canonical = json::serialize(
      json::object{{"accounts", std::move(accounts)}, {"role_rules", std::move(role_rules)}});
  report.digest = crypto::to_hex(crypto::sha256(report.canonical));
  return report;
}

Result<int64_t> AccessService::sign_off(const access::Actor& actor, const std::string& digest,
                                        const std::string& note) {
  if (note.size() > 500) {
    return fail(ErrorCode::kInvalidArgument, "the note is at most 500 characters", "note");
  }
  auto report = access_report(actor);
  if (!report && report.error().code() != ErrorCode::kPermissionDenied) return fail(report.error());
  return writes_.execute<int64_t>(
      actor, {"access_review.sign_off", "access_review", Permission::kAccessReview},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        if (!report) return fail(report.error());
        if (digest != report->digest) {
          return fail(ErrorCode::kConflict,
                      "accounts changed since the report you reviewed; review it again", "digest");
        }
        store::AccessReviewRecord r{
            0,   fx.now_us, actor.subject, digest, static_cast<int64_t>(report->accounts.size()),
            note};
        auto id = tx.insert_access_review(r);
        if (!id) return fail(id.error());
        fx.reason = note;
        fx.change = json::serialize(json::object{{"table", "access_reviews"},
                                                 {"op", "insert"},
                                                 {"id", *id},
                                                 {"digest", digest},
                                                 {"accounts", r.accounts}});
        return *id;
      });
}

Result<std::vector<store::AccessReviewRecord>> AccessService::sign_offs(
    const access::Actor& actor) {
  if (!actor.has(Permission::kAccessReview) && !actor.has(Permission::kUserAdmin)) {
    return fail(ErrorCode::kPermissionDenied,
                "the access review needs access.review or user.admin");
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->list_access_reviews(50);
}

}  // namespace minato::app
