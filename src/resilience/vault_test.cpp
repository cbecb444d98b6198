// The vault against a source it cannot trust (G2.7.2-c/d/e): what it takes, what it refuses,
// and its retention on disk, on an injected clock.
#include "resilience/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/files.h"
#include "crypto/random.h"
#include "testing/test_env.h"

namespace minato::resilience {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kHour = 3'600'000'000;

// A live server's outbox served as the vault listener would (api/vault_routes.cpp), with
// knobs for what a compromised server might do.
class OutboxSource final : public SetSource {
 public:
  explicit OutboxSource(std::string outbox, std::string recovery)
      : outbox_(std::move(outbox)), recovery_(std::move(recovery)) {}

  Result<std::string> get(const std::string& path, size_t max_bytes) override {
    ++requests;
    Result<std::string> r = fetch(path);
    if (r && r->size() > max_bytes) return fail(ErrorCode::kDataLoss, "too large");
    return r;
  }

  std::map<std::string, std::string> overrides;  // path -> body
  int requests = 0;

 private:
  Result<std::string> fetch(const std::string& path) {
    if (auto it = overrides.find(path); it != overrides.end()) return it->second;
    if (path == "/vault/v1/sets") {
      std::string body = "{\"sets\":[";
      bool first = true;
      for (const auto& e : fs::directory_iterator(outbox_)) {
        std::string id = e.path().filename().string();
        if (!valid_set_id(id)) continue;
        body += std::string(first ? "" : ",") + "{\"set\":\"" + id + "\"}";
        first = false;
      }
      return body + "]}";
    }
    if (path == "/vault/v1/recovery/data") return read_file(recovery_, 1 << 16);
    if (path.rfind("/vault/v1/recovery/", 0) == 0) return fail(ErrorCode::kNotFound, path);
    const std::string prefix = "/vault/v1/sets/";
    std::string rest = path.substr(prefix.size());
    std::string id = rest.substr(0, rest.find('/'));
    std::string what = rest.substr(rest.find('/') + 1);
    std::string dir = outbox_ + "/" + id;
    if (what == "manifest") return read_file(dir + "/manifest.json", 64u << 20);
    if (what == "signature") return read_file(dir + "/manifest.sig", 4096);
    auto m = read_file(dir + "/manifest.json", 64u << 20);
    if (!m) return fail(m.error());
    auto parsed = parse_manifest(*m, id);
    if (!parsed) return fail(parsed.error());
    return read_chunk(dir, *parsed, std::stoul(what.substr(7)));
  }

  std::string outbox_, recovery_;
};

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    ASSERT_TRUE(make_dir(root_ + "/outbox", 0700, true));
    ASSERT_TRUE(make_dir(root_ + "/src", 0700, true));
    auto text = make_recovery_file("data", "tq8 Harbour wL3 reefer 9xk gantry pz",
                                   signer_.public_key(), {1, 1u << 20}, &recipient_);
    ASSERT_TRUE(text);
    ASSERT_TRUE(write_file_atomic(root_ + "/data.recovery", *text));
    {
      std::ofstream f(root_ + "/src/minato.db", std::ios::binary);
      for (int i = 0; i < 20'000; ++i) f << "unit " << i << "\n";
    }
    VaultConfig c;
    c.server = "https://127.0.0.1:1";
    c.signer = crypto::to_hex(signer_.public_key());
    c.policy = {1, 6, 3, 2, 2};
    auto fp = Vault::init(root_ + "/vault", c);
    ASSERT_TRUE(fp) << fp.error().message();
    EXPECT_EQ(fp->size(), 64u);
    auto v = Vault::open(root_ + "/vault", clock_);
    ASSERT_TRUE(v) << v.error().message();
    vault_ = std::move(*v);
    source_ = std::make_unique<OutboxSource>(root_ + "/outbox", root_ + "/data.recovery");
  }
  void TearDown() override {
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_directory()) ::chmod(e.path().c_str(), 0700);
    }
  }

  // The live server makes a database set at the clock's time.
  std::string make_set(int64_t at_us, const crypto::SigningKey* by = nullptr) {
    WriteOptions o;
    o.target = "database";
    o.created_us = at_us;
    auto m = write_set(root_ + "/outbox", {{"minato.db", root_ + "/src/minato.db", 0600}},
                       recipient_, by ? *by : signer_, o);
    EXPECT_TRUE(m) << m.error().message();
    return m ? m->set_id : "";
  }

  std::vector<std::string> held_ids() {
    std::vector<std::string> out;
    for (const auto& h : vault_->held()) out.push_back(h.id);
    return out;
  }

  testing::TempDir tmp_;
  std::string root_;
  FakeClock clock_{1'782'865'020'000'000};  // 2026-07-01T00:17:00Z
  crypto::SigningKey signer_ = crypto::SigningKey::generate();
  Recipient recipient_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<OutboxSource> source_;
};

