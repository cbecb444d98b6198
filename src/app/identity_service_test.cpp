#include "app/identity_service.h"

#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

class IdentityServiceTest : public testing::RuntimeFixture {};

TEST_F(IdentityServiceTest, G2_1_1_b_LoginNeedsPasswordAndTotp) {
  auto secret = add_user("clerk", {"gate_clerk"});
  auto bad_code = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, "000000"});
  ASSERT_FALSE(bad_code);
  EXPECT_EQ(bad_code.error().code(), ErrorCode::kUnauthenticated);
  auto ok_login = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(ok_login) << ok_login.error().message();
  EXPECT_EQ(ok_login->username, "clerk");
  auto session = rt_->identity().authenticate(ok_login->session_token, "10.0.0.1");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->second.subject, "user:clerk");
  EXPECT_TRUE(session->second.has(access::Permission::kGateWrite));
  EXPECT_FALSE(session->second.has(access::Permission::kUserAdmin));
}

TEST_F(IdentityServiceTest, TotpCodeIsAcceptedOnceOnly) {
  auto secret = add_user("clerk", {"gate_clerk"});
  std::string c = code(secret);
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, c}));
  auto replay = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, c});
  ASSERT_FALSE(replay);
  EXPECT_EQ(audit().back().reason.rfind("TOTP code already used", 0), 0u);
}

TEST_F(IdentityServiceTest, G2_1_1_e_FiveFailuresLockTheAccountForFifteenMinutes) {
  auto secret = add_user("clerk", {"gate_clerk"});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", code(secret)}));
  }
  // Locked: a wrong password gets the generic answer (a guesser learns nothing of the lock) ...
  auto guessed = rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password2", code(secret)});
  ASSERT_FALSE(guessed);
  EXPECT_EQ(guessed.error().message(), "login failed: wrong user name, password or code");
  // ... so does the right password with a wrong code: the lock answers no guess of either
  // factor alone ...
  std::string wrong = code(secret);
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  auto half = rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, wrong});
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().message(), "login failed: wrong user name, password or code");
  EXPECT_EQ(half.error().field(), "");
  // ... while correct credentials fail with the lock said plainly, for the owner.
  auto locked = rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(locked.error().field(), "account");
  EXPECT_NE(locked.error().message().find("locked after repeated failed logins until"),
            std::string::npos);
  EXPECT_NE(audit().back().reason.find("account locked"), std::string::npos);

  clock_.advance_s(14 * 60);
  EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
  clock_.advance_s(61);
  auto after = rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)});
  EXPECT_TRUE(after) << after.error().message();
}

TEST_F(IdentityServiceTest, G2_1_1_e_EachFurtherLockDoublesTheWaitUpToTheCap) {
  auto secret = add_user("clerk", {"gate_clerk"});
  auto fail_five = [&] {
    for (int i = 0; i < 5; ++i) {
      EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", "000000"}));
    }
  };
  auto locked_for = [&]() -> int64_t {
    // Seconds until a correct login works again (probed in 60 s steps, without sleeping).
    int64_t waited = 0;
    while (!rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)})) {
      clock_.advance_s(60);
      waited += 60;
      if (waited > 3 * 86400) return -1;
    }
    return waited;
  };
  // 15 min, then 30 min, 60 min ... while the account never logs in successfully.
  int64_t expected = 15 * 60;
  for (int lock = 0; lock < 3; ++lock) {
    fail_five();
    auto log = audit();
    EXPECT_NE(log.back().reason.find("account locked until " +
                                     format_utc(clock_.now_us() + expected * 1'000'000)),
              std::string::npos)
        << log.back().reason;
    clock_.advance_s(expected + 1);
    expected *= 2;
  }
  // A success resets the escalation: the next lock is 15 minutes again.
  EXPECT_GE(locked_for(), 0);
  clock_.advance_s(30);
  fail_five();
  clock_.advance_s(15 * 60 - 60);
  EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
  clock_.advance_s(61);
  EXPECT_TRUE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
}

