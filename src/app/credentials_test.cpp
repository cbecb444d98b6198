// Enrolment links, credential resets and API tokens (G2.1.1-d/i/k, item 10 of issue 3).
#include "app/identity_service.h"
#include "identity/totp.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

class CredentialsTest : public testing::RuntimeFixture {
 protected:
  const access::Actor admin_ = testing::person("admin", {"user_admin"}, "10.0.0.1");

  CreatedUser enrol_new(const std::string& name, std::vector<std::string> roles,
                        const std::string& scope = "") {
    NewUser u(name, "", std::move(roles));
    u.enrolment_link = true;
    u.scope = scope;
    auto c = rt_->identity().create_user(admin_, u);
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : CreatedUser{};
  }
  std::string raw_secret(const CreatedUser& c) {
    return identity::TotpSecret::from_base32(c.totp_secret_base32)->raw();
  }
};

TEST_F(CredentialsTest, G2_1_1_d_NewAccountIsEnrolledByItsOwnerThroughAOneTimeLink) {
  auto link = enrol_new("newclerk", {"gate_clerk"});
  EXPECT_TRUE(link.totp_secret_base32.empty());  // the administrator never sees a credential
  EXPECT_EQ(link.enrolment_token.size(), 43u);
  EXPECT_EQ(link.enrolment_expires_us, clock_.now_us() + int64_t{72} * 3600 * 1'000'000);
  // Before enrolment nothing logs in (and the answer is the generic one).
  auto early = rt_->identity().login("10.0.0.1", {"newclerk", "", "000000"});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), ErrorCode::kUnauthenticated);
  // A weak password is refused and the link stays usable.
  auto weak = rt_->identity().complete_enrolment("10.0.0.1", link.enrolment_token, "password1");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code(), ErrorCode::kInvalidArgument);
  auto done = rt_->identity().complete_enrolment("10.0.0.1", link.enrolment_token, kUserPassword);
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_FALSE(done->totp_secret_base32.empty());
  EXPECT_EQ(audit().back().action, "user.enrol");
  ASSERT_TRUE(
      rt_->identity().login("10.0.0.1", {"newclerk", kUserPassword, code(raw_secret(*done))}));
  // The link works once.
  auto again = rt_->identity().complete_enrolment("10.0.0.2", link.enrolment_token, kUserPassword);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(), "the enrolment link is not valid or has expired");
  EXPECT_EQ(audit().back().reason, "unknown, used or expired enrolment link");
}

TEST_F(CredentialsTest, G2_1_1_d_EnrolmentLinksExpire) {
  auto link = enrol_new("late", {"viewer"});
  clock_.advance_s(72 * 3600);
  EXPECT_FALSE(rt_->identity().complete_enrolment("10.0.0.1", link.enrolment_token, kUserPassword));
  EXPECT_FALSE(rt_->identity().complete_enrolment("10.0.0.1", "not-a-token", kUserPassword));
}

TEST_F(CredentialsTest, G2_1_2_b_ResetClearsEveryCredentialAtOnce) {
  auto secret = add_user("clerk", {"gate_clerk"});
  auto in = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(in);
  access::Actor clerk = testing::person("clerk", {"gate_clerk"}, "10.0.0.1");
  ASSERT_TRUE(rt_->identity().new_recovery_codes(clerk));
  auto reset = rt_->identity().reset_credentials(admin_, "clerk", "phone with TOTP app stolen");
  ASSERT_TRUE(reset) << reset.error().message();
  // Sessions, password, TOTP and recovery codes are gone.
  EXPECT_FALSE(rt_->identity().authenticate(in->session_token, "10.0.0.1"));
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)}));
  EXPECT_EQ(*rt_->identity().recovery_codes_left(clerk), 0);
  // The owner enrols again with a new TOTP secret; the old one no longer works.
  auto done =
      rt_->identity().complete_enrolment("10.0.0.1", reset->enrolment_token, "Nw8!kPz2@rQv-fresh");
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_NE(raw_secret(*done), secret);
  clock_.advance_s(30);
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", {"clerk", "Nw8!kPz2@rQv-fresh", code(secret)}));
  clock_.advance_s(30);
  EXPECT_TRUE(
      rt_->identity().login("10.0.0.1", {"clerk", "Nw8!kPz2@rQv-fresh", code(raw_secret(*done))}));
}

