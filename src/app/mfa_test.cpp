// Second factors other than TOTP through the IdentityService: WebAuthn registration and login
// with a software authenticator, recovery codes (G2.1.1-b, G2.2.2-d).
#include "app/identity_service.h"
#include "testing/runtime_fixture.h"
#include "testing/soft_authenticator.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

class MfaTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    rt_->identity().set_webauthn({"tos.example.jp", "https://tos.example.jp", false});
    secret_ = add_user("clerk", {"gate_clerk"});
    clerk_ = testing::person("clerk", {"gate_clerk"});
  }

  // Registers `key` for the clerk; returns the stored record.
  store::WebAuthnCredentialRecord enrol(testing::SoftAuthenticator& key, const char* name) {
    auto options = rt_->identity().webauthn_register_begin(clerk_);
    EXPECT_TRUE(options) << options.error().message();
    auto r = rt_->identity().webauthn_register_finish(clerk_, name, key.create(options->challenge));
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : store::WebAuthnCredentialRecord{};
  }

  LoginRequest with_key(testing::SoftAuthenticator& key) {
    auto options = rt_->identity().webauthn_login_begin("clerk");
    LoginRequest req("clerk", kUserPassword, "");
    req.webauthn = WebAuthnLogin{key.credential_id(), key.get(options.challenge)};
    return req;
  }

  std::string secret_;
  access::Actor clerk_;
};

TEST_F(MfaTest, G2_1_1_b_SecurityKeyRegistersAndLogsIn) {
  testing::SoftAuthenticator key("tos.example.jp", "https://tos.example.jp");
  auto rec = enrol(key, "desk key");
  EXPECT_EQ(rec.name, "desk key");
  EXPECT_EQ(rec.alg, identity::webauthn::kEdDSA);
  EXPECT_EQ(audit().back().action, "webauthn.register");
  EXPECT_EQ(audit().back().reason, "authenticator 'desk key' (EdDSA, attestation none)");

  auto options = rt_->identity().webauthn_login_begin("clerk");
  ASSERT_EQ(options.credential_ids.size(), 1u);
  EXPECT_EQ(options.credential_ids[0], key.credential_id());
  auto in = rt_->identity().login("10.0.0.1", with_key(key));
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(audit().back().reason.rfind("password and WebAuthn (desk key)", 0), 0u);
  auto keys = rt_->identity().webauthn_list(clerk_);
  EXPECT_EQ(keys->front().sign_count, 1);
  EXPECT_NE(keys->front().last_used_us, 0);
}

TEST_F(MfaTest, G2_1_1_b_SeveralAuthenticatorsPerUser) {
  testing::SoftAuthenticator desk("tos.example.jp", "https://tos.example.jp");
  testing::SoftAuthenticator spare("tos.example.jp", "https://tos.example.jp");
  enrol(desk, "desk");
  auto second = enrol(spare, "spare");
  EXPECT_EQ(rt_->identity().webauthn_login_begin("clerk").credential_ids.size(), 2u);
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", with_key(spare)));
  // The same authenticator cannot be registered twice; a removed one no longer logs in.
  auto again = rt_->identity().webauthn_register_begin(clerk_);
  auto dup =
      rt_->identity().webauthn_register_finish(clerk_, "again", desk.create(again->challenge));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
  // Renamed, so the list tells them apart before one is removed; only one's own, 1-64 chars.
  ASSERT_TRUE(rt_->identity().webauthn_rename(clerk_, second.id, "spare in the drawer"));
  EXPECT_EQ(audit().back().action, "webauthn.rename");
  auto named = rt_->identity().webauthn_list(clerk_);
  ASSERT_TRUE(named);
  for (const auto& k : *named) {
    EXPECT_EQ(k.name, k.id == second.id ? "spare in the drawer" : "desk");
  }
  EXPECT_EQ(rt_->identity().webauthn_rename(clerk_, second.id, "").error().field(), "name");
  EXPECT_EQ(rt_->identity().webauthn_rename(clerk_, second.id + 100, "x").error().code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(rt_->identity().webauthn_remove(clerk_, second.id));
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", with_key(spare)));
  EXPECT_EQ(audit().back().reason.rfind("WebAuthn: not an authenticator of this account", 0), 0u);
}

TEST_F(MfaTest, G2_2_2_d_WebAuthnLoginRefusals) {
  testing::SoftAuthenticator key("tos.example.jp", "https://tos.example.jp");
  enrol(key, "desk");
  // A replayed assertion: its challenge was used.
  auto req = with_key(key);
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", req));
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", req));
  EXPECT_EQ(audit().back().reason.rfind("WebAuthn challenge check failed", 0), 0u);
  // A cloned authenticator: its counter is behind the stored one.
  key.set_counter(0);
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", with_key(key)));
  EXPECT_NE(audit().back().reason.find("counter"), std::string::npos);
  // A phishing site's origin.
  key.set_counter(50);
  key.set_origin("https://tos.example.jp.evil.example");
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", with_key(key)));
  EXPECT_NE(audit().back().reason.find("origin"), std::string::npos);
  // A key registered for another relying party.
  testing::SoftAuthenticator other("evil.example", "https://tos.example.jp");
  auto o = rt_->identity().webauthn_register_begin(clerk_);
  auto bad = rt_->identity().webauthn_register_finish(clerk_, "x", other.create(o->challenge));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "rpIdHash");
  EXPECT_EQ(audit().back().result, "failure");
  // Each refused assertion counts towards the lock like a wrong code.
  auto rx = rt_->store().read();
  EXPECT_EQ((*(*rx)->find_user("clerk"))->failed_count, 3);
}

