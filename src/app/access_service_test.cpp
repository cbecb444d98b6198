#include "app/access_service.h"

#include <boost/json.hpp>

#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

using testing::person;

class AccessServiceTest : public testing::RuntimeFixture {
 protected:
  // 2026-11-25T01:00:00Z is a Wednesday, 10:00 in Japan (+09:00, the default offset).
  static constexpr int64_t kWednesday10Jst = 1'795'568'400'000'000;

  AccessService& access() { return rt_->access(); }
  const access::Actor admin_ = person("admin", {"user_admin"});
  const access::Actor officer_ = person("officer", {"security_officer"});

  // Requests, approves (as the officer) and executes (as the admin) an access change.
  void approve_and_execute(int64_t id) {
    ASSERT_TRUE(access().approve(officer_, id, "checked"));
    auto done = access().execute(admin_, id);
    ASSERT_TRUE(done) << done.error().message();
  }
};

TEST_F(AccessServiceTest, G2_1_1_h_RoleChangeNeedsASecondPersonsApproval) {
  auto secret = add_user("clerk", {"gate_clerk"});
  auto login = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(login);

  AccessChange change;
  change.roles = std::vector<std::string>{"planner"};
  auto id = access().request_access_change(admin_, "clerk", change, "promoted to planner");
  ASSERT_TRUE(id) << id.error().message();

  // Not applied before approval; the requester cannot approve their own request.
  auto early = access().execute(admin_, *id);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), ErrorCode::kConflict);
  auto self = access().approve(person("admin", {"user_admin", "security_officer"}), *id, "");
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code(), ErrorCode::kPermissionDenied);
  // An approver needs change.approve.
  auto clerk_approves = access().approve(person("other", {"user_admin"}), *id, "");
  ASSERT_FALSE(clerk_approves);
  EXPECT_EQ(clerk_approves.error().code(), ErrorCode::kPermissionDenied);
  {
    auto rx = rt_->store().read();
    EXPECT_EQ((*(*rx)->find_user("clerk"))->roles, std::vector<std::string>{"gate_clerk"});
  }

  approve_and_execute(*id);
  auto rx = rt_->store().read();
  auto clerk = *(*rx)->find_user("clerk");
  EXPECT_EQ(clerk->roles, std::vector<std::string>{"planner"});
  EXPECT_EQ(clerk->access_granted_by, "approval " + std::to_string(*id) +
                                          ": requested by user:admin, approved by user:officer, "
                                          "executed by user:admin");
  // The session with the old roles ended at once.
  EXPECT_FALSE(rt_->identity().authenticate(login->session_token, "10.0.0.1"));
  // The audit log holds requester -> approver -> executor.
  auto ev = audit().back();
  EXPECT_EQ(ev.action, "approval.execute");
  auto chain = boost::json::parse(ev.change).at("chain").as_object();
  EXPECT_EQ(chain.at("requested_by").as_string(), "user:admin");
  EXPECT_EQ(chain.at("approved_by").as_string(), "user:officer");
  EXPECT_EQ(chain.at("executed_by").as_string(), "user:admin");
  // Executed once only.
  EXPECT_FALSE(access().execute(admin_, *id));
}

TEST_F(AccessServiceTest, G2_1_1_h_RequestsExpireAndRejectedOnesNeverApply) {
  add_user("clerk", {"gate_clerk"});
  AccessChange change;
  change.roles = std::vector<std::string>{"viewer"};
  auto id = access().request_access_change(admin_, "clerk", change, "least privilege");
  ASSERT_TRUE(id);
  clock_.advance_s(AccessService::kRequestTtlS);
  auto late = access().approve(officer_, *id, "");
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message().find("expired"), std::string::npos);

  auto id2 = access().request_access_change(admin_, "clerk", change, "least privilege");
  ASSERT_TRUE(id2);
  ASSERT_TRUE(access().reject(officer_, *id2, "not agreed with the terminal manager"));
  EXPECT_FALSE(access().execute(admin_, *id2));
  auto views = access().list(officer_, false);
  ASSERT_TRUE(views);
  ASSERT_EQ(views->size(), 2u);
  EXPECT_EQ((*views)[0].record.status, "rejected");
  EXPECT_TRUE((*views)[1].expired);
}

TEST_F(AccessServiceTest, G2_1_1_j_ChangesMayNotMixAdminAndOperationalRoles) {
  add_user("clerk", {"gate_clerk"});
  AccessChange change;
  change.roles = std::vector<std::string>{"gate_clerk", "user_admin"};
  auto id = access().request_access_change(admin_, "clerk", change, "more rights");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().field(), "roles");
  // Requests need user.admin.
  AccessChange window;
  window.login_window = "daily 06:00-22:00";
  auto by_clerk = access().request_access_change(person("clerk", {"gate_clerk"}), "clerk", window,
                                                 "longer shifts");
  ASSERT_FALSE(by_clerk);
  EXPECT_EQ(by_clerk.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit().back().result, "denied");
}

