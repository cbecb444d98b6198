// The Merkle log over a real SQLite store: appends, checkpoints, and verify() against every way
// of tampering with the database (G2.7.3-d).
#include "audit/log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "crypto/random.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_env.h"

namespace minato::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    store::SqliteOptions o;
    o.create = true;
    auto s = store::SqliteStore::open(dir_.file("a.db"), o);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    options_.keys[key_id_of(key_.public_key())] = key_.public_key();
  }

  // Appends `n` events in one transaction through `log`, with a checkpoint if due.
  void append(Log& log, int n, int64_t at_us, bool force_checkpoint = false) {
    auto tx = store_->write();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(log.begin(**tx));
    for (int i = 0; i < n; ++i) {
      AuditEvent e;
      e.at_us = at_us;
      e.subject = "user:alice";
      e.credential = "session:0011223344556677";
      e.source = "127.0.0.1";
      e.action = "gate.in";
      e.target = "unit:" + std::to_string(i);
      e.result = "success";
      e.request_id = "req-" + std::to_string(i);
      e.change = R"({"email":"alice@example.jp","n":)" + std::to_string(i) + "}";
      ASSERT_TRUE(log.append(**tx, e));
    }
    ASSERT_TRUE(log.checkpoint_if_due(**tx, at_us, force_checkpoint));
    ASSERT_TRUE((*tx)->commit());
    log.committed();
  }

  VerifyReport verify_now() {
    auto rep = verify(*store_, options_);
    EXPECT_TRUE(rep) << rep.error().message();
    return *rep;
  }

  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("a.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  store::CheckpointRecord checkpoint_at(int64_t size) {
    auto rx = store_->read();
    auto cps = (*rx)->checkpoints();
    for (const auto& c : *cps) {
      if (c.size == size) return c;
    }
    ADD_FAILURE() << "no checkpoint at " << size;
    return {};
  }

  // A "builds the log" fixture: 25 events with checkpoints at 10 and 20 and a forced one at 25.
  void build(Log& log) {
    append(log, 10, 1'000'000);
    append(log, 10, 2'000'000);
    append(log, 5, 3'000'000, true);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  crypto::SigningKey key_ = crypto::SigningKey::generate();
  VerifyOptions options_;
  CheckpointPolicy every10_{10, 3600};
};

TEST_F(AuditLogTest, G2_7_3_d_IntactLogVerifiesWithEveryCheckpoint) {
  Log log(key_, "minato", every10_);
  build(log);
  EXPECT_EQ(log.size(), 25);
  EXPECT_EQ(log.checkpointed_size(), 25);
  auto rep = verify_now();
  EXPECT_TRUE(rep.intact()) << rep.problem;
  EXPECT_EQ(rep.events, 25);
  EXPECT_EQ(rep.checkpoints, 3);
  EXPECT_EQ(rep.last_checkpoint, 25);
  // The root is the RFC 6962 root of the stored leaves.
  std::vector<Hash> leaves;
  auto rx = store_->read();
  ASSERT_TRUE((*rx)->scan_audit_leaves(
      1, 25, [&](int64_t, std::string_view l) { leaves.push_back(hash_from_bytes(l)); }));
  EXPECT_EQ(rep.root, to_hex(root_of(leaves)));
  EXPECT_EQ(checkpoint_at(20).root, std::string(as_bytes(root_of(std::span(leaves).first(20)))));
}

TEST_F(AuditLogTest, CheckpointsFallDueByCountOrTime) {
  Log log(key_, "minato", {100, 60});
  append(log, 3, 1'000'000);  // the first batch always gets a checkpoint
  EXPECT_EQ(log.checkpointed_size(), 3);
  append(log, 3, 2'000'000);  // neither 100 events nor 60 s
  EXPECT_EQ(log.checkpointed_size(), 3);
  EXPECT_EQ(log.us_until_due(2'000'000), 59'000'000);
  append(log, 1, 61'000'001);  // 60 s since the last one
  EXPECT_EQ(log.checkpointed_size(), 7);
  EXPECT_EQ(log.us_until_due(61'000'001), -1);  // nothing waiting
}

