// Internal to the SQLite store (store/sqlite/*.cpp only): a connection with its statement
// cache, bound queries, SQLite result codes as Errors, and the store's shared state.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/sqlite/row_images.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::store::sqlite_detail {

// Maps an SQLite result code to an Error that says what happened without internals.
inline Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
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

inline std::string join_roles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ",") + r;
  return out;
}

inline std::vector<std::string> split_roles(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

inline Error corrupt(std::string_view what) {
  return Error(ErrorCode::kDataLoss, "stored " + std::string(what) + " is not valid");
}

}  // namespace minato::store::sqlite_detail

namespace minato::store {

struct SqliteStore::Impl {
  std::string path;
  SqliteOptions options;
  int version = 0;

  std::mutex write_mu;  // the single write connection
  std::unique_ptr<sqlite_detail::Connection> writer;
  bool write_open = false;
  RowCapture capture;  // row images of the open write transaction (writer only)

  std::mutex read_mu;
  std::condition_variable read_cv;
  std::vector<std::unique_ptr<sqlite_detail::Connection>> idle_readers;
};

// A write transaction on the store's writer (sqlite_write_txn.cpp). REQUIRES impl.write_mu held
// and the transaction begun, as SqliteStore::write() does.
std::unique_ptr<WriteTxn> new_write_txn(SqliteStore::Impl& impl);

}  // namespace minato::store
