#include "app/terminal_service.h"

#include <random>

#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

namespace t = minato::terminal;

class TerminalServiceTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    ASSERT_TRUE(rt_->terminal().create_block(planner_, *t::YardBlock::make("A1", 10, 6, 4)));
  }
  t::UnitSpec spec(const char* cid, const char* size_type = "45G1") {
    return t::UnitSpec(*t::ContainerId::parse(cid), *t::SizeType::parse(size_type),
                       t::UnitCategory::kImport, t::FreightKind::kFull, "ONE", 28000);
  }
  t::ContainerId id(const char* cid) { return *t::ContainerId::parse(cid); }
  t::YardSlot slot(const char* text) { return *t::YardSlot::parse(text); }
  // The newest audit event with this action.
  store::AuditRecord last(const std::string& action) {
    auto all = audit();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->action == action) return *it;
    }
    return {};
  }
  access::Actor planner_{"user:pat", "10.1.1.1", access::permissions_of({"planner"})};
  access::Actor clerk_{"user:gil", "10.1.1.2", access::permissions_of({"gate_clerk"})};
  access::Actor viewer_{"user:vic", "10.1.1.3", access::permissions_of({"viewer"})};
};

TEST_F(TerminalServiceTest, AdvisedUnitGatesInAndOutWithMoveHistory) {
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));
  auto cid = id("CSQU3054383");
  auto in = rt_->terminal().gate_in(clerk_, {cid, "ngy 1234", slot("A1-2-3-1"), {}});
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(in->unit.state(), t::UnitState::kInYard);
  clock_.advance_s(3600);
  // An import full unit leaves only when its line has released it with a PIN.
  auto unreleased = rt_->terminal().gate_out(clerk_, {cid, "NGY 9999", "123456"});
  ASSERT_FALSE(unreleased);
  EXPECT_NE(unreleased.error().message().find("not been released"), std::string::npos);
  ASSERT_TRUE(rt_->terminal().set_release_pin(planner_, cid, "48213377"));
  auto wrong = rt_->terminal().gate_out(clerk_, {cid, "NGY 9999", "48213378"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(last("gate.out").result, "failure");
  auto out = rt_->terminal().gate_out(clerk_, {cid, "NGY 9999", "48213377"});
  ASSERT_TRUE(out) << out.error().message();
  auto view = rt_->terminal().get_unit(viewer_, cid);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->unit.state(), t::UnitState::kDeparted);
  ASSERT_EQ(view->moves.size(), 2u);
  EXPECT_EQ(view->moves[0].move.to, "A1-02-03-1");
  EXPECT_EQ(view->moves[0].actor, "user:gil");
  EXPECT_EQ(view->moves[1].move.from, "A1-02-03-1");
  EXPECT_EQ(view->moves[1].at_us - view->moves[0].at_us, 3600LL * 1'000'000);
  // The PIN is never in the audit log, only that one was set.
  for (const auto& e : audit()) EXPECT_EQ(e.change.find("48213377"), std::string::npos);
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(TerminalServiceTest, GateInRefusesUnknownSlotsOccupiedSlotsAndUnadvisedUnits) {
  auto cid = id("CSQU3054383");
  auto unadvised = rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-1-1"), {}});
  ASSERT_FALSE(unadvised);
  EXPECT_EQ(unadvised.error().code(), ErrorCode::kNotFound);

  auto nowhere =
      rt_->terminal().gate_in(clerk_, {cid, "T1", slot("Z9-2-1-1"), spec("CSQU3054383")});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().field(), "slot");
  auto odd_bay =
      rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-11-1-1"), spec("CSQU3054383")});
  ASSERT_FALSE(odd_bay);  // a 40-foot unit needs an even bay
  auto floating =
      rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-1-2"), spec("CSQU3054383")});
  ASSERT_FALSE(floating);
  EXPECT_NE(floating.error().message().find("floating"), std::string::npos);

  ASSERT_TRUE(rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-1-1"), spec("CSQU3054383")}));
  auto other = id("MWCU6059784");
  auto taken =
      rt_->terminal().gate_in(clerk_, {other, "T2", slot("A1-2-1-1"), spec("MWCU6059784")});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), ErrorCode::kConflict);
  // The refusal is audited with its reason, and the failed gate-in created no unit.
  auto refused = last("gate.in");
  EXPECT_EQ(refused.result, "failure");
  EXPECT_NE(refused.reason.find("A1-02-01-1"), std::string::npos);
  EXPECT_TRUE(refused.change.empty());
  EXPECT_FALSE(rt_->terminal().get_unit(viewer_, other));
  // A box on the truck that is not what was advised is refused.
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("MSCU1234566")));
  auto mismatch = rt_->terminal().gate_in(
      clerk_, {id("MSCU1234566"), "T3", std::nullopt, spec("MSCU1234566", "22G1")});
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message().find("advised as 45G1"), std::string::npos);
  auto twice = rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-2-1"), {}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(TerminalServiceTest, GateInAllocatesASlotByTheYardsRules) {
  t::YardBlock reefer_block = *t::YardBlock::make("R1", 4, 2, 3);
  reefer_block.reefer.push_back(*t::StackArea::parse("01-07/1-2"));
  ASSERT_TRUE(rt_->terminal().create_block(planner_, reefer_block));
  auto s = spec("CSQU3054383", "45R1");
  s.reefer = t::ReeferSettings{-200, true};
  auto in = rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, s});
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(in->unit.slot()->block(), "R1");  // the only block with plugs
  auto dry = rt_->terminal().gate_in(
      clerk_, {id("MWCU6059784"), "T2", std::nullopt, spec("MWCU6059784", "22G1")});
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->unit.slot()->block(), "A1");  // plugs are kept for reefers
  EXPECT_EQ(dry->unit.slot()->bay() % 2, 1);
  auto suggestion = rt_->terminal().suggest_slot(viewer_, id("MWCU6059784"));
  ASSERT_TRUE(suggestion);
  EXPECT_NE(*suggestion, *dry->unit.slot());
  auto shifted = rt_->terminal().yard_shift(planner_, id("MWCU6059784"), std::nullopt);
  ASSERT_TRUE(shifted) << shifted.error().message();
  EXPECT_NE(*shifted->slot(), *dry->unit.slot());
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(TerminalServiceTest, HoldsStopDeliveryUntilReleased) {
  auto cid = id("CSQU3054383");
  auto s = spec("CSQU3054383");
  s.category = t::UnitCategory::kStorage;
  ASSERT_TRUE(rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-1-1"), s}));
  ASSERT_TRUE(rt_->terminal().place_hold(planner_, cid, t::HoldKind::kCustoms, "x-ray"));
  auto held = rt_->terminal().gate_out(clerk_, {cid, "T9"});
  ASSERT_FALSE(held);
  EXPECT_NE(held.error().message().find("customs hold (x-ray)"), std::string::npos);
  auto refused = last("gate.out");
  EXPECT_EQ(refused.result, "failure");
  EXPECT_NE(refused.reason.find("customs hold"), std::string::npos);
  auto released = rt_->terminal().release_hold(planner_, cid, t::HoldKind::kCustoms);
  ASSERT_TRUE(released);
  EXPECT_TRUE(released->status().holds.empty());
  EXPECT_TRUE(rt_->terminal().gate_out(clerk_, {cid, "T9"}));
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(TerminalServiceTest, ExportReceiptNeedsBookingAndVgm) {
  ASSERT_TRUE(rt_->terminal().create_visit(
      planner_, {"ONE-2611E", "ONE HARBOUR", "9321483", "T1", clock_.now_us(), clock_.now_us()}));
  store::BookingRecord b;
  b.number = "BKONE1";
  b.line_operator = "ONE";
  b.outbound_visit = "ONE-2611E";
  b.pod = "USLAX";
  b.size_type = "45G1";
  b.quantity = 1;
  ASSERT_TRUE(rt_->terminal().create_booking(planner_, b));
  auto s = spec("CSQU3054383");
  s.category = t::UnitCategory::kExport;
  s.booking = "BKNONE";
  auto unknown = rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, s});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("unknown booking BKNONE"), std::string::npos);
  s.booking = "BKONE1";
  auto no_vgm = rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, s});
  ASSERT_FALSE(no_vgm);
  EXPECT_EQ(no_vgm.error().field(), "vgm");
  s.vgm = t::Vgm{28'100, t::VgmMethod::kMethod2, "SHIPPER KK"};
  auto in = rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, s});
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(in->unit.spec().outbound_visit, "ONE-2611E");  // taken from the booking
  EXPECT_EQ(in->unit.spec().pod, "USLAX");
  auto s2 = spec("MWCU6059784");
  s2.category = t::UnitCategory::kExport;
  s2.booking = "BKONE1";
  s2.vgm = s.vgm;
  auto full = rt_->terminal().gate_in(clerk_, {id("MWCU6059784"), "T2", std::nullopt, s2});
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message().find("is full"), std::string::npos);
  auto view = rt_->terminal().get_booking(viewer_, "BKONE1");
  ASSERT_TRUE(view);
  EXPECT_EQ(view->delivered, 1);
}

