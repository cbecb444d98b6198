#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "audit/event.h"
#include "crypto/random.h"
#include "store/migrations.h"
#include "store/sqlite/row_images.h"
#include "store/unit_codec.h"

namespace minato::store {

namespace t = minato::terminal;

namespace {

// Maps an SQLite result code to an Error that says what happened without internals.
Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(what) + ": ";
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kUnavailable, msg + "the database is locked by another process");
    case SQLITE_FULL:
      return Error(ErrorCode::kResourceExhausted, msg + "the disk is full; nothing was written");
    case SQLITE_IOERR:
      return Error(ErrorCode::kUnavailable, msg + "disk I/O error; nothing was written");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return Error(ErrorCode::kUnavailable,
                   msg + "cannot open or write the database (" + detail + ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error(ErrorCode::kDataLoss, msg + "the database file is corrupt");
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error(ErrorCode::kAlreadyExists, msg + "already exists");
      }
      return Error(ErrorCode::kConflict, msg + "violates a constraint (" + detail + ")");
    default:
      return Error(ErrorCode::kInternal, msg + detail);
  }
}

// One database connection with a cache of prepared statements.
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool create, int busy_ms,
                                                  const char* synchronous, int max_page_count) {
    auto c = std::make_unique<Connection>();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &c->db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      return fail(sqlite_error(c->db_, rc, "cannot open database " + path));
    }
    sqlite3_extended_result_codes(c->db_, 1);
    sqlite3_busy_timeout(c->db_, busy_ms);
    std::string pragmas = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
                          synchronous +
                          "; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;"
                          " PRAGMA secure_delete=ON;"
                          // 64 MiB of page cache per connection: the indexes of a busy
                          // terminal (units, audit log) stay in memory instead of being re-read
                          // from the OS cache on every insert.
                          " PRAGMA cache_size=-65536;"
                          // Savepoint sub-journals (one per command under group commit) in
                          // memory, not in a temporary file.
                          " PRAGMA temp_store=MEMORY;";
    if (max_page_count > 0)
      pragmas += " PRAGMA max_page_count=" + std::to_string(max_page_count) + ";";
    MINATO_TRY(c->exec(pragmas, "configure database"));
    return c;
  }

  Status exec(const std::string& sql, std::string_view what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, what));
    return ok();
  }

  Result<sqlite3_stmt*> prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return fail(sqlite_error(db_, rc, "prepare statement"));
    cache_.emplace(sql, stmt);
    return stmt;
  }

  sqlite3* db() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

// A bound statement; resets itself when it goes out of scope.
class Query {
 public:
  Query(Connection& c, sqlite3_stmt* s) : conn_(c), stmt_(s) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Query& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Returns true when a row is available, false when done.
  Result<bool> step(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(sqlite_error(conn_.db(), rc, what));
  }
  Status run(std::string_view what) {
    auto r = step(what);
    if (!r) return fail(r.error());
    return ok();
  }
  int64_t i64(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
  }
  std::string blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
  }
  // Valid until the next step or reset.
  std::string_view text_view(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(p), n);
  }
  std::string_view blob_view(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
  }
  bool is_null(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  Connection& conn_;
  sqlite3_stmt* stmt_;
};

std::string join_roles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ",") + r;
  return out;
}

std::vector<std::string> split_roles(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Error corrupt(std::string_view what) {
  return Error(ErrorCode::kDataLoss, "stored " + std::string(what) + " is not valid");
}

}  // namespace

struct SqliteStore::Impl {
  std::string path;
  SqliteOptions options;
  int version = 0;

  std::mutex write_mu;  // the single write connection
  std::unique_ptr<Connection> writer;
  bool write_open = false;
  RowCapture capture;  // row images of the open write transaction (writer only)

  std::mutex read_mu;
  std::condition_variable read_cv;
  std::vector<std::unique_ptr<Connection>> idle_readers;
};

namespace {

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

Status insert_audit_row(SqliteReader& r, const AuditRecord& a) {
  auto q = r.q("INSERT INTO audit_events (" MINATO_AUDIT_COLUMNS
               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!q) return fail(q.error());
  q->bind(1, a.seq).bind(2, a.at_us).bind(3, a.subject).bind(4, a.credential).bind(5, a.source);
  q->bind(6, a.action).bind(7, a.target).bind(8, a.result).bind(9, a.reason);
  q->bind(10, a.request_id).bind(11, a.change).bind_blob(12, a.leaf);
  q->bind(13, int64_t{a.pruned ? 1 : 0});
  return q->run("append audit event");
}

class SqliteReadTxn final : public ReadTxn {
 public:
  SqliteReadTxn(SqliteStore::Impl& impl, std::unique_ptr<Connection> c)
      : impl_(impl), conn_(std::move(c)), r_(*conn_) {}
  ~SqliteReadTxn() override {
    (void)conn_->exec("COMMIT", "end read");
    std::lock_guard lock(impl_.read_mu);
    impl_.idle_readers.push_back(std::move(conn_));
    impl_.read_cv.notify_one();
  }
  MINATO_READ_METHODS

