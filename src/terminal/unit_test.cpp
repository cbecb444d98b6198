#include "terminal/unit.h"

#include <gtest/gtest.h>

#include "terminal/gate_transaction.h"
#include "terminal/vessel_visit.h"
#include "terminal/yard_block.h"

namespace minato::terminal {
namespace {

UnitSpec spec() {
  return UnitSpec(*ContainerId::parse("CSQU3054383"), *SizeType::parse("22G1"),
                  UnitCategory::kImport, FreightKind::kFull, "ONE", 24'000);
}

TEST(Unit, LifeCycleRecordsMoves) {
  auto u = Unit::advise(spec());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->state(), UnitState::kAdvised);
  auto slot = *YardSlot::parse("A1-03-02-1");
  auto m1 = u->gate_in(slot, 1000);
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
  ASSERT_TRUE(u->gate_in(*YardSlot::parse("A1-1-1-1"), 1));
  EXPECT_FALSE(u->gate_in(*YardSlot::parse("A1-1-1-2"), 2));
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

TEST(Unit, HoldsStopDelivery) {
  auto u = *Unit::advise(spec());
  ASSERT_TRUE(u.gate_in(*YardSlot::parse("A1-1-1-1"), 1));
  ASSERT_TRUE(u.place_hold({HoldKind::kCustoms, "inspection", "user:kato", 5}));
  EXPECT_FALSE(u.place_hold({HoldKind::kCustoms, "again", "user:kato", 6}));
  EXPECT_FALSE(u.place_hold({HoldKind::kLine, "", "user:kato", 6}));  // a reason is required
  auto out = u.gate_out();
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("customs hold (inspection)"), std::string::npos);
  EXPECT_FALSE(u.release_hold(HoldKind::kLine));
  auto released = u.release_hold(HoldKind::kCustoms);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->by, "user:kato");
  EXPECT_TRUE(u.gate_out());
}

TEST(Unit, ExportLoadsOnlyOnItsVesselWithVgm) {
  auto s = spec();
  s.category = UnitCategory::kExport;
  s.outbound_visit = "ONE-2611";
  s.booking = "BK123";
  auto u = *Unit::advise(s);
  ASSERT_TRUE(u.gate_in(*YardSlot::parse("A1-1-1-1"), 1));
  EXPECT_FALSE(u.load("MSC-1", "0340282"));
  auto no_vgm = u.load("ONE-2611", "0340282");
  ASSERT_FALSE(no_vgm);
  EXPECT_NE(no_vgm.error().message().find("SOLAS"), std::string::npos);
  s.vgm = Vgm{24'310, VgmMethod::kMethod1, "SHIPPER CO"};
  ASSERT_TRUE(u.amend(s));
  auto m = u.load("ONE-2611", "0340282");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to, "vessel:ONE-2611:0340282");
  EXPECT_EQ(u.state(), UnitState::kLoaded);
  EXPECT_TRUE(u.depart());
  EXPECT_EQ(u.state(), UnitState::kDeparted);
}

TEST(Unit, DischargeFromItsInboundVessel) {
  auto s = spec();
  auto u = *Unit::advise(s);
  EXPECT_FALSE(u.discharge(*YardSlot::parse("A1-1-1-1"), 1));  // not on a vessel's list
  s.inbound_visit = "MSC-7";
  u = *Unit::advise(s);
  u.set_vessel_slot("0120084");
  auto m = u.discharge(*YardSlot::parse("A1-1-1-1"), 1);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from, "vessel:MSC-7:0120084");
  EXPECT_EQ(u.status().in_yard_us, 1);
}

TEST(Unit, ValidatesDescription) {
  auto s = spec();
  s.reefer = ReeferSettings{-180, true};
  EXPECT_FALSE(Unit::advise(s));  // 22G1 is no reefer
  s.size_type = *SizeType::parse("45R1");
  EXPECT_TRUE(Unit::advise(s));
  s.reefer->set_point_dc = 500;
  EXPECT_FALSE(Unit::advise(s));
  s = spec();
  s.dangerous_goods.push_back({"1203", *ImdgClass::parse("3")});
  EXPECT_TRUE(Unit::advise(s));
  s.dangerous_goods.push_back({"12034", *ImdgClass::parse("3")});
  EXPECT_EQ(Unit::advise(s).error().field(), "dangerous_goods.un_number");
  s = spec();
  s.seals = {"SL-123", "bad seal"};
  EXPECT_FALSE(Unit::advise(s));
  s = spec();
  s.pod = "usla";
  EXPECT_FALSE(Unit::advise(s));
  s.pod = "USLAX";
  EXPECT_TRUE(Unit::advise(s));
  s.category = UnitCategory::kEmpty;
  EXPECT_FALSE(Unit::advise(s));  // an empty-category unit is freight empty
  s.freight = FreightKind::kEmpty;
  EXPECT_TRUE(Unit::advise(s));
  auto u = *Unit::advise(s);
  auto other = s;
  other.container_id = *ContainerId::parse("MWCU6059784");
  EXPECT_FALSE(u.amend(other));
}

TEST(Unit, StackItemDescribesTheUnitForTheYard) {
  auto s = spec();
  s.size_type = *SizeType::parse("45R1");
  s.reefer = ReeferSettings{-180, true};
  s.dangerous_goods.push_back({"1203", *ImdgClass::parse("3")});
  auto u = *Unit::advise(s);
  StackItem item = u.stack_item();
  EXPECT_TRUE(item.forty());
  EXPECT_TRUE(item.powered);
  EXPECT_EQ(item.dg_mask, 1u << ImdgClass::parse("3")->column());
  EXPECT_EQ(item.weight_class, 3);
  auto s2 = s;
  s2.container_id = *ContainerId::parse("MWCU6059784");
  EXPECT_EQ(Unit::advise(s2)->stack_item().group, item.group);
  s2.line_operator = "MSC";
  EXPECT_NE(Unit::advise(s2)->stack_item().group, item.group);
}

TEST(VesselSlot, ParsesBayRowTier) {
  EXPECT_EQ(*parse_vessel_slot("0340282"), "0340282");
  EXPECT_EQ(*parse_vessel_slot("340282"), "0340282");
  EXPECT_FALSE(parse_vessel_slot("0000282"));
  EXPECT_FALSE(parse_vessel_slot("03402"));
  EXPECT_FALSE(parse_vessel_slot("034O282"));
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
  EXPECT_EQ(b->capacity_teu(), 240);
  EXPECT_TRUE(b->contains(*s));
  EXPECT_TRUE(b->contains(*YardSlot::parse("A1-19-1-1")));  // the 10th 20-foot bay
  EXPECT_FALSE(b->contains(*YardSlot::parse("A1-20-1-1")));
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