TEST_F(TerminalServiceTest, AnAdvisedExportUnitIsNotYetReceivedAgainstItsBooking) {
  ASSERT_TRUE(rt_->terminal().create_visit(
      planner_, {"ONE-2611E", "ONE HARBOUR", "9321483", "T1", clock_.now_us(), clock_.now_us()}));
  store::BookingRecord b;
  b.number = "BKONE2";
  b.line_operator = "ONE";
  b.outbound_visit = "ONE-2611E";
  b.pod = "USLAX";
  b.size_type = "45G1";
  b.quantity = 1;
  ASSERT_TRUE(rt_->terminal().create_booking(planner_, b));
  auto s = spec("CSQU3054383");
  s.category = t::UnitCategory::kExport;
  s.booking = "BKONE2";
  s.vgm = t::Vgm{28'100, t::VgmMethod::kMethod1, "SHIPPER KK"};
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, s));
  EXPECT_EQ(rt_->terminal().get_booking(viewer_, "BKONE2")->delivered, 0);
  auto in = rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, {}});
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(rt_->terminal().get_booking(viewer_, "BKONE2")->delivered, 1);
  b.number = "bad number";
  EXPECT_EQ(rt_->terminal().create_booking(planner_, b).error().field(), "number");
  b.number = "BKONE3";
  b.pod = "LAX";
  EXPECT_EQ(rt_->terminal().create_booking(planner_, b).error().field(), "pod");
}

