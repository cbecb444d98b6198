// SqliteStore: the embedded Store. One database file in WAL mode with synchronous=FULL (a
// commit is on disk before commit() returns), foreign keys on, a busy timeout so a second
// process (the CLI beside a running server) waits instead of failing at once.
//
//   auto store = SqliteStore::open(data_dir + "/minato.db", {.create = true});
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace minato::store {

struct SqliteOptions {
  bool create = false;       // create the file if missing (only `minato init` does)
  int read_connections = 4;  // size of the read pool
  int busy_timeout_ms = 5000;
  // For benchmarks and tests only: synchronous level ("FULL" in production; never lowered by
  // configuration).
  const char* synchronous = "FULL";
  // For tests only: cap the database at this many pages so writes fail as on a full disk
  // (0 = no cap).
  int max_page_count = 0;
  // Benchmarks only: without the pre-update hook, audit events carry no row images and the
  // log cannot roll a snapshot forward (store/sqlite/row_images.h).
  bool row_images = true;
};

class SqliteStore final : public Store {
 public:
  // Opens (and with options.create, creates) the database, then applies pending migrations.
  // Refuses a database whose schema is newer than this binary knows (kFailedPrecondition).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const SqliteOptions& options = {});
  ~SqliteStore() override;

  Result<std::unique_ptr<ReadTxn>> read() override;
  Result<std::unique_ptr<WriteTxn>> write() override;
  int schema_version() const override;

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct SnapshotInfo {
  int schema_version = 0;
};

// A consistent copy of a live database at `out_path` (a new file) by SQLite's online backup
// API, while the server's writer goes on. In the same read transaction, before the copy,
// `each_leaf` sees the snapshot's audit log in order (seq, leaf hash, time), so what a backup
// says of its audit log is exactly what the copy holds. The copy is a single file in
// rollback-journal mode; it is not fsynced (a staging file).
Result<SnapshotInfo> snapshot_database(
    const std::string& db_path, const std::string& out_path,
    const std::function<void(int64_t seq, std::string_view leaf, int64_t at_us)>& each_leaf);

}  // namespace minato::store
