#include "terminal/container_id.h"

#include <gtest/gtest.h>

namespace minato::terminal {
namespace {

TEST(ContainerId, AcceptsKnownValidIds) {
  for (const char* s : {"CSQU3054383", "MWCU6059784", "MSKU9070323"}) {
    auto id = ContainerId::parse(s);
    ASSERT_TRUE(id) << s;
    EXPECT_EQ(id->str(), s);
  }
}

TEST(ContainerId, NormalisesCaseAndSeparators) {
  auto id = ContainerId::parse(" csqu 305438-3 ");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->str(), "CSQU3054383");
  EXPECT_EQ(id->owner(), "CSQ");
  EXPECT_EQ(id->category(), 'U');
  EXPECT_EQ(id->serial(), "305438");
}

TEST(ContainerId, WrongCheckDigitNamesTheExpectedOne) {
  auto id = ContainerId::parse("CSQU3054384");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(id.error().field(), "container_id");
  EXPECT_NE(id.error().message().find("expected 3"), std::string::npos) << id.error().message();
}

TEST(ContainerId, CheckDigitTenBecomesZero) {
  // Sum % 11 == 10 maps to 0 (ISO 6346 advises against issuing such serials, but they exist).
  int found = 0;
  for (int serial = 0; serial < 200 && found == 0; ++serial) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "ABCU%06d", serial);
    int cd = ContainerId::check_digit(buf);
    ASSERT_GE(cd, 0);
    ASSERT_LE(cd, 9);
  }
}

TEST(ContainerId, RefusesMalformed) {
  for (const char* s : {"", "CSQU305438", "CSQX3054383", "C5QU3054383", "CSQU30543A3",
                        "CSQU3054383X", "CSQU305438\xe3", "CSQU_3054383"}) {
    EXPECT_FALSE(ContainerId::parse(s)) << s;
  }
  EXPECT_FALSE(ContainerId::parse(std::string(1000, 'A')));
}

TEST(ContainerId, CategoriesJAndZ) {
  int j = ContainerId::check_digit("CSQJ305438");
  auto id = ContainerId::parse("CSQJ305438" + std::to_string(j));
  ASSERT_TRUE(id);
  EXPECT_EQ(id->category(), 'J');
}

}  // namespace
}  // namespace minato::terminal
