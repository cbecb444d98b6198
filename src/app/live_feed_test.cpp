#include "app/live_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace minato::app {
namespace {

audit::AuditEvent event(std::string action, std::string result = "success",
                        std::string reason = "") {
  audit::AuditEvent e;
  e.action = std::move(action);
  e.target = "unit:CSQU3054383";
  e.result = std::move(result);
  e.reason = std::move(reason);
  return e;
}

TEST(LiveFeed, TopicsFollowTheActions) {
  EXPECT_EQ(LiveFeed::topic_of(event("gate.in")), "gate");
  EXPECT_EQ(LiveFeed::topic_of(event("unit.hold.customs")), "yard");
  EXPECT_EQ(LiveFeed::topic_of(event("visit.discharge")), "yard");
  EXPECT_EQ(LiveFeed::topic_of(event("alert.backup.failed")), "alerts");
  EXPECT_EQ(LiveFeed::topic_of(event("source.block")), "alerts");
  EXPECT_EQ(LiveFeed::topic_of(event("session.create", "failure", "x; account locked until y")),
            "alerts");
  EXPECT_EQ(LiveFeed::topic_of(event("session.create")), "");
  EXPECT_EQ(LiveFeed::topic_of(event("audit.read")), "");
}

TEST(LiveFeed, StreamsGetOnlyTheirTopicsAndOnlySuccesses) {
  LiveFeed feed({.per_user = 2, .total = 10, .heartbeat_s = 3600});
  std::vector<std::string> clerk, officer;
  auto a = feed.subscribe("clerk", {"yard", "gate"}, [] { return true; });
  auto b = feed.subscribe("officer", {"alerts"}, [] { return true; });
  ASSERT_TRUE(a && b);
  (*a)->attach([&](std::string t) { clerk.push_back(std::move(t)); }, [] {});
  (*b)->attach([&](std::string t) { officer.push_back(std::move(t)); }, [] {});
  clerk.clear();  // the opening lines
  officer.clear();
  feed.publish(event("gate.in"));
  feed.publish(event("unit.hold.line", "denied"));  // refused: nothing changed
  feed.publish(event("source.block"));
  ASSERT_EQ(clerk.size(), 2u);  // the gate event, and the same as a yard event
  EXPECT_EQ(clerk[0].rfind("event: gate\ndata: {\"action\":\"gate.in\"", 0), 0u);
  EXPECT_EQ(clerk[1].rfind("event: yard\n", 0), 0u);
  ASSERT_EQ(officer.size(), 1u);
  EXPECT_EQ(officer[0].rfind("event: alerts\n", 0), 0u);
  // Detached: nothing more, and the stream no longer counts.
  (*a)->detach();
  EXPECT_EQ(feed.streams(), 1u);
  feed.publish(event("gate.out"));
  EXPECT_EQ(clerk.size(), 2u);
}

TEST(LiveFeed, StreamsPerUserAreBounded) {
  LiveFeed feed({.per_user = 2, .total = 3, .heartbeat_s = 3600});
  auto one = feed.subscribe("clerk", {"yard"}, [] { return true; });
  auto two = feed.subscribe("clerk", {"yard"}, [] { return true; });
  ASSERT_TRUE(one && two);
  auto three = feed.subscribe("clerk", {"yard"}, [] { return true; });
  ASSERT_FALSE(three);
  EXPECT_EQ(three.error().code(), ErrorCode::kResourceExhausted);
  ASSERT_TRUE(feed.subscribe("planner", {"yard"}, [] { return true; }));
  EXPECT_FALSE(feed.subscribe("auditor", {"alerts"}, [] { return true; }));  // 3 in all
  (*one)->detach();
  EXPECT_TRUE(feed.subscribe("clerk", {"yard"}, [] { return true; }));
}

TEST(LiveFeed, AStreamWhoseSessionEndedIsToldAndClosed) {
  LiveFeed feed({.per_user = 2, .total = 10, .heartbeat_s = 1});
  std::atomic<bool> alive{true};
  std::vector<std::string> got;  // written by the heartbeat thread before it ends the stream
  std::atomic<bool> ended{false};
  auto s = feed.subscribe("clerk", {"yard"}, [&] { return alive.load(); });
  ASSERT_TRUE(s);
  (*s)->attach([&](std::string t) { got.push_back(std::move(t)); }, [&] { ended = true; });
  alive = false;
  for (int i = 0; i < 50 && !ended; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(ended);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "event: session\ndata: {\"ended\":true}\n\n");
}

}  // namespace
}  // namespace minato::app