TEST_F(AuditLogTest, RolledBackEventsAreNotInTheTree) {
  Log log(key_, "minato", every10_);
  append(log, 4, 1'000'000);
  {
    auto tx = store_->write();
    ASSERT_TRUE(log.begin(**tx));
    AuditEvent e;
    e.action = "x";
    ASSERT_TRUE((*tx)->savepoint());
    ASSERT_TRUE(log.append(**tx, e));
    ASSERT_TRUE((*tx)->rollback_to_savepoint());
    log.drop_last();
    auto seq = log.append(**tx, e);
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq, 5);
    // The transaction is abandoned (dropped without commit): nothing of it counts.
  }
  log.aborted();
  append(log, 2, 2'000'000, true);
  EXPECT_EQ(log.size(), 6);
  auto rep = verify_now();
  EXPECT_TRUE(rep.intact()) << rep.problem;
  EXPECT_EQ(rep.events, 6);
}

TEST_F(AuditLogTest, AnotherWriterIsTakenIntoTheTree) {
  Log server(key_, "minato", every10_);
  append(server, 3, 1'000'000);
  Log cli(key_, "minato", every10_);  // e.g. `minato user add` on the host meanwhile
  append(cli, 2, 2'000'000, true);
  append(server, 3, 3'000'000, true);
  EXPECT_EQ(server.size(), 8);
  auto rep = verify_now();
  EXPECT_TRUE(rep.intact()) << rep.problem;
  EXPECT_EQ(rep.events, 8);
}

TEST_F(AuditLogTest, RestartResumesFromTheLastCheckpoint) {
  {
    Log log(key_, "minato", every10_);
    build(log);
  }
  Log again(key_, "minato", every10_);
  append(again, 5, 4'000'000, true);
  EXPECT_EQ(again.size(), 30);
  auto rep = verify_now();
  EXPECT_TRUE(rep.intact()) << rep.problem;
  EXPECT_EQ(rep.checkpoints, 4);
}

// --- Tampering: every way, each detected with its position. ---

TEST_F(AuditLogTest, G2_7_3_d_ChangedEventIsFoundExactly) {
  Log log(key_, "minato", every10_);
  build(log);
  sql("UPDATE audit_events SET subject = 'user:mallory' WHERE seq = 7");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 7);
  EXPECT_NE(rep.problem.find("was changed"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_ChangedAndRehashedEventIsCaughtByTheCheckpoint) {
  Log log(key_, "minato", every10_);
  build(log);
  // The attacker recomputes the leaf so the row is self-consistent.
  auto rx = store_->read();
  store::AuditRecord r;
  ASSERT_TRUE((*rx)->scan_audit(14, [&](const store::AuditRecord& rec) { return r = rec, false; }));
  rx = fail(ErrorCode::kInternal, "closed");
  std::string original_leaf = r.leaf;
  r.result = "failure";
  std::string leaf = crypto::to_hex(as_bytes(event_leaf(r)));
  sql("UPDATE audit_events SET result = 'failure', leaf = X'" + leaf + "' WHERE seq = 14");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 11);  // after the last good checkpoint (10) ...
  EXPECT_EQ(rep.bad_until, 20);  // ... up to the checkpoint that no longer matches
  EXPECT_NE(rep.problem.find("do not match the checkpoint"), std::string::npos) << rep.problem;
  // With the leaves of the shipped copy the event is named exactly.
  options_.external_leaves[14] = original_leaf;
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 14);
  EXPECT_NE(rep.problem.find("copy kept outside"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_DeletedEventIsFound) {
  Log log(key_, "minato", every10_);
  build(log);
  sql("DELETE FROM audit_events WHERE seq = 12");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 12);
  EXPECT_NE(rep.problem.find("missing"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_ReorderedEventsAreFound) {
  Log log(key_, "minato", every10_);
  build(log);
  // Swap the content (and leaves) of events 3 and 4, keeping seq in order.
  sql("UPDATE audit_events SET seq = -3 WHERE seq = 3;"
      "UPDATE audit_events SET seq = 3 WHERE seq = 4;"
      "UPDATE audit_events SET seq = 4 WHERE seq = -3;");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 3);
}

TEST_F(AuditLogTest, G2_7_3_d_TruncationIsFoundByTheCheckpointsKeptOutside) {
  Log log(key_, "minato", every10_);
  build(log);
  // The copies outside (checkpoint directory / syslog) have the checkpoint at 25.
  options_.external_checkpoints.push_back(checkpoint_at(25));
  options_.external_checkpoints.push_back(checkpoint_at(20));
  // The attacker removes the newest events and every checkpoint that covers them.
  sql("DELETE FROM audit_events WHERE seq > 18; DELETE FROM audit_checkpoints WHERE size > 18");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 19);
  EXPECT_EQ(rep.bad_until, 20);
  EXPECT_NE(rep.problem.find("truncated"), std::string::npos) << rep.problem;
  // Without copies outside, the database alone still verifies: this is why they exist.
  options_.external_checkpoints.clear();
  EXPECT_TRUE(verify_now().intact());
}

