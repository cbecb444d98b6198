#include "app/terminal_service.h"

#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

namespace t = minato::terminal;

class TerminalServiceTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    ASSERT_TRUE(rt_->terminal().create_block(planner_, {"A1", 10, 6, 4}));
  }
  t::UnitSpec spec(const char* cid) {
    return {*t::ContainerId::parse(cid),
            *t::SizeType::parse("45R1"),
            t::UnitCategory::kImport,
            t::FreightKind::kFull,
            "ONE",
            28000};
  }
  access::Actor planner_{"user:pat", "10.1.1.1", access::permissions_of({"planner"})};
  access::Actor clerk_{"user:gil", "10.1.1.2", access::permissions_of({"gate_clerk"})};
  access::Actor viewer_{"user:vic", "10.1.1.3", access::permissions_of({"viewer"})};
};

TEST_F(TerminalServiceTest, AdvisedUnitGatesInAndOutWithMoveHistory) {
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));
  auto cid = *t::ContainerId::parse("CSQU3054383");
  auto in = rt_->terminal().gate_in(clerk_, {cid, "ngy 1234", *t::YardSlot::parse("A1-2-3-1"), {}});
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(in->unit.state(), t::UnitState::kInYard);
  clock_.advance_s(3600);
  auto out = rt_->terminal().gate_out(clerk_, {cid, "NGY 9999"});
  ASSERT_TRUE(out) << out.error().message();
  auto view = rt_->terminal().get_unit(viewer_, cid);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->unit.state(), t::UnitState::kDeparted);
  ASSERT_EQ(view->moves.size(), 2u);
  EXPECT_EQ(view->moves[0].move.to, "A1-02-03-1");
  EXPECT_EQ(view->moves[0].actor, "user:gil");
  EXPECT_EQ(view->moves[1].move.from, "A1-02-03-1");
  EXPECT_EQ(view->moves[1].at_us - view->moves[0].at_us, 3600LL * 1'000'000);
}

TEST_F(TerminalServiceTest, GateInRefusesUnknownSlotsOccupiedSlotsAndUnadvisedUnits) {
  auto cid = *t::ContainerId::parse("CSQU3054383");
  auto unadvised =
      rt_->terminal().gate_in(clerk_, {cid, "T1", *t::YardSlot::parse("A1-1-1-1"), {}});
  ASSERT_FALSE(unadvised);
  EXPECT_EQ(unadvised.error().code(), ErrorCode::kNotFound);

  auto nowhere = rt_->terminal().gate_in(
      clerk_, {cid, "T1", *t::YardSlot::parse("Z9-1-1-1"), spec("CSQU3054383")});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().field(), "slot");
  auto outside = rt_->terminal().gate_in(
      clerk_, {cid, "T1", *t::YardSlot::parse("A1-11-1-1"), spec("CSQU3054383")});
  ASSERT_FALSE(outside);

  ASSERT_TRUE(rt_->terminal().gate_in(
      clerk_, {cid, "T1", *t::YardSlot::parse("A1-1-1-1"), spec("CSQU3054383")}));
  auto other = *t::ContainerId::parse("MWCU6059784");
  auto taken = rt_->terminal().gate_in(
      clerk_, {other, "T2", *t::YardSlot::parse("A1-1-1-1"), spec("MWCU6059784")});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), ErrorCode::kConflict);
  // The failed gate-in created no unit.
  EXPECT_FALSE(rt_->terminal().get_unit(viewer_, other));
  auto twice = rt_->terminal().gate_in(clerk_, {cid, "T1", *t::YardSlot::parse("A1-1-2-1"), {}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::kConflict);
}

TEST_F(TerminalServiceTest, OccupancyAndVisits) {
  auto cid = *t::ContainerId::parse("CSQU3054383");
  ASSERT_TRUE(rt_->terminal().gate_in(
      clerk_, {cid, "T1", *t::YardSlot::parse("A1-1-1-1"), spec("CSQU3054383")}));
  auto occ = rt_->terminal().yard_occupancy(viewer_);
  ASSERT_TRUE(occ);
  ASSERT_EQ(occ->size(), 1u);
  EXPECT_EQ((*occ)[0].occupied, 1);
  EXPECT_EQ((*occ)[0].block.capacity(), 240);

  ASSERT_TRUE(rt_->terminal().create_visit(
      planner_, {"ONE-2611E", "ONE HARBOUR", "9321483", "T1", clock_.now_us(), clock_.now_us()}));
  auto dup = rt_->terminal().create_visit(
      planner_, {"ONE-2611E", "ONE HARBOUR", "9321483", "T1", clock_.now_us(), clock_.now_us()});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
  auto visits = rt_->terminal().list_visits(viewer_);
  ASSERT_TRUE(visits);
  EXPECT_EQ(visits->size(), 1u);
  EXPECT_FALSE(rt_->terminal().create_visit(
      viewer_, {"V2", "X", "9321483", "T1", clock_.now_us(), clock_.now_us()}));
}

TEST_F(TerminalServiceTest, G2_2_1_a_LineClientSeesOnlyItsOwnLinesUnits) {
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));  // line ONE
  auto cid = *t::ContainerId::parse("CSQU3054383");
  access::Actor one{"user:one-api", "10.2.0.1", access::permissions_of({"line_client"}), "ONE"};
  access::Actor msk{"user:msk-api", "10.2.0.2", access::permissions_of({"line_client"}), "MSK"};
  auto own = rt_->terminal().get_unit(one, cid);
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_TRUE(own->moves.empty());  // an API client sees the unit, not the yard history
  auto other = rt_->terminal().get_unit(msk, cid);
  ASSERT_FALSE(other);
  // Another line's unit looks exactly like a missing one.
  auto missing = rt_->terminal().get_unit(msk, *t::ContainerId::parse("MSCU1234566"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(other.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(other.error().message(), "no unit for container CSQU3054383");
  // And it has no other terminal reads.
  EXPECT_FALSE(rt_->terminal().yard_occupancy(one));
  EXPECT_FALSE(rt_->terminal().list_visits(one));
}

TEST_F(TerminalServiceTest, ReadsNeedTerminalRead) {
  access::Actor admin{"user:admin", "10.0.0.1", access::permissions_of({"user_admin"})};
  auto r = rt_->terminal().yard_occupancy(admin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace minato::app
