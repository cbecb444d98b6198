#include "app/notifier.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "identity/source_rules.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::kUserPassword;

// Records what would have been sent; can be told to fail.
class FakeTransport final : public notify::Transport {
 public:
  struct Mail {
    std::vector<std::string> to;
    std::string message;
  };
  struct Hook {
    std::string json;
    std::vector<std::string> headers;
  };
  Status send_mail(const std::vector<std::string>& to, const std::string& message) override {
    if (failing) return fail(ErrorCode::kUnavailable, "mail not sent: connection refused");
    mails.push_back({to, message});
    return ok();
  }
  Status post_webhook(const std::string& json, const std::vector<std::string>& headers) override {
    if (failing) return fail(ErrorCode::kUnavailable, "webhook not delivered: HTTP 500");
    hooks.push_back({json, headers});
    return ok();
  }
  bool mail_configured() const override { return mail_on; }
  bool webhook_configured() const override { return hook_on; }
  const std::string& mail_from() const override { return from_; }

  bool failing = false;
  bool mail_on = true;
  bool hook_on = true;
  std::vector<Mail> mails;
  std::vector<Hook> hooks;

 private:
  std::string from_ = "minato@terminal.example.jp";
};

std::string decode_body(const std::string& message) {
  // The body is base64 after the blank line.
  std::string b64;
  size_t pos = message.find("\r\n\r\n") + 4;
  for (char c : message.substr(pos)) {
    if (c != '\r' && c != '\n') b64.push_back(c);
  }
  std::string out(b64.size(), '\0');
  size_t len = 0;
  sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.c_str(),
                    b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL);
  out.resize(len);
  return out;
}

class NotifierTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    AlertSettings s;
    s.security_mail = {"soc@terminal.example.jp"};
    s.webhook = true;
    rt_->identity().set_alerts(s, 24, 64);
    notifier_ = std::make_unique<Notifier>(rt_->store(), rt_->writes(), clock_, transport_,
                                           rt_->signing_key());
  }
  std::string add_mail_user(const std::string& name, const std::string& email) {
    NewUser u(name, kUserPassword, {"gate_clerk"});
    u.email = email;
    auto c = rt_->identity().create_user(access::Actor::local_operator(), u);
    EXPECT_TRUE(c) << c.error().message();
    return identity::TotpSecret::from_base32(c->totp_secret_base32)->raw();
  }
  std::vector<store::Notification> outbox() {
    auto rx = rt_->store().read();
    return *(*rx)->recent_notifications(100);
  }

  FakeTransport transport_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, G2_1_1_f_LoginFromANewNetworkMailsUserAndStaffAndCallsTheWebhook) {
  auto secret = add_mail_user("clerk", "clerk@terminal.example.jp");
  ASSERT_TRUE(rt_->identity().login("10.1.2.3", {"clerk", kUserPassword, code(secret)}));
  EXPECT_NE(audit().back().reason.find("new source 10.1.2.0/24 (3 alerts queued)"),
            std::string::npos);
  ASSERT_EQ(outbox().size(), 3u);  // user, staff, webhook
  auto sent = notifier_->deliver_due();
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent, 3);
  ASSERT_EQ(transport_.mails.size(), 2u);
  EXPECT_EQ(transport_.mails[0].to, std::vector<std::string>{"clerk@terminal.example.jp"});
  EXPECT_EQ(transport_.mails[1].to, std::vector<std::string>{"soc@terminal.example.jp"});
  std::string body = decode_body(transport_.mails[0].message);
  EXPECT_NE(body.find("10.1.2.3"), std::string::npos);
  EXPECT_NE(body.find("これまでにない接続元 10.1.2.3"), std::string::npos);
  EXPECT_NE(body.find("logged in from a source never seen before"), std::string::npos);
  EXPECT_NE(transport_.mails[0].message.find("Subject: =?UTF-8?B?"), std::string::npos);
  // Delivery is audited.
  EXPECT_EQ(audit().back().action, "notify.deliver");
  EXPECT_EQ(audit().back().result, "success");

  // The same network again: no alert. Another network: an alert.
  clock_.advance_s(30);
  ASSERT_TRUE(rt_->identity().login("10.1.2.99", {"clerk", kUserPassword, code(secret)}));
  EXPECT_EQ(outbox().size(), 3u);
  clock_.advance_s(30);
  ASSERT_TRUE(rt_->identity().login("10.7.0.1", {"clerk", kUserPassword, code(secret)}));
  EXPECT_EQ(outbox().size(), 6u);
}

TEST_F(NotifierTest, WebhookIsSignedWithTheSigningKey) {
  auto secret = add_mail_user("clerk", "");
  ASSERT_TRUE(rt_->identity().login("10.1.2.3", {"clerk", kUserPassword, code(secret)}));
  ASSERT_TRUE(notifier_->deliver_due());
  ASSERT_EQ(transport_.hooks.size(), 1u);
  ASSERT_EQ(transport_.mails.size(), 1u);  // staff only: the user has no address
  const auto& hook = transport_.hooks[0];
  auto body = boost::json::parse(hook.json).as_object();
  EXPECT_EQ(body.at("event").as_string(), "login.new_source");
  EXPECT_EQ(body.at("username").as_string(), "clerk");
  const std::string prefix = "X-Minato-Signature: ed25519=";
  ASSERT_EQ(hook.headers[0].rfind(prefix, 0), 0u);
  std::string b64 = hook.headers[0].substr(prefix.size());
  std::string sig(64, '\0');
  size_t len = 0;
  ASSERT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(sig.data()), sig.size(), b64.c_str(),
                              b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  EXPECT_TRUE(crypto::SigningKey::verify(rt_->signing_key().public_key(), hook.json, sig));
  EXPECT_FALSE(crypto::SigningKey::verify(rt_->signing_key().public_key(), hook.json + " ", sig));
}

