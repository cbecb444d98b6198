// G3.1-b: the evidence bundle, made from a live runtime and checked with nothing but its bytes.
#include "app/evidence_service.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>

#include "app/runtime.h"
#include "common/files.h"
#include "common/tar.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;
using testing::person;

class EvidenceServiceTest : public testing::RuntimeFixture {
 protected:
  const access::Actor officer_ = person("officer", {"security_officer"});

  // An incident with logins before it, one of them failed.
  int64_t incident() {
    auto secret = add_user("clerk", {"gate_clerk"});
    EXPECT_TRUE(rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)}));
    EXPECT_FALSE(rt_->identity().login("10.9.9.9", {"clerk", "wrong-password-1", "000000"}));
    clock_.advance_s(60);
    auto id =
        rt_->incidents().open(officer_, "high", "ransom note on a yard PC", {Measure::kSessions});
    EXPECT_TRUE(id) << id.error().message();
    return id ? *id : 0;
  }
  std::string out(const std::string& name) { return dir_.path() + "/" + name; }
  std::string bytes_of(const std::string& path) {
    auto b = read_file(path, 64 << 20);
    EXPECT_TRUE(b) << b.error().message();
    return b ? *b : "";
  }
  Result<audit::EvidenceCheck> check(const std::string& bytes) {
    auto keys = rt_->trusted_audit_keys();
    EXPECT_TRUE(keys);
    return audit::verify_evidence(bytes, *keys);
  }
};

TEST_F(EvidenceServiceTest, G3_1_b_BundleVerifiesWithoutTheDatabase) {
  store::AssetRecord pc;
  pc.tag = "PC-YARD-3";
  pc.kind = "terminal";
  pc.name = "Yard planning PC";
  pc.state = "in_service";
  ASSERT_TRUE(rt_->assets().add(access::Actor::local_operator(), pc));
  const int64_t id = incident();
  EvidenceRequest req{id, 0, 0, out("evidence.tar")};
  auto made = rt_->evidence().write(officer_, req);
  ASSERT_TRUE(made) << made.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(req.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(::stat((req.path + ".partial").c_str(), &st), 0);
  const std::string bytes = bytes_of(req.path);
  EXPECT_EQ(made->bytes, static_cast<int64_t>(bytes.size()));

  // Checked from its bytes alone, against the data directory's trusted keys.
  auto c = check(bytes);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->pinned);
  EXPECT_EQ(c->manifest.incident_id, id);
  EXPECT_EQ(c->manifest.from_seq, 1);
  EXPECT_EQ(c->events, c->manifest.to_seq);
  EXPECT_EQ(c->manifest.to_seq, c->manifest.tree_size);
  EXPECT_EQ(c->logins, 2);  // the login and the failed one
  EXPECT_GE(c->checkpoints, 1);
  // The bundle ends with its own making; its members are what the manifest lists.
  auto entries = read_tar(bytes, 64);
  ASSERT_TRUE(entries);
  std::string events(entries->front().data);
  EXPECT_NE(events.rfind("\"action\":\"incident.evidence\""), std::string::npos);
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"events.jsonl", "logins.jsonl", "checkpoints.jsonl",
                                             "proofs.json", "incident.json", "intake.jsonl",
                                             "assets.json", "vulnerabilities.json", "config.toml",
                                             "manifest.json", "manifest.sig"}));
  // The assets as they stood (the yard PC of the incident), and the register (empty here).
  EXPECT_NE(std::string((*entries)[6].data).find("\"tag\":\"PC-YARD-3\""), std::string::npos);
  EXPECT_EQ(std::string((*entries)[7].data), "{\"findings\":[],\"feeds\":[]}\n");
  std::string inc((*entries)[4].data);
  EXPECT_NE(inc.find("ransom note on a yard PC"), std::string::npos);
  EXPECT_NE(inc.find("\"measures_in_force\":[{\"measure\":\"sessions\""), std::string::npos);

  // Signed by a key not trusted: refused as such, whatever else is right.
  audit::TrustedKeys stranger{{"0011223344556677", std::string(32, 'x')}};
  auto foreign = audit::verify_evidence(bytes, stranger);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code(), ErrorCode::kPermissionDenied);
  // Without trusted keys it proves integrity only, and says so.
  auto unpinned = audit::verify_evidence(bytes, {});
  ASSERT_TRUE(unpinned);
  EXPECT_FALSE(unpinned->pinned);
}

