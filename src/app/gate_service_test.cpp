#include "app/gate_service.h"

#include "app/eir.h"
#include "app/terminal_service.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

namespace t = minato::terminal;

constexpr int64_t kHour = 3600LL * 1'000'000;

class GateServiceTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    ASSERT_TRUE(rt_->terminal().create_block(planner_, *t::YardBlock::make("A1", 10, 6, 4)));
    // Slots start on the next whole hour.
    hour0_ = (clock_.now_us() / kHour + 1) * kHour;
  }
  t::UnitSpec spec(const char* cid) {
    return t::UnitSpec(*t::ContainerId::parse(cid), *t::SizeType::parse("22G1"),
                       t::UnitCategory::kImport, t::FreightKind::kFull, "ONE", 18000);
  }
  t::ContainerId id(const char* cid) { return *t::ContainerId::parse(cid); }
  std::vector<store::AuditRecord> events(const std::string& action) {
    std::vector<store::AuditRecord> out;
    for (auto& e : audit()) {
      if (e.action == action) out.push_back(e);
    }
    return out;
  }
  GateService& gate() { return rt_->gate(); }

  int64_t hour0_ = 0;
  access::Actor planner_{"user:pat", "10.1.1.1", access::permissions_of({"planner"})};
  access::Actor clerk_{"user:gil", "10.1.1.2", access::permissions_of({"gate_clerk"})};
  access::Actor viewer_{"user:vic", "10.1.1.3", access::permissions_of({"viewer"})};
  access::Actor haulier_ = access::Actor::of_account("token:nittsu/1", "10.1.1.4",
                                                     access::permissions_of({"haulier_client"}),
                                                     {"haulier_client"}, "NITTSU");
  access::Actor other_haulier_ = access::Actor::of_account(
      "token:sagawa/2", "10.1.1.5", access::permissions_of({"haulier_client"}), {"haulier_client"},
      "SAGAWA");
  access::Actor line_one_ = access::Actor::of_account(
      "token:one/3", "10.1.1.6", access::permissions_of({"line_client"}), {"line_client"}, "ONE");
  access::Actor line_msk_ = access::Actor::of_account(
      "token:msk/4", "10.1.1.7", access::permissions_of({"line_client"}), {"line_client"}, "MSK");
};

TEST_F(GateServiceTest, SlotsHoldTheirCapacityAndCancellingFreesAPlace) {
  auto slots = gate().define_slots(planner_, {hour0_, hour0_ + 4 * kHour, 60, 2});
  ASSERT_TRUE(slots) << slots.error().message();
  ASSERT_EQ(slots->size(), 4u);
  EXPECT_EQ((*slots)[1].start_us, hour0_ + kHour);
  EXPECT_EQ((*slots)[1].capacity, 2);
  // Only planners plan the gate.
  EXPECT_EQ(gate().define_slots(clerk_, {hour0_, hour0_ + kHour, 60, 9}).error().code(),
            ErrorCode::kPermissionDenied);
  // A run that overlaps slots of another length is refused whole.
  auto overlap = gate().define_slots(planner_, {hour0_, hour0_ + 2 * kHour, 30, 5});
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().code(), ErrorCode::kConflict);

  const char* boxes[] = {"CSQU3054383", "MWCU6059784", "MSCU1234566"};
  std::vector<int64_t> ids;
  for (int i = 0; i < 2; ++i) {
    auto a = gate().book(haulier_, {hour0_, t::GateDirection::kIn, id(boxes[i]), "NGY 100", ""});
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->haulier, "NITTSU");  // a haulier's client books for itself
    ids.push_back(a->id);
  }
  auto full = gate().book(haulier_, {hour0_, t::GateDirection::kIn, id(boxes[2]), "NGY 100", ""});
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message().find("full (2 of 2"), std::string::npos);
  // The capacity cannot drop below what is booked.
  auto shrink = gate().define_slots(planner_, {hour0_, hour0_ + kHour, 60, 1});
  ASSERT_FALSE(shrink);
  EXPECT_EQ(shrink.error().field(), "capacity");
  // Another haulier neither sees nor cancels it.
  EXPECT_EQ(gate().cancel(other_haulier_, ids[0]).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(gate().appointment(other_haulier_, ids[0]).error().code(), ErrorCode::kNotFound);
  // G2.2.1-a fail closed: a haulier client with no haulier code (an account from before scopes
  // were required) neither sees, cancels nor books anyone's appointments.
  access::Actor unscoped =
      access::Actor::of_account("token:old/9", "10.1.1.8",
                                access::permissions_of({"haulier_client"}), {"haulier_client"}, "");
  EXPECT_EQ(gate().appointment(unscoped, ids[0]).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(gate().cancel(unscoped, ids[0]).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      gate()
          .book(unscoped, {hour0_ + kHour, t::GateDirection::kIn, id(boxes[2]), "NGY 9", "NITTSU"})
          .error()
          .code(),
      ErrorCode::kPermissionDenied);
  auto cancelled = gate().cancel(haulier_, ids[0]);
  ASSERT_TRUE(cancelled) << cancelled.error().message();
  EXPECT_EQ(cancelled->state, "cancelled");
  EXPECT_FALSE(gate().cancel(haulier_, ids[0]));  // once
  ASSERT_TRUE(gate().book(haulier_, {hour0_, t::GateDirection::kIn, id(boxes[2]), "NGY 100", ""}));
  auto listed = gate().slots(viewer_, hour0_, hour0_ + kHour);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].booked, 2);
  // A slot that is unknown or over is refused; a second booking of the same move too.
  EXPECT_EQ(gate()
                .book(haulier_, {hour0_ + 30 * 60'000'000LL, t::GateDirection::kIn, id(boxes[0]),
                                 "NGY 100", ""})
                .error()
                .code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(gate()
                .book(haulier_, {hour0_ + kHour, t::GateDirection::kIn, id(boxes[1]), "NGY 1", ""})
                .error()
                .code(),
            ErrorCode::kAlreadyExists);
  clock_.set_us(hour0_ + 5 * kHour);
  EXPECT_NE(gate()
                .book(haulier_, {hour0_, t::GateDirection::kIn, id(boxes[0]), "NGY 100", ""})
                .error()
                .message()
                .find("is over"),
            std::string::npos);
  // Every booking, refusal and cancellation is in the audit log.
  EXPECT_GE(events("gate.appointment.book").size(), 6u);
  EXPECT_EQ(events("gate.appointment.cancel").size(), 4u);
}

