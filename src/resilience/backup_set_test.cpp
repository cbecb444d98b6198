// Backup sets: round trip, and every kind of damage refused with a clear message (G2.7.2-e).
#include "resilience/backup_set.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/files.h"
#include "crypto/random.h"
#include "testing/test_env.h"

namespace minato::resilience {
namespace {

constexpr Argon2Cost kCheap{1, 1u << 20};
const std::string kPass = "correct horse battery staple";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void spit(const std::string& path, const std::string& data) {
  ::chmod(path.c_str(), 0600);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

class BackupSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    ASSERT_TRUE(make_dir(dir_ + "/src", 0700, true));
    ASSERT_TRUE(make_dir(dir_ + "/sets", 0700, true));
    auto text = make_recovery_file("data", kPass, signer_.public_key(), kCheap, &recipient_);
    ASSERT_TRUE(text) << text.error().message();
    recovery_ = *text;
    // Files: a large one spanning chunks (compressible and random halves), an empty one in
    // the middle, a small one in a subdirectory, an empty one at the end.
    std::mt19937_64 rng(7);
    std::string big;
    for (int i = 0; i < 300'000; ++i) big += "CSQU305438" + std::to_string(i % 10);
    for (int i = 0; i < 200'000; ++i) big.push_back(static_cast<char>(rng()));
    files_ = {{"minato.db", big, 0600},
              {"empty-mid", "", 0600},
              {"keys/audit.key", "secret key bytes\n", 0600},
              {"empty-end", "", 0400}};
    for (const auto& [path, data, mode] : files_) {
      std::string disk = dir_ + "/src/" + std::to_string(sources_.size());
      spit(disk, data);
      sources_.push_back({path, disk, mode});
    }
  }
  void TearDown() override {
    // Sets are left read-only (0500 directories): open them so the directory can go.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
      if (e.is_directory()) ::chmod(e.path().c_str(), 0700);
    }
  }

  Manifest write(size_t chunk = 256 * 1024) {
    WriteOptions o;
    o.target = "database";
    o.created_us = 1'764'000'000'000'000;
    o.host = "test";
    o.minato_version = "0.test";
    o.schema_version = 13;
    o.audit = {42, std::string(64, 'a'), 5};
    o.chunk_bytes = chunk;
    auto m = write_set(dir_ + "/sets", sources_, recipient_, signer_, o);
    EXPECT_TRUE(m) << m.error().message();
    return *m;
  }

  std::string set_dir(const Manifest& m) { return dir_ + "/sets/" + m.set_id; }

  Status restore(const Manifest& m, const std::string& out) {
    auto verified = read_verified_manifest(set_dir(m), signer_.public_key());
    if (!verified) return fail(verified.error());
    ::mkdir(out.c_str(), 0700);
    return extract_set(set_dir(m), *verified, recipient_, out);
  }

  testing::TempDir tmp_;
  std::string dir_;
  crypto::SigningKey signer_ = crypto::SigningKey::generate();
  Recipient recipient_;
  std::string recovery_;
  std::vector<std::tuple<std::string, std::string, unsigned>> files_;
  std::vector<SourceFile> sources_;
};

TEST_F(BackupSetTest, RoundTripRestoresEveryFileExactly) {
  Manifest m = write();
  EXPECT_EQ(m.set_id, "20251124T160000Z-database");
  EXPECT_GT(m.chunks.size(), 3u);
  EXPECT_LT(m.stored_bytes(), m.plain_bytes());  // the text half compresses
  EXPECT_TRUE(check_stored(set_dir(m), m));
  // Files in the set are read-only.
  struct stat st {};
  ASSERT_EQ(::stat((set_dir(m) + "/payload.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  // A fresh process: only the recovery file and its passphrase.
  auto opened = open_recovery_file(recovery_, kPass, "recovery");
  ASSERT_TRUE(opened) << opened.error().message();
  recipient_ = *opened;
  ASSERT_TRUE(restore(m, dir_ + "/out"));
  for (const auto& [path, data, mode] : files_) {
    EXPECT_EQ(slurp(dir_ + "/out/" + path), data) << path;
    ASSERT_EQ(::stat((dir_ + "/out/" + path).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, mode) << path;
  }
  auto parsed = read_verified_manifest(set_dir(m), signer_.public_key());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->audit.size, 42);
  EXPECT_EQ(parsed->schema_version, 13);
}

TEST_F(BackupSetTest, RecoveryFileRefusesWrongPassphraseAndEdits) {
  auto wrong = open_recovery_file(recovery_, kPass + "x", "recovery");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kPermissionDenied);
  // Swapping in another signer (to make restore trust forged manifests) breaks the seal.
  auto other = crypto::SigningKey::generate();
  std::string edited = recovery_;
  auto pos = edited.find(crypto::to_hex(signer_.public_key()));
  ASSERT_NE(pos, std::string::npos);
  edited.replace(pos, 64, crypto::to_hex(other.public_key()));
  EXPECT_FALSE(open_recovery_file(edited, kPass, "recovery"));
  EXPECT_FALSE(make_recovery_file("data", "short", signer_.public_key(), kCheap, nullptr));
}

TEST_F(BackupSetTest, ChangedPayloadIsRefusedAndNothingIsLeftBehind) {
  Manifest m = write();
  std::string payload = slurp(set_dir(m) + "/payload.bin");
  payload[payload.size() / 2] ^= 0x01;
  ::chmod(set_dir(m).c_str(), 0700);
  spit(set_dir(m) + "/payload.bin", payload);
  auto stored = check_stored(set_dir(m), m);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message().find("does not match the manifest"), std::string::npos)
      << stored.error().message();
  auto st = restore(m, dir_ + "/out");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kDataLoss);
  // Files restored before the damage was found are removed again.
  EXPECT_EQ(::access((dir_ + "/out/minato.db").c_str(), F_OK), -1);
  EXPECT_EQ(::access((dir_ + "/out/minato.db.partial").c_str(), F_OK), -1);
}

TEST_F(BackupSetTest, TruncatedSetIsRefused) {
  Manifest m = write();
  std::string payload = slurp(set_dir(m) + "/payload.bin");
  ::chmod(set_dir(m).c_str(), 0700);
  spit(set_dir(m) + "/payload.bin", payload.substr(0, payload.size() - m.chunks.back().stored));
  auto stored = check_stored(set_dir(m), m);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message().find("truncated"), std::string::npos);
  auto st = restore(m, dir_ + "/out");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("truncated"), std::string::npos) << st.error().message();

