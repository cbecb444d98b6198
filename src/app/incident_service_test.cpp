#include "app/incident_service.h"

#include <boost/json.hpp>

#include "app/runtime.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;
using testing::person;

class IncidentServiceTest : public testing::RuntimeFixture {
 protected:
  IncidentService& incidents() { return rt_->incidents(); }
  const access::Actor officer_ = person("officer", {"security_officer"});
  const access::Actor admin_ = person("admin", {"user_admin"}, "10.0.0.1");

  // A session of a new account with `roles`; returns its token.
  std::string session_of(const std::string& name, std::vector<std::string> roles) {
    auto secret = add_user(name, std::move(roles));
    auto login = rt_->identity().login("10.0.0.1", {name, kUserPassword, code(secret)});
    EXPECT_TRUE(login) << login.error().message();
    return login ? login->session_token : "";
  }
  bool alive(const std::string& token) {
    return rt_->identity().authenticate(token, "10.0.0.1").has_value();
  }
};

TEST_F(IncidentServiceTest, G3_1_c_OpeningAnIncidentContainsAtOnce) {
  std::string clerk = session_of("clerk", {"gate_clerk"});
  std::string officer = session_of("officer", {"security_officer"});
  std::string auditor = session_of("auditor1", {"auditor"});
  NewUser line("one-api", "", {"line_client"});
  line.enrolment_link = true;
  line.scope = "ONE";
  ASSERT_TRUE(rt_->identity().create_user(admin_, line));
  auto token = rt_->identity().issue_api_token(admin_, "one-api", "booking system", 30, "");
  ASSERT_TRUE(token) << token.error().message();
  ASSERT_TRUE(rt_->identity().authenticate_token(token->token, "10.5.1.1"));

  auto id = incidents().open(
      officer_, "high", "ransom note on a yard PC",
      {Measure::kSessions, Measure::kTokens, Measure::kFreeze, Measure::kOperations});
  ASSERT_TRUE(id) << id.error().message();
  // Sessions: every one ended but security staff's.
  EXPECT_FALSE(alive(clerk));
  EXPECT_TRUE(alive(officer));
  EXPECT_TRUE(alive(auditor));
  // Tokens refused, and the refusal says why.
  EXPECT_FALSE(rt_->identity().authenticate_token(token->token, "10.5.1.1"));
  EXPECT_EQ(audit().back().reason,
            "API tokens are suspended while incident " + std::to_string(*id) + " is contained");
  // Privileged changes frozen; what takes access away is not.
  AccessChange change;
  change.roles = std::vector<std::string>{"planner"};
  auto frozen = rt_->access().request_access_change(admin_, "clerk", change, "promotion");
  ASSERT_FALSE(frozen);
  EXPECT_EQ(frozen.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(audit().back().result, "denied");
  EXPECT_TRUE(rt_->identity().disable(admin_, "clerk", "suspected account"));
  // Terminal commands stopped.
  auto stopped =
      rt_->terminal().apply_layout(person("pia", {"planner"}), terminal::TerminalLayout{});
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(stopped.error().message().find("terminal commands are stopped"), std::string::npos);

  // The timeline: detected, then each measure; the state is contained.
  auto v = incidents().show(officer_, *id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->incident.state, "contained");
  std::vector<std::string> kinds;
  for (const auto& e : v->timeline)
    kinds.push_back(e.kind + (e.kind == "measure_on" ? ":" + e.text : ""));
  EXPECT_EQ(kinds, (std::vector<std::string>{"detected", "measure_on:sessions", "measure_on:tokens",
                                             "measure_on:freeze", "measure_on:operations"}));

  // One measure ended alone, with its reason; then the close ends the rest.
  ASSERT_TRUE(incidents().release(officer_, Measure::kOperations, "yard PCs reimaged"));
  auto resumed =
      rt_->terminal().apply_layout(person("pia", {"planner"}), terminal::TerminalLayout{});
  EXPECT_TRUE(resumed || resumed.error().message().find("stopped") == std::string::npos);
  EXPECT_EQ(incidents().release(officer_, Measure::kOperations, "again").error().code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(incidents().close(officer_, *id, "contained, recovered, reported"));
  EXPECT_TRUE(rt_->containment().all().empty());
  EXPECT_TRUE(rt_->identity().authenticate_token(token->token, "10.5.1.1"));
  auto closed = incidents().show(officer_, *id);
  EXPECT_EQ(closed->incident.state, "closed");
  EXPECT_NE(closed->incident.closed_us, 0);
  // A closed incident takes no more entries or measures.
  EXPECT_EQ(incidents().record(officer_, *id, "note", "late").error().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(incidents().contain(officer_, *id, Measure::kTokens, "x").error().code(),
            ErrorCode::kFailedPrecondition);
}

TEST_F(IncidentServiceTest, G3_1_c_OnlySecurityOfficersOpenAndAuditorsRead) {
  auto denied = incidents().open(admin_, "low", "x", {});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  auto id = incidents().open(officer_, "low", "phishing mail reported", {});
  ASSERT_TRUE(id);
  EXPECT_TRUE(incidents().list(person("aud", {"auditor"}), 10));
  EXPECT_EQ(incidents().list(person("clerk", {"gate_clerk"}), 10).error().code(),
            ErrorCode::kPermissionDenied);
  // Bad input is named.
  EXPECT_EQ(incidents().open(officer_, "severe", "x", {}).error().field(), "severity");
  EXPECT_EQ(incidents().open(officer_, "low", "", {}).error().field(), "summary");
  EXPECT_EQ(incidents().record(officer_, *id, "guess", "x").error().field(), "kind");
  EXPECT_EQ(incidents().show(officer_, 999).error().code(), ErrorCode::kNotFound);
}

TEST_F(IncidentServiceTest, G3_1_a_TimelineAndReportFields) {
  // A measure asked twice is one measure, with one timeline entry.
  auto id = incidents().open(officer_, "critical", "TOS servers encrypted",
                             {Measure::kListener, Measure::kListener});
  ASSERT_TRUE(id);
  ASSERT_TRUE(incidents().record(officer_, *id, "reported", "MLIT port security desk, 10:40 JST"));
  ASSERT_TRUE(incidents().update_report(
      officer_, *id, {{"operations_impact", "gate closed 6 h"}, {"cause", "unpatched VPN"}}));
  auto wrong = incidents().update_report(officer_, *id, {{"blame", "vendor"}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field(), "blame");
  ASSERT_TRUE(incidents().record(officer_, *id, "recovered", "restored from the vault"));
  auto v = incidents().show(officer_, *id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->incident.state, "recovered");
  auto report = boost::json::parse(v->incident.report).as_object();
  EXPECT_EQ(report.at("operations_impact").as_string(), "gate closed 6 h");
  EXPECT_EQ(report.at("cause").as_string(), "unpatched VPN");
  EXPECT_EQ(v->timeline.back().kind, "recovered");
  EXPECT_EQ(std::count_if(v->timeline.begin(), v->timeline.end(),
                          [](const auto& e) { return e.kind == "measure_on"; }),
            1);
  // The listener admits only break-glass sources now: loopback always.
  EXPECT_TRUE(rt_->containment().admits("127.0.0.1"));
  EXPECT_FALSE(rt_->containment().admits("192.0.2.10"));
}

TEST_F(IncidentServiceTest, G3_1_a_SevereIncidentsAreEscalatedToTheContactsOnTheTimeline) {
  rt_->mutable_config().escalation_mail = "gm@terminal.example, desk@port-authority.example";
  rt_->mutable_config().escalation_severity = "high";
  auto outbox = [&] {
    auto rx = rt_->store().read();
    return *(*rx)->recent_notifications(50);
  };
  const size_t before = outbox().size();
  ASSERT_TRUE(incidents().open(officer_, "medium", "phishing mail reported", {}));
  EXPECT_EQ(outbox().size(), before);  // below the threshold: security staff only (none here)
  auto id = incidents().open(officer_, "critical", "TOS servers encrypted", {});
  ASSERT_TRUE(id);
  auto mails = outbox();
  ASSERT_EQ(mails.size(), before + 1);
  EXPECT_EQ(mails.front().event, "incident.escalated");
  EXPECT_EQ(mails.front().recipients, "gm@terminal.example,desk@port-authority.example");
  EXPECT_NE(mails.front().subject.find("TOS servers encrypted"), std::string::npos);
  auto v = incidents().show(officer_, *id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->timeline.back().kind, "notified");
  EXPECT_EQ(v->timeline.back().text,
            "escalated (critical, at or above high) to gm@terminal.example, "
            "desk@port-authority.example");
}

}  // namespace
}  // namespace minato::app
