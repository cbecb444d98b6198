#include "terminal/size_type.h"

#include <gtest/gtest.h>

namespace minato::terminal {
namespace {

TEST(SizeType, CurrentCodes) {
  auto a = SizeType::parse("22G1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->length_ft(), 20);
  EXPECT_EQ(a->height_in(), 102);
  EXPECT_EQ(a->teu(), 1);
  EXPECT_FALSE(a->is_reefer());

  auto b = SizeType::parse("45r1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->code(), "45R1");
  EXPECT_EQ(b->length_ft(), 40);
  EXPECT_EQ(b->height_in(), 114);
  EXPECT_EQ(b->teu(), 2);
  EXPECT_TRUE(b->is_reefer());

  auto c = SizeType::parse("L5G1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->length_ft(), 45);
  EXPECT_EQ(c->teu(), 2);
}

TEST(SizeType, LegacyCodesMapToCurrent) {
  struct Case {
    const char* legacy;
    const char* iso;
    int len;
  };
  for (auto [legacy, iso, len] :
       {Case{"2200", "22G1", 20}, Case{"4310", "42V0", 40}, Case{"4510", "45V0", 40},
        Case{"4532", "45R1", 40}, Case{"9500", "L5G1", 45}}) {
    auto st = SizeType::parse(legacy);
    ASSERT_TRUE(st) << legacy << ": " << st.error().message();
    EXPECT_TRUE(st->is_legacy());
    EXPECT_EQ(st->code(), legacy);
    EXPECT_EQ(st->iso_code(), iso) << legacy;
    EXPECT_EQ(st->length_ft(), len);
  }
}

TEST(SizeType, RefusesUnknown) {
  for (const char* s :
       {"", "22G", "22G11", "Z2G1", "27G1", "22X1", "22R9", "2299", "5200", "8500"}) {
    auto st = SizeType::parse(s);
    EXPECT_FALSE(st) << s;
    if (!st) {
      EXPECT_EQ(st.error().field(), "size_type");
    }
  }
}

}  // namespace
}  // namespace minato::terminal
