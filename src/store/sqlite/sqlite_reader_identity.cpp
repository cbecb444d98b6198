// SqliteReader: the reads of accounts, credentials, approvals, maintenance windows, access reviews
// and notifications (sqlite_reader.h).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

Result<std::optional<UserRecord>> SqliteReader::find_user(std::string_view username) {
  auto q_ = q("SELECT " MINATO_USER_COLUMNS " FROM users WHERE username = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, username);
  auto row = q_->step("find user");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<UserRecord>();
  return std::optional<UserRecord>(user_from(*q_));
}

Result<std::vector<UserRecord>> SqliteReader::list_users() {
  auto q_ = q("SELECT " MINATO_USER_COLUMNS " FROM users ORDER BY username");
  if (!q_) return fail(q_.error());
  std::vector<UserRecord> out;
  for (;;) {
    auto row = q_->step("list users");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(user_from(*q_));
  }
  return out;
}

UserRecord SqliteReader::user_from(Query& row) {
  Query* q_ = &row;
  UserRecord u;
  u.id = q_->i64(0);
  u.username = q_->text(1);
  u.password_hash = q_->text(2);
  u.totp_sealed = q_->blob(3);
  u.roles = split_roles(q_->text(4));
  u.failed_count = static_cast<int>(q_->i64(5));
  u.locked_until_us = q_->i64(6);
  u.totp_last_step = q_->i64(7);
  u.disabled = q_->i64(8) != 0;
  u.created_us = q_->i64(9);
  u.last_login_us = q_->i64(10);
  u.lock_count = static_cast<int>(q_->i64(11));
  u.allowed_sources = q_->text(12);
  u.login_window = q_->text(13);
  u.valid_until_us = q_->i64(14);
  u.scope = q_->text(15);
  u.access_granted_by = q_->text(16);
  u.email = q_->text(17);
  u.password_set_us = q_->i64(18);
  return u;
}

Notification SqliteReader::notification_from(Query& r) {
  Notification n;
  n.id = r.i64(0);
  n.channel = r.text(1);
  n.recipients = r.text(2);
  n.subject = r.text(3);
  n.body = r.text(4);
  n.event = r.text(5);
  n.created_us = r.i64(6);
  n.attempts = static_cast<int>(r.i64(7));
  n.next_attempt_us = r.i64(8);
  n.sent_us = r.i64(9);
  n.abandoned = r.i64(10) != 0;
  n.last_error = r.text(11);
  return n;
}

Result<std::vector<WebAuthnCredentialRecord>> SqliteReader::webauthn_credentials(int64_t user_id) {
  auto q_ =
      q("SELECT id, user_id, credential_id, public_key, alg, sign_count, aaguid, name,"
        " created_us, last_used_us FROM webauthn_credentials WHERE user_id = ?1 ORDER BY id");
  if (!q_) return fail(q_.error());
  q_->bind(1, user_id);
  return rows<WebAuthnCredentialRecord>(*q_, "read authenticators", [](Query& r) {
    WebAuthnCredentialRecord c;
    c.id = r.i64(0);
    c.user_id = r.i64(1);
    c.credential_id = r.blob(2);
    c.public_key = r.blob(3);
    c.alg = static_cast<int>(r.i64(4));
    c.sign_count = r.i64(5);
    c.aaguid = r.blob(6);
    c.name = r.text(7);
    c.created_us = r.i64(8);
    c.last_used_us = r.i64(9);
    return c;
  });
}

Result<std::optional<UserRecord>> SqliteReader::find_user_by_id(int64_t id) {
  auto q_ = q("SELECT " MINATO_USER_COLUMNS " FROM users WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto row = q_->step("find user");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<UserRecord>();
  return std::optional<UserRecord>(user_from(*q_));
}

Result<std::optional<EnrolmentRecord>> SqliteReader::find_enrolment(const std::string& token_hash) {
  auto q_ =
      q("SELECT id, user_id, token_hash, kind, created_us, expires_us, used_us, created_by"
        " FROM enrolments WHERE token_hash = ?1");
  if (!q_) return fail(q_.error());
  q_->bind_blob(1, token_hash);
  auto all = rows<EnrolmentRecord>(*q_, "find enrolment", [](Query& r) {
    return EnrolmentRecord{r.i64(0), r.i64(1), r.blob(2), r.text(3),
                           r.i64(4), r.i64(5), r.i64(6),  r.text(7)};
  });
  if (!all) return fail(all.error());
  if (all->empty()) return std::optional<EnrolmentRecord>();
  return std::optional<EnrolmentRecord>(std::move(all->front()));
}

ApiTokenRecord SqliteReader::token_from(Query& r) {
  return ApiTokenRecord{r.i64(0), r.i64(1), r.text(2), r.blob(3), r.text(4),
                        r.i64(5), r.i64(6), r.i64(7),  r.i64(8),  r.text(9)};
}

Result<std::optional<ApiTokenRecord>> SqliteReader::find_api_token(int64_t id) {
  auto q_ =
      q("SELECT id, user_id, name, secret_hash, allowed_sources, created_us, expires_us,"
        " last_used_us, revoked_us, created_by FROM api_tokens WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto all = rows<ApiTokenRecord>(*q_, "find API token", token_from);
  if (!all) return fail(all.error());
  if (all->empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(all->front()));
}

Result<std::vector<ApiTokenRecord>> SqliteReader::api_tokens(int64_t user_id) {
  auto q_ =
      q("SELECT id, user_id, name, secret_hash, allowed_sources, created_us, expires_us,"
        " last_used_us, revoked_us, created_by FROM api_tokens WHERE user_id = ?1"
        " ORDER BY id");
  if (!q_) return fail(q_.error());
  q_->bind(1, user_id);
  return rows<ApiTokenRecord>(*q_, "list API tokens", token_from);
}

Result<bool> SqliteReader::recovery_code_unused(int64_t user_id, const std::string& mac) {
  auto q_ = q("SELECT 1 FROM recovery_codes WHERE user_id = ?1 AND mac = ?2 AND used_us = 0");
  if (!q_) return fail(q_.error());
  q_->bind(1, user_id).bind_blob(2, mac);
  auto row = q_->step("check recovery code");
  if (!row) return fail(row.error());
  return *row;
}

Result<std::vector<Notification>> SqliteReader::due_notifications(int64_t now_us, int limit) {
  auto q_ = q("SELECT " MINATO_NOTIFICATION_COLUMNS
              " FROM notifications"
              " WHERE sent_us = 0 AND abandoned = 0 AND next_attempt_us <= ?1"
              " ORDER BY id LIMIT ?2");
  if (!q_) return fail(q_.error());
  q_->bind(1, now_us).bind(2, static_cast<int64_t>(limit));
  return rows<Notification>(*q_, "read due notifications", notification_from);
}

Result<std::vector<Notification>> SqliteReader::recent_notifications(int limit) {
  auto q_ =
      q("SELECT " MINATO_NOTIFICATION_COLUMNS " FROM notifications ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  return rows<Notification>(*q_, "read notifications", notification_from);
}

Result<std::vector<RoleRule>> SqliteReader::list_role_rules() {
  auto q_ =
      q("SELECT role, allowed_sources, login_window, updated_us, granted_by"
        " FROM role_rules ORDER BY role");
  if (!q_) return fail(q_.error());
  return rows<RoleRule>(*q_, "list role rules", [](Query& r) {
    return RoleRule{r.text(0), r.text(1), r.text(2), r.i64(3), r.text(4)};
  });
}

#define MINATO_INCIDENT_COLUMNS \
  "id, opened_us, opened_by, severity, summary, state, closed_us, report"

static IncidentRecord incident_from(Query& r) {
  return IncidentRecord{r.i64(0),  r.i64(1),  r.text(2), r.text(3),
                        r.text(4), r.text(5), r.i64(6),  r.text(7)};
}

Result<std::vector<IncidentRecord>> SqliteReader::list_incidents(int limit) {
  auto q_ = q("SELECT " MINATO_INCIDENT_COLUMNS " FROM incidents ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  return rows<IncidentRecord>(*q_, "list incidents", incident_from);
}

Result<std::optional<IncidentRecord>> SqliteReader::find_incident(int64_t id) {
  auto q_ = q("SELECT " MINATO_INCIDENT_COLUMNS " FROM incidents WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto found = rows<IncidentRecord>(*q_, "read incident", incident_from);
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<IncidentRecord>();
  return std::optional<IncidentRecord>(std::move(found->front()));
}

Result<std::vector<IncidentEntry>> SqliteReader::incident_entries(int64_t incident_id) {
  auto q_ =
      q("SELECT id, incident_id, at_us, kind, text, by FROM incident_entries"
        " WHERE incident_id = ?1 ORDER BY id");
  if (!q_) return fail(q_.error());
  q_->bind(1, incident_id);
  return rows<IncidentEntry>(*q_, "read incident timeline", [](Query& r) {
    return IncidentEntry{r.i64(0), r.i64(1), r.i64(2), r.text(3), r.text(4), r.text(5)};
  });
}

Result<std::vector<ContainmentRecord>> SqliteReader::containment() {
  auto q_ =
      q("SELECT measure, incident_id, since_us, set_by, reason FROM containment"
        " ORDER BY measure");
  if (!q_) return fail(q_.error());
  return rows<ContainmentRecord>(*q_, "read containment", [](Query& r) {
    return ContainmentRecord{r.text(0), r.i64(1), r.i64(2), r.text(3), r.text(4)};
  });
}

ApprovalRecord SqliteReader::approval_from(Query& r) {
  ApprovalRecord a;
  a.id = r.i64(0);
  a.kind = r.text(1);
  a.target = r.text(2);
  a.payload = r.text(3);
  a.reason = r.text(4);
  a.requested_by = r.text(5);
  a.requested_us = r.i64(6);
  a.expires_us = r.i64(7);
  a.status = r.text(8);
  a.decided_by = r.text(9);
  a.decided_us = r.i64(10);
  a.decision_note = r.text(11);
  a.executed_by = r.text(12);
  a.executed_us = r.i64(13);
  return a;
}

Result<std::optional<ApprovalRecord>> SqliteReader::find_approval(int64_t id) {
  auto q_ = q("SELECT " MINATO_APPROVAL_COLUMNS " FROM approvals WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto all = rows<ApprovalRecord>(*q_, "find approval", approval_from);
  if (!all) return fail(all.error());
  if (all->empty()) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(std::move(all->front()));
}

Result<std::vector<ApprovalRecord>> SqliteReader::list_approvals(bool open_only, int limit) {
  auto q_ = open_only
                ? q("SELECT " MINATO_APPROVAL_COLUMNS
                    " FROM approvals"
                    " WHERE status IN ('pending', 'approved') ORDER BY id DESC LIMIT ?1")
                : q("SELECT " MINATO_APPROVAL_COLUMNS " FROM approvals ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  return rows<ApprovalRecord>(*q_, "list approvals", approval_from);
}

MaintenanceWindow SqliteReader::window_from(Query& r) {
  return MaintenanceWindow{r.i64(0),  r.text(1), r.i64(2), r.i64(3), r.i64(4),
                           r.text(5), r.i64(6),  r.i64(7), r.text(8)};
}

Result<std::optional<MaintenanceWindow>> SqliteReader::find_maintenance_window(int64_t id) {
  auto q_ = q("SELECT " MINATO_WINDOW_COLUMNS " FROM maintenance_windows WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto all = rows<MaintenanceWindow>(*q_, "find maintenance window", window_from);
  if (!all) return fail(all.error());
  if (all->empty()) return std::optional<MaintenanceWindow>();
  return std::optional<MaintenanceWindow>(std::move(all->front()));
}

Result<std::vector<MaintenanceWindow>> SqliteReader::open_maintenance_windows(
    std::string_view username) {
  auto q_ = q("SELECT " MINATO_WINDOW_COLUMNS
              " FROM maintenance_windows"
              " WHERE stopped_us = 0 AND (?1 = '' OR username = ?1) ORDER BY start_us, id");
  if (!q_) return fail(q_.error());
  q_->bind(1, username);
  return rows<MaintenanceWindow>(*q_, "list maintenance windows", window_from);
}

Result<std::vector<AccessReviewRecord>> SqliteReader::list_access_reviews(int limit) {
  auto q_ =
      q("SELECT id, at_us, reviewer, digest, accounts, note FROM access_reviews"
        " ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  return rows<AccessReviewRecord>(*q_, "list access reviews", [](Query& r) {
    return AccessReviewRecord{r.i64(0), r.i64(1), r.text(2), r.text(3), r.i64(4), r.text(5)};
  });
}

Result<std::vector<std::string>> SqliteReader::password_history(int64_t user_id, int limit) {
  auto q_ = q("SELECT hash FROM password_history WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2");
  if (!q_) return fail(q_.error());
  q_->bind(1, user_id).bind(2, static_cast<int64_t>(limit));
  std::vector<std::string> out;
  for (;;) {
    auto row = q_->step("read password history");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(q_->text(0));
  }
  return out;
}

}  // namespace minato::store::sqlite_detail
