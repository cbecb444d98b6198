#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "audit/event.h"
#include "crypto/random.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_reader.h"

namespace minato::store {

namespace t = minato::terminal;

using namespace sqlite_detail;

namespace {

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
  return new_write_txn(*impl_);
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