TEST_F(IdentityServiceTest, G2_2_2_f_SourceFailingAcrossAccountsIsBlockedAndAudited) {
  auto secret = add_user("clerk", {"gate_clerk"});
  // 20 failures (the default) from one address, spread over unknown accounts: no account locks,
  // but the address is blocked.
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(rt_->identity().login("203.0.113.5",
                                       {"user" + std::to_string(i), kUserPassword, "000000"}));
  }
  auto log = audit();
  EXPECT_EQ(log.back().action, "source.block");
  EXPECT_EQ(log.back().target, "source:203.0.113.5");
  EXPECT_NE(log.back().reason.find("20 failed logins within 600 s"), std::string::npos);
  EXPECT_TRUE(rt_->source_guard().blocked("203.0.113.5"));
  // Even correct credentials are refused from there; other sources are not affected.
  EXPECT_FALSE(rt_->identity().login("203.0.113.5", {"clerk", kUserPassword, code(secret)}));
  EXPECT_EQ(audit().back().reason, "source address blocked after repeated failures");
  EXPECT_TRUE(rt_->identity().login("203.0.113.6", {"clerk", kUserPassword, code(secret)}));
  clock_.advance_s(901);
  EXPECT_FALSE(rt_->source_guard().blocked("203.0.113.5"));
}

TEST_F(IdentityServiceTest, G2_1_1_e_AdminUnlockIsAuditedWithTheStateBefore) {
  auto secret = add_user("clerk", {"gate_clerk"});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", "000000"}));
  }
  access::Actor clerk = testing::person("clerk", {"gate_clerk"}, "10.0.0.9");
  auto denied = rt_->identity().unlock(clerk, "clerk");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit().back().result, "denied");

  access::Actor admin = testing::person("admin", {"user_admin"}, "10.0.0.1");
  ASSERT_TRUE(rt_->identity().unlock(admin, "clerk"));
  auto ev = audit().back();
  EXPECT_EQ(ev.action, "user.unlock");
  EXPECT_EQ(ev.subject, "user:admin");
  EXPECT_EQ(ev.target, "user:clerk");
  EXPECT_NE(ev.change.find("\"before\":{\"failed_count\":0,\"locked_until_us\":"),
            std::string::npos)
      << ev.change;
  EXPECT_TRUE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
  auto none = rt_->identity().unlock(admin, "nobody");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
}

TEST_F(IdentityServiceTest, G2_2_2_e_LoginHistoryOwnForUsersAnyForAdmins) {
  auto secret = add_user("clerk", {"gate_clerk"});
  add_user("other", {"viewer"});
  EXPECT_FALSE(rt_->identity().login("10.0.0.3", {"clerk", "Wrong#Password1", "000000"}));
  clock_.advance_s(5);
  ASSERT_TRUE(rt_->identity().login("10.0.0.4", {"clerk", kUserPassword, code(secret)}));
  access::Actor clerk = testing::person("clerk", {"gate_clerk"}, "10.0.0.4");
  auto mine = rt_->identity().login_history(clerk, "clerk", 50);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].result, "success");  // newest first
  EXPECT_EQ((*mine)[0].source, "10.0.0.4");
  EXPECT_EQ((*mine)[1].result, "failure");
  EXPECT_EQ((*mine)[1].source, "10.0.0.3");
  auto theirs = rt_->identity().login_history(clerk, "other", 50);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code(), ErrorCode::kPermissionDenied);
  access::Actor admin = testing::person("admin", {"user_admin"}, "10.0.0.1");
  auto any = rt_->identity().login_history(admin, "clerk", 1);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->size(), 1u);
}