TEST_F(GateServiceTest, GateInUsesTheAppointmentAndTruckVisitGivesTheTurnTime) {
  ASSERT_TRUE(gate().define_slots(planner_, {hour0_, hour0_ + 2 * kHour, 60, 10}));
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));
  auto appt = gate().book(
      clerk_, {hour0_ + kHour, t::GateDirection::kIn, id("CSQU3054383"), "ngy 100", "NITTSU"});
  ASSERT_TRUE(appt) << appt.error().message();
  // Too early: 20 minutes before the slot with 30 minutes' grace is fine; 2 hours is not when
  // the appointment is named.
  clock_.set_us(hour0_ - kHour);
  auto truck = gate().truck_arrived(clerk_, {"NGY 100", "NITTSU", ""});
  ASSERT_TRUE(truck) << truck.error().message();
  EXPECT_EQ(gate().truck_arrived(clerk_, {"NGY 100", "", ""}).error().code(),
            ErrorCode::kConflict);  // already inside
  auto early = rt_->terminal().gate_in(
      clerk_, {id("CSQU3054383"), "NGY 100", std::nullopt, {}, truck->id, appt->id});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().field(), "appointment");
  // Without naming it, the early truck is served as one without an appointment, which stays
  // booked.
  ASSERT_TRUE(gate().truck_exited(clerk_, truck->id));
  clock_.set_us(hour0_ + kHour - 20 * 60'000'000LL);
  truck = gate().truck_arrived(clerk_, {"NGY 100", "NITTSU", ""});
  ASSERT_TRUE(truck);
  // A visit of another truck is refused.
  auto wrong_truck = rt_->terminal().gate_in(
      clerk_, {id("CSQU3054383"), "NGY 200", std::nullopt, {}, truck->id, 0});
  ASSERT_FALSE(wrong_truck);
  EXPECT_EQ(wrong_truck.error().field(), "truck_plate");
  clock_.advance_s(7 * 60);
  auto in = rt_->terminal().gate_in(clerk_,
                                    {id("CSQU3054383"), "NGY 100", std::nullopt, {}, truck->id, 0});
  ASSERT_TRUE(in) << in.error().message();
  auto used = gate().appointment(viewer_, appt->id);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->state, "used");
  EXPECT_EQ(used->gate_id, in->gate_id);
  clock_.advance_s(11 * 60);
  auto exited = gate().truck_exited(clerk_, truck->id);
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->exited_us - exited->arrived_us, 18 * 60'000'000LL);
  EXPECT_FALSE(gate().truck_exited(clerk_, truck->id));
  auto tt = gate().turn_times(viewer_, hour0_ - 2 * kHour, hour0_ + 3 * kHour);
  ASSERT_TRUE(tt);
  EXPECT_EQ(tt->trucks, 2);
  EXPECT_EQ(tt->max_s, 18 * 60);
  EXPECT_EQ(tt->inside, 0);
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(GateServiceTest, RequiredAppointmentsAreCheckedInsideTheCommand) {
  ASSERT_TRUE(gate().define_slots(planner_, {hour0_, hour0_ + kHour, 60, 10}));
  ASSERT_TRUE(gate().book(clerk_, {hour0_, t::GateDirection::kIn, id("CSQU3054383"), "T1", "NX"}));
  GateSettings required;
  required.appointments_required = true;
  required.appointment_grace_minutes = 15;
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  auto none = check_arrival(**rx, required, t::GateDirection::kIn, "MWCU6059784", "T1", 0, 0,
                            hour0_ + 10 * 60'000'000LL);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("needs a booked appointment"), std::string::npos);
  auto in_time = check_arrival(**rx, required, t::GateDirection::kIn, "CSQU3054383", "T1", 0, 0,
                               hour0_ - 14 * 60'000'000LL);
  ASSERT_TRUE(in_time) << in_time.error().message();
  EXPECT_NE(in_time->appointment_id, 0);
  auto late = check_arrival(**rx, required, t::GateDirection::kIn, "CSQU3054383", "T1", 0, 0,
                            hour0_ + kHour + 16 * 60'000'000LL);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message().find("15 minutes' grace"), std::string::npos);
  // The other direction's appointment does not count.
  EXPECT_FALSE(
      check_arrival(**rx, required, t::GateDirection::kOut, "CSQU3054383", "T1", 0, 0, hour0_));
}

