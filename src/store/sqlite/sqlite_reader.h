// Internal to the SQLite store: the reads both transaction kinds share (SqliteReader, over
// one connection), the column lists, and MINATO_READ_METHODS, which forwards the ReadTxn
// interface to a member `r_`.
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

  Result<std::optional<UserRecord>> find_user(std::string_view username) {
    auto q_ = q("SELECT " MINATO_USER_COLUMNS " FROM users WHERE username = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, username);
    auto row = q_->step("find user");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<UserRecord>();
    return std::optional<UserRecord>(user_from(*q_));
  }

  Result<std::vector<UserRecord>> list_users() {
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

  static UserRecord user_from(Query& row) {
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

  static Notification notification_from(Query& r) {
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

  Result<std::vector<WebAuthnCredentialRecord>> webauthn_credentials(int64_t user_id) {
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

  Result<std::optional<UserRecord>> find_user_by_id(int64_t id) {
    auto q_ = q("SELECT " MINATO_USER_COLUMNS " FROM users WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto row = q_->step("find user");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<UserRecord>();
    return std::optional<UserRecord>(user_from(*q_));
  }

  Result<std::optional<EnrolmentRecord>> find_enrolment(const std::string& token_hash) {
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

  static ApiTokenRecord token_from(Query& r) {
    return ApiTokenRecord{r.i64(0), r.i64(1), r.text(2), r.blob(3), r.text(4),
                          r.i64(5), r.i64(6), r.i64(7),  r.i64(8),  r.text(9)};
  }

  Result<std::optional<ApiTokenRecord>> find_api_token(int64_t id) {
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

  Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) {
    auto q_ =
        q("SELECT id, user_id, name, secret_hash, allowed_sources, created_us, expires_us,"
          " last_used_us, revoked_us, created_by FROM api_tokens WHERE user_id = ?1"
          " ORDER BY id");
    if (!q_) return fail(q_.error());
    q_->bind(1, user_id);
    return rows<ApiTokenRecord>(*q_, "list API tokens", token_from);
  }

  Result<bool> recovery_code_unused(int64_t user_id, const std::string& mac) {
    auto q_ = q("SELECT 1 FROM recovery_codes WHERE user_id = ?1 AND mac = ?2 AND used_us = 0");
    if (!q_) return fail(q_.error());
    q_->bind(1, user_id).bind_blob(2, mac);
    auto row = q_->step("check recovery code");
    if (!row) return fail(row.error());
    return *row;
  }

  Result<std::vector<Notification>> due_notifications(int64_t now_us, int limit) {
    auto q_ = q("SELECT " MINATO_NOTIFICATION_COLUMNS
                " FROM notifications"
                " WHERE sent_us = 0 AND abandoned = 0 AND next_attempt_us <= ?1"
                " ORDER BY id LIMIT ?2");
    if (!q_) return fail(q_.error());
    q_->bind(1, now_us).bind(2, static_cast<int64_t>(limit));
    return rows<Notification>(*q_, "read due notifications", notification_from);
  }

  Result<std::vector<Notification>> recent_notifications(int limit) {
    auto q_ =
        q("SELECT " MINATO_NOTIFICATION_COLUMNS " FROM notifications ORDER BY id DESC LIMIT ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, static_cast<int64_t>(limit));
    return rows<Notification>(*q_, "read notifications", notification_from);
  }

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

  Result<std::vector<RoleRule>> list_role_rules() {
    auto q_ =
        q("SELECT role, allowed_sources, login_window, updated_us, granted_by"
          " FROM role_rules ORDER BY role");
    if (!q_) return fail(q_.error());
    return rows<RoleRule>(*q_, "list role rules", [](Query& r) {
      return RoleRule{r.text(0), r.text(1), r.text(2), r.i64(3), r.text(4)};
    });
  }

  static ApprovalRecord approval_from(Query& r) {
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

  Result<std::optional<ApprovalRecord>> find_approval(int64_t id) {
    auto q_ = q("SELECT " MINATO_APPROVAL_COLUMNS " FROM approvals WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto all = rows<ApprovalRecord>(*q_, "find approval", approval_from);
    if (!all) return fail(all.error());
    if (all->empty()) return std::optional<ApprovalRecord>();
    return std::optional<ApprovalRecord>(std::move(all->front()));
  }

  Result<std::vector<ApprovalRecord>> list_approvals(bool open_only, int limit) {
    auto q_ = open_only ? q("SELECT " MINATO_APPROVAL_COLUMNS
                            " FROM approvals"
                            " WHERE status IN ('pending', 'approved') ORDER BY id DESC LIMIT ?1")
                        : q("SELECT " MINATO_APPROVAL_COLUMNS
                            " FROM approvals ORDER BY id DESC LIMIT ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, static_cast<int64_t>(limit));
    return rows<ApprovalRecord>(*q_, "list approvals", approval_from);
  }

  static MaintenanceWindow window_from(Query& r) {
    return MaintenanceWindow{r.i64(0),  r.text(1), r.i64(2), r.i64(3), r.i64(4),
                             r.text(5), r.i64(6),  r.i64(7), r.text(8)};
  }

  Result<std::optional<MaintenanceWindow>> find_maintenance_window(int64_t id) {
    auto q_ = q("SELECT " MINATO_WINDOW_COLUMNS " FROM maintenance_windows WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto all = rows<MaintenanceWindow>(*q_, "find maintenance window", window_from);
    if (!all) return fail(all.error());
    if (all->empty()) return std::optional<MaintenanceWindow>();
    return std::optional<MaintenanceWindow>(std::move(all->front()));
  }

  Result<std::vector<MaintenanceWindow>> open_maintenance_windows(std::string_view username) {
    auto q_ = q("SELECT " MINATO_WINDOW_COLUMNS
                " FROM maintenance_windows"
                " WHERE stopped_us = 0 AND (?1 = '' OR username = ?1) ORDER BY start_us, id");
    if (!q_) return fail(q_.error());
    q_->bind(1, username);
    return rows<MaintenanceWindow>(*q_, "list maintenance windows", window_from);
  }

  Result<std::vector<AccessReviewRecord>> list_access_reviews(int limit) {
    auto q_ =
        q("SELECT id, at_us, reviewer, digest, accounts, note FROM access_reviews"
          " ORDER BY id DESC LIMIT ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, static_cast<int64_t>(limit));
    return rows<AccessReviewRecord>(*q_, "list access reviews", [](Query& r) {
      return AccessReviewRecord{r.i64(0), r.i64(1), r.text(2), r.text(3), r.i64(4), r.text(5)};
    });
  }

  Result<std::vector<std::string>> password_history(int64_t user_id, int limit) {
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

  static Result<t::VesselVisit> visit_from(Query& q) {
    t::VesselVisitSpec spec{q.text(0), q.text(1), q.text(2), q.text(3), q.i64(4), q.i64(5)};
    auto phase = t::visit_phase_from(q.text(6));
    if (!phase) return fail(corrupt("vessel visit phase"));
    return t::VesselVisit::restore(std::move(spec), *phase);
  }

  Result<std::optional<t::VesselVisit>> find_visit(std::string_view id) {
    auto q_ =
        q("SELECT id, vessel_name, imo, berth, eta_us, etd_us, phase FROM vessel_visits"
          " WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto row = q_->step("find vessel visit");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<t::VesselVisit>();
    auto v = visit_from(*q_);
    if (!v) return fail(v.error());
    return std::optional<t::VesselVisit>(std::move(*v));
  }

  Result<std::vector<t::VesselVisit>> list_visits() {
    auto q_ =
        q("SELECT id, vessel_name, imo, berth, eta_us, etd_us, phase FROM vessel_visits"
          " ORDER BY eta_us, id");
    if (!q_) return fail(q_.error());
    std::vector<t::VesselVisit> out;
    for (;;) {
      auto row = q_->step("list vessel visits");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto v = visit_from(*q_);
      if (!v) return fail(v.error());
      out.push_back(std::move(*v));
    }
    return out;
  }

#define MINATO_UNIT_COLUMNS                                                                     \
  "id, container_id, size_type, category, freight, line_operator, gross_kg, state, slot,"       \
  " details, holds, booking, inbound_visit, outbound_visit, vessel_slot, pin_hash, in_yard_us," \
  " version, pin_failures"
  static Result<t::Unit> unit_from(Query& q) {
    auto cid = t::ContainerId::parse(q.text_view(1));
    auto st = t::SizeType::parse(q.text_view(2));
    auto cat = t::unit_category_from(q.text_view(3));
    auto fk = t::freight_kind_from(q.text_view(4));
    auto state = t::unit_state_from(q.text_view(7));
    if (!cid || !st || !cat || !fk || !state) return fail(corrupt("unit"));
    t::UnitSpec spec(std::move(*cid), std::move(*st), *cat, *fk, q.text(5),
                     static_cast<int>(q.i64(6)));
    MINATO_TRY(decode_unit_details(q.text_view(9), &spec));
    spec.booking = q.text(11);
    spec.inbound_visit = q.text(12);
    spec.outbound_visit = q.text(13);
    t::UnitStatus status;
    status.state = *state;
    if (!q.is_null(8)) {
      auto s = t::YardSlot::parse(q.text_view(8));
      if (!s) return fail(corrupt("unit slot"));
      status.slot = std::move(*s);
    }
    auto holds = decode_holds(q.text_view(10));
    if (!holds) return fail(holds.error());
    status.holds = std::move(*holds);
    status.vessel_slot = q.text(14);
    status.pin_hash = q.text(15);
    status.in_yard_us = q.i64(16);
    status.version = q.i64(17);
    status.pin_failures = static_cast<int>(q.i64(18));
    return t::Unit::restore(q.i64(0), std::move(spec), std::move(status));
  }

  Result<std::optional<t::Unit>> one_unit(Query& q_) {
    auto row = q_.step("find unit");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<t::Unit>();
    auto u = unit_from(q_);
    if (!u) return fail(u.error());
    return std::optional<t::Unit>(std::move(*u));
  }

  Result<std::optional<t::Unit>> find_current_unit(const t::ContainerId& id) {
    // Active unit first (state <> departed sorts before departed), then the newest.
    auto q_ = q("SELECT " MINATO_UNIT_COLUMNS
                " FROM units WHERE container_id = ?1"
                " ORDER BY (state = 'departed'), id DESC LIMIT 1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id.str());
    return one_unit(*q_);
  }

  Result<std::optional<t::Unit>> find_unit(int64_t unit_id) {
    auto q_ = q("SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, unit_id);
    return one_unit(*q_);
  }

  Result<std::vector<t::Unit>> list_units(const UnitQuery& f) {
    // The filters every path shares; each path starts from the index that narrows most.
#define MINATO_UNIT_FILTERS                                          \
  " AND (?3 = '' OR state = ?3) AND (?4 = '' OR line_operator = ?4)" \
  " AND (?5 = '' OR category = ?5) AND (?6 = 0 OR holds <> '[]')"    \
  " AND (?7 = 0 OR (in_yard_us > 0 AND in_yard_us < ?7)) AND id > ?8 ORDER BY id LIMIT ?9"
    // Every statement names all nine parameters ("?2 = ?2" where a path does not filter on
    // one), so the same bindings fit whichever statement is chosen.
    const char* sql = nullptr;
    if (!f.block.empty()) {
      sql = "SELECT " MINATO_UNIT_COLUMNS
            " FROM units WHERE slot >= ?1 || '-' AND slot < ?1 || '.' AND ?2 = "
            "?2" MINATO_UNIT_FILTERS;
    } else if (!f.visit.empty()) {
      sql = "SELECT " MINATO_UNIT_COLUMNS
            " FROM units WHERE ?1 = ?1 AND ((inbound_visit = ?2 AND inbound_visit <> '')"
            " OR (outbound_visit = ?2 AND outbound_visit <> ''))" MINATO_UNIT_FILTERS;
    } else if (f.state == "in_yard" || f.in_yard_before_us != 0) {
      sql = "SELECT " MINATO_UNIT_COLUMNS
            " FROM units WHERE slot IS NOT NULL AND ?1 = ?1 AND ?2 = ?2" MINATO_UNIT_FILTERS;
    } else {
      sql =
          "SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE ?1 = ?1 AND ?2 = ?2" MINATO_UNIT_FILTERS;
    }
#undef MINATO_UNIT_FILTERS
    auto q_ = q(sql);
    if (!q_) return fail(q_.error());
    q_->bind(1, f.block).bind(2, f.visit).bind(3, f.state).bind(4, f.line_operator);
    q_->bind(5, f.category).bind(6, int64_t{f.on_hold ? 1 : 0}).bind(7, f.in_yard_before_us);
    q_->bind(8, f.after_id).bind(9, static_cast<int64_t>(f.limit));
    std::vector<t::Unit> out;
    for (;;) {
      auto row = q_->step("list units");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto u = unit_from(*q_);
      if (!u) return fail(u.error());
      out.push_back(std::move(*u));
    }
    return out;
  }

  Status scan_units_in_yard(const std::function<void(t::Unit&&)>& visit) {
    auto q_ = q("SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE slot IS NOT NULL");
    if (!q_) return fail(q_.error());
    for (;;) {
      auto row = q_->step("read the yard");
      if (!row) return fail(row.error());
      if (!*row) return ok();
      auto u = unit_from(*q_);
      if (!u) return fail(u.error());
      visit(std::move(*u));
    }
  }

  static Result<t::YardBlock> block_from(Query& q) {
    t::YardBlock b{q.text(0),
                   static_cast<int>(q.i64(1)),
                   static_cast<int>(q.i64(2)),
                   static_cast<int>(q.i64(3)),
                   {},
                   q.i64(5) != 0};
    std::string_view areas = q.text_view(4);
    while (!areas.empty()) {
      size_t comma = areas.find(',');
      auto a = t::StackArea::parse(areas.substr(0, comma));
      if (!a) return fail(corrupt("reefer area of block " + b.name));
      b.reefer.push_back(*a);
      if (comma == std::string_view::npos) break;
      areas.remove_prefix(comma + 1);
    }
    return b;
  }

  Result<t::TerminalLayout> layout() {
    t::TerminalLayout l;
    auto qb =
        q("SELECT name, bays, rows_, tiers, reefer, hazardous FROM yard_blocks ORDER BY name");
    if (!qb) return fail(qb.error());
    for (;;) {
      auto row = qb->step("read yard blocks");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto b = block_from(*qb);
      if (!b) return fail(b.error());
      l.blocks.push_back(std::move(*b));
    }
    auto qr = q("SELECT name, length_m FROM berths ORDER BY name");
    if (!qr) return fail(qr.error());
    for (;;) {
      auto row = qr->step("read berths");
      if (!row) return fail(row.error());
      if (!*row) break;
      l.berths.push_back(t::Berth{qr->text(0), static_cast<int>(qr->i64(1))});
    }
    auto ql = q("SELECT name, direction FROM gate_lanes ORDER BY name");
    if (!ql) return fail(ql.error());
    for (;;) {
      auto row = ql->step("read gate lanes");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto d = t::lane_direction_from(ql->text_view(1));
      if (!d) return fail(corrupt("gate lane direction"));
      l.lanes.push_back(t::GateLane{ql->text(0), *d});
    }
    return l;
  }

  Result<std::optional<BookingRecord>> find_booking(std::string_view number) {
    auto q_ =
        q("SELECT number, line_operator, outbound_visit, pod, size_type, quantity,"
          " created_us, created_by, version FROM bookings WHERE number = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, number);
    auto row = q_->step("find booking");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<BookingRecord>();
    return std::optional<BookingRecord>(
        BookingRecord{q_->text(0), q_->text(1), q_->text(2), q_->text(3), q_->text(4),
                      static_cast<int>(q_->i64(5)), q_->i64(6), q_->text(7), q_->i64(8)});
  }

  Result<VisitCounts> visit_counts(std::string_view visit) {
    auto q_ =
        q("SELECT"
          " (SELECT count(*) FROM units WHERE inbound_visit = ?1 AND inbound_visit <> ''),"
          " (SELECT count(*) FROM units WHERE inbound_visit = ?1 AND inbound_visit <> ''"
          "   AND state <> 'advised'),"
          " (SELECT count(*) FROM units WHERE outbound_visit = ?1 AND outbound_visit <> ''),"
          " (SELECT count(*) FROM units WHERE outbound_visit = ?1 AND outbound_visit <> ''"
          "   AND (state = 'loaded' OR (state = 'departed' AND vessel_slot <> '')))");
    if (!q_) return fail(q_.error());
    q_->bind(1, visit);
    auto row = q_->step("count vessel visit units");
    if (!row) return fail(row.error());
    return VisitCounts{q_->i64(0), q_->i64(1), q_->i64(2), q_->i64(3)};
  }

  Result<int64_t> count_booking_units(std::string_view number) {
    // Received: through the gate (or loaded, or gone since); advised units are only expected.
    auto q_ =
        q("SELECT count(*) FROM units WHERE booking = ?1 AND booking <> ''"
          " AND state <> 'advised'");
    if (!q_) return fail(q_.error());
    q_->bind(1, number);
    auto row = q_->step("count booking units");
    if (!row) return fail(row.error());
    return q_->i64(0);
  }

  Result<std::optional<IdempotencyRecord>> find_idempotency_key(std::string_view subject,
                                                                std::string_view key) {
    auto q_ =
        q("SELECT digest, status, response, created_us FROM idempotency_keys"
          " WHERE subject = ?1 AND key = ?2");
    if (!q_) return fail(q_.error());
    q_->bind(1, subject).bind(2, key);
    auto row = q_->step("find idempotency key");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<IdempotencyRecord>();
    return std::optional<IdempotencyRecord>(
        IdempotencyRecord{std::string(subject), std::string(key), q_->text(0),
                          static_cast<int>(q_->i64(1)), q_->text(2), q_->i64(3)});
  }

  Result<std::vector<MoveRecord>> unit_moves(int64_t unit_id) {
    auto q_ =
        q("SELECT kind, from_pos, to_pos, at_us, actor FROM moves WHERE unit_id = ?1"
          " ORDER BY id");
    if (!q_) return fail(q_.error());
    q_->bind(1, unit_id);
    std::vector<MoveRecord> out;
    for (;;) {
      auto row = q_->step("list moves");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto kind = t::move_kind_from(q_->text(0));
      if (!kind) return fail(corrupt("move kind"));
      out.push_back(
          MoveRecord{unit_id, t::Move{*kind, q_->text(1), q_->text(2)}, q_->i64(3), q_->text(4)});
    }
    return out;
  }

  Result<std::optional<t::YardBlock>> find_block(std::string_view name) {
    auto q_ =
        q("SELECT name, bays, rows_, tiers, reefer, hazardous FROM yard_blocks"
          " WHERE name = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, name);
    auto row = q_->step("find yard block");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<t::YardBlock>();
    auto b = block_from(*q_);
    if (!b) return fail(b.error());
    return std::optional<t::YardBlock>(std::move(*b));
  }

  Result<std::vector<BlockOccupancy>> yard_occupancy() {
    // Slot text starts with "BLOCK-": count units in the yard per block.
    auto q_ =
        q("SELECT b.name, b.bays, b.rows_, b.tiers, b.reefer, b.hazardous,"
          " (SELECT count(*) FROM units u WHERE u.slot >= b.name || '-'"
          "   AND u.slot < b.name || '.')"
          " FROM yard_blocks b ORDER BY b.name");
    if (!q_) return fail(q_.error());
    std::vector<BlockOccupancy> out;
    for (;;) {
      auto row = q_->step("yard occupancy");
      if (!row) return fail(row.error());
      if (!*row) break;
      auto b = block_from(*q_);
      if (!b) return fail(b.error());
      out.push_back(BlockOccupancy{std::move(*b), static_cast<int>(q_->i64(6))});
    }
    return out;
  }

  Result<std::optional<GateRecord>> find_gate(int64_t id) {
    auto q_ =
        q("SELECT id, direction, container_id, truck_plate, status, unit_id, at_us, actor,"
          " truck_visit_id, appointment_id, snapshot FROM gate_transactions WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto row = q_->step("find gate transaction");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<GateRecord>();
    auto dir = t::gate_direction_from(q_->text_view(1));
    auto st = t::gate_status_from(q_->text_view(4));
    if (!dir || !st) return fail(corrupt("gate transaction"));
    return std::optional<GateRecord>(GateRecord{q_->i64(0), *dir, q_->text(2), q_->text(3), *st,
                                                q_->i64(5), q_->i64(6), q_->text(7), q_->i64(8),
                                                q_->i64(9), q_->text(10)});
  }

  Result<std::vector<GateRecord>> list_gates(int64_t from_us, int64_t to_us, int limit) {
    auto q_ =
        q("SELECT id, direction, container_id, truck_plate, status, unit_id, at_us, actor,"
          " truck_visit_id, appointment_id, snapshot FROM gate_transactions"
          " WHERE at_us >= ?1 AND at_us < ?2 ORDER BY at_us, id LIMIT ?3");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_us).bind(2, to_us).bind(3, static_cast<int64_t>(limit));
    std::vector<GateRecord> out;
    for (;;) {
      auto row = q_->step("list gate transactions");
      if (!row) return fail(row.error());
      if (!*row) return out;
      auto dir = t::gate_direction_from(q_->text_view(1));
      auto st = t::gate_status_from(q_->text_view(4));
      if (!dir || !st) return fail(corrupt("gate transaction"));
      out.push_back(GateRecord{q_->i64(0), *dir, q_->text(2), q_->text(3), *st, q_->i64(5),
                               q_->i64(6), q_->text(7), q_->i64(8), q_->i64(9), q_->text(10)});
    }
  }

  Result<std::vector<GateSlotRecord>> gate_slots(int64_t from_us, int64_t to_us) {
    auto q_ =
        q("SELECT s.start_us, s.end_us, s.capacity,"
          " (SELECT count(*) FROM appointments a WHERE a.slot_start_us = s.start_us"
          "   AND a.state <> 'cancelled')"
          " FROM gate_slots s WHERE s.end_us > ?1 AND s.start_us < ?2 ORDER BY s.start_us");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_us).bind(2, to_us);
    std::vector<GateSlotRecord> out;
    for (;;) {
      auto row = q_->step("read gate slots");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(GateSlotRecord{q_->i64(0), q_->i64(1), static_cast<int>(q_->i64(2)),
                                   static_cast<int>(q_->i64(3))});
    }
    return out;
  }

#define MINATO_APPOINTMENT_COLUMNS                                                          \
  "a.id, a.slot_start_us, s.end_us, a.direction, a.container_id, a.truck_plate, a.haulier," \
  " a.state, a.created_us, a.created_by, a.gate_id"
  Result<std::optional<AppointmentRecord>> one_appointment(Query& q_) {
    auto row = q_.step("find appointment");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<AppointmentRecord>();
    auto dir = t::gate_direction_from(q_.text_view(3));
    if (!dir) return fail(corrupt("appointment"));
    return std::optional<AppointmentRecord>(
        AppointmentRecord{q_.i64(0), q_.i64(1), q_.i64(2), *dir, q_.text(4), q_.text(5), q_.text(6),
                          q_.text(7), q_.i64(8), q_.text(9), q_.i64(10)});
  }

  Result<std::optional<AppointmentRecord>> find_appointment(int64_t id) {
    auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
                " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
                " WHERE a.id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    return one_appointment(*q_);
  }

  Result<std::vector<AppointmentRecord>> list_appointments(int64_t from_us, int64_t to_us,
                                                           int limit) {
    auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
                " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
                " WHERE a.slot_start_us >= ?1 AND a.slot_start_us < ?2"
                " ORDER BY a.slot_start_us, a.id LIMIT ?3");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_us).bind(2, to_us).bind(3, int64_t{limit});
    std::vector<AppointmentRecord> out;
    for (;;) {
      auto a = one_appointment(*q_);
      if (!a) return fail(a.error());
      if (!*a) break;
      out.push_back(std::move(**a));
    }
    return out;
  }

  Result<std::optional<AppointmentRecord>> find_booked_appointment(std::string_view cid,
                                                                   t::GateDirection dir) {
    auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
                " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
                " WHERE a.container_id = ?1 AND a.direction = ?2 AND a.state = 'booked'");
    if (!q_) return fail(q_.error());
    q_->bind(1, cid).bind(2, t::to_string(dir));
    return one_appointment(*q_);
  }

#define MINATO_TRUCK_COLUMNS \
  "id, truck_plate, haulier, lane, arrived_us, arrived_by, exited_us, exited_by"
  static TruckVisitRecord truck_from(Query& q_) {
    return TruckVisitRecord{q_.i64(0), q_.text(1), q_.text(2), q_.text(3),
                            q_.i64(4), q_.text(5), q_.i64(6),  q_.text(7)};
  }
  Result<std::optional<TruckVisitRecord>> one_truck(Query& q_) {
    auto row = q_.step("find truck visit");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<TruckVisitRecord>();
    return std::optional<TruckVisitRecord>(truck_from(q_));
  }

#define MINATO_INTAKE_COLUMNS                                                             \
  "id, received_us, received_by, channel, file_name, bytes, sha256, file_type, verdict, " \
  "signature, engine, database, database_us, reason, override_id, stored_as"
  static MediaIntakeRecord intake_from(Query& q_) {
    return MediaIntakeRecord{q_.i64(0),  q_.i64(1),   q_.text(2),  q_.text(3),
                             q_.text(4), q_.i64(5),   q_.text(6),  q_.text(7),
                             q_.text(8), q_.text(9),  q_.text(10), q_.text(11),
                             q_.i64(12), q_.text(13), q_.i64(14),  q_.text(15)};
  }

  Result<std::optional<MediaIntakeRecord>> find_media_intake(int64_t id) {
    auto q_ = q("SELECT " MINATO_INTAKE_COLUMNS " FROM media_intake WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    auto row = q_->step("find media intake");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<MediaIntakeRecord>();
    return std::optional<MediaIntakeRecord>(intake_from(*q_));
  }

  Result<std::vector<MediaIntakeRecord>> list_media_intake(int limit) {
    auto q_ = q("SELECT " MINATO_INTAKE_COLUMNS " FROM media_intake ORDER BY id DESC LIMIT ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, static_cast<int64_t>(limit));
    std::vector<MediaIntakeRecord> out;
    for (;;) {
      auto row = q_->step("list media intake");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(intake_from(*q_));
    }
    return out;
  }

  Result<std::optional<EdiImportRecord>> find_edi_import(std::string_view sha256) {
    auto q_ =
        q("SELECT sha256, intake_id, imported_us, imported_by, kind, visit_id, units, rejected,"
          " report FROM edi_imports WHERE sha256 = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, sha256);
    auto row = q_->step("find edi import");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<EdiImportRecord>();
    return std::optional<EdiImportRecord>(EdiImportRecord{q_->text(0), q_->i64(1), q_->i64(2),
                                                          q_->text(3), q_->text(4), q_->text(5),
                                                          q_->i64(6), q_->i64(7), q_->text(8)});
  }

  Result<std::optional<TruckVisitRecord>> find_truck_visit(int64_t id) {
    auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS " FROM truck_visits WHERE id = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, id);
    return one_truck(*q_);
  }

  Result<std::optional<TruckVisitRecord>> open_truck_visit(std::string_view plate) {
    auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS
                " FROM truck_visits WHERE truck_plate = ?1 AND exited_us = 0");
    if (!q_) return fail(q_.error());
    q_->bind(1, plate);
    return one_truck(*q_);
  }

  Result<std::vector<TruckVisitRecord>> exited_truck_visits(int64_t from_us, int64_t to_us) {
    auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS
                " FROM truck_visits WHERE exited_us <> 0 AND exited_us >= ?1 AND exited_us < ?2"
                " ORDER BY exited_us");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_us).bind(2, to_us);
    std::vector<TruckVisitRecord> out;
    for (;;) {
      auto row = q_->step("read truck visits");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(truck_from(*q_));
    }
    return out;
  }

  Result<bool> slot_occupied(const t::YardSlot& slot) {
    auto q_ = q("SELECT 1 FROM units WHERE slot = ?1");
    if (!q_) return fail(q_.error());
    q_->bind(1, slot.str());
    return q_->step("check slot");
  }

#define MINATO_AUDIT_COLUMNS                                                             \
  "seq, at_us, subject, credential, source, action, target, result, reason, request_id," \
  " change, leaf, pruned"
  static AuditRecord audit_from(Query& q) {
    AuditRecord r;
    r.seq = q.i64(0);
    r.at_us = q.i64(1);
    r.subject = q.text(2);
    r.credential = q.text(3);
    r.source = q.text(4);
    r.action = q.text(5);
    r.target = q.text(6);
    r.result = q.text(7);
    r.reason = q.text(8);
    r.request_id = q.text(9);
    r.change = q.text(10);
    r.leaf = q.blob(11);
    r.pruned = q.i64(12) != 0;
    return r;
  }

  Result<int64_t> audit_head() {
    return count("SELECT coalesce(max(seq), 0) FROM audit_events", "read audit head");
  }

  Result<std::vector<AuditRecord>> audit_by_target(std::string_view action, std::string_view target,
                                                   int limit) {
    auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
                " FROM audit_events WHERE target = ?1 AND action = ?2"
                " ORDER BY seq DESC LIMIT ?3");
    if (!q_) return fail(q_.error());
    q_->bind(1, target).bind(2, action).bind(3, static_cast<int64_t>(limit));
    std::vector<AuditRecord> out;
    for (;;) {
      auto row = q_->step("read audit by target");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(audit_from(*q_));
    }
    return out;
  }

  Status scan_audit(int64_t from_seq, const std::function<bool(const AuditRecord&)>& visit) {
    auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS " FROM audit_events WHERE seq >= ?1 ORDER BY seq");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_seq);
    for (;;) {
      auto row = q_->step("read audit log");
      if (!row) return fail(row.error());
      if (!*row || !visit(audit_from(*q_))) break;
    }
    return ok();
  }

  Status scan_audit_leaves(int64_t from_seq, int64_t to_seq,
                           const std::function<void(int64_t, std::string_view)>& visit) {
    auto q_ = q("SELECT seq, leaf FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_seq).bind(2, to_seq);
    for (;;) {
      auto row = q_->step("read audit leaves");
      if (!row) return fail(row.error());
      if (!*row) break;
      visit(q_->i64(0), q_->blob_view(1));
    }
    return ok();
  }

  Status scan_audit_views(int64_t from_seq, int64_t to_seq,
                          const std::function<bool(const AuditRowView&)>& visit) {
    auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
                " FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
    if (!q_) return fail(q_.error());
    q_->bind(1, from_seq).bind(2, to_seq);
    AuditRowView v;
    for (;;) {
      auto row = q_->step("read audit log");
      if (!row) return fail(row.error());
      if (!*row) break;
      v.seq = q_->i64(0);
      v.at_us = q_->i64(1);
      v.subject = q_->text_view(2);
      v.credential = q_->text_view(3);
      v.source = q_->text_view(4);
      v.action = q_->text_view(5);
      v.target = q_->text_view(6);
      v.result = q_->text_view(7);
      v.reason = q_->text_view(8);
      v.request_id = q_->text_view(9);
      v.change = q_->text_view(10);
      v.leaf = q_->blob_view(11);
      v.pruned = q_->i64(12) != 0;
      if (!visit(v)) break;
    }
    return ok();
  }

  Result<std::vector<AuditRecord>> query_audit(const AuditQuery& f) {
    // One statement; an empty filter matches everything (?n = '' OR column = ?n).
    auto q_ = q("SELECT " MINATO_AUDIT_COLUMNS
                " FROM audit_events WHERE seq > ?1"
                " AND (?2 = '' OR subject = ?2)"
                " AND (?3 = '' OR action = ?3 OR (substr(?3, -1) = '.' AND"
                "      substr(action, 1, length(?3)) = ?3))"
                " AND (?4 = '' OR target = ?4)"
                " AND at_us >= ?5 AND (?6 = 0 OR at_us < ?6)"
                " ORDER BY seq LIMIT ?7");
    if (!q_) return fail(q_.error());
    q_->bind(1, f.after_seq).bind(2, f.subject).bind(3, f.action).bind(4, f.target);
    q_->bind(5, f.from_us).bind(6, f.to_us).bind(7, static_cast<int64_t>(f.limit));
    std::vector<AuditRecord> out;
    for (;;) {
      auto row = q_->step("query audit log");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(audit_from(*q_));
    }
    return out;
  }

  Result<int64_t> audit_seq_at(int64_t at_us) {
    auto q_ =
        q("SELECT coalesce((SELECT min(seq) FROM audit_events WHERE at_us >= ?1),"
          " (SELECT coalesce(max(seq), 0) + 1 FROM audit_events))");
    if (!q_) return fail(q_.error());
    q_->bind(1, at_us);
    auto row = q_->step("find audit position");
    if (!row) return fail(row.error());
    return q_->i64(0);
  }

  static CheckpointRecord checkpoint_from(Query& q) {
    CheckpointRecord c;
    c.size = q.i64(0);
    c.root = q.blob(1);
    c.at_us = q.i64(2);
    c.key_id = q.text(3);
    c.signature = q.blob(4);
    c.edge = q.blob(5);
    return c;
  }

  Result<std::vector<CheckpointRecord>> checkpoints() {
    auto q_ =
        q("SELECT size, root, at_us, key_id, signature, edge FROM audit_checkpoints"
          " ORDER BY size");
    if (!q_) return fail(q_.error());
    std::vector<CheckpointRecord> out;
    for (;;) {
      auto row = q_->step("read checkpoints");
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(checkpoint_from(*q_));
    }
    return out;
  }

  Result<std::optional<CheckpointRecord>> last_checkpoint() {
    auto q_ =
        q("SELECT size, root, at_us, key_id, signature, edge FROM audit_checkpoints"
          " ORDER BY size DESC LIMIT 1");
    if (!q_) return fail(q_.error());
    auto row = q_->step("read last checkpoint");
    if (!row) return fail(row.error());
    if (!*row) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(checkpoint_from(*q_));
  }

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