TEST_F(AuditLogTest, G2_7_3_d_TruncationWithCheckpointsLeftIsFound) {
  Log log(key_, "minato", every10_);
  build(log);
  sql("DELETE FROM audit_events WHERE seq > 22");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 23);
  EXPECT_NE(rep.problem.find("truncated"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_ReplacedCheckpointIsFound) {
  Log log(key_, "minato", every10_);
  build(log);
  sql("UPDATE audit_checkpoints SET root = (SELECT root FROM audit_checkpoints WHERE size = 10)"
      " WHERE size = 20");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 20);
  EXPECT_NE(rep.problem.find("does not verify"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_ResignedWithAnotherKeyIsFound) {
  Log log(key_, "minato", every10_);
  build(log);
  // The attacker rewrites event 5, rebuilds the tree and signs every checkpoint again with a key
  // of their own: the rows are all self-consistent.
  sql("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 5");
  auto rx = store_->read();
  std::vector<store::AuditRecord> rows;
  ASSERT_TRUE((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
    rows.push_back(r);
    return true;
  }));
  rx = fail(ErrorCode::kInternal, "closed");
  auto forger = crypto::SigningKey::generate();
  CompactRange edge;
  std::string script;
  for (auto& r : rows) {
    auto leaf = event_leaf(r);
    edge.append(leaf);
    script += "UPDATE audit_events SET leaf = X'" + crypto::to_hex(as_bytes(leaf)) +
              "' WHERE seq = " + std::to_string(r.seq) + ";";
    if (edge.size() % 10 == 0 || edge.size() == 25) {
      auto cp = make_checkpoint(forger, "minato", edge, 5'000'000);
      script += "UPDATE audit_checkpoints SET root = X'" + crypto::to_hex(cp.root) +
                "', key_id = '" + cp.key_id + "', signature = X'" + crypto::to_hex(cp.signature) +
                "' WHERE size = " + std::to_string(cp.size) + ";";
    }
  }
  sql(script);
  auto rep = verify_now();
  EXPECT_FALSE(rep.intact());
  EXPECT_EQ(rep.first_bad, 10);
  EXPECT_NE(rep.problem.find("not a trusted audit key"), std::string::npos) << rep.problem;

  // Claiming the real key's id does not help: the signature does not verify.
  sql("UPDATE audit_checkpoints SET key_id = '" + key_id_of(key_.public_key()) + "'");
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 10);
  EXPECT_NE(rep.problem.find("does not verify"), std::string::npos) << rep.problem;
}

TEST_F(AuditLogTest, G2_7_3_d_ContentRemovedWithoutARecordedPruneIsFound) {
  Log log(key_, "minato", every10_);
  build(log);
  auto tx = store_->write();
  ASSERT_TRUE((*tx)->prune_audit(6));
  ASSERT_TRUE((*tx)->commit());
  tx = fail(ErrorCode::kInternal, "closed");
  auto rep = verify_now();
  EXPECT_EQ(rep.first_bad, 1);
  EXPECT_NE(rep.problem.find("no recorded retention prune"), std::string::npos) << rep.problem;
}