TEST_F(VaultTest, PullsVerifiesAndKeepsSetsReadOnly_G2_7_2_d_e) {
  std::string id = make_set(clock_.now_us());
  auto r = vault_->pull(*source_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->pulled, 1);
  EXPECT_EQ(r->refused, 0);
  ASSERT_EQ(held_ids(), std::vector<std::string>{id});
  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/vault/sets/database/" + id + "/payload.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_TRUE(fs::exists(root_ + "/vault/recovery/backup-data.recovery"));
  EXPECT_TRUE(vault_->check_all().empty());
  // Again: nothing new is fetched.
  auto again = vault_->pull(*source_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->already, 1);
  EXPECT_EQ(again->pulled, 0);
}

TEST_F(VaultTest, RefusesWhatACompromisedServerOffers_G2_7_2_e) {
  std::string good = make_set(clock_.now_us());
  ASSERT_TRUE(vault_->pull(*source_));
  const auto before = vault_->held();

  // A set signed by another key.
  clock_.advance_s(3600);
  auto rogue = crypto::SigningKey::generate();
  std::string foreign = make_set(clock_.now_us(), &rogue);
  // A set dated in the future (to outlive every real one in the retention buckets).
  std::string future = make_set(clock_.now_us() + 30 * 24 * kHour);
  // A chunk changed in transit.
  clock_.advance_s(60);
  std::string changed = make_set(clock_.now_us());
  source_->overrides["/vault/v1/sets/" + changed + "/chunks/0"] = "not the chunk";
  // A different recovery file (say, one whose passphrase the attacker knows).
  Recipient other;
  auto swapped = make_recovery_file("data", "Mv2 lashing Qe7 twistlock 4rn spreader",
                                    signer_.public_key(), {1, 1u << 20}, &other);
  ASSERT_TRUE(swapped);
  source_->overrides["/vault/v1/recovery/data"] = *swapped;

  auto r = vault_->pull(*source_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->pulled, 0);
  EXPECT_EQ(r->refused, 4);
  std::string all;
  for (const auto& m : r->messages) all += m + "\n";
  EXPECT_NE(all.find("signature does not verify"), std::string::npos) << all;
  EXPECT_NE(all.find("dated in the future"), std::string::npos) << all;
  EXPECT_NE(all.find("wrong size"), std::string::npos) << all;
  EXPECT_NE(all.find("differs from the one kept"), std::string::npos) << all;
  EXPECT_EQ(held_ids(), std::vector<std::string>{good});
  // Nothing half-fetched is left behind.
  for (const auto& e : fs::directory_iterator(root_ + "/vault/sets/database")) {
    EXPECT_EQ(e.path().filename().string().rfind(".incoming", 0), std::string::npos);
  }
  // A back-dated set (older than what the vault holds) is not taken either.
  make_set(clock_.now_us() - 48 * kHour);
  source_->overrides.clear();
  source_->overrides["/vault/v1/recovery/data"] = *read_file(root_ + "/data.recovery");
  fs::remove_all(root_ + "/outbox/" + future);
  auto r2 = vault_->pull(*source_);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->pulled, 1);  // `changed`, now served intact
  EXPECT_NE(std::find(held_ids().begin(), held_ids().end(), changed), held_ids().end());
  EXPECT_EQ(held_ids().size(), 2u);
  (void)foreign;
}

