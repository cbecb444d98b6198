// Row images: the row-level change each command made, captured by SQLite's pre-update hook on
// the writer connection and carried in the command's audit event ("rows" in its change record),
// so that a restore can roll a database snapshot forward to a later point in time by replaying
// the audit log (G2.7.2-f; docs/architecture.md, "Roll-forward").
//
// An image is a JSON object:
//   {"t":"units","op":"insert","set":{"id":7,"container_id":"CSQU3054383",...}}
//   {"t":"units","op":"update","key":{"id":7},"set":{"state":"in_yard","slot":"A-01-02-1"}}
//   {"t":"yard_blocks","op":"delete","key":{"name":"Z"}}
// "key" holds the primary key as it was before the change; "set" the columns written (every
// column of an insert, only the changed ones of an update). Values are JSON numbers, strings or
// null; a BLOB is {"x":"<hex>"} and text that is not UTF-8 is {"tx":"<hex>"}.
//
// Secrets never enter the log: a column that holds one (a password hash, a sealed TOTP seed, a
// release-PIN hash, token and recovery-code digests) is left out, and when a change gives it a
// new non-empty value the image names it in "secret":[...]. Such a change cannot be replayed;
// roll-forward stops before it. The audit tables (replayed verbatim by other means), the mail
// outbox (its bodies carry enrolment links), the Idempotency-Key cache (retry answers) and the
// advisory feeds' reference data (advisories, kev: taken in again from the intake's file) are not
// captured; neither are WITHOUT ROWID tables (the pre-update hook does not see them: the
// known-sources list of login-anomaly detection).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace minato::store {

class RowCapture {
 public:
  // Reads the schema of `db` (after migrations): which tables are captured and their columns.
  Status load_schema(sqlite3* db);
  // Installs the pre-update hook on `db`; capture happens only between start() and stop().
  void install(sqlite3* db);
  void start() {
    active_ = true;
    out_.clear();
  }
  void stop() {
    active_ = false;
    out_.clear();
  }
  // The images captured since the last take, as comma-separated JSON objects ("" if none).
  std::string take() { return std::exchange(out_, {}); }

  // Applies the images of a change record ({"redo":[...], ...}; one without "redo" applies
  // nothing) or a bare JSON array of images to `db`, in order. Each update and delete must find
  // exactly its row; an image naming a secret, an unknown table or column is refused
  // (kFailedPrecondition) with the reason, and the caller rolls back. Returns how many rows.
  Result<int64_t> apply(sqlite3* db, std::string_view json) const;

  RowCapture() = default;
  RowCapture(const RowCapture&) = delete;
  RowCapture& operator=(const RowCapture&) = delete;
  ~RowCapture();

  struct Column {
    std::string name;
    bool secret = false;
    // The column's declared default when it is a plain literal: an insert that writes it (or
    // NULL where there is no default) leaves the column out, and replay gets it back.
    enum class Default { kNone, kNull, kInteger, kText } default_kind = Default::kNone;
    int64_t default_int = 0;
    std::string default_text;
  };
  struct Table {
    std::vector<Column> columns;
    std::vector<int> key;  // column indexes of the primary key
    bool has(std::string_view name) const;
  };

 private:
  static void hook(void* self, sqlite3* db, int op, const char* schema, const char* table,
                   long long old_rowid, long long new_rowid);
  void capture(sqlite3* db, int op, const Table& t, std::string_view name);

  std::map<std::string, Table, std::less<>> tables_;
  mutable std::map<std::string, sqlite3_stmt*, std::less<>> statements_;  // replay
  bool active_ = false;
  std::string out_;
};

}  // namespace minato::store