TEST_F(IdentityServiceTest, G2_1_1_k_OffboardingDisablesAndEndsSessionsAtOnce) {
  auto secret = add_user("leaver", {"planner"});
  auto session = rt_->identity().login("10.0.0.2", {"leaver", kUserPassword, code(secret)});
  ASSERT_TRUE(session);
  access::Actor admin = testing::person("admin", {"user_admin"}, "10.0.0.1");
  auto no_reason = rt_->identity().disable(admin, "leaver", "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().field(), "reason");
  ASSERT_TRUE(rt_->identity().disable(admin, "leaver", "left the company 2026-11-30"));
  EXPECT_FALSE(rt_->identity().authenticate(session->session_token, "10.0.0.2"));
  auto ev = audit().back();
  EXPECT_EQ(ev.action, "user.disable");
  EXPECT_EQ(ev.reason, "left the company 2026-11-30");
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("10.0.0.2", {"leaver", kUserPassword, code(secret)}));
  EXPECT_EQ(audit().back().reason, "account disabled");
  EXPECT_FALSE(rt_->identity().disable(admin, "leaver", "again"));  // already disabled
  ASSERT_TRUE(rt_->identity().enable(admin, "leaver"));
  EXPECT_TRUE(rt_->identity().login("10.0.0.2", {"leaver", kUserPassword, code(secret)}));
}

TEST_F(IdentityServiceTest, G2_1_2_b_SelfReportedCompromiseDisablesAtOnce) {
  auto secret = add_user("victim", {"gate_clerk"});
  auto s1 = rt_->identity().login("10.0.0.2", {"victim", kUserPassword, code(secret)});
  ASSERT_TRUE(s1);
  access::Actor victim = testing::person("victim", {"gate_clerk"}, "10.0.0.2");
  access::Actor other = testing::person("other", {"gate_clerk"}, "10.0.0.3");
  EXPECT_FALSE(rt_->identity().report_compromised(other, "victim"));
  ASSERT_TRUE(rt_->identity().report_compromised(victim, "victim"));
  EXPECT_FALSE(rt_->identity().authenticate(s1->session_token, "10.0.0.2"));
  EXPECT_EQ(audit().back().action, "user.compromised");
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("10.0.0.2", {"victim", kUserPassword, code(secret)}));
}

TEST_F(IdentityServiceTest, G2_2_2_c_PasswordChangeChecksCurrentPolicyAndHistory) {
  auto secret = add_user("pat", {"planner"});
  access::Actor pat = testing::person("pat", {"planner"}, "10.0.0.2");
  auto& id = rt_->identity();
  auto wrong = id.change_password(pat, "pat", "Not#The1Password", "Qz8!mK2#vLp9-new");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field(), "current_password");
  EXPECT_EQ(audit().back().result, "failure");
  auto weak = id.change_password(pat, "pat", kUserPassword, "Password123!");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().field(), "password");
  auto same = id.change_password(pat, "pat", kUserPassword, kUserPassword);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().field(), "new_password");
  access::Actor other = testing::person("other", {"planner"}, "10.0.0.3");
  EXPECT_FALSE(id.change_password(other, "pat", kUserPassword, "Qz8!mK2#vLp9-new"));

  // Six changes in a row; none may reuse any of the last six passwords.
  std::vector<std::string> used = {kUserPassword};
  for (int i = 0; i < 6; ++i) {
    std::string next = "Qz8!mK2#vLp9-" + std::string(1, static_cast<char>('a' + i)) + "x7";
    auto st = id.change_password(pat, "pat", used.back(), next);
    ASSERT_TRUE(st) << i << ": " << st.error().message();
    used.push_back(next);
    if (i < 5) {
      auto reuse = id.change_password(pat, "pat", next, used[0]);
      ASSERT_FALSE(reuse) << i;
      EXPECT_EQ(reuse.error().field(), "new_password");
    }
  }
  // The first password has now left the history (current + 5 remembered) and may return.
  EXPECT_TRUE(id.change_password(pat, "pat", used.back(), used[0]));
  // Login uses the new password only.
  EXPECT_TRUE(id.login("10.0.0.2", {"pat", kUserPassword, code(secret)}));
}

