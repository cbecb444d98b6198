// Retention of the audit log (G2.7.3-e): only whole months past the retention period, only by
// the auditor or the host, audited and checkpointed; the log still verifies afterwards.
#include "app/audit_service.h"

#include <algorithm>
#include <ctime>

#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

class AuditServiceTest : public testing::RuntimeFixture {
 protected:
  access::Actor auditor_{"user:aud", "10.0.0.9", access::permissions_of({"auditor"})};
  access::Actor officer_{"user:sec", "10.0.0.8", access::permissions_of({"security_officer"})};

  audit::VerifyReport verify() {
    auto opts = rt_->verify_options();
    EXPECT_TRUE(opts) << opts.error().message();
    auto rep = audit::verify(rt_->store(), *opts);
    EXPECT_TRUE(rep) << rep.error().message();
    return *rep;
  }

  // Year and month (UTC) of `us`.
  static std::pair<int, int> month_of(int64_t us) {
    time_t s = static_cast<time_t>(us / 1'000'000);
    struct tm tm {};
    gmtime_r(&s, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1};
  }
};

TEST_F(AuditServiceTest, G2_7_3_e_PruneOnlyWholeMonthsPastRetention) {
  for (int i = 0; i < 3; ++i) add_user("clerk" + std::to_string(i), {"viewer"});
  auto [y, m] = month_of(clock_.now_us());
  int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;  // the month after these events

  // Within the retention period: refused, nothing removed.
  auto early = rt_->audit().prune(auditor_, ny, nm);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(verify().pruned, 0);

  // Four years on (retention 1095 days): the month may go; only by the auditor.
  clock_.advance_s(int64_t{4} * 366 * 86400);
  auto denied = rt_->audit().prune(officer_, ny, nm);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  auto before = verify();
  ASSERT_TRUE(before.intact()) << before.problem;
  auto pruned = rt_->audit().prune(auditor_, ny, nm);
  ASSERT_TRUE(pruned) << pruned.error().message();
  EXPECT_GE(pruned->events, 4);  // admin + 3 users at least

  // The content is gone, the hashes stay: the tree and every checkpoint still verify, and the
  // prune itself is recorded and covered by a checkpoint at once.
  auto after = verify();
  EXPECT_TRUE(after.intact()) << after.problem;
  EXPECT_EQ(after.pruned, pruned->events);
  EXPECT_EQ(rt_->writes().stats().audit_checkpointed, rt_->writes().stats().audit_events);
  auto log = audit();
  EXPECT_TRUE(log.front().subject.empty() && log.front().pruned);
  auto prune_event = std::find_if(log.begin(), log.end(), [](const store::AuditRecord& r) {
    return r.action == "audit.prune" && r.result == "success";
  });
  ASSERT_NE(prune_event, log.end());
  EXPECT_EQ(prune_event->subject, "user:aud");
  EXPECT_NE(prune_event->change.find("\"before_seq\""), std::string::npos);

  // Content removed beyond what the prune recorded is found.
  auto tx = rt_->store().write();
  ASSERT_TRUE(tx);
  ASSERT_TRUE((*tx)->prune_audit(pruned->before_seq + 2));
  ASSERT_TRUE((*tx)->commit());
  tx = fail(ErrorCode::kInternal, "closed");
  auto broken = verify();
  EXPECT_FALSE(broken.intact());
  EXPECT_NE(broken.problem.find("no recorded retention prune"), std::string::npos)
      << broken.problem;
}

TEST_F(AuditServiceTest, G2_7_3_e_OnlyTheAuditorReadsTheLogAndEveryReadIsRecorded) {
  store::AuditQuery q;
  q.limit = 10;
  auto refused = rt_->audit().events(officer_, q);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  auto got = rt_->audit().events(auditor_, q);
  ASSERT_TRUE(got) << got.error().message();
  auto log = audit();
  int reads = 0, denied = 0;
  for (const auto& r : log) {
    if (r.action != "audit.read") continue;
    (r.result == "denied" ? denied : reads)++;
  }
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(denied, 1);
  q.limit = 5000;
  EXPECT_FALSE(rt_->audit().events(auditor_, q));
}

// A1.4.4: the export of the whole log is a read like any other: only with audit.log, recorded
// (with its range) before anything is read, and what it writes is every event and the
// checkpoints at their place.
TEST_F(AuditServiceTest, G2_7_3_e_ExportIsRecordedBeforeItReads) {
  for (int i = 0; i < 3; ++i) add_user("clerk" + std::to_string(i), {"viewer"});
  std::vector<std::string> lines;
  auto sink = [&](const std::string& l) {
    lines.push_back(l);
    return true;
  };
  auto denied = rt_->audit().export_lines(officer_, 1, 0, "minato", nullptr, sink);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(lines.empty());
  EXPECT_FALSE(rt_->audit().export_lines(auditor_, 5, 2, "minato", nullptr, sink));

  auto n = rt_->audit().export_lines(auditor_, 1, 0, "minato", nullptr, sink);
  ASSERT_TRUE(n) << n.error().message();
  const size_t events = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("\"checkpoint\"") == std::string::npos;
  });
  EXPECT_EQ(static_cast<int64_t>(events), *n);
  // The last event is the export's own record of the read, with its range.
  const std::string& last = *std::find_if(lines.rbegin(), lines.rend(), [](const std::string& l) {
    return l.find("\"audit.read\"") != std::string::npos;
  });
  EXPECT_NE(last.find("export"), std::string::npos) << last;
  EXPECT_NE(last.find("user:aud"), std::string::npos) << last;

  // A sink that stops ends the export there.
  int taken = 0;
  auto first_two = rt_->audit().export_lines(auditor_, 1, 0, "minato", nullptr,
                                             [&](const std::string&) { return ++taken < 2; });
  ASSERT_TRUE(first_two);
  EXPECT_EQ(taken, 2);
}

}  // namespace
}  // namespace minato::app
