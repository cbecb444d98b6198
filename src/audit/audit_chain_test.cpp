#include "audit/audit_chain.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "crypto/random.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_env.h"

namespace minato::audit {
namespace {

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    store::SqliteOptions o;
    o.create = true;
    auto s = store::SqliteStore::open(dir_.file("a.db"), o);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    auto tx = store_->write();
    ASSERT_TRUE(tx);
    for (int i = 1; i <= 5; ++i) {
      AuditEvent e{1000 + i,
                   "user:alice",
                   "127.0.0.1",
                   "gate.in",
                   "unit:" + std::to_string(i),
                   "success",
                   "",
                   R"({"n":)" + std::to_string(i) + "}"};
      auto seq = append(**tx, e);
      ASSERT_TRUE(seq);
      EXPECT_EQ(*seq, i);
    }
    ASSERT_TRUE((*tx)->commit());
  }

  Result<VerifyReport> run_verify() {
    auto rx = store_->read();
    EXPECT_TRUE(rx);
    return verify(**rx);
  }

  void raw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("a.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(AuditChainTest, IntactChainVerifies) {
  auto rep = run_verify();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->events, 5);
  EXPECT_EQ(rep->first_bad, 0);
  EXPECT_EQ(rep->head_hash.size(), 64u);
}

TEST_F(AuditChainTest, ChangedFieldIsFoundAtThatEvent) {
  raw("UPDATE audit_events SET result = 'failure' WHERE seq = 3");
  auto rep = run_verify();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->first_bad, 3);
  EXPECT_EQ(rep->events, 2);
  EXPECT_NE(rep->problem.find("content"), std::string::npos);
}

TEST_F(AuditChainTest, RehashedEventBreaksTheNextLink) {
  // An attacker who recomputes the changed event's own hash still breaks event 4's link.
  auto rx = store_->read();
  ASSERT_TRUE(rx);
  store::AuditRecord third;
  ASSERT_TRUE((*rx)->scan_audit(3, [&](const store::AuditRecord& r) { return third = r, false; }));
  rx = fail(ErrorCode::kInternal, "closed");
  third.reason = "forged";
  std::string h = crypto::to_hex(chain_hash(third.prev_hash, third));
  raw("UPDATE audit_events SET reason = 'forged', hash = x'" + h + "' WHERE seq = 3");
  auto rep = run_verify();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->first_bad, 4);
}

TEST_F(AuditChainTest, DeletedEventIsFound) {
  raw("DELETE FROM audit_events WHERE seq = 2");
  auto rep = run_verify();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->first_bad, 3);
  EXPECT_NE(rep->problem.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace minato::audit
