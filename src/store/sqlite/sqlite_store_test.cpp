#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "audit/event.h"
#include "crypto/random.h"
#include "store/migrations.h"
#include "testing/test_env.h"

namespace minato::store {
namespace {

namespace t = minato::terminal;

std::unique_ptr<SqliteStore> open_new(const std::string& path, int max_pages = 0) {
  SqliteOptions o;
  o.create = true;
  o.max_page_count = max_pages;
  auto s = SqliteStore::open(path, o);
  EXPECT_TRUE(s) << s.error().message();
  return std::move(*s);
}

t::Unit unit(const char* cid) {
  return *t::Unit::advise({*t::ContainerId::parse(cid), *t::SizeType::parse("22G1"),
                           t::UnitCategory::kImport, t::FreightKind::kFull, "ONE", 20000});
}

TEST(SqliteStore, AppliesMigrationsAndReopens) {
  testing::TempDir dir;
  {
    auto s = open_new(dir.file("m.db"));
    EXPECT_EQ(s->schema_version(), static_cast<int>(sqlite_migrations().size()));
  }
  auto again = SqliteStore::open(dir.file("m.db"));
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->schema_version(), static_cast<int>(sqlite_migrations().size()));
}

TEST(SqliteStore, RefusesMissingFileWithoutCreate) {
  testing::TempDir dir;
  auto s = SqliteStore::open(dir.file("absent.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
}

TEST(SqliteStore, RefusesDatabaseNewerThanBinary) {
  testing::TempDir dir;
  open_new(dir.file("n.db"));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("n.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 0)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto s = SqliteStore::open(dir.file("n.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.error().message().find("999"), std::string::npos);
}

TEST(SqliteStore, UncommittedWriteRollsBack) {
  testing::TempDir dir;
  auto s = open_new(dir.file("r.db"));
  {
    auto tx = s->write();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->insert_unit(unit("CSQU3054383"), 1));
  }  // destroyed without commit
  auto rx = s->read();
  ASSERT_TRUE(rx);
  auto found = (*rx)->find_current_unit(*t::ContainerId::parse("CSQU3054383"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

TEST(SqliteStore, OneActiveUnitPerContainerAndOneUnitPerSlot) {
  testing::TempDir dir;
  auto s = open_new(dir.file("u.db"));
  auto tx = s->write();
  ASSERT_TRUE(tx);
  auto& w = **tx;
  auto u = unit("CSQU3054383");
  auto id = w.insert_unit(u, 1);
  ASSERT_TRUE(id);
  auto dup = w.insert_unit(u, 2);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);

  u.set_id(*id);
  ASSERT_TRUE(u.gate_in(*t::YardSlot::parse("A1-01-01-1"), 1));
  u.bump_version();
  ASSERT_TRUE(w.update_unit(u, 3));
  auto v = unit("MWCU6059784");
  auto vid = w.insert_unit(v, 4);
  ASSERT_TRUE(vid);
  v.set_id(*vid);
  ASSERT_TRUE(v.gate_in(*t::YardSlot::parse("A1-01-01-1"), 1));
  v.bump_version();
  auto clash = w.update_unit(v, 5);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code(), ErrorCode::kConflict);

  // A departed unit frees the container id for its next visit.
  ASSERT_TRUE(u.gate_out());
  u.bump_version();
  ASSERT_TRUE(w.update_unit(u, 6));
  EXPECT_TRUE(w.insert_unit(unit("CSQU3054383"), 7));
  ASSERT_TRUE(w.commit());
}

TEST(SqliteStore, SavepointUndoesOnlyTheCommand) {
  testing::TempDir dir;
  auto s = open_new(dir.file("s.db"));
  {
    auto tx = s->write();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->insert_block({"A1", 2, 2, 2}));
    ASSERT_TRUE((*tx)->savepoint());
    ASSERT_TRUE((*tx)->insert_block({"B1", 2, 2, 2}));
    ASSERT_TRUE((*tx)->rollback_to_savepoint());
    ASSERT_TRUE((*tx)->commit());
  }
  auto rx = s->read();
  ASSERT_TRUE(rx);
  EXPECT_TRUE(*(*rx)->find_block("A1"));
  EXPECT_FALSE(*(*rx)->find_block("B1"));
}

TEST(SqliteStore, FullDiskIsAClearErrorAndWritesNothing) {
  testing::TempDir dir;
  auto s = open_new(dir.file("f.db"), 100);  // the schema takes ~80 pages
  Status last = ok();
  int committed = 0;
  for (int i = 0; i < 2000 && last; ++i) {
    auto tx = s->write();
    ASSERT_TRUE(tx);
    AuditRecord r;
    r.seq = i + 1;
    r.change = std::string(2000, 'x');
    r.leaf = std::string(32, '\0');
    last = (*tx)->append_audit(r);
    if (last) last = (*tx)->commit();
    if (last) ++committed;
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(last.error().message().find("disk is full"), std::string::npos);
  int64_t rows = 0;
  auto rx = s->read();
  ASSERT_TRUE(rx);
  ASSERT_TRUE((*rx)->scan_audit(1, [&](const AuditRecord&) { return ++rows, true; }));
  EXPECT_EQ(rows, committed);
}

TEST(SqliteStore, LockedDatabaseIsAClearTemporaryError) {
  testing::TempDir dir;
  open_new(dir.file("l.db"));
  SqliteOptions o;
  o.busy_timeout_ms = 100;
  auto s = SqliteStore::open(dir.file("l.db"), o);
  ASSERT_TRUE(s);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("l.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto tx = (*s)->write();
  ASSERT_FALSE(tx);
  EXPECT_EQ(tx.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(tx.error().message().find("locked by another process"), std::string::npos);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE((*s)->write());  // usable again once the other writer is gone
}

TEST(SqliteStore, YardOccupancyCountsPerBlock) {
  testing::TempDir dir;
  auto s = open_new(dir.file("y.db"));
  auto tx = s->write();
  ASSERT_TRUE(tx);
  ASSERT_TRUE((*tx)->insert_block({"A", 2, 2, 2}));
  ASSERT_TRUE((*tx)->insert_block({"A1", 2, 2, 2}));
  const char* ids[] = {"CSQU3054383", "MWCU6059784"};
  const char* slots[] = {"A1-01-01-1", "A1-01-02-1"};
  for (int i = 0; i < 2; ++i) {
    auto u = unit(ids[i]);
    auto id = (*tx)->insert_unit(u, 1);
    ASSERT_TRUE(id);
    u.set_id(*id);
    ASSERT_TRUE(u.gate_in(*t::YardSlot::parse(slots[i]), 1));
    u.bump_version();
    ASSERT_TRUE((*tx)->update_unit(u, 1));
  }
  auto occ = (*tx)->yard_occupancy();
  ASSERT_TRUE(occ);
  ASSERT_EQ(occ->size(), 2u);
  EXPECT_EQ((*occ)[0].block.name, "A");
  EXPECT_EQ((*occ)[0].occupied, 0);
  EXPECT_EQ((*occ)[1].occupied, 2);
  EXPECT_EQ((*occ)[1].block.capacity_teu(), 8);
}

// A database of schema 8, whose audit log was a hash chain, with `events` chained events; the
// chain link of `break_at` (if any) is wrong.
void make_chain_era_db(const std::string& path, int events, int break_at) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto exec = [&](const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  };
  exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_us INTEGER NOT NULL)");
  for (int v = 1; v <= 8; ++v) {
    exec(std::string(sqlite_migrations()[v - 1]));
    exec("INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ", 0)");
  }
  std::string prev(32, '\0');
  for (int seq = 1; seq <= events; ++seq) {
    // The v1 chain: SHA-256 over the tag, the previous hash and every field, length-prefixed.
    std::string buf = "minato-audit-v1";
    auto u64 = [&](uint64_t v) {
      for (int i = 7; i >= 0; --i) buf.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
    };
    auto field = [&](const std::string& f) {
      u64(f.size());
      buf += f;
    };
    std::vector<std::string> f = {
        "user:alice", "127.0.0.1", "gate.in", "unit:" + std::to_string(seq), "success", "", "{}"};
    field(prev);
    u64(static_cast<uint64_t>(seq));
    u64(static_cast<uint64_t>(seq * 1000));
    for (const auto& x : f) field(x);
    std::string hash = crypto::sha256(buf);
    if (seq == break_at) hash[0] ^= 1;
    exec("INSERT INTO audit_events VALUES (" + std::to_string(seq) + ", " +
         std::to_string(seq * 1000) + ", 'user:alice', '127.0.0.1', 'gate.in', 'unit:" +
         std::to_string(seq) + "', 'success', '', '{}', X'" + crypto::to_hex(prev) + "', X'" +
         crypto::to_hex(hash) + "')");
    prev = hash;
  }
  sqlite3_close(db);
}

TEST(SqliteStore, G2_7_3_d_ChainEraLogIsCarriedIntoTheMerkleLog) {
  ASSERT_TRUE(crypto::init());
  testing::TempDir dir;
  make_chain_era_db(dir.file("old.db"), 5, 0);
  SqliteOptions o;
  auto s = SqliteStore::open(dir.file("old.db"), o);
  ASSERT_TRUE(s) << s.error().message();
  auto rx = (*s)->read();
  int rows = 0;
  ASSERT_TRUE((*rx)->scan_audit(1, [&](const AuditRecord& r) {
    ++rows;
    EXPECT_EQ(r.target, "unit:" + std::to_string(r.seq));
    EXPECT_EQ(r.leaf, std::string(audit::as_bytes(audit::event_leaf(r))));
    return true;
  }));
  EXPECT_EQ(rows, 5);
}

TEST(SqliteStore, G2_7_3_d_ChainEraLogWithABrokenChainIsNotUpgraded) {
  ASSERT_TRUE(crypto::init());
  testing::TempDir dir;
  make_chain_era_db(dir.file("old.db"), 5, 3);
  auto s = SqliteStore::open(dir.file("old.db"), SqliteOptions{});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(s.error().message().find("broken at event 3"), std::string::npos)
      << s.error().message();
}

// Every row a transaction writes can be taken as an image and replayed on a copy of the database
// as it was before (roll-forward, G2.7.2-f): the copy ends up with the same rows.
std::string dump(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string out;
  for (const char* table : {"users", "yard_blocks", "vessel_visits", "units", "moves"}) {
    std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY 1";
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      out += table;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        out += "|" + std::to_string(sqlite3_column_type(st, i)) + ":";
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(st, i));
        if (p != nullptr) out.append(p, static_cast<size_t>(sqlite3_column_bytes(st, i)));
      }
      out += "\n";
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST(RowImages, ReplayOnTheSnapshotGivesTheSameRows_G2_7_2_f) {
  testing::TempDir dir;
  auto live = open_new(dir.file("live.db"));
  auto copy = open_new(dir.file("copy.db"));
  std::vector<std::string> images;
  auto take = [&](WriteTxn& tx) {
    images.push_back(tx.take_row_images());
    ASSERT_TRUE(tx.commit());
  };
  {
    auto tx = live->write();
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->insert_block({"A1", 4, 3, 2}));
    // Stored as given (validation is the domain's): quotes, a newline and Japanese survive.
    auto visit = t::VesselVisit::restore(
        {"V1", "大黒丸 \"quoted\"\nsecond line", "9074729", "B1", 1'000'000, 2'000'000},
        t::VisitPhase::kCreated);
    ASSERT_TRUE((*tx)->insert_visit(visit, 5));
    auto u = unit("CSQU3054383");
    auto id = (*tx)->insert_unit(u, 10);
    ASSERT_TRUE(id);
    take(**tx);
  }
  {
    auto tx = live->write();
    auto u = (*tx)->find_current_unit(*t::ContainerId::parse("CSQU3054383"));
    ASSERT_TRUE(u && *u);
    t::Unit unit = **u;
    auto move = unit.gate_in(*t::YardSlot::parse("A1-01-01-1"), 20);
    ASSERT_TRUE(move);
    unit.bump_version();
    ASSERT_TRUE((*tx)->update_unit(unit, 20));
    ASSERT_TRUE((*tx)->insert_move({unit.id(), *move, 20, "gate"}));
    ASSERT_TRUE((*tx)->insert_block({"Z9", 1, 1, 1}));
    ASSERT_TRUE((*tx)->delete_block("Z9"));
    take(**tx);
  }
  EXPECT_NE(images[1].find(R"("op":"update","key":{"id":1},"set":{)"), std::string::npos)
      << images[1];
  EXPECT_EQ(images[1].find("container_id"), std::string::npos)
      << "an update carries only the columns it changed: " << images[1];

  for (const auto& img : images) {
    auto tx = copy->write();
    ASSERT_TRUE((*tx)->apply_row_images("[" + img + "]")) << img;
    ASSERT_TRUE((*tx)->commit());
  }
  live.reset();
  copy.reset();
  std::string a = dump(dir.file("live.db"));
  EXPECT_NE(a.find("大黒丸"), std::string::npos);
  EXPECT_EQ(a, dump(dir.file("copy.db")));

  // The copy is already past that transaction: replaying it again names the image that clashes.
  auto again = SqliteStore::open(dir.file("copy.db"));
  ASSERT_TRUE(again);
  auto tx = (*again)->write();
  auto st = (*tx)->apply_row_images("[" + images[1] + "]");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kConflict);
  EXPECT_NE(st.error().message().find("row image 2 (insert moves)"), std::string::npos)
      << st.error().message();
}

TEST(RowImages, SecretsAreNamedNeverWrittenAndNotReplayed_G2_7_2_f) {
  testing::TempDir dir;
  auto store = open_new(dir.file("s.db"));
  auto tx = store->write();
  UserRecord u;
  u.username = "ops1";
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$SECRETHASH";
  u.totp_sealed = std::string("\x01\x02sealed", 8);
  u.roles = {"operator"};
  u.created_us = 1;
  ASSERT_TRUE((*tx)->insert_user(u));
  auto unit_id = (*tx)->insert_unit(unit("MSCU1234566"), 1);
  ASSERT_TRUE(unit_id);
  (void)(*tx)->take_row_images();
  auto found = (*tx)->find_unit(*unit_id);
  t::Unit with_pin = **found;
  with_pin.set_pin_hash("$argon2id$PINHASH");
  with_pin.bump_version();
  ASSERT_TRUE((*tx)->update_unit(with_pin, 2));
  std::string pin = (*tx)->take_row_images();
  EXPECT_EQ(pin.find("PINHASH"), std::string::npos) << pin;
  EXPECT_NE(pin.find(R"("secret":["pin_hash"])"), std::string::npos) << pin;
  auto refused = (*tx)->apply_row_images("[" + pin + "]");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message().find("units.pin_hash"), std::string::npos)
      << refused.error().message();

