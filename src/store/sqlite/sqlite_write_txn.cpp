// SqliteWriteTxn: the write transaction of the SQLite store (its single writer connection).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store {

namespace t = minato::terminal;
using namespace sqlite_detail;

namespace {

class SqliteWriteTxn final : public WriteTxn {
 public:
  explicit SqliteWriteTxn(SqliteStore::Impl& impl) : impl_(impl), r_(*impl.writer) {}
  ~SqliteWriteTxn() override {
    if (!done_) (void)impl_.writer->exec("ROLLBACK", "roll back");
    impl_.capture.stop();
    std::lock_guard lock(impl_.write_mu);
    impl_.write_open = false;
  }
  MINATO_READ_METHODS

  Result<int64_t> insert_user(const UserRecord& u) override {
    auto q = r_.q(
        "INSERT INTO users (username, password_hash, totp_sealed, roles, created_us,"
        " allowed_sources, login_window, valid_until_us, scope, access_granted_by, email,"
        " password_set_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?5)");
    if (!q) return fail(q.error());
    q->bind(1, u.username).bind(2, u.password_hash).bind_blob(3, u.totp_sealed);
    q->bind(4, join_roles(u.roles)).bind(5, u.created_us).bind(6, u.allowed_sources);
    q->bind(7, u.login_window).bind(8, u.valid_until_us).bind(9, u.scope);
    q->bind(10, u.access_granted_by).bind(11, u.email);
    auto st = q->run("insert user '" + u.username + "'");
    if (!st) return fail(st.error());
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status set_password_hash(int64_t user_id, const std::string& hash, int64_t at_us,
                           bool keep_old_in_history) override {
    if (keep_old_in_history) {
      auto h = r_.q(
          "INSERT INTO password_history (user_id, hash, replaced_us)"
          " SELECT id, password_hash, ?2 FROM users WHERE id = ?1");
      if (!h) return fail(h.error());
      h->bind(1, user_id).bind(2, at_us);
      MINATO_TRY(h->run("keep password history"));
    }
    if (!keep_old_in_history) {  // same password, stronger hash: the set time stays
      auto q = r_.q("UPDATE users SET password_hash = ?2 WHERE id = ?1");
      if (!q) return fail(q.error());
      q->bind(1, user_id).bind(2, hash);
      return q->run("re-hash password");
    }
    auto q = r_.q("UPDATE users SET password_hash = ?2, password_set_us = ?3 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, hash).bind(3, at_us);
    return q->run("set password");
  }

  Status update_user_access(const UserRecord& u) override {
    auto q = r_.q(
        "UPDATE users SET roles = ?2, allowed_sources = ?3, login_window = ?4,"
        " valid_until_us = ?5, scope = ?6, access_granted_by = ?7, email = ?8 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, u.id).bind(2, join_roles(u.roles)).bind(3, u.allowed_sources);
    q->bind(4, u.login_window).bind(5, u.valid_until_us).bind(6, u.scope);
    q->bind(7, u.access_granted_by).bind(8, u.email);
    return q->run("update user access");
  }

  Status upsert_role_rule(const RoleRule& r) override {
    auto q = r_.q(
        "INSERT INTO role_rules (role, allowed_sources, login_window, updated_us, granted_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(role) DO UPDATE SET"
        " allowed_sources = ?2, login_window = ?3, updated_us = ?4, granted_by = ?5");
    if (!q) return fail(q.error());
    q->bind(1, r.role).bind(2, r.allowed_sources).bind(3, r.login_window);
    q->bind(4, r.updated_us).bind(5, r.granted_by);
    return q->run("store role rule for " + r.role);
  }

  Result<int64_t> insert_incident(const IncidentRecord& i) override {
    auto q = r_.q(
        "INSERT INTO incidents (opened_us, opened_by, severity, summary, state, closed_us, report)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, i.opened_us).bind(2, i.opened_by).bind(3, i.severity).bind(4, i.summary);
    q->bind(5, i.state).bind(6, i.closed_us).bind(7, i.report);
    MINATO_TRY(q->run("insert incident"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_incident(const IncidentRecord& i) override {
    auto q = r_.q("UPDATE incidents SET state = ?2, closed_us = ?3, report = ?4 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, i.id).bind(2, i.state).bind(3, i.closed_us).bind(4, i.report);
    return q->run("update incident");
  }

  Result<int64_t> insert_incident_entry(const IncidentEntry& e) override {
    auto q = r_.q(
        "INSERT INTO incident_entries (incident_id, at_us, kind, text, by)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return fail(q.error());
    q->bind(1, e.incident_id).bind(2, e.at_us).bind(3, e.kind).bind(4, e.text).bind(5, e.by);
    MINATO_TRY(q->run("insert incident entry"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Result<int64_t> insert_asset(const AssetRecord& a) override {
    auto q = r_.q(
        "INSERT INTO assets (tag, kind, name, serial, os, applications, patches, owner, used_by,"
        " place, power, network, state, notes, created_us, updated_us, updated_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    if (!q) return fail(q.error());
    q->bind(1, a.tag).bind(2, a.kind).bind(3, a.name).bind(4, a.serial).bind(5, a.os);
    q->bind(6, a.applications).bind(7, a.patches).bind(8, a.owner).bind(9, a.used_by);
    q->bind(10, a.place).bind(11, a.power).bind(12, a.network).bind(13, a.state);
    q->bind(14, a.notes).bind(15, a.created_us).bind(16, a.updated_us).bind(17, a.updated_by);
    MINATO_TRY(q->run("insert asset " + a.tag));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_asset(const AssetRecord& a) override {
    auto q = r_.q(
        "UPDATE assets SET kind = ?2, name = ?3, serial = ?4, os = ?5, applications = ?6,"
        " patches = ?7, owner = ?8, used_by = ?9, place = ?10, power = ?11, network = ?12,"
        " state = ?13, notes = ?14, updated_us = ?15, updated_by = ?16 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, a.id).bind(2, a.kind).bind(3, a.name).bind(4, a.serial).bind(5, a.os);
    q->bind(6, a.applications).bind(7, a.patches).bind(8, a.owner).bind(9, a.used_by);
    q->bind(10, a.place).bind(11, a.power).bind(12, a.network).bind(13, a.state);
    q->bind(14, a.notes).bind(15, a.updated_us).bind(16, a.updated_by);
    return q->run("update asset " + a.tag);
  }

  Result<int64_t> insert_work_record(const WorkRecord& w) override {
    auto q = r_.q(
        "INSERT INTO work_records (asset_id, work_date, work, worker, approved_by, recorded_us,"
        " recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, w.asset_id).bind(2, w.work_date).bind(3, w.work).bind(4, w.worker);
    q->bind(5, w.approved_by).bind(6, w.recorded_us).bind(7, w.recorded_by);
    MINATO_TRY(q->run("insert work record"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status put_software_list(const SoftwareListRecord& l) override {
    // An upsert (not REPLACE): an update is what the row images capture.
    auto q = r_.q(
        "INSERT INTO software_lists (asset_id, intake_id, source, file_name, count, components,"
        " imported_us, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT (asset_id) DO UPDATE SET intake_id = ?2, source = ?3, file_name = ?4,"
        " count = ?5, components = ?6, imported_us = ?7, imported_by = ?8");
    if (!q) return fail(q.error());
    q->bind(1, l.asset_id).bind(2, l.intake_id).bind(3, l.source).bind(4, l.file_name);
    q->bind(5, l.count).bind(6, l.components).bind(7, l.imported_us).bind(8, l.imported_by);
    return q->run("put software list");
  }

  Result<int64_t> insert_config_version(const ConfigVersionRecord& v) override {
    auto q = r_.q(
        "INSERT INTO config_versions (sha256, text, kind, approval_id, changes, recorded_us,"
        " recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, v.sha256).bind(2, v.text).bind(3, v.kind).bind(4, v.approval_id);
    q->bind(5, v.changes).bind(6, v.recorded_us).bind(7, v.recorded_by);
    MINATO_TRY(q->run("insert configuration version"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status put_key(const KeyRecord& k) override {
    auto q = r_.q(
        "INSERT INTO key_inventory (name, fingerprint, created_us, rotated_us, rotated_by,"
        " expires_us, recorded_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO"
        " UPDATE SET fingerprint = ?2, created_us = ?3, rotated_us = ?4, rotated_by = ?5,"
        " expires_us = ?6, recorded_us = ?7");
    if (!q) return fail(q.error());
    q->bind(1, k.name).bind(2, k.fingerprint).bind(3, k.created_us).bind(4, k.rotated_us);
    q->bind(5, k.rotated_by).bind(6, k.expires_us).bind(7, k.recorded_us);
    return q->run("put key");
  }

  Result<int64_t> insert_compliance_evidence(const ComplianceEvidenceRecord& e) override {
    auto q = r_.q(
        "INSERT INTO compliance_evidence (item, kind, title, owner, dated, review_by, files,"
        " note, recorded_us, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!q) return fail(q.error());
    q->bind(1, e.item).bind(2, e.kind).bind(3, e.title).bind(4, e.owner).bind(5, e.dated);
    q->bind(6, e.review_by).bind(7, e.files).bind(8, e.note).bind(9, e.recorded_us);
    q->bind(10, e.recorded_by);
    MINATO_TRY(q->run("insert compliance evidence"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Result<bool> withdraw_compliance_evidence(int64_t id, int64_t at_us,
                                            const std::string& by) override {
    auto q = r_.q(
        "UPDATE compliance_evidence SET withdrawn_us = ?2, withdrawn_by = ?3"
        " WHERE id = ?1 AND withdrawn_us = 0");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, at_us).bind(3, by);
    MINATO_TRY(q->run("withdraw compliance evidence"));
    return sqlite3_changes(impl_.writer->db()) == 1;
  }

  Status put_compliance_state(const ComplianceStateRecord& c) override {
    auto q = r_.q(
        "INSERT INTO compliance_state (item, status, since_us, checked_us, reason, checked_seq)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (item) DO UPDATE SET status = ?2,"
        " since_us = ?3, checked_us = ?4, reason = ?5, checked_seq = ?6");
    if (!q) return fail(q.error());
    q->bind(1, c.item).bind(2, c.status).bind(3, c.since_us).bind(4, c.checked_us);
    q->bind(5, c.reason).bind(6, c.checked_seq);
    return q->run("put compliance state");
  }

  Result<int64_t> insert_vuln_feed(const VulnFeedRecord& f) override {
    auto q = r_.q(
        "INSERT INTO vuln_feeds (kind, file_name, intake_id, entries, newest, imported_us,"
        " imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, f.kind).bind(2, f.file_name).bind(3, f.intake_id).bind(4, f.entries);
    q->bind(5, f.newest).bind(6, f.imported_us).bind(7, f.imported_by);
    MINATO_TRY(q->run("insert advisory feed"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status put_advisory(const AdvisoryRow& a) override {
    auto q = r_.q(
        "INSERT INTO advisories (id, feed_id, modified, published, summary, severity, aliases,"
        " affected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET"
        " feed_id = ?2, modified = ?3, published = ?4, summary = ?5, severity = ?6, aliases = ?7,"
        " affected = ?8");
    if (!q) return fail(q.error());
    q->bind(1, a.id).bind(2, a.feed_id).bind(3, a.modified).bind(4, a.published);
    q->bind(5, a.summary).bind(6, a.severity).bind(7, a.aliases).bind(8, a.affected);
    return q->run("put advisory");
  }

  Status put_kev(const KevRow& k) override {
    auto q = r_.q(
        "INSERT INTO kev (cve, feed_id, vendor, product, name, date_added, due_date, ransomware,"
        " action) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (cve) DO UPDATE SET"
        " feed_id = ?2, vendor = ?3, product = ?4, name = ?5, date_added = ?6, due_date = ?7,"
        " ransomware = ?8, action = ?9");
    if (!q) return fail(q.error());
    q->bind(1, k.cve).bind(2, k.feed_id).bind(3, k.vendor).bind(4, k.product).bind(5, k.name);
    q->bind(6, k.date_added).bind(7, k.due_date).bind(8, int64_t{k.ransomware ? 1 : 0});
    q->bind(9, k.action);
    return q->run("put KEV entry");
  }

  Result<int64_t> insert_finding(const FindingRecord& f) override {
    auto q = r_.q(
        "INSERT INTO findings (asset_id, package, version, advisory_id, fixed, cves, summary,"
        " severity, kev, ransomware, kev_due, state, first_seen_us, last_seen_us, updated_us,"
        " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16)");
    if (!q) return fail(q.error());
    q->bind(1, f.asset_id).bind(2, f.package).bind(3, f.version).bind(4, f.advisory_id);
    q->bind(5, f.fixed).bind(6, f.cves).bind(7, f.summary).bind(8, f.severity);
    q->bind(9, int64_t{f.kev ? 1 : 0}).bind(10, int64_t{f.ransomware ? 1 : 0}).bind(11, f.kev_due);
    q->bind(12, f.state).bind(13, f.first_seen_us).bind(14, f.last_seen_us);
    q->bind(15, f.updated_us).bind(16, f.updated_by);
    MINATO_TRY(q->run("insert finding"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_finding(const FindingRecord& f) override {
    auto q = r_.q(
        "UPDATE findings SET version = ?2, fixed = ?3, cves = ?4, summary = ?5, severity = ?6,"
        " kev = ?7, ransomware = ?8, kev_due = ?9, state = ?10, owner = ?11, due_date = ?12,"
        " need = ?13, method = ?14, workaround = ?15, impact = ?16, schedule = ?17, tests = ?18,"
        " compensating = ?19, last_seen_us = ?20, resolved_us = ?21, updated_us = ?22,"
        " updated_by = ?23 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, f.id).bind(2, f.version).bind(3, f.fixed).bind(4, f.cves).bind(5, f.summary);
    q->bind(6, f.severity).bind(7, int64_t{f.kev ? 1 : 0}).bind(8, int64_t{f.ransomware ? 1 : 0});
    q->bind(9, f.kev_due).bind(10, f.state).bind(11, f.owner).bind(12, f.due_date);
    q->bind(13, f.need).bind(14, f.method).bind(15, f.workaround).bind(16, f.impact);
    q->bind(17, f.schedule).bind(18, f.tests).bind(19, f.compensating).bind(20, f.last_seen_us);
    q->bind(21, f.resolved_us).bind(22, f.updated_us).bind(23, f.updated_by);
    return q->run("update finding");
  }

  Result<int64_t> insert_media_loan(const MediaLoanRecord& l) override {
    auto q = r_.q(
        "INSERT INTO media_loans (asset_id, approval_id, holder, purpose, out_us, due_us, out_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, l.asset_id).bind(2, l.approval_id).bind(3, l.holder).bind(4, l.purpose);
    q->bind(5, l.out_us).bind(6, l.due_us).bind(7, l.out_by);
    MINATO_TRY(q->run("insert media loan"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_media_loan(const MediaLoanRecord& l) override {
    auto q = r_.q(
        "UPDATE media_loans SET returned_us = ?2, returned_by = ?3, return_note = ?4 WHERE id = "
        "?1");
    if (!q) return fail(q.error());
    q->bind(1, l.id).bind(2, l.returned_us).bind(3, l.returned_by).bind(4, l.return_note);
    return q->run("update media loan");
  }

  Status set_containment(const ContainmentRecord& c) override {
    auto q = r_.q(
        "INSERT INTO containment (measure, incident_id, since_us, set_by, reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(measure) DO UPDATE SET"
        " incident_id = ?2, since_us = ?3, set_by = ?4, reason = ?5");
    if (!q) return fail(q.error());
    q->bind(1, c.measure).bind(2, c.incident_id).bind(3, c.since_us).bind(4, c.set_by);
    q->bind(5, c.reason);
    return q->run("set containment " + c.measure);
  }

  Result<bool> clear_containment(std::string_view measure) override {
    auto q = r_.q("DELETE FROM containment WHERE measure = ?1");
    if (!q) return fail(q.error());
    q->bind(1, measure);
    MINATO_TRY(q->run("clear containment"));
    return sqlite3_changes(impl_.writer->db()) == 1;
  }

  Result<int64_t> insert_approval(const ApprovalRecord& a) override {
    auto q = r_.q(
        "INSERT INTO approvals (kind, target, payload, reason, requested_by, requested_us,"
        " expires_us, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!q) return fail(q.error());
    q->bind(1, a.kind).bind(2, a.target).bind(3, a.payload).bind(4, a.reason);
    q->bind(5, a.requested_by).bind(6, a.requested_us).bind(7, a.expires_us).bind(8, a.status);
    MINATO_TRY(q->run("insert approval"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_approval(const ApprovalRecord& a) override {
    auto q = r_.q(
        "UPDATE approvals SET status = ?2, decided_by = ?3, decided_us = ?4, decision_note = ?5,"
        " executed_by = ?6, executed_us = ?7 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, a.id).bind(2, a.status).bind(3, a.decided_by).bind(4, a.decided_us);
    q->bind(5, a.decision_note).bind(6, a.executed_by).bind(7, a.executed_us);
    return q->run("update approval " + std::to_string(a.id));
  }

  Result<int64_t> insert_maintenance_window(const MaintenanceWindow& w) override {
    auto q = r_.q(
        "INSERT INTO maintenance_windows (username, start_us, end_us, approval_id, reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return fail(q.error());
    q->bind(1, w.username).bind(2, w.start_us).bind(3, w.end_us).bind(4, w.approval_id);
    q->bind(5, w.reason);
    MINATO_TRY(q->run("insert maintenance window"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_maintenance_window(const MaintenanceWindow& w) override {
    auto q = r_.q(
        "UPDATE maintenance_windows SET started_us = ?2, stopped_us = ?3, stop_reason = ?4"
        " WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, w.id).bind(2, w.started_us).bind(3, w.stopped_us).bind(4, w.stop_reason);
    return q->run("update maintenance window");
  }

  Result<int64_t> insert_access_review(const AccessReviewRecord& r) override {
    auto q = r_.q(
        "INSERT INTO access_reviews (at_us, reviewer, digest, accounts, note)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return fail(q.error());
    q->bind(1, r.at_us).bind(2, r.reviewer).bind(3, r.digest).bind(4, r.accounts);
    q->bind(5, r.note);
    MINATO_TRY(q->run("insert access review"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Result<bool> note_known_source(int64_t user_id, const std::string& network,
                                 int64_t at_us) override {
    auto seen =
        r_.q("UPDATE known_sources SET last_seen_us = ?3 WHERE user_id = ?1 AND network = ?2");
    if (!seen) return fail(seen.error());
    seen->bind(1, user_id).bind(2, network).bind(3, at_us);
    MINATO_TRY(seen->run("record login source"));
    if (sqlite3_changes(impl_.writer->db()) == 1) return false;
    auto q = r_.q(
        "INSERT INTO known_sources (user_id, network, first_seen_us, last_seen_us)"
        " VALUES (?1, ?2, ?3, ?3)");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, network).bind(3, at_us);
    MINATO_TRY(q->run("record login source"));
    return true;
  }

  Result<int64_t> insert_notification(const Notification& n) override {
    auto q = r_.q(
        "INSERT INTO notifications (channel, recipients, subject, body, event, created_us,"
        " next_attempt_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, n.channel).bind(2, n.recipients).bind(3, n.subject).bind(4, n.body);
    q->bind(5, n.event).bind(6, n.created_us);
    MINATO_TRY(q->run("queue notification"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_notification(const Notification& n) override {
    auto q = r_.q(
        "UPDATE notifications SET attempts = ?2, next_attempt_us = ?3, sent_us = ?4,"
        " abandoned = ?5, last_error = ?6 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, n.id).bind(2, static_cast<int64_t>(n.attempts)).bind(3, n.next_attempt_us);
    q->bind(4, n.sent_us).bind(5, static_cast<int64_t>(n.abandoned ? 1 : 0));
    q->bind(6, n.last_error);
    return q->run("update notification");
  }

  Result<int64_t> insert_enrolment(const EnrolmentRecord& e) override {
    auto q = r_.q(
        "INSERT INTO enrolments (user_id, token_hash, kind, created_us, expires_us, created_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, e.user_id).bind_blob(2, e.token_hash).bind(3, e.kind).bind(4, e.created_us);
    q->bind(5, e.expires_us).bind(6, e.created_by);
    MINATO_TRY(q->run("store enrolment"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  // The used link and every other open link of the user are spent together.
  Status use_enrolment(int64_t /*id*/, int64_t user_id, int64_t at_us) override {
    auto q = r_.q("UPDATE enrolments SET used_us = ?2 WHERE user_id = ?1 AND used_us = 0");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, at_us);
    return q->run("use enrolment");
  }

  Status set_credentials(int64_t user_id, const std::string& password_hash,
                         const std::string& totp_sealed, int64_t at_us) override {
    auto q = r_.q(
        "UPDATE users SET password_hash = ?2, totp_sealed = ?3, password_set_us = ?4,"
        " totp_last_step = 0, failed_count = 0, locked_until_us = 0, lock_count = 0 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, password_hash).bind_blob(3, totp_sealed).bind(4, at_us);
    return q->run("set credentials");
  }

  Status clear_credentials(int64_t user_id) override {
    auto q = r_.q(
        "UPDATE users SET password_hash = '', totp_sealed = x'', failed_count = 0,"
        " locked_until_us = 0, lock_count = 0 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, user_id);
    MINATO_TRY(q->run("clear credentials"));
    for (const char* sql : {"DELETE FROM webauthn_credentials WHERE user_id = ?1",
                            "DELETE FROM recovery_codes WHERE user_id = ?1"}) {
      auto d = r_.q(sql);
      if (!d) return fail(d.error());
      d->bind(1, user_id);
      MINATO_TRY(d->run("clear credentials"));
    }
    return ok();
  }

  Result<int64_t> insert_api_token(const ApiTokenRecord& t) override {
    auto q = r_.q(
        "INSERT INTO api_tokens (user_id, name, secret_hash, allowed_sources, created_us,"
        " expires_us, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!q) return fail(q.error());
    q->bind(1, t.user_id).bind(2, t.name).bind_blob(3, t.secret_hash).bind(4, t.allowed_sources);
    q->bind(5, t.created_us).bind(6, t.expires_us).bind(7, t.created_by);
    MINATO_TRY(q->run("store API token"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status set_api_token_revoked(int64_t id, int64_t at_us) override {
    auto q = r_.q("UPDATE api_tokens SET revoked_us = ?2 WHERE id = ?1 AND revoked_us = 0");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, at_us);
    return q->run("revoke API token");
  }

  Status set_api_token_used(int64_t id, int64_t at_us) override {
    auto q = r_.q("UPDATE api_tokens SET last_used_us = ?2 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, at_us);
    return q->run("note API token use");
  }

  Result<int64_t> revoke_api_tokens(int64_t user_id, int64_t at_us) override {
    auto q = r_.q(
        "UPDATE api_tokens SET revoked_us = ?2 WHERE user_id = ?1 AND revoked_us = 0"
        " AND expires_us > ?2");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, at_us);
    MINATO_TRY(q->run("revoke API tokens"));
    return static_cast<int64_t>(sqlite3_changes(impl_.writer->db()));
  }

  Result<int64_t> insert_webauthn_credential(const WebAuthnCredentialRecord& c) override {
    auto q = r_.q(
        "INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg, sign_count,"
        " aaguid, name, created_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!q) return fail(q.error());
    q->bind(1, c.user_id).bind_blob(2, c.credential_id).bind_blob(3, c.public_key);
    q->bind(4, static_cast<int64_t>(c.alg)).bind(5, c.sign_count).bind_blob(6, c.aaguid);
    q->bind(7, c.name).bind(8, c.created_us);
    MINATO_TRY(q->run("store authenticator"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_webauthn_use(int64_t id, int64_t sign_count, int64_t at_us) override {
    auto q =
        r_.q("UPDATE webauthn_credentials SET sign_count = ?2, last_used_us = ?3 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, sign_count).bind(3, at_us);
    return q->run("update authenticator");
  }

  Result<bool> delete_webauthn_credential(int64_t user_id, int64_t id) override {
    auto q = r_.q("DELETE FROM webauthn_credentials WHERE id = ?1 AND user_id = ?2");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, user_id);
    MINATO_TRY(q->run("remove authenticator"));
    return sqlite3_changes(impl_.writer->db()) == 1;
  }

  Result<bool> rename_webauthn_credential(int64_t user_id, int64_t id,
                                          std::string_view name) override {
    auto q = r_.q("UPDATE webauthn_credentials SET name = ?3 WHERE id = ?1 AND user_id = ?2");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, user_id).bind(3, name);
    MINATO_TRY(q->run("rename authenticator"));
    return sqlite3_changes(impl_.writer->db()) == 1;
  }

  Status replace_recovery_codes(int64_t user_id, const std::vector<std::string>& macs,
                                int64_t at_us) override {
    auto del = r_.q("DELETE FROM recovery_codes WHERE user_id = ?1");
    if (!del) return fail(del.error());
    del->bind(1, user_id);
    MINATO_TRY(del->run("remove recovery codes"));
    for (const auto& m : macs) {
      auto q = r_.q("INSERT INTO recovery_codes (user_id, mac, created_us) VALUES (?1, ?2, ?3)");
      if (!q) return fail(q.error());
      q->bind(1, user_id).bind_blob(2, m).bind(3, at_us);
      MINATO_TRY(q->run("store recovery code"));
    }
    return ok();
  }

  Status set_totp_sealed(int64_t user_id, const std::string& totp_sealed) override {
    auto q = r_.q("UPDATE users SET totp_sealed = ?2 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind_blob(2, totp_sealed);
    return q->run("re-seal TOTP secret");
  }

  Result<bool> use_recovery_code(int64_t user_id, const std::string& mac, int64_t at_us) override {
    auto q = r_.q(
        "UPDATE recovery_codes SET used_us = ?3 WHERE user_id = ?1 AND mac = ?2 AND used_us = 0");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind_blob(2, mac).bind(3, at_us);
    MINATO_TRY(q->run("use recovery code"));
    return sqlite3_changes(impl_.writer->db()) >= 1;
  }

  Status set_user_disabled(int64_t user_id, bool disabled) override {
    auto q = r_.q("UPDATE users SET disabled = ?2 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, user_id).bind(2, static_cast<int64_t>(disabled ? 1 : 0));
    return q->run("update user");
  }

  Status update_user_login_state(const UserRecord& u) override {
    auto q = r_.q(
        "UPDATE users SET failed_count = ?2, locked_until_us = ?3, totp_last_step = ?4,"
        " last_login_us = ?5, lock_count = ?6 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, u.id).bind(2, static_cast<int64_t>(u.failed_count)).bind(3, u.locked_until_us);
    q->bind(4, u.totp_last_step).bind(5, u.last_login_us);
    q->bind(6, static_cast<int64_t>(u.lock_count));
    return q->run("update user login state");
  }

  Status insert_visit(const t::VesselVisit& v, int64_t at_us) override {
    auto q = r_.q(
        "INSERT INTO vessel_visits (id, vessel_name, imo, berth, eta_us, etd_us, phase,"
        " created_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!q) return fail(q.error());
    const auto& s = v.spec();
    q->bind(1, s.id).bind(2, s.vessel_name).bind(3, s.imo).bind(4, s.berth);
    q->bind(5, s.eta_us).bind(6, s.etd_us).bind(7, t::to_string(v.phase())).bind(8, at_us);
    return q->run("insert vessel visit " + s.id);
  }

  Status update_visit_phase(const t::VesselVisit& v) override {
    auto q = r_.q("UPDATE vessel_visits SET phase = ?2 WHERE id = ?1");
    if (!q) return fail(q.error());
    q->bind(1, v.id()).bind(2, t::to_string(v.phase()));
    return q->run("update vessel visit");
  }

  // Binds ?2.. of the unit columns after id, in MINATO_UNIT_COLUMNS order.
  static void bind_unit(Query& q, const t::Unit& u) {
    const auto& s = u.spec();
    q.bind(2, s.container_id.str()).bind(3, s.size_type.code()).bind(4, t::to_string(s.category));
    q.bind(5, t::to_string(s.freight)).bind(6, s.line_operator);
    q.bind(7, static_cast<int64_t>(s.gross_kg)).bind(8, t::to_string(u.state()));
    if (u.slot()) {
      q.bind(9, u.slot()->str());
    } else {
      q.bind_null(9);
    }
    q.bind(10, encode_unit_details(s)).bind(11, encode_holds(u.status().holds));
    q.bind(12, s.booking).bind(13, s.inbound_visit).bind(14, s.outbound_visit);
    q.bind(15, u.status().vessel_slot).bind(16, u.status().pin_hash);
    q.bind(17, u.status().in_yard_us).bind(18, u.version());
    q.bind(19, static_cast<int64_t>(u.status().pin_failures));
  }

  Result<int64_t> insert_unit(const t::Unit& u, int64_t at_us) override {
    auto q = r_.q(
        "INSERT INTO units (container_id, size_type, category, freight, line_operator,"
        " gross_kg, state, slot, details, holds, booking, inbound_visit, outbound_visit,"
        " vessel_slot, pin_hash, in_yard_us, version, pin_failures, created_us, updated_us)"
        " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
        " ?19, ?1, ?1)");
    if (!q) return fail(q.error());
    q->bind(1, at_us);
    bind_unit(*q, u);
    const auto& s = u.spec();
    auto st = q->run("insert unit " + s.container_id.str());
    if (!st) {
      if (st.error().code() == ErrorCode::kAlreadyExists) {
        if (u.slot()) {
          return fail(ErrorCode::kConflict, "yard slot " + u.slot()->str() + " is occupied",
                      "slot");
        }
        return fail(ErrorCode::kAlreadyExists,
                    "container " + s.container_id.str() + " already has an active unit",
                    "container_id");
      }
      return fail(st.error());
    }
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status update_unit(const t::Unit& u, int64_t at_us) override {
    auto q = r_.q(
        "UPDATE units SET container_id = ?2, size_type = ?3, category = ?4, freight = ?5,"
        " line_operator = ?6, gross_kg = ?7, state = ?8, slot = ?9, details = ?10, holds = ?11,"
        " booking = ?12, inbound_visit = ?13, outbound_visit = ?14, vessel_slot = ?15,"
        " pin_hash = ?16, in_yard_us = ?17, version = ?18, pin_failures = ?19, updated_us = ?20"
        " WHERE id = ?1 AND version = ?18 - 1");
    if (!q) return fail(q.error());
    q->bind(1, u.id());
    bind_unit(*q, u);
    q->bind(20, at_us);
    auto st = q->run("update unit");
    if (!st && st.error().code() == ErrorCode::kAlreadyExists) {
      if (u.slot()) {
        return fail(ErrorCode::kConflict, "yard slot " + u.slot()->str() + " is occupied", "slot");
      }
      return fail(ErrorCode::kAlreadyExists,
                  "container " + u.spec().container_id.str() + " already has an active unit");
    }
    if (!st) return st;
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kConflict, "unit " + u.spec().container_id.str() +
                                            " was changed by someone else; read it again");
    }
    return ok();
  }

  Status insert_move(const MoveRecord& m) override {
    auto q = r_.q(
        "INSERT INTO moves (unit_id, kind, from_pos, to_pos, at_us, actor)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, m.unit_id).bind(2, t::to_string(m.move.kind)).bind(3, m.move.from);
    q->bind(4, m.move.to).bind(5, m.at_us).bind(6, m.actor);
    return q->run("insert move");
  }

  Result<int64_t> insert_gate(const GateRecord& g) override {
    auto q = r_.q(
        "INSERT INTO gate_transactions (direction, container_id, truck_plate, status,"
        " unit_id, at_us, actor, truck_visit_id, appointment_id, snapshot)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!q) return fail(q.error());
    q->bind(1, t::to_string(g.direction)).bind(2, g.container_id).bind(3, g.truck_plate);
    q->bind(4, t::to_string(g.status)).bind(5, g.unit_id).bind(6, g.at_us).bind(7, g.actor);
    q->bind(8, g.truck_visit_id).bind(9, g.appointment_id).bind(10, g.snapshot);
    auto st = q->run("insert gate transaction");
    if (!st) return fail(st.error());
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status upsert_gate_slot(const GateSlotRecord& g) override {
    auto q = r_.q(
        "INSERT INTO gate_slots (start_us, end_us, capacity) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (start_us) DO UPDATE SET capacity = excluded.capacity"
        " WHERE end_us = excluded.end_us");
    if (!q) return fail(q.error());
    q->bind(1, g.start_us).bind(2, g.end_us).bind(3, static_cast<int64_t>(g.capacity));
    MINATO_TRY(q->run("store gate slot"));
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kConflict, "a gate slot starts at the same time with another length",
                  "start");
    }
    return ok();
  }

  Result<int64_t> insert_appointment(const AppointmentRecord& a) override {
    auto q = r_.q(
        "INSERT INTO appointments (slot_start_us, direction, container_id, truck_plate, haulier,"
        " state, created_us, created_by, gate_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!q) return fail(q.error());
    q->bind(1, a.slot_start_us).bind(2, t::to_string(a.direction)).bind(3, a.container_id);
    q->bind(4, a.truck_plate).bind(5, a.haulier).bind(6, a.state).bind(7, a.created_us);
    q->bind(8, a.created_by).bind(9, a.gate_id);
    auto st = q->run("insert appointment");
    if (!st && st.error().code() == ErrorCode::kAlreadyExists) {
      return fail(ErrorCode::kAlreadyExists,
                  "container " + a.container_id + " already has a booked gate-" +
                      std::string(t::to_string(a.direction)) + " appointment",
                  "container_id");
    }
    if (!st) return fail(st.error());
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status finish_appointment(int64_t id, std::string_view state, int64_t gate_id) override {
    auto q =
        r_.q("UPDATE appointments SET state = ?2, gate_id = ?3 WHERE id = ?1 AND state = 'booked'");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, state).bind(3, gate_id);
    MINATO_TRY(q->run("update appointment"));
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kConflict,
                  "appointment " + std::to_string(id) + " is no longer booked", "appointment");
    }
    return ok();
  }

  Result<int64_t> insert_truck_visit(const TruckVisitRecord& v) override {
    auto q = r_.q(
        "INSERT INTO truck_visits (truck_plate, haulier, lane, arrived_us, arrived_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!q) return fail(q.error());
    q->bind(1, v.truck_plate).bind(2, v.haulier).bind(3, v.lane).bind(4, v.arrived_us);
    q->bind(5, v.arrived_by);
    auto st = q->run("insert truck visit");
    if (!st && st.error().code() == ErrorCode::kAlreadyExists) {
      return fail(ErrorCode::kConflict,
                  "truck " + v.truck_plate + " is already inside the terminal", "truck_plate");
    }
    if (!st) return fail(st.error());
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status close_truck_visit(int64_t id, int64_t exited_us, std::string_view by) override {
    auto q = r_.q(
        "UPDATE truck_visits SET exited_us = ?2, exited_by = ?3 WHERE id = ?1 AND exited_us = 0");
    if (!q) return fail(q.error());
    q->bind(1, id).bind(2, exited_us).bind(3, by);
    MINATO_TRY(q->run("close truck visit"));
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kConflict, "truck visit " + std::to_string(id) + " has exited");
    }
    return ok();
  }

  Result<int64_t> insert_media_intake(const MediaIntakeRecord& r) override {
    auto q = r_.q(
        "INSERT INTO media_intake (received_us, received_by, channel, file_name, bytes, sha256,"
        " file_type, verdict, signature, engine, database, database_us, reason, override_id,"
        " stored_as) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    if (!q) return fail(q.error());
    q->bind(1, r.received_us).bind(2, r.received_by).bind(3, r.channel).bind(4, r.file_name);
    q->bind(5, r.bytes).bind(6, r.sha256).bind(7, r.file_type).bind(8, r.verdict);
    q->bind(9, r.signature).bind(10, r.engine).bind(11, r.database).bind(12, r.database_us);
    q->bind(13, r.reason).bind(14, r.override_id).bind(15, r.stored_as);
    MINATO_TRY(q->run("insert media intake"));
    return sqlite3_last_insert_rowid(impl_.writer->db());
  }

  Status insert_edi_import(const EdiImportRecord& r) override {
    auto q = r_.q(
        "INSERT INTO edi_imports (sha256, intake_id, imported_us, imported_by, kind, visit_id,"
        " units, rejected, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!q) return fail(q.error());
    q->bind(1, r.sha256).bind(2, r.intake_id).bind(3, r.imported_us).bind(4, r.imported_by);
    q->bind(5, r.kind).bind(6, r.visit_id).bind(7, r.units).bind(8, r.rejected);
    q->bind(9, r.report);
    return q->run("insert edi import");
  }

  static std::string join_areas(const t::YardBlock& b) {
    std::string out;
    for (const auto& a : b.reefer) out += (out.empty() ? "" : ",") + a.str();
    return out;
  }

  Status insert_block(const t::YardBlock& b) override {
    auto q = r_.q(
        "INSERT INTO yard_blocks (name, bays, rows_, tiers, reefer, hazardous)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, b.name).bind(2, static_cast<int64_t>(b.bays)).bind(3, static_cast<int64_t>(b.rows));
    q->bind(4, static_cast<int64_t>(b.tiers)).bind(5, join_areas(b));
    q->bind(6, int64_t{b.hazardous ? 1 : 0});
    return q->run("insert yard block " + b.name);
  }

  Status update_block(const t::YardBlock& b) override {
    auto q = r_.q(
        "UPDATE yard_blocks SET bays = ?2, rows_ = ?3, tiers = ?4, reefer = ?5, hazardous = ?6"
        " WHERE name = ?1");
    if (!q) return fail(q.error());
    q->bind(1, b.name).bind(2, static_cast<int64_t>(b.bays)).bind(3, static_cast<int64_t>(b.rows));
    q->bind(4, static_cast<int64_t>(b.tiers)).bind(5, join_areas(b));
    q->bind(6, int64_t{b.hazardous ? 1 : 0});
    MINATO_TRY(q->run("update yard block " + b.name));
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kNotFound, "yard block " + b.name + " does not exist");
    }
    return ok();
  }

  Status delete_block(std::string_view name) override {
    auto q = r_.q("DELETE FROM yard_blocks WHERE name = ?1");
    if (!q) return fail(q.error());
    q->bind(1, name);
    MINATO_TRY(q->run("delete yard block"));
    if (sqlite3_changes(impl_.writer->db()) != 1) {
      return fail(ErrorCode::kNotFound, "yard block " + std::string(name) + " does not exist");
    }
    return ok();
  }

  Status upsert_berth(const t::Berth& b) override {
    auto q = r_.q(
        "INSERT INTO berths (name, length_m) VALUES (?1, ?2)"
        " ON CONFLICT (name) DO UPDATE SET length_m = excluded.length_m");
    if (!q) return fail(q.error());
    q->bind(1, b.name).bind(2, static_cast<int64_t>(b.length_m));
    return q->run("store berth " + b.name);
  }

  Status upsert_lane(const t::GateLane& l) override {
    auto q = r_.q(
        "INSERT INTO gate_lanes (name, direction) VALUES (?1, ?2)"
        " ON CONFLICT (name) DO UPDATE SET direction = excluded.direction");
    if (!q) return fail(q.error());
    q->bind(1, l.name).bind(2, t::to_string(l.direction));
    return q->run("store gate lane " + l.name);
  }

  Status insert_booking(const BookingRecord& b) override {
    auto q = r_.q(
        "INSERT INTO bookings (number, line_operator, outbound_visit, pod, size_type, quantity,"
        " created_us, created_by, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!q) return fail(q.error());
    q->bind(1, b.number).bind(2, b.line_operator).bind(3, b.outbound_visit).bind(4, b.pod);
    q->bind(5, b.size_type).bind(6, static_cast<int64_t>(b.quantity)).bind(7, b.created_us);
    q->bind(8, b.created_by).bind(9, b.version);
    auto st = q->run("insert booking " + b.number);
    if (!st && st.error().code() == ErrorCode::kAlreadyExists) {
      return fail(ErrorCode::kAlreadyExists, "booking " + b.number + " exists", "number");
    }
    return st;
  }

  Status insert_idempotency_key(const IdempotencyRecord& k) override {
    auto q = r_.q(
        "INSERT INTO idempotency_keys (subject, key, digest, status, response, created_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, k.subject).bind(2, k.key).bind(3, k.digest).bind(4, static_cast<int64_t>(k.status));
    q->bind(5, k.response).bind(6, k.created_us);
    return q->run("store idempotency key");
  }

  Result<int64_t> purge_idempotency_keys(int64_t before_us) override {
    auto q = r_.q("DELETE FROM idempotency_keys WHERE created_us < ?1");
    if (!q) return fail(q.error());
    q->bind(1, before_us);
    MINATO_TRY(q->run("purge idempotency keys"));
    return static_cast<int64_t>(sqlite3_changes(impl_.writer->db()));
  }

  Status append_audit(const AuditRecord& a) override { return insert_audit_row(r_, a); }

  Status insert_checkpoint(const CheckpointRecord& c) override {
    auto q = r_.q(
        "INSERT INTO audit_checkpoints (size, root, at_us, key_id, signature, edge)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!q) return fail(q.error());
    q->bind(1, c.size).bind_blob(2, c.root).bind(3, c.at_us).bind(4, c.key_id);
    q->bind_blob(5, c.signature).bind_blob(6, c.edge);
    return q->run("insert audit checkpoint");
  }

  Result<int64_t> prune_audit(int64_t before_seq) override {
    auto q = r_.q(
        "UPDATE audit_events SET subject = '', credential = '', source = '', action = '',"
        " target = '', result = '', reason = '', request_id = '', change = '', pruned = 1"
        " WHERE seq < ?1 AND pruned = 0");
    if (!q) return fail(q.error());
    q->bind(1, before_seq);
    MINATO_TRY(q->run("prune audit events"));
    return static_cast<int64_t>(sqlite3_changes(impl_.writer->db()));
  }

  // Prepared once and reused: these run twice per command under group commit.
  Status run_cached(const char* sql, std::string_view what) {
    auto q = r_.q(sql);
    if (!q) return fail(q.error());
    return q->run(what);
  }
  int64_t change_count() override { return sqlite3_total_changes64(impl_.writer->db()); }
  std::string take_row_images() override { return impl_.capture.take(); }
  Result<int64_t> apply_row_images(std::string_view json) override {
    return impl_.capture.apply(impl_.writer->db(), json);
  }
  Status savepoint() override { return run_cached("SAVEPOINT cmd", "savepoint"); }
  Status rollback_to_savepoint() override {
    MINATO_TRY(run_cached("ROLLBACK TO cmd", "roll back command"));
    return run_cached("RELEASE cmd", "release command");
  }
  Status release_savepoint() override { return run_cached("RELEASE cmd", "release"); }

  Status commit() override {
    auto st = impl_.writer->exec("COMMIT", "commit");
    if (!st) {
      // SQLite may keep the transaction open after a failed COMMIT (e.g. SQLITE_BUSY or FULL):
      // roll it back so nothing is half-written, and report the original error.
      (void)impl_.writer->exec("ROLLBACK", "roll back");
      done_ = true;
      return st;
    }
    done_ = true;
    return ok();
  }

 private:
  SqliteStore::Impl& impl_;
  SqliteReader r_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<WriteTxn> new_write_txn(SqliteStore::Impl& impl) {
  return std::unique_ptr<WriteTxn>(new SqliteWriteTxn(impl));
}

}  // namespace minato::store