 private:
  SqliteStore::Impl& impl_;
  std::unique_ptr<Connection> conn_;
  SqliteReader r_;
};

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

// Migration 9 replaces the audit log's hash chain (v1) by the leaves of a Merkle log (v2).
// Events of the chain era are carried over only if their chain is intact, so the upgrade never
// launders a tampered history; each gets its v2 leaf hash. The SQL part has created
// audit_events_v2; this moves the rows and swaps the tables.
constexpr int kMerkleMigration = 9;

std::string legacy_chain_hash(const std::string& prev, Query& q) {
  auto put_u64 = [](std::string& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
  };
  std::string buf = "minato-audit-v1";
  auto put_field = [&](const std::string& f) {
    put_u64(buf, f.size());
    buf += f;
  };
  put_field(prev);
  put_u64(buf, static_cast<uint64_t>(q.i64(0)));
  put_u64(buf, static_cast<uint64_t>(q.i64(1)));
  for (int col = 2; col <= 8; ++col) put_field(q.text(col));
  return crypto::sha256(buf);
}

Status upgrade_audit_to_merkle(Connection& c) {
  auto sel = c.prepare(
      "SELECT seq, at_us, subject, source, action, target, result, reason, change, prev_hash,"
      " hash FROM audit_events ORDER BY seq");
  if (!sel) return fail(sel.error());
  auto ins = c.prepare("INSERT INTO audit_events_v2 (" MINATO_AUDIT_COLUMNS
                       ") VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, '', ?9, ?10, 0)");
  if (!ins) return fail(ins.error());
  Query q(c, *sel);
  std::string prev(32, '\0');
  int64_t expected = 1;
  for (;;) {
    auto row = q.step("read chain-era audit events");
    if (!row) return fail(row.error());
    if (!*row) break;
    if (q.i64(0) != expected || q.blob(9) != prev || legacy_chain_hash(prev, q) != q.blob(10)) {
      return fail(ErrorCode::kDataLoss,
                  "the audit log's hash chain is broken at event " + std::to_string(expected) +
                      "; the upgrade to the Merkle log refuses to re-hash a tampered history "
                      "(keep this database as evidence; restore from a backup)");
    }
    prev = q.blob(10);
    AuditRecord r;
    r.seq = q.i64(0);
    r.at_us = q.i64(1);
    r.subject = q.text(2);
    r.source = q.text(3);
    r.action = q.text(4);
    r.target = q.text(5);
    r.result = q.text(6);
    r.reason = q.text(7);
    r.change = q.text(8);
    audit::Hash leaf = audit::event_leaf(r);
    Query w(c, *ins);
    w.bind(1, r.seq).bind(2, r.at_us).bind(3, r.subject).bind(4, r.source).bind(5, r.action);
    w.bind(6, r.target).bind(7, r.result).bind(8, r.reason).bind(9, r.change);
    w.bind_blob(10, audit::as_bytes(leaf));
    MINATO_TRY(w.run("copy audit event"));
    ++expected;
  }
  return c.exec(
      "DROP TABLE audit_events;"
      " ALTER TABLE audit_events_v2 RENAME TO audit_events;"
      " CREATE INDEX audit_events_target ON audit_events(target, action, seq);"
      " CREATE INDEX audit_events_subject ON audit_events(subject, seq);"
      " CREATE INDEX audit_events_time ON audit_events(at_us);",
      "swap audit tables");
}

Status apply_migrations(Connection& c, int* version) {
  MINATO_TRY(
      c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
             " applied_us INTEGER NOT NULL)",
             "create migrations table"));
  MINATO_TRY(c.exec("BEGIN IMMEDIATE", "begin migration"));
  auto s = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!s) return fail(s.error());
  int current = 0;
  {
    Query q(c, *s);
    auto row = q.step("read schema version");
    if (!row) return fail(row.error());
    current = static_cast<int>(q.i64(0));
  }
  const auto& migrations = sqlite_migrations();
  int known = static_cast<int>(migrations.size());
  if (current > known) {
    (void)c.exec("ROLLBACK", "roll back");
    return fail(ErrorCode::kFailedPrecondition, "the database has schema version " +
                                                    std::to_string(current) +
                                                    " but this minato knows only up to " +
                                                    std::to_string(known) + "; use a newer minato");
  }
  for (int v = current + 1; v <= known; ++v) {
    auto st = c.exec(std::string(migrations[v - 1]), "apply migration " + std::to_string(v));
    if (st && v == kMerkleMigration) st = upgrade_audit_to_merkle(c);
    if (st) {
      st = c.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(v) +
                      ", CAST(strftime('%s','now') AS INTEGER) * 1000000)",
                  "record migration");
    }
    if (!st) {
      (void)c.exec("ROLLBACK", "roll back");
      return st;
    }
  }
  MINATO_TRY(c.exec("COMMIT", "commit migrations"));
  *version = known;
  return ok();
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  auto w = Connection::open(path, options.create, options.busy_timeout_ms, options.synchronous,
                            options.max_page_count);
  if (!w) return fail(w.error());
  impl->writer = std::move(*w);
  MINATO_TRY(apply_migrations(*impl->writer, &impl->version));
  MINATO_TRY(impl->capture.load_schema(impl->writer->db()));
  if (options.row_images) impl->capture.install(impl->writer->db());
  for (int i = 0; i < options.read_connections; ++i) {
    auto r = Connection::open(path, false, options.busy_timeout_ms, options.synchronous, 0);
    if (!r) return fail(r.error());
    // Readers scan (audit verification, exports, reports): they read the database file
    // through a memory map instead of copying each page, and keep a small page cache.
    MINATO_TRY(
        (*r)->exec("PRAGMA query_only=ON; PRAGMA mmap_size=4294967296;"
                   " PRAGMA cache_size=-8192;",
                   "configure reader"));
    impl->idle_readers.push_back(std::move(*r));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

Result<std::unique_ptr<ReadTxn>> SqliteStore::read() {
  std::unique_ptr<Connection> c;
  {
    std::unique_lock lock(impl_->read_mu);
    impl_->read_cv.wait(lock, [&] { return !impl_->idle_readers.empty(); });
    c = std::move(impl_->idle_readers.back());
    impl_->idle_readers.pop_back();
  }
  auto st = c->exec("BEGIN", "begin read");
  if (!st) {
    std::lock_guard lock(impl_->read_mu);
    impl_->idle_readers.push_back(std::move(c));
    impl_->read_cv.notify_one();
    return fail(st.error());
  }
  return std::unique_ptr<ReadTxn>(new SqliteReadTxn(*impl_, std::move(c)));
}

Result<std::unique_ptr<WriteTxn>> SqliteStore::write() {
  {
    std::lock_guard lock(impl_->write_mu);
    if (impl_->write_open) {
      return fail(ErrorCode::kInternal, "a write transaction is already open in this process");
    }
    impl_->write_open = true;
  }
  auto st = impl_->writer->exec("BEGIN IMMEDIATE", "begin write");
  if (!st) {
    std::lock_guard lock(impl_->write_mu);
    impl_->write_open = false;
    return fail(st.error());
  }
  impl_->capture.start();
  return std::unique_ptr<WriteTxn>(new SqliteWriteTxn(*impl_));
}

int SqliteStore::schema_version() const { return impl_->version; }

}  // namespace minato::store

