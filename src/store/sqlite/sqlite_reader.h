// Internal to the SQLite store: the reads both transaction kinds share (SqliteReader, over
// one connection), the column lists, and MINATO_READ_METHODS, which forwards the ReadTxn
// interface to a member `r_`. The reads are defined by concept: accounts, approvals and
// notifications in sqlite_reader_identity.cpp; the asset register in sqlite_reader_assets.cpp;
// the terminal (visits, units, yard, gate,
// appointments, intake) in sqlite_reader_terminal.cpp; the audit log in sqlite_reader_audit.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/event.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/unit_codec.h"

namespace minato::store::sqlite_detail {

namespace t = minato::terminal;

// The users columns in the order user_from() reads them.
#define MINATO_USER_COLUMNS                                                            \
  "id, username, password_hash, totp_sealed, roles, failed_count, locked_until_us, "   \
  "totp_last_step, disabled, created_us, last_login_us, lock_count, allowed_sources, " \
  "login_window, valid_until_us, scope, access_granted_by, email, password_set_us"
#define MINATO_NOTIFICATION_COLUMNS                                                        \
  "id, channel, recipients, subject, body, event, created_us, attempts, next_attempt_us, " \
  "sent_us, abandoned, last_error"
#define MINATO_APPROVAL_COLUMNS                                                         \
  "id, kind, target, payload, reason, requested_by, requested_us, expires_us, status, " \
  "decided_by, decided_us, decision_note, executed_by, executed_us"
#define MINATO_WINDOW_COLUMNS \
  "id, username, start_us, end_us, approval_id, reason, started_us, stopped_us, stop_reason"

// Reads shared by both transaction kinds, over one connection.
class SqliteReader {
 public:
  explicit SqliteReader(Connection& c) : c_(c) {}

  Result<Query> q(const char* sql) {
    auto s = c_.prepare(sql);
    if (!s) return fail(s.error());
    return Query(c_, *s);
  }

  // Accounts, credentials, approvals, maintenance windows, access reviews, notifications
  // (sqlite_reader_identity.cpp).
  Result<std::optional<UserRecord>> find_user(std::string_view username);
  Result<std::vector<UserRecord>> list_users();
  static UserRecord user_from(Query& row);
  static Notification notification_from(Query& r);
  Result<std::vector<WebAuthnCredentialRecord>> webauthn_credentials(int64_t user_id);
  Result<std::optional<UserRecord>> find_user_by_id(int64_t id);
  Result<std::optional<EnrolmentRecord>> find_enrolment(const std::string& token_hash);
  static ApiTokenRecord token_from(Query& r);
  Result<std::optional<ApiTokenRecord>> find_api_token(int64_t id);
  Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id);
  Result<bool> recovery_code_unused(int64_t user_id, const std::string& mac);
  Result<std::vector<Notification>> due_notifications(int64_t now_us, int limit);
  Result<std::vector<Notification>> recent_notifications(int limit);

  // Every row of a query, converted by `from`.
  template <class T, class F>
  static Result<std::vector<T>> rows(Query& query, std::string_view what, F from) {
    std::vector<T> out;
    for (;;) {
      auto row = query.step(what);
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(from(query));
    }
    return out;
  }