TEST_F(AccessServiceTest, AdminRolesAreNotGrantedByOnePersonThroughTheApi) {
  auto r = rt_->identity().create_user(admin_, {"newadmin", kUserPassword, {"auditor"}, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  // Operational accounts are created by one user admin.
  EXPECT_TRUE(rt_->identity().create_user(admin_, {"viewer1", kUserPassword, {"viewer"}, ""}));
}

TEST_F(AccessServiceTest, G2_1_1_a_RoleSourceRulesApplyToEveryHolder) {
  auto secret = add_user("clerk", {"gate_clerk"});
  auto id = access().request_role_rule(admin_, "gate_clerk", "10.9.0.0/16", "", "gate PCs only");
  ASSERT_TRUE(id) << id.error().message();
  approve_and_execute(*id);
  auto outside = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_FALSE(outside);
  EXPECT_EQ(audit().back().reason, "source address not allowed for this account or its roles");
  auto inside = rt_->identity().login("10.9.3.4", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(inside) << inside.error().message();
  // And on every request of the session.
  EXPECT_TRUE(rt_->identity().authenticate(inside->session_token, "10.9.3.4"));
  EXPECT_FALSE(rt_->identity().authenticate(inside->session_token, "10.0.0.1"));
}

TEST_F(AccessServiceTest, G2_2_1_d_LoginTimeWindowsPerAccount) {
  clock_.set_us(kWednesday10Jst);
  NewUser u("dayshift", kUserPassword, {"gate_clerk"});
  u.login_window = "mon-fri 08:00-11:00";
  auto created = rt_->identity().create_user(access::Actor::local_operator(), u);
  ASSERT_TRUE(created);
  auto secret = identity::TotpSecret::from_base32(created->totp_secret_base32)->raw();
  auto in = rt_->identity().login("10.0.0.1", {"dayshift", kUserPassword, code(secret)});
  ASSERT_TRUE(in) << in.error().message();
  // 11:00 JST: the window closes and the session with it.
  clock_.advance_s(3600);
  EXPECT_FALSE(rt_->identity().authenticate(in->session_token, "10.0.0.1"));
  clock_.advance_s(30);
  auto out = rt_->identity().login("10.0.0.1", {"dayshift", kUserPassword, code(secret)});
  ASSERT_FALSE(out);
  EXPECT_EQ(audit().back().reason, "outside the login time window of this account or its roles");
  // Not counted towards the lock.
  auto rx = rt_->store().read();
  EXPECT_EQ((*(*rx)->find_user("dayshift"))->failed_count, 0);
}

TEST_F(AccessServiceTest, G2_2_1_d_AccountsEndAtTheirValidityDate) {
  clock_.set_us(kWednesday10Jst);
  NewUser u("temp", kUserPassword, {"viewer"});
  u.valid_until_us = kWednesday10Jst + int64_t{3600} * 1'000'000;
  auto created = rt_->identity().create_user(access::Actor::local_operator(), u);
  ASSERT_TRUE(created);
  auto secret = identity::TotpSecret::from_base32(created->totp_secret_base32)->raw();
  auto in = rt_->identity().login("10.0.0.1", {"temp", kUserPassword, code(secret)});
  ASSERT_TRUE(in);
  clock_.advance_s(3600);
  EXPECT_FALSE(rt_->identity().authenticate(in->session_token, "10.0.0.1"));
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", {"temp", kUserPassword, code(secret)}));
  EXPECT_EQ(audit().back().reason.rfind("account expired at", 0), 0u);
}

TEST_F(AccessServiceTest, G1_3_VendorWorksOnlyInsideAnApprovedMaintenanceWindow) {
  clock_.set_us(kWednesday10Jst);
  auto secret = add_user("vendor1", {"maintenance_vendor"}, "192.0.2.7");
  auto no_window = rt_->identity().login("192.0.2.7", {"vendor1", kUserPassword, code(secret)});
  ASSERT_FALSE(no_window);
  EXPECT_EQ(audit().back().reason, "no approved maintenance window is open for this vendor");

  const int64_t start = kWednesday10Jst + int64_t{600} * 1'000'000;
  const int64_t end = start + int64_t{7200} * 1'000'000;
  // Longer than 12 hours, or over already: refused when requested.
  EXPECT_FALSE(access().request_maintenance(admin_, "vendor1", start,
                                            start + int64_t{13 * 3600} * 1'000'000, "patch"));
  EXPECT_FALSE(access().request_maintenance(admin_, "clerk", start, end, "patch"));
  auto id = access().request_maintenance(admin_, "vendor1", start, end, "apply OS patches");
  ASSERT_TRUE(id) << id.error().message();
  approve_and_execute(*id);

  // Approved, but not yet open.
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("192.0.2.7", {"vendor1", kUserPassword, code(secret)}));
  clock_.set_us(start + 60'000'000);
  // Inside the window: only from the vendor's address, with MFA.
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", {"vendor1", kUserPassword, code(secret)}));
  auto in = rt_->identity().login("192.0.2.7", {"vendor1", kUserPassword, code(secret)});
  ASSERT_TRUE(in) << in.error().message();
  auto events = audit();
  EXPECT_EQ(events.back().action, "maintenance.start");
  EXPECT_EQ(events.back().subject, "user:vendor1");
  auto actor = rt_->identity().authenticate(in->session_token, "192.0.2.7");
  ASSERT_TRUE(actor);
  EXPECT_TRUE(actor->second.has(access::Permission::kConfigRead));
  EXPECT_FALSE(actor->second.has(access::Permission::kTerminalRead));

  // The window ends: the session ends, and the job records the stop.
  clock_.set_us(end);
  EXPECT_FALSE(rt_->identity().authenticate(in->session_token, "192.0.2.7"));
  access::Actor job{"system:maintenance-windows", "local",
                    static_cast<uint32_t>(access::Permission::kUserAdmin)};
  auto closed = access().close_ended_maintenance(job);
  ASSERT_TRUE(closed);
  EXPECT_EQ(*closed, 1);
  EXPECT_EQ(audit().back().action, "maintenance.stop");
  EXPECT_EQ(*access().close_ended_maintenance(job), 0);
}

TEST_F(AccessServiceTest, G1_3_StoppingAWindowEarlyEndsTheVendorsSessions) {
  clock_.set_us(kWednesday10Jst);
  auto secret = add_user("vendor1", {"maintenance_vendor"});
  auto id = access().request_maintenance(admin_, "vendor1", kWednesday10Jst,
                                         kWednesday10Jst + int64_t{3600} * 1'000'000, "repair");
  ASSERT_TRUE(id);
  approve_and_execute(*id);
  auto in = rt_->identity().login("10.0.0.5", {"vendor1", kUserPassword, code(secret)});
  ASSERT_TRUE(in) << in.error().message();
  auto windows = access().maintenance_windows(officer_, "");
  ASSERT_TRUE(windows);
  ASSERT_EQ(windows->size(), 1u);
  EXPECT_NE(windows->front().started_us, 0);
  ASSERT_TRUE(access().stop_maintenance(officer_, windows->front().id, "work finished"));
  EXPECT_FALSE(rt_->identity().authenticate(in->session_token, "10.0.0.5"));
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("10.0.0.5", {"vendor1", kUserPassword, code(secret)}));
}

TEST_F(AccessServiceTest, G2_1_1_i_AccessReviewIsSignedOffForTheStateSeen) {
  add_user("clerk", {"gate_clerk"});
  access::Actor auditor = person("auditor1", {"auditor"});
  auto report = access().access_report(auditor);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->accounts.size(), 2u);  // admin, clerk
  EXPECT_EQ(report->accounts[0].user.username, "admin");
  EXPECT_EQ(report->accounts[0].user.access_granted_by.rfind("created by cli:", 0), 0u);
  EXPECT_EQ(report->accounts[1].permissions,
            (std::vector<std::string>{"terminal.read", "gate.write", "self", "unit.lookup",
                                      "gate.appointment"}));
  // Others cannot read it.
  EXPECT_FALSE(access().access_report(person("clerk", {"gate_clerk"})));

  EXPECT_FALSE(access().sign_off(auditor, std::string(64, '0'), "reviewed"));
  // The accounts change after the auditor read the report: the old digest no longer signs.
  ASSERT_TRUE(rt_->identity().disable(admin_, "clerk", "left the company"));
  auto stale = access().sign_off(auditor, report->digest, "reviewed");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kConflict);
  auto fresh = access().access_report(auditor);
  // Logins do not change the signed content (only access does).
  clock_.advance_s(30);
  auto secret = add_user("viewer1", {"viewer"});
  auto after_add = access().access_report(auditor);
  EXPECT_NE(after_add->digest, fresh->digest);  // a new account is a change of access
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", {"viewer1", kUserPassword, code(secret)}));
  EXPECT_EQ(access().access_report(auditor)->digest, after_add->digest);
  fresh = access().access_report(auditor);
  auto id = access().sign_off(auditor, fresh->digest, "Q4 review: all accounts needed");
  ASSERT_TRUE(id) << id.error().message();
  auto records = access().sign_offs(auditor);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().reviewer, "user:auditor1");
  EXPECT_EQ(records->front().accounts, 3);
  // Signing off needs access.review, not just user.admin.
  EXPECT_FALSE(access().sign_off(admin_, fresh->digest, "self-review"));
}

}  // namespace
}  // namespace minato::app
