#include "app/write_path.h"

#include <future>
#include <thread>

#include "audit/log.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

namespace t = minato::terminal;

class WritePathTest : public testing::RuntimeFixture {
 protected:
  access::Actor planner_{"user:pat", "10.1.1.1", access::permissions_of({"planner"})};
  access::Actor clerk_{"user:gil", "10.1.1.2", access::permissions_of({"gate_clerk"})};
};

TEST_F(WritePathTest, G2_7_3_a_ChangeAndAuditEventCommitTogether) {
  ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A1", 4, 4, 4}));
  auto ev = audit().back();
  EXPECT_EQ(ev.subject, "user:pat");
  EXPECT_EQ(ev.source, "10.1.1.1");
  EXPECT_EQ(ev.action, "yard.block.create");
  EXPECT_EQ(ev.target, "block:A1");
  EXPECT_EQ(ev.result, "success");
  EXPECT_EQ(ev.at_us, clock_.now_us());
  EXPECT_NE(ev.change.find("\"bays\":4"), std::string::npos);
}

TEST_F(WritePathTest, FailedCommandChangesNothingButIsAudited) {
  ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A1", 4, 4, 4}));
  auto before = audit().size();
  // Fails inside the transaction after a write: the write must be undone.
  auto st = rt_->writes().execute_status(
      planner_, {"test.fail", "block:B1", access::Permission::kYardWrite},
      [](store::WriteTxn& tx, Effects&) -> Status {
        MINATO_TRY(tx.insert_block({"B1", 1, 1, 1}));
        return fail(ErrorCode::kConflict, "refused after writing");
      });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kConflict);
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  EXPECT_FALSE(*(*rx)->find_block("B1"));
  auto log = audit();
  ASSERT_EQ(log.size(), before + 1);
  EXPECT_EQ(log.back().result, "failure");
  EXPECT_EQ(log.back().reason, "refused after writing");
  EXPECT_TRUE(log.back().change.empty());
}

TEST_F(WritePathTest, G2_2_1_a_DeniedCommandIsRefusedAndAudited) {
  auto r = rt_->terminal().create_block(clerk_, {"A1", 4, 4, 4});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  auto ev = audit().back();
  EXPECT_EQ(ev.result, "denied");
  EXPECT_EQ(ev.reason, "missing permission yard.write");
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  EXPECT_FALSE(*(*rx)->find_block("A1"));
}