  // A manifest cut to match the shorter payload no longer carries a valid signature.
  std::string manifest = slurp(set_dir(m) + "/manifest.json");
  Manifest cut = m;
  cut.chunks.pop_back();
  spit(set_dir(m) + "/manifest.json", manifest_json(cut));
  auto forged = read_verified_manifest(set_dir(m), signer_.public_key());
  ASSERT_FALSE(forged);
  EXPECT_NE(forged.error().message().find("signature does not verify"), std::string::npos);
}

TEST_F(BackupSetTest, ForgedManifestAndForeignSignerAreRefused) {
  Manifest m = write();
  auto other = crypto::SigningKey::generate();
  auto foreign = read_verified_manifest(set_dir(m), other.public_key());
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code(), ErrorCode::kDataLoss);
  // An attacker with the signing key but not the recipient's secret cannot read the set.
  Recipient stranger;
  ASSERT_TRUE(make_recovery_file("data", kPass, signer_.public_key(), kCheap, &stranger));
  auto st = extract_set(set_dir(m), m, stranger, dir_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(BackupSetTest, ServedChunksReassembleThePayload) {
  Manifest m = write();
  std::string joined;
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    auto c = read_chunk(set_dir(m), m, i);
    ASSERT_TRUE(c);
    joined += *c;
  }
  EXPECT_EQ(joined, slurp(set_dir(m) + "/payload.bin"));
  EXPECT_FALSE(read_chunk(set_dir(m), m, m.chunks.size()));
}

TEST_F(BackupSetTest, ASecondSetOfTheSameSecondIsRefusedNotOverwritten) {
  Manifest m = write();
  std::string before = slurp(set_dir(m) + "/manifest.json");
  WriteOptions o;
  o.target = "database";
  o.created_us = m.created_us;
  auto again = write_set(dir_ + "/sets", sources_, recipient_, signer_, o);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(slurp(set_dir(m) + "/manifest.json"), before);
}

TEST_F(BackupSetTest, StalePartialsFromACrashAreRemovedYoungOnesKept) {
  ASSERT_TRUE(make_dir(dir_ + "/sets/.partial-old", 0700, true));
  ASSERT_TRUE(make_dir(dir_ + "/sets/.partial-young", 0700, true));
  spit(dir_ + "/sets/.partial-old/payload.bin", "half");
  ::chmod((dir_ + "/sets/.partial-old").c_str(), 0500);
  struct timespec times[2] = {{1'700'000'000, 0}, {1'700'000'000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir_ + "/sets/.partial-old").c_str(), times, 0), 0);
  Manifest m = write();
  EXPECT_EQ(remove_stale_partials(dir_ + "/sets", ".partial-", 3600), 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/sets/.partial-old"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/sets/.partial-young"));
  EXPECT_TRUE(std::filesystem::exists(set_dir(m)));
}

TEST(BackupSetId, Shape) {
  EXPECT_TRUE(valid_set_id("20261126T141500Z-database"));
  EXPECT_FALSE(valid_set_id("20261126T141500Z-../x"));
  EXPECT_FALSE(valid_set_id("../20261126T1415"));
  EXPECT_FALSE(valid_set_id("2026112XT141500Z-database"));
}

}  // namespace
}  // namespace minato::resilience