TEST_F(TerminalServiceTest, EditsNeedTheCurrentVersion) {
  auto u = rt_->terminal().create_unit(planner_, spec("CSQU3054383"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->version(), 1);
  auto s = spec("CSQU3054383");
  s.seals = {"SL-1"};
  auto stale = rt_->terminal().amend_unit(planner_, s, 0);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kFailedPrecondition);
  auto edited = rt_->terminal().amend_unit(planner_, s, 1);
  ASSERT_TRUE(edited) << edited.error().message();
  EXPECT_EQ(edited->version(), 2);
  EXPECT_EQ(edited->spec().seals, std::vector<std::string>{"SL-1"});
  EXPECT_FALSE(rt_->terminal().amend_unit(planner_, s, 1));  // the second writer loses
  EXPECT_FALSE(rt_->terminal().amend_unit(viewer_, s, 2));
}

TEST_F(TerminalServiceTest, IdempotencyKeyRunsAGateInOnce) {
  auto cid = id("CSQU3054383");
  Idempotency first;
  first.key = "k-1";
  first.digest = "d1";
  first.status = 201;
  {
    ScopedRequest scope({"req1", "session:x", &first});
    ASSERT_TRUE(rt_->terminal().gate_in(clerk_, {cid, "T1", std::nullopt, spec("CSQU3054383")}));
  }
  EXPECT_FALSE(first.replayed);
  Idempotency retry = first;
  {
    ScopedRequest scope({"req2", "session:x", &retry});
    (void)rt_->terminal().gate_in(clerk_, {cid, "T1", std::nullopt, spec("CSQU3054383")});
  }
  EXPECT_TRUE(retry.replayed);
  EXPECT_NE(retry.response.find("\"gate_id\""), std::string::npos);
  EXPECT_EQ(retry.status, 201);
  Idempotency reused = first;
  reused.digest = "d2";
  {
    ScopedRequest scope({"req3", "session:x", &reused});
    auto r = rt_->terminal().gate_in(clerk_, {cid, "T1", std::nullopt, spec("CSQU3054383")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field(), "Idempotency-Key");
  }
  auto view = rt_->terminal().get_unit(viewer_, cid);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->moves.size(), 1u);  // one gate-in, not two
  // Keys are kept a day, then forgotten by the hourly job.
  access::Actor system{"system:idempotency-purge", "local", 0};
  EXPECT_EQ(*rt_->terminal().purge_idempotency_keys(system, 24LL * 3600 * 1'000'000), 0);
  clock_.advance_s(25 * 3600);
  EXPECT_EQ(*rt_->terminal().purge_idempotency_keys(system, 24LL * 3600 * 1'000'000), 1);
  Idempotency later = first;
  {
    ScopedRequest scope({"req4", "session:x", &later});
    (void)rt_->terminal().gate_in(clerk_, {cid, "T1", std::nullopt, spec("CSQU3054383")});
  }
  EXPECT_FALSE(later.replayed);  // a forgotten key is a new request (refused: in the yard)
}

