#include "terminal/unit.h"

#include <gtest/gtest.h>

#include "terminal/gate_transaction.h"
#include "terminal/vessel_visit.h"

namespace minato::terminal {
namespace {

UnitSpec spec() {
  return UnitSpec{*ContainerId::parse("CSQU3054383"),
                  *SizeType::parse("22G1"),
                  UnitCategory::kImport,
                  FreightKind::kFull,
                  "ONE",
                  24'000};
}

TEST(Unit, LifeCycleRecordsMoves) {
  auto u = Unit::advise(spec());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->state(), UnitState::kAdvised);
  auto slot = *YardSlot::parse("A1-03-02-1");
  auto m1 = u->gate_in(slot);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->kind, MoveKind::kGateIn);
  EXPECT_EQ(m1->to, "A1-03-02-1");
  EXPECT_EQ(u->state(), UnitState::kInYard);

  auto m2 = u->yard_shift(*YardSlot::parse("B2-01-01-1"));
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->from, "A1-03-02-1");
  EXPECT_EQ(u->slot()->str(), "B2-01-01-1");

  auto m3 = u->gate_out();
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->from, "B2-01-01-1");
  EXPECT_EQ(u->state(), UnitState::kDeparted);
  EXPECT_FALSE(u->slot());
}

TEST(Unit, RefusesIllegalTransitions) {
  auto u = Unit::advise(spec());
  ASSERT_TRUE(u);
  auto out = u->gate_out();
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code(), ErrorCode::kConflict);
  ASSERT_TRUE(u->gate_in(*YardSlot::parse("A1-1-1-1")));
  EXPECT_FALSE(u->gate_in(*YardSlot::parse("A1-1-1-2")));
  EXPECT_FALSE(u->yard_shift(*YardSlot::parse("A1-1-1-1")));
}

TEST(Unit, ValidatesSpec) {
  auto s = spec();
  s.line_operator = "o";
  EXPECT_FALSE(Unit::advise(s));
  s = spec();
  s.gross_kg = kMaxGrossKg + 1;
  auto r = Unit::advise(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "gross_kg");
}

TEST(UnitEnums, RoundTrip) {
  EXPECT_EQ(unit_state_from(to_string(UnitState::kInYard)), UnitState::kInYard);
  EXPECT_EQ(unit_category_from("tranship"), UnitCategory::kTranship);
  EXPECT_EQ(freight_kind_from("empty"), FreightKind::kEmpty);
  EXPECT_FALSE(freight_kind_from("bogus"));
}

TEST(YardSlot, ParsesAndFormats) {
  auto s = YardSlot::parse("a1-3-2-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "A1-03-02-1");
  for (const char* bad : {"", "A1-3-2", "A1-0-1-1", "A1-100-1-1", "1A-1-1-1", "A1-1-31-1",
                          "A1-1-1-10", "ABCDE-1-1-1", "A1-1-1-1-1", "A1--1-1"}) {
    EXPECT_FALSE(YardSlot::parse(bad)) << bad;
  }
  auto b = YardBlock::make("A1", 10, 6, 4);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->capacity(), 240);
  EXPECT_TRUE(b->contains(*s));
  EXPECT_FALSE(b->contains(*YardSlot::parse("A1-11-1-1")));
  EXPECT_FALSE(b->contains(*YardSlot::parse("B1-1-1-1")));
}

TEST(VesselVisit, PhasesAdvanceInOrder) {
  auto v = VesselVisit::create({"ONE-2611", "ONE HARMONY", "IMO9321483", "B1", 100, 200});
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->spec().imo, "9321483");
  EXPECT_TRUE(v->advance(VisitPhase::kArrived));
  EXPECT_TRUE(v->advance(VisitPhase::kWorking));
  auto bad = v->advance(VisitPhase::kClosed);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(v->advance(VisitPhase::kCompleted));
  EXPECT_TRUE(v->advance(VisitPhase::kDeparted));
  EXPECT_TRUE(v->advance(VisitPhase::kClosed));
  EXPECT_FALSE(v->advance(VisitPhase::kCancelled));
}

TEST(VesselVisit, Validates) {
  EXPECT_TRUE(valid_imo_number("9074729"));
  EXPECT_FALSE(valid_imo_number("9074728"));
  EXPECT_FALSE(VesselVisit::create({"ONE 2611", "X", "9321483", "B1", 0, 0}));
  EXPECT_FALSE(VesselVisit::create({"V1", "", "9321483", "B1", 0, 0}));
  EXPECT_FALSE(VesselVisit::create({"V1", "X", "9321484", "B1", 0, 0}));
  auto r = VesselVisit::create({"V1", "X", "9321483", "B1", 200, 100});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "etd");
}

TEST(GateTransaction, OpensCompletesCancels) {
  auto id = *ContainerId::parse("MWCU6059784");
  auto t = GateTransaction::open(GateDirection::kIn, id, "na-123 45");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->truck_plate(), "NA-123 45");
  EXPECT_TRUE(t->complete());
  EXPECT_FALSE(t->complete());
  auto t2 = GateTransaction::open(GateDirection::kOut, id, "X1");
  ASSERT_TRUE(t2);
  EXPECT_FALSE(t2->cancel(""));
  EXPECT_TRUE(t2->cancel("seal broken"));
  EXPECT_EQ(t2->status(), GateStatus::kCancelled);
  EXPECT_FALSE(GateTransaction::open(GateDirection::kIn, id, ""));
  EXPECT_FALSE(GateTransaction::open(GateDirection::kIn, id, "AB<script>"));
}

}  // namespace
}  // namespace minato::terminal