namespace minato::store {

Result<SnapshotInfo> snapshot_database(
    const std::string& db_path, const std::string& out_path,
    const std::function<void(int64_t seq, std::string_view leaf, int64_t at_us)>& each_leaf) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close = [&] {
    if (src) {
      sqlite3_exec(src, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close(src);
    }
    if (dst) sqlite3_close(dst);
  };
  auto failed = [&](ErrorCode code, const std::string& what, sqlite3* db) -> Error {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    close();
    return Error(code, what + ": " + m);
  };
  if (sqlite3_open_v2(db_path.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return fail(failed(ErrorCode::kUnavailable, "cannot open " + db_path, src));
  }
  sqlite3_busy_timeout(src, 10'000);
  // Pages are read through a memory map (no system call per page).
  sqlite3_exec(src, "PRAGMA mmap_size=4294967296", nullptr, nullptr, nullptr);
  // One read transaction for everything below: the audit log read here and the pages copied
  // are the same snapshot, while the server's writer goes on in WAL mode.
  if (sqlite3_exec(src, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(failed(ErrorCode::kUnavailable, "cannot read " + db_path, src));
  }
  SnapshotInfo info;
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(src, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st,
                           nullptr) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
      sqlite3_finalize(st);
      return fail(failed(ErrorCode::kDataLoss, db_path + " has no schema version", src));
    }
    info.schema_version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(src, "SELECT seq, leaf, at_us FROM audit_events ORDER BY seq", -1, &st,
                           nullptr) != SQLITE_OK) {
      return fail(failed(ErrorCode::kDataLoss, "cannot read the audit log of " + db_path, src));
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      auto* p = static_cast<const char*>(sqlite3_column_blob(st, 1));
      each_leaf(sqlite3_column_int64(st, 0),
                std::string_view(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, 1))),
                sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      return fail(failed(ErrorCode::kDataLoss, "cannot read the audit log of " + db_path, src));
    }
  }
  if (sqlite3_open_v2(out_path.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return fail(failed(ErrorCode::kUnavailable, "cannot create " + out_path, dst));
  }
  // The copy is a staging file, read once and removed: no journal, no fsync of its own (the
  // backup set made from it is fsynced).
  sqlite3_exec(dst, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536",
               nullptr, nullptr, nullptr);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (b == nullptr) {
    return fail(failed(ErrorCode::kUnavailable, "cannot start the snapshot of " + db_path, dst));
  }
  int rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    std::string m = sqlite3_errstr(rc);
    close();
    return fail(rc == SQLITE_FULL ? ErrorCode::kResourceExhausted : ErrorCode::kUnavailable,
                "snapshot of " + db_path + " failed: " + m);
  }
  // The copy is a single file in rollback-journal mode: no WAL beside it.
  rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  close();
  if (rc != SQLITE_OK) {
    return fail(ErrorCode::kUnavailable, "cannot finish the snapshot " + out_path);
  }
  return info;
}

}  // namespace minato::store