TEST_F(VaultTest, RefusesASetLargerThanItsLimitWithAClearMessage) {
  auto cfg = read_file(root_ + "/vault/vault.json");
  ASSERT_TRUE(cfg);
  auto c = parse_vault_config(*cfg, "vault.json");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->max_set_mib, 64 * 1024);
  std::string small = make_set(clock_.now_us());
  c->max_set_mib = 1;
  ASSERT_TRUE(write_file_atomic(root_ + "/vault/vault.json", vault_config_json(*c)));
  // 2 MiB that do not compress.
  ASSERT_TRUE(write_file_atomic(root_ + "/src/minato.db", crypto::random_bytes(2u << 20)));
  clock_.advance_s(60);
  std::string big = make_set(clock_.now_us());
  auto v = Vault::open(root_ + "/vault", clock_);
  ASSERT_TRUE(v);
  auto r = (*v)->pull(*source_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pulled, 1);
  EXPECT_EQ(r->refused, 1);
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_NE(r->messages[0].find("over max_set_mib"), std::string::npos) << r->messages[0];
  std::vector<std::string> held;
  for (const auto& h : (*v)->held()) held.push_back(h.id);
  EXPECT_EQ(held, std::vector<std::string>{small});
  // No chunk of the big set was asked for, and nothing of it is on the vault's disk.
  for (const auto& e : fs::directory_iterator(root_ + "/vault/sets/database")) {
    EXPECT_EQ(e.path().filename().string().find(big), std::string::npos);
  }
}

TEST_F(VaultTest, RetentionOnDiskFollowsThePolicyOverSimulatedWeeks_G2_7_2_c) {
  // A set every 6 hours for 40 days, pulled as it appears; policy: 1 last, 6 hourly, 3 daily,
  // 2 weekly, 2 monthly.
  std::vector<std::string> made;
  for (int i = 0; i < 40 * 4; ++i) {
    made.push_back(make_set(clock_.now_us()));
    auto r = vault_->pull(*source_);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->refused, 0);
    // The outbox keeps only a few (as the server's keep_local does).
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(root_ + "/outbox")) {
      if (valid_set_id(e.path().filename().string())) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    for (size_t k = 0; k + 2 < out.size(); ++k) {
      ::chmod(out[k].c_str(), 0700);
      fs::remove_all(out[k]);
    }
    clock_.advance_s(6 * 3600);
  }
  auto held = held_ids();
  // The newest 6 (6 hourly buckets), the last of the 3 newest days, of the 2 newest ISO weeks
  // and of the 2 newest months (June has none: July and August).
  // Started 2026-07-01T00:17Z; the last set is at +159 * 6 h = 2026-08-09T18:17Z.
  EXPECT_EQ(made.back(), "20260809T181700Z-database");
  for (int k = 0; k < 6; ++k) {
    EXPECT_NE(std::find(held.begin(), held.end(), made[made.size() - 1 - k]), held.end()) << k;
  }
  for (const char* id : {"20260808T181700Z-database", "20260807T181700Z-database",
                         "20260802T181700Z-database", "20260731T181700Z-database"}) {
    EXPECT_NE(std::find(held.begin(), held.end(), id), held.end()) << id;
  }
  // Everything else went: the 6 newest (they hold 08-09 and 08-08's newest) + 1 more day
  // (08-07) + 1 week (2026-08-02 is a Sunday, the end of ISO week 31; week 32's newest is the
  // newest set) + 1 month (July's newest; August's is the newest set).
  EXPECT_EQ(held.size(), 6u + 1u + 1u + 1u) << ::testing::PrintToString(held);
  EXPECT_TRUE(vault_->check_all().empty());
}

}  // namespace
}  // namespace minato::resilience