TEST_F(IdentityServiceTest, G2_1_1_c_WeakerHashesAreUpgradedAtLogin) {
  auto secret = add_user("old", {"viewer"});  // hashed with the fixture's fast settings
  app::RuntimeOptions o;
  o.clock = &clock_;
  o.argon = {2, 16 * 1024 * 1024};
  auto stronger = app::Runtime::open(dir_.path() + "/data", o);
  ASSERT_TRUE(stronger);
  ASSERT_TRUE((*stronger)->identity().login("10.0.0.2", {"old", kUserPassword, code(secret)}));
  auto rx = (*stronger)->store().read();
  ASSERT_TRUE(rx);
  auto u = (*rx)->find_user("old");
  ASSERT_TRUE(u && *u);
  EXPECT_NE((*u)->password_hash.find("$m=16384,t=2,"), std::string::npos) << (*u)->password_hash;
  EXPECT_FALSE(identity::hash_weaker_than((*u)->password_hash, o.argon));
  EXPECT_TRUE(identity::verify_password((*u)->password_hash, kUserPassword));
}

TEST_F(IdentityServiceTest, G2_2_2_g_InactivitySweepDisablesUnusedAccounts) {
  auto active = add_user("active", {"viewer"});
  add_user("idle", {"viewer"});
  clock_.advance_s(60 * 86400);
  ASSERT_TRUE(rt_->identity().login("10.0.0.2", {"active", kUserPassword, code(active)}));
  clock_.advance_s(31 * 86400);  // idle: 91 days since creation; active: 31 since login
  access::Actor sweeper{"system:inactivity-sweep", "local",
                        static_cast<uint32_t>(access::Permission::kUserAdmin)};
  auto swept = rt_->identity().sweep_inactive(sweeper, 90);
  ASSERT_TRUE(swept) << swept.error().message();
  // The administrator created at init has never logged in either.
  EXPECT_EQ(*swept, (std::vector<std::string>{"admin", "idle"}));
  auto ev = audit().back();
  EXPECT_EQ(ev.subject, "system:inactivity-sweep");
  EXPECT_EQ(ev.action, "user.disable");
  EXPECT_EQ(ev.target, "user:idle");
  EXPECT_NE(ev.reason.find("unused for 90 days"), std::string::npos);
  auto again = rt_->identity().sweep_inactive(sweeper, 90);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  access::Actor nobody = testing::person("x", {"viewer"}, "10.0.0.9");
  auto denied = rt_->identity().sweep_inactive(nobody, 90);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(IdentityServiceTest, G2_1_1_a_AccountBoundToSourcesWorksOnlyFromThem) {
  auto secret = add_user("vendor", {"viewer"}, "10.1.0.0/16, 192.0.2.7");
  auto wrong = rt_->identity().login("10.2.0.1", {"vendor", kUserPassword, code(secret)});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);  // the generic answer
  EXPECT_EQ(audit().back().reason, "source address not allowed for this account or its roles");
  // Refusals by source do not count towards the account's lockout.
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.2.0.1", {"vendor", kUserPassword, "000000"}));
  }
  auto ok_login = rt_->identity().login("10.1.2.3", {"vendor", kUserPassword, code(secret)});
  ASSERT_TRUE(ok_login) << ok_login.error().message();
  EXPECT_TRUE(rt_->identity().authenticate(ok_login->session_token, "10.1.9.9"));
  EXPECT_FALSE(rt_->identity().authenticate(ok_login->session_token, "10.2.0.1"));
  auto bad = rt_->identity().create_user(access::Actor::local_operator(),
                                         {"vendor2", kUserPassword, {"viewer"}, "10.1.0.1/16"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "allowed_sources");
}

TEST(LockoutPolicy, DurationDoublesAndIsCapped) {
  LockoutPolicy p{5, 900, 86400};
  EXPECT_EQ(p.lock_duration_s(0), 900);
  EXPECT_EQ(p.lock_duration_s(1), 1800);
  EXPECT_EQ(p.lock_duration_s(6), 57600);
  EXPECT_EQ(p.lock_duration_s(7), 86400);
  EXPECT_EQ(p.lock_duration_s(1000), 86400);
}