  Result<std::vector<RoleRule>> list_role_rules();
  // Incidents and containment (sqlite_reader_identity.cpp).
  Result<std::vector<IncidentRecord>> list_incidents(int limit);
  Result<std::optional<IncidentRecord>> find_incident(int64_t id);
  Result<std::vector<IncidentEntry>> incident_entries(int64_t incident_id);
  Result<std::vector<ContainmentRecord>> containment();
  // The asset register (sqlite_reader_assets.cpp).
  Result<std::optional<AssetRecord>> find_asset(std::string_view tag);
  Result<std::vector<AssetRecord>> list_assets();
  Result<std::vector<WorkRecord>> work_records(int64_t asset_id, int limit);
  Result<std::vector<MediaLoanRecord>> media_loans(int64_t asset_id);
  Result<std::vector<MediaLoanRecord>> open_media_loans();
  Result<std::optional<SoftwareListRecord>> software_list(int64_t asset_id);
  Result<std::vector<SoftwareListRecord>> software_lists();
  Result<std::vector<VulnFeedRecord>> vuln_feeds();
  Result<std::vector<AdvisoryRow>> advisories();
  Result<std::vector<KevRow>> kev_entries();
  Result<std::vector<FindingRecord>> findings();
  Result<std::optional<FindingRecord>> find_finding(int64_t id);
  Result<std::vector<ConfigVersionRecord>> config_versions(int limit);
  Result<std::vector<KeyRecord>> key_inventory();
  Result<std::vector<ComplianceEvidenceRecord>> compliance_evidence(bool withdrawn);
  Result<std::optional<ComplianceEvidenceRecord>> find_compliance_evidence(int64_t id);
  Result<std::vector<ComplianceStateRecord>> compliance_states();
  Result<std::optional<AuditRecord>> newest_audit(const std::vector<std::string>& actions,
                                                  int64_t after_seq);
  static ApprovalRecord approval_from(Query& r);
  Result<std::optional<ApprovalRecord>> find_approval(int64_t id);
  Result<std::vector<ApprovalRecord>> list_approvals(bool open_only, int limit);
  static MaintenanceWindow window_from(Query& r);
  Result<std::optional<MaintenanceWindow>> find_maintenance_window(int64_t id);
  Result<std::vector<MaintenanceWindow>> open_maintenance_windows(std::string_view username);
  Result<std::vector<AccessReviewRecord>> list_access_reviews(int limit);
  Result<std::vector<std::string>> password_history(int64_t user_id, int limit);
  Result<int64_t> count_for(const char* sql, int64_t arg, std::string_view what) {
    auto q_ = q(sql);
    if (!q_) return fail(q_.error());
    q_->bind(1, arg);
    auto row = q_->step(what);
    if (!row) return fail(row.error());
    return *row ? q_->i64(0) : 0;
  }

  Result<int64_t> count(const char* sql, std::string_view what) {
    auto q_ = q(sql);
    if (!q_) return fail(q_.error());
    auto row = q_->step(what);
    if (!row) return fail(row.error());
    return *row ? q_->i64(0) : 0;
  }

  // The terminal: visits, units, the yard, the gate, appointments, truck visits, the media
  // intake (sqlite_reader_terminal.cpp).
  static Result<t::VesselVisit> visit_from(Query& q);
  Result<std::optional<t::VesselVisit>> find_visit(std::string_view id);
  Result<std::vector<t::VesselVisit>> list_visits();

#define MINATO_UNIT_COLUMNS                                                                     \
  "id, container_id, size_type, category, freight, line_operator, gross_kg, state, slot,"       \
  " details, holds, booking, inbound_visit, outbound_visit, vessel_slot, pin_hash, in_yard_us," \
  " version, pin_failures"
  static Result<t::Unit> unit_from(Query& q);
  Result<std::optional<t::Unit>> one_unit(Query& q_);
  Result<std::optional<t::Unit>> find_current_unit(const t::ContainerId& id);
  Result<std::optional<t::Unit>> find_unit(int64_t unit_id);
  Result<std::vector<t::Unit>> list_units(const UnitQuery& f);
  Status scan_units_in_yard(const std::function<void(t::Unit&&)>& visit);
  static Result<t::YardBlock> block_from(Query& q);
  Result<t::TerminalLayout> layout();
  Result<std::optional<BookingRecord>> find_booking(std::string_view number);
  Result<VisitCounts> visit_counts(std::string_view visit);
  Result<int64_t> count_booking_units(std::string_view number);
  Result<std::optional<IdempotencyRecord>> find_idempotency_key(std::string_view subject,
                                                                std::string_view key);
  Result<std::vector<MoveRecord>> unit_moves(int64_t unit_id);
  Result<std::optional<t::YardBlock>> find_block(std::string_view name);
  Result<std::vector<BlockOccupancy>> yard_occupancy();
  Result<std::optional<GateRecord>> find_gate(int64_t id);
  Result<std::vector<GateRecord>> list_gates(int64_t from_us, int64_t to_us, int limit);
  Result<std::vector<GateSlotRecord>> gate_slots(int64_t from_us, int64_t to_us);

#define MINATO_APPOINTMENT_COLUMNS                                                          \
  "a.id, a.slot_start_us, s.end_us, a.direction, a.container_id, a.truck_plate, a.haulier," \
  " a.state, a.created_us, a.created_by, a.gate_id"
  Result<std::optional<AppointmentRecord>> one_appointment(Query& q_);
  Result<std::optional<AppointmentRecord>> find_appointment(int64_t id);
  Result<std::vector<AppointmentRecord>> list_appointments(int64_t from_us, int64_t to_us,
                                                           int limit);
  Result<std::optional<AppointmentRecord>> find_booked_appointment(std::string_view cid,
                                                                   t::GateDirection dir);

#define MINATO_TRUCK_COLUMNS \
  "id, truck_plate, haulier, lane, arrived_us, arrived_by, exited_us, exited_by"
  static TruckVisitRecord truck_from(Query& q_);
  Result<std::optional<TruckVisitRecord>> one_truck(Query& q_);

#define MINATO_INTAKE_COLUMNS                                                             \
  "id, received_us, received_by, channel, file_name, bytes, sha256, file_type, verdict, " \
  "signature, engine, database, database_us, reason, override_id, stored_as"
  static MediaIntakeRecord intake_from(Query& q_);
  Result<std::optional<MediaIntakeRecord>> find_media_intake(int64_t id);
  Result<std::vector<MediaIntakeRecord>> list_media_intake(int limit);
  Result<std::optional<EdiImportRecord>> find_edi_import(std::string_view sha256);
  Result<std::optional<TruckVisitRecord>> find_truck_visit(int64_t id);
  Result<std::optional<TruckVisitRecord>> open_truck_visit(std::string_view plate);
  Result<std::vector<TruckVisitRecord>> exited_truck_visits(int64_t from_us, int64_t to_us);
  Result<std::vector<TruckVisitRecord>> open_truck_visits(int limit);
  Result<bool> slot_occupied(const t::YardSlot& slot);