TEST_F(MfaTest, G2_1_1_e_LoginOptionsDoNotRevealAccounts) {
  auto a = rt_->identity().webauthn_login_begin("nobody");
  auto b = rt_->identity().webauthn_login_begin("nobody");
  auto c = rt_->identity().webauthn_login_begin("clerk");  // exists, has no key yet
  ASSERT_EQ(a.credential_ids.size(), 1u);
  EXPECT_EQ(a.credential_ids, b.credential_ids);  // stable for a name
  EXPECT_NE(a.credential_ids, c.credential_ids);
  EXPECT_EQ(a.credential_ids[0].size(), c.credential_ids[0].size());
  EXPECT_NE(a.challenge, b.challenge);
}

TEST_F(MfaTest, G2_1_1_b_RecoveryCodesLogInOnceEachAndAlert) {
  AlertSettings alerts;
  alerts.security_mail = {"soc@tos.example.jp"};
  rt_->identity().set_alerts(alerts, 32, 64);
  auto codes = rt_->identity().new_recovery_codes(clerk_);
  ASSERT_TRUE(codes);
  ASSERT_EQ(codes->size(), 10u);
  EXPECT_EQ((*codes)[0].size(), 14u);  // xxxx-xxxx-xxxx
  LoginRequest req("clerk", kUserPassword, "");
  req.recovery_code = (*codes)[3];
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", req));
  EXPECT_EQ(audit().back().reason.rfind("password and recovery code (9 left)", 0), 0u);
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", req));
  EXPECT_EQ(audit().back().reason.rfind("wrong or used recovery code", 0), 0u);
  // Upper case and without dashes is the same code.
  std::string shouted;
  for (char ch : (*codes)[4]) {
    if (ch != '-') shouted.push_back(static_cast<char>(std::toupper(ch)));
  }
  req.recovery_code = shouted;
  ASSERT_TRUE(rt_->identity().login("10.0.0.1", req));
  EXPECT_EQ(*rt_->identity().recovery_codes_left(clerk_), 8);
  // New codes void the old ones.
  ASSERT_TRUE(rt_->identity().new_recovery_codes(clerk_));
  req.recovery_code = (*codes)[5];
  EXPECT_FALSE(rt_->identity().login("10.0.0.1", req));
  // Each use of a code alerts security staff (queued in the outbox with the audit event).
  auto rx = rt_->store().read();
  auto n = *(*rx)->recent_notifications(10);
  std::vector<std::string> events;
  for (const auto& x : n) events.push_back(x.event);
  // Newest first: the second use; the first login's new-source alert and its first use.
  EXPECT_EQ(events, (std::vector<std::string>{"login.recovery_code", "login.new_source",
                                              "login.recovery_code"}));
  EXPECT_EQ(n[0].recipients, "soc@tos.example.jp");
}

TEST_F(MfaTest, G2_1_1_b_EveryAccountNeedsASecondFactor) {
  // The administrator too: the password alone never logs in.
  auto r = rt_->identity().login("10.0.0.1", {"admin", testing::kAdminPassword, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(audit().back().reason.rfind("wrong TOTP code", 0), 0u);
}

}  // namespace
}  // namespace minato::app