TEST_F(CredentialsTest, ApiTokensAreBoundToTheClientAccountAndItsRules) {
  enrol_new("one-api", {"line_client"}, "ONE");
  auto t = rt_->identity().issue_api_token(admin_, "one-api", "booking system", 30, "10.5.0.0/16");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->token.rfind("mnt_" + std::to_string(t->id) + "_", 0), 0u);
  auto actor = rt_->identity().authenticate_token(t->token, "10.5.1.1");
  ASSERT_TRUE(actor);
  EXPECT_EQ(actor->subject, "token:one-api/" + std::to_string(t->id));
  EXPECT_EQ(actor->scope, "ONE");
  EXPECT_TRUE(actor->has(access::Permission::kUnitLookup));
  EXPECT_FALSE(actor->has(access::Permission::kSelf));
  // Its own source list, a wrong secret, expiry.
  EXPECT_FALSE(rt_->identity().authenticate_token(t->token, "10.6.0.1"));
  EXPECT_EQ(audit().back().reason, "source address not allowed for this token");
  std::string forged = t->token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(rt_->identity().authenticate_token(forged, "10.5.1.1"));
  clock_.advance_s(30 * 86400);
  EXPECT_FALSE(rt_->identity().authenticate_token(t->token, "10.5.1.1"));
  EXPECT_EQ(audit().back().reason, "token expired or revoked");
  // People get no tokens.
  add_user("clerk", {"gate_clerk"});
  EXPECT_FALSE(rt_->identity().issue_api_token(admin_, "clerk", "x", 30, ""));
  EXPECT_FALSE(rt_->identity().issue_api_token(admin_, "one-api", "x", 91, ""));
}

TEST_F(CredentialsTest, ApiTokenRotationKeepsTheOldOneForADay) {
  enrol_new("haul-api", {"haulier_client"}, "NITTSU");
  auto t1 = rt_->identity().issue_api_token(admin_, "haul-api", "dispatch", 30, "");
  ASSERT_TRUE(t1);
  auto t2 = rt_->identity().rotate_api_token(admin_, "haul-api", t1->id);
  ASSERT_TRUE(t2) << t2.error().message();
  EXPECT_TRUE(rt_->identity().authenticate_token(t1->token, "10.0.0.1"));
  EXPECT_TRUE(rt_->identity().authenticate_token(t2->token, "10.0.0.1"));
  clock_.advance_s(86400);
  EXPECT_FALSE(rt_->identity().authenticate_token(t1->token, "10.0.0.1"));
  EXPECT_TRUE(rt_->identity().authenticate_token(t2->token, "10.0.0.1"));
  ASSERT_TRUE(rt_->identity().revoke_api_token(admin_, "haul-api", t2->id));
  EXPECT_FALSE(rt_->identity().authenticate_token(t2->token, "10.0.0.1"));
}

TEST_F(CredentialsTest, G2_1_1_k_OffboardingEndsTokensInTheSameStep) {
  enrol_new("one-api", {"line_client"}, "ONE");
  auto t = rt_->identity().issue_api_token(admin_, "one-api", "edi", 30, "");
  ASSERT_TRUE(t);
  ASSERT_TRUE(rt_->identity().disable(admin_, "one-api", "contract ended"));
  EXPECT_NE(audit().back().reason.find("1 API token(s) revoked"), std::string::npos);
  ASSERT_TRUE(rt_->identity().enable(admin_, "one-api"));
  EXPECT_FALSE(rt_->identity().authenticate_token(t->token, "10.0.0.1"));  // stays revoked
}

TEST_F(CredentialsTest, G2_2_2_c_OptionalMaximumPasswordAge) {
  rt_->identity().set_password_max_days(90);
  auto secret = add_user("clerk", {"gate_clerk"});
  auto fresh = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->password_expired);
  clock_.advance_s(91 * 86400);
  auto old = rt_->identity().login("10.0.0.1", {"clerk", kUserPassword, code(secret)});
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->password_expired);
  auto s = rt_->identity().authenticate(old->session_token, "10.0.0.1");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->first.password_expired);  // the API then allows only a password change
  ASSERT_TRUE(
      rt_->identity().change_password(s->second, "clerk", kUserPassword, "Nw8!kPz2@rQv-fresh"));
  EXPECT_FALSE(
      rt_->identity().authenticate(old->session_token, "10.0.0.1")->first.password_expired);
  // Off by default.
  rt_->identity().set_password_max_days(0);
  clock_.advance_s(400 * 86400);
  auto later = rt_->identity().login("10.0.0.1", {"clerk", "Nw8!kPz2@rQv-fresh", code(secret)});
  ASSERT_TRUE(later) << later.error().message();
  EXPECT_FALSE(later->password_expired);
}

}  // namespace
}  // namespace minato::app