TEST_F(WritePathTest, ConcurrentCommandsShareTransactions) {
  ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A1", 40, 10, 5}));
  auto before = rt_->writes().stats();
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kEach; ++i) {
        int n = th * kEach + i;
        char base[16];
        std::snprintf(base, sizeof base, "TSTU%06d", n);
        auto cid = *t::ContainerId::parse(std::string(base) +
                                          std::to_string(t::ContainerId::check_digit(base)));
        auto slot =
            *t::YardSlot::parse("A1-" + std::to_string(2 * (n / 50) + 1) + "-" +
                                std::to_string((n / 5) % 10 + 1) + "-" + std::to_string(n % 5 + 1));
        t::UnitSpec spec{cid,
                         *t::SizeType::parse("22G1"),
                         t::UnitCategory::kStorage,
                         t::FreightKind::kFull,
                         "ONE",
                         12000};
        if (!rt_->terminal().gate_in(clerk_, {cid, "TRK-1", slot, spec})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto after = rt_->writes().stats();
  EXPECT_EQ(after.commands - before.commands, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_LT(after.transactions - before.transactions, after.commands - before.commands);
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  EXPECT_EQ(*(*rx)->count_units_in_yard(), kThreads * kEach);
  auto opts = rt_->verify_options();
  ASSERT_TRUE(opts) << opts.error().message();
  auto rep = audit::verify(rt_->store(), *opts);
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->first_bad, 0) << rep->problem;
}

// Batches of retry-safe commands run without a savepoint per command; one that fails after
// writing makes the batch run again with savepoints, so its neighbours still commit and its own
// write is undone; one that fails before writing costs no retry.
TEST_F(WritePathTest, OptimisticBatchesKeepPerCommandAtomicity) {
  constexpr int kCommands = 200;
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < kCommands; ++i) {
    std::string name = "B" + std::to_string(i);
    futures.push_back(rt_->writes().submit(
        planner_, {"test.block", "block:" + name, access::Permission::kYardWrite, true},
        [name, i](store::WriteTxn& tx, Effects& fx) -> Status {
          if (i % 50 == 7) return fail(ErrorCode::kInvalidArgument, "refused before writing");
          MINATO_TRY(tx.insert_block({name, 1, 1, 1}));
          if (i % 50 == 13) return fail(ErrorCode::kConflict, "refused after writing");
          fx.change = "{}";
          return ok();
        }));
  }
  int ok_count = 0, refused = 0;
  for (auto& f : futures) (f.get() ? ok_count : refused)++;
  EXPECT_EQ(refused, 8);
  EXPECT_EQ(ok_count, kCommands - 8);
  auto stats = rt_->writes().stats();
  EXPECT_GT(stats.optimistic_batches, 0u);
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  for (int i = 0; i < kCommands; ++i) {
    bool kept = i % 50 != 7 && i % 50 != 13;
    EXPECT_EQ((*(*rx)->find_block("B" + std::to_string(i))).has_value(), kept) << i;
  }
  // Every command, refused or not, has exactly one audit event.
  int events = 0, failures = 0;
  for (const auto& e : audit()) {
    if (e.action != "test.block") continue;
    ++events;
    if (e.result == "failure") ++failures;
  }
  EXPECT_EQ(events, kCommands);
  EXPECT_EQ(failures, 8);
  auto opts = rt_->verify_options();
  ASSERT_TRUE(opts);
  auto rep = audit::verify(rt_->store(), *opts);
  ASSERT_TRUE(rep);
  EXPECT_TRUE(rep->intact()) << rep->problem;
}

// Issue 18: `audit verify` beside a running server checkpointed the tree itself; when the
// server's own checkpoint of the same size fell due, its insert failed, the checkpoint stayed
// due, and the writer spun on failing transactions (171,655 of them for 4 commands).
TEST_F(WritePathTest, AnIdleServerCommitsNothingWhenAnotherProcessCheckpointedItsTree) {
  ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A1", 4, 4, 4}));
  auto checkpoints = [&] {
    auto rx = rt_->store().read();
    EXPECT_TRUE(rx);
    auto cps = (*rx)->checkpoints();
    EXPECT_TRUE(cps);
    return cps->size();
  };
  // A read-only process (audit verify) opens and closes the directory: it writes nothing.
  size_t before = checkpoints();
  {
    app::RuntimeOptions ro;
    ro.clock = &clock_;
    ro.write_path.checkpoint_at_shutdown = false;
    auto reader = Runtime::open(dir_.path() + "/data", ro);
    ASSERT_TRUE(reader) << reader.error().message();
  }
  EXPECT_EQ(checkpoints(), before);
  // Another process that does checkpoint at its end (a CLI command) covers the server's tree.
  {
    app::RuntimeOptions other;
    other.clock = &clock_;
    auto cli = Runtime::open(dir_.path() + "/data", other);
    ASSERT_TRUE(cli) << cli.error().message();
  }
  ASSERT_EQ(checkpoints(), before + 1);
  // The server's own checkpoint falls due; the writer wakes (at least once a second) and must
  // take the other's checkpoint as its own, then sleep.
  auto stats = rt_->writes().stats();
  clock_.advance_s(120);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto after = rt_->writes().stats();
  EXPECT_EQ(after.failed_commits, stats.failed_commits);
  EXPECT_EQ(after.transactions, stats.transactions);
  EXPECT_EQ(after.audit_checkpointed, after.audit_events);
  EXPECT_EQ(checkpoints(), before + 1);
  // And it goes on working.
  ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A2", 4, 4, 4}));
}

TEST_F(WritePathTest, ShutdownRefusesNewCommands) {
  rt_->writes().shutdown();
  auto r = rt_->terminal().create_block(planner_, {"A1", 4, 4, 4});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace minato::app
