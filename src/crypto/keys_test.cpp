// The sealing key and its rotation (G2.3-c): after a rotation, what was sealed or keyed under
// the earlier key still opens and compares until the earlier key is forgotten; a forgotten key
// is gone from the disk too.
#include "crypto/keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "testing/test_env.h"

namespace minato::crypto {
namespace {

TEST(SealingKey, G2_3_c_RotationKeepsEarlierKeyUntilForgotten) {
  testing::TempDir dir;
  const std::string path = dir.file("sealing.key");
  auto first = SealingKey::generate();
  ASSERT_TRUE(first.save(path));
  const std::string sealed = first.seal("JBSWY3DPEHPK3PXP", "user:alice/totp");
  const std::string code = first.mac("abcd2345efgh", "recovery-code:alice");

  // Rotated and saved: the new key seals; the old seal opens; the old code compares.
  auto second = first.rotated(false);
  ASSERT_TRUE(second.save(path));
  EXPECT_EQ(second.earlier_keys(), 1u);
  EXPECT_TRUE(std::filesystem::exists(path + ".previous"));
  auto loaded = SealingKey::load(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->earlier_keys(), 1u);
  EXPECT_NE(loaded->mac("x", "c"), first.mac("x", "c"));  // another current key
  auto opened = loaded->open(sealed, "user:alice/totp");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "JBSWY3DPEHPK3PXP");
  EXPECT_FALSE(loaded->open(sealed, "user:bob/totp"));  // the context still binds
  const auto macs = loaded->macs("abcd2345efgh", "recovery-code:alice");
  ASSERT_EQ(macs.size(), 2u);
  EXPECT_EQ(macs[1], code);
  EXPECT_EQ(macs[0], loaded->mac("abcd2345efgh", "recovery-code:alice"));

  // Forgotten: the old seal no longer opens, the old code no longer compares, and the file
  // of earlier keys is gone.
  auto third = loaded->current_only();
  ASSERT_TRUE(third.save(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".previous"));
  auto reloaded = SealingKey::load(path);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->earlier_keys(), 0u);
  EXPECT_FALSE(reloaded->open(sealed, "user:alice/totp"));
  EXPECT_EQ(reloaded->macs("abcd2345efgh", "recovery-code:alice").size(), 1u);
  const std::string resealed = reloaded->seal("JBSWY3DPEHPK3PXP", "user:alice/totp");
  EXPECT_TRUE(reloaded->open(resealed, "user:alice/totp"));

  // A damaged file of earlier keys is refused by name, never half read.
  ASSERT_TRUE(second.save(path));
  {
    FILE* f = std::fopen((path + ".previous").c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fputs("minato-sealing-key-v1 00zz\n", f);
    std::fclose(f);
  }
  auto damaged = SealingKey::load(path);
  ASSERT_FALSE(damaged);
  EXPECT_NE(damaged.error().message().find("sealing.key.previous is damaged"), std::string::npos);
}

}  // namespace
}  // namespace minato::crypto