TEST_F(EvidenceServiceTest, G3_1_b_EveryChangedByteFailsAndSaysWhere) {
  const int64_t id = incident();
  ASSERT_TRUE(rt_->evidence().write(officer_, {id, 0, 0, out("e.tar")}));
  const std::string bytes = bytes_of(out("e.tar"));
  ASSERT_TRUE(check(bytes));
  int64_t passed = 0;
  std::map<std::string, int> where;  // the first words of each error, counted
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0x20);
    auto c = check(changed);
    if (c) {
      ++passed;
      ADD_FAILURE() << "byte " << i << " changed and the bundle still verifies";
      continue;
    }
    std::string msg = c.error().message();
    ++where[msg.substr(0, msg.find_first_of(" :"))];
  }
  EXPECT_EQ(passed, 0);
  // Errors name the member (or the archive offset) where the change is.
  for (auto name :
       {"events.jsonl", "checkpoints.jsonl", "config.toml", "manifest.json", "evidence"}) {
    EXPECT_GT(where[name], 0) << name;
  }
  // A line changed in place names the event.
  std::string one = bytes;
  auto at = one.find("\"action\":\"incident.open\"");
  ASSERT_NE(at, std::string::npos);
  one[at + 20] = 'x';  // incident.xpen
  auto c = check(one);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("its content does not match its leaf hash"), std::string::npos)
      << c.error().message();
  EXPECT_EQ(c.error().message().rfind("events.jsonl line ", 0), 0u) << c.error().message();
  // Cut short, or with bytes after the end.
  EXPECT_FALSE(check(bytes.substr(0, bytes.size() - 512)));
  EXPECT_FALSE(check(bytes + std::string(512, '\0')));
}

TEST_F(EvidenceServiceTest, G3_1_b_RangeByTimeAndProofsAgainstEarlierCheckpoints) {
  const int64_t id = incident();
  // A second stretch of events, each checkpointed, then a bundle of only that stretch.
  const int64_t from = clock_.now_us() + 1;
  clock_.advance_s(1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rt_->incidents().record(officer_, id, "note", "step " + std::to_string(i)));
    ASSERT_TRUE(rt_->writes().execute_status(officer_, {"test.checkpoint", "x", {}},
                                             [](store::WriteTxn&, Effects& fx) {
                                               fx.checkpoint = true;
                                               return ok();
                                             }));
  }
  clock_.advance_s(1);
  const int64_t to = clock_.now_us();
  clock_.advance_s(1);
  ASSERT_TRUE(rt_->incidents().record(officer_, id, "note", "after the range"));
  auto made = rt_->evidence().write(officer_, {id, from, to, out("r.tar")});
  ASSERT_TRUE(made) << made.error().message();
  auto c = check(bytes_of(out("r.tar")));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->events, 10);
  EXPECT_GT(c->manifest.from_seq, 1);
  EXPECT_LT(c->manifest.to_seq, c->manifest.tree_size);
  EXPECT_GE(c->checkpoints, 6);  // one before, five inside, the anchor
  EXPECT_EQ(c->logins, 0);

  // Bad requests: nothing in range, a file that exists, a directory that does not.
  auto empty = rt_->evidence().write(officer_, {id, to + 10'000'000'000, 0, out("n.tar")});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field(), "from");
  auto again = rt_->evidence().write(officer_, {id, from, to, out("r.tar")});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  auto nowhere = rt_->evidence().write(officer_, {id, 0, 0, out("missing/e.tar")});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(rt_->evidence().write(officer_, {999, 0, 0, out("x.tar")}).error().code(),
            ErrorCode::kNotFound);
}

TEST_F(EvidenceServiceTest, G3_1_b_OnlySecurityOfficersAndAuditorsMakeEvidence) {
  const int64_t id = incident();
  auto denied = rt_->evidence().write(person("gc", {"gate_clerk"}), {id, 0, 0, out("c.tar")});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit().back().action, "incident.evidence");
  EXPECT_EQ(audit().back().result, "denied");
  EXPECT_TRUE(rt_->evidence().write(person("aud", {"auditor"}), {id, 0, 0, out("a.tar")}));
}

}  // namespace
}  // namespace minato::app