TEST_F(NotifierTest, FailedDeliveriesAreRetriedWithBackoffThenGivenUp) {
  auto secret = add_mail_user("clerk", "");
  transport_.hook_on = false;  // only the staff mail is due
  ASSERT_TRUE(rt_->identity().login("10.1.2.3", {"clerk", kUserPassword, code(secret)}));
  transport_.failing = true;
  EXPECT_EQ(*notifier_->deliver_due(), 0);
  auto n = outbox();
  auto mail = std::find_if(n.begin(), n.end(), [](auto& x) { return x.channel == "mail"; });
  EXPECT_EQ(mail->attempts, 1);
  EXPECT_EQ(mail->last_error, "mail not sent: connection refused");
  EXPECT_EQ(mail->next_attempt_us, clock_.now_us() + 30'000'000);
  EXPECT_EQ(audit().back().result, "failure");
  // Not due again before the wait.
  EXPECT_EQ(*notifier_->deliver_due(), 0);
  EXPECT_EQ(outbox()[1].attempts, 1);
  for (int i = 1; i < Notifier::kMaxAttempts; ++i) {
    clock_.advance_s(3600);
    EXPECT_EQ(*notifier_->deliver_due(), 0);
  }
  n = outbox();
  mail = std::find_if(n.begin(), n.end(), [](auto& x) { return x.channel == "mail"; });
  EXPECT_TRUE(mail->abandoned);
  EXPECT_NE(audit().back().reason.find("given up after 12 attempts"), std::string::npos);
  // The unconfigured webhook channel was never touched: it waits for configuration.
  auto hook = std::find_if(n.begin(), n.end(), [](auto& x) { return x.channel == "webhook"; });
  EXPECT_EQ(hook->attempts, 0);
  EXPECT_FALSE(hook->abandoned);
}

TEST_F(NotifierTest, G2_1_1_e_LockedAccountAndBlockedSourceAlertSecurityStaff) {
  auto secret = add_mail_user("clerk", "clerk@terminal.example.jp");
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(rt_->identity().login("10.0.0.9", {"clerk", "Wrong#Password1", code(secret)}));
  }
  auto n = outbox();
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(n.front().event, "account.locked");
  ASSERT_TRUE(notifier_->deliver_due());
  ASSERT_EQ(transport_.mails.size(), 1u);  // staff; not the user (could be the attacker's aim)
  EXPECT_EQ(transport_.mails[0].to, std::vector<std::string>{"soc@terminal.example.jp"});
}

TEST_F(NotifierTest, G2_1_2_b_CompromiseReportAlertsStaffAndTheUser) {
  auto secret = add_mail_user("clerk", "clerk@terminal.example.jp");
  ASSERT_TRUE(rt_->identity().login("10.1.2.3", {"clerk", kUserPassword, code(secret)}));
  access::Actor clerk{"user:clerk", "10.1.2.3", access::permissions_of({"gate_clerk"})};
  ASSERT_TRUE(rt_->identity().report_compromised(clerk, "clerk"));
  EXPECT_EQ(outbox().front().event, "account.compromised");
}

TEST(NotifyFormat, MailHeadersCannotBeInjected) {
  auto ok_mail = notify::format_mail("minato@t.example.jp", {"a@t.example.jp", "b@t.example.jp"},
                                     "件名 subject", "本文\nbody", 1'795'568'400'000'000, "m-1");
  ASSERT_TRUE(ok_mail) << ok_mail.error().message();
  EXPECT_NE(ok_mail->find("To: a@t.example.jp, b@t.example.jp\r\n"), std::string::npos);
  EXPECT_NE(ok_mail->find("Date: Wed, 25 Nov 2026 01:00:00 +0000\r\n"), std::string::npos);
  EXPECT_EQ(decode_body(*ok_mail), "本文\nbody");
  for (const char* bad : {"a@t.example.jp\r\nBcc: x@evil.example", "a b@t.example.jp",
                          "<a@t.example.jp>", "nobody", "a@b", "a@@t.example.jp"}) {
    EXPECT_FALSE(notify::format_mail("minato@t.example.jp", {bad}, "s", "b", 0, "m")) << bad;
    EXPECT_FALSE(notify::valid_mail_address(bad)) << bad;
  }
}

TEST(NotifyFormat, SourcesAreComparedAsNetworks) {
  EXPECT_EQ(identity::network_of("10.1.2.3", 24, 64), "10.1.2.0/24");
  EXPECT_EQ(identity::network_of("10.1.2.3", 32, 64), "10.1.2.3/32");
  EXPECT_EQ(identity::network_of("2001:db8:1:2:3:4:5:6", 24, 64), "2001:db8:1:2::/64");
  EXPECT_EQ(identity::network_of("::ffff:192.0.2.9", 24, 64), "192.0.2.0/24");
  EXPECT_EQ(identity::network_of("local", 24, 64), "");
}

TEST(NotifyFormat, LocalTimeInMails) {
  EXPECT_EQ(local_time_text(1'795'568'400'000'000, 9 * 3600), "2026-11-25 10:00:00 (UTC+09:00)");
  EXPECT_EQ(local_time_text(1'795'568'400'000'000, -(5 * 3600 + 1800)),
            "2026-11-24 19:30:00 (UTC-05:30)");
}

}  // namespace
}  // namespace minato::app