  // The audit log and its checkpoints (sqlite_reader_audit.cpp).
#define MINATO_AUDIT_COLUMNS                                                             \
  "seq, at_us, subject, credential, source, action, target, result, reason, request_id," \
  " change, leaf, pruned"
  static AuditRecord audit_from(Query& q);
  Result<int64_t> audit_head();
  Result<std::vector<AuditRecord>> audit_by_target(std::string_view action, std::string_view target,
                                                   int limit);
  Status scan_audit(int64_t from_seq, const std::function<bool(const AuditRecord&)>& visit);
  Status scan_audit_leaves(int64_t from_seq, int64_t to_seq,
                           const std::function<void(int64_t, std::string_view)>& visit);
  Status scan_audit_views(int64_t from_seq, int64_t to_seq,
                          const std::function<bool(const AuditRowView&)>& visit);
  Result<std::vector<AuditRecord>> query_audit(const AuditQuery& f);
  Result<int64_t> audit_seq_at(int64_t at_us);
  static CheckpointRecord checkpoint_from(Query& q);
  Result<std::vector<CheckpointRecord>> checkpoints();
  Result<std::optional<CheckpointRecord>> last_checkpoint();

 protected:
  Connection& c_;
};

#define MINATO_READ_METHODS                                                                        \
  Result<std::optional<UserRecord>> find_user(std::string_view u) override {                       \
    return r_.find_user(u);                                                                        \
  }                                                                                                \
  Result<std::vector<std::string>> password_history(int64_t id, int n) override {                  \
    return r_.password_history(id, n);                                                             \
  }                                                                                                \
  Result<std::vector<UserRecord>> list_users() override { return r_.list_users(); }                \
  Result<std::vector<RoleRule>> list_role_rules() override { return r_.list_role_rules(); }        \
  Result<std::vector<IncidentRecord>> list_incidents(int n) override {                             \
    return r_.list_incidents(n);                                                                   \
  }                                                                                                \
  Result<std::optional<IncidentRecord>> find_incident(int64_t id) override {                       \
    return r_.find_incident(id);                                                                   \
  }                                                                                                \
  Result<std::vector<IncidentEntry>> incident_entries(int64_t id) override {                       \
    return r_.incident_entries(id);                                                                \
  }                                                                                                \
  Result<std::vector<ContainmentRecord>> containment() override { return r_.containment(); }       \
  Result<std::optional<AssetRecord>> find_asset(std::string_view tag) override {                   \
    return r_.find_asset(tag);                                                                     \
  }                                                                                                \
  Result<std::vector<AssetRecord>> list_assets() override { return r_.list_assets(); }             \
  Result<std::vector<WorkRecord>> work_records(int64_t a, int n) override {                        \
    return r_.work_records(a, n);                                                                  \
  }                                                                                                \
  Result<std::vector<MediaLoanRecord>> media_loans(int64_t a) override {                           \
    return r_.media_loans(a);                                                                      \
  }                                                                                                \
  Result<std::vector<MediaLoanRecord>> open_media_loans() override {                               \
    return r_.open_media_loans();                                                                  \
  }                                                                                                \
  Result<std::optional<SoftwareListRecord>> software_list(int64_t a) override {                    \
    return r_.software_list(a);                                                                    \
  }                                                                                                \
  Result<std::vector<SoftwareListRecord>> software_lists() override {                              \
    return r_.software_lists();                                                                    \
  }                                                                                                \
  Result<std::vector<VulnFeedRecord>> vuln_feeds() override { return r_.vuln_feeds(); }            \
  Result<std::vector<AdvisoryRow>> advisories() override { return r_.advisories(); }               \
  Result<std::vector<KevRow>> kev_entries() override { return r_.kev_entries(); }                  \
  Result<std::vector<FindingRecord>> findings() override { return r_.findings(); }                 \
  Result<std::optional<FindingRecord>> find_finding(int64_t id) override {                         \
    return r_.find_finding(id);                                                                    \
  }                                                                                                \
  Result<std::vector<ConfigVersionRecord>> config_versions(int n) override {                       \
    return r_.config_versions(n);                                                                  \
  }                                                                                                \
  Result<std::vector<KeyRecord>> key_inventory() override { return r_.key_inventory(); }           \
  Result<std::vector<ComplianceEvidenceRecord>> compliance_evidence(bool w) override {             \
    return r_.compliance_evidence(w);                                                              \
  }                                                                                                \
  Result<std::optional<ComplianceEvidenceRecord>> find_compliance_evidence(int64_t id) override {  \
    return r_.find_compliance_evidence(id);                                                        \
  }                                                                                                \
  Result<std::vector<ComplianceStateRecord>> compliance_states() override {                        \
    return r_.compliance_states();                                                                 \
  }                                                                                                \
  Result<std::optional<AuditRecord>> newest_audit(const std::vector<std::string>& a, int64_t s)    \
      override {                                                                                   \
    return r_.newest_audit(a, s);                                                                  \
  }                                                                                                \
  Result<std::optional<ApprovalRecord>> find_approval(int64_t id) override {                       \
    return r_.find_approval(id);                                                                   \
  }                                                                                                \
  Result<std::vector<ApprovalRecord>> list_approvals(bool open, int n) override {                  \
    return r_.list_approvals(open, n);                                                             \
  }                                                                                                \
  Result<std::optional<MaintenanceWindow>> find_maintenance_window(int64_t id) override {          \
    return r_.find_maintenance_window(id);                                                         \
  }                                                                                                \
  Result<std::vector<MaintenanceWindow>> open_maintenance_windows(std::string_view u) override {   \
    return r_.open_maintenance_windows(u);                                                         \
  }                                                                                                \
  Result<std::vector<AccessReviewRecord>> list_access_reviews(int n) override {                    \
    return r_.list_access_reviews(n);                                                              \
  }                                                                                                \
  Result<std::vector<WebAuthnCredentialRecord>> webauthn_credentials(int64_t u) override {         \
    return r_.webauthn_credentials(u);                                                             \
  }                                                                                                \
  Result<std::optional<EnrolmentRecord>> find_enrolment(const std::string& h) override {           \
    return r_.find_enrolment(h);                                                                   \
  }                                                                                                \
  Result<std::optional<ApiTokenRecord>> find_api_token(int64_t id) override {                      \
    return r_.find_api_token(id);                                                                  \
  }                                                                                                \
  Result<std::vector<ApiTokenRecord>> api_tokens(int64_t u) override { return r_.api_tokens(u); }  \
  Result<std::optional<UserRecord>> find_user_by_id(int64_t id) override {                         \
    return r_.find_user_by_id(id);                                                                 \
  }                                                                                                \
  Result<bool> recovery_code_unused(int64_t u, const std::string& mac) override {                  \
    return r_.recovery_code_unused(u, mac);                                                        \
  }                                                                                                \
  Result<int64_t> count_recovery_codes(int64_t u) override {                                       \
    return r_.count_for("SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_us = 0",  \
                        u, "count recovery codes");                                                \
  }                                                                                                \
  Result<std::vector<Notification>> due_notifications(int64_t now, int n) override {               \
    return r_.due_notifications(now, n);                                                           \
  }                                                                                                \
  Result<std::vector<Notification>> recent_notifications(int n) override {                         \
    return r_.recent_notifications(n);                                                             \
  }                                                                                                \
  Result<int64_t> count_users() override {                                                         \
    return r_.count("SELECT count(*) FROM users", "count users");                                  \
  }                                                                                                \
  Result<std::optional<t::VesselVisit>> find_visit(std::string_view id) override {                 \
    return r_.find_visit(id);                                                                      \
  }                                                                                                \
  Result<std::vector<t::VesselVisit>> list_visits() override { return r_.list_visits(); }          \
  Result<VisitCounts> visit_counts(std::string_view v) override { return r_.visit_counts(v); }     \
  Result<std::optional<t::Unit>> find_current_unit(const t::ContainerId& id) override {            \
    return r_.find_current_unit(id);                                                               \
  }                                                                                                \
  Result<std::vector<MoveRecord>> unit_moves(int64_t id) override { return r_.unit_moves(id); }    \
  Result<int64_t> count_units_in_yard() override {                                                 \
    return r_.count("SELECT count(*) FROM units WHERE state = 'in_yard'", "count units");          \
  }                                                                                                \
  Result<std::optional<t::YardBlock>> find_block(std::string_view n) override {                    \
    return r_.find_block(n);                                                                       \
  }                                                                                                \
  Result<std::optional<t::Unit>> find_unit(int64_t id) override { return r_.find_unit(id); }       \
  Result<std::vector<t::Unit>> list_units(const UnitQuery& f) override {                           \
    return r_.list_units(f);                                                                       \
  }                                                                                                \
  Status scan_units_in_yard(const std::function<void(t::Unit &&)>& v) override {                   \
    return r_.scan_units_in_yard(v);                                                               \
  }                                                                                                \
  Result<t::TerminalLayout> layout() override { return r_.layout(); }                              \
  Result<std::optional<BookingRecord>> find_booking(std::string_view n) override {                 \
    return r_.find_booking(n);                                                                     \
  }                                                                                                \
  Result<int64_t> count_booking_units(std::string_view n) override {                               \
    return r_.count_booking_units(n);                                                              \
  }                                                                                                \
  Result<std::optional<IdempotencyRecord>> find_idempotency_key(std::string_view s,                \
                                                                std::string_view k) override {     \
    return r_.find_idempotency_key(s, k);                                                          \
  }                                                                                                \
  Result<std::vector<BlockOccupancy>> yard_occupancy() override { return r_.yard_occupancy(); }    \
  Result<bool> slot_occupied(const t::YardSlot& s) override { return r_.slot_occupied(s); }        \
  Result<std::optional<GateRecord>> find_gate(int64_t id) override { return r_.find_gate(id); }    \
  Result<std::vector<GateRecord>> list_gates(int64_t f, int64_t t, int n) override {               \
    return r_.list_gates(f, t, n);                                                                 \
  }                                                                                                \
  Result<std::vector<GateSlotRecord>> gate_slots(int64_t f, int64_t t) override {                  \
    return r_.gate_slots(f, t);                                                                    \
  }                                                                                                \
  Result<std::optional<AppointmentRecord>> find_appointment(int64_t id) override {                 \
    return r_.find_appointment(id);                                                                \
  }                                                                                                \
  Result<std::vector<AppointmentRecord>> list_appointments(int64_t f, int64_t t, int n) override { \
    return r_.list_appointments(f, t, n);                                                          \
  }                                                                                                \
  Result<std::optional<AppointmentRecord>> find_booked_appointment(std::string_view c,             \
                                                                   t::GateDirection d) override {  \
    return r_.find_booked_appointment(c, d);                                                       \
  }                                                                                                \
  Result<std::optional<TruckVisitRecord>> find_truck_visit(int64_t id) override {                  \
    return r_.find_truck_visit(id);                                                                \
  }                                                                                                \
  Result<std::optional<TruckVisitRecord>> open_truck_visit(std::string_view p) override {          \
    return r_.open_truck_visit(p);                                                                 \
  }                                                                                                \
  Result<std::vector<TruckVisitRecord>> exited_truck_visits(int64_t f, int64_t t) override {       \
    return r_.exited_truck_visits(f, t);                                                           \
  }                                                                                                \
  Result<std::vector<TruckVisitRecord>> open_truck_visits(int n) override {                        \
    return r_.open_truck_visits(n);                                                                \
  }                                                                                                \
  Result<std::optional<MediaIntakeRecord>> find_media_intake(int64_t id) override {                \
    return r_.find_media_intake(id);                                                               \
  }                                                                                                \
  Result<std::vector<MediaIntakeRecord>> list_media_intake(int n) override {                       \
    return r_.list_media_intake(n);                                                                \
  }                                                                                                \
  Result<std::optional<EdiImportRecord>> find_edi_import(std::string_view h) override {            \
    return r_.find_edi_import(h);                                                                  \
  }                                                                                                \
  Result<int64_t> count_open_truck_visits() override {                                             \
    return r_.count("SELECT count(*) FROM truck_visits WHERE exited_us = 0", "count trucks");      \
  }                                                                                                \
  Result<int64_t> audit_head() override { return r_.audit_head(); }                                \
  Result<std::vector<AuditRecord>> audit_by_target(std::string_view a, std::string_view t, int n)  \
      override {                                                                                   \
    return r_.audit_by_target(a, t, n);                                                            \
  }                                                                                                \
  Status scan_audit(int64_t from, const std::function<bool(const AuditRecord&)>& v) override {     \
    return r_.scan_audit(from, v);                                                                 \
  }                                                                                                \
  Status scan_audit_leaves(int64_t f, int64_t t,                                                   \
                           const std::function<void(int64_t, std::string_view)>& v) override {     \
    return r_.scan_audit_leaves(f, t, v);                                                          \
  }                                                                                                \
  Status scan_audit_views(int64_t f, int64_t t, const std::function<bool(const AuditRowView&)>& v) \
      override {                                                                                   \
    return r_.scan_audit_views(f, t, v);                                                           \
  }                                                                                                \
  Result<std::vector<AuditRecord>> query_audit(const AuditQuery& f) override {                     \
    return r_.query_audit(f);                                                                      \
  }                                                                                                \
  Result<int64_t> audit_seq_at(int64_t at) override { return r_.audit_seq_at(at); }                \
  Result<std::vector<CheckpointRecord>> checkpoints() override { return r_.checkpoints(); }        \
  Result<std::optional<CheckpointRecord>> last_checkpoint() override {                             \
    return r_.last_checkpoint();                                                                   \
  }

inline Status insert_audit_row(SqliteReader& r, const AuditRecord& a) {
  auto q = r.q("INSERT INTO audit_events (" MINATO_AUDIT_COLUMNS
               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!q) return fail(q.error());
  q->bind(1, a.seq).bind(2, a.at_us).bind(3, a.subject).bind(4, a.credential).bind(5, a.source);
  q->bind(6, a.action).bind(7, a.target).bind(8, a.result).bind(9, a.reason);
  q->bind(10, a.request_id).bind(11, a.change).bind_blob(12, a.leaf);
  q->bind(13, int64_t{a.pruned ? 1 : 0});
  return q->run("append audit event");
}
}  // namespace minato::store::sqlite_detail