TEST_F(TerminalServiceTest, OccupancyAndVisits) {
  auto cid = id("CSQU3054383");
  ASSERT_TRUE(rt_->terminal().gate_in(clerk_, {cid, "T1", slot("A1-2-1-1"), spec("CSQU3054383")}));
  auto occ = rt_->terminal().yard_occupancy(viewer_);
  ASSERT_TRUE(occ);
  ASSERT_EQ(occ->size(), 1u);
  EXPECT_EQ((*occ)[0].occupied, 1);
  EXPECT_EQ((*occ)[0].block.capacity_teu(), 240);
  auto usage = rt_->terminal().yard_usage(viewer_);
  ASSERT_TRUE(usage);
  EXPECT_EQ((*usage)[0].used_teu, 2);

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

TEST_F(TerminalServiceTest, LayoutChangesAreCheckedAgainstTheUnitsInTheYard) {
  ASSERT_TRUE(rt_->terminal().gate_in(
      clerk_, {id("CSQU3054383"), "T1", slot("A1-2-5-1"), spec("CSQU3054383")}));
  t::TerminalLayout l;
  l.blocks.push_back(*t::YardBlock::make("A1", 10, 4, 4));  // row 5 would vanish
  l.berths.push_back({"T1", 350});
  auto refused = rt_->terminal().apply_layout(planner_, l);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("A1-02-05-1"), std::string::npos);
  auto now = rt_->terminal().layout(viewer_);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->blocks[0].rows, 6);  // nothing changed, in the store or in memory
  EXPECT_TRUE(now->berths.empty());
  l.blocks[0].rows = 8;
  l.blocks.push_back(*t::YardBlock::make("B1", 5, 5, 5));
  ASSERT_TRUE(rt_->terminal().apply_layout(planner_, l));
  now = rt_->terminal().layout(viewer_);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->blocks.size(), 2u);
  EXPECT_EQ(now->berths.size(), 1u);
  EXPECT_FALSE(rt_->terminal().delete_block(planner_, "A1"));  // a unit stands in it
  EXPECT_TRUE(rt_->terminal().delete_block(planner_, "B1"));
  EXPECT_EQ(rt_->terminal().delete_block(planner_, "B1").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(rt_->terminal().delete_block(planner_, "<script>").error().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(rt_->terminal().check_yard());
}

// Random gate-ins (given or allocated slots), shifts, holds and gate-outs through the service:
// the in-memory yard keeps every rule, and it matches a yard rebuilt from the store.
TEST_F(TerminalServiceTest, RandomisedOperationsKeepYardAndStoreInStep) {
  std::mt19937 rng(7);
  const char* sizes[] = {"22G1", "45G1", "22G1", "42G1"};
  std::vector<t::ContainerId> ids;
  for (int i = 0; i < 400; ++i) {
    char base[16];
    std::snprintf(base, sizeof base, "TSTU%06d", i);
    ids.push_back(*t::ContainerId::parse(std::string(base) +
                                         std::to_string(t::ContainerId::check_digit(base))));
  }
  int ok_ops = 0;
  for (int op = 0; op < 1500; ++op) {
    const auto& cid = ids[rng() % ids.size()];
    switch (rng() % 4) {
      case 0:
      case 1: {
        t::UnitSpec s(cid, *t::SizeType::parse(sizes[rng() % 4]), t::UnitCategory::kStorage,
                      t::FreightKind::kFull, "ONE", 5'000 + static_cast<int>(rng() % 25'000));
        std::optional<t::YardSlot> where;
        if (rng() % 2) {
          where = t::YardSlot::at("A1", static_cast<int>(rng() % 19) + 1,
                                  static_cast<int>(rng() % 6) + 1, static_cast<int>(rng() % 3) + 1);
        }
        if (rt_->terminal().gate_in(clerk_, {cid, "T1", where, s})) ++ok_ops;
        break;
      }
      case 2:
        if (rt_->terminal().yard_shift(planner_, cid, std::nullopt)) ++ok_ops;
        break;
      case 3:
        if (rt_->terminal().gate_out(clerk_, {cid, "T2"})) ++ok_ops;
        break;
    }
  }
  EXPECT_GT(ok_ops, 200);
  ASSERT_TRUE(rt_->terminal().check_yard());
  auto before = rt_->terminal().yard_usage(viewer_);
  ASSERT_TRUE(before);
  ASSERT_TRUE(rt_->terminal().load());  // rebuilt from the store
  EXPECT_TRUE(rt_->terminal().yard_problems().empty());
  auto after = rt_->terminal().yard_usage(viewer_);
  ASSERT_TRUE(after);
  ASSERT_EQ(before->size(), after->size());
  for (size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*before)[i].used_teu, (*after)[i].used_teu);
    EXPECT_EQ((*before)[i].units, (*after)[i].units);
  }
  // And the store agrees with the units' own positions.
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  store::UnitQuery q;
  q.state = "in_yard";
  q.limit = 1000;
  auto in_yard = (*rx)->list_units(q);
  ASSERT_TRUE(in_yard);
  EXPECT_EQ(static_cast<int>(in_yard->size()), (*after)[0].units);
}