TEST_F(IdentityServiceTest, SuccessResetsTheFailureCount) {
  auto secret = add_user("clerk", {"gate_clerk"});
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", "000000"}));
  }
  ASSERT_TRUE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
  clock_.advance_s(30);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", "000000"}));
  }
  EXPECT_TRUE(rt_->identity().login("10.0.0.9", {"clerk", kUserPassword, code(secret)}));
}

TEST_F(IdentityServiceTest, UnknownUserGetsTheSameAnswerAndIsAudited) {
  add_user("clerk", {"gate_clerk"});
  auto unknown = rt_->identity().login("10.0.0.7", {"nobody", kUserPassword, "123456"});
  auto wrong = rt_->identity().login("10.0.0.7", {"clerk", "Wrong#Password1", "123456"});
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(unknown.error().message(), wrong.error().message());
  EXPECT_EQ(unknown.error().code(), wrong.error().code());
  auto log = audit();
  const auto& ev = log[log.size() - 2];
  EXPECT_EQ(ev.action, "session.create");
  EXPECT_EQ(ev.target, "user:nobody");
  EXPECT_EQ(ev.source, "10.0.0.7");
  EXPECT_EQ(ev.result, "failure");
  EXPECT_EQ(ev.reason, "unknown user");
}

TEST_F(IdentityServiceTest, G2_2_1_g_MalformedAttemptsAreAuditedToo) {
  auto r = rt_->identity().login("10.0.0.8", {"", kUserPassword, "123456"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  auto ev = audit().back();
  EXPECT_EQ(ev.action, "session.create");
  EXPECT_EQ(ev.source, "10.0.0.8");
  EXPECT_EQ(ev.result, "failure");
  EXPECT_EQ(ev.reason, "malformed login request");
  auto long_name = rt_->identity().login("10.0.0.8", {std::string(500, 'x'), "p", "1"});
  ASSERT_FALSE(long_name);
  EXPECT_EQ(audit().back().target, "user:" + std::string(64, 'x'));
}

TEST_F(IdentityServiceTest, G2_1_1_j_AdminRoleCannotBeCombinedWithOperations) {
  auto r = rt_->identity().create_user(access::Actor::local_operator(),
                                       {"mixed", kUserPassword, {"user_admin", "planner"}, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "roles");
}

TEST_F(IdentityServiceTest, G2_2_1_a_ClientAccountsNeedTheirScope) {
  // An API client acts for one line or one haulier; without it, object checks have nothing to
  // compare with, so no such account can be made.
  for (std::string role : {"line_client", "haulier_client"}) {
    app::NewUser u{"client-" + role.substr(0, 4), kUserPassword, {role}, ""};
    auto r = rt_->identity().create_user(access::Actor::local_operator(), u);
    ASSERT_FALSE(r) << role;
    EXPECT_EQ(r.error().field(), "scope") << role;
    u.scope = role == "line_client" ? "ONE" : "NITTSU";
    EXPECT_TRUE(rt_->identity().create_user(access::Actor::local_operator(), u)) << role;
  }
  // People have no scope.
  app::NewUser person{"scoped-person", kUserPassword, {"planner"}, ""};
  person.scope = "ONE";
  auto r = rt_->identity().create_user(access::Actor::local_operator(), person);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "scope");
}

TEST_F(IdentityServiceTest, CreatingUsersNeedsUserAdmin) {
  access::Actor clerk = testing::person("clerk", {"gate_clerk"}, "10.0.0.1");
  auto r = rt_->identity().create_user(clerk, {"other", kUserPassword, {"viewer"}, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  auto ev = audit().back();
  EXPECT_EQ(ev.action, "user.create");
  EXPECT_EQ(ev.result, "denied");
  EXPECT_EQ(ev.subject, "user:clerk");
}

}  // namespace
}  // namespace minato::app
