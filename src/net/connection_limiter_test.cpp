#include "net/connection_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace minato::net {
namespace {

using Admission = ConnectionLimiter::Admission;

TEST(ConnectionLimiter, SourcesAreAddressesAndIpv6Slash64s) {
  EXPECT_EQ(ConnectionLimiter::source_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(ConnectionLimiter::source_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(ConnectionLimiter::source_key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_NE(ConnectionLimiter::source_key("2001:db8:1:3::1"),
            ConnectionLimiter::source_key("2001:db8:1:2::1"));
  EXPECT_EQ(ConnectionLimiter::source_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(ConnectionLimiter::source_key("::1"), "::/64");
  EXPECT_EQ(ConnectionLimiter::source_key("not an address"), "not an address");
}

TEST(ConnectionLimiter, PerSourceAndGlobalCaps) {
  ConnectionLimiter l(8, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.admit("a"), Admission::kAdmitted);
  EXPECT_EQ(l.admit("a"), Admission::kSourceFull);
  l.release("a");
  EXPECT_EQ(l.admit("a"), Admission::kAdmitted);
  EXPECT_EQ(l.held_by("a"), 3);
  EXPECT_EQ(l.total(), 3);
}

// G2.4-c: the finding was 17 sources x 32 idle connections filling max_connections=512, so
// that new clients were reset for 30 s. With the reserve, the same 17 sources hold at most
// three-quarters of the server plus a fair share each, and a newcomer is always admitted.
TEST(ConnectionLimiter, G2_4_c_AHandfulOfSourcesCannotTakeTheWholeServer) {
  ConnectionLimiter l(512, 32);
  EXPECT_EQ(l.fair_share(), 4);
  EXPECT_EQ(l.reserve(), 128);
  int taken = 0;
  for (int source = 0; source < 17; ++source) {
    for (int i = 0; i < 32; ++i) {
      if (l.admit("attacker-" + std::to_string(source)) == Admission::kAdmitted) ++taken;
    }
  }
  EXPECT_LE(taken, 384 + 17 * 4);
  EXPECT_TRUE(l.under_pressure());
  EXPECT_EQ(l.admit("attacker-3"), Admission::kSourceFull);
  EXPECT_EQ(l.admit("attacker-16"), Admission::kReservedForOthers);
  // Newcomers get their fair share each while the attack holds.
  for (int client = 0; client < 20; ++client) {
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(l.admit("client-" + std::to_string(client)), Admission::kAdmitted) << client;
    }
    EXPECT_EQ(l.admit("client-" + std::to_string(client)), Admission::kReservedForOthers);
  }
  // The heaviest source is the one whose idle connections are shed first.
  auto heaviest = l.heaviest_over_share();
  ASSERT_TRUE(heaviest);
  EXPECT_EQ(heaviest->rfind("attacker-", 0), 0u);
  EXPECT_EQ(l.held_by(*heaviest), 32);
}

TEST(ConnectionLimiter, NoPressureNoShedding) {
  ConnectionLimiter l(100, 32);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(l.admit("a"), Admission::kAdmitted);
  EXPECT_FALSE(l.under_pressure());
  EXPECT_EQ(l.heaviest_over_share(), "a");
  for (int i = 0; i < 10; ++i) l.release("a");
  EXPECT_EQ(l.total(), 0);
  EXPECT_FALSE(l.heaviest_over_share());
}

}  // namespace
}  // namespace minato::net