TEST_F(TerminalServiceTest, G2_2_1_a_LineClientSeesOnlyItsOwnLinesUnits) {
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));  // line ONE
  auto cid = id("CSQU3054383");
  auto line_client = [](std::string subject, std::string line) {
    return access::Actor::of_account(std::move(subject), "10.2.0.1",
                                     access::permissions_of({"line_client"}), {"line_client"},
                                     std::move(line));
  };
  access::Actor one = line_client("user:one-api", "ONE");
  access::Actor msk = line_client("user:msk-api", "MSK");
  auto own = rt_->terminal().get_unit(one, cid);
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_TRUE(own->moves.empty());  // an API client sees the unit, not the yard history
  auto other = rt_->terminal().get_unit(msk, cid);
  ASSERT_FALSE(other);
  // Another line's unit looks exactly like a missing one.
  auto missing = rt_->terminal().get_unit(msk, id("MSCU1234566"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(other.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(other.error().message(), "no unit for container CSQU3054383");
  // And it has no other terminal reads.
  EXPECT_FALSE(rt_->terminal().yard_occupancy(one));
  EXPECT_FALSE(rt_->terminal().list_visits(one));
  // Fail closed: a line client whose account has no line (a store from before scopes were
  // required) sees no line's units, not every line's.
  access::Actor unscoped = line_client("user:old-api", "");
  auto none = rt_->terminal().get_unit(unscoped, cid);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
}

TEST_F(TerminalServiceTest, ReadsNeedTerminalRead) {
  access::Actor admin{"user:admin", "10.0.0.1", access::permissions_of({"user_admin"})};
  auto r = rt_->terminal().yard_occupancy(admin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
TEST_F(TerminalServiceTest, VisitsKeepToTheLayoutsBerthsAndTheirWindowsDoNotOverlap) {
  t::TerminalLayout l;
  l.berths = {{"T1", 350}, {"T2", 300}};
  ASSERT_TRUE(rt_->terminal().apply_layout(planner_, l));
  const int64_t h = 3600LL * 1'000'000, now = clock_.now_us();
  ASSERT_TRUE(rt_->terminal().create_visit(
      planner_, {"ONE-1", "ONE HARBOUR", "9321483", "T1", now, now + 24 * h}));
  auto clash = rt_->terminal().create_visit(
      planner_, {"MSK-1", "MAERSK SETO", "9321483", "T1", now + 20 * h, now + 40 * h});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().field(), "berth");
  EXPECT_NE(clash.error().message().find("ONE-1"), std::string::npos);
  auto nowhere = rt_->terminal().create_visit(
      planner_, {"MSK-2", "MAERSK SETO", "9321483", "T9", now, now + h});
  ASSERT_FALSE(nowhere);
  EXPECT_NE(nowhere.error().message().find("T1, T2"), std::string::npos);
  // Back to back at the same berth, or at the same time at another berth: fine.
  EXPECT_TRUE(rt_->terminal().create_visit(
      planner_, {"MSK-3", "MAERSK SETO", "9321483", "T1", now + 24 * h, now + 40 * h}));
  EXPECT_TRUE(rt_->terminal().create_visit(
      planner_, {"COS-1", "COSCO NAGOYA", "9321483", "T2", now, now + 24 * h}));
}

}  // namespace minato::app
