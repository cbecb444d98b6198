// Step-up (G2.1.2-a): a session alone changes no credential, and guesses made through a session
// count toward the same lockout as failed logins.
#include "app/step_up.h"

#include "app/identity_service.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

class StepUpTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    secret_ = add_user("pat", {"planner"});
    auto in = rt_->identity().login("10.0.0.2", {"pat", kUserPassword, code(secret_)});
    ASSERT_TRUE(in) << in.error().message();
    token_ = in->session_token;
  }

  // The actor the API builds for the session now.
  std::optional<access::Actor> session_actor() {
    auto a = rt_->identity().authenticate(token_, "10.0.0.2");
    if (!a) return std::nullopt;
    return a->second;
  }

  // A TOTP code of a later step than any used so far (each code is accepted once).
  std::string next_code() {
    clock_.advance_s(30);
    return code(secret_);
  }

  std::string secret_;
  std::string token_;
};

TEST_F(StepUpTest, G2_1_2_a_CredentialChangesNeedARecentSecondFactor) {
  auto& id = rt_->identity();
  // Right after login the second factor is recent.
  auto fresh = session_actor();
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(require_recent_factor(*fresh, clock_.now_us()));

  // Six minutes later a stolen cookie is not enough for any credential change.
  clock_.advance_s(6 * 60);
  auto stale = session_actor();
  ASSERT_TRUE(stale);
  auto pw = id.change_password(*stale, "pat", kUserPassword, "Qz8!mK2#vLp9-new");
  ASSERT_FALSE(pw);
  EXPECT_EQ(pw.error().field(), "step_up");
  EXPECT_EQ(audit().back().action, "user.password.change");
  EXPECT_EQ(audit().back().result, "denied");
  auto codes = id.new_recovery_codes(*stale);
  ASSERT_FALSE(codes);
  EXPECT_EQ(codes.error().field(), "step_up");
  EXPECT_EQ(audit().back().action, "recovery_codes.create");
  auto key = id.webauthn_register_begin(*stale);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().field(), "step_up");

  // A step-up with the TOTP code makes them possible again, for five minutes.
  ASSERT_TRUE(id.step_up(*stale, token_, SecondFactor{next_code(), {}, {}}));
  EXPECT_EQ(audit().back().action, "session.step_up");
  EXPECT_EQ(audit().back().result, "success");
  auto renewed = session_actor();
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(id.new_recovery_codes(*renewed));
  auto changed = id.change_password(*renewed, "pat", kUserPassword, "Qz8!mK2#vLp9-new");
  EXPECT_TRUE(changed) << changed.error().message();

  // API tokens and system jobs never pass; the operator at the host always does.
  access::Actor job{"system:sweep", "local", ~0u};
  EXPECT_FALSE(require_recent_factor(job, clock_.now_us()));
  EXPECT_TRUE(require_recent_factor(access::Actor::local_operator(), clock_.now_us()));
}

TEST_F(StepUpTest, G2_1_2_a_WrongCurrentPasswordsLockTheAccountAndEndItsSessions) {
  auto& id = rt_->identity();
  auto actor = session_actor();
  ASSERT_TRUE(actor);
  // Four guesses are refused and counted, and the session goes on.
  for (int i = 1; i <= 4; ++i) {
    auto guess = id.change_password(*actor, "pat", "Guess#" + std::to_string(i) + "-wrong-pw",
                                    "Qz8!mK2#vLp9-new");
    ASSERT_FALSE(guess);
    EXPECT_EQ(guess.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(guess.error().field(), "current_password");
    auto ev = audit().back();
    EXPECT_EQ(ev.action, "user.password.change");
    EXPECT_EQ(ev.result, "failure");
    EXPECT_EQ(ev.reason, "wrong current password (" + std::to_string(i) + " consecutive failures)");
    ASSERT_TRUE(session_actor()) << i;
  }
  // The fifth locks the account (as five failed logins would) and ends the session.
  auto fifth = id.change_password(*actor, "pat", "Guess#5-wrong-pw", "Qz8!mK2#vLp9-new");
  ASSERT_FALSE(fifth);
  EXPECT_NE(fifth.error().message().find("locked"), std::string::npos);
  EXPECT_NE(audit().back().reason.find("account locked until"), std::string::npos);
  EXPECT_FALSE(session_actor());
  // The right password and code no longer log in: the account is locked.
  EXPECT_FALSE(id.login("10.0.0.2", {"pat", kUserPassword, next_code()}));
  EXPECT_NE(audit().back().reason.find("account locked until"), std::string::npos);
}

TEST_F(StepUpTest, G2_1_2_a_WrongStepUpFactorsCountTowardTheSameLockout) {
  auto& id = rt_->identity();
  auto actor = session_actor();
  ASSERT_TRUE(actor);
  // Failed logins and wrong step-up codes count together.
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(id.login("10.0.0.7", {"pat", "Wrong#Password-1", next_code()}));
  }
  for (int i = 0; i < 2; ++i) {
    auto st = id.step_up(*actor, token_, SecondFactor{"000000", {}, {}});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(audit().back().action, "session.step_up");
    EXPECT_EQ(audit().back().result, "failure");
    ASSERT_TRUE(session_actor());
  }
  EXPECT_EQ(audit().back().reason, "step-up: wrong TOTP code (4 consecutive failures)");
  // A used code is as wrong as a guessed one.
  std::string used = next_code();
  ASSERT_TRUE(id.step_up(*actor, token_, SecondFactor{used, {}, {}}));  // resets the count
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(id.step_up(*actor, token_, SecondFactor{used, {}, {}}));
  EXPECT_EQ(audit().back().reason, "step-up: TOTP code already used (4 consecutive failures)");
  ASSERT_TRUE(session_actor());
  auto last = id.step_up(*actor, token_, SecondFactor{"123456", {}, {}});
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().message().find("locked"), std::string::npos);
  EXPECT_FALSE(session_actor());
  // Security staff were told.
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  bool alerted = false;
  EXPECT_TRUE((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
    alerted = alerted || (r.action == "session.step_up" &&
                          r.reason.find("account locked until") != std::string::npos);
    return true;
  }));
  EXPECT_TRUE(alerted);
}

}  // namespace
}  // namespace minato::app