// Large logs are read in two ranges at once, split at a power of two (16 of 25 here); the
// same tampering is found, at the same positions, in either range.
TEST_F(AuditLogTest, G2_7_3_d_TwoRangeVerificationFindsTheSameProblems) {
  Log log(key_, "minato", every10_);
  build(log);
  options_.parallel_min_events = 2;
  auto rep = verify_now();
  EXPECT_TRUE(rep.intact()) << rep.problem;
  EXPECT_EQ(rep.events, 25);
  EXPECT_EQ(rep.checkpoints, 3);
  options_.parallel_min_events = 1'000'000;
  EXPECT_EQ(verify_now().root, rep.root);
  options_.parallel_min_events = 2;

  sql("UPDATE audit_events SET subject = 'user:mallory' WHERE seq = 19");
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 19) << rep.problem;
  sql("UPDATE audit_events SET subject = 'user:alice' WHERE seq = 19");
  EXPECT_TRUE(verify_now().intact());

  // Re-hashed in the second range: the checkpoint at 20 (root = node(left, right)) catches it.
  auto rx = store_->read();
  store::AuditRecord r;
  ASSERT_TRUE((*rx)->scan_audit(18, [&](const store::AuditRecord& rec) { return r = rec, false; }));
  rx = fail(ErrorCode::kInternal, "closed");
  std::string original = r.leaf;
  r.reason = "quiet";
  sql("UPDATE audit_events SET reason = 'quiet', leaf = X'" +
      crypto::to_hex(as_bytes(event_leaf(r))) + "' WHERE seq = 18");
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 11);
  EXPECT_EQ(rep.bad_until, 20);
  sql("UPDATE audit_events SET reason = '', leaf = X'" + crypto::to_hex(original) +
      "' WHERE seq = 18");
  EXPECT_TRUE(verify_now().intact());

  // Deleted in the second range, and a problem in the first range wins over one in the second.
  sql("DELETE FROM audit_events WHERE seq = 23");
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 23) << rep.problem;
  sql("UPDATE audit_events SET target = 'x' WHERE seq = 3");
  rep = verify_now();
  EXPECT_EQ(rep.first_bad, 3) << rep.problem;
}

TEST_F(AuditLogTest, ExternalCopiesAreReadFromJsonLines) {
  Log log(key_, "minato", every10_);
  build(log);
  std::string path = dir_.file("shipped.log");
  FILE* f = std::fopen(path.c_str(), "w");
  // As a syslog collector writes them: a header, then the JSON message.
  std::fprintf(f, "2026-11-26T10:00:00+09:00 tos minato - checkpoint - %s\n",
               checkpoint_json("minato", checkpoint_at(20)).c_str());
  std::fprintf(f, "unrelated line\n");
  std::fprintf(f, "%s\n", checkpoint_json("another-log", checkpoint_at(25)).c_str());
  std::fclose(f);
  VerifyOptions o;
  ASSERT_TRUE(read_external(path, o));
  ASSERT_EQ(o.external_checkpoints.size(), 1u);
  EXPECT_EQ(o.external_checkpoints[0].size, 20);
  EXPECT_EQ(o.external_checkpoints[0].signature, checkpoint_at(20).signature);
  // Issue 18: one file named twice (a directory given with --external that is also
  // audit.checkpoint_dir) is one copy, not two.
  ASSERT_TRUE(read_external(path, o));
  ASSERT_TRUE(read_external(dir_.path() + "/./shipped.log", o));
  EXPECT_EQ(o.external_checkpoints.size(), 1u);
}

TEST_F(AuditLogTest, A1_4_4_ShippedCopyRedactsPersonalData) {
  store::AuditRecord r;
  r.seq = 1;
  r.change = R"({"user":"alice","email":"alice@example.jp","roles":["viewer"]})";
  r.leaf = std::string(32, 'x');
  std::function<std::string(std::string_view)> redact = [](std::string_view) {
    return std::string("redacted:1234");
  };
  std::string shipped = event_json(r, &redact);
  EXPECT_EQ(shipped.find("alice@example.jp"), std::string::npos) << shipped;
  EXPECT_NE(shipped.find("redacted:1234"), std::string::npos) << shipped;
  EXPECT_NE(shipped.find("alice"), std::string::npos);  // who did it stays
  EXPECT_NE(event_json(r).find("alice@example.jp"), std::string::npos);
}

}  // namespace
}  // namespace minato::audit
