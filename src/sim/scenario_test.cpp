#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "api/layout_json.h"

namespace minato::sim {
namespace {

namespace t = minato::terminal;

TEST(Scenario, DemoLayoutFileIsTheScenariosLayout) {
  std::ifstream f(std::string(MINATO_SOURCE_DIR) + "/demo/layout.json");
  std::stringstream text;
  text << f.rdbuf();
  auto file = api::parse_layout(text.str(), "demo/layout.json");
  ASSERT_TRUE(file) << file.error().message();
  auto code = demo_layout();
  ASSERT_EQ(file->blocks.size(), code.blocks.size());
  for (size_t i = 0; i < code.blocks.size(); ++i) {
    EXPECT_EQ(file->blocks[i], code.blocks[i]) << code.blocks[i].name;
  }
  EXPECT_EQ(file->berths, code.berths);
  EXPECT_EQ(file->lanes, code.lanes);
}

TEST(Scenario, IsDeterministicAndShapedAsTheIssueAsks) {
  ScenarioOptions o;
  o.start_us = 1'790'000'000'000'000;
  auto a = make_scenario(o), b = make_scenario(o);
  ASSERT_EQ(a.yard.size(), b.yard.size());
  for (size_t i = 0; i < a.yard.size(); ++i) EXPECT_EQ(a.yard[i], b.yard[i]);
  ASSERT_EQ(a.visits.size(), 3u);
  EXPECT_EQ(a.slot_capacity, o.slot_capacity);
  // Every visit has 2,000-5,000 moves: its discharge list plus its load list.
  for (const auto& v : a.visits) {
    int moves = 0;
    for (const auto& u : a.advised) moves += u.inbound_visit == v.id || u.outbound_visit == v.id;
    for (const auto& u : a.yard) moves += u.outbound_visit == v.id;
    EXPECT_GE(moves, 2000) << v.id;
    EXPECT_LE(moves, 5000) << v.id;
  }
  // Container numbers are unique, valid, and follow the documented pattern.
  std::set<std::string> ids;
  for (const auto* list : {&a.yard, &a.advised}) {
    for (const auto& u : *list) EXPECT_TRUE(ids.insert(u.container_id.str()).second);
  }
  EXPECT_EQ(a.yard.front().container_id.str(), container(kYardBase, 0).str());
  EXPECT_EQ(container(kYardBase, 9).str().substr(0, 10), "MSKU100009");
  // The yard is filled to the asked share; every export has a booking with room for it.
  EXPECT_GE(a.yard_teu, static_cast<int64_t>(0.55 * 30000));
  std::map<std::string, int> room;
  for (const auto& bk : a.bookings) room[bk.number] = bk.quantity;
  for (const auto* list : {&a.yard, &a.advised}) {
    for (const auto& u : *list) {
      if (u.category != t::UnitCategory::kExport) continue;
      ASSERT_TRUE(room.count(u.booking)) << u.booking;
      EXPECT_GE(--room[u.booking], 0);
      EXPECT_TRUE(u.vgm.has_value());
    }
  }
  // A day at the gate, in time order within the day.
  EXPECT_GE(a.gate_day.size(), 3000u);
  for (size_t i = 1; i < a.gate_day.size(); ++i) {
    EXPECT_LE(a.gate_day[i - 1].at_us, a.gate_day[i].at_us);
  }
  EXPECT_LT(a.gate_day.back().at_us - o.start_us, 24LL * 3600 * 1'000'000);
}

}  // namespace
}  // namespace minato::sim