TEST_F(GateServiceTest, WrongPinsAreCountedDurablyAndStopAtTheLimit) {
  auto cid = id("CSQU3054383");
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, spec("CSQU3054383")));
  ASSERT_TRUE(rt_->terminal().gate_in(clerk_, {cid, "T1", std::nullopt, {}}));
  // The line releases its own units only; another line's unit looks absent to it.
  EXPECT_EQ(rt_->terminal().set_release_pin(line_msk_, cid, "11223344").error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(rt_->terminal().set_release_pin(clerk_, cid, "11223344").error().code(),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(rt_->terminal().set_release_pin(line_one_, cid, "11223344"));
  const int limit = rt_->config().pin_attempts;
  for (int i = 1; i <= limit; ++i) {
    auto wrong = rt_->terminal().gate_out(clerk_, {cid, "T2", "99999999"});
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message().find(std::to_string(i) + " of " + std::to_string(limit)),
              std::string::npos)
        << wrong.error().message();
  }
  // The right PIN no longer works; the count survived every refusal (they committed).
  auto blocked = rt_->terminal().gate_out(clerk_, {cid, "T2", "11223344"});
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message().find("issues a new one"), std::string::npos);
  auto view = rt_->terminal().get_unit(viewer_, cid);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->unit.status().pin_failures, limit);
  EXPECT_EQ(view->unit.state(), t::UnitState::kInYard);
  auto failures = events("gate.out");
  ASSERT_EQ(failures.size(), static_cast<size_t>(limit + 1));
  EXPECT_EQ(failures[0].result, "failure");
  EXPECT_NE(failures[0].reason.find("wrong release PIN (1 of"), std::string::npos);
  // A new PIN from the line starts again.
  ASSERT_TRUE(rt_->terminal().set_release_pin(line_one_, cid, "55667788"));
  auto out = rt_->terminal().gate_out(clerk_, {cid, "T2", "55667788"});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_TRUE(rt_->terminal().check_yard());
}

TEST_F(GateServiceTest, EirShowsTheUnitAsHandedOverInHtmlAndPdf) {
  ASSERT_TRUE(gate().define_slots(planner_, {hour0_, hour0_ + kHour, 60, 10}));
  auto s = spec("CSQU3054383");
  s.seals = {"SEAL-778812"};
  s.damages = {t::Damage{"DT", "dent <left> side & door"}};
  ASSERT_TRUE(rt_->terminal().create_unit(planner_, s));
  ASSERT_TRUE(gate().book(clerk_, {hour0_, t::GateDirection::kIn, id("CSQU3054383"), "T1", "NX"}));
  clock_.set_us(hour0_ + 5 * 60'000'000LL);
  auto truck = gate().truck_arrived(clerk_, {"T1", "NX", ""});
  ASSERT_TRUE(truck);
  auto in =
      rt_->terminal().gate_in(clerk_, {id("CSQU3054383"), "T1", std::nullopt, {}, truck->id, 0});
  ASSERT_TRUE(in) << in.error().message();
  // A later edit of the unit does not change the receipt.
  auto later = in->unit.spec();
  later.seals = {"OTHER-1"};
  ASSERT_TRUE(rt_->terminal().amend_unit(planner_, later, in->unit.version()));

  auto html = gate().eir(viewer_, in->gate_id, "html");
  ASSERT_TRUE(html) << html.error().message();
  EXPECT_EQ(html->content_type, "text/html; charset=utf-8");
  for (const char* want : {"機器受渡証", "CSQU3054383", "SEAL-778812", "GATE IN", "NX",
                           "dent &lt;left&gt; side &amp; door", in->unit.slot()->str().c_str()}) {
    EXPECT_NE(html->body.find(want), std::string::npos) << want;
  }
  EXPECT_EQ(html->body.find("OTHER-1"), std::string::npos);
  EXPECT_EQ(html->body.find("<left>"), std::string::npos);  // escaped

  auto pdf = gate().eir(viewer_, in->gate_id, "pdf");
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->content_type, "application/pdf");
  EXPECT_EQ(pdf->body.rfind("%PDF-", 0), 0u);
  // The Japanese labels print: the fonts embedded are Noto Sans CJK's (pdftotext reads the
  // text back in tests/integration/test_gate.py).
  EXPECT_NE(pdf->body.find("NotoSansCJK"), std::string::npos);
  EXPECT_FALSE(gate().eir(viewer_, in->gate_id, "docx"));
  EXPECT_EQ(gate().eir(viewer_, 999, "pdf").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(gate().eir(haulier_, in->gate_id, "pdf").error().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace minato::app