  // A login's bookkeeping touches no secret: it replays.
  auto user = (*tx)->find_user("ops1");
  UserRecord after = **user;
  after.failed_count = 2;
  ASSERT_TRUE((*tx)->update_user_login_state(after));
  std::string login = (*tx)->take_row_images();
  EXPECT_EQ(login.find("secret"), std::string::npos) << login;
  EXPECT_NE(login.find(R"("failed_count":2)"), std::string::npos) << login;
  // A new password does not.
  ASSERT_TRUE((*tx)->set_password_hash(after.id, "$argon2id$NEWHASH", 3, true));
  std::string password = (*tx)->take_row_images();
  EXPECT_EQ(password.find("HASH"), std::string::npos) << password;
  EXPECT_NE(password.find(R"("secret":["hash"])"), std::string::npos) << password;
  EXPECT_NE(password.find(R"("secret":["password_hash"])"), std::string::npos) << password;
}

TEST(RowImages, MalformedImagesAreRefusedWithWhereTheyFail) {
  testing::TempDir dir;
  auto store = open_new(dir.file("m.db"));
  auto tx = store->write();
  // A change record without images applies nothing.
  auto none = (*tx)->apply_row_images(R"({"container_id":"CSQU3054383"})");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  for (const char* bad :
       {"not json", R"({"redo":{}})", "7", "[1]",
        R"([{"t":"audit_events","op":"insert","set":{"seq":1}}])",
        R"([{"t":"units","op":"update","set":{"nope":1},"key":{"id":1}}])",
        R"([{"t":"units","op":"drop","key":{"id":1}}])", R"([{"t":"units","op":"delete"}])"}) {
    auto st = (*tx)->apply_row_images(bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_FALSE(st.error().message().empty());
  }
}
}  // namespace
}  // namespace minato::store
